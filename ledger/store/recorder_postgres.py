"""The PostgreSQL recorder and factory: the library's PostgreSQL application recorder,
subclassed to write the chain, event-id, key and link rows in the insert's transaction,
under the exclusive table lock the insert takes (see :mod:`ledger.store.recorder` for what both
backends share). Rows go in with one ``unnest`` statement a table, and a failure after the
insert aborts the transaction itself, since the library would commit it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from psycopg.sql import SQL, Identifier

from ledger.store.chain import ChainRow, StoredRow
from ledger.store.privacy import stakeholder_subject, subject_streams
from ledger.store.recorder import (
    PAGE,
    PERSONAL_TOPICS,
    CompanionRows,
    LedgerRecorderMixin,
    StreamsChanged,
    TeamRow,
    companions_of,
    team_rows,
)

log = logging.getLogger("ledger.recorder")  # one logger for the recorders of both stores


def _once(method: Any) -> Any:
    """The library's method without its retry decorator."""
    return getattr(method, "__wrapped__", method)


class PostgresLedgerRecorder(LedgerRecorderMixin, PostgresApplicationRecorder):
    """PostgreSQL recorder: chain rows are written under the library's exclusive table lock."""

    # The library tries these ten times, 0.2 s apart, each try waiting up to the pool's
    # timeout for a connection: an outage held a request for most of a minute. The
    # ledger tries once more itself, on a fresh connection, then answers 503 (SPEC §5.4);
    # the views' follower retries with its own backoff.
    insert_events = _once(PostgresApplicationRecorder.insert_events)
    max_notification_id = _once(PostgresApplicationRecorder.max_notification_id)
    select_notifications = _once(PostgresApplicationRecorder.select_notifications)

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        schema = Identifier(self.datastore.schema)
        self.chain_table = SQL("{0}.ledger_chain").format(schema)
        self.ids_table = SQL("{0}.ledger_event_ids").format(schema)
        self.keys_table = SQL("{0}.ledger_subject_keys").format(schema)
        self.links_table = SQL("{0}.ledger_subject_links").format(schema)
        self.migrations_table = SQL("{0}.ledger_migrations").format(schema)
        self.teams_table = SQL("{0}.ledger_teams").format(schema)
        self.team_members_table = SQL("{0}.ledger_team_members").format(schema)
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
            SQL("CREATE TABLE IF NOT EXISTS {0} (account_id text PRIMARY KEY, owner text NOT "
                "NULL, members text NOT NULL, occurred_at text NOT NULL, position bigint "
                "NOT NULL)").format(self.teams_table),
            SQL("CREATE TABLE IF NOT EXISTS {0} (employee text NOT NULL, account_id text "
                "NOT NULL, PRIMARY KEY (employee, account_id))").format(
                self.team_members_table),
        ])

    def _insert_stored_events(self, curs: Any, stored_events: Sequence[StoredEvent],
                              **kwargs: Any) -> None:
        companions = companions_of(kwargs)
        if companions.read_streams:
            # Before inserting, under the exclusive table lock the insert takes anyway: the
            # library commits when a hook raises a Python error, so nothing may be written
            # yet when StreamsChanged is raised.
            self._lock_table(curs)
            curs.execute(SQL("SELECT 1 FROM {0}.{1} WHERE originator_id = ANY(%s) AND "
                             "notification_id > %s LIMIT 1").format(
                Identifier(self.datastore.schema), Identifier(self.events_table_name)),
                [list(companions.read_streams), companions.read_after])
            if curs.fetchone() is not None:
                raise StreamsChanged
        super()._insert_stored_events(curs, stored_events, **kwargs)

    def _fetch_ids_after_insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        assert ids is not None
        try:
            self._write_ledger_rows(curs, ids, stored_events, companions_of(kwargs))
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
                           stored_events: Sequence[StoredEvent],
                           companions: CompanionRows) -> None:
        curs.execute(SQL("SELECT chain_hash FROM {0} ORDER BY position DESC LIMIT 1").format(
            self.chain_table))
        last = curs.fetchone()
        rows = self._chain_rows(last, ids, stored_events, companions)
        _insert_rows(curs, self.chain_table, ("bigint", "text", "text", "text"), rows)
        _insert_rows(curs, self.ids_table, ("text", "text", "bigint"),
                     list(companions.id_rows(ids)))
        keys = companions.keys
        if keys is not None:
            _insert_rows(curs, self.keys_table, ("text", "bytea"), list(keys.new_keys.items()))
            _insert_rows(curs, self.links_table, ("text", "text"), list(keys.link_rows()),
                         " ON CONFLICT DO NOTHING")
            for stakeholder_id, index in keys.forget:
                self._shred(curs, stakeholder_id, ids[index])
            _insert_rows(curs, self.keys_table, ("text", "bytea"), list(keys.late_keys.items()))
        teams = team_rows(ids, stored_events)
        if teams:
            self._write_teams(curs, teams)
        # Replaced, not extended: the library retries a failed insert (a lost connection)
        # with the same arguments, and only the last attempt's hashes hold.
        companions.chain_hashes[:] = [row[3] for row in rows]

    def _shred(self, curs: Any, stakeholder_id: str, position: int) -> None:
        curs.execute(SQL("SELECT subject FROM {0} WHERE stakeholder_id = %s").format(
            self.links_table), (stakeholder_id,))
        subjects = [stakeholder_subject(stakeholder_id),
                    *(r["subject"] for r in curs.fetchall())]
        curs.execute(SQL("DELETE FROM {0} WHERE subject = ANY(%s)").format(self.keys_table),
                     (subjects,))
        curs.execute(SQL(
            "SELECT c.event_id, e.originator_id, e.originator_version, e.topic, e.state "
            "FROM {0} e JOIN {1} c ON c.position = e.notification_id "
            "WHERE e.originator_id = ANY(%s) AND e.notification_id <= %s "
            "AND e.topic = ANY(%s)").format(
            Identifier(self.datastore.schema, self.events_table_name), self.chain_table),
            (subject_streams(subjects), position, list(PERSONAL_TOPICS)))
        shredded = [(r["event_id"], StoredEvent(r["originator_id"], r["originator_version"],
                                                r["topic"], bytes(r["state"])))
                    for r in curs.fetchall()]
        redacted = self._redacted(shredded)
        curs.execute(SQL(
            "UPDATE {0} SET content_digest = r.digest FROM unnest(%s::text[], %s::text[]) "
            "AS r(digest, event_id) WHERE {0}.event_id = r.event_id").format(self.ids_table),
            ([digest for digest, _ in redacted], [event_id for _, event_id in redacted]))

    def _write_teams(self, curs: Any, rows: Sequence[TeamRow]) -> None:
        for row in rows:
            curs.execute(SQL("SELECT occurred_at, position FROM {0} WHERE account_id = %s")
                         .format(self.teams_table), (row.account_id,))
            found = curs.fetchone()
            if found is not None and (found["occurred_at"], found["position"]) > (
                    row.occurred_at, row.position):
                continue  # a late entry of an older team: the newer one stays
            curs.execute(SQL(
                "INSERT INTO {0} VALUES (%s, %s, %s, %s, %s) ON CONFLICT (account_id) DO "
                "UPDATE SET owner = excluded.owner, members = excluded.members, "
                "occurred_at = excluded.occurred_at, position = excluded.position").format(
                self.teams_table), (row.account_id, row.owner, json.dumps(row.members),
                                    row.occurred_at, row.position))
            curs.execute(SQL("DELETE FROM {0} WHERE account_id = %s").format(
                self.team_members_table), (row.account_id,))
            _insert_rows(curs, self.team_members_table, ("text", "text"), row.employees())

    def team_accounts(self, employee: str) -> frozenset[str]:
        return frozenset(r["account_id"] for r in self._select(
            SQL("SELECT account_id FROM {0} WHERE employee = %s").format(
                self.team_members_table), [employee]))

    def latest_team(self, account_id: str) -> TeamRow | None:
        rows = self._select(SQL("SELECT * FROM {0} WHERE account_id = %s").format(
            self.teams_table), [account_id])
        if not rows:
            return None
        r = rows[0]
        return TeamRow(r["account_id"], r["owner"], tuple(json.loads(r["members"])),
                       r["occurred_at"], r["position"])

    def _migrated(self, name: str) -> bool:
        return bool(self._select(SQL("SELECT 1 FROM {0} WHERE name = %s").format(
            self.migrations_table), [name]))

    def _note_migration(self, curs: Any, name: str) -> bool:
        curs.execute(SQL("INSERT INTO {0} VALUES (%s) ON CONFLICT DO NOTHING").format(
            self.migrations_table), (name,))
        return bool(curs.rowcount)

    def _stored_of_topic(self, curs: Any, topic: str) -> list[tuple[int, bytes]]:
        curs.execute(SQL("SELECT notification_id, state FROM {0} WHERE topic = %s").format(
            Identifier(self.datastore.schema, self.events_table_name)), (topic,))
        return [(r["notification_id"], r["state"]) for r in curs.fetchall()]

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

    def _chain_page(self, after: int) -> list[ChainRow]:
        return [ChainRow(**r) for r in self._select(
            SQL("SELECT * FROM {0} WHERE position > %s ORDER BY position LIMIT %s").format(
                self.chain_table), [after, PAGE])]

    def stored_page(self, after: int, limit: int = PAGE,
                    topics: Sequence[str] = ()) -> list[StoredRow]:
        # The id as hex text, as the digest spells it: no UUID object per row.
        only = SQL(" AND topic = ANY(%s)") if topics else SQL("")
        return [StoredRow(r["notification_id"], r["stream"], r["originator_version"],
                          r["topic"], r["state"]) for r in self._select(
            SQL("SELECT notification_id, replace(originator_id::text, '-', '') AS stream, "
                "originator_version, topic, state FROM {0} WHERE notification_id > %s{1} "
                "ORDER BY notification_id LIMIT %s").format(
                Identifier(self.datastore.schema, self.events_table_name), only),
            [after, *([list(topics)] if topics else []), limit])]


def _insert_rows(curs: Any, table: Any, types: Sequence[str], rows: Sequence[Sequence[Any]],
                 suffix: str = "") -> None:
    """Insert ``rows`` in one statement, one array parameter per column: one round of
    work for the server instead of one INSERT per row (``executemany``)."""
    if not rows:
        return
    columns = SQL(", ").join(SQL("%s::{0}[]").format(SQL(t)) for t in types)
    curs.execute(SQL("INSERT INTO {0} SELECT * FROM unnest({1})").format(table, columns)
                 + SQL(suffix), [list(column) for column in zip(*rows, strict=True)])


class PostgresLedgerFactory(PostgresFactory):
    """The library's PostgreSQL factory, with the chain-keeping recorder."""

    application_recorder_class = PostgresLedgerRecorder
