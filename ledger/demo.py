"""A realistic, deterministic sample dataset: ``ledger demo`` loads it (SPEC §8).

Meridian Networks, a telecom equipment vendor, manages six operator accounts over the
last fifteen months: a compliance policy (revised once) and exchange rates, 100-odd
stakeholders with their power-map positions, opportunities with fishbones, a year of
engagements of every kind in five currencies, attitude swings, promotions, departures,
corrections, voids and (late) approvals — including the breaches compliance should find.

The events are simulated day by day with one seeded ``random.Random``, so the same
``(today, seed)`` always yields the same list. :func:`demo_timeline` also gives each event
the transaction time it would plausibly have been recorded at (most within hours, a few
weeks late); the list is ordered by it, which is a valid submission order.
"""

from __future__ import annotations

import copy
import random
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import partial
from typing import Any

from ledger import demo_data as data
from ledger.demo_data import AccountSpec
from ledger.money import format_amount, from_minor, minor_units, quantize, to_minor
from ledger.schemas import LADDER_LEVELS, REMEDIES, ROLE_WEIGHTS

SPAN_DAYS = 455
"""Day 0 of the dataset is this many days before ``today``."""
FIRST_ENGAGEMENT_DAY = 21
NAMESPACE = uuid.UUID("5d1c7c5e-3f0b-4b8e-9a51-8f4f0b6c2a10")

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


def demo_events(*, today: date | None = None, seed: int = 7) -> list[dict[str, Any]]:
    """Return the demo dataset as envelopes (JSON-able dicts) in a valid submission order.

    Every ``occurred_at`` lies in the fifteen months before ``today`` (default: the
    current date) and at least 16 hours before its start in UTC.
    Example: ``demo_events(today=date(2026, 3, 1))``.
    """
    return [envelope for _, envelope in demo_timeline(today=today, seed=seed)]


def demo_timeline(
    *, today: date | None = None, seed: int = 7
) -> list[tuple[datetime, dict[str, Any]]]:
    """Return ``(recorded_at, envelope)`` pairs: the demo events with a plausible recording time.

    The list is ordered by ``recorded_at``; a loader that can back-date transaction time
    uses it so that only the deliberate late entries are flagged ``late_entry``.
    """
    today = today or date.today()
    demo = _Demo(today, seed)
    demo.run()
    pending = sorted(demo.pending, key=lambda item: (item.recorded, item.seq))
    return [
        (item.recorded, {
            "event_id": str(uuid.uuid5(NAMESPACE, f"{seed}:{today.isoformat()}:{index}")),
            "type": item.type,
            "occurred_at": item.occurred.isoformat(),
            "data": item.data,
        })
        for index, item in enumerate(pending)
    ]


@dataclass
class _Pending:
    recorded: datetime
    seq: int
    occurred: datetime
    type: str
    data: dict[str, Any]


@dataclass
class _Person:
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
class _Engagement:
    engagement_id: str
    account_id: str
    occurred: datetime
    recorded: datetime
    fields: dict[str, Any]
    pending_approval: bool
    protected: bool
    """A scripted breach or late entry: never corrected, voided or approved."""
    participants: list[_Person] = field(default_factory=list)


def _slug(text: str) -> str:
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(ascii_text.lower().split())


def _money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"amount": format_amount(amount, currency), "currency": currency}


