"""The SQLite recorder and factory: the library's SQLite application recorder, subclassed to
write the chain, event-id, key and link rows in the insert's transaction, under the
database lock the insert takes (see :mod:`ledger.store.recorder` for what both backends share).
Queries fill their ``IN (...)`` lists in chunks, for SQLite's limit on parameters.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification, PersistenceError, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteFactory

from ledger.store.chain import ChainRow, StoredRow
from ledger.store.privacy import stakeholder_subject, subject_streams
from ledger.store.recorder import (
    PAGE,
    PERSONAL_TOPICS,
    LedgerRecorderMixin,
    StreamsChanged,
    TeamRow,
    companions_of,
    team_rows,
)


def _rows_in(c: Any, statement: str, values: Sequence[Any], *after: Any) -> list[Any]:
    """Rows of ``statement`` on SQLite cursor ``c``, its ``IN ({marks})`` filled with
    ``values`` 500 at a time (SQLite's parameter limit), then the ``after`` parameters."""
    rows: list[Any] = []
    for start in range(0, len(values), 500):
        chunk = list(values[start : start + 500])
        c.execute(statement.format(marks=",".join("?" * len(chunk))), [*chunk, *after])
        rows += c.fetchall()
    return rows


class SQLiteLedgerRecorder(LedgerRecorderMixin, SQLiteApplicationRecorder):
    """SQLite recorder that writes the chain and the id index in the insert transaction."""

    def construct_create_table_statements(self) -> list[str]:
        # The key and link tables are their primary keys (WITHOUT ROWID: one b-tree a row,
        # not a table and an index holding the same text). Stores made before keep their
        # rowid tables, which the same statements read and write.
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS ledger_chain (position INTEGER PRIMARY KEY, "
            "event_id TEXT NOT NULL, event_digest TEXT NOT NULL, chain_hash TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS ledger_event_ids (event_id TEXT PRIMARY KEY, "
            "content_digest TEXT NOT NULL, position INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS ledger_subject_keys (subject TEXT PRIMARY KEY, "
            "key BLOB NOT NULL) WITHOUT ROWID",
            "CREATE TABLE IF NOT EXISTS ledger_subject_links (stakeholder_id TEXT NOT NULL, "
            "subject TEXT NOT NULL, PRIMARY KEY (stakeholder_id, subject)) WITHOUT ROWID",
            "CREATE TABLE IF NOT EXISTS ledger_migrations (name TEXT PRIMARY KEY)",
            "CREATE TABLE IF NOT EXISTS ledger_teams (account_id TEXT PRIMARY KEY, "
            "owner TEXT NOT NULL, members TEXT NOT NULL, occurred_at TEXT NOT NULL, "
            "position INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS ledger_team_members (employee TEXT NOT NULL, "
            "account_id TEXT NOT NULL, PRIMARY KEY (employee, account_id)) WITHOUT ROWID",
        ]

    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        ids = self._insert_stored(c, stored_events)
        companions = companions_of(kwargs)
        # Checked under the write lock the insert took. When the log ended where the
        # writer's view of it did (the first new position follows it), nothing was added
        # since, and no stream it read can have changed: the log is only ever appended to.
        if ids[0] - 1 != companions.read_after and _rows_in(
                c, f"SELECT 1 FROM {self.events_table_name} WHERE originator_id IN "
                   "({marks}) AND rowid > ? LIMIT 1",
                [sid.hex for sid in companions.read_streams], companions.read_after):
            raise StreamsChanged
        c.execute("SELECT chain_hash FROM ledger_chain ORDER BY position DESC LIMIT 1")
        last = c.fetchone()
        rows = self._chain_rows(last, ids, stored_events, companions)
        c.executemany("INSERT INTO ledger_chain VALUES (?,?,?,?)", rows)
        c.executemany("INSERT INTO ledger_event_ids VALUES (?,?,?)", companions.id_rows(ids))
        keys = companions.keys
        if keys is not None:
            c.executemany("INSERT INTO ledger_subject_keys VALUES (?,?)", keys.new_keys.items())
            c.executemany("INSERT OR IGNORE INTO ledger_subject_links VALUES (?,?)",
                          keys.link_rows())
            if keys.forget:
                c.execute("PRAGMA secure_delete = ON")  # overwrite, don't just unlink
            for stakeholder_id, index in keys.forget:
                self._shred(c, stakeholder_id, ids[index])
            c.executemany("INSERT INTO ledger_subject_keys VALUES (?,?)", keys.late_keys.items())
        teams = team_rows(ids, stored_events)
        if teams:
            self._write_teams(c, teams)
        # Replaced, not extended: the library retries a failed insert (a lost connection)
        # with the same arguments, and only the last attempt's hashes hold.
        companions.chain_hashes[:] = [row[3] for row in rows]
        return ids

    def _insert_stored(self, c: Any, stored_events: Sequence[StoredEvent]) -> list[int]:
        """Insert the events and return their positions (rowids), in one ``executemany``
        where the library runs a statement per event to read each ``lastrowid``.

        Once this transaction's first insert holds the write lock, SQLite gives each new
        row the largest rowid plus one (its rule until the largest possible rowid is
        taken, when it picks free ones at random), so the events' positions follow the
        log's end and each other; that the last one is the largest confirms it."""
        if not stored_events:
            return []
        rows = [(s.originator_id.hex if isinstance(s.originator_id, UUID) else s.originator_id,
                 s.originator_version, s.topic, s.state) for s in stored_events]
        c.execute(self.insert_events_statement, rows[0])
        first = int(c.lastrowid)
        c.executemany(self.insert_events_statement, rows[1:])
        c.execute(f"SELECT last_insert_rowid(), MAX(rowid) FROM {self.events_table_name}")
        last, largest = c.fetchone()
        if not last == largest == first + len(rows) - 1:
            raise PersistenceError("the event store has run out of positions: SQLite no longer "
                                   "gives new events consecutive rowids")
        return list(range(first, first + len(rows)))

    def _shred(self, c: Any, stakeholder_id: str, position: int) -> None:
        c.execute("SELECT subject FROM ledger_subject_links WHERE stakeholder_id = ?",
                  (stakeholder_id,))
        subjects = [stakeholder_subject(stakeholder_id), *(r[0] for r in c.fetchall())]
        c.executemany("DELETE FROM ledger_subject_keys WHERE subject = ?",
                      [(subject,) for subject in subjects])
        shredded = _rows_in(
            c, "SELECT c.event_id, e.originator_id, e.originator_version, e.topic, e.state "
            f"FROM {self.events_table_name} e JOIN ledger_chain c "
            "ON c.position = e.rowid WHERE e.originator_id IN ({marks}) "
            f"AND e.rowid <= ? AND e.topic IN ({','.join('?' * len(PERSONAL_TOPICS))})",
            [sid.hex for sid in subject_streams(subjects)], position, *PERSONAL_TOPICS)
        c.executemany("UPDATE ledger_event_ids SET content_digest = ? WHERE event_id = ?",
                      self._redacted([(r[0], StoredEvent(UUID(r[1]), r[2], r[3], r[4]))
                                      for r in shredded]))

    def _write_teams(self, c: Any, rows: Sequence[TeamRow]) -> None:
        for row in rows:
            c.execute("SELECT occurred_at, position FROM ledger_teams WHERE account_id = ?",
                      (row.account_id,))
            found = c.fetchone()
            if found is not None and (found[0], found[1]) > (row.occurred_at, row.position):
                continue  # a late entry of an older team: the newer one stays
            c.execute("INSERT OR REPLACE INTO ledger_teams VALUES (?,?,?,?,?)",
                      (row.account_id, row.owner, json.dumps(row.members), row.occurred_at,
                       row.position))
            c.execute("DELETE FROM ledger_team_members WHERE account_id = ?", (row.account_id,))
            c.executemany("INSERT INTO ledger_team_members VALUES (?,?)", row.employees())

    def team_accounts(self, employee: str) -> frozenset[str]:
        return frozenset(r[0] for r in self._select_in(
            "SELECT account_id FROM ledger_team_members WHERE employee IN ({marks})",
            [employee]))

    def latest_team(self, account_id: str) -> TeamRow | None:
        rows = self._select_in("SELECT * FROM ledger_teams WHERE account_id IN ({marks})",
                               [account_id])
        if not rows:
            return None
        r = rows[0]
        return TeamRow(r[0], r[1], tuple(json.loads(r[2])), r[3], r[4])

    def _migrated(self, name: str) -> bool:
        return bool(self._select_in("SELECT 1 FROM ledger_migrations WHERE name IN ({marks})",
                                    [name]))

    def _note_migration(self, c: Any, name: str) -> bool:
        c.execute("INSERT OR IGNORE INTO ledger_migrations VALUES (?)", (name,))
        c.execute("SELECT changes()")
        return bool(c.fetchone()[0])

    def _stored_of_topic(self, c: Any, topic: str) -> list[tuple[int, bytes]]:
        c.execute(f"SELECT rowid, state FROM {self.events_table_name} WHERE topic = ?",
                  (topic,))
        return [(r[0], r[1]) for r in c.fetchall()]

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
            c.execute(f"SELECT rowid, * FROM {self.events_table_name} WHERE originator_id = ? "
                      "AND rowid > ? ORDER BY originator_version LIMIT ?",
                      (stream.hex, after, limit))
            return [Notification(id=r["rowid"], originator_id=stream,
                                 originator_version=r["originator_version"], topic=r["topic"],
                                 state=r["state"]) for r in c.fetchall()]

    def _chain_page(self, after: int) -> list[ChainRow]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT * FROM ledger_chain WHERE position > ? ORDER BY position LIMIT ?",
                      (after, PAGE))
            return [ChainRow(*r) for r in c.fetchall()]

    def stored_page(self, after: int, limit: int = PAGE,
                    topics: Sequence[str] = ()) -> list[StoredRow]:
        only = f" AND topic IN ({', '.join('?' * len(topics))})" if topics else ""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT rowid, originator_id, originator_version, topic, state "
                      f"FROM {self.events_table_name} WHERE rowid > ?{only} "
                      "ORDER BY rowid LIMIT ?", (after, *topics, limit))
            return [StoredRow(*r) for r in c.fetchall()]


class SQLiteLedgerFactory(SQLiteFactory):
    """The library's SQLite factory, with the chain-keeping recorder."""

    application_recorder_class = SQLiteLedgerRecorder
