"""Reading the log back: the library's replay and the views' rebuild (in a child process)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from statistics import median

from api.bench.stores import PAGE, BenchError, Result, Scratch
from ledger.application import LedgerApplication
from ledger.config import Settings

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


def measure_replay_and_rebuild(scratch: Scratch, rounds: int = ROUNDS) -> Result:
    """The library's replay and the views' rebuild, measured in turn ``rounds`` times.

    Each figure is the median of its rounds (peak RSS: the highest), and
    ``rebuild_ratio`` is the ratio of the medians: at 10k events one replay takes a
    fraction of a second, so a noisy neighbour during a single pass would otherwise
    decide the ratio.
    """
    replays, rebuilds = [], []
    for _ in range(rounds):
        replays.append(measure_replay(scratch))
        rebuilds.append(measure_rebuild(scratch))
    replay = median(replays)
    rebuild = median(r["rebuild_events_per_s"] for r in rebuilds)
    return {"baseline_replay_events_per_s": replay, "rebuild_events_per_s": rebuild,
            "rebuild_peak_rss_mb": max(r["rebuild_peak_rss_mb"] for r in rebuilds),
            "rebuild_ratio": rebuild / replay}


def measure_rebuild(scratch: Scratch) -> Result:
    """Rebuild the views from the log in a child process: events/s and its peak RSS (MB).

    The child is ``python -m api.bench --child-rebuild``; it reports its own timing and
    ``VmHWM``, so interpreter start-up is not counted as rebuild time.
    """
    command = [sys.executable, "-m", "api.bench", "--child-rebuild",
               scratch.settings.database_url, str(scratch.settings.resolved_views_path())]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=7200)
    if done.returncode:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchError(f"rebuild child failed: {last}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return {"rebuild_events_per_s": report["events"] / report["seconds"],
            "rebuild_peak_rss_mb": report["peak_rss_mb"]}


def child_rebuild(database_url: str, views_path: str) -> Result:
    from projections.engine import ViewDatabase

    ledger = LedgerApplication(Settings(database_url=database_url, views_path=views_path))
    views = ViewDatabase(views_path)
    started = time.perf_counter()
    applied = views.rebuild(ledger.iter_records(chained=False))
    seconds = time.perf_counter() - started
    views.close()
    ledger.close()
    return {"events": applied, "seconds": seconds, "peak_rss_mb": _peak_rss_mb()}


def _peak_rss_mb() -> float:
    """This process's peak resident set size (``VmHWM``), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
