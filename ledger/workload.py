"""A deterministic synthetic workload: any number of valid envelopes with a realistic shape.

``workload(n)`` streams exactly ``n`` envelopes (JSON-able dicts) in a valid submission
order: a policy and exchange rates first, then accounts onboarding over the first third
of the timeline (about ``sqrt(n)`` of them, ~20 stakeholders each), and two years of
engagements in five currencies with attitude and role changes, departures, fishbones,
corrections, voids, approvals and deliberate late entries. Accounts and people are
Pareto-skewed, so a few get most of the attention. Only bounded state is kept per
account (its people, a window of recent engagements), never the events, so a million
events stream in flat memory. The same ``(n, seed, start)`` always gives the same events.
"""

from __future__ import annotations

import math
import random
import uuid
from bisect import bisect
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from ledger.money import minor_units
from ledger.schemas import KEY_KINDS, ROLE_WEIGHTS

NAMESPACE = uuid.UUID("0b6f2f9e-7c1a-4d4b-9a57-3c1e8e0f5a21")
SPAN = timedelta(days=730)
ONBOARDING_SHARE = 0.35
"""Every account is registered before this share of the events."""
DAY, MONTH = 86_400, 30 * 86_400
RECENT = 24
"""How many recent engagements per account stay eligible for corrections, voids, approvals."""

# Minor units of each currency per euro cent, as (numerator, denominator).
_PER_EUR_CENT = {"EUR": (1, 1), "USD": (100, 92), "GBP": (100, 117), "JPY": (161, 100),
                 "CNY": (78, 10)}
# Starting rates: euros per unit, in millionths.
_RATES = {"USD": 920_000, "GBP": 1_170_000, "JPY": 6_200, "CNY": 128_000}
_HOMES = (("EUR", 1, "DE"), ("EUR", 1, "FR"), ("EUR", 1, "IT"), ("USD", -5, "US"),
          ("GBP", 0, "GB"), ("JPY", 9, "JP"), ("CNY", 8, "CN"))
_ROLES = ("approver", "decision_maker", "decision_maker", "decision_supporter",
          "decision_supporter", "decision_supporter") + ("evaluator",) * 5
# kind: (weight, lowest and highest cost in euros, chance that it has a cost)
_KINDS = {
    "office_visit": (18, 20, 150, 0.3), "regular_visit": (12, 20, 120, 0.2),
    "dinner": (10, 80, 600, 1.0), "private_activity": (3, 100, 800, 1.0),
    "family_banquet": (1, 300, 2500, 1.0), "home_visit": (0.5, 100, 500, 0.8),
    "executive_visit": (3, 500, 5000, 0.9), "exhibition_invite": (2, 1500, 6000, 1.0),
    "hq_visit": (1.5, 2000, 12000, 1.0), "business_exchange": (8, 200, 3000, 0.7),
    "greeting": (10, 5, 60, 0.4), "gift": (8, 20, 400, 1.0),
    "sports_culture": (5, 50, 900, 0.9), "summit": (2, 1000, 20000, 0.8),
    "process_integration": (1, 500, 10000, 0.5), "joint_initiative": (1, 1000, 15000, 0.7),
    "culture_recognition": (0.5, 200, 3000, 0.5), "open_letter": (0.5, 0, 0, 0.0),
}
_KIND_NAMES = tuple(_KINDS)
_KIND_CUM = [sum(_KINDS[k][0] for k in _KIND_NAMES[: i + 1]) for i in range(len(_KIND_NAMES))]
_ORG_KINDS = frozenset(("summit", "process_integration", "joint_initiative",
                        "culture_recognition", "open_letter"))
# What happens next, besides an engagement: (weight, action name).
_ACTIONS = (("engagement", 72), ("attitude", 8), ("approve", 4), ("correct", 4),
            ("void", 2), ("role", 2), ("opportunity", 4), ("layer", 1), ("depart", 0.6),
            ("tier", 0.3))
_ACTION_NAMES = tuple(a for a, _ in _ACTIONS)
_ACTION_CUM = [sum(w for _, w in _ACTIONS[: i + 1]) for i in range(len(_ACTIONS))]
_UP = ("Positive feedback after our technical workshop", "Our pilot met every KPI",
       "Shared the evaluation criteria with us", "Appreciated the executive visit")
