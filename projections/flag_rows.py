"""The ``flags`` table: every compliance flag (SPEC §4.7) as known now, for SQL readers.

The API evaluates flags for any bitemporal point (:mod:`projections.compliance`); this
table holds the same evaluation at the end of valid time, as known after the last applied
event, so the views file answers "which flags are there" with plain SQL. A flag of an
engagement depends only on the engagements of the same account in the same calendar year
(the annual limit sums per person and year) and on the policies and rates, so after each
batch the flags of every touched (account, year) are evaluated again; a policy change
touches every one. The rows are a pure function of the events applied, so a bulk
rebuild, which derives every flag once at its end with SQL (:mod:`projections.flag_sql`),
writes the same rows as incremental batches (a hypothesis property compares them).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from typing import Any

import sqlite_utils

from projections.batch import Batch
from projections.compliance import evaluate, public_officials
from projections.current import END_OF_TIME
from projections.engagements import load_engagements
from projections.reference import load_reference
from projections.tables import insert_sql

Unit = tuple[str, str]
"""(account_id, calendar year of occurred_at): what one evaluation covers."""

PENDING = "flags_pending"
"""The ``view_state`` row saying the flags must be evaluated for every account (set when
an older views file gains the table)."""

_CHUNK = 5000
"""Flag rows written per statement by :func:`evaluate_all` (memory stays flat)."""

_COLUMNS = ("engagement_id", "seq", "flag", "account_id", "stakeholder_id", "kind",
            "amount", "limit_value", "base_currency", "cost_amount", "cost_currency",
            "policy_event_id", "occurred_at", "recorded_at", "open", "resolved_by_type",
            "resolved_by_event_id", "resolved_occurred_at", "resolved_recorded_at")


def mark_pending(db: sqlite_utils.Database) -> None:
    """Defer the flags: the next :func:`follow_up` that may evaluates every account."""
    db.conn.execute("INSERT OR REPLACE INTO view_state VALUES (?, ?)", [PENDING, "1"])


def is_pending(db: sqlite_utils.Database) -> bool:
    """Whether the flags wait for an evaluation of every account."""
    return db.conn.execute("SELECT 1 FROM view_state WHERE name = ?",
                           [PENDING]).fetchone() is not None


def follow_up(out: Batch) -> None:
    """Bring the flags up to date after a batch (after :func:`projections.current.follow_up`)."""
    db = out.flushed()
    if is_pending(db):
        refresh_pending(db)
        return
    refresh(db, touched_units(out))


def evaluate_all(db: sqlite_utils.Database) -> None:
    """Evaluate every account's flags at once, replacing every row (the end of a bulk
    build, and an older views file gaining the table): each account's engagements are
    loaded once and evaluated year by year, as :func:`refresh` evaluates a unit."""
    db.conn.execute("DELETE FROM flags")
    reference = load_reference(db, END_OF_TIME)
    officials: dict[str, set[str]] = {}
    for account_id, sid in db.conn.execute(
            "SELECT account_id, stakeholder_id FROM stakeholders WHERE public_official = 1"):
        officials.setdefault(account_id, set()).add(sid)
    sql = insert_sql("flags", _COLUMNS)
    rows: list[tuple[Any, ...]] = []
    accounts = [row[0] for row in db.conn.execute(
        "SELECT DISTINCT account_id FROM engagements ORDER BY account_id")]
    for account_id in accounts:
        engagements = load_engagements(db, END_OF_TIME, account_id=account_id)
        for _, unit in groupby(engagements, key=lambda e: e.occurred_at[:4]):
            found = evaluate(unit, reference, officials.get(account_id, set()),
                             END_OF_TIME.as_of)
            rows += _rows(found, reference.base_currency)
        if len(rows) >= _CHUNK:
            db.conn.executemany(sql, rows)
            rows = []
    db.conn.executemany(sql, rows)
    db.conn.execute("DELETE FROM view_state WHERE name = ?", [PENDING])


def refresh_pending(db: sqlite_utils.Database) -> None:
    """Evaluate every account's flags if they are pending, and clear the mark."""
    if is_pending(db):
        evaluate_all(db)


