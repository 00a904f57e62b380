"""The SQL expressions and the Python functions the log fold's SQL uses
(:mod:`projections.log_fold`): each gives exactly what the handlers compute, in SQL where
SQLite can do it exactly, calling Python (a function registered on the connection) where
it cannot."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence, Sized
from datetime import datetime
from decimal import Decimal

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ledger.contract.money import format_amount
from ledger.store.privacy import open_value
from projections.allocation import allocate
from projections.timeaxis import stamp


def plain_state(state: bytes | str) -> bool:
    """Whether the SQL reads a stored state as the handlers would see it: the library's
    plain JSON with exactly the two datetime markers (``timestamp`` and ``occurred_at``) and
    no upcasting; the log reader's own fast path tests the same (a Python function: its
    substring search beats SQLite's ``instr`` and ``replace`` several times over)."""
    data = state.encode() if isinstance(state, str) else state
    return data.count(b'"_type_"') == 2 and b'"class_version"' not in data



def marks(values: Sized) -> str:
    """SQL: as many parameter marks as ``values``, for ``IN (…)``."""
    return ", ".join("?" * len(values))


def quoted(values: Sequence[str]) -> str:
    """SQL: ``values`` as quoted literals, for ``IN (…)`` (plain event type names)."""
    return ", ".join(f"'{value}'" for value in values)


def opened(column: str, key: str = "key") -> str:
    """SQL: a personal field as the handlers see it, opened with ``key`` when sealed."""
    return (f"CASE WHEN {column} IS NULL OR {column} NOT LIKE 'sealed:%' THEN {column} "
            f"ELSE ledger_open({column}, {key}) END")


_DATE_TIME = ("[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T"
              "[0-9][0-9]:[0-9][0-9]:[0-9][0-9]")
"""GLOB: an ISO date and time to the second."""


def stamp_sql(column: str) -> str:
    """SQL for :func:`projections.timeaxis.stamp` of an ISO time with a ``±HH:MM`` offset
    (SQLite's date functions take it to UTC to the second; the microseconds are copied),
    Python else.
    A time already in UTC (``+00:00``, as the library writes every ``timestamp``) is its
    own UTC date and time: copied, without parsing."""
    return (f"CASE WHEN substr({column}, -6) = '+00:00' AND {column} GLOB "
            f"'{_DATE_TIME}.[0-9][0-9][0-9][0-9][0-9][0-9]+00:00' "
            f"THEN substr({column}, 1, 26) || 'Z' "
            f"WHEN {column} GLOB '{_DATE_TIME}[+-][0-9][0-9]:[0-9][0-9]' "
            f"OR ({column} GLOB '{_DATE_TIME}.[0-9][0-9][0-9][0-9][0-9][0-9]"
            "[+-][0-9][0-9]:[0-9][0-9]') "
            # to UTC without the fraction (SQLite would round it to milliseconds, and
            # .9995 and up into the next second), then the fraction as it was
            # (NULL for an offset beyond ±14:00, which SQLite does not take: Python then)
            f"THEN coalesce(strftime('%Y-%m-%dT%H:%M:%S', substr({column}, 1, 19) || "
            f"substr({column}, -6)) || '.' || "
            f"CASE WHEN length({column}) = 32 THEN substr({column}, 21, 6) ELSE '000000' END "
            f"|| 'Z', ledger_stamp({column})) ELSE ledger_stamp({column}) END")


def list_sql(column: str) -> str:
    """SQL for ``json.dumps(list)`` of a JSON list SQLite extracted (compact): the same
    text with ``", "`` between items when the items are plain printable ASCII strings
    without escapes, Python else.

    Between its outer ``["`` and ``"]`` such a list is its items joined by ``","`` (no item
    holds a quote), so it is one when no quote is left there once those are taken out; an
    item that is or starts with a comma cannot pose as a separator in that text."""
    inner = f"substr({column}, 3, length({column}) - 4)"
    return (f"CASE WHEN {column} IS NULL THEN '[]' WHEN {column} = '[]' THEN '[]' "
            f"WHEN {column} GLOB '[[]\"*\"]' AND NOT {column} GLOB '*[^ -~]*' "
            f"AND instr({column}, '\\') = 0 "
            f"AND instr(replace({inner}, '\",\"', ''), '\"') = 0 "
            f"THEN '[\"' || replace({inner}, '\",\"', '\", \"') || '\"]' "
            f"ELSE ledger_list({column}) END")


def register_functions(connection: sqlite3.Connection) -> None:
    """The functions the fold's SQL calls, each exactly what the handlers compute."""
    for name, arity, function in (
        ("ledger_stamp", 1, _stamp), ("ledger_list", 1, _list),
        ("ledger_amount", 2, _amount), ("ledger_sorted", 1, _sorted),
        ("ledger_open", 2, _Opener()), ("ledger_shares", 4, _shares),
        ("ledger_plain", 1, plain_state),
    ):
        connection.create_function(name, arity, function, deterministic=True)


def _stamp(text: str) -> str:
    return stamp(datetime.fromisoformat(text))


def _list(text: str | None) -> str:
    return json.dumps(list(json.loads(text) or []) if text is not None else [])


def _amount(amount: str | None, currency: str | None) -> str | None:
    if amount is None or currency is None:
        return None
    return format_amount(Decimal(amount), currency)


def _sorted(text: str | None) -> str | None:
    return None if text is None else json.dumps(json.loads(text), sort_keys=True)


class _Opener:
    """:func:`open_value` with the cipher of the last few keys kept (an engagement's
    location and notes, and a person's name, title, birthday and notes, are sealed under
    the same key, and come one after the other)."""

    def __init__(self) -> None:
        self.ciphers: dict[bytes, tuple[AESGCM, str]] = {}

    def __call__(self, value: str | None, key: bytes | None) -> str | None:
        if value is None:
            return None
        if len(self.ciphers) > 16:
            self.ciphers.clear()
        return open_value(value, key, self.ciphers)


def _shares(amount: str | None, currency: str | None, participants: str,
            allocation: str | None) -> str:
    """Each participant's share as the handlers write it (JSON object, participant →
    amount text, or null without a cost)."""
    people = json.loads(participants)
    if amount is None or currency is None:
        return json.dumps(dict.fromkeys(people))
    shares = allocate(Decimal(amount), currency, people,
                      json.loads(allocation) if allocation is not None else None)
    return json.dumps({sid: format_amount(shares[sid], currency) for sid in people})

