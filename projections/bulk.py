"""A rebuild at bulk-load speed: a fresh views file, loaded in one go, then installed.

Following the log commits each batch with its position (exactly once, crash-safe). A
rebuild needs none of that until it is done, so it builds a new file beside the views:
no journal, no syncs, an exclusive lock, one transaction; from an SQLite store the
engagement recordings and the stakeholders' own events are folded with SQL first (the
people's on a thread of their own, :mod:`projections.log_fold`), then the handlers write
the other events' history rows batch by batch (lookups of earlier batches go through the
few indexes applying needs),
the load is committed and its page cache given back, the current tables and the flags are
derived once at the end (:mod:`projections.derive`, :mod:`projections.flag_sql`), the two
largest derivations side by side (:mod:`projections.lanes`; the file is in WAL mode from
then on), the position is written once, and the indexes only queries use are built after
the load. The file is then copied into the live views file with SQLite's online backup, in
one write transaction: readers and a follower see the old views or the new, never a mix,
and keep their connections (no file is renamed under them). An interrupted rebuild
leaves the live views as they were.

:func:`snapshot_copy` seeds a node's views the same way from another node's consistent
copy (``ledger views-copy``); the follower then goes on from the copy's position.

A table joins the bulk path by being in :data:`projections.tables.TABLES` (its history
rows come from the handlers) and, if it is derived from other tables rather than written
by handlers, by a step in :func:`projections.derive.derive_current`.
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice, takewhile
from pathlib import Path

import sqlite_utils
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder

from ledger.contract.records import EventRecord
from ledger.store.reading import SQLiteLog
from projections import derive
from projections.batch import Batch
from projections.errors import NotAViewsFile, OutOfOrder
from projections.lanes import Lane, attached, copy_in, remove_sides, run_lanes
from projections.log_fold import LogFold
from projections.tables import TABLES, create_tables

Apply = Callable[[Batch, EventRecord], None]
ReadSkipping = Callable[[Sequence[str]], Iterable[EventRecord]]
"""The log's records in position order, leaving out events of the given types."""


@dataclass(frozen=True)
class LogSource:
    """What a bulk build reads: the records, and the SQLite store they come from when SQL
    may fold part of it itself (:mod:`projections.log_fold`)."""

    read: ReadSkipping
    sqlite: SQLiteLog | None = None

    @classmethod
    def of(cls, records: Iterable[EventRecord]) -> LogSource:
        """Records handed over as they are (every event through the handlers)."""
        return cls(lambda skipped: records)


Progress = Callable[[int, int], None]

LOAD_CACHE_KB = 65_536
"""The fresh file's page cache while loading."""
SORT_CACHE_KB = 8_192
"""Its page cache while the current tables and flags are derived and the query indexes
built: SQLite sorts in memory up to the cache's size, so a small cache keeps a big log's
sorts from raising peak memory (they spill to temporary files instead)."""


SORT_THREADS = min(4, os.cpu_count() or 1)
"""Helper threads SQLite may start for one sort (index builds, the derivations' ORDER BY
and GROUP BY): on the 2-core bench machine, building a 1M log's largest indexes took
3.0 instead of 4.3 seconds with two. Each keeps its own sort memory, bounded by the
cache size."""


_SIDE_PRAGMAS = ("journal_mode = OFF", "synchronous = OFF", f"cache_size = -{SORT_CACHE_KB}",
                 "temp_store = FILE", "temp.journal_mode = OFF", "threads = 0")
"""A lane's side file is built as the fresh file is (:mod:`projections.lanes`), but its sorts
keep to the lane's own thread: the lanes already use the cores, and each helper thread
would hold sort memory of its own."""


@dataclass
class Split:
    """Where a bulk rebuild's time went, in seconds (reading the log is the caller's)."""

    sql: float = 0.0
    """Folding events into rows with SQL straight from the store (:mod:`projections.log_fold`)."""
    fold: float = 0.0
    """Handlers turning events into rows (Python)."""
    insert: float = 0.0
    """Writing the buffered history rows (``executemany``)."""
    derive: float = 0.0
    """Deriving the current tables and the flags from the history, and building the
    query indexes (in the lanes, beside the derivations)."""
    index: float = 0.0
    """What is left after the lanes: writing the position, and the commit."""
    install: float = 0.0
    """Copying the fresh file into the live views."""
    events: int = 0
    position: int = 0
    extra: dict[str, float] = field(default_factory=dict)


