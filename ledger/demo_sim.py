"""The day-by-day simulation behind the demo dataset (:mod:`ledger.demo`).

:class:`Simulation` keeps the accounts' people and engagements, runs actions put on its
calendar, and each day draws random engagements, birthdays and attitude swings from one
seeded ``random.Random``; :mod:`ledger.demo_script` puts the storylines on the calendar.
"""

from __future__ import annotations

import copy
import random
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from ledger import demo_data as data
from ledger.demo_data import AccountSpec
from ledger.money import format_amount, from_minor, minor_units, quantize, to_minor
from ledger.schemas import LADDER_LEVELS, REMEDIES, ROLE_WEIGHTS

SPAN_DAYS = 455
"""Day 0 of the dataset is this many days before ``today``."""
FIRST_ENGAGEMENT_DAY = 21

APPROX_EUR: dict[str, Decimal] = {
    "EUR": Decimal(1), "USD": Decimal("0.92"), "GBP": Decimal("1.17"),
    "JPY": Decimal("0.0062"), "CNY": Decimal("0.128"), "SEK": Decimal("0.087"),
}
"""Euros per unit, used to price engagements and as the starting point of the rates."""

POLICY: dict[str, Any] = {
    "base_currency": "EUR", "gift_item_limit": "150.00",
    "hospitality_per_person_limit": "250.00", "annual_recipient_limit": "1000.00",
    "pre_approval_above": "2000.00", "public_official_requires_approval": True,
    "late_entry_days": 30,
}
PRE_APPROVAL_ABOVE = Decimal(POLICY["pre_approval_above"])

@dataclass
class _Pending:
    recorded: datetime
    seq: int
    occurred: datetime
    type: str
    data: dict[str, Any]


@dataclass
class Person:
    stakeholder_id: str
    account_id: str
    role: str
    attitude: int
    layer: str
    rising_star: bool
    public_official: bool
    birthday: date | None
    registered_day: int
    leave_day: int | None = None
    scripted: bool = False
    """Attitude follows a storyline; random swings leave it alone."""

    def active_on(self, day: int) -> bool:
        """Registered before ``day`` and not about to leave (departure on leave_day)."""
        return self.registered_day < day and (self.leave_day is None or day < self.leave_day - 3)


@dataclass
class PlannedEngagement:
    engagement_id: str
    account_id: str
    occurred: datetime
    recorded: datetime
    fields: dict[str, Any]
    pending_approval: bool
    protected: bool
    """A scripted breach or late entry: never corrected, voided or approved."""
    participants: list[Person] = field(default_factory=list)


def slug(text: str) -> str:
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(ascii_text.lower().split())


def money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"amount": format_amount(amount, currency), "currency": currency}