def _split(total: Decimal, currency: str, weights: list[int]) -> list[str]:
    """Split ``total`` exactly by ``weights``; the rounding remainder goes to the first."""
    units = to_minor(total, currency)
    shares = [units * weight // sum(weights) for weight in weights]
    shares[0] += units - sum(shares)
    return [format_amount(from_minor(share, currency), currency) for share in shares]


class _Demo:
    """The day-by-day simulation that produces the events."""

    def __init__(self, today: date, seed: int) -> None:
        self.rng = random.Random(seed)
        self.start = today - timedelta(days=SPAN_DAYS)
        self.last_day = SPAN_DAYS - 2
        self.limit = datetime.combine(today, time.min, tzinfo=UTC) - timedelta(hours=16)
        self.pending: list[_Pending] = []
        self.specs = {spec.account_id: spec for spec in data.ACCOUNTS}
        self.tier = {spec.account_id: spec.tier for spec in data.ACCOUNTS}
        self.people: dict[str, list[_Person]] = defaultdict(list)
        self.positions: dict[str, dict[int, _Person]] = defaultdict(dict)
        self.opportunities: dict[str, tuple[str, int, int | None]] = {}
        self.engagements: list[_Engagement] = []
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

    def active(self, account_id: str, day: int) -> list[_Person]:
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
        """Set up the scripted timeline, then simulate every day."""
        self.emit("policy.set", self.at(0, 8, 0, data.HQ_OFFSET), dict(POLICY))
        revised = {**POLICY, "annual_recipient_limit": "1200.00"}
        self.later(270, lambda d: self.emit("policy.set", self.at(d, 8, 0, data.HQ_OFFSET),
                                            revised))
        _schedule_reference_data(self)
        _schedule_storylines(self)
        for day in range(self.last_day + 1):
            for action in self.schedule.pop(day, []):
                action(day)
            if day >= FIRST_ENGAGEMENT_DAY:
                self.simulate_day(day)
        _fix_records(self)

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

    def engage(self, spec: AccountSpec, day: int, kind: str, people: list[_Person],
               cost_eur: Decimal | None, hour: int, minute: int, *, currency: str | None = None,
               location: str | None = None, notes: str | None = None,
               opportunity: str | None = None, approval: str = "auto",
               allocate: bool | None = None, owner: str | None = None,
               hosts: list[str] | None = None, late: bool = False,
               protected: bool = False) -> _Engagement:
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
            body["cost"] = _money(amount, currency)
            if allocate is None:
                allocate = len(people) > 1 and rng.random() < 0.3
            if allocate and len(people) > 1:
                weights = [2] + [rng.randint(1, 2) for _ in people[1:]]
                shares = _split(amount, currency, weights)
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
        engagement = _Engagement(body["engagement_id"], spec.account_id, occurred, recorded,
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
        people: list[_Person] = []
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

    def birthday(self, spec: AccountSpec, day: int, person: _Person) -> None:
        """A birthday greeting, sometimes with a small gift."""
        if self.rng.random() < 0.7:
            self.engage(spec, day, "greeting", [person], None, 9, 30, notes="Birthday call")
        else:
            self.engage(spec, day, "gift", [person], self.eur(40, 90), 9, 30,
                        notes=f"Birthday gift: {self.rng.choice(data.GIFTS).lower()}")

    def change_attitude(self, spec: AccountSpec, day: int, person: _Person, attitude: int,
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


# --- the scripted part of the timeline -------------------------------------------------------

_GROUPS = ("commercial_evaluation", "technical_evaluation", "selection_decision",
           "final_decision")
_ORG_KINDS = ("summit", "process_integration", "joint_initiative", "culture_recognition",
              "open_letter")


def _schedule_reference_data(demo: _Demo) -> None:
    """Rates, accounts, stakeholders, opportunities and the structural changes over time."""
    _schedule_rates(demo)
    for index, spec in enumerate(data.ACCOUNTS):
        demo.emit("account.registered", demo.at(0, 9, 5 * index, data.HQ_OFFSET), {
            "account_id": spec.account_id, "name": spec.name, "country": spec.country,
            "tier": spec.tier})
        _cast(demo, spec)
        _schedule_opportunities(demo, spec)
    for day, account_id, tier, reason in data.TIER_CHANGES:
        demo.later(day, partial(_change_tier, demo, account_id=account_id, tier=tier,
                                reason=reason))
    for day, account_id, position, reason in data.DEPARTURES:
        person = demo.positions[account_id][position]
        person.leave_day = day
        demo.later(day, partial(_depart, demo, person=person, reason=reason))
    for day in (140, 200, 265, 330, 395):
        demo.later(day, partial(_promote, demo))
    for day, change in ((160, "to_key"), (190, "to_general"), (245, "to_key"),
                        (275, "rising_star"), (335, "to_key"), (410, "to_key")):
        demo.later(day, partial(_change_layer, demo, change=change))


def _schedule_rates(demo: _Demo) -> None:
    """Monthly rates (a random walk) for USD, GBP, JPY and CNY; SEK only from day 240 on,
    so the SEK engagement of day 60 stays ``fx_rate_missing``."""
    rates = {currency: rate for currency, rate in APPROX_EUR.items() if currency != "EUR"}
    for day in range(0, demo.last_day, 30):
        for currency, rate in rates.items():
            if currency == "SEK" and day < 240:
                continue
            if day:
                rate *= 1 + Decimal(demo.rng.randint(-180, 180)) / 10000
            rates[currency] = rate.quantize(Decimal("0.0001" if rate > 0.1 else "0.000001"))
            demo.emit("fx.rate_set", demo.at(day, 8, 30, data.HQ_OFFSET),
                      {"currency": currency, "rate": str(rates[currency])})


def _cast(demo: _Demo, spec: AccountSpec) -> None:
    """Create the account's stakeholders and schedule their registrations."""
    rng = demo.rng
    given, surnames = data.NAMES[spec.names]
    count = spec.size + 1  # one spare name for a successor
    firsts, lasts = rng.sample(given, count), rng.sample(surnames, count)
    positions = list(data.POSITIONS[: spec.size])
    attitudes = rng.choices(list(data.ATTITUDE_WEIGHTS),
                            weights=list(data.ATTITUDE_WEIGHTS.values()), k=count)
    keys = [i for i, position in enumerate(positions) if position[1] == "key"]
    if 3 not in (attitudes[i] for i in keys):
        attitudes[rng.choice(keys[2:])] = 3
    if -1 not in (attitudes[i] for i in keys):
        attitudes[rng.choice(keys[1:])] = -1
    rising = set(rng.sample([i for i, p in enumerate(positions) if p[1] == "general"], 2))
    officials = data.PUBLIC_OFFICIALS.get(spec.account_id, ())
    for i, position in enumerate(positions):
        day = rng.randint(1, 14) if i < spec.size - 3 else rng.randint(90, 380)
        _cast_person(demo, spec, i, f"{firsts[i]}|{lasts[i]}", position, attitudes[i], day,
                     rising=i in rising, official=i in officials)
    for day, account_id, position_index in data.REPLACEMENTS:
        if account_id == spec.account_id:
            _cast_person(demo, spec, None, f"{firsts[-1]}|{lasts[-1]}",
                         positions[position_index], attitudes[-1], day)


def _cast_person(demo: _Demo, spec: AccountSpec, index: int | None, name: str,
                 position: tuple[str, str, str, str], attitude: int, day: int, *,
                 rising: bool = False, official: bool = False) -> None:
    """Create one stakeholder (``name`` is ``given|surname``) to register on ``day``."""
    rng = demo.rng
    role, layer, department, title = position
    first, last = name.split("|")
    birthday = (date(rng.randint(1962, 1992), rng.randint(1, 12), rng.randint(1, 28))
                if rng.random() < 0.45 else None)
    person = _Person(f"{spec.prefix}-{_slug(first)}-{_slug(last)}", spec.account_id, role,
                     attitude, layer, rising, official, birthday, day)
    demo.people[spec.account_id].append(person)
    if index is not None:
        demo.positions[spec.account_id][index] = person
    full_name = f"{last} {first}" if spec.names == "cn" else f"{first} {last}"
    demo.later(day, partial(_register, demo, person=person, name=full_name, title=title,
                            department=department))


def _register(demo: _Demo, day: int, person: _Person, name: str, title: str,
              department: str) -> None:
    body: dict[str, Any] = {
        "stakeholder_id": person.stakeholder_id, "account_id": person.account_id,
        "name": name, "title": title, "department": department, "role": person.role,
        "attitude": person.attitude, "layer": person.layer, "rising_star": person.rising_star,
        "public_official": person.public_official,
    }
    if person.birthday:
        body["birthday"] = person.birthday.isoformat()
    if person.public_official:
        body["notes"] = "Public official: every paid engagement needs prior approval."
    elif person.attitude == 3:
        body["notes"] = "Coach: tells us how the evaluation is going."
    spec = demo.specs[person.account_id]
    demo.emit("stakeholder.registered",
              demo.at(day, 10, demo.rng.randint(0, 59), spec.utc_offset), body)


def _schedule_opportunities(demo: _Demo, spec: AccountSpec) -> None:
    """Open the account's opportunities, place their fishbones, move people, close some."""
    rng = demo.rng
    windows = ((15, 60), (120, 220), (250, 330))
    for index, (name, value) in enumerate(data.OPPORTUNITIES[spec.account_id]):
        opportunity_id = f"{spec.prefix}-opp-{index + 1}"
        opened = rng.randint(*windows[index])
        demo.later(opened, partial(_open, demo, spec=spec, opportunity_id=opportunity_id,
                                   name=name, value=value))
        demo.later(opened + rng.randint(2, 8), partial(_place, demo,
                                                       opportunity_id=opportunity_id))
        demo.later(opened + 45, partial(_place, demo, opportunity_id=opportunity_id,
                                        moves=True))
        for day, account_id, which, outcome in data.CLOSINGS:
            if account_id == spec.account_id and which == index:
                demo.later(day, partial(_close, demo, opportunity_id=opportunity_id,
                                        outcome=outcome))


def _open(demo: _Demo, day: int, spec: AccountSpec, opportunity_id: str, name: str,
          value: Decimal) -> None:
    demo.opportunities[opportunity_id] = (spec.account_id, day, None)
    demo.emit("opportunity.opened", demo.at(day, 11, 0, spec.utc_offset), {
        "opportunity_id": opportunity_id, "account_id": spec.account_id, "name": name,
        "value": _money(value, spec.currency)})


def _place(demo: _Demo, day: int, opportunity_id: str, *, moves: bool = False) -> None:
    """Place 6–10 people on the fishbone (key people closest), or move one or two of them."""
    rng = demo.rng
    account_id, _, closed = demo.opportunities[opportunity_id]
    if closed is not None:
        return
    people = demo.active(account_id, day)
    spec = demo.specs[account_id]
    if moves:
        placements = [(p, rng.choice(_GROUPS), rng.randint(1, 3))
                      for p in rng.sample(people, min(2, len(people)))]
    else:
        chosen = rng.sample(people, min(rng.randint(6, 10), len(people)))
        chosen.sort(key=lambda p: p.layer != "key")
        placements = [(p, _GROUPS[i % 4], 1 if i < 4 else rng.choice((1, 2, 2, 3, 3)))
                      for i, p in enumerate(chosen)]
    for minute, (person, group, proximity) in enumerate(placements):
        demo.emit("opportunity.stakeholder_placed", demo.at(day, 15, minute, spec.utc_offset), {
            "opportunity_id": opportunity_id, "stakeholder_id": person.stakeholder_id,
            "group": group, "proximity": proximity})


def _close(demo: _Demo, day: int, opportunity_id: str, outcome: str) -> None:
    account_id, opened, _ = demo.opportunities[opportunity_id]
    demo.opportunities[opportunity_id] = (account_id, opened, day)
    demo.emit("opportunity.closed", demo.at(day, 16, 0, demo.specs[account_id].utc_offset),
              {"opportunity_id": opportunity_id, "outcome": outcome})


def _depart(demo: _Demo, day: int, person: _Person, reason: str) -> None:
    offset = demo.specs[person.account_id].utc_offset
    demo.emit("stakeholder.departed", demo.at(day, 17, 0, offset),
              {"stakeholder_id": person.stakeholder_id, "reason": reason})


def _change_tier(demo: _Demo, day: int, account_id: str, tier: str, reason: str) -> None:
    demo.tier[account_id] = tier
    demo.emit("account.tier_changed", demo.at(day, 9, 0, data.HQ_OFFSET),
              {"account_id": account_id, "tier": tier, "reason": reason})


def _promote(demo: _Demo, day: int) -> None:
    """An influencer or evaluator somewhere gains weight in the buying decision."""
    steps = {"influencer": "evaluator", "evaluator": "decision_supporter"}
    spec = demo.rng.choice(data.ACCOUNTS)
    candidates = [p for p in demo.active(spec.account_id, day)
                  if p.role in steps and p.leave_day is None]
    if candidates:
        person = demo.rng.choice(candidates)
        person.role = steps[person.role]
        demo.emit("stakeholder.role_changed", demo.at(day, 9, 15, spec.utc_offset), {
            "stakeholder_id": person.stakeholder_id, "role": person.role,
            "reason": demo.rng.choice(data.ROLE_CHANGE_REASONS)})


def _change_layer(demo: _Demo, day: int, change: str) -> None:
    """Promote a rising star to key, demote a key contact, or spot a new rising star."""
    spec = demo.rng.choice(data.ACCOUNTS)
    people = [p for p in demo.active(spec.account_id, day) if p.leave_day is None]
    body: dict[str, Any]
    if change == "to_key":
        candidates = [p for p in people if p.rising_star] or [
            p for p in people if p.layer == "general"]
        body = {"layer": "key", "rising_star": False}
    elif change == "to_general":
        candidates = [p for p in people if p.layer == "key" and not p.scripted
                      and p.role in ("evaluator", "decision_supporter")]
        body = {"layer": "general"}
    else:
        candidates = [p for p in people if p.layer == "general" and not p.rising_star]
        body = {"rising_star": True}
    if candidates:
        person = demo.rng.choice(candidates)
        person.layer = body.get("layer", person.layer)
        person.rising_star = body.get("rising_star", person.rising_star)
        demo.emit("stakeholder.layer_changed", demo.at(day, 9, 45, spec.utc_offset),
                  {"stakeholder_id": person.stakeholder_id, **body})


def _schedule_storylines(demo: _Demo) -> None:
    """Scripted stories: a coach climbs the ladder, an opponent gets the three remedies,
    every organizational element appears, and the breaches compliance must find."""
    nordlicht, specs = demo.specs["nordlicht-telekom"], demo.specs
    who = demo.positions
    coach, opponent = who["nordlicht-telekom"][3], who["nordlicht-telekom"][1]
    coach.attitude, opponent.attitude = 1, -1
    coach.scripted = opponent.scripted = True
    first_day = FIRST_ENGAGEMENT_DAY + 10
    mwc = next(d for d in range(first_day, demo.last_day)
               if (demo.start + timedelta(days=d)).timetuple()[1:3] == (3, 3))

    def engagement(day: int, account_id: str, kind: str, positions: tuple[int, ...],
                   cost: str | None, **options: Any) -> None:
        spec = specs[account_id]
        people = [who[account_id][i] for i in positions]
        hour, minute, setting = data.KEY_SETTINGS.get(kind, (10, 0, "office"))
        options.setdefault("location", demo.place(spec, setting))
        demo.later(day, lambda d: demo.engage(
            spec, d, kind, people, Decimal(cost) if cost else None, hour, minute, **options))

    def attitude(day: int, person: _Person, value: int, reason: str) -> None:
        demo.later(day, lambda d: demo.change_attitude(nordlicht, d, person, value, reason))

    nt = "nordlicht-telekom"
    engagement(30, nt, "office_visit", (3, 7), None, notes="Kick-off of the RAN swap evaluation")
    engagement(45, nt, "regular_visit", (3,), None, notes="Monthly planning sync")
    engagement(70, nt, "dinner", (3, 6), "262.40")
    attitude(100, coach, 2, "Confirmed after our dinner that our proposal is their favourite")
    engagement(125, nt, "private_activity", (3,), "185.00")
    engagement(180, nt, "family_banquet", (3,), "228.00", notes="His daughter's graduation")
    attitude(210, coach, 3, "Coaches us now: shared the evaluation weighting")
    engagement(290, nt, "home_visit", (3,), None, notes="Barbecue at his home; brought wine")
    engagement(55, nt, "executive_visit", (1,), "96.50", notes="CEO meets CFO on TCO",
               hosts=[nordlicht.manager, data.EXECUTIVES[0]])
    engagement(mwc, nt, "exhibition_invite", (1,), "236.00", location="MWC Barcelona")
    attitude(mwc + 4, opponent, 0, "Impressed by the energy-saving demo at MWC")
    engagement(240, nt, "hq_visit", (1, 5), "478.00", hosts=[nordlicht.manager,
                                                             data.EXECUTIVES[2]])
    attitude(300, opponent, 1, "Accepted our TCO model after the HQ visit")
    engagement(90, nt, "summit", (), "8400.00", approval="given",
               location="Hotel Atlantic, Hamburg", notes="Annual executive summit")
    engagement(150, nt, "process_integration", (), None, notes=data.PROCESS_INTEGRATIONS[0])
    engagement(240, nt, "joint_initiative", (), "12000.00", approval="later",
               notes=data.JOINT_INITIATIVES[0])
    engagement(380, nt, "culture_recognition", (), "3200.00", approval="given",
               notes=data.CULTURE_RECOGNITIONS[1])
    for spec in data.ACCOUNTS:
        engagement(185, spec.account_id, "open_letter", (), None,
                   notes="CEO letter on delivery delays caused by the chip shortage",
                   hosts=[data.EXECUTIVES[0]], location=None)
    # Breaches compliance should find (never approved, corrected or voided).
    breach: dict[str, Any] = {"approval": "none", "protected": True}
    engagement(120, nt, "gift", (2,), "240.00", notes="Limited-edition pen set", **breach)
    engagement(150, "hikari-networks", "gift", (3, 6), "470.00", notes="Whisky set", **breach)
    engagement(175, "albion-connect", "dinner", (0, 3), "807.00", **breach)
    engagement(200, "pacific-wave", "hq_visit", (2, 3, 7), "9016.00", **breach)
    engagement(260, "jade-river-mobile", "dinner", (1, 5), "307.20", **breach)
    engagement(60, "aurora-mobile", "exhibition_invite", (3, 6), "366.00", currency="SEK",
               location="Stockholm Tech Days", **breach)
    engagement(230, "pacific-wave", "exhibition_invite", (0, 4), "4968.00", approval="later",
               location="Network X, Paris")
    engagement(320, "aurora-mobile", "business_exchange", (8, 9, 10), "240.00",
               currency="SEK", notes="Joint booth at Stockholm Tech Days")


def _fix_records(demo: _Demo) -> None:
    """Late approvals, then corrections and voids of ordinary engagements."""
    rng = demo.rng
    for engagement in demo.engagements:
        if engagement.pending_approval:
            when = demo.office_hours(engagement.recorded, rng.randint(2, 20), data.HQ_OFFSET)
            if when + timedelta(hours=1) < demo.limit:
                demo.emit("engagement.approved", when, {
                    "engagement_id": engagement.engagement_id,
                    "approval_ref": demo.next_approval_ref(when.year),
                    "approver": data.COMPLIANCE_APPROVER})
    eligible = [e for e in demo.engagements if not e.protected and not e.pending_approval
                and all(p.leave_day is None for p in e.participants)]
    # Three allocated engagements are corrected on purpose: allocation cleared, re-given
    # for a new cost, re-given for a new participant.
    allocated = [e for e in eligible if "allocation" in e.fields]
    forced = dict(zip((e.engagement_id for e in rng.sample(allocated, 3)),
                      ("clear", "cost", "participants"), strict=True))
    others = rng.sample([e for e in eligible if e.engagement_id not in forced], 29)
    corrected = set(forced) | {e.engagement_id for e in others[:21]}
    voided = {e.engagement_id for e in others[19:]}  # two are corrected, then voided
    for engagement in demo.engagements:
        if engagement.engagement_id not in corrected | voided:
            continue
        when = engagement.recorded
        offset = demo.specs[engagement.account_id].utc_offset
        if engagement.engagement_id in corrected:
            force = forced.get(engagement.engagement_id)
            for _ in range(2 if rng.random() < 0.2 else 1):
                when = demo.office_hours(when, rng.randint(1, 12), offset)
                if when + timedelta(hours=1) < demo.limit:
                    changes, reason = _correction(demo, engagement, force)
                    force = None
                    demo.emit("engagement.corrected", when, {
                        "engagement_id": engagement.engagement_id, "changes": changes,
                        "reason": reason})
        if engagement.engagement_id in voided:
            when = demo.office_hours(when, rng.randint(1, 10), offset)
            if when + timedelta(hours=1) < demo.limit:
                demo.emit("engagement.voided", when, {"engagement_id": engagement.engagement_id,
                                                      "reason": rng.choice(data.VOID_REASONS)})


def _correction(demo: _Demo, engagement: _Engagement,
                force: str | None = None) -> tuple[dict[str, Any], str]:
    """Pick a plausible fix for ``engagement`` (or the ``force``d one); apply it to the
    tracked fields and return the changes with their reason."""
    rng, fields = demo.rng, engagement.fields
    spec = demo.specs[engagement.account_id]
    day = (engagement.occurred.date() - demo.start).days
    newcomers = [p for p in demo.active(spec.account_id, day)
                 if p.leave_day is None and p.stakeholder_id not in fields["participants"]]
    options = ["location", "owner"]
    if "cost" in fields:
        options += ["cost", "cost"]
    if fields["kind"] == "office_visit":
        options.append("kind")
    if fields["participants"] and fields["kind"] not in _ORG_KINDS and newcomers:
        options.append("participants")
    what = rng.choice(options)
    if force:
        what = "participants" if force == "participants" and newcomers else "cost"
    changes: dict[str, Any] = {}
    cost: dict[str, Any] = fields.get("cost", {})
    if what == "cost":
        currency, old = cost["currency"], Decimal(cost["amount"])
        new = old * (1 + Decimal(rng.choice([-12, -8, -5, 4, 7, 11, 18])) / 100)
        new = quantize(new / 10, "JPY") * 10 if minor_units(currency) == 0 else quantize(
            new, currency)
        if new == old:  # a small amount that rounds back to itself
            new += 10
        changes["cost"] = cost = _money(new, currency)
    elif what == "participants":
        changes["participants"] = [*fields["participants"], rng.choice(newcomers).stakeholder_id]
    elif what == "location":
        venues = (f"{spec.name}, {spec.city}", f"{spec.name} operations centre, {spec.city}",
                  *data.RESTAURANTS[spec.account_id])
        changes["location"] = rng.choice([v for v in venues if v != fields.get("location")])
    elif what == "kind":
        changes["kind"] = "regular_visit"
    else:
        changes["owner"] = rng.choice([m for m in (spec.manager, *spec.team)
                                       if m != fields["owner"]])
    if "allocation" in fields and what in ("cost", "participants"):
        participants = changes.get("participants", fields["participants"])
        if what == "cost" and (force == "clear" or not force and rng.random() < 0.5):
            changes["allocation"] = None  # back to an equal split
        else:
            shares = _split(Decimal(cost["amount"]), cost["currency"],
                            [2] + [1] * (len(participants) - 1))
            changes["allocation"] = dict(zip(participants, shares, strict=True))
    for key, value in changes.items():
        if value is None:
            fields.pop(key, None)
        else:
            fields[key] = value
    return changes, data.CORRECTION_REASONS[what]
