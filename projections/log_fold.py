"""Folding the bulk of an SQLite log with SQL: recordings and people's events into rows.

Most of a log is ``engagement.recorded`` events, and each turns into the same rows
whatever came before it: its ``engagements`` row, its first ``engagement_versions`` row and
one ``engagement_shares`` row per participant. Most of the rest are the stakeholders' own
events (registered, role, attitude, layer, departed): a registration's ``stakeholders``
row and one ``stakeholder_changes`` row each, whose account is the person's. A bulk rebuild
from an SQLite event store attaches the store's file read-only and writes those rows with
``INSERT … SELECT``, extracting the fields with SQLite's JSON functions; Python runs only
where SQL cannot do the job exactly (UTC stamps of offset times, money formatted to the
currency's minor units, the SPEC §4.1 split of a cost, JSON text as the handlers write it,
opening sealed fields), as functions registered on the connection. Every other event type
goes through the handlers, in log order.

None of these rows depend on an event of another type, so they are all folded first, before
the handlers apply the rest of the log in order: a correction, void or approval always
comes after its recording, and an erasure (``stakeholder.forgotten``, applied by its
handler) rewrites only rows of events before it (:func:`projections.engagement_rows.
forget_engagements`), which are all there, as following the log finds them. The log is
folded a chunk of positions at a time, through one temporary table of each kind's fields,
so memory stays bounded however long the log.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ledger.aggregates import topics_of
from ledger.contract.money import currency_units
from ledger.store.reading import SQLiteLog
from projections.fold_sql import list_sql, marks, opened, quoted, register_functions, stamp_sql
from projections.lanes import open_side, remove_side
from projections.sql_money import minor_text, plain_amount

RECORDED = "engagement.recorded"
PEOPLE_TYPES = ("stakeholder.registered", "stakeholder.role_changed",
                "stakeholder.attitude_changed", "stakeholder.layer_changed",
                "stakeholder.departed")
"""The stakeholders' own events the fold writes (``stakeholders``, ``stakeholder_changes``);
an erasure stays with its handler (it rewrites rows of events before it)."""
FOLDED_TYPES = (RECORDED, *PEOPLE_TYPES)
"""The event types folded in SQL; the handlers apply every other type."""
CHUNK = 2048
"""At most this many log positions are folded at a time: the statements' temporary tables
stay small enough for SQLite's page caches (nothing spills to temporary files), whatever
the length of the log."""
SCHEMA = "log"
"""The name the event store's file is attached under."""
BESIDE = "people_side"
"""The name the side file of the people's fold is attached under."""
PEOPLE_TABLES = ("stakeholders", "stakeholder_changes")
"""The tables the stakeholders' own events are folded into."""
BESIDE_TABLES = (*PEOPLE_TABLES, "engagements", "engagement_versions", "engagement_shares")
"""The tables the side file's fold writes: the people's, and the recordings'."""
_SIDE_PRAGMAS = ("journal_mode = OFF", "synchronous = OFF", "cache_size = -16384",
                 "temp_store = FILE", "temp.journal_mode = OFF", "threads = 0")
"""The side file is built as the fresh file is: no journal, no syncs."""

def _extracted(*data: str) -> str:
    """SQL: an event's id and times and the given fields of its ``data``, each extracted
    once from the state ``s`` (into a materialized table), named as the field."""
    return ", ".join(f"json_extract(s, '{path}') AS {name}" for name, path in (
        ("event_id", "$.event_id"), ("occurred", "$.occurred_at._data_"),
        ("recorded", "$.timestamp._data_"), *((name, f"$.data.{name}") for name in data)))


_EXTRACTED = ", ".join((
    _extracted("engagement_id", "account_id", "kind", "owner", "opportunity_id",
               "approval_ref", "allocation", "location", "notes"),
    "json_extract(s, '$.recorded_by') AS recorded_by",
    "json_extract(s, '$.data.hosts') AS hosts_json",
    "json_extract(s, '$.data.participants') AS people_json",
    "json_extract(s, '$.data.cost.amount') AS amount",
    "json_extract(s, '$.data.cost.currency') AS currency")) + " "
"""The fields of a recording's state, each extracted once (into a materialized table)."""
_PERSON_FIELDS = _extracted(
    "stakeholder_id", "account_id", "name", "title", "birthday", "notes", "department",
    "public_official", "role", "attitude", "layer", "rising_star", "reason", "observed_by")
"""The fields of a stakeholder's own event."""


_COST = ("CASE WHEN f.amount IS NULL THEN NULL WHEN f.plain THEN f.amount "
         "ELSE ledger_amount(f.amount, f.currency) END")
