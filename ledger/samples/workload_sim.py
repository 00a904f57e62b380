"""The simulation behind the synthetic workload (:mod:`ledger.samples.workload`).

:class:`Workload` walks the timeline with one seeded ``random.Random``: reference data
first, accounts onboarding with their stakeholders, then the day-to-day (engagements,
attitude and role changes, departures, fishbones, corrections, voids, approvals),
keeping only the bounded per-account state of :mod:`ledger.samples.workload_model`.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from ledger.contract.vocabulary import GROUPS, KEY_KINDS, ROLE_WEIGHTS
from ledger.samples import workload_model as model
from ledger.samples.workload_model import Account, Person, allocate, money


class Workload:
    """The simulation: one ``random.Random``, bounded state, events in submission order."""

    def __init__(self, n: int, seed: int, start: datetime) -> None:
        self.n, self.rng = n, random.Random(seed)
        # Times are POSIX seconds until they are rendered: cheaper than datetime arithmetic.
        self.end = (start - timedelta(days=1)).timestamp()
        self.begin = self.end - model.SPAN.total_seconds()
        self.step = model.SPAN.total_seconds() / max(n, 1)
        self.index = 0
        self.n_accounts = max(2, math.isqrt(max(n, 1)))
        self.accounts: list[Account] = []
        self.account_cum: list[float] = []
        self.rates = dict(model.RATES)
        self.next_rates = self.begin + model.MONTH
        self.zones = {offset: timezone(timedelta(hours=offset)) for _, offset, _ in model.HOMES}
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
                model.ONBOARDING_SHARE * max(self.n, 1))
            if len(self.accounts) < min(due, self.n_accounts):
                yield from self._onboard()
            elif self.begin + self.step * self.index >= self.next_rates:
                self.next_rates += model.MONTH
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
                actions = model.ACTION_CUM
                action = model.ACTION_NAMES[bisect(actions, rng.random() * actions[-1])]
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
        currency, offset, country = rng.choice(model.HOMES)
        tier = "strategic" if rng.random() < 0.25 else "standard"
        account = Account(f"acct-{number:05d}", currency, offset, tier)
        self.accounts.append(account)
        self.account_cum.append((self.account_cum[-1] if self.account_cum else 0.0)
                                + rng.paretovariate(1.3))
        account.registered = self.now()
        yield from self._emit([("account.registered", {
            "account_id": account.aid, "name": f"Operator {number}", "country": country,
            "tier": tier})], offset=offset)
        for position in range(rng.randint(14, 26)):
            yield from self._register(account, model.ROLES[position] if position < len(model.ROLES)
                                      else "influencer")

    def _register(self, account: Account, role: str) -> Iterator[Any]:
        rng = self.rng
        sid = f"{account.aid}.p{account.next_person}"
        account.next_person += 1
        layer = "key" if ROLE_WEIGHTS[role] >= 3 or rng.random() < 0.2 else "general"
        attitude = rng.choices((-1, 0, 1, 2, 3), (1, 4, 4, 2, 0.5))[0]
        weight = rng.paretovariate(1.2) * (3 if layer == "key" else 1)
        account.people.append(Person(sid, role, attitude, layer, weight))
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

    def _engagement(self, account: Account) -> Iterator[Any]:
        rng = self.rng
        kind = model.KIND_NAMES[bisect(model.KIND_CUM, rng.random() * model.KIND_CUM[-1])]
        _, low, high, paid = model.KINDS[kind]
        size = 0 if kind in model.ORG_KINDS and rng.random() < 0.5 else rng.choices(
            (1, 2, 3, 4, 5), (60, 25, 8, 4, 3))[0]
        participants = account.pick(rng, size, key_only=kind in KEY_KINDS) or (
            account.pick(rng, 1) if kind in KEY_KINDS or kind == "gift" else [])
        engagement_id = f"eng-{self.index}"
        data: dict[str, Any] = {
            "engagement_id": engagement_id, "account_id": account.aid, "kind": kind,
            "participants": participants, "owner": f"am-{int(account.aid[5:]) % 97}"}
        currency = None
        if rng.random() < paid or kind == "gift":
            currency = account.currency if rng.random() < 0.8 else "EUR"
            cents, units, data["cost"] = money(rng, currency, low, max(high, 1))
            if len(participants) > 1 and rng.random() < 0.25:
                data["allocation"] = allocate(rng, units, currency, participants)
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
            occurred = max(self.now() - rng.randint(31, 120) * model.DAY, account.registered)
        account.recent.append([engagement_id, kind, participants, currency,
                               "allocation" in data, "approval_ref" in data])
        yield from self._emit([("engagement.recorded", data)], occurred, account.offset)

    def _attitude(self, account: Account) -> Iterator[Any]:
        rng = self.rng
        person = account.people[bisect(account.cum, rng.random() * account.cum[-1])]
        up = person.attitude < 3 and (person.attitude == -1 or rng.random() < 0.6)
        person.attitude += 1 if up else -1
        yield from self._emit([("stakeholder.attitude_changed", {
            "stakeholder_id": person.sid, "attitude": person.attitude,
            "reason": rng.choice(model.UP_REASONS if up else model.DOWN_REASONS),
            "observed_by": "am"})],
            offset=account.offset)

    def _role(self, account: Account) -> Iterator[Any]:
        person = self.rng.choice(account.people)
        person.role = self.rng.choice([r for r in ROLE_WEIGHTS if r != person.role])
        yield from self._emit([("stakeholder.role_changed", {
            "stakeholder_id": person.sid, "role": person.role, "reason": "Reorganisation"})],
            offset=account.offset)

    def _layer(self, account: Account) -> Iterator[Any]:
        person = self.rng.choice(account.people)
        if person.layer == "general" and not person.rising:
            person.rising = True
            data: dict[str, Any] = {"rising_star": True}
        else:
            person.layer, person.rising = ("general" if person.layer == "key" else "key"), False
            data = {"layer": person.layer, "rising_star": False}
        yield from self._emit([("stakeholder.layer_changed",
                                {"stakeholder_id": person.sid, **data})], offset=account.offset)

    def _depart(self, account: Account) -> Iterator[Any]:
        if len(account.people) < 10:
            yield from self._attitude(account)
            return
        person = self.rng.choice(account.people)
        account.people.remove(person)
        account.reweigh()
        # Corrections keep their participants, so none may name someone who left.
        account.recent = deque((e for e in account.recent if person.sid not in e[2]),
                               maxlen=model.RECENT)
        yield from self._emit([("stakeholder.departed", {
            "stakeholder_id": person.sid, "reason": "Left the company"})], offset=account.offset)
        if self.rng.random() < 0.1:
            yield from self._emit([("stakeholder.forgotten", {
                "stakeholder_id": person.sid, "reason": "Erasure request"})])
        yield from self._register(account, person.role)

    def _opportunity(self, account: Account) -> Iterator[Any]:
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
                "stakeholder_id": account.pick(rng, 1)[0], "group": rng.choice(GROUPS),
                "proximity": rng.randint(1, 3)})], offset=account.offset)
            return
        opportunity_id = f"opp-{self.index}"
        account.opportunities.append(opportunity_id)
        _, _, value = money(rng, account.currency, 50_000, 5_000_000)
        yield from self._emit([("opportunity.opened", {
            "opportunity_id": opportunity_id, "account_id": account.aid,
            "name": f"Bid {opportunity_id}", "value": value})], offset=account.offset)

    def _approve(self, account: Account) -> Iterator[Any]:
        pending = [e for e in account.recent if e[3] and not e[5]]
        if not pending:
            yield from self._engagement(account)
            return
        engagement = self.rng.choice(pending)
        engagement[5] = True
        yield from self._emit([("engagement.approved", {
            "engagement_id": engagement[0], "approval_ref": f"APR-{self.index}",
            "approver": "compliance-desk"})])

    def _void(self, account: Account) -> Iterator[Any]:
        if not account.recent:
            yield from self._engagement(account)
            return
        engagement = account.recent[self.rng.randrange(len(account.recent))]
        account.recent.remove(engagement)
        yield from self._emit([("engagement.voided", {
            "engagement_id": engagement[0], "reason": "Entered twice by mistake"})])

    def _correct(self, account: Account) -> Iterator[Any]:
        rng = self.rng
        if not account.recent:
            yield from self._engagement(account)
            return
        engagement = account.recent[rng.randrange(len(account.recent))]
        _, kind, participants, currency, allocated, _ = engagement
        choice = rng.random()
        if currency and choice < 0.4:
            _, low, high, _ = model.KINDS[kind]
            _, _, cost = money(rng, currency, low, max(high, 1))
            changes: dict[str, Any] = {"cost": cost, "allocation": None}
            engagement[4] = False
        elif choice < 0.6 and not allocated:
            extra = account.pick(rng, 1)
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

    def _tier(self, account: Account) -> Iterator[Any]:
        account.tier = "standard" if account.tier == "strategic" else "strategic"
        yield from self._emit([("account.tier_changed", {
            "account_id": account.aid, "tier": account.tier, "reason": "Annual review"})])