_DOWN = ("Escalated a delivery delay to his management", "A competitor offered a lower price",
         "Unhappy with the support response time", "Our proposal missed a requirement")
_GROUPS = ("commercial_evaluation", "technical_evaluation", "selection_decision",
           "final_decision")


class _Person:
    __slots__ = ("sid", "role", "attitude", "layer", "rising", "weight")

    def __init__(self, sid: str, role: str, attitude: int, layer: str, weight: float) -> None:
        self.sid, self.role, self.attitude, self.layer = sid, role, attitude, layer
        self.rising, self.weight = False, weight


class _Account:
    __slots__ = ("aid", "currency", "offset", "tier", "people", "cum", "recent",
                 "opportunities", "registered", "next_person")

    def __init__(self, aid: str, currency: str, offset: int, tier: str) -> None:
        self.aid, self.currency, self.offset, self.tier = aid, currency, offset, tier
        self.people: list[_Person] = []
        self.cum: list[float] = []
        # engagement_id, kind, participants, currency or None, has allocation, approved
        self.recent: deque[list[Any]] = deque(maxlen=RECENT)
        self.opportunities: deque[str] = deque(maxlen=4)
        self.registered = 0.0
        self.next_person = 0

    def reweigh(self) -> None:
        """Refresh the cumulative weights used to pick people (after joins and leaves)."""
        total, self.cum = 0.0, []
        for person in self.people:
            total += person.weight
            self.cum.append(total)


def workload(n_events: int, *, seed: int = 1, start: datetime | None = None
             ) -> Iterator[dict[str, Any]]:
    """Yield exactly ``n_events`` valid envelopes, in a valid submission order.

    Every ``occurred_at`` lies in the two years ending one day before ``start`` (default:
    now). Example: ``for envelope in workload(10_000, seed=3): ...``.
    """
    if n_events < 0:
        raise ValueError(f"n_events must be >= 0, got {n_events}")
    generator = _Workload(n_events, seed, start or datetime.now(UTC))
    for index, (event_type, occurred, data) in enumerate(generator.events()):
        if index >= n_events:
            return
        yield {"event_id": str(uuid.uuid5(NAMESPACE, f"{seed}:{index}")), "type": event_type,
               "occurred_at": occurred.isoformat(), "data": data}