def build_fresh(path: str, source: LogSource, apply: Apply, *,
                application_name: str, batch_size: int = 5000,
                progress: Progress | None = None,
                connection_factory: type[sqlite3.Connection] = sqlite3.Connection) -> Split:
    """Build a complete views file at ``path`` (which must not exist) from ``source``."""
    datastore = SQLiteDatastore(path)
    tracking = SQLiteTrackingRecorder(datastore)
    tracking.create_table()  # the library's own tracking table, as a follower makes it
    datastore.close()
    connection = sqlite3.connect(Path(path).resolve().as_uri(), uri=True,
                                 isolation_level=None, factory=connection_factory)
    split = Split()
    fold = (LogFold(connection, source.sqlite, beside=f"{path}-people")
            if source.sqlite is not None else None)
    try:
        for pragma in ("journal_mode = OFF", "synchronous = OFF",
                       "main.locking_mode = EXCLUSIVE",  # not the attached store's
                       f"cache_size = -{LOAD_CACHE_KB}", "temp_store = FILE",
                       # temporary tables too: a rollback journal for them would be a
                       # file written beside them (the build is never rolled back)
                       "temp.journal_mode = OFF", f"threads = {SORT_THREADS}"):
            connection.execute(f"PRAGMA {pragma}")
        db = sqlite_utils.Database(connection)
        if fold is not None:
            fold.attach()  # outside the transaction, as SQLite requires
        # Deferred: the views file is locked at its first write, the store is only read
        # (one snapshot, from the fold's first read on: writers go on meanwhile).
        connection.execute("BEGIN")
        create_tables(db, read_indexes=False)
        if fold is not None and not fold.prepare():
            fold.detach()
            fold = None
        records = source.read(fold.skipped() if fold is not None else ())
        if fold is not None:
            fold.run()  # first: the handlers' events may look up what it writes
            head = split.position = fold.head
            split.sql, split.events = fold.seconds, fold.events
            if progress is not None:
                progress(split.events, 0)
            records = takewhile(lambda record: record.position <= head, records)
        _load(db, records, apply, split, batch_size, progress)
        if fold is not None:
            split.position = fold.head  # the log is loaded up to the snapshot's head
            if progress is not None:
                progress(split.events, split.position)
        started = time.perf_counter()
        connection.execute("COMMIT")
        if fold is not None:
            fold.detach()
            fold = None
        _derive(db, path)
        split.derive = time.perf_counter() - started
        started = time.perf_counter()
        connection.execute("BEGIN")
        if split.position:
            connection.execute(tracking.insert_tracking_statement,
                               {"application_name": application_name,
                                "notification_id": split.position}).fetchall()
        create_tables(db)  # built in the lanes: whatever is left (nothing)
        connection.execute("COMMIT")
        split.index = time.perf_counter() - started
    finally:
        if fold is not None:
            fold.detach()
        connection.close()
    return split


def _derive(db: sqlite_utils.Database, path: str) -> None:
    """Derive the current tables, then the lanes side by side (:mod:`projections.lanes`)
    and copy their tables in, from the loaded and committed file at ``path``; leaves it
    committed, in WAL mode and no longer locked."""
    connection = db.conn
    # From here on SQL sorts (derivations, then index builds): a small cache keeps them
    # from holding a big log in memory (they spill to temporary files instead); the
    # load's cache, clean once committed, is given back.
    connection.execute(f"PRAGMA cache_size = -{SORT_CACHE_KB}")
    connection.execute("PRAGMA shrink_memory")
    _give_back_memory()
    lanes: tuple[Lane, ...] = ()
    try:
        connection.execute("BEGIN")
        derive.derive_current(db)
        lanes = derive.lanes(db)
        connection.execute("COMMIT")
        # The lanes read the committed file while the first writes it: let go of its
        # lock (at the next read), then WAL.
        connection.execute("PRAGMA main.locking_mode = NORMAL")
        connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        connection.execute("PRAGMA journal_mode = WAL")
        # No checkpoints: the backup that installs the file reads it through its WAL, and
        # copying the WAL into the file first would be the same pages written twice.
        connection.execute("PRAGMA wal_autocheckpoint = 0")
        # The first lane goes on with the query indexes (of the history, the current
        # tables and the other lane's tables, empty here: its copy brings their rows).
        run_lanes(db, path, lanes, _SIDE_PRAGMAS, meanwhile=create_tables)
        with attached(connection, path, lanes):
            connection.execute("BEGIN")
            copy_in(db, lanes)
            derive.finish(db)
            connection.execute("COMMIT")
    finally:
        remove_sides(path, lanes)