def touched_units(out: Batch) -> set[Unit]:
    """Every (account, year) whose flags the batch may have changed."""
    db, touched = out.db, out.touched
    if touched.policy:
        return _all_units(db)
    units = set()
    for engagement_id in touched.recorded | touched.changed | touched.approved:
        account_id, occurred_at = out.engagement(engagement_id)
        units.add((account_id, occurred_at[:4]))
    for position in touched.rates:
        units.update(_rate_units(db, position))
    return units


def refresh(db: sqlite_utils.Database, units: Iterable[Unit]) -> None:
    """Evaluate the flags of each unit again, replacing its rows."""
    units = sorted(units)
    if not units:
        return
    reference = load_reference(db, END_OF_TIME)
    officials: dict[str, set[str]] = {}
    sql = insert_sql("flags", _COLUMNS)
    for account_id, year in units:
        start, end = f"{year}-01-01T00:00:00.000000Z", f"{year}-12-31T23:59:59.999999Z"
        db.conn.execute("DELETE FROM flags WHERE account_id = ? AND occurred_at BETWEEN ? "
                        "AND ?", [account_id, start, end])
        engagements = load_engagements(db, END_OF_TIME, account_id=account_id, start=start,
                                       end=end)
        if account_id not in officials:
            officials[account_id] = public_officials(db, account_id)
        found = evaluate(engagements, reference, officials[account_id], END_OF_TIME.as_of)
        db.conn.executemany(sql, _rows(found, reference.base_currency))


def _rows(flags: list[dict[str, Any]], base_currency: str) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    seq: dict[str, int] = {}
    for item in flags:
        engagement_id = item["engagement_id"]
        seq[engagement_id] = seq.get(engagement_id, 0) + 1
        cost = item["cost"] or {}
        resolved = item["resolved_by"] or {}
        rows.append((
            engagement_id, seq[engagement_id], item["flag"], item["account_id"],
            item["stakeholder_id"], item["kind"], item["amount"], item["limit"],
            base_currency, cost.get("amount"), cost.get("currency"),
            item["policy_event_id"], item["_occurred_at"], _stamp(item["recorded_at"]),
            int(item["open"]), resolved.get("type"), resolved.get("event_id"),
            _stamp(resolved.get("occurred_at")), _stamp(resolved.get("recorded_at")),
        ))
    return rows


def _stamp(text: str | None) -> str | None:
    """Back from the API's RFC 3339 rendering to the views' fixed-width stamps."""
    if text is None or not text.endswith("Z") or "." in text:
        return text
    return text[:-1] + ".000000Z"


def _all_units(db: sqlite_utils.Database) -> set[Unit]:
    return {(row[0], row[1]) for row in db.conn.execute(
        "SELECT DISTINCT account_id, substr(occurred_at, 1, 4) FROM engagements")}


def _rate_units(db: sqlite_utils.Database, position: int) -> set[Unit]:
    """The units of the engagements whose rate in force the rate at ``position`` is."""
    currency, moment = db.conn.execute("SELECT currency, occurred_at FROM fx_rates "
                                       "WHERE position = ?", [position]).fetchone()
    later = db.conn.execute("SELECT MIN(occurred_at) FROM fx_rates WHERE currency = ? "
                            "AND occurred_at > ?", [currency, moment]).fetchone()[0]
    return {(row[0], row[1]) for row in db.conn.execute(
        "SELECT DISTINCT account_id, substr(occurred_at, 1, 4) FROM current_engagements "
        "WHERE cost_currency = ? AND occurred_at >= ? AND (? IS NULL OR occurred_at < ?)",
        [currency, moment, later, later])}