"""SQL: the cost's amount as the handlers write it (a plain amount is already)."""


class LogFold:
    """Folds the events of :data:`FOLDED_TYPES` in ``log`` into ``connection``'s tables.

    :meth:`attach` it before the build's transaction and :meth:`prepare` it inside (False:
    the log holds states the SQL cannot read; fold nothing then, and hand every event to the
    handlers); :meth:`run` it before the handlers apply the other events, and :meth:`detach`
    it after the commit. ``seconds`` adds up the time spent in SQL, ``events`` the events
    folded.

    With ``beside`` (a path for a side file), a thread with a connection of its own folds
    the stakeholders' own events into that file and then takes recordings from the log's
    end, while this connection takes them from its start (:class:`_Chunks`); the side
    file's rows are then copied in (the people's tables as whole records, SQLite's
    transfer; the recordings' appended). Both read the store's same snapshot: when a write
    to the store came between their first reads (the heads differ), the thread folds
    nothing and this connection folds everything.
    """

    def __init__(self, connection: sqlite3.Connection, log: SQLiteLog,
                 beside: str | None = None) -> None:
        self.connection = connection
        self.log = log
        self.beside = beside
        self.seconds = 0.0
        self.events = 0
        self._topic = topics_of([RECORDED])[0]
        self._people_topics = dict(zip(topics_of(PEOPLE_TYPES), PEOPLE_TYPES, strict=True))
        self._attached: list[str] = []
        self.head = 0
        """The last position of the store's snapshot: the build applies the log up to it."""

    def attach(self) -> None:
        """Attach the store's file, read-only (outside a transaction: SQLite's rule)."""
        uri = Path(self.log.path).resolve().as_uri() + "?mode=ro"
        self.connection.execute(f"ATTACH DATABASE ? AS {SCHEMA}", [uri])
        self._attached.append(SCHEMA)

    def prepare(self) -> bool:
        """Take the store's snapshot (inside the build's transaction) and its head. False
        when the store holds an event of a folded type whose state the SQL cannot read as
        the handlers would: fold nothing then, and hand every event to them."""
        started = time.perf_counter()
        table = f"{SCHEMA}.[{self.log.events_table}]"
        self.head = self.connection.execute(f"SELECT MAX(rowid) FROM {table}").fetchone()[0] or 0
        register_functions(self.connection)
        folded = topics_of(FOLDED_TYPES)
        if self.connection.execute(
                f"SELECT 1 FROM {table} WHERE rowid <= ? AND topic IN ({marks(folded)}) "
                "AND NOT ledger_plain(state) LIMIT 1", [self.head, *folded]).fetchone():
            return False
        self._recordings_tables(self.connection)
        self.seconds += time.perf_counter() - started
        return True

    def _recordings_tables(self, connection: sqlite3.Connection) -> None:
        """The temporary tables the recordings' fold uses, made once on ``connection``:
        each currency's minor units, and the one table the chunks' fields go through (no
        schema change per chunk: the statements stay prepared)."""
        connection.execute("CREATE TEMP TABLE IF NOT EXISTS minor_units "
                           "(currency TEXT PRIMARY KEY, exponent INTEGER, scale INTEGER)")
        connection.executemany("INSERT OR REPLACE INTO temp.minor_units VALUES (?, ?, ?)",
                               [(code, units, 10 ** units)
                                for code, units in currency_units().items()])
        connection.execute("DROP TABLE IF EXISTS temp.folded")
        connection.execute(f"CREATE TEMP TABLE folded AS {self._fields_sql()} LIMIT 0",
                           [self._topic, 0, 0])

    @staticmethod
    def skipped() -> Sequence[str]:
        """The event types the handlers must not see (the fold writes their rows)."""
        return FOLDED_TYPES

    def run(self) -> None:
        """Fold every event of the folded types in the snapshot (the log up to
        :attr:`head`), inside the build's transaction (which, with a side file, is
        committed once and begun again to attach it)."""
        started = time.perf_counter()
        chunks = [(low, min(self.head + 1, low + CHUNK)) for low in range(1, self.head + 1, CHUNK)]
        shared = _Chunks(chunks)
        stop = threading.Event()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="fold") as pool:
            schema = [sql for (sql,) in self.connection.execute(
                "SELECT sql FROM main.sqlite_master WHERE sql IS NOT NULL AND tbl_name IN "
                f"({quoted(BESIDE_TABLES)}) ORDER BY type = 'index', name")]
            beside = (pool.submit(self._beside, self.beside, schema, shared, stop)
                      if self.beside is not None else None)
            try:
                while (chunk := shared.front()) is not None:
                    self.events += self._fold_recordings(self.connection, *chunk)
            except BaseException:
                stop.set()  # this one failed: the thread stops too
                raise
            folded = beside.result() if beside is not None else None
        if folded is not None and self.beside is not None:
            self.events += folded
            self._copy_in(self.beside)
        else:
            self._people_table()
            for low, high in chunks:
                self.events += self._fold_people(self.connection, low, high)
            self.connection.execute("DROP TABLE temp.people")
        self.connection.execute("DROP TABLE IF EXISTS temp.folded")
        self.seconds += time.perf_counter() - started

    def _copy_in(self, path: str) -> None:
        """Copy the thread's rows from the side file at ``path`` into this connection's
        tables.

        The side file is attached only now, outside a transaction (SQLite's rule; attached
        while the thread wrote it, this connection's read lock would have kept the thread
        from committing): the load so far is committed, and goes on in another
        transaction."""
        self.connection.execute("COMMIT")
        self.connection.execute(f"ATTACH DATABASE ? AS {BESIDE}",
                                [Path(path).resolve().as_uri() + "?mode=ro"])
        self._attached.append(BESIDE)
        self.connection.execute("BEGIN")
        # The people's tables are empty here and alike in both: SQLite's transfer moves
        # whole records. The recordings' rows (of the log's last chunks) are appended.
        for table in BESIDE_TABLES:
            self.connection.execute(f"INSERT INTO main.[{table}] SELECT * FROM {BESIDE}.[{table}]")

    def detach(self) -> None:
        """Detach the store and the side file, and remove that (outside a transaction);
        harmless when not attached."""
        while self._attached:
            name = self._attached.pop()
            # (after a failure, inside the build's transaction: closing detaches them)
            with contextlib.suppress(sqlite3.OperationalError):
                self.connection.execute(f"DETACH DATABASE {name}")
        if self.beside is not None:
            remove_side(self.beside)

    def _beside(self, path: str, schema: Sequence[str], chunks: _Chunks,
                stop: threading.Event) -> int | None:
        """Fold the stakeholders' own events, then recordings of the chunks left at the
        log's end, into the side file at ``path`` (its tables made with ``schema``) on a
        connection of its own (run on a thread); how many, or None when its snapshot of
        the store is not this connection's (then it folds nothing)."""
        connection = open_side(path, _SIDE_PRAGMAS, stop, {SCHEMA: self.log.path})
        try:
            connection.execute("BEGIN")
            table = f"{SCHEMA}.[{self.log.events_table}]"
            if connection.execute(f"SELECT MAX(rowid) FROM {table}").fetchone()[0] != self.head:
                return None
            register_functions(connection)
            for sql in schema:
                connection.execute(sql)  # the same tables and indexes, for the copy
            self._people_table(connection)
            events = sum(self._fold_people(connection, low, high) for low, high in chunks.all)
            self._recordings_tables(connection)
            while (chunk := chunks.back()) is not None:
                events += self._fold_recordings(connection, *chunk)
            connection.execute("COMMIT")
            return events
        finally:
            connection.close()

    def _people_table(self, connection: sqlite3.Connection | None = None) -> None:
        """The temporary table the people's fields go through, made once on ``connection``
        (this one by default)."""
        connection = connection or self.connection
        connection.execute("DROP TABLE IF EXISTS temp.people")
        connection.execute(f"CREATE TEMP TABLE people AS {self._people_sql()} LIMIT 0",
                           [*self._people_topics, 0, 0])

    def _fold_recordings(self, connection: sqlite3.Connection, start: int, end: int) -> int:
        """Write the rows of the recordings at positions in [start, end) with ``connection``;
        how many."""
        keys = f"{SCHEMA}.[{self.log.keys_table}]"
        connection.execute(f"INSERT INTO temp.folded {self._fields_sql()}",
                                [self._topic, start, end])
        connection.execute(
            "INSERT INTO engagements (engagement_id, account_id, occurred_at, recorded_at, "
            "position, event_id, recorded_by) SELECT engagement_id, account_id, occurred_at, "
            "recorded_at, position, event_id, recorded_by FROM temp.folded")
        connection.execute(
            "INSERT INTO engagement_versions (position, event_id, event_type, occurred_at, "
            "recorded_at, engagement_id, account_id, engagement_occurred_at, kind, owner, "
            "hosts, participants, cost_amount, cost_currency, allocation, unallocated_amount, "
            "opportunity_id, approval_ref, location, notes, changes, reason) "
            "SELECT f.position, f.event_id, 'engagement.recorded', f.occurred_at, "
            "f.recorded_at, f.engagement_id, f.account_id, f.occurred_at, f.kind, f.owner, "
            f"f.hosts, f.participants, {_COST}, f.currency, "
            "CASE WHEN f.allocation IS NOT NULL THEN ledger_sorted(f.allocation) END, "
            f"CASE WHEN f.participants = '[]' THEN {_COST} END, "
            "f.opportunity_id, f.approval_ref, "
            f"{opened('f.location', 'k.key')}, {opened('f.notes', 'k.key')}, NULL, NULL "
            # the subject of an engagement's text, as ledger.store.privacy names it
            f"FROM temp.folded f LEFT JOIN {keys} k "
            "ON k.subject = 'engagement:' || f.engagement_id "
            "AND (f.location IS NOT NULL OR f.notes IS NOT NULL)")
        # Shares: SPEC 4.1's even split in SQL when the amount is plain (exactly the
        # currency's decimals), each participant's share in minor units, the remainder a
        # unit each to the first in id order (its rank: how many participants come before
        # it; counted only when there is a remainder; a sole participant has the amount);
        # explicit allocations and odd amounts in Python.
        units = ("(CASE WHEN minor % n = 0 THEN minor / n ELSE minor / n + (minor % n > "
                 "(SELECT COUNT(*) FROM json_each(people_json) q WHERE q.value < stakeholder_id)"
                 ") END)")
        connection.execute(
            "INSERT INTO engagement_shares (version_position, stakeholder_id, engagement_id, "
            "account_id, engagement_occurred_at, recorded_at, share_amount, currency) "
            "SELECT position, stakeholder_id, engagement_id, account_id, occurred_at, "
            "recorded_at, CASE WHEN minor IS NULL THEN NULL WHEN n = 1 THEN amount ELSE "
            f"{minor_text(units, 'exponent', 'scale')} END, "
            "currency FROM (SELECT f.position, p.value AS stakeholder_id, f.engagement_id, "
            "f.account_id, f.occurred_at, f.recorded_at, f.currency, f.exponent, f.scale, "
            "f.amount, f.people_json, json_array_length(f.people_json) AS n, "
            "CAST(replace(f.amount, '.', '') AS INTEGER) AS minor "
            "FROM temp.folded f, json_each(f.people_json) p "
            "WHERE f.participants != '[]' AND f.allocation IS NULL "
            "AND (f.amount IS NULL OR f.plain))")
        connection.execute(
            "INSERT INTO engagement_shares (version_position, stakeholder_id, engagement_id, "
            "account_id, engagement_occurred_at, recorded_at, share_amount, currency) "
            "SELECT f.position, p.key, f.engagement_id, f.account_id, f.occurred_at, "
            "f.recorded_at, p.value, f.currency FROM temp.folded f, "
            "json_each(ledger_shares(f.amount, f.currency, f.participants, f.allocation)) p "
            "WHERE f.participants != '[]' AND f.amount IS NOT NULL "
            "AND (f.allocation IS NOT NULL OR NOT f.plain)")
        count: int = connection.execute("SELECT COUNT(*) FROM temp.folded").fetchone()[0]
        connection.execute("DELETE FROM temp.folded")
        return count

    def _fold_people(self, connection: sqlite3.Connection, start: int, end: int) -> int:
        """Write the rows of the stakeholders' own events at positions in [start, end) with
        ``connection``, as :mod:`projections.directory_rows` writes them: a registration's
        identity row, and every event's state row (each type sets its own columns; the
        account is the person's, registered earlier in the log); how many."""
        connection.execute(f"INSERT INTO temp.people {self._people_sql()}",
                           [*self._people_topics, start, end])
        connection.execute(
            "INSERT INTO stakeholders (stakeholder_id, account_id, name, title, birthday, "
            "notes, department, public_official, forgotten, registered_position, "
            "registered_occurred_at, registered_recorded_at) SELECT stakeholder_id, "
            f"account_id, {opened('name')}, {opened('title')}, {opened('birthday')}, "
            f"{opened('notes')}, department, public_official, 0, position, occurred_at, "
            "recorded_at FROM temp.people WHERE event_type = 'stakeholder.registered'")

        def only(column: str, *types: str) -> str:
            return f"CASE WHEN p.event_type IN ({quoted(types)}) THEN {column} END"

        connection.execute(
            "INSERT INTO stakeholder_changes (position, event_id, event_type, occurred_at, "
            "recorded_at, stakeholder_id, account_id, role, attitude, layer, rising_star, "
            "departed, reason, observed_by) SELECT p.position, p.event_id, p.event_type, "
            "p.occurred_at, p.recorded_at, p.stakeholder_id, "
            "CASE WHEN p.event_type = 'stakeholder.registered' THEN p.account_id ELSE "
            "(SELECT s.account_id FROM stakeholders s WHERE s.stakeholder_id = p.stakeholder_id) "
            "END, "
            + ", ".join((
                only("p.role", "stakeholder.registered", "stakeholder.role_changed"),
                only("p.attitude", "stakeholder.registered", "stakeholder.attitude_changed"),
                only("p.layer", "stakeholder.registered", "stakeholder.layer_changed"),
                only("p.rising_star", "stakeholder.registered", "stakeholder.layer_changed"),
                "CASE p.event_type WHEN 'stakeholder.registered' THEN 0 "
                "WHEN 'stakeholder.departed' THEN 1 END",
                only(opened("p.reason"), "stakeholder.role_changed",
                     "stakeholder.attitude_changed", "stakeholder.departed"),
                only("p.observed_by", "stakeholder.attitude_changed"),
            )) + " FROM temp.people p")
        count: int = connection.execute("SELECT COUNT(*) FROM temp.people").fetchone()[0]
        connection.execute("DELETE FROM temp.people")
        return count

    def _people_sql(self) -> str:
        """SQL: the fields of the stakeholders' own events (their topics the first
        parameters) at positions in [start, end) (the last two), each state cast to text
        once and each field extracted once, with the key that opens the person's text."""
        kind = "CASE topic " + " ".join(f"WHEN '{topic}' THEN '{name}'" for topic, name
                                        in self._people_topics.items()) + " END"
        return ("WITH m AS MATERIALIZED (SELECT rowid AS position, topic, CAST(state AS TEXT) "
                f"AS s FROM {SCHEMA}.[{self.log.events_table}] WHERE topic IN "
                f"({marks(self._people_topics)}) AND rowid >= ? AND rowid < ?), "
                f"r AS MATERIALIZED (SELECT position, {kind} AS event_type, {_PERSON_FIELDS} "
                "FROM m) "
                f"SELECT r.*, {stamp_sql('occurred')} AS occurred_at, "
                f"{stamp_sql('recorded')} AS recorded_at, k.key "
                f"FROM r LEFT JOIN {SCHEMA}.[{self.log.keys_table}] k "
                # the subject of a person's text, as ledger.store.privacy names it
                "ON k.subject = 'stakeholder:' || r.stakeholder_id")

    def _fields_sql(self) -> str:
        """SQL: the fields of the recordings of a topic (the first parameter) at positions
        in [start, end) (the other two).

        One pass over the states, each cast to text once (json_extract would copy it again
        for every field) and each field extracted once, however often the expressions use
        it: both CTEs materialized (a subquery would be flattened, and a co-routine copies
        a value for every use)."""
        return ("WITH m AS MATERIALIZED (SELECT rowid AS position, CAST(state AS TEXT) AS s "
                f"FROM {SCHEMA}.[{self.log.events_table}] WHERE topic = ? AND rowid >= ? "
                "AND rowid < ?), r AS MATERIALIZED (SELECT position, " + _EXTRACTED + "FROM m) "
                "SELECT r.*, u.exponent, u.scale, "
                f"{stamp_sql('occurred')} AS occurred_at, "
                f"{stamp_sql('recorded')} AS recorded_at, "
                f"{list_sql('hosts_json')} AS hosts, {list_sql('people_json')} AS participants, "
                # (a condition, not a value: SQLite stops at its first false term)
                f"CASE WHEN {plain_amount('r.amount', 'u.exponent')} THEN 1 "
                "WHEN r.amount IS NOT NULL THEN 0 END AS plain "
                "FROM r LEFT JOIN temp.minor_units u ON u.currency = r.currency")


class _Chunks:
    """The log's chunks of positions, shared by two folds: the build's connection takes
    them from the front, the thread (once the people's events are folded) from the back,
    until none is left; so each folds recordings as long as the other does, however fast
    each one goes."""

    def __init__(self, chunks: Sequence[tuple[int, int]]) -> None:
        self.all = chunks
        self._front, self._back = 0, len(chunks)
        self._lock = threading.Lock()

    def front(self) -> tuple[int, int] | None:
        """The first chunk nobody took, or None."""
        with self._lock:
            if self._front >= self._back:
                return None
            self._front += 1
            return self.all[self._front - 1]

    def back(self) -> tuple[int, int] | None:
        """The last chunk nobody took, or None."""
        with self._lock:
            if self._front >= self._back:
                return None
            self._back -= 1
            return self.all[self._back]
