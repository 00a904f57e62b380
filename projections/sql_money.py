"""Money in SQL, exactly as the Python side writes it: the expressions the bulk build's
set-based steps (:mod:`projections.log_fold`, :mod:`projections.derive`,
:mod:`projections.flag_sql`) share.

Amounts are decimal strings with exactly the currency's minor units
(:func:`ledger.contract.money.format_amount`); in SQL they are handled as whole minor units
in 64-bit integers, and only amounts written in that exact form take the SQL path.
"""

from __future__ import annotations


def plain_amount(amount: str, exponent: str) -> str:
    """SQL: whether ``amount`` is written exactly as ``format_amount`` writes it (digits, no
    leading zero, exactly ``exponent`` decimals), so it is its own formatted amount and
    ``replace(amount, '.', '')`` its count of minor units."""
    return (f"({amount} IS NOT NULL AND {exponent} IS NOT NULL "
            f"AND NOT {amount} GLOB '*[^0-9.]*' "
            f"AND ({amount} GLOB '[1-9]*' OR {amount} GLOB '0.*' OR {amount} = '0') "
            f"AND CASE WHEN {exponent} = 0 THEN instr({amount}, '.') = 0 "
            f"ELSE instr({amount}, '.') > 1 "
            f"AND length({amount}) - instr({amount}, '.') = {exponent} END)")


def minor_text(units: str, exponent: str, scale: str) -> str:
    """SQL rendering a non-negative count of minor units as a decimal string with exactly
    ``exponent`` decimals (``scale`` = 10 ** exponent), as ``format_amount`` writes it."""
    return (f"CASE WHEN {exponent} = 0 THEN CAST({units} AS TEXT) ELSE "
            f"CAST(({units}) / {scale} AS TEXT) || '.' || "
            f"substr('0000000000' || (({units}) % {scale}), -{exponent}) END")
