"""One transaction's view writes: rows buffered per statement, written with ``executemany``.

The handlers of a batch of records put their rows here instead of executing one
statement per row; :meth:`Batch.flush` writes every buffered row, statement by
statement. Rows of different statements must therefore commute: every buffered
statement inserts rows under keys no other buffered row shares, and a handler that
updates existing rows flushes first (:meth:`Batch.flushed`).

What later records of the same batch look up about rows it wrote — a stakeholder's
account, an engagement's identity and latest version — is answered from memory, so
lookups need no flush. The batch also collects what the current tables must refresh
once its history rows are written (:func:`projections.current.follow_up`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from projections.tables import fetch_one, insert_sql


@dataclass
class Touched:
    """What a batch changed that the current tables derive from."""

    stakeholders: set[str] = field(default_factory=set)
    recorded: set[str] = field(default_factory=set)
    """Engagements recorded in this batch (they have no current rows yet)."""
    changed: set[str] = field(default_factory=set)
    """Engagements corrected or voided in this batch."""
    voided: set[str] = field(default_factory=set)
    approved: set[str] = field(default_factory=set)
    """Engagements approved in this batch (their flags change)."""
    rates: list[int] = field(default_factory=list)
    """Log positions of the rates set in this batch."""
    policy: bool = False


class Batch:
    """Buffered rows and in-memory lookups for one transaction on a views database."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.touched = Touched()
        self.flush_seconds = 0.0
        self._rows: dict[str, list[tuple[Any, ...]]] = {}
        self._accounts: dict[str, dict[str, Any]] = {}
        self._opportunities: dict[str, dict[str, Any]] = {}
        self._engagements: dict[str, dict[str, Any]] = {}
        self._versions: dict[str, dict[str, Any]] = {}
        self._shares: dict[int, dict[str, str | None]] = {}

    def insert(self, table: str, row: dict[str, Any]) -> None:
        """Buffer one new row of a view table."""
        self.add(insert_sql(table, tuple(row)), tuple(row.values()))

    def add(self, sql: str, params: tuple[Any, ...]) -> None:
        """Buffer one execution of a statement whose rows commute with every other's."""
        rows = self._rows.get(sql)
        if rows is None:
            rows = self._rows[sql] = []
        rows.append(params)

    def flush(self) -> None:
        """Write every buffered row (:attr:`flush_seconds` adds up the time it takes)."""
        started = time.perf_counter()
        for sql, rows in self._rows.items():
            self.db.conn.executemany(sql, rows)
        self._rows.clear()
        self.flush_seconds += time.perf_counter() - started

    def flushed(self) -> sqlite_utils.Database:
        """The database with every buffered row written (to query or update them)."""
        self.flush()
        return self.db

    def versions_updated(self, engagement_ids: Iterable[str]) -> None:
        """Forget the remembered version rows of engagements updated in place."""
        for engagement_id in engagement_ids:
            self._versions.pop(engagement_id, None)

    # --- lookups of rows this batch or an earlier one wrote ----------------------------------

    def stakeholder_registered(self, stakeholder_id: str, account_id: str) -> None:
        """Remember a new stakeholder's account for the rest of the batch."""
        self._accounts[stakeholder_id] = {"account_id": account_id}

    def account_of_stakeholder(self, stakeholder_id: str) -> str:
        """The account a stakeholder belongs to."""
        return self._remembered(self._accounts, stakeholder_id, "SELECT account_id FROM "
                                "stakeholders WHERE stakeholder_id = ?")["account_id"]

    def opportunity_opened(self, opportunity_id: str, account_id: str) -> None:
        """Remember a new opportunity's account for the rest of the batch."""
        self._opportunities[opportunity_id] = {"account_id": account_id}

    def account_of_opportunity(self, opportunity_id: str) -> str:
        """The account an opportunity belongs to."""
        return self._remembered(self._opportunities, opportunity_id, "SELECT account_id FROM "
                                "opportunities WHERE opportunity_id = ?")["account_id"]

    def engagement_recorded(self, engagement_id: str, account_id: str, occurred_at: str) -> None:
        """Remember a new engagement's identity for the rest of the batch."""
        self._engagements[engagement_id] = {"account_id": account_id, "occurred_at": occurred_at}

    def engagement(self, engagement_id: str) -> tuple[str, str]:
        """An engagement's account and occurred_at stamp."""
        row = self._remembered(self._engagements, engagement_id, "SELECT account_id, "
                               "occurred_at FROM engagements WHERE engagement_id = ?")
        return row["account_id"], row["occurred_at"]

    def version_written(self, version: dict[str, Any], shares: dict[str, str | None]) -> None:
        """Remember an engagement's newest version row and its shares."""
        self._versions[version["engagement_id"]] = version
        self._shares[version["position"]] = shares

    def latest_version(self, engagement_id: str) -> dict[str, Any]:
        """The newest version row of an engagement."""
        return self._remembered(self._versions, engagement_id, "SELECT * FROM "
                                "engagement_versions WHERE engagement_id = ? "
                                "ORDER BY position DESC LIMIT 1")

    def version_shares(self, position: int) -> dict[str, str | None]:
        """Each participant's share of the version at ``position``, in the cost's currency."""
        shares = self._shares.get(position)
        if shares is None:
            shares = self._shares[position] = {row[0]: row[1] for row in self.db.conn.execute(
                "SELECT stakeholder_id, share_amount FROM engagement_shares "
                "WHERE version_position = ?", [position])}
        return shares

    def _remembered(self, rows: dict[str, dict[str, Any]], key: str,
                    sql: str) -> dict[str, Any]:
        """The row remembered under ``key``, else the one ``sql`` finds (then remembered)."""
        row = rows.get(key)
        if row is None:
            row = rows[key] = fetch_one(self.db, sql, [key])
        return row
