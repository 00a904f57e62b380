"""Table definitions of the read-model database (one place, so an auditor can read them).

Every history table keeps the log ``position``, the ``event_id`` and both time axes
(``occurred_at`` valid time, ``recorded_at`` transaction time) of the event that
wrote the row, so any past state is a filtered, indexed read. Times are fixed-width
UTC text (:mod:`projections.timeaxis`); money is TEXT decimal strings in the
currency's minor units, never REAL. No column holds wall-clock or batch-dependent
values, so a rebuild and incremental processing write identical rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import sqlite_utils

from projections.column_docs import column_doc
from projections.sql_views import VIEW_COLUMNS, VIEWS, create_views, drop_views

T, N = str, int  # column types as sqlite-utils spells them: text, integer

_EVENT = {"position": N, "event_id": T, "event_type": T, "occurred_at": T, "recorded_at": T}

TABLES: dict[str, dict[str, Any]] = {
    "accounts": {
        "doc": "One row per registered account: identity and when it was registered.",
        "columns": {"account_id": T, "name": T, "country": T, "registered_position": N,
                    "registered_occurred_at": T, "registered_recorded_at": T},
        "pk": "account_id",
        "indexes": [],
        "read_indexes": [["registered_occurred_at"]],
    },
    "account_tier_changes": {
        "doc": "Every tier an account had, from the event that set it (registration included).",
        "columns": {**_EVENT, "account_id": T, "tier": T, "reason": T},
        "pk": "position",
        "indexes": [],
        "read_indexes": [["account_id", "occurred_at", "position"]],
    },
    "account_teams": {
        "doc": ("Every team an account had (owner and members, a JSON list of employee ids), "
                "from the account.team_set that set it."),
        "columns": {**_EVENT, "account_id": T, "owner": T, "members": T, "reason": T},
        "pk": "position",
        "indexes": [],
        "read_indexes": [["account_id", "occurred_at", "position"]],
    },
    "stakeholders": {
        "doc": "One row per stakeholder: identity and personal fields ([forgotten] after erasure).",
        "columns": {"stakeholder_id": T, "account_id": T, "name": T, "title": T,
                    "department": T, "public_official": N, "birthday": T, "notes": T,
                    "forgotten": N, "registered_position": N, "registered_occurred_at": T,
                    "registered_recorded_at": T},
        "pk": "stakeholder_id",
        "indexes": [],
        "read_indexes": [["account_id", "registered_occurred_at"]],
    },
    "stakeholder_changes": {
        "doc": ("Every registration, role, attitude, layer, departure and erasure event of "
                "a stakeholder; NULL columns did not change."),
        "columns": {**_EVENT, "stakeholder_id": T, "account_id": T, "role": T, "attitude": N,
                    "layer": T, "rising_star": N, "departed": N, "reason": T,
                    "observed_by": T},
        "pk": "position",
        "indexes": [["stakeholder_id", "occurred_at", "position"]],
        "read_indexes": [["account_id", "occurred_at", "position"]],
    },
    "opportunities": {
        "doc": "One row per opportunity: identity and value.",
        "columns": {"opportunity_id": T, "account_id": T, "name": T, "value_amount": T,
                    "value_currency": T, "opened_position": N, "opened_occurred_at": T,
                    "opened_recorded_at": T},
        "pk": "opportunity_id",
        "indexes": [],
        "read_indexes": [["account_id", "opened_occurred_at"]],
    },
    "opportunity_changes": {
        "doc": "Every opening, fishbone placement and close of an opportunity.",
        "columns": {**_EVENT, "opportunity_id": T, "account_id": T, "stakeholder_id": T,
                    "fishbone_group": T, "proximity": N, "outcome": T},
        "pk": "position",
        "indexes": [],
        "read_indexes": [["opportunity_id", "occurred_at", "position"],
                         ["stakeholder_id", "occurred_at", "position"],
                         ["account_id", "occurred_at", "position"]],
    },
    "engagements": {
        "doc": "One row per engagement: identity, account and both times of its recording.",
        "columns": {"engagement_id": T, "account_id": T, "occurred_at": T, "recorded_at": T,
                    "position": N, "event_id": T, "recorded_by": T},
        "pk": "engagement_id",
        "indexes": [],
        "read_indexes": [["account_id", "occurred_at"], ["occurred_at"]],
    },
    "engagement_versions": {
        "doc": ("The full record of an engagement after its recording and after each "
                "correction (corrections merged in position order)."),
        "columns": {**_EVENT, "engagement_id": T, "account_id": T,
                    "engagement_occurred_at": T, "kind": T, "owner": T, "hosts": T,
                    "participants": T, "cost_amount": T, "cost_currency": T,
                    "allocation": T, "unallocated_amount": T, "opportunity_id": T,
                    "approval_ref": T, "location": T, "notes": T, "changes": T, "reason": T},
        "pk": "position",
        "indexes": [["engagement_id", "position"]],
        "read_indexes": [["account_id", "engagement_occurred_at"], ["engagement_occurred_at"]],
    },
    "engagement_shares": {
        "doc": ("Each participant's share of each engagement version, in the cost's own "
                "currency (SPEC 4.1)."),
        "columns": {"version_position": N, "stakeholder_id": T, "engagement_id": T,
                    "account_id": T, "engagement_occurred_at": T, "recorded_at": T,
                    "share_amount": T, "currency": T},
        "pk": ("version_position", "stakeholder_id"),
        "indexes": [["stakeholder_id", "engagement_occurred_at"]],  # erasure looks up by it
        "read_indexes": [["account_id", "engagement_occurred_at"]],
    },
    "engagement_voids": {
        "doc": "Voids: once recorded, they apply from the engagement's own occurred_at.",
        "columns": {**_EVENT, "engagement_id": T, "account_id": T,
                    "engagement_occurred_at": T, "reason": T},
        "pk": "position",
        "indexes": [["engagement_id"]],
        "read_indexes": [["account_id", "engagement_occurred_at"], ["engagement_occurred_at"]],
    },
    "engagement_approvals": {
        "doc": "Approvals: they take effect at their own occurred_at.",
        "columns": {**_EVENT, "engagement_id": T, "account_id": T,
                    "engagement_occurred_at": T, "approval_ref": T, "approver": T},
        "pk": "position",
        "indexes": [],
        "read_indexes": [["engagement_id"], ["account_id", "engagement_occurred_at"],
                         ["engagement_occurred_at"]],
    },
    "policies": {
        "doc": "Every policy.set: the limits in force from its occurred_at.",
        "columns": {**_EVENT, "base_currency": T, "gift_item_limit": T,
                    "hospitality_per_person_limit": T, "annual_recipient_limit": T,
                    "pre_approval_above": T, "public_official_requires_approval": N,
                    "late_entry_days": N},
        "pk": "position",
        "indexes": [["occurred_at", "position"]],
        "read_indexes": [["recorded_at"]],
    },
    "fx_rates": {
        "doc": "Every fx.rate_set: base units per unit of currency from its occurred_at.",
        "columns": {**_EVENT, "currency": T, "rate": T},
        "pk": "position",
        "indexes": [["currency", "occurred_at", "position"]],
        "read_indexes": [["recorded_at"]],
    },
    # The current read model (SPEC §4 "now"): kept up to date per batch by
    # projections.current; amounts in integer minor units of the base currency.
    "current_engagements": {
        "derived": True,
        "doc": ("Now, as known now: each engagement's latest version in base minor units "
                "(NULL: no rate)."),
        "columns": {"engagement_id": T, "account_id": T, "occurred_at": T, "kind": T,
                    "owner": T, "opportunity_id": T, "participant_count": N,
                    "cost_amount": T, "cost_currency": T, "voided": N, "base_currency": T,
                    "base_minor": N},
        "pk": "engagement_id",
        "indexes": [["account_id", "kind", "occurred_at"], ["cost_currency", "occurred_at"]],
        # The last: spend by stakeholder sums the costs without participants through it.
        "read_indexes": [["occurred_at"], ["base_minor"],
                         ["participant_count", "voided", "base_minor"]],
    },
    "current_shares": {
        "derived": True,
        "doc": "Now, as known now: each participant's base share of each non-voided engagement.",
        "columns": {"engagement_id": T, "stakeholder_id": T, "account_id": T,
                    "occurred_at": T, "ladder_level": N, "base_minor": N},
        "pk": ("engagement_id", "stakeholder_id"),
        "indexes": [["stakeholder_id", "occurred_at", "ladder_level", "base_minor"]],
    },
    "current_accounts": {
        "derived": True,
        "doc": ("Now, as known now: each account's total spend in base minor units and the "
                "sums behind its score (SPEC 4.3) and decision coverage, and the latest "
                "occurred_at of each organizational element (SPEC 4.5)."),
        "columns": {"account_id": T, "base_minor": N, "engagement_count": N,
                    "weighted_attitude": N, "role_weight": N, "deciders": N,
                    "deciders_won": N, "communication_at": T, "matching_at": T,
                    "joint_at": T, "recognition_at": T},
        "pk": "account_id",
        "indexes": [],
    },
    "current_stakeholders": {
        "derived": True,
        "doc": "Now, as known now: each stakeholder's state and engagement figures.",
        "columns": {"stakeholder_id": T, "account_id": T, "role": T, "attitude": N,
                    "initial_attitude": N, "layer": T, "rising_star": N, "departed": N,
                    "last_attitude_change_at": T, "engagement_count": N,
                    "first_engagement_at": T, "last_engagement_at": T, "ladder_level": N,
                    "spend_minor": N},
        "pk": "stakeholder_id",
        "indexes": [["account_id"]],
    },
    "history_steps": {
        "derived": True,
        "doc": ("Now, as known now: every step of every stakeholder's history (SPEC 5.3) "
                "with the running figures after it, in (occurred_at, position) order: what "
                "GET /v1/stakeholders/{id}/history pages at now. A step's change is its "
                "history row's (the table its event_type writes, at its position)."),
        "columns": {"stakeholder_id": T, "occurred_at": T, "position": N, "event_type": T,
                    "engagement_id": T, "role": T, "attitude": N, "ladder_level": N,
                    "spend_minor": N, "base_currency": T, "step": N,
                    "seen_occurred_at": T, "seen_recorded_at": T},
        "pk": ("stakeholder_id", "occurred_at", "position"),
        "indexes": [],
    },
    "account_horizons": {
        "derived": True,
        "doc": ("Now, as known now: per account, the latest valid and transaction time of "
                "its engagements' events (recordings, corrections, voids, approvals). A read "
                "at a point before either sees other flags than the flags table holds."),
        "columns": {"account_id": T, "occurred_at": T, "recorded_at": T},
        "pk": "account_id",
        "indexes": [],
    },
    "flags": {
        "derived": True,
        "doc": ("Every compliance flag (SPEC 4.7) as known now, at the end of valid time: "
                "what GET /v1/compliance/flags answers, open and resolved, kept up to date "
                "by the projection."),
        "columns": {"engagement_id": T, "seq": N, "flag": T, "account_id": T,
                    "stakeholder_id": T, "kind": T, "amount": T, "limit_value": T,
                    "base_currency": T, "cost_amount": T, "cost_currency": T,
                    "policy_event_id": T, "occurred_at": T, "recorded_at": T, "open": N,
                    "resolved_by_type": T, "resolved_by_event_id": T,
                    "resolved_occurred_at": T, "resolved_recorded_at": T},
        "pk": ("engagement_id", "seq"),
        "indexes": [["account_id", "occurred_at"]],
        # The last: the pages of a read at now without an account go through it in the
        # answer's order (every filter is in it).
        "read_indexes": [["open", "occurred_at"], ["occurred_at", "open", "flag"]],
    },
    "spend_totals": {
        "derived": True,
        "doc": ("Now, as known now: the total spend of every account and how many accounts "
                "have spend (one row, in the base currency): the whole-answer figures of "
                "GET /v1/reports/spend by account."),
        "columns": {"base_currency": T, "base_minor": N, "account_count": N},
        "pk": "base_currency",
        "indexes": [],
    },
    "spend_groups": {
        "derived": True,
        "doc": ("Now, as known now: the spend of every owner, kind, month and opportunity "
                "over every account (the converted, non-voided engagements), so that GET "
                "/v1/reports/spend by those groups without a window or an account reads "
                "only its page."),
        "columns": {"group_by": T, "last": N, "key": T, "base_minor": N,
                    "engagement_count": N},
        "pk": ("group_by", "last", "key"),
        "indexes": [],
    },
    "flag_counts": {
        "derived": True,
        "doc": ("How many rows the flags table holds per account, calendar year of "
                "occurred_at, kind of flag and state, counted again with each evaluation "
                "of the account's year: the counts of a flags read at now."),
        "columns": {"account_id": T, "year": T, "flag": T, "open": N, "flag_count": N},
        "pk": ("account_id", "year", "flag", "open"),
        "indexes": [],
    },
    "view_state": {
        "doc": "Housekeeping marks of the projection (empty when every view is complete).",
        "columns": {"name": T, "value": T},
        "pk": "name",
        "indexes": [],
    },
    "currencies": {
        "doc": "ISO 4217 currencies with their minor units (reference data for the views).",
        "columns": {"currency": T, "minor_units": N},
        "pk": "currency",
        "indexes": [],
    },
    "view_tables": {
        "doc": "What each table and SQL view of this file holds (for auditors browsing it).",
        "columns": {"table_name": T, "description": T},
        "pk": "table_name",
        "indexes": [],
    },
    "view_columns": {
        "doc": "What each column of each table and SQL view of this file holds.",
        "columns": {"table_name": T, "column_name": T, "description": T},
        "pk": ("table_name", "column_name"),
        "indexes": [],
    },
}
"""Every view table: what it holds, its columns, primary key, the ``indexes`` that
applying events looks rows up by, and the ``read_indexes`` that only queries use
(a rebuild creates those once at the end: sorting once beats a b-tree insert per row).
``derived`` tables are filled from the others (:mod:`projections.current` as events
arrive, :mod:`projections.derive` at the end of a bulk load, whose indexes come last)."""

_ACCOUNT, _PERSON, _ENGAGEMENT = (("account_id", "accounts", "account_id"),
                                  ("stakeholder_id", "stakeholders", "stakeholder_id"),
                                  ("engagement_id", "engagements", "engagement_id"))
_OPPORTUNITY = ("opportunity_id", "opportunities", "opportunity_id")
FOREIGN_KEYS: dict[str, list[tuple[str, str, str]]] = {
    "account_tier_changes": [_ACCOUNT],
    "stakeholders": [_ACCOUNT],
    "stakeholder_changes": [_PERSON, _ACCOUNT],
    "opportunities": [_ACCOUNT],
    "opportunity_changes": [_OPPORTUNITY, _ACCOUNT, _PERSON],
    "engagements": [_ACCOUNT],
    "engagement_versions": [_ENGAGEMENT, _ACCOUNT, _OPPORTUNITY],
    "engagement_shares": [("version_position", "engagement_versions", "position"),
                          _PERSON, _ENGAGEMENT, _ACCOUNT],
    "engagement_voids": [_ENGAGEMENT, _ACCOUNT],
    "engagement_approvals": [_ENGAGEMENT, _ACCOUNT],
    "current_engagements": [_ENGAGEMENT, _ACCOUNT, _OPPORTUNITY],
    "current_shares": [_ENGAGEMENT, _PERSON, _ACCOUNT],
    "current_accounts": [_ACCOUNT],
    "current_stakeholders": [_PERSON, _ACCOUNT],
    "flags": [_ENGAGEMENT, _ACCOUNT, _PERSON],
    "history_steps": [_PERSON, _ENGAGEMENT],
    "account_horizons": [_ACCOUNT],
    "flag_counts": [_ACCOUNT],
}
"""Where rows refer to rows (declared for SQL readers such as Datasette; SQLite does not
enforce them here: the write side's rules already guarantee them)."""


def create_tables(db: sqlite_utils.Database, *, read_indexes: bool = True) -> None:
    """Create every view table and index that does not exist yet (``read_indexes``:
    also the indexes only queries use, and those of the derived tables, which a bulk
    load fills in one go at the end)."""
    for name, spec in TABLES.items():
        table = db.table(name)
        if not table.exists():
            sql = db.create_table_sql(name, spec["columns"], pk=spec["pk"],
                                      not_null=_not_null(spec),
                                      foreign_keys=FOREIGN_KEYS.get(name, []))
            # Text and compound keys: the key is the table (no separate rowid b-tree to
            # keep), and rows lie in key order whatever order they were written in.
            rowid = spec["columns"].get(spec["pk"]) is N if isinstance(spec["pk"], str) else False
            db.execute(sql.rstrip().rstrip(";") + ("" if rowid else " WITHOUT ROWID"))
        for columns in spec["indexes"] if read_indexes or not spec.get("derived") else ():
            table.create_index(columns, if_not_exists=True)
    # After every table, so that the schema reads the same however the file was built.
    for name, spec in TABLES.items() if read_indexes else ():
        for columns in spec.get("read_indexes", ()):
            db.table(name).create_index(columns, if_not_exists=True)
    for name, spec in TABLES.items():
        _describe_table(db, name, spec["doc"])
    create_views(db)
    document_views(db)


def create_indexes(db: sqlite_utils.Database, name: str) -> None:
    """Create every index of the table ``name`` (those only queries use too) that does
    not exist yet."""
    spec = TABLES[name]
    for columns in [*spec["indexes"], *spec.get("read_indexes", ())]:
        db.table(name).create_index(columns, if_not_exists=True)


def document_views(db: sqlite_utils.Database) -> None:
    """Describe every SQL view and every column of every table and view."""
    for name, view in VIEWS.items():
        _describe_table(db, name, view["doc"])
    for name in [*TABLES, *VIEWS]:
        for (column,) in db.conn.execute(f"SELECT name FROM pragma_table_info('{name}')"):
            text = column_doc(name, column) or VIEW_COLUMNS.get(column)
            # Written only when new or changed: opening a current file writes nothing.
            db.conn.execute("INSERT INTO view_columns VALUES (?, ?, ?) "
                            "ON CONFLICT (table_name, column_name) DO UPDATE SET "
                            "description = excluded.description "
                            "WHERE description IS NOT excluded.description",
                            [name, column, text])


def _describe_table(db: sqlite_utils.Database, name: str, doc: str) -> None:
    """Note what a table or view holds, writing only when new or changed."""
    db.conn.execute("INSERT INTO view_tables VALUES (?, ?) ON CONFLICT (table_name) DO UPDATE "
                    "SET description = excluded.description "
                    "WHERE description IS NOT excluded.description", [name, doc])


def drop_tables(db: sqlite_utils.Database) -> None:
    """Drop every view table (the tracking table is the engine's business)."""
    drop_views(db)
    for name in TABLES:
        db.table(name).drop(ignore=True)


def _not_null(spec: dict[str, Any]) -> set[str]:
    pk = spec["pk"]
    keys = {pk} if isinstance(pk, str) else set(pk)
    return keys | ({"occurred_at", "recorded_at"} & set(spec["columns"]))


@lru_cache(maxsize=256)
def insert_sql(table: str, columns: tuple[str, ...]) -> str:
    """The INSERT statement of ``columns`` of a view table (checked against its spec)."""
    if table not in TABLES or not set(columns) <= set(TABLES[table]["columns"]):
        raise KeyError(f"{table}: unknown table or columns {columns}")
    names = ", ".join(f"[{column}]" for column in columns)
    return f"INSERT INTO [{table}] ({names}) VALUES ({', '.join('?' * len(columns))})"


def fetch_one(db: sqlite_utils.Database, sql: str, params: list[Any]) -> dict[str, Any]:
    """The first row of a query as a dict; ``LookupError`` when there is none."""
    cursor = db.conn.execute(sql, params)
    row = cursor.fetchone()
    if row is None:
        raise LookupError(f"no row for {sql} {params}")
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def select(db: sqlite_utils.Database, sql: str, params: list[Any]) -> Iterator[dict[str, Any]]:
    """Rows of a read-only query as dicts, straight from the cursor (reads fold thousands)."""
    cursor = db.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


APPLICATION_NAME = "engagement_ledger_views"
"""The name under which the views track the log position they reached."""


def snapshot_position(db: sqlite_utils.Database,
                      application_name: str = APPLICATION_NAME) -> int:
    """The log position a views connection (e.g. a ``read_snapshot``) reflects."""
    row = db.execute("SELECT notification_id FROM tracking WHERE application_name = ?",
                     [application_name]).fetchone()
    return row[0] if row else 0
