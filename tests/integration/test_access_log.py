"""The access log in the event store's database, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ledger.config import Settings
from ledger.domain.application import LedgerApplication
from ledger.domain.submission import Principal
from ledger.store.access_log import AccessLog, AccessQuery

LI = Principal("li.na", "recorder", "team")
AUDIT = Principal("audit", "auditor")


def test_rows_are_kept_in_order_and_found_by_every_filter(store_settings: Settings) -> None:
    """Appended rows come back oldest first; a person's query also finds the bulk reads of
    their account and of no account; a window of ``at`` and paging apply."""
    ledger = LedgerApplication(store_settings)
    try:
        log = AccessLog(ledger)
        start = datetime.now(UTC) - timedelta(seconds=1)
        log.append(LI, "GET /v1/stakeholders/ann", account_id="ACME", stakeholder_id="ann")
        log.append(LI, "GET /v1/accounts/ACME/power-map", account_id="ACME")
        log.append(AUDIT, "GET /v1/audit/events", detail="format=jsonl after=0")
        log.append(AUDIT, "GET /v1/accounts/BETA/power-map", account_id="BETA")
        routes = [row.route for row in log.find(AccessQuery(
            stakeholder_id="ann", person_account="ACME"))]
        assert routes == ["GET /v1/stakeholders/ann", "GET /v1/accounts/ACME/power-map",
                          "GET /v1/audit/events"]
        assert [row.token for row in log.find(AccessQuery(account_id="BETA"))] == ["audit"]
        assert len(log.find(AccessQuery(token="li.na"))) == 2
        assert len(log.find(AccessQuery(start=start))) == 4
        assert log.find(AccessQuery(end=start)) == []
        first = log.find(AccessQuery(limit=3))
        rest = log.find(AccessQuery(after=first[-1].id))
        assert [row.route for row in rest] == ["GET /v1/accounts/BETA/power-map"]
        assert len(log.all_of(AccessQuery())) == 4
    finally:
        ledger.close()


@pytest.mark.postgres
def test_a_dropped_postgres_link_is_reopened_and_the_row_still_written(
        postgres_schema: str, tmp_path: object) -> None:
    """The log's own connection is cut by the server; the next append reconnects once."""
    import psycopg

    from tests.conftest import POSTGRES_URL, postgres_settings

    ledger = LedgerApplication(postgres_settings(postgres_schema, tmp_path))
    try:
        log = AccessLog(ledger)
        log.append(LI, "GET /v1/stakeholders/ann", stakeholder_id="ann")
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            cut = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE %s "
                "AND pid <> pg_backend_pid()", [f'%"{postgres_schema}".ledger_access_log%']
            ).fetchall()
        assert cut
        log.append(LI, "GET /v1/stakeholders/ann/history", stakeholder_id="ann")
        assert [row.route for row in log.find(AccessQuery(stakeholder_id="ann"))] == [
            "GET /v1/stakeholders/ann", "GET /v1/stakeholders/ann/history"]
    finally:
        ledger.close()
