"""The projection engine: applies log records to the view tables exactly once.

Each batch of records and the log position it reaches are committed in one SQLite
transaction on one connection; the position lives in the eventsourcing library's
tracking table (created by :class:`~eventsourcing.sqlite.SQLiteTrackingRecorder`),
so a crash at any moment leaves views and position consistent, and a restart
resumes after the last committed record.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import sqlite_utils
from eventsourcing.persistence import PersistenceError
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder

from ledger.contract.records import EventRecord
from ledger.errors import StorageConfigError
from ledger.store.reading import SQLiteLog
from projections import (
    current,
    directory_rows,
    engagement_rows,
    flag_rows,
    paged,
    reference_rows,
)
from projections.batch import Batch
from projections.bulk import LogSource, Split, build_fresh, fresh_path, install, snapshot_copy
from projections.errors import (
    NotAViewsFile,
    OutOfOrder,
    ProjectionError,
    UnknownEventType,
    ViewsUnavailable,
)
from projections.tables import APPLICATION_NAME, TABLES, create_tables, snapshot_position

log = logging.getLogger("ledger.views")

CACHE_KB = 65_536
"""The views connection's page cache."""
SORT_CACHE_KB = 8_192
"""Its page cache while a rebuild builds the query indexes."""
MAX_FAULT_PAUSE = 5.0
"""The longest pause of a follower between two tries while the views have a fault."""

Handler = Callable[[Batch, EventRecord], None]
HANDLERS: dict[str, Handler] = {
    **directory_rows.HANDLERS, **engagement_rows.HANDLERS, **reference_rows.HANDLERS,
}
"""Every event type and the function that turns it into view rows."""

Progress = Callable[[int, int], None]
"""Called after each batch with (events applied so far, position reached)."""


def apply(out: Batch, record: EventRecord) -> None:
    """Buffer one record's history rows (the caller flushes and follows up)."""
    try:
        handler = HANDLERS[record.type]
    except KeyError:
        raise UnknownEventType(f"no projection for event type {record.type!r} "
                               f"(position {record.position})") from None
    handler(out, record)


def open_views(path: str | Path) -> ViewDatabase:
    """The views file at ``path`` (the setting ``LEDGER_VIEWS_PATH`` names it), or a
    :class:`~ledger.errors.StorageConfigError` that says which setting is wrong and why."""
    try:
        return ViewDatabase(path)
    except (sqlite3.Error, OSError, PersistenceError) as exc:
        raise StorageConfigError(
            f"LEDGER_VIEWS_PATH={str(path)!r}: cannot open the views: {exc}") from None


