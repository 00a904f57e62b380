"""Policies and FX rates as known at a point: which one is in force at a given valid time."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlite_utils

from ledger.contract.money import format_amount, quantize
from ledger.contract.vocabulary import DEFAULT_BASE_CURRENCY
from projections.tables import select
from projections.timeaxis import Point

MAX_BASE_AMOUNT = Decimal(10) ** 13
"""A converted amount at or above ten trillion base units is left unconverted (listed and
flagged as such, like an amount without a rate): no engagement costs that much, so only a
wildly wrong amount or rate gets here, and the views keep sums in base minor units as
64-bit integers (amounts are below 10^15 and rates below a million, so the product itself
is always exact)."""


def convert(amount: Decimal, rate: Decimal, base_currency: str) -> Decimal | None:
    """``amount`` times ``rate``, half-even to base minor units (SPEC §4.2); None when it
    is too large to be a real cost (:data:`MAX_BASE_AMOUNT`)."""
    try:
        converted = quantize(amount * rate, base_currency)
    except InvalidOperation:  # beyond 28 digits: only amounts accepted before the bounds
        return None
    return converted if abs(converted) < MAX_BASE_AMOUNT else None


@dataclass
class Reference:
    """The policies (sorted by occurred_at, position) and rates known at a point.

    Rates are looked up one (currency, time) at a time through the
    ``(currency, occurred_at, position)`` index and memoised, so a read costs what
    its own engagements need, however many rates the log holds.
    """

    base_currency: str
    db: sqlite_utils.Database
    known_at: str
    policies: list[dict[str, Any]] = field(default_factory=list)
    _rates: dict[tuple[str, str], Decimal | None] = field(default_factory=dict)

    def policy_at(self, moment: str) -> dict[str, Any] | None:
        """The policy in force at ``moment``: the latest with occurred_at ≤ it."""
        index = bisect_right(self.policies, (moment, float("inf")),
                             key=lambda p: (p["occurred_at"], p["position"]))
        return self.policies[index - 1] if index else None

    def rate_at(self, currency: str, moment: str) -> Decimal | None:
        """Base units per unit of ``currency`` in force at ``moment`` (1 for the base itself)."""
        if currency == self.base_currency:
            return Decimal(1)
        key = (currency, moment)
        if key not in self._rates:
            row = self.db.execute(
                "SELECT rate FROM fx_rates WHERE currency = ? AND occurred_at <= ? "
                "AND recorded_at <= ? ORDER BY occurred_at DESC, position DESC LIMIT 1",
                [currency, moment, self.known_at]).fetchone()
            self._rates[key] = None if row is None else Decimal(row[0])
        return self._rates[key]

    def money(self, amount: Decimal | None) -> str | None:
        """Render a base amount with the base currency's minor units."""
        return None if amount is None else format_amount(amount, self.base_currency)


def load_reference(db: sqlite_utils.Database, at: Point) -> Reference:
    """Every policy recorded by ``at.known_at``, and the rates as known then.

    The base currency is the one of the latest policy in force at ``at.as_of``
    (USD before any policy, SPEC §4.2).
    """
    policies = list(select(db,
        "SELECT * FROM policies WHERE recorded_at <= ? ORDER BY occurred_at, position",
        [at.known_at]))
    reference = Reference(DEFAULT_BASE_CURRENCY, db, at.known_at, policies)
    current = reference.policy_at(at.as_of)
    if current is not None:
        reference.base_currency = current["base_currency"]
    return reference
