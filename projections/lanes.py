"""A bulk build's largest derivations side by side, each on its own core.

Once a bulk build has loaded the history and derived the current tables
(:mod:`projections.derive`), its two largest derivations, the history steps
(:func:`projections.history_rows.derive_steps`) and the flags
(:func:`projections.flag_sql.derive_flags`), only read those tables and write tables of
their own. SQLite lets one connection write a file at a time, but several read it; and
Python's ``sqlite3`` lets go of the interpreter while a statement runs. So each
derivation, a *lane*, runs on a thread of its own with a connection of its own: its
*side file* (journal-less, like the fresh file) holds the tables it writes, and the
committed fresh file is attached read-only under it, so the derivation's SQL reads the
same as in one connection (an unqualified name finds the side file's tables first, then
the fresh file's). When every lane is done, the fresh file's connection copies the side
tables in (SQLite's transfer of whole records, nothing decoded) and the side files are
removed. A lane that fails stops the build with its error once the others are done.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from projections.tables import create_indexes

SIDE = "side"
"""The name a side file is attached under when its tables are copied in."""


@dataclass(frozen=True)
class Lane:
    """One derivation that runs beside the others: the ``tables`` it writes (empty in
    the fresh file, and made alike in its side file) and the function that fills them,
    given a connection to the side file with the fresh file attached under it."""

    name: str
    tables: tuple[str, ...]
    derive: Callable[[sqlite_utils.Database], None]


def side_path(fresh: str, lane: Lane) -> str:
    """Where ``lane`` writes: beside the fresh file, named after it and the lane."""
    return f"{fresh}-{lane.name}"


def run_lanes(fresh: str, lanes: Sequence[Lane], pragmas: Sequence[str]) -> None:
    """Run ``lanes`` side by side against the committed fresh file at ``fresh`` (which no
    connection may hold locked meanwhile); each writes its side file, made anew.
    ``pragmas``: set on each side connection first. Raises the first lane's error once
    every lane has stopped."""
    with ThreadPoolExecutor(max_workers=len(lanes), thread_name_prefix="lane") as pool:
        futures = [pool.submit(_run, fresh, lane, pragmas) for lane in lanes]
    for future in futures:
        future.result()


def copy_in(db: sqlite_utils.Database, lanes: Sequence[Lane]) -> None:
    """Copy every lane's tables, with their indexes, from its side file into the (empty)
    tables of the fresh file, inside the caller's transaction; the side files must be
    attached already (:func:`attached`)."""
    for number, lane in enumerate(lanes):
        for table in lane.tables:
            # Whole records, of the table and of each index, moved as they are (SQLite's
            # transfer): the tables and their indexes are alike, the target empty.
            create_indexes(db, table)
            db.conn.execute(f"INSERT INTO main.[{table}] SELECT * FROM {SIDE}{number}.[{table}]")


@contextlib.contextmanager
def attached(connection: sqlite3.Connection, fresh: str,
             lanes: Sequence[Lane]) -> Iterator[None]:
    """The lanes' side files attached to ``connection`` (outside a transaction) as
    ``side0``, ``side1``, …, and detached afterwards."""
    names = []
    try:
        for number, lane in enumerate(lanes):
            uri = Path(side_path(fresh, lane)).resolve().as_uri() + "?mode=ro"
            connection.execute(f"ATTACH DATABASE ? AS {SIDE}{number}", [uri])
            names.append(f"{SIDE}{number}")
        yield
    finally:
        for name in names:
            with contextlib.suppress(sqlite3.Error):
                connection.execute(f"DETACH DATABASE {name}")


def remove_sides(fresh: str, lanes: Sequence[Lane]) -> None:
    """Remove the lanes' side files (and any journal of theirs)."""
    for lane in lanes:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(side_path(fresh, lane) + suffix).unlink(missing_ok=True)


def _run(fresh: str, lane: Lane, pragmas: Sequence[str]) -> None:
    path = side_path(fresh, lane)
    for suffix in ("", "-journal"):
        Path(path + suffix).unlink(missing_ok=True)
    connection = sqlite3.connect(Path(path).resolve().as_uri(), uri=True,
                                 isolation_level=None)
    try:
        for pragma in pragmas:
            connection.execute(f"PRAGMA {pragma}")
        connection.execute("ATTACH DATABASE ? AS fresh",
                           [Path(fresh).resolve().as_uri() + "?mode=ro"])
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
