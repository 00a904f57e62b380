"""Table definitions of the read-model database (one place, so an auditor can read them).

Every history table keeps the log ``position``, the ``event_id`` and both time axes
(``occurred_at`` valid time, ``recorded_at`` transaction time) of the event that
wrote the row, so any past state is a filtered, indexed read. Times are fixed-width
UTC text (:mod:`projections.timeaxis`); money is TEXT decimal strings in the
currency's minor units, never REAL. No column holds wall-clock or batch-dependent
values, so a rebuild and incremental processing write identical rows.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import sqlite_utils

T, N = str, int  # column types as sqlite-utils spells them: text, integer

_EVENT = {"position": N, "event_id": T, "event_type": T, "occurred_at": T, "recorded_at": T}

TABLES: dict[str, dict[str, Any]] = {
    "accounts": {
        "columns": {"account_id": T, "name": T, "country": T, "registered_position": N,
                    "registered_occurred_at": T, "registered_recorded_at": T},
        "pk": "account_id",
        "indexes": [["registered_occurred_at"]],
    },
    "account_tier_changes": {
        "columns": {**_EVENT, "account_id": T, "tier": T, "reason": T},
        "pk": "position",
        "indexes": [["account_id", "occurred_at", "position"]],
    },
    "stakeholders": {
        "columns": {"stakeholder_id": T, "account_id": T, "name": T, "title": T,
                    "department": T, "public_official": N, "birthday": T, "notes": T,
                    "forgotten": N, "registered_position": N, "registered_occurred_at": T,
                    "registered_recorded_at": T},
        "pk": "stakeholder_id",
        "indexes": [["account_id", "registered_occurred_at"]],
    },
    "stakeholder_changes": {
        "columns": {**_EVENT, "stakeholder_id": T, "account_id": T, "role": T, "attitude": N,
                    "layer": T, "rising_star": N, "departed": N, "reason": T,
                    "observed_by": T},
        "pk": "position",
        "indexes": [["stakeholder_id", "occurred_at", "position"],
                    ["account_id", "occurred_at", "position"]],
    },
    "opportunities": {
        "columns": {"opportunity_id": T, "account_id": T, "name": T, "value_amount": T,
                    "value_currency": T, "opened_position": N, "opened_occurred_at": T,
                    "opened_recorded_at": T},
        "pk": "opportunity_id",
        "indexes": [["account_id", "opened_occurred_at"]],
    },
    "opportunity_changes": {
        "columns": {**_EVENT, "opportunity_id": T, "account_id": T, "stakeholder_id": T,
                    "fishbone_group": T, "proximity": N, "outcome": T},
        "pk": "position",
        "indexes": [["opportunity_id", "occurred_at", "position"],
                    ["stakeholder_id", "occurred_at", "position"],
                    ["account_id", "occurred_at", "position"]],
    },
    "engagements": {
        "columns": {"engagement_id": T, "account_id": T, "occurred_at": T, "recorded_at": T,
                    "position": N, "event_id": T, "recorded_by": T},
        "pk": "engagement_id",
        "indexes": [["account_id", "occurred_at"], ["occurred_at"]],
    },
    "engagement_versions": {
        "columns": {**_EVENT, "engagement_id": T, "account_id": T,
                    "engagement_occurred_at": T, "kind": T, "owner": T, "hosts": T,
                    "participants": T, "cost_amount": T, "cost_currency": T,
                    "allocation": T, "unallocated_amount": T, "opportunity_id": T,
                    "approval_ref": T, "location": T, "notes": T, "changes": T, "reason": T},
        "pk": "position",
        "indexes": [["engagement_id", "position"],
                    ["account_id", "engagement_occurred_at"],
                    ["engagement_occurred_at"]],
    },
    "engagement_shares": {
        "columns": {"version_position": N, "stakeholder_id": T, "engagement_id": T,
                    "account_id": T, "engagement_occurred_at": T, "recorded_at": T,
                    "share_amount": T, "currency": T},
        "pk": ("version_position", "stakeholder_id"),
        "indexes": [["stakeholder_id", "engagement_occurred_at"],
                    ["account_id", "engagement_occurred_at"]],
    },
    "engagement_voids": {
        "columns": {**_EVENT, "engagement_id": T, "account_id": T,
                    "engagement_occurred_at": T, "reason": T},
        "pk": "position",
        "indexes": [["engagement_id"], ["account_id", "engagement_occurred_at"],
                    ["engagement_occurred_at"]],
    },
    "engagement_approvals": {
        "columns": {**_EVENT, "engagement_id": T, "account_id": T,
                    "engagement_occurred_at": T, "approval_ref": T, "approver": T},
        "pk": "position",
        "indexes": [["engagement_id"], ["account_id", "engagement_occurred_at"],
                    ["engagement_occurred_at"]],
    },
    "policies": {
        "columns": {**_EVENT, "base_currency": T, "gift_item_limit": T,
                    "hospitality_per_person_limit": T, "annual_recipient_limit": T,
                    "pre_approval_above": T, "public_official_requires_approval": N,
                    "late_entry_days": N},
        "pk": "position",
        "indexes": [["occurred_at", "position"], ["recorded_at"]],
    },
    "fx_rates": {
        "columns": {**_EVENT, "currency": T, "rate": T},
        "pk": "position",
        "indexes": [["currency", "occurred_at", "position"], ["recorded_at"]],
    },
}
"""Every view table: its columns, primary key and the indexes of its query paths."""


def create_tables(db: sqlite_utils.Database) -> None:
    """Create every view table and index that does not exist yet."""
    for name, spec in TABLES.items():
        table = db.table(name)
        if not table.exists():
            table.create(spec["columns"], pk=spec["pk"], not_null=_not_null(spec))
        for columns in spec["indexes"]:
            table.create_index(columns, if_not_exists=True)


def drop_tables(db: sqlite_utils.Database) -> None:
    """Drop every view table (the tracking table is the engine's business)."""
    for name in TABLES:
        db.table(name).drop(ignore=True)


def _not_null(spec: dict[str, Any]) -> set[str]:
    pk = spec["pk"]
    keys = {pk} if isinstance(pk, str) else set(pk)
    return keys | ({"occurred_at", "recorded_at"} & set(spec["columns"]))


@lru_cache(maxsize=256)
def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    if table not in TABLES or not set(columns) <= set(TABLES[table]["columns"]):
        raise KeyError(f"{table}: unknown table or columns {columns}")
    names = ", ".join(f"[{column}]" for column in columns)
    return f"INSERT INTO [{table}] ({names}) VALUES ({', '.join('?' * len(columns))})"


def insert(db: sqlite_utils.Database, table: str, row: dict[str, Any]) -> None:
    """Insert one row into a view table (a prepared statement: rebuilds write millions)."""
    db.conn.execute(_insert_sql(table, tuple(row)), tuple(row.values()))


def fetch_one(db: sqlite_utils.Database, sql: str, params: list[Any]) -> dict[str, Any]:
    """The first row of a query as a dict; ``LookupError`` when there is none."""
    cursor = db.conn.execute(sql, params)
    row = cursor.fetchone()
    if row is None:
        raise LookupError(f"no row for {sql} {params}")
    return dict(zip([d[0] for d in cursor.description], row, strict=True))
