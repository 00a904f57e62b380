"""Application recorders that keep the hash chain and the event-id index with the events.

Both tables are written inside the library's own insert transaction, after the events
have taken the store's write lock (SQLite's database lock; PostgreSQL's exclusive table
lock), so several writer processes extend one chain and a duplicate ``event_id``
fails the whole transaction.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteFactory
from psycopg.sql import SQL, Identifier

from ledger.aggregates import topics_of
from ledger.chain import GENESIS, ChainRow, StoredRow, extend
from ledger.privacy import (
    FORGOTTEN_DIGEST,
    PERSONAL_TYPES,
    KeyChanges,
    stakeholder_subject,
    subject_streams,
)

PAGE = 2000
_PERSONAL_TOPICS = tuple(topics_of(PERSONAL_TYPES))
"""Topics of the stored events whose idempotency digest an erasure destroys."""
_FORGOTTEN_TOPIC = topics_of(["stakeholder.forgotten"])[0]
_SHRED_DIGESTS = "2026-11-27 erasures destroy idempotency digests"
"""The name under which :meth:`LedgerRecorderMixin.shred_earlier_erasures` notes its run."""


def _erased(state: bytes) -> str:
    """The stakeholder id of a stored ``stakeholder.forgotten`` (plain JSON, not sealed)."""
    return str(json.loads(bytes(state))["data"]["stakeholder_id"])
log = logging.getLogger("ledger.recorder")


class StreamsChanged(Exception):
    """A stream the writer's rules read got a new event after the writer's view of the log
    (``ledger_reads``): the insert is rolled back and the writer must check again."""


def _meta_rows(ids: Sequence[int], kwargs: dict[str, Any]) -> Iterator[tuple[str, str, int]]:
    """(event_id, content_digest, position) rows, made as they are consumed."""
    return zip(kwargs.get("ledger_ids") or [], kwargs.get("ledger_digests") or [], ids,
               strict=False)


def _event_ids(kwargs: dict[str, Any]) -> list[str] | None:
    """The event_ids of the events being inserted, in order, when the writer passed them."""
    return kwargs.get("ledger_ids") or None


def _rows_in(c: Any, statement: str, values: Sequence[Any], *after: Any) -> list[Any]:
    """Rows of ``statement`` on SQLite cursor ``c``, its ``IN ({marks})`` filled with
    ``values`` 500 at a time (SQLite's parameter limit), then the ``after`` parameters."""
    rows: list[Any] = []
    for start in range(0, len(values), 500):
        chunk = list(values[start : start + 500])
        c.execute(statement.format(marks=",".join("?" * len(chunk))), [*chunk, *after])
        rows += c.fetchall()
    return rows


class LedgerRecorderMixin:
    """Queries on the chain and id index shared by both backends."""

    def lookup_event_ids(self, event_ids: Sequence[str]) -> dict[str, tuple[str, int]]:
        """Map each already-recorded event_id to (content digest, position)."""
        raise NotImplementedError

    def chain_rows(self, positions: Sequence[int]) -> dict[int, ChainRow]:
        """The chain rows at the given positions."""
        raise NotImplementedError

    def iter_chain(self) -> Iterator[ChainRow]:
        """Every chain row in position order, read page by page."""
        raise NotImplementedError

    def select_stream(self, stream: UUID, after: int, limit: int) -> list[Notification]:
        """Up to ``limit`` events of one stream after log position ``after``."""
        raise NotImplementedError

    def load_keys(self, subjects: Sequence[str]) -> dict[str, bytes]:
        """The personal-data keys of the given subjects that still exist."""
        raise NotImplementedError

    def linked_subjects(self, stakeholder_id: str) -> list[str]:
        """The engagement subjects whose text an erasure of the person shreds."""
        raise NotImplementedError

    def shred_earlier_erasures(self) -> int:
        """Once per store: destroy the idempotency digests that erasures recorded before
        erasures destroyed them left behind. Returns how many erasures it went over (0
        when it ran before)."""
        raise NotImplementedError

    def select_streams(self, originator_ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
        """Every stored event of each given stream, in version order, read in few queries;
        streams that do not exist are absent from the answer."""
        raise NotImplementedError

    def iter_stored(self) -> Iterator[StoredRow]:
        """Every stored event in position order, read page by page."""
        start = 1
        while True:
            page = self.select_notifications(start, PAGE)  # type: ignore[attr-defined]
            for n in page:
                yield StoredRow(n.id, n.originator_id, n.originator_version, n.topic, n.state)
            if len(page) < PAGE:
                return
            start = page[-1].id + 1


class SQLiteLedgerRecorder(LedgerRecorderMixin, SQLiteApplicationRecorder):
    """SQLite recorder that writes the chain and the id index in the insert transaction."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS ledger_chain (position INTEGER PRIMARY KEY, "
            "event_id TEXT NOT NULL, event_digest TEXT NOT NULL, chain_hash TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS ledger_event_ids (event_id TEXT PRIMARY KEY, "
            "content_digest TEXT NOT NULL, position INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS ledger_subject_keys (subject TEXT PRIMARY KEY, "
            "key BLOB NOT NULL)",
            "CREATE TABLE IF NOT EXISTS ledger_subject_links (stakeholder_id TEXT NOT NULL, "
            "subject TEXT NOT NULL, PRIMARY KEY (stakeholder_id, subject))",
            "CREATE TABLE IF NOT EXISTS ledger_migrations (name TEXT PRIMARY KEY)",
        ]

    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        ids = super()._insert_events(c, stored_events, **kwargs)
        assert ids is not None
        after, read = kwargs.get("ledger_reads") or (0, ())
        if _rows_in(c, f"SELECT 1 FROM {self.events_table_name} WHERE originator_id IN "
                       "({marks}) AND rowid > ? LIMIT 1", [sid.hex for sid in read], after):
            raise StreamsChanged  # checked under the write lock the insert took
        c.execute("SELECT chain_hash FROM ledger_chain ORDER BY position DESC LIMIT 1")
        last = c.fetchone()
        rows = extend(last[0] if last else GENESIS, ids, stored_events, _event_ids(kwargs))
        c.executemany("INSERT INTO ledger_chain VALUES (?,?,?,?)", rows)
        c.executemany("INSERT INTO ledger_event_ids VALUES (?,?,?)", _meta_rows(ids, kwargs))
        keys: KeyChanges | None = kwargs.get("ledger_keys")
        if keys is not None:
            c.executemany("INSERT INTO ledger_subject_keys VALUES (?,?)", keys.new_keys.items())
            c.executemany("INSERT OR IGNORE INTO ledger_subject_links VALUES (?,?)",
                          keys.link_rows())
            if keys.forget:
                c.execute("PRAGMA secure_delete = ON")  # overwrite, don't just unlink
            for stakeholder_id, index in keys.forget:
                self._shred(c, stakeholder_id, ids[index])
            c.executemany("INSERT INTO ledger_subject_keys VALUES (?,?)", keys.late_keys.items())
        out = kwargs.get("chain_out")
        if out is not None:
            out.extend(row[3] for row in rows)
        return ids

    def _shred(self, c: Any, stakeholder_id: str, position: int) -> None:
        """Delete the keys an erasure at ``position`` destroys, and the idempotency digests
        of the events before it that they sealed."""
        c.execute("SELECT subject FROM ledger_subject_links WHERE stakeholder_id = ?",
                  (stakeholder_id,))
        subjects = [stakeholder_subject(stakeholder_id), *(r[0] for r in c.fetchall())]
        c.executemany("DELETE FROM ledger_subject_keys WHERE subject = ?",
                      [(subject,) for subject in subjects])
        shredded = _rows_in(
            c, f"SELECT c.event_id FROM {self.events_table_name} e JOIN ledger_chain c "
            "ON c.position = e.rowid WHERE e.originator_id IN ({marks}) "
            f"AND e.rowid <= ? AND e.topic IN ({','.join('?' * len(_PERSONAL_TOPICS))})",
            [sid.hex for sid in subject_streams(subjects)], position, *_PERSONAL_TOPICS)
        c.executemany("UPDATE ledger_event_ids SET content_digest = ? WHERE event_id = ?",
                      [(FORGOTTEN_DIGEST, row[0]) for row in shredded])

    def shred_earlier_erasures(self) -> int:
        with self.datastore.transaction(commit=True) as c:
            c.execute("INSERT OR IGNORE INTO ledger_migrations VALUES (?)", (_SHRED_DIGESTS,))
            c.execute("SELECT changes()")
            if not c.fetchone()[0]:
                return 0
            c.execute(f"SELECT rowid, state FROM {self.events_table_name} WHERE topic = ?",
                      (_FORGOTTEN_TOPIC,))
            erasures = [(_erased(r[1]), r[0]) for r in c.fetchall()]
            for stakeholder_id, position in erasures:
                self._shred(c, stakeholder_id, position)
            return len(erasures)

    def _select_in(self, statement: str, values: Sequence[Any]) -> list[Any]:
        """Rows of ``statement`` (its ``IN ({marks})`` filled) for ``values``, 500 at a time."""
        with self.datastore.transaction(commit=False) as c:
            return _rows_in(c, statement, values)

    def lookup_event_ids(self, event_ids: Sequence[str]) -> dict[str, tuple[str, int]]:
        rows = self._select_in("SELECT event_id, content_digest, position FROM ledger_event_ids "
                               "WHERE event_id IN ({marks})", event_ids)
        return {r[0]: (r[1], r[2]) for r in rows}

    def load_keys(self, subjects: Sequence[str]) -> dict[str, bytes]:
        rows = self._select_in("SELECT subject, key FROM ledger_subject_keys "
                               "WHERE subject IN ({marks})", subjects)
        return {r[0]: bytes(r[1]) for r in rows}

    def linked_subjects(self, stakeholder_id: str) -> list[str]:
        return [r[0] for r in self._select_in(
            "SELECT subject FROM ledger_subject_links WHERE stakeholder_id IN ({marks})",
            [stakeholder_id])]

    def select_streams(self, originator_ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
        rows = self._select_in(
            "SELECT originator_id, originator_version, topic, state "
            f"FROM {self.events_table_name} WHERE originator_id IN ({{marks}}) "
            "ORDER BY originator_id, originator_version", [i.hex for i in originator_ids])
        found: dict[UUID, list[StoredEvent]] = {}
        for row in rows:
            sid = UUID(row[0])
            found.setdefault(sid, []).append(StoredEvent(sid, row[1], row[2], row[3]))
        return found

    def chain_rows(self, positions: Sequence[int]) -> dict[int, ChainRow]:
        rows = self._select_in("SELECT * FROM ledger_chain WHERE position IN ({marks})",
                               positions)
        return {r[0]: ChainRow(*r) for r in rows}

    def select_stream(self, stream: UUID, after: int, limit: int) -> list[Notification]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT rowid, * FROM stored_events WHERE originator_id = ? AND rowid > ? "
                      "ORDER BY originator_version LIMIT ?", (stream.hex, after, limit))
            return [Notification(id=r["rowid"], originator_id=stream,
                                 originator_version=r["originator_version"], topic=r["topic"],
                                 state=r["state"]) for r in c.fetchall()]

    def iter_chain(self) -> Iterator[ChainRow]:
        after = 0
        while True:
            with self.datastore.transaction(commit=False) as c:
                c.execute(
                    "SELECT * FROM ledger_chain WHERE position > ? ORDER BY position LIMIT ?",
                    (after, PAGE),
                )
                page = [ChainRow(*r) for r in c.fetchall()]
            yield from page
            if len(page) < PAGE:
                return
            after = page[-1].position


class PostgresLedgerRecorder(LedgerRecorderMixin, PostgresApplicationRecorder):
    """PostgreSQL recorder: chain rows are written under the library's exclusive table lock."""

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        schema = Identifier(self.datastore.schema)
        self.chain_table = SQL("{0}.ledger_chain").format(schema)
        self.ids_table = SQL("{0}.ledger_event_ids").format(schema)
        self.keys_table = SQL("{0}.ledger_subject_keys").format(schema)
        self.links_table = SQL("{0}.ledger_subject_links").format(schema)
        self.migrations_table = SQL("{0}.ledger_migrations").format(schema)
        self.sql_create_statements.extend([
            SQL("CREATE TABLE IF NOT EXISTS {0} (position bigint PRIMARY KEY, "
                "event_id text NOT NULL, event_digest text NOT NULL, "
                "chain_hash text NOT NULL)").format(self.chain_table),
            SQL("CREATE TABLE IF NOT EXISTS {0} (event_id text PRIMARY KEY, "
                "content_digest text NOT NULL, position bigint NOT NULL)").format(self.ids_table),
            SQL("CREATE TABLE IF NOT EXISTS {0} (subject text PRIMARY KEY, key bytea NOT NULL)"
                ).format(self.keys_table),
            SQL("CREATE TABLE IF NOT EXISTS {0} (stakeholder_id text NOT NULL, subject text "
                "NOT NULL, PRIMARY KEY (stakeholder_id, subject))").format(self.links_table),
            SQL("CREATE TABLE IF NOT EXISTS {0} (name text PRIMARY KEY)").format(
                self.migrations_table),
        ])

    def _insert_stored_events(self, curs: Any, stored_events: Sequence[StoredEvent],
                              **kwargs: Any) -> None:
        after, read = kwargs.get("ledger_reads") or (0, ())
        if read:
            # Before inserting, under the exclusive table lock the insert takes anyway: the
            # library commits when a hook raises a Python error, so nothing may be written
            # yet when StreamsChanged is raised.
            self._lock_table(curs)
            curs.execute(SQL("SELECT 1 FROM {0}.{1} WHERE originator_id = ANY(%s) AND "
                             "notification_id > %s LIMIT 1").format(
                Identifier(self.datastore.schema), Identifier(self.events_table_name)),
                [list(read), after])
            if curs.fetchone() is not None:
                raise StreamsChanged
        super()._insert_stored_events(curs, stored_events, **kwargs)

    def _fetch_ids_after_insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        assert ids is not None
        try:
            self._write_ledger_rows(curs, ids, stored_events, kwargs)
        except BaseException:
            # The library commits when this hook raises a Python error (it expects database
            # errors, which abort the transaction): abort it ourselves, so that events are
            # never stored without their chain, id and key rows.
            log.exception("recording failed after the insert; rolling the transaction back")
            curs.execute("DO $$ BEGIN RAISE EXCEPTION 'ledger: recording failed after the "
                         "insert; nothing was recorded'; END $$")
            raise
        return ids

    def _write_ledger_rows(self, curs: Any, ids: Sequence[int],
                           stored_events: Sequence[StoredEvent], kwargs: dict[str, Any]) -> None:
        curs.execute(SQL("SELECT chain_hash FROM {0} ORDER BY position DESC LIMIT 1").format(
            self.chain_table))
        last = curs.fetchone()
        rows = extend(last["chain_hash"] if last else GENESIS, ids, stored_events,
                      _event_ids(kwargs))
        _insert_rows(curs, self.chain_table, ("bigint", "text", "text", "text"), rows)
        _insert_rows(curs, self.ids_table, ("text", "text", "bigint"),
                     list(_meta_rows(ids, kwargs)))
        keys: KeyChanges | None = kwargs.get("ledger_keys")
        if keys is not None:
            _insert_rows(curs, self.keys_table, ("text", "bytea"), list(keys.new_keys.items()))
            _insert_rows(curs, self.links_table, ("text", "text"), list(keys.link_rows()),
                         " ON CONFLICT DO NOTHING")
            for stakeholder_id, index in keys.forget:
                self._shred(curs, stakeholder_id, ids[index])
            _insert_rows(curs, self.keys_table, ("text", "bytea"), list(keys.late_keys.items()))
        out = kwargs.get("chain_out")
        if out is not None:
            out.extend(row[3] for row in rows)

    def _shred(self, curs: Any, stakeholder_id: str, position: int) -> None:
        """Delete the keys an erasure at ``position`` destroys, and the idempotency digests
        of the events before it that they sealed."""
        curs.execute(SQL("SELECT subject FROM {0} WHERE stakeholder_id = %s").format(
            self.links_table), (stakeholder_id,))
        subjects = [stakeholder_subject(stakeholder_id),
                    *(r["subject"] for r in curs.fetchall())]
        curs.execute(SQL("DELETE FROM {0} WHERE subject = ANY(%s)").format(self.keys_table),
                     (subjects,))
        curs.execute(SQL(
            "UPDATE {0} SET content_digest = %s WHERE event_id IN (SELECT c.event_id "
            "FROM {1} e JOIN {2} c ON c.position = e.notification_id "
            "WHERE e.originator_id = ANY(%s) AND e.notification_id <= %s "
            "AND e.topic = ANY(%s))").format(
            self.ids_table, Identifier(self.datastore.schema, self.events_table_name),
            self.chain_table),
            (FORGOTTEN_DIGEST, subject_streams(subjects), position, list(_PERSONAL_TOPICS)))

    def shred_earlier_erasures(self) -> int:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("INSERT INTO {0} VALUES (%s) ON CONFLICT DO NOTHING").format(
                self.migrations_table), (_SHRED_DIGESTS,))
            if not curs.rowcount:
                return 0
            curs.execute(SQL("SELECT notification_id, state FROM {0} WHERE topic = %s").format(
                Identifier(self.datastore.schema, self.events_table_name)), (_FORGOTTEN_TOPIC,))
            erasures = [(_erased(r["state"]), r["notification_id"]) for r in curs.fetchall()]
            for stakeholder_id, position in erasures:
                self._shred(curs, stakeholder_id, position)
            return len(erasures)

    def _select(self, statement: Any, params: Sequence[Any]) -> list[dict[str, Any]]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params)
            return list(curs.fetchall())

    def lookup_event_ids(self, event_ids: Sequence[str]) -> dict[str, tuple[str, int]]:
        if not event_ids:
            return {}
        rows = self._select(
            SQL("SELECT event_id, content_digest, position FROM {0} "
                "WHERE event_id = ANY(%s)").format(self.ids_table), [list(event_ids)])
        return {r["event_id"]: (r["content_digest"], r["position"]) for r in rows}

    def load_keys(self, subjects: Sequence[str]) -> dict[str, bytes]:
        if not subjects:
            return {}
        rows = self._select(SQL("SELECT subject, key FROM {0} WHERE subject = ANY(%s)").format(
            self.keys_table), [list(subjects)])
        return {r["subject"]: bytes(r["key"]) for r in rows}

    def linked_subjects(self, stakeholder_id: str) -> list[str]:
        return [r["subject"] for r in self._select(
            SQL("SELECT subject FROM {0} WHERE stakeholder_id = %s").format(self.links_table),
            [stakeholder_id])]

    def select_streams(self, originator_ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
        if not originator_ids:
            return {}
        rows = self._select(SQL(
            "SELECT originator_id, originator_version, topic, state FROM {0} "
            "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version").format(
            Identifier(self.datastore.schema, self.events_table_name)), [list(originator_ids)])
        found: dict[UUID, list[StoredEvent]] = {}
        for r in rows:
            found.setdefault(r["originator_id"], []).append(StoredEvent(
                r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"])))
        return found

    def chain_rows(self, positions: Sequence[int]) -> dict[int, ChainRow]:
        if not positions:
            return {}
        rows = self._select(SQL("SELECT * FROM {0} WHERE position = ANY(%s)").format(
            self.chain_table), [list(positions)])
        return {r["position"]: ChainRow(**r) for r in rows}

    def select_stream(self, stream: UUID, after: int, limit: int) -> list[Notification]:
        rows = self._select(SQL("SELECT * FROM {0}.{1} WHERE originator_id = %s AND "
                                "notification_id > %s ORDER BY originator_version LIMIT %s")
                            .format(Identifier(self.datastore.schema),
                                    Identifier(self.events_table_name)), [stream, after, limit])
        return [Notification(id=r["notification_id"], originator_id=r["originator_id"],
                             originator_version=r["originator_version"], topic=r["topic"],
                             state=bytes(r["state"])) for r in rows]

    def iter_chain(self) -> Iterator[ChainRow]:
        after = 0
        while True:
            page = [ChainRow(**r) for r in self._select(
                SQL("SELECT * FROM {0} WHERE position > %s ORDER BY position LIMIT %s").format(
                    self.chain_table), [after, PAGE])]
            yield from page
            if len(page) < PAGE:
                return
            after = page[-1].position


def _insert_rows(curs: Any, table: Any, types: Sequence[str], rows: Sequence[Sequence[Any]],
                 suffix: str = "") -> None:
    """Insert ``rows`` in one statement, one array parameter per column: one round of
    work for the server instead of one INSERT per row (``executemany``)."""
    if not rows:
        return
    columns = SQL(", ").join(SQL("%s::{0}[]").format(SQL(t)) for t in types)
    curs.execute(SQL("INSERT INTO {0} SELECT * FROM unnest({1})").format(table, columns)
                 + SQL(suffix), [list(column) for column in zip(*rows, strict=True)])


class SQLiteLedgerFactory(SQLiteFactory):
    """The library's SQLite factory, with the chain-keeping recorder."""

    application_recorder_class = SQLiteLedgerRecorder


class PostgresLedgerFactory(PostgresFactory):
    """The library's PostgreSQL factory, with the chain-keeping recorder."""

    application_recorder_class = PostgresLedgerRecorder
