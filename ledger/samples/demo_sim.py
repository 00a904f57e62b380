"""The day-by-day simulation behind the demo dataset (:mod:`ledger.samples.demo`).

:class:`Simulation` keeps the accounts' people and engagements, runs actions put on its
calendar, and each day draws random engagements, birthdays and attitude swings from one
seeded ``random.Random``; :mod:`ledger.samples.demo_script` puts the storylines on the calendar.
The state it keeps and the primitives that record events come from :class:`World`
(:mod:`ledger.samples.demo_world`); the records and parameters from
:mod:`ledger.samples.demo_model`.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from ledger.contract.vocabulary import LADDER_LEVELS, REMEDIES, ROLE_WEIGHTS
from ledger.samples import demo_data as data
from ledger.samples.demo_data import AccountSpec
from ledger.samples.demo_model import FIRST_ENGAGEMENT_DAY, Person
from ledger.samples.demo_world import World


class Simulation(World):
    """The day-by-day simulation that produces the events."""

    def run(self) -> None:
        """Simulate every day, running what was scheduled for it first."""
        for day in range(self.last_day + 1):
            for action in self.schedule.pop(day, []):
                action(day)
            if day >= FIRST_ENGAGEMENT_DAY:
                self.simulate_day(day)

    def simulate_day(self, day: int) -> None:
        """Random engagements, birthdays and attitude swings of one day."""
        current = self.start + timedelta(days=day)
        for spec in data.ACCOUNTS:
            if current.weekday() < 5 and self.rng.random() < spec.intensity:
                roll = self.rng.random()
                if roll < 0.07:
                    self.org_engagement(spec, day)
                elif roll < 0.62:
                    self.key_engagement(spec, day)
                else:
                    self.general_engagement(spec, day)
            for person in self.active(spec.account_id, day):
                born = person.birthday
                if born and (born.month, born.day) == (current.month, current.day) and (
                        person.layer == "key" or person.rising_star):
                    self.birthday(spec, day, person)
            if self.rng.random() < 0.012:
                self.attitude_drop(spec, day)
        if (current.month, current.day) == (1, 2):
            for spec in data.ACCOUNTS:
                keys = [p for p in self.active(spec.account_id, day) if p.layer == "key"]
                self.engage(spec, day, "greeting", keys, None, 9, 0,
                            notes="New Year greetings card and call")

    def open_opportunity(self, account_id: str, day: int) -> str | None:
        """An open opportunity of the account to book an engagement on (sometimes)."""
        open_ids = [key for key, (account, opened, closed) in self.opportunities.items()
                    if account == account_id and opened < day and (closed is None
                                                                   or day < closed)]
        return self.rng.choice(open_ids) if open_ids and self.rng.random() < 0.35 else None

    def key_engagement(self, spec: AccountSpec, day: int) -> None:
        """A step on the intimacy ladder, or a remedy for a weak key person."""
        rng = self.rng
        keys = [p for p in self.active(spec.account_id, day) if p.layer == "key"]
        if not keys:
            return
        primary = rng.choices(keys, weights=[ROLE_WEIGHTS[p.role] for p in keys])[0]
        if primary.attitude <= 0 and rng.random() < 0.3:
            kind = rng.choice(REMEDIES)
        else:
            ladder = [("office_visit", 4.0), ("regular_visit", 4.0), ("dinner", 3.0),
                      ("private_activity", 1.2), ("family_banquet", 0.6), ("home_visit", 0.3)]
            allowed = ladder[: {-1: 2, 0: 2, 1: 4, 2: 5, 3: 6}[primary.attitude]]
            kind = rng.choices([k for k, _ in allowed], weights=[w for _, w in allowed])[0]
        extra = {"private_activity": 1, "family_banquet": 0, "home_visit": 0,
                 "exhibition_invite": 1}.get(kind, 2)
        others = [p for p in keys if p is not primary]
        people = [primary, *rng.sample(others, min(rng.randint(0, extra), len(others)))]
        low, high, free = data.KEY_PRICES[kind]
        per_person = None if rng.random() < free else self.eur(low, high)
        cost = per_person * len(people) if per_person is not None else None
        hour, minute, place = data.KEY_SETTINGS[kind]
        hosts = None
        if kind in ("executive_visit", "hq_visit"):
            hosts = [spec.manager, rng.choice(data.EXECUTIVES)]
        self.engage(spec, day, kind, people, cost, hour, minute, hosts=hosts,
                    location=self.place(spec, place), opportunity=self.open_opportunity(
                        spec.account_id, day), late=rng.random() < 0.012 and all(
                        p.leave_day is None for p in people))
        level = 3 if kind in REMEDIES else LADDER_LEVELS[kind]
        for person in people:
            if (person.attitude < 3 and not person.scripted and day < self.last_day
                    and rng.random() < 0.03 + 0.025 * level):
                reason = rng.choice(data.RAISE_REASONS).format(kind=kind.replace("_", " "))
                self.change_attitude(spec, day + 1, person, person.attitude + 1, reason)

    def general_engagement(self, spec: AccountSpec, day: int) -> None:
        """Breadth: exchanges, gifts, sports and greetings with the wider organisation."""
        rng = self.rng
        pool = [p for p in self.active(spec.account_id, day)
                if p.layer == "general" or p.rising_star]
        if not pool:
            return
        kind = rng.choices(["business_exchange", "gift", "sports_culture", "greeting"],
                           weights=[3, 2, 2, 1])[0]
        low_n, high_n, low, high, free = data.GENERAL_PRICES[kind]
        people = rng.sample(pool, min(rng.randint(low_n, high_n), len(pool)))
        per_person = None if rng.random() < free else self.eur(low, high)
        cost = per_person * len(people) if per_person is not None else None
        notes = {"business_exchange": data.BUSINESS_EXCHANGES, "gift": data.GIFTS,
                 "sports_culture": data.SPORTS_CULTURE,
                 "greeting": ("Holiday greetings",)}[kind]
        self.engage(spec, day, kind, people, cost, 15 if kind != "sports_culture" else 19, 0,
                    notes=rng.choice(notes))

    def org_engagement(self, spec: AccountSpec, day: int) -> None:
        """Company-to-company: summits, integrated processes, joint initiatives, recognition."""
        rng = self.rng
        strategic = self.tier[spec.account_id] == "strategic"
        kind = rng.choices(["summit", "process_integration", "joint_initiative",
                            "culture_recognition"],
                           weights=[4, 2, 2 if strategic else 0.5, 1 if strategic else 0.2])[0]
        people: list[Person] = []
        cost: Decimal | None = None
        if kind == "summit":
            bosses = [p for p in self.active(spec.account_id, day)
                      if p.role in ("approver", "decision_maker")]
            if bosses and rng.random() < 0.5:  # hosted by the customer: no cost to us
                people = rng.sample(bosses, min(rng.randint(1, 3), len(bosses)))
            else:
                cost = self.eur(2500, 9000)
            notes = rng.choice(data.SUMMITS)
        elif kind == "process_integration":
            notes = rng.choice(data.PROCESS_INTEGRATIONS)
        elif kind == "joint_initiative":
            cost, notes = self.eur(4000, 15000), rng.choice(data.JOINT_INITIATIVES)
        else:
            cost = self.eur(1500, 4000) if rng.random() < 0.6 else None
            notes = rng.choice(data.CULTURE_RECOGNITIONS)
        self.engage(spec, day, kind, people, cost, 10, 0, notes=notes,
                    hosts=[spec.manager, rng.choice(data.EXECUTIVES)])

    def birthday(self, spec: AccountSpec, day: int, person: Person) -> None:
        """A birthday greeting, sometimes with a small gift."""
        if self.rng.random() < 0.7:
            self.engage(spec, day, "greeting", [person], None, 9, 30, notes="Birthday call")
        else:
            self.engage(spec, day, "gift", [person], self.eur(40, 90), 9, 30,
                        notes=f"Birthday gift: {self.rng.choice(data.GIFTS).lower()}")

    def attitude_drop(self, spec: AccountSpec, day: int) -> None:
        """Something went wrong with one stakeholder."""
        candidates = [p for p in self.active(spec.account_id, day)
                      if p.attitude > -1 and not p.scripted]
        if candidates:
            person = self.rng.choice(candidates)
            self.change_attitude(spec, day, person, person.attitude - 1,
                                 self.rng.choice(data.DROP_REASONS))