class _Workload:
    """The simulation: one ``random.Random``, bounded state, events in submission order."""

    def __init__(self, n: int, seed: int, start: datetime) -> None:
        self.n, self.rng = n, random.Random(seed)
        # Times are POSIX seconds until they are rendered: cheaper than datetime arithmetic.
        self.end = (start - timedelta(days=1)).timestamp()
        self.begin = self.end - SPAN.total_seconds()
        self.step = SPAN.total_seconds() / max(n, 1)
        self.index = 0
        self.n_accounts = max(2, math.isqrt(max(n, 1)))
        self.accounts: list[_Account] = []
        self.account_cum: list[float] = []
        self.rates = dict(_RATES)
        self.next_rates = self.begin + MONTH
        self.zones = {offset: timezone(timedelta(hours=offset)) for _, offset, _ in _HOMES}
        self.zones[0] = UTC

    def now(self) -> float:
        """The valid time of the next event: its share of the span, jittered by ±6 hours,
        so that neighbours are not in strictly increasing order."""
        moment = self.begin + self.step * self.index + self.rng.randint(-360, 360) * 60
        return min(max(moment, self.begin), self.end)

    def events(self) -> Iterator[tuple[str, datetime, dict[str, Any]]]:
        """Every event, forever; :func:`workload` stops after ``n``."""
        rng = self.rng
        yield from self._emit([("policy.set", self._policy(False))])
        yield from self._emit([("fx.rate_set", {"currency": c, "rate": self._rate(c)})
                               for c in self.rates])
        initial, revised = max(1, self.n_accounts // 5), False
        while True:
            due = initial + (self.n_accounts - initial) * self.index / (
                ONBOARDING_SHARE * max(self.n, 1))
            if len(self.accounts) < min(due, self.n_accounts):
                yield from self._onboard()
            elif self.begin + self.step * self.index >= self.next_rates:
                self.next_rates += MONTH
                for currency, rate in self.rates.items():  # a monthly random walk of ±2 %
                    self.rates[currency] = rate * (10_000 + rng.randint(-200, 200)) // 10_000
                yield from self._emit([("fx.rate_set", {"currency": c, "rate": self._rate(c)})
                                       for c in self.rates])
            elif not revised and self.index >= self.n // 2:
                revised = True
                yield from self._emit([("policy.set", self._policy(True))])
            else:
                busy = bisect(self.account_cum, rng.random() * self.account_cum[-1])
                account = self.accounts[busy]
                action = _ACTION_NAMES[bisect(_ACTION_CUM, rng.random() * _ACTION_CUM[-1])]
                yield from getattr(self, f"_{action}")(account)

    def _emit(self, items: list[tuple[str, dict[str, Any]]], occurred: float | None = None,
              offset: int = 0) -> Iterator[tuple[str, datetime, dict[str, Any]]]:
        for event_type, data in items:
            moment = occurred or self.now()
            yield event_type, datetime.fromtimestamp(moment // 60 * 60, self.zones[offset]), data
            self.index += 1

    # --- reference data -------------------------------------------------------------------

    def _policy(self, revised: bool) -> dict[str, Any]:
        return {"base_currency": "EUR", "gift_item_limit": "150.00" if revised else "200.00",
                "hospitality_per_person_limit": "250.00", "annual_recipient_limit": "1500.00",
                "pre_approval_above": "2000.00", "public_official_requires_approval": True,
                "late_entry_days": 30}

    def _rate(self, currency: str) -> str:
        millionths = self.rates[currency]
        return f"{millionths // 1_000_000}.{millionths % 1_000_000:06d}"

    def _onboard(self) -> Iterator[tuple[str, datetime, dict[str, Any]]]:
        rng, number = self.rng, len(self.accounts)
        currency, offset, country = rng.choice(_HOMES)
        tier = "strategic" if rng.random() < 0.25 else "standard"
        account = _Account(f"acct-{number:05d}", currency, offset, tier)
        self.accounts.append(account)
        self.account_cum.append((self.account_cum[-1] if self.account_cum else 0.0)
                                + rng.paretovariate(1.3))
        account.registered = self.now()
        yield from self._emit([("account.registered", {
            "account_id": account.aid, "name": f"Operator {number}", "country": country,
            "tier": tier})], offset=offset)
        for position in range(rng.randint(14, 26)):
            yield from self._register(account, _ROLES[position] if position < len(_ROLES)
                                      else "influencer")

    def _register(self, account: _Account, role: str) -> Iterator[Any]:
        rng = self.rng
        sid = f"{account.aid}.p{account.next_person}"
        account.next_person += 1
        layer = "key" if ROLE_WEIGHTS[role] >= 3 or rng.random() < 0.2 else "general"
        attitude = rng.choices((-1, 0, 1, 2, 3), (1, 4, 4, 2, 0.5))[0]
        weight = rng.paretovariate(1.2) * (3 if layer == "key" else 1)
        account.people.append(_Person(sid, role, attitude, layer, weight))
        account.reweigh()
        data: dict[str, Any] = {
            "stakeholder_id": sid, "account_id": account.aid, "name": f"Person {sid}",
            "title": role.replace("_", " ").title(), "department": rng.choice(
                ("Procurement", "Network Planning", "Operations", "Finance", "Board")),
            "role": role, "attitude": attitude, "layer": layer,
            "public_official": rng.random() < 0.03}
        if rng.random() < 0.4:
            data["birthday"] = f"{rng.randint(1960, 1995)}-{rng.randint(1, 12):02d}-" \
                               f"{rng.randint(1, 28):02d}"
        yield from self._emit([("stakeholder.registered", data)], offset=account.offset)

    # --- the day-to-day -------------------------------------------------------------------

    def _pick(self, account: _Account, count: int, key_only: bool = False) -> list[str]:
        """Up to ``count`` distinct people of the account, Pareto-weighted."""
        people, chosen = account.people, []
        for _ in range(count * 3):
            person = people[bisect(account.cum, self.rng.random() * account.cum[-1])]
            if person.sid not in chosen and (not key_only or person.layer == "key"):
                chosen.append(person.sid)
                if len(chosen) == count:
                    break
        return chosen

    def _money(self, currency: str, low: int, high: int) -> tuple[int, int, dict[str, str]]:
        """A random amount between ``low`` and ``high`` euros: (euro cents, minor units, money)."""
        num, den = _PER_EUR_CENT[currency]
        cents = self.rng.randint(low * 100, high * 100)
        units = cents * num // den
        return cents, units, {"amount": _format(units, currency), "currency": currency}

    def _engagement(self, account: _Account) -> Iterator[Any]:
        rng = self.rng
        kind = _KIND_NAMES[bisect(_KIND_CUM, rng.random() * _KIND_CUM[-1])]
        _, low, high, paid = _KINDS[kind]
        size = 0 if kind in _ORG_KINDS and rng.random() < 0.5 else rng.choices(
            (1, 2, 3, 4, 5), (60, 25, 8, 4, 3))[0]
        participants = self._pick(account, size, key_only=kind in KEY_KINDS) or (
            self._pick(account, 1) if kind in KEY_KINDS or kind == "gift" else [])
        engagement_id = f"eng-{self.index}"
        data: dict[str, Any] = {
            "engagement_id": engagement_id, "account_id": account.aid, "kind": kind,
            "participants": participants, "owner": f"am-{int(account.aid[5:]) % 97}"}
        currency = None
        if rng.random() < paid or kind == "gift":
            currency = account.currency if rng.random() < 0.8 else "EUR"
            cents, units, data["cost"] = self._money(currency, low, max(high, 1))
            if len(participants) > 1 and rng.random() < 0.25:
                data["allocation"] = _allocate(rng, units, currency, participants)
            if cents > 200_000 and rng.random() < 0.5:  # pre-approved, mostly
                data["approval_ref"] = f"APR-{self.index}"
        if rng.random() < 0.3:
            data["hosts"] = rng.sample(("ceo", "cto", "vp-sales", "sa-lead", "pm"), 2)
        if account.opportunities and rng.random() < 0.3:
            data["opportunity_id"] = rng.choice(account.opportunities)
        if rng.random() < 0.5:
            data["location"] = f"City {rng.randint(1, 40)}"
        occurred = None
        if rng.random() < 0.03:  # a late entry: it happened weeks ago
            occurred = max(self.now() - rng.randint(31, 120) * DAY, account.registered)
        account.recent.append([engagement_id, kind, participants, currency,
                               "allocation" in data, "approval_ref" in data])
        yield from self._emit([("engagement.recorded", data)], occurred, account.offset)

    def _attitude(self, account: _Account) -> Iterator[Any]:
        rng = self.rng
        person = account.people[bisect(account.cum, rng.random() * account.cum[-1])]
        up = person.attitude < 3 and (person.attitude == -1 or rng.random() < 0.6)
        person.attitude += 1 if up else -1
        yield from self._emit([("stakeholder.attitude_changed", {
            "stakeholder_id": person.sid, "attitude": person.attitude,
            "reason": rng.choice(_UP if up else _DOWN), "observed_by": "am"})],
            offset=account.offset)

    def _role(self, account: _Account) -> Iterator[Any]:
        person = self.rng.choice(account.people)
        person.role = self.rng.choice([r for r in ROLE_WEIGHTS if r != person.role])
        yield from self._emit([("stakeholder.role_changed", {
            "stakeholder_id": person.sid, "role": person.role, "reason": "Reorganisation"})],
            offset=account.offset)

    def _layer(self, account: _Account) -> Iterator[Any]:
        person = self.rng.choice(account.people)
        if person.layer == "general" and not person.rising:
            person.rising = True
            data: dict[str, Any] = {"rising_star": True}
        else:
            person.layer, person.rising = ("general" if person.layer == "key" else "key"), False
            data = {"layer": person.layer, "rising_star": False}
        yield from self._emit([("stakeholder.layer_changed",
                                {"stakeholder_id": person.sid, **data})], offset=account.offset)

    def _depart(self, account: _Account) -> Iterator[Any]:
        if len(account.people) < 10:
            yield from self._attitude(account)
            return
        person = self.rng.choice(account.people)
        account.people.remove(person)
        account.reweigh()
        # Corrections keep their participants, so none may name someone who left.
        account.recent = deque((e for e in account.recent if person.sid not in e[2]),
                               maxlen=RECENT)
        yield from self._emit([("stakeholder.departed", {
            "stakeholder_id": person.sid, "reason": "Left the company"})], offset=account.offset)
        if self.rng.random() < 0.1:
            yield from self._emit([("stakeholder.forgotten", {
                "stakeholder_id": person.sid, "reason": "Erasure request"})])
        yield from self._register(account, person.role)

    def _opportunity(self, account: _Account) -> Iterator[Any]:
        rng = self.rng
        full = len(account.opportunities) == account.opportunities.maxlen
        if account.opportunities and (full or rng.random() < 0.2):
            yield from self._emit([("opportunity.closed", {
                "opportunity_id": account.opportunities.popleft(),
                "outcome": rng.choice(("won", "lost", "abandoned"))})], offset=account.offset)
            return
        if account.opportunities and rng.random() < 0.6:
            yield from self._emit([("opportunity.stakeholder_placed", {
                "opportunity_id": rng.choice(account.opportunities),
                "stakeholder_id": self._pick(account, 1)[0], "group": rng.choice(_GROUPS),
                "proximity": rng.randint(1, 3)})], offset=account.offset)
            return
        opportunity_id = f"opp-{self.index}"
        account.opportunities.append(opportunity_id)
        _, _, value = self._money(account.currency, 50_000, 5_000_000)
        yield from self._emit([("opportunity.opened", {
            "opportunity_id": opportunity_id, "account_id": account.aid,
            "name": f"Bid {opportunity_id}", "value": value})], offset=account.offset)

    def _approve(self, account: _Account) -> Iterator[Any]:
        pending = [e for e in account.recent if e[3] and not e[5]]
        if not pending:
            yield from self._engagement(account)
            return
        engagement = self.rng.choice(pending)
        engagement[5] = True
        yield from self._emit([("engagement.approved", {
            "engagement_id": engagement[0], "approval_ref": f"APR-{self.index}",
            "approver": "compliance-desk"})])

    def _void(self, account: _Account) -> Iterator[Any]:
        if not account.recent:
            yield from self._engagement(account)
            return
        engagement = account.recent[self.rng.randrange(len(account.recent))]
        account.recent.remove(engagement)
        yield from self._emit([("engagement.voided", {
            "engagement_id": engagement[0], "reason": "Entered twice by mistake"})])

    def _correct(self, account: _Account) -> Iterator[Any]:
        rng = self.rng
        if not account.recent:
            yield from self._engagement(account)
            return
        engagement = account.recent[rng.randrange(len(account.recent))]
        _, kind, participants, currency, allocated, _ = engagement
        choice = rng.random()
        if currency and choice < 0.4:
            _, low, high, _ = _KINDS[kind]
            _, _, cost = self._money(currency, low, max(high, 1))
            changes: dict[str, Any] = {"cost": cost, "allocation": None}
            engagement[4] = False
        elif choice < 0.6 and not allocated:
            extra = self._pick(account, 1)
            if extra and extra[0] not in participants:
                engagement[2] = participants = [*participants, extra[0]]
            changes = {"participants": participants}
        elif choice < 0.8:
            changes = {"notes": "Attendance confirmed by the host", "location": "Head office"}
        else:
            changes = {"owner": f"am-{rng.randint(0, 96)}"}
        yield from self._emit([("engagement.corrected", {
            "engagement_id": engagement[0], "changes": changes,
            "reason": "Corrected after the expense report"})])

    def _tier(self, account: _Account) -> Iterator[Any]:
        account.tier = "standard" if account.tier == "strategic" else "strategic"
        yield from self._emit([("account.tier_changed", {
            "account_id": account.aid, "tier": account.tier, "reason": "Annual review"})])


def _format(units: int, currency: str) -> str:
    digits = minor_units(currency)
    if not digits:
        return str(units)
    scale = 10 ** digits
    return f"{units // scale}.{units % scale:0{digits}d}"


def _allocate(rng: random.Random, units: int, currency: str,
              participants: list[str]) -> dict[str, str]:
    """An explicit, uneven split of ``units`` that sums exactly to the cost."""
    weights = [rng.randint(1, 5) for _ in participants]
    shares = [units * w // sum(weights) for w in weights]
    shares[0] += units - sum(shares)
    return {sid: _format(share, currency) for sid, share in zip(participants, shares, strict=True)}
