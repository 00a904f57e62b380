"""The world the demo simulation (:mod:`ledger.samples.demo_sim`) acts on, and how it records
events.

:class:`World` keeps the accounts' people, opportunities and engagements, the calendar of
scheduled actions and the queue of emitted events, with one seeded ``random.Random``.
Its primitives are shared by the simulation's random days and the scripted storylines of
:mod:`ledger.samples.demo_script`: local times and office hours, emitting an event, recording an
engagement priced in euros, changing an attitude, picking a place.
"""

from __future__ import annotations

import copy
import random
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from ledger.contract.money import minor_units, quantize
from ledger.samples import demo_data as data
from ledger.samples.demo_data import AccountSpec
from ledger.samples.demo_model import (
    APPROX_EUR,
    PRE_APPROVAL_ABOVE,
    SPAN_DAYS,
    Pending,
    Person,
    PlannedEngagement,
    money,
    split_amount,
)


class World:
    """The state of the demo world and the primitives that put events on record."""

    def __init__(self, today: date, seed: int) -> None:
        self.rng = random.Random(seed)
        self.start = today - timedelta(days=SPAN_DAYS)
        self.last_day = SPAN_DAYS - 2
        self.limit = datetime.combine(today, time.min, tzinfo=UTC) - timedelta(hours=16)
        self.pending: list[Pending] = []
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
        self.pending.append(Pending(recorded, len(self.pending), occurred, type_, body))
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

    # --- recording ------------------------------------------------------------------------

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

    def change_attitude(self, spec: AccountSpec, day: int, person: Person, attitude: int,
                        reason: str) -> None:
        """Record a changed attitude (observed by the account manager)."""
        person.attitude = attitude
        self.emit("stakeholder.attitude_changed", self.at(day, 8, 30, spec.utc_offset), {
            "stakeholder_id": person.stakeholder_id, "attitude": attitude, "reason": reason,
            "observed_by": spec.manager})

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