def install(fresh: str, live: sqlite3.Connection) -> float:
    """Copy the file ``fresh`` into the database of ``live`` in one write transaction;
    returns the seconds it took."""
    started = time.perf_counter()
    source = sqlite3.connect(fresh)
    try:
        source.backup(live)
    finally:
        source.close()
    return time.perf_counter() - started


def snapshot_copy(source: str | Path, fresh: str) -> None:
    """Copy a consistent snapshot of the views file ``source`` (which another process may
    be writing) to the new file ``fresh``; :class:`NotAViewsFile` when ``source`` is not
    a views file."""
    if not Path(source).is_file():
        raise NotAViewsFile(f"{source}: no such file")
    uri = Path(source).resolve().as_uri() + "?mode=ro"
    try:
        reader = sqlite3.connect(uri, uri=True)
        try:
            names = {row[0] for row in reader.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"tracking", *TABLES} <= names:
                raise NotAViewsFile(f"{source}: not a views file (tables missing: "
                                    f"{', '.join(sorted({'tracking', *TABLES} - names))})")
            target = sqlite3.connect(fresh)
            try:
                reader.backup(target)  # one step: the source's one snapshot
            finally:
                target.close()
        finally:
            reader.close()
    except sqlite3.DatabaseError as exc:
        raise NotAViewsFile(f"{source}: not a views file ({exc})") from None


@contextlib.contextmanager
def fresh_path(beside: str) -> Iterator[str]:
    """A path for a fresh views file next to ``beside``, removed (with its journals and
    the lanes' side files, all named ``<path>-…``) afterwards, also after a failure;
    first, the fresh files of rebuilds whose process was killed before it could remove
    its own (as big as the views)."""
    prefix = f"{Path(beside).name}.rebuild-"
    path = f"{beside}.rebuild-{os.getpid()}"
    for stale in Path(beside).parent.glob(f"{glob.escape(prefix)}*"):
        # the fresh file ({prefix}<pid>), its journals and side files ({prefix}<pid>-…)
        pid = stale.name.removeprefix(prefix).partition("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            stale.unlink(missing_ok=True)
    _remove(path)
    try:
        yield path
    finally:
        _remove(path)


def _load(db: sqlite_utils.Database, records: Iterable[EventRecord], apply: Apply,
          split: Split, batch_size: int, progress: Progress | None) -> None:
    iterator = iter(records)
    last = 0
    while chunk := list(islice(iterator, batch_size)):
        started = time.perf_counter()
        out = Batch(db)  # a new one per chunk: what it remembers stays one chunk's worth
        for record in chunk:
            if record.position <= last:
                raise OutOfOrder(f"position {record.position} after {last}")
            apply(out, record)
            last = record.position
        out.flush()
        split.fold += time.perf_counter() - started - out.flush_seconds
        split.insert += out.flush_seconds
        split.events += len(chunk)
        split.position = last
        if progress is not None:
            progress(split.events, last)


def _give_back_memory() -> None:
    """Return the free parts of the heap to the system (glibc's ``malloc_trim``): the
    load's page cache, freed once committed, would otherwise stay resident with the
    allocator (its pages lie between Python's objects) and add to the build's peak;
    elsewhere than glibc this does nothing."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)  # the process's own symbols: libc's among them


def _alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (one of another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: str) -> None:
    """Remove the file ``path`` and every file named after it (``path-…``: its journals,
    the lanes' side files)."""
    Path(path).unlink(missing_ok=True)
    for other in Path(path).parent.glob(f"{glob.escape(Path(path).name)}-*"):
        other.unlink(missing_ok=True)