class ViewDatabase:
    """The read-model SQLite file: view tables plus the library's tracking table.

    ``connection_factory`` is the ``sqlite3.Connection`` class of its connection (the
    bench passes one that times SQLite's share of a rebuild).
    """

    def __init__(self, path: str | Path, *, application_name: str = APPLICATION_NAME,
                 connection_factory: type[sqlite3.Connection] = sqlite3.Connection) -> None:
        if str(path) in ("", ":memory:"):
            raise ProjectionError("the views need a file: tracking and rows share it")
        self.path = str(path)
        self.application_name = application_name
        self._connection_factory = connection_factory
        self.last_split: Split | None = None
        self._datastore = SQLiteDatastore(self.path)
        self._tracking = SQLiteTrackingRecorder(self._datastore)
        self._tracking.create_table()
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                     factory=connection_factory)
        connection.execute("PRAGMA busy_timeout = 10000")
        # Rebuilds touch many index pages: a 64 MB page cache instead of SQLite's 2 MB.
        connection.execute(f"PRAGMA cache_size = -{CACHE_KB}")
        # The views are derived and their position commits with their rows, so a power
        # cut may lose the last batches but never mixes them: the follower re-applies
        # them from the log. NORMAL skips the fsync per commit that FULL makes in WAL mode.
        connection.execute("PRAGMA synchronous = NORMAL")
        # Checkpoint every ~80 MB of log instead of every 4 MB: a rebuild batch writes more
        # than 4 MB, so the default checkpointed after every commit.
        connection.execute("PRAGMA wal_autocheckpoint = 20000")
        self.db = sqlite_utils.Database(connection)
        self._lock = threading.Lock()
        with self._transaction():
            older = not self.db["flags"].exists() and self._position_in_transaction() > 0
            absent = paged.absent(self.db) if self._position_in_transaction() > 0 else set()
            create_tables(self.db)
            if older:  # a views file from before the flags table: evaluate every flag
                flag_rows.mark_pending(self.db)
                flag_rows.refresh_pending(self.db)
            if absent:  # from before the tables paged reads use: derive them
                paged.derive(self.db, current.base_currency(self.db), absent)

    def position(self) -> int:
        """The last log position applied to the views (0 when none)."""
        return self._tracking.max_tracking_id(self.application_name) or 0

    def process(self, records: Iterable[EventRecord]) -> int:
        """Apply the records after the tracked position in one transaction.

        Records at or before the tracked position are skipped (they were applied
        already), so handing the same records twice is harmless. Returns the
        position reached.
        """
        with self._transaction():
            start = last = self._position_in_transaction()
            out = Batch(self.db)
            for record in records:
                if record.position <= start:
                    continue
                if record.position <= last:
                    raise OutOfOrder(f"position {record.position} after {last}")
                apply(out, record)
                last = record.position
            if last > start:
                reconverted = current.follow_up(out)
                flag_rows.follow_up(out)
                paged.follow_up(out, reconverted)
                self._write_position(last)
        return last

    def rebuild_from(self, log: BulkLog, *, progress: Progress | None = None,
                     batch_size: int = 5000) -> int:
        """:meth:`rebuild` from a log that can also be read with SQL: an SQLite store's
        engagement recordings and people's events are folded in SQL
        (:mod:`projections.log_fold`), every other event goes through the handlers; any
        other store is read record by record."""
        def read(skipped: Sequence[str]) -> Iterable[EventRecord]:
            types = [name for name in HANDLERS if name not in skipped] if skipped else []
            return log.iter_records(chained=False, types=types)

        return self._rebuild(LogSource(read, log.sqlite_log()), progress, batch_size)

    def rebuild(self, records: Iterable[EventRecord], *, progress: Progress | None = None,
                batch_size: int = 5000) -> int:
        """Rebuild every view from ``records`` at bulk-load speed (:mod:`projections.bulk`):
        a fresh file is built beside this one and then copied into it in one transaction,
        so readers see the old views until the new ones are complete, and an interrupted
        rebuild leaves the old views as they were. Returns the number of events applied;
        :attr:`last_split` says where the time went."""
        return self._rebuild(LogSource.of(records), progress, batch_size)

    def _rebuild(self, source: LogSource, progress: Progress | None, batch_size: int) -> int:
        try:
            with fresh_path(self.path) as fresh:
                split = build_fresh(fresh, source, apply,
                                    application_name=self.application_name,
                                    batch_size=batch_size, progress=progress,
                                    connection_factory=self._connection_factory)
                with self._lock:
                    split.install = install(fresh, self.db.conn)
        except (sqlite3.Error, OSError, PersistenceError) as exc:
            raise ViewsUnavailable(f"the rebuild stopped and the views are as they were: "
                                   f"{_fault_text(exc)}") from exc
        self.last_split = split
        return split.events

    def copy_from(self, source: str | Path,
                  belongs: Callable[[int, str | None], bool] = lambda *_: True) -> int:
        """Replace these views by a consistent copy of another views file (another node's,
        live or backed up), in one transaction; returns the position the copy reached.
        Following the log then goes on from there.

        ``belongs(position, event_id)`` is asked first with the copy's position and the id
        of the event it recorded there; False leaves these views as they were and raises
        :class:`~projections.errors.NotAViewsFile`."""
        with fresh_path(self.path) as fresh:
            snapshot_copy(source, fresh)
            copy = sqlite_utils.Database(fresh)
            try:
                position = snapshot_position(copy, self.application_name)
                event_id = event_id_at(copy, position)
            finally:
                copy.close()
            if not belongs(position, event_id):
                raise NotAViewsFile(f"{source} holds the views of another event log (its "
                                    f"event at position {position} is not this log's)")
            with self._lock:
                install(fresh, self.db.conn)
        return self.position()

    def close(self) -> None:
        """Close both connections to the file."""
        self.db.close()
        self._datastore.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._lock:
            # IMMEDIATE: take the write lock before reading the position, so two
            # processes following the same log cannot both apply a record.
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.db.rollback()
                raise
            self.db.commit()

    def _position_in_transaction(self) -> int:
        row = self.db.execute(self._tracking.select_max_tracking_id_statement,
                              [self.application_name]).fetchone()
        return row[0] or 0

    def _write_position(self, position: int) -> None:
        cursor = self.db.execute(self._tracking.insert_tracking_statement,
                                 {"application_name": self.application_name,
                                  "notification_id": position})
        if cursor.fetchone() is None:
            raise ProjectionError(f"tracking refused position {position}")


@contextmanager
def read_snapshot(path: str | Path) -> Iterator[sqlite_utils.Database]:
    """A read-only connection to a views file holding one consistent snapshot.

    Every query made inside the block sees the views at one log position, even while
    a follower commits new batches (WAL readers do not block the writer). Use one
    per request or thread; the connection is closed on exit.
    """
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    connection = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    try:
        connection.execute("PRAGMA busy_timeout = 10000")
        connection.execute("BEGIN")
        yield sqlite_utils.Database(connection)
    finally:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        connection.close()


