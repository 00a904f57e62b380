"""Field-level building blocks of the event schemas: formats, the base model and money.

Identifiers, bounded texts and reasons, RFC 3339 date-times with an offset, ISO dates,
real ISO 4217 currencies and plain decimal strings are annotated types that every
event's data is built from; :class:`Model` is the strict, frozen base of every schema
and :class:`Money` an amount normalised to its currency's minor units. Their validators
reject anything that is not already of the right JSON type, so no value is coerced.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    model_validator,
)

from ledger.contract.descriptions import describe_event_fields
from ledger.contract.money import MoneyError, format_amount, minor_units, parse_amount, shown

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)

Ident = Annotated[str, StringConstraints(strict=True, pattern=ID_PATTERN)]
"""A client-chosen identifier (account, stakeholder, opportunity, engagement)."""

Text = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=5000)]
Reason = Annotated[
    str, StringConstraints(strict=True, strip_whitespace=False, min_length=1, max_length=2000)
]


def _strict_string(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a string")
    return value


def _quoted_decimal(value: Any, what: str) -> str:
    """A decimal string; a JSON number gets told how to write it (floats never carry money)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f'{what} must be a decimal string such as "80.50", not a JSON '
                         f'number: quote it, "{value}"')
    return _strict_string(value, what)


EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
"""No event occurred before this: the ledger's windows reach a year back from any moment,
and the first day of year 1 shifted to UTC is no date at all."""


def _rfc3339(value: Any) -> datetime:
    """Parse an RFC 3339 date-time that carries an explicit offset."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("date-time must carry an offset, e.g. 2026-03-02T19:30:00+01:00")
        return value
    text = _strict_string(value, "date-time")
    if not _RFC3339.match(text):
        raise ValueError(
            "must be an RFC 3339 date-time with an offset, e.g. 2026-03-02T19:30:00+01:00"
        )
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError as exc:
        raise ValueError(f"is not a valid date-time: {exc}") from None
    # Compared as instants, so no offset can push it out of range; a later year than
    # EARLIEST's is after it whatever the offset (under a day), and needs no comparison
    # (which looks up both offsets).
    if moment.year <= EARLIEST.year and moment < EARLIEST:
        raise ValueError(f"must not be before {EARLIEST.date().isoformat()}")
    return moment


def _iso_date(value: Any) -> str:
    text = _strict_string(value, "date")
    try:
        date.fromisoformat(text)
    except ValueError:
        raise ValueError("must be a date as YYYY-MM-DD") from None
    if len(text) != 10:
        raise ValueError("must be a date as YYYY-MM-DD")
    return text


def _currency(value: Any) -> str:
    text = _strict_string(value, "currency")
    try:
        minor_units(text)
    except MoneyError as exc:
        raise ValueError(str(exc)) from None
    return text


def _amount(value: Any) -> str:
    return _quoted_decimal(value, "amount")


def _decimal_string(value: Any) -> str:
    text = _quoted_decimal(value, "amount")
    try:
        parsed = Decimal(text)
    except ArithmeticError:
        raise ValueError(f"{shown(text)} is not a decimal string") from None
    if not parsed.is_finite() or "e" in text.lower() or text.strip() != text:
        raise ValueError(f"{shown(text)} is not a plain decimal string")
    return text


RFC3339 = Annotated[datetime, BeforeValidator(_rfc3339)]
IsoDate = Annotated[str, BeforeValidator(_iso_date)]
Currency = Annotated[str, BeforeValidator(_currency)]
DecimalString = Annotated[str, BeforeValidator(_decimal_string)]
AmountString = Annotated[str, BeforeValidator(_amount)]


class Model(BaseModel):
    """Base of every schema: unknown fields are errors, never silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True,
                              json_schema_extra=describe_event_fields)


class Money(Model):
    """An amount in a real ISO 4217 currency; the amount is a decimal string."""

    amount: AmountString
    currency: Currency

    @model_validator(mode="after")
    def _check_amount(self) -> Money:
        try:
            value = parse_amount(self.amount, self.currency)
        except MoneyError as exc:
            raise ValueError(str(exc)) from None
        # Normalise to the currency's minor units so equal money is equal content.
        object.__setattr__(self, "amount", format_amount(value, self.currency))
        return self

    @property
    def value(self) -> Decimal:
        """The amount as a Decimal."""
        return Decimal(self.amount)

