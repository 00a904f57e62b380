"""The records and parameters of the demo simulation (:mod:`ledger.samples.demo_sim`).

The dataset's span and first day of engagements, approximate euro rates and the
compliance policy; the people, engagements and queued events the simulation tracks while
it runs; and helpers that turn names into identifier slugs and split amounts exactly in
a currency's minor units. Nothing here draws random numbers.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ledger.contract.money import format_amount, from_minor, to_minor

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
class Pending:
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
