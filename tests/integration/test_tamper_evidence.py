"""The hash chain catches edits, deletions, insertions and reorderings done in plain SQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest

from ledger.config import Settings
from ledger.domain.application import LedgerApplication
from tests.conftest import ADMIN, POSTGRES_URL, RECORDER
from tests.integration.helpers import base_setup, dinner, ev


class Database:
    """Plain SQL on the event store, bypassing the ledger (what a tamperer would do)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.postgres = settings.is_postgres
        self.position = "notification_id" if self.postgres else "rowid"

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        if self.postgres:
            schema = self.settings.event_store_env()["POSTGRES_SCHEMA"]
            with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                conn.execute(f'SET search_path TO "{schema}"')
                yield conn.cursor()
        else:
            conn = sqlite3.connect(self.settings.sqlite_path(), isolation_level=None)
            try:
                yield conn.cursor()
            finally:
                conn.close()

    def run(self, sql: str) -> None:
        table = "ledger_events" if self.postgres else "stored_events"
        with self.cursor() as cur:
            for statement in sql.split("; "):
                cur.execute(statement.replace("POS", self.position)
                            .replace("stored_events", table))


@pytest.fixture
def recorded(store_settings: Settings) -> Iterator[tuple[LedgerApplication, Database]]:
    app = LedgerApplication(store_settings)
    app.record_batch([*base_setup(), *(dinner(f"d{i}", "ann") for i in range(5))], RECORDER)
    yield app, Database(store_settings)
    app.close()


def problems(app: LedgerApplication, head: str | None = None) -> list[tuple[int | None, str]]:
    result = app.verify(head=head)
    assert result.ok is not bool(result.problems)
    return [(p["position"], p["problem"].split(":")[0]) for p in result.problems]


def test_an_untouched_log_verifies(recorded: tuple[LedgerApplication, Database]) -> None:
    """Every event checked, no problems, the head is the newest receipt's hash."""
    app, _ = recorded
    result = app.verify()
    assert result.ok and result.events_checked == 8
    assert result.head_hash == app.read_records(7, 1)[0].hash


TAMPERING: dict[str, tuple[Callable[[Database], str], list[tuple[int | None, str]]]] = {
    "edited": (lambda db: "UPDATE stored_events SET state = "
               + ("convert_to(replace(convert_from(state, 'UTF8'), 'olga', 'olaf'), 'UTF8')"
                  if db.postgres else "CAST(replace(CAST(state AS TEXT), 'olga', 'olaf') AS BLOB)")
               + " WHERE POS = 5", [(5, "edited")]),
    "deleted": (lambda db: "DELETE FROM stored_events WHERE POS = 4", [(4, "deleted")]),
    "inserted": (lambda db: "INSERT INTO stored_events (originator_id, originator_version, "
                 "topic, state, POS) SELECT originator_id, originator_version + 1, topic, state, "
                 "100 FROM stored_events WHERE POS = 8", [(100, "inserted")]),
    "swapped": (lambda db: "UPDATE stored_events SET POS = 1000 WHERE POS = 5; "
                "UPDATE stored_events SET POS = 5 WHERE POS = 6; "
                "UPDATE stored_events SET POS = 6 WHERE POS = 1000",
                [(5, "reordered"), (6, "reordered")]),
}


@pytest.mark.parametrize("tampering", sorted(TAMPERING))
def test_each_kind_of_tampering_is_named(recorded: tuple[LedgerApplication, Database],
                                         tampering: str) -> None:
    """Plain-SQL tampering with the event table is found at the right position."""
    app, db = recorded
    sql, expected = TAMPERING[tampering]
    db.run(sql(db))
    assert problems(app) == expected


def test_a_truncated_log_is_caught_with_an_exported_head(
        recorded: tuple[LedgerApplication, Database]) -> None:
    """Removing the newest events and their chain rows looks consistent, except to the head."""
    app, db = recorded
    head = app.verify().head_hash
    db.run("DELETE FROM stored_events WHERE POS > 6")
    db.run("DELETE FROM ledger_chain WHERE position > 6")
    assert problems(app) == []
    assert problems(app, head=head) == [(None, "head " + head + " is not in the chain")]


def test_a_rewritten_chain_row_breaks_the_links(
        recorded: tuple[LedgerApplication, Database]) -> None:
    """Editing the chain table itself breaks the link of the row after it."""
    app, db = recorded
    db.run("UPDATE ledger_chain SET chain_hash = 'x' || substr(chain_hash, 2) "
           "WHERE position = 3")
    assert [p for p, _ in problems(app)] == [3, 4]


def test_a_deleted_event_with_its_chain_row_is_named_at_its_own_position(
        recorded: tuple[LedgerApplication, Database]) -> None:
    """Removing an event and its chain row together is found, at the removed position."""
    app, db = recorded
    db.run("DELETE FROM stored_events WHERE POS = 4")
    db.run("DELETE FROM ledger_chain WHERE position = 4")
    assert problems(app) == [(4, "deleted")]


def test_an_edited_idempotency_digest_is_named(
        recorded: tuple[LedgerApplication, Database]) -> None:
    """A changed ledger_event_ids.content_digest would let other content pass for a replay."""
    app, db = recorded
    event_id = app.read_records(5, 1)[0].event_id
    db.run("UPDATE ledger_event_ids SET content_digest = 'f' || substr(content_digest, 2) "
           f"WHERE event_id = '{event_id}'")
    assert problems(app) == [(6, "digest edited")]


def test_a_deleted_idempotency_row_is_named(
        recorded: tuple[LedgerApplication, Database]) -> None:
    """Without its row the event could be recorded a second time."""
    app, db = recorded
    event_id = app.read_records(2, 1)[0].event_id
    db.run(f"DELETE FROM ledger_event_ids WHERE event_id = '{event_id}'")
    assert problems(app) == [(3, "index deleted")]


def test_a_key_deleted_without_an_erasure_is_named(
        recorded: tuple[LedgerApplication, Database]) -> None:
    """Deleting a person's key shreds them silently: every event it sealed is named."""
    app, db = recorded
    db.run("DELETE FROM ledger_subject_keys WHERE subject = 'stakeholder:ann'")
    found = problems(app)
    assert found and {problem for _, problem in found} == {"key deleted"}
    assert (2, "key deleted") in found  # ann's registration


def test_an_erasure_leaves_a_log_that_verifies(
        recorded: tuple[LedgerApplication, Database]) -> None:
    """stakeholder.forgotten destroys keys and redacts digests: nothing to report."""
    app, _ = recorded
    app.record(ev("stakeholder.forgotten", stakeholder_id="ann", reason="request"), ADMIN)
    assert problems(app) == []


def test_a_digest_redacted_without_an_erasure_is_named(
        recorded: tuple[LedgerApplication, Database]) -> None:
    """Only an erasure may leave a redacted digest."""
    app, db = recorded
    event_id = app.read_records(1, 1)[0].event_id
    db.run("UPDATE ledger_event_ids SET content_digest = 'redacted:' || content_digest "
           f"WHERE event_id = '{event_id}'")
    assert problems(app) == [(2, "digest edited")]