def split_amount(total: Decimal, currency: str, weights: list[int]) -> list[str]:
    """Split ``total`` exactly by ``weights``; the rounding remainder goes to the first."""
    units = to_minor(total, currency)
    shares = [units * weight // sum(weights) for weight in weights]
    shares[0] += units - sum(shares)
    return [format_amount(from_minor(share, currency), currency) for share in shares]


class Simulation:
    """The day-by-day simulation that produces the events."""

    def __init__(self, today: date, seed: int) -> None:
        self.rng = random.Random(seed)
        self.start = today - timedelta(days=SPAN_DAYS)
        self.last_day = SPAN_DAYS - 2
        self.limit = datetime.combine(today, time.min, tzinfo=UTC) - timedelta(hours=16)
        self.pending: list[_Pending] = []
        self.specs = {spec.account_id: spec for spec in data.ACCOUNTS}
        self.tier = {spec.account_id: spec.tier for spec in data.ACCOUNTS}
        self.people: dict[str, list[Person]] = defaultdict(list)
        self.positions: dict[str, dict[int, Person]] = defaultdict(dict)
        self.opportunities: dict[str, tuple[str, int, int | None]] = {}
        self.engagements: list[PlannedEngagement] = []
        self.schedule: dict[int, list[Callable[[int], object]]] = defaultdict(list)
        self.approval_refs = 0

    # --- plumbing -------------------------------------------------------------------------

    def at(self, day: int, hour: int, minute: int, offset: int) -> datetime:
        """The local time ``hour:minute`` on ``day`` at UTC ``offset`` hours."""
        zone = timezone(timedelta(hours=offset))
        return datetime.combine(self.start + timedelta(days=day), time(hour, minute), zone)

    def emit(self, type_: str, occurred: datetime, body: dict[str, Any],
             delay: timedelta | None = None) -> datetime:
        """Queue one event; return the time it is recorded at."""
        if occurred >= self.limit:
            raise AssertionError(f"demo event {type_} at {occurred} is not in the past")
        if delay is None:
            delay = timedelta(minutes=self.rng.randint(1, 20))
        recorded = max(occurred, min(occurred + delay, self.limit))
        self.pending.append(_Pending(recorded, len(self.pending), occurred, type_, body))
        return recorded

    def office_hours(self, after: datetime, days: int, offset: int) -> datetime:
        """A time during office hours, ``days`` calendar days after ``after``, at ``offset``."""
        local = after.astimezone(timezone(timedelta(hours=offset))) + timedelta(days=days)
        return local.replace(hour=self.rng.randint(9, 17), minute=self.rng.randint(0, 59))

    def later(self, day: int, action: Callable[[int], object]) -> None:
        """Run ``action(day)`` when the simulation reaches ``day`` (if it does)."""
        if day <= self.last_day:
            self.schedule[day].append(action)

    def active(self, account_id: str, day: int) -> list[Person]:
        """The account's stakeholders that may take part in an engagement on ``day``."""
        return [p for p in self.people[account_id] if p.active_on(day)]

    def eur(self, low: int, high: int) -> Decimal:
        """A random euro amount between ``low`` and ``high``, to the cent."""
        return Decimal(self.rng.randint(low * 100, high * 100)) / 100

    def next_approval_ref(self, year: int) -> str:
        """A fresh approval reference from the approvals register."""
        self.approval_refs += 1
        return f"APR-{year}-{self.approval_refs:04d}"

    # --- the simulation --------------------------------------------------------------------

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

    def engage(self, spec: AccountSpec, day: int, kind: str, people: list[Person],
               cost_eur: Decimal | None, hour: int, minute: int, *, currency: str | None = None,
               location: str | None = None, notes: str | None = None,
               opportunity: str | None = None, approval: str = "auto",
               allocate: bool | None = None, owner: str | None = None,
               hosts: list[str] | None = None, late: bool = False,
               protected: bool = False) -> PlannedEngagement:
        """Record one engagement priced in euros but paid in the account's currency.

        ``approval``: ``auto`` (pre-approved when needed, mostly), ``given``, ``later``
        (approved by an ``engagement.approved`` afterwards) or ``none``.
        """
        rng = self.rng
        currency = currency or spec.currency
        owner = owner or (spec.manager if rng.random() < 0.8 else rng.choice(spec.team))
        body: dict[str, Any] = {
            "engagement_id": f"{spec.prefix}-eng-{len(self.engagements) + 1:04d}",
            "account_id": spec.account_id, "kind": kind,
            "participants": [p.stakeholder_id for p in people], "owner": owner,
            "hosts": hosts or ([owner, rng.choice(spec.team)] if rng.random() < 0.3
                               else [owner]),
        }
        needs_approval = False
        if cost_eur is not None:
            local = cost_eur / APPROX_EUR[currency]
            amount = (quantize(local / 10, "JPY") * 10 if minor_units(currency) == 0
                      else quantize(local, currency))
            body["cost"] = money(amount, currency)
            if allocate is None:
                allocate = len(people) > 1 and rng.random() < 0.3
            if allocate and len(people) > 1:
                weights = [2] + [rng.randint(1, 2) for _ in people[1:]]
                shares = split_amount(amount, currency, weights)
                body["allocation"] = dict(zip(body["participants"], shares, strict=True))
            needs_approval = cost_eur > PRE_APPROVAL_ABOVE or any(
                p.public_official for p in people)
        if opportunity:
            body["opportunity_id"] = opportunity
        if approval == "auto":
            roll = rng.random()
            approval = ("none" if not needs_approval else "given" if roll < 0.65
                        else "later" if roll < 0.95 else "none")
        if approval == "given":
            body["approval_ref"] = self.next_approval_ref((self.start + timedelta(days=day)).year)
        for key, value in (("location", location), ("notes", notes)):
            if value:
                body[key] = value
        occurred = self.at(day, hour, minute, spec.utc_offset)
        delay = timedelta(minutes=rng.randint(45, 30 * 60))
        if late and occurred + timedelta(days=75) < self.limit:
            delay = timedelta(days=rng.randint(35, 70), minutes=rng.randint(0, 600))
        recorded = self.emit("engagement.recorded", occurred, body, delay)
        # The tracked fields are a copy: corrections must never alter the recorded event.
        engagement = PlannedEngagement(body["engagement_id"], spec.account_id, occurred, recorded,
                                 copy.deepcopy(body), approval == "later", protected or late,
                                 list(people))
        self.engagements.append(engagement)
        return engagement

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

    def change_attitude(self, spec: AccountSpec, day: int, person: Person, attitude: int,
                        reason: str) -> None:
        """Record a changed attitude (observed by the account manager)."""
        person.attitude = attitude
        self.emit("stakeholder.attitude_changed", self.at(day, 8, 30, spec.utc_offset), {
            "stakeholder_id": person.stakeholder_id, "attitude": attitude, "reason": reason,
            "observed_by": spec.manager})

    def attitude_drop(self, spec: AccountSpec, day: int) -> None:
        """Something went wrong with one stakeholder."""
        candidates = [p for p in self.active(spec.account_id, day)
                      if p.attitude > -1 and not p.scripted]
        if candidates:
            person = self.rng.choice(candidates)
            self.change_attitude(spec, day, person, person.attitude - 1,
                                 self.rng.choice(data.DROP_REASONS))

    def place(self, spec: AccountSpec, setting: str) -> str:
        """Where an engagement of this setting takes place."""
        return {
            "office": f"{spec.name}, {spec.city}",
            "restaurant": self.rng.choice(data.RESTAURANTS[spec.account_id]),
            "private": f"{self.rng.choice(data.PRIVATE_ACTIVITIES)} near {spec.city}",
            "home": f"Private residence near {spec.city}",
            "show": self.rng.choice(data.EXHIBITIONS),
            "hq": "Meridian Networks headquarters, Stuttgart",
        }[setting]
