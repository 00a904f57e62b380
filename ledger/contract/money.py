"""Money: decimal amounts in real ISO 4217 currencies, never floats.

The currency table comes from the maintained ``iso4217`` package, so minor units
(``JPY`` 0, ``EUR`` 2, ``KWD`` 3) are never hand-typed here.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import lru_cache

import iso4217

MAX_AMOUNT_DIGITS = 15
"""Digits an amount may have before its decimal point: below a quadrillion units of any
currency (a deal worth billions in rupiah or dong still fits), and small enough that
conversions stay exact (SPEC §4.2: the product of an amount and a rate must not be
rounded before half-even rounding to the base minor units, and Python's decimals keep 28
significant digits)."""


class MoneyError(ValueError):
    """An amount or currency that cannot be money."""


@lru_cache(maxsize=512)
def minor_units(currency: str) -> int:
    """Return the ISO 4217 minor units of ``currency`` (e.g. 2 for EUR, 0 for JPY).

    Raises :class:`MoneyError` for codes that are not ISO 4217 currencies, or that
    have no minor units defined (precious metals, testing codes, ``XXX``).
    """
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isupper():
        raise MoneyError(f"{currency!r} is not an ISO 4217 currency code (three capital letters)")
    try:
        exponent = iso4217.Currency(currency).exponent
    except ValueError:
        raise MoneyError(f"{currency!r} is not an ISO 4217 currency code") from None
    if exponent is None:
        raise MoneyError(f"{currency!r} is an ISO 4217 code without minor units, not a currency")
    return int(exponent)


def currency_units() -> dict[str, int]:
    """Every ISO 4217 currency with minor units, and how many (:func:`minor_units`)."""
    units = {}
    for currency in iso4217.Currency:
        code = str(currency.code)
        try:
            units[code] = minor_units(code)
        except MoneyError:
            continue  # a code without minor units is no currency an amount can be in
    return units


def shown(text: str) -> str:
    """``text`` quoted for an error message, cut short when it is long."""
    return repr(text if len(text) <= 40 else text[:40] + "…")


def parse_amount(text: str, currency: str, *, allow_negative: bool = False) -> Decimal:
    """Parse a decimal amount string for ``currency``.

    The amount must be a plain decimal string (``"1234.50"``), non-negative unless
    ``allow_negative``, with no more decimals than the currency's minor units.
    """
    if not isinstance(text, str):
        raise MoneyError("amount must be a decimal string such as \"1234.50\", not a number")
    stripped = text.strip()
    if stripped != text or not stripped:
        raise MoneyError(f"amount {shown(text)} is not a decimal string such as \"1234.50\"")
    try:
        value = Decimal(stripped)
    except InvalidOperation:
        raise MoneyError(
            f"amount {shown(text)} is not a decimal string such as \"1234.50\"") from None
    if not value.is_finite() or "e" in stripped.lower():
        raise MoneyError(f"amount {shown(text)} is not a plain decimal string")
    if value < 0 and not allow_negative:
        raise MoneyError(f"amount {shown(text)} is negative")
    if value.adjusted() >= MAX_AMOUNT_DIGITS:
        raise MoneyError(f"amount {shown(text)} is too large: at most {MAX_AMOUNT_DIGITS} digits "
                         "before the decimal point")
    units = minor_units(currency)
    # The decimals of a plain decimal string, as Decimal counts them (grouping
    # underscores are no digits); cheaper than building value.as_tuple().
    fraction = stripped.partition(".")[2]
    if len(fraction) - fraction.count("_") > units:
        raise MoneyError(
            f"amount {shown(text)} has more decimals than {currency} allows ({units})"
        )
    return value


@lru_cache(maxsize=512)
def _minor_unit(currency: str) -> Decimal:
    """One minor unit of ``currency`` (``Decimal("0.01")`` for EUR), the quantum to round to."""
    return Decimal(1).scaleb(-minor_units(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round ``amount`` half-even to the minor units of ``currency``."""
    return amount.quantize(_minor_unit(currency), rounding=ROUND_HALF_EVEN)


def format_amount(amount: Decimal, currency: str) -> str:
    """Render ``amount`` as a string with exactly the currency's minor units."""
    return str(quantize(amount, currency))


def to_minor(amount: Decimal, currency: str) -> int:
    """Convert an exact amount to an integer count of minor units."""
    scaled = amount.scaleb(minor_units(currency))
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{amount} is not a whole number of {currency} minor units")
    return int(scaled)


def from_minor(units: int, currency: str) -> Decimal:
    """Convert an integer count of minor units back to a Decimal amount."""
    return Decimal(units).scaleb(-minor_units(currency))


def currency_table() -> dict[str, int]:
    """Every ISO 4217 currency the ledger accepts, with its minor units."""
    table: dict[str, int] = {}
    for currency in iso4217.Currency:
        try:
            table[currency.code] = minor_units(currency.code)
        except MoneyError:
            continue
    return dict(sorted(table.items()))
