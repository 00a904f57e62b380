"""Reading the log back: the library's replay and the views' rebuild (in a child process)."""

from __future__ import annotations

import json
import resource
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from statistics import median

from bench.stores import PAGE, BenchError, Result, Scratch
from ledger.config import Settings
from ledger.contract.records import EventRecord
from ledger.domain.application import LedgerApplication
from ledger.store.reading import SQLiteLog
from projections.engine import ViewDatabase
from projections.tables import TABLES

ROUNDS = 3
"""How many times the bench measures replay and rebuild, in turn."""
FLOOR_CHUNK = 100_000
"""Rows the insert floor builds and inserts per step."""


def measure_replay(scratch: Scratch) -> float:
    """Events per second of reading and deserialising the whole log through the library."""
    ledger = LedgerApplication(scratch.settings)
    try:
        recorder, mapper = ledger.recorder, ledger.mapper
        started, count, start = time.perf_counter(), 0, 1
        while page := recorder.select_notifications(start, PAGE):
            for notification in page:
                mapper.to_domain_event(notification)
            count += len(page)
            start = page[-1].id + 1
        elapsed = time.perf_counter() - started
    finally:
        ledger.close()
    return count / elapsed


def measure_replay_and_rebuild(scratch: Scratch, first_replay: float,
                               rounds: int = ROUNDS) -> Result:
    """The views' rebuild and the library's replay, measured in turn ``rounds`` times.

    ``first_replay`` is a replay measured just before. Each figure is the median of its
    rounds (peak RSS: the highest), and ``rebuild_ratio`` is the ratio of the medians:
    at 10k events one replay takes a fraction of a second, so a noisy neighbour during a
    single pass would otherwise decide the ratio.
    """
    replays, rebuilds = [first_replay], []
    for number in range(rounds):
        rebuilds.append(measure_rebuild(scratch))
        if number < rounds - 1:
            replays.append(measure_replay(scratch))
    replay = median(replays)
    result: Result = {key: median(r[key] for r in rebuilds) for key in rebuilds[0]}
    result["rebuild_peak_rss_mb"] = max(r["rebuild_peak_rss_mb"] for r in rebuilds)
    return result | {"baseline_replay_events_per_s": replay,
                     "rebuild_ratio": result["rebuild_events_per_s"] / replay}


SPLIT = ("read", "sql", "fold", "insert", "derive", "index", "install")
"""The phases of a rebuild the bench reports, in µs an event (see :func:`measure_rebuild`)."""


def measure_rebuild(scratch: Scratch) -> Result:
    """Rebuild the views from the log in a child process: events/s, its peak RSS (MB),
    where its time went and the floors measured beside it, in µs an event.

    ``rebuild_<phase>_us`` for each of :data:`SPLIT`: reading the log for the handlers
    (rows, decoding, keys, sealed fields), folding the engagement recordings with SQL
    straight from an SQLite store, the handlers turning events into rows, inserting them,
    deriving the current tables, flags and history steps and building the query indexes
    (side by side in lanes), what is left after the lanes (the position and the commit),
    and copying the fresh file into the live views. Floors: ``floor_raw_read_us``, the
    library's own read of the stored rows without decoding them; ``floor_insert_us``,
    SQLite inserting the rebuild's rows (``rebuild_rows_per_event`` of them) with nothing
    else to do.
    The child is ``python -m bench --child-rebuild``; it reports its own timing and
    ``VmHWM``, so interpreter start-up is not counted as rebuild time.
    """
    command = [sys.executable, "-m", "bench", "--child-rebuild",
               scratch.settings.database_url, str(scratch.settings.resolved_views_path())]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=7200)
    if done.returncode:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchError(f"rebuild child failed: {last}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    events, seconds = report["events"], report["seconds"]

    def per_event(part: float) -> float:
        return part / events * 1e6

    return {"rebuild_events_per_s": events / seconds,
            "rebuild_peak_rss_mb": report["peak_rss_mb"],
            **{f"rebuild_{phase}_us": per_event(report[phase]) for phase in SPLIT},
            "rebuild_rows_per_event": report["rows"] / events,
            "floor_raw_read_us": per_event(report["floor_read"]),
            "floor_insert_us": per_event(report["floor_insert"])}


def child_rebuild(database_url: str, views_path: str) -> Result:
    """The rebuild's timing, split and floors, measured in this (child) process."""

    ledger = LedgerApplication(Settings(database_url=database_url, views_path=views_path))
    views = ViewDatabase(views_path)
    log = _TimedLog(ledger)
    started = time.perf_counter()
    applied = views.rebuild_from(log)
    seconds = time.perf_counter() - started
    split = views.last_split
    assert split is not None
    rows = sum(views.db.execute(f"SELECT COUNT(*) FROM [{name}]").fetchone()[0]
               for name in TABLES)
    views.close()
    peak = _peak_rss_mb()
    floor_read = _floor_read(ledger)
    ledger.close()
    return {"events": applied, "seconds": seconds, "peak_rss_mb": peak,
            "read": log.seconds, "sql": split.sql, "fold": split.fold, "insert": split.insert,
            "derive": split.derive, "index": split.index, "install": split.install,
            "rows": rows, "floor_read": floor_read,
            "floor_insert": _floor_insert(rows, Path(views_path).parent)}


class _TimedLog:
    """The ledger's log as a rebuild reads it, adding up the time spent reading records."""

    def __init__(self, ledger: LedgerApplication) -> None:
        self.ledger = ledger
        self.seconds = 0.0

    def iter_records(self, after: int = 0, page: int = 1000, *, chained: bool = True,
                     types: Sequence[str] = ()) -> Iterator[EventRecord]:
        records = self.ledger.iter_records(after, page, chained=chained, types=types)
        while True:
            started = time.perf_counter()
            record = next(records, None)
            self.seconds += time.perf_counter() - started
            if record is None:
                return
            yield record

    def sqlite_log(self) -> SQLiteLog | None:
        return self.ledger.sqlite_log()


def _floor_read(ledger: LedgerApplication) -> float:
    """Seconds the library takes to read every stored row, in pages, without decoding."""
    started, start = time.perf_counter(), 1
    while page := ledger.recorder.select_notifications(start, PAGE):
        start = page[-1].id + 1
    return time.perf_counter() - started


def _floor_insert(rows: int, directory: Path) -> float:
    """Seconds SQLite takes to insert ``rows`` rows of eight columns into a fresh
    journal-less file, in one transaction."""
    path = directory / "floor-insert.db"
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("CREATE TABLE t (position INTEGER PRIMARY KEY, a TEXT, b TEXT, "
                           "c TEXT, d TEXT, e INTEGER, f TEXT, g TEXT)")
        seconds = 0.0
        connection.execute("BEGIN")
        for start in range(0, rows, FLOOR_CHUNK):  # chunks built untimed: memory stays flat
            values = [(n, f"event-{n:012d}", "2026-03-02T18:30:00.000000Z",
                       "2026-03-02T18:31:00.000000Z", f"acc{n % 97}", n % 5, "EUR", "120.00")
                      for n in range(start, min(start + FLOOR_CHUNK, rows))]
            started = time.perf_counter()
            connection.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values)
            seconds += time.perf_counter() - started
        started = time.perf_counter()
        connection.execute("COMMIT")
        return seconds + time.perf_counter() - started
    finally:
        connection.close()
        path.unlink(missing_ok=True)


def _peak_rss_mb() -> float:
    """This process's peak resident set size (``VmHWM``), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
