"""A bulk build's largest derivations side by side, each on its own core.

Once a bulk build has loaded the history and derived the current engagements
(:mod:`projections.derive`), its largest derivations (the flags, the history steps with
the people's figures) only read those tables and write tables of their own. SQLite lets
one connection write a file at a time while others read it (in WAL mode), and Python's
``sqlite3`` lets go of the interpreter while a statement runs. So each derivation, a
*lane*, runs at the same time as the others:

- the first lane on the fresh file's own connection, in the calling thread, writing its
  tables into the fresh file (switched to WAL for this, so that the others read on);
- every other lane on a thread and a connection of its own, writing its *side file*
  (journal-less, like the fresh file) with the fresh file attached read-only under it, so
  that the derivation's SQL reads the same as in one connection (an unqualified name finds
  the side file's tables first, then the fresh file's). Its tables and their indexes are
  then copied into the fresh file as they are (SQLite's transfer of whole records, nothing
  decoded) and the side file is removed.

Each lane's tables get their indexes in the lane. A lane that fails stops the others (a
progress check interrupts their statements) and then the build, with its own error.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from projections.tables import create_indexes

CHECK_STEPS = 100_000
"""How many of SQLite's virtual machine steps a lane's statement runs between checks
whether another lane failed (about a millisecond: the check is a Python call)."""
SIDE = "side"
"""The name a side file is attached under when its tables are copied in."""


@dataclass(frozen=True)
class Lane:
    """One derivation that runs beside the others: the ``tables`` it writes (empty in
    the fresh file, and made alike in its side file) and the function that fills them,
    given a connection whose unqualified names find those tables and every other view
    table."""

    name: str
    tables: tuple[str, ...]
    derive: Callable[[sqlite_utils.Database], None]


def side_path(fresh: str, lane: Lane) -> str:
    """Where ``lane`` writes: beside the fresh file, named after it and the lane."""
    return f"{fresh}-{lane.name}"


def run_lanes(db: sqlite_utils.Database, fresh: str, lanes: Sequence[Lane],
              pragmas: Sequence[str],
              meanwhile: Callable[[sqlite_utils.Database], None] | None = None) -> None:
    """Run ``lanes`` side by side on the fresh file at ``fresh``, committed and in WAL
    mode (readers and one writer go on together): the first on its own connection ``db``
    in this thread, writing its tables there, then ``meanwhile`` (more work for the file
    while the others finish); each other on a thread of its own, writing its side file,
    made anew (``pragmas``: set on its connection first).

    A lane that fails stops the others (their statements are interrupted within
    :data:`CHECK_STEPS` steps) and its error is raised once every lane has stopped."""
    home, *others = lanes
    stop = threading.Event()
    failure: BaseException | None = None
    # The first lane's write transaction begins before any other lane opens the file: its
    # snapshot and the file's write lock are taken while nobody else reads it (a read
    # transaction upgraded to a write later, once the others read on, failed now and then
    # with "database is locked").
    db.conn.execute("BEGIN IMMEDIATE")
    with ThreadPoolExecutor(max_workers=max(1, len(others)), thread_name_prefix="lane") as pool:
        futures = [pool.submit(_run, fresh, lane, pragmas, stop) for lane in others]
        db.conn.set_progress_handler(stop.is_set, CHECK_STEPS)
        try:
            home.derive(db)
            for table in home.tables:
                create_indexes(db, table)
            if meanwhile is not None:
                meanwhile(db)
            db.conn.execute("COMMIT")
        except BaseException as error:
            stop.set()
            failure = error
        finally:
            db.conn.set_progress_handler(None, 0)
    errors = [raised for raised in (future.exception() for future in futures) if raised]
    # A lane's own error first: the others' (this thread's too) may only say that they
    # were stopped because of it.
    for first in [*(e for e in errors if not _stopped(e)), failure, *errors]:
        if first is not None:
            raise first


def _stopped(error: BaseException) -> bool:
    """Whether ``error`` is a statement interrupted because another lane failed."""
    return isinstance(error, sqlite3.OperationalError) and str(error) == "interrupted"


def copy_in(db: sqlite_utils.Database, lanes: Sequence[Lane]) -> None:
    """Copy the tables of every lane but the first, with their indexes, from its side file
    into the (empty) tables of the fresh file, inside the caller's transaction; the side
    files must be attached already (:func:`attached`)."""
    for number, lane in enumerate(lanes[1:]):
        for table in lane.tables:
            # Whole records, of the table and of each index, moved as they are (SQLite's
            # transfer): the tables and their indexes are alike, the target empty.
            create_indexes(db, table)
            db.conn.execute(f"INSERT INTO main.[{table}] SELECT * FROM {SIDE}{number}.[{table}]")


@contextlib.contextmanager
def attached(connection: sqlite3.Connection, fresh: str,
             lanes: Sequence[Lane]) -> Iterator[None]:
    """The side files of the lanes but the first attached to ``connection`` (outside a
    transaction) as ``side0``, ``side1``, …, and detached afterwards."""
    names = []
    try:
        for number, lane in enumerate(lanes[1:]):
            uri = Path(side_path(fresh, lane)).resolve().as_uri() + "?mode=ro"
            connection.execute(f"ATTACH DATABASE ? AS {SIDE}{number}", [uri])
            names.append(f"{SIDE}{number}")
        yield
    finally:
        for name in names:
            with contextlib.suppress(sqlite3.Error):
                connection.execute(f"DETACH DATABASE {name}")


def remove_sides(fresh: str, lanes: Sequence[Lane]) -> None:
    """Remove the side files of the lanes but the first (and any journal of theirs)."""
    for lane in lanes[1:]:
        remove_side(side_path(fresh, lane))


def remove_side(path: str) -> None:
    """Remove the side file at ``path`` and any journal of it."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)