def event_id_at(db: sqlite_utils.Database, position: int) -> str | None:
    """The id of the event at ``position`` as a views file recorded it (None: no row names
    that position), to check that views belong to a log."""
    for name, spec in TABLES.items():
        if spec["pk"] == "position" and "event_id" in spec["columns"]:
            row = db.execute(f"SELECT event_id FROM [{name}] WHERE position = ?",
                             [position]).fetchone()
            if row is not None:
                return str(row[0])
    return None


class BulkLog(Protocol):
    """What :meth:`ViewDatabase.rebuild_from` reads: the write side's log reader."""

    def iter_records(self, after: int = 0, page: int = 1000, *, chained: bool = True,
                     types: Sequence[str] = ()) -> Iterator[EventRecord]: ...  # noqa: D102

    def sqlite_log(self) -> SQLiteLog | None: ...  # noqa: D102


class Waitable(Protocol):
    """What a follower waits on: a ``threading.Event``."""

    def is_set(self) -> bool: ...  # noqa: D102 - the Event protocol

    def wait(self, timeout: float | None = None) -> bool: ...  # noqa: D102


class Wakeable(Waitable, Protocol):
    """An event a follower also clears (its wake-up call), and a listener sets."""

    def clear(self) -> None: ...  # noqa: D102

    def set(self) -> None: ...  # noqa: D102


ReadLog = Callable[[int, int], list[EventRecord]]
"""The write side's reader: ``read(after_position, limit)`` → records in position order."""


class Follower:
    """Keeps a :class:`ViewDatabase` up to date by polling the event log.

    The library's subscriptions do not cover SQLite event stores, so the follower
    polls ``read`` from the tracked position on every backend alike. ``fault`` says why
    the views are not following right now (None while they are); ``on_fault`` is told
    each time it changes.
    """

    def __init__(self, views: ViewDatabase, read: ReadLog, *, batch_size: int = 500,
                 interval: float = 0.2,
                 on_fault: Callable[[str | None], None] | None = None) -> None:
        self.views = views
        self.read = read
        self.batch_size = batch_size
        self.interval = interval
        self.fault: str | None = None
        self.on_fault = on_fault

    def poll(self) -> int:
        """Apply at most one batch of new records; return how many were read.

        A storage fault of the log or of the views raises :class:`ViewsUnavailable`,
        which names it; nothing is half-applied (the batch commits with its position)."""
        try:
            records = self.read(self.views.position(), self.batch_size)
            if records:
                self.views.process(records)
        except (sqlite3.Error, PersistenceError, OSError) as exc:
            raise ViewsUnavailable(describe_fault(exc)) from exc
        return len(records)

    def catch_up(self) -> int:
        """Apply every record the log holds now; return the position reached."""
        while self.poll():
            pass
        return self.views.position()

    def wait_for(self, position: int, timeout: float) -> bool:
        """Catch up until the views reach ``position``; False if ``timeout`` s pass first."""
        deadline = time.monotonic() + timeout
        while self.views.position() < position:
            if time.monotonic() >= deadline:
                return False
            if not self.poll():
                time.sleep(min(self.interval / 4, max(deadline - time.monotonic(), 0)))
        return True

    def run(self, stop: Waitable, wake: Wakeable | None = None) -> None:
        """Follow the log until ``stop`` is set (run it in a thread or a process).

        Between empty polls it sleeps ``interval`` seconds, or until ``wake`` (set by a
        writer after each write) is set. A fault never ends the loop: it is reported
        (once, until it ends) and the poll is tried again with a growing pause.
        """
        pause = self.interval
        while not stop.is_set():
            if wake is not None:
                wake.clear()  # before polling: a write acknowledged later sets it again
            try:
                applied = self.poll()
            except ViewsUnavailable as exc:
                self._set_fault(str(exc))
                stop.wait(pause)
                pause = min(pause * 2, MAX_FAULT_PAUSE)
                continue
            self._set_fault(None)
            pause = self.interval
            if not applied:
                (wake or stop).wait(self.interval)

    def _set_fault(self, fault: str | None) -> None:
        if fault == self.fault:
            return
        if fault is None:
            log.warning("the views follow the log again (position %d)", self.views.position())
        else:
            log.warning("the views stopped at position %d: %s", self.views.position(), fault)
        self.fault = fault
        if self.on_fault is not None:
            self.on_fault(fault)


def describe_fault(exc: BaseException) -> str:
    """One line naming a storage fault: a full disk says so, as does a lost event store."""
    text = _fault_text(exc)
    if text == "views disk full":
        return text
    if isinstance(exc, PersistenceError):
        return f"event store unreachable: {text}"
    return f"views cannot be written: {text}"


def _fault_text(exc: BaseException) -> str:
    """A fault's first line, or ``views disk full`` for a full disk."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "disk is full" in text or getattr(exc, "errno", None) == errno.ENOSPC:
        return "views disk full"
    return text


