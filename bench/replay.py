"""Reading the log back: the library's replay and the views' rebuild (in a child process)."""

from __future__ import annotations

import json
import resource
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from statistics import median
from typing import Any

from bench.stores import PAGE, BenchError, Result, Scratch
from ledger.config import Settings
from ledger.contract.records import EventRecord
from ledger.domain.application import LedgerApplication
from projections.engine import ViewDatabase

ROUNDS = 3
"""How many times the bench measures replay and rebuild, in turn."""


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


def measure_rebuild(scratch: Scratch) -> Result:
    """Rebuild the views from the log in a child process: events/s, its peak RSS (MB) and
    where its time went, in µs an event.

    ``rebuild_read_us``: reading the log for the views (decoding, keys, sealed fields);
    ``rebuild_sqlite_us``: SQLite executing the views' statements and commits, the final
    index builds included; ``rebuild_python_us``: the rest, turning events into rows.
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
            "rebuild_read_us": per_event(report["read_seconds"]),
            "rebuild_sqlite_us": per_event(report["sqlite_seconds"]),
            "rebuild_python_us": per_event(
                seconds - report["read_seconds"] - report["sqlite_seconds"])}


class TimedConnection(sqlite3.Connection):
    """A connection that adds up the time SQLite spends in its statements (sqlite-utils
    commits with an ``execute("COMMIT")``, so commits count too)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seconds = 0.0

    def execute(self, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        return self._timed(super().execute, *args)

    def executemany(self, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        return self._timed(super().executemany, *args)

    def _timed(self, call: Callable[..., Any], *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return call(*args)
        finally:
            self.seconds += time.perf_counter() - started


def child_rebuild(database_url: str, views_path: str) -> Result:

    ledger = LedgerApplication(Settings(database_url=database_url, views_path=views_path))
    views = ViewDatabase(views_path, connection_factory=TimedConnection)
    connection = views.db.conn
    assert isinstance(connection, TimedConnection)
    connection.seconds = 0.0  # opening the file and creating the tables is not the rebuild
    reading = [0.0]

    def timed(records: Iterator[EventRecord]) -> Iterator[EventRecord]:
        while True:
            started = time.perf_counter()
            record = next(records, None)
            reading[0] += time.perf_counter() - started
            if record is None:
                return
            yield record

    started = time.perf_counter()
    applied = views.rebuild(timed(ledger.iter_records(chained=False)))
    seconds = time.perf_counter() - started
    views.close()
    ledger.close()
    return {"events": applied, "seconds": seconds, "peak_rss_mb": _peak_rss_mb(),
            "read_seconds": reading[0], "sqlite_seconds": connection.seconds}


def _peak_rss_mb() -> float:
    """This process's peak resident set size (``VmHWM``), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
