"""``parse_amount`` counts decimals exactly as ``Decimal`` does."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ledger.contract.money import MoneyError, minor_units, parse_amount
from tests.strategies import currencies

plain_decimals = st.from_regex(r"[+-]?[0-9_]{0,6}\.?[0-9_]{0,6}", fullmatch=True)


@given(plain_decimals, currencies)
@example("1.0_0", "EUR")
@example("1_000.0_0_", "KWD")
@example("1.0_0", "JPY")
def test_parse_amount_accepts_exactly_the_decimals_the_currency_allows(
        text: str, currency: str) -> None:
    """An amount is accepted iff Decimal parses it, it is not negative and its exponent
    stays within the currency's minor units (grouping underscores included)."""
    try:
        value = Decimal(text)
    except ArithmeticError:
        value = None
    exponent = value.as_tuple().exponent if value is not None else 0
    valid = (value is not None and value >= 0 and isinstance(exponent, int)
             and -exponent <= minor_units(currency))
    if valid:
        assert parse_amount(text, currency) == value
    else:
        with pytest.raises(MoneyError):
            parse_amount(text, currency)