def _run(fresh: str, lane: Lane, pragmas: Sequence[str], stop: threading.Event) -> None:
    try:
        _derive_beside(fresh, lane, pragmas, stop)
    except BaseException:
        stop.set()  # the other lanes stop too
        raise


def open_side(path: str, pragmas: Sequence[str], stop: threading.Event,
              attached: Mapping[str, str]) -> sqlite3.Connection:
    """A connection to a new side file at ``path`` (``pragmas`` set first), whose
    statements are interrupted once ``stop`` is set (within :data:`CHECK_STEPS` steps),
    with each file of ``attached`` (name → path) attached read-only under its name."""
    remove_side(path)  # made anew
    connection = sqlite3.connect(Path(path).resolve().as_uri(), uri=True,
                                 isolation_level=None)
    try:
        connection.set_progress_handler(stop.is_set, CHECK_STEPS)
        for pragma in pragmas:
            connection.execute(f"PRAGMA {pragma}")
        for name, other in attached.items():
            connection.execute(f"ATTACH DATABASE ? AS {name}",
                               [Path(other).resolve().as_uri() + "?mode=ro"])
    except BaseException:
        connection.close()
        raise
    return connection


def _derive_beside(fresh: str, lane: Lane, pragmas: Sequence[str],
                   stop: threading.Event) -> None:
    """Run ``lane`` on its own connection, writing its side file."""
    connection = open_side(side_path(fresh, lane), pragmas, stop, {"fresh": fresh})
    try:
        connection.execute("BEGIN")
        for table in lane.tables:
            (sql,) = connection.execute("SELECT sql FROM fresh.sqlite_master "
                                        "WHERE type = 'table' AND name = ?", [table]).fetchone()
            connection.execute(sql)
        side = sqlite_utils.Database(connection)
        lane.derive(side)
        for table in lane.tables:
            create_indexes(side, table)  # sorted here, copied as they are
        connection.execute("COMMIT")
        connection.execute("DETACH DATABASE fresh")
    finally:
        connection.close()
