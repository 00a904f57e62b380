"""The synthetic workload's world (:mod:`ledger.samples.workload`): its tables and bounded state.

The timeline's proportions, the five currencies with their starting rates and home
countries, the engagement kinds with their weights and price ranges, the mix of next
actions and the reasons given for changes; then the little state kept per account (its
people with their Pareto weights, a window of recent engagements, open opportunities) and
the helpers that render amounts in a currency's minor units. :mod:`ledger.samples.workload_sim`
draws from these with a seeded ``random.Random``.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections import deque
from datetime import timedelta
from typing import Any

from ledger.contract.money import minor_units

SPAN = timedelta(days=730)
ONBOARDING_SHARE = 0.35
"""Every account is registered before this share of the events."""
DAY, MONTH = 86_400, 30 * 86_400
RECENT = 24
"""How many recent engagements per account stay eligible for corrections, voids, approvals."""

# Minor units of each currency per euro cent, as (numerator, denominator).
PER_EUR_CENT = {"EUR": (1, 1), "USD": (100, 92), "GBP": (100, 117), "JPY": (161, 100),
                "CNY": (78, 10)}
# Starting rates: euros per unit, in millionths.
RATES = {"USD": 920_000, "GBP": 1_170_000, "JPY": 6_200, "CNY": 128_000}
HOMES = (("EUR", 1, "DE"), ("EUR", 1, "FR"), ("EUR", 1, "IT"), ("USD", -5, "US"),
         ("GBP", 0, "GB"), ("JPY", 9, "JP"), ("CNY", 8, "CN"))
ROLES = ("approver", "decision_maker", "decision_maker", "decision_supporter",
         "decision_supporter", "decision_supporter") + ("evaluator",) * 5
# kind: (weight, lowest and highest cost in euros, chance that it has a cost)
KINDS = {
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
KIND_NAMES = tuple(KINDS)
KIND_CUM = [sum(KINDS[k][0] for k in KIND_NAMES[: i + 1]) for i in range(len(KIND_NAMES))]
ORG_KINDS = frozenset(("summit", "process_integration", "joint_initiative",
                       "culture_recognition", "open_letter"))
# What happens next, besides an engagement: (weight, action name).
ACTIONS = (("engagement", 72), ("attitude", 8), ("approve", 4), ("correct", 4),
           ("void", 2), ("role", 2), ("opportunity", 4), ("layer", 1), ("depart", 0.6),
           ("tier", 0.3))
ACTION_NAMES = tuple(a for a, _ in ACTIONS)
ACTION_CUM = [sum(w for _, w in ACTIONS[: i + 1]) for i in range(len(ACTIONS))]
UP_REASONS = ("Positive feedback after our technical workshop", "Our pilot met every KPI",
              "Shared the evaluation criteria with us", "Appreciated the executive visit")
DOWN_REASONS = ("Escalated a delivery delay to his management",
                "A competitor offered a lower price", "Unhappy with the support response time",
                "Our proposal missed a requirement")


class Person:
    __slots__ = ("sid", "role", "attitude", "layer", "rising", "weight")

    def __init__(self, sid: str, role: str, attitude: int, layer: str, weight: float) -> None:
        self.sid, self.role, self.attitude, self.layer = sid, role, attitude, layer
        self.rising, self.weight = False, weight


class Account:
    __slots__ = ("aid", "currency", "offset", "tier", "people", "cum", "recent",
                 "opportunities", "registered", "next_person")

    def __init__(self, aid: str, currency: str, offset: int, tier: str) -> None:
        self.aid, self.currency, self.offset, self.tier = aid, currency, offset, tier
        self.people: list[Person] = []
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

    def pick(self, rng: random.Random, count: int, key_only: bool = False) -> list[str]:
        """Up to ``count`` distinct people of the account, Pareto-weighted."""
        people, chosen = self.people, []
        for _ in range(count * 3):
            person = people[bisect(self.cum, rng.random() * self.cum[-1])]
            if person.sid not in chosen and (not key_only or person.layer == "key"):
                chosen.append(person.sid)
                if len(chosen) == count:
                    break
        return chosen


def money(rng: random.Random, currency: str, low: int, high: int
          ) -> tuple[int, int, dict[str, str]]:
    """A random amount between ``low`` and ``high`` euros: (euro cents, minor units, money)."""
    num, den = PER_EUR_CENT[currency]
    cents = rng.randint(low * 100, high * 100)
    units = cents * num // den
    return cents, units, {"amount": format_units(units, currency), "currency": currency}


def format_units(units: int, currency: str) -> str:
    digits = minor_units(currency)
    if not digits:
        return str(units)
    scale = 10 ** digits
    return f"{units // scale}.{units % scale:0{digits}d}"


def allocate(rng: random.Random, units: int, currency: str,
             participants: list[str]) -> dict[str, str]:
    """An explicit, uneven split of ``units`` that sums exactly to the cost."""
    weights = [rng.randint(1, 5) for _ in participants]
    shares = [units * w // sum(weights) for w in weights]
    shares[0] += units - sum(shares)
    return {sid: format_units(share, currency)
            for sid, share in zip(participants, shares, strict=True)}
