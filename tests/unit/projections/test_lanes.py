"""Lanes (:mod:`projections.lanes`): derivations side by side, and what one lane's failure
does to the others."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from projections.lanes import Lane, run_lanes, side_path

GIVE_UP = 60.0
"""Seconds after which the endless statement ends by itself (a bound, not a pace: a lane
that is never stopped fails the test instead of hanging it)."""


def _endless(connection: sqlite3.Connection) -> None:
    """Run a statement that only ends when it is stopped (or after :data:`GIVE_UP`)."""
    deadline = time.monotonic() + GIVE_UP
    connection.create_function("given_up", 0, lambda: time.monotonic() > deadline)
    connection.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                       "WHERE NOT given_up()) SELECT COUNT(*) FROM c").fetchone()


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[sqlite_utils.Database]:
    """A committed fresh file in WAL mode, with a table of numbers, and its connection."""
    path = tmp_path / "views.db.rebuild-1"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("CREATE TABLE numbers (n INTEGER)")
    connection.executemany("INSERT INTO numbers VALUES (?)", [(n,) for n in range(100)])
    yield sqlite_utils.Database(connection)
    connection.close()


def _path(db: sqlite_utils.Database) -> str:
    return str(db.conn.execute("PRAGMA database_list").fetchone()[2])


def test_a_lane_reads_the_fresh_file_and_writes_its_side_file(
        fresh: sqlite_utils.Database) -> None:
    """The other lane sees the fresh file's tables by their plain names and writes its
    own; the first lane writes the fresh file meanwhile."""
    def home(db: sqlite_utils.Database) -> None:
        db.conn.execute("CREATE TABLE home_total AS SELECT SUM(n) AS total FROM numbers")

    def beside(side: sqlite_utils.Database) -> None:
        side.conn.execute("CREATE TABLE side_total AS SELECT SUM(n) * 2 AS total FROM numbers")

    lanes = (Lane("home", (), home), Lane("beside", (), beside))
    run_lanes(fresh, _path(fresh), lanes, ())
    assert fresh.conn.execute("SELECT total FROM home_total").fetchone() == (4950,)
    side = sqlite3.connect(side_path(_path(fresh), lanes[1]))
    try:
        assert side.execute("SELECT total FROM side_total").fetchone() == (9900,)
    finally:
        side.close()


def test_a_failing_first_lane_stops_the_other_and_its_error_is_raised(
        fresh: sqlite_utils.Database) -> None:
    """The first lane fails at once; the other lane's endless statement is interrupted
    (else the test would not end) and the first lane's own error is what is raised."""
    seen: list[str] = []

    def home(db: sqlite_utils.Database) -> None:
        raise ValueError("the first lane broke")

    def beside(side: sqlite_utils.Database) -> None:
        try:
            _endless(side.conn)
        except sqlite3.OperationalError as error:
            seen.append(str(error))
            raise

    with pytest.raises(ValueError, match="the first lane broke"):
        run_lanes(fresh, _path(fresh), (Lane("home", (), home), Lane("beside", (), beside)), ())
    assert seen == ["interrupted"]


def test_a_failing_other_lane_stops_the_first_and_its_own_error_is_raised(
        fresh: sqlite_utils.Database) -> None:
    """The other lane fails; the first lane's endless statement is interrupted, and the
    error raised is the other lane's, not the interruption it caused."""
    def home(db: sqlite_utils.Database) -> None:
        _endless(db.conn)

    def beside(side: sqlite_utils.Database) -> None:
        side.conn.execute("SELECT * FROM no_such_table")

    with pytest.raises(sqlite3.OperationalError, match="no such table: no_such_table"):
        run_lanes(fresh, _path(fresh), (Lane("home", (), home), Lane("beside", (), beside)), ())
