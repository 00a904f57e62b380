"""The bench and the scaling runs: every measure in order, with the ratios."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime
from itertools import islice

import httpx

from bench.http import HttpBatchWriter, post_singles, served
from bench.ingest import measure_writes
from bench.reads import measure_http_reads, measure_reads, sample_ids
from bench.replay import (
    SPLIT,
    child_rebuild,
    measure_rebuild,
    measure_replay,
    measure_replay_and_rebuild,
)
from bench.stores import (
    BATCH,
    READ_REPEATS,
    BenchError,
    Result,
    Scratch,
    scratch_stores,
)
from ledger.config import Settings
from ledger.samples.workload import workload
from ledger.store.sqlite_library import without_memory_statistics

REBUILD_KEYS = ("rebuild_events_per_s", "rebuild_peak_rss_mb",
                *(f"rebuild_{phase}_us" for phase in SPLIT), "rebuild_rows_per_event",
                "floor_raw_read_us", "floor_insert_us", "rebuild_ratio")
HTTP_KEYS = ("http_batch_events_per_s", "http_single_events_per_s", "http_batch_ratio")


def run_bench(events: int, database_url: str | None = None, *, seed: int = 1,
              baseline: bool = True, http: bool = True, repeats: int = READ_REPEATS,
              singles: int = 200) -> Result:
    """Measure every figure at ``events`` events on the kind of store ``database_url`` names.

    Returns one flat dict: ``*_events_per_s``, ``*_ratio``, ``*_ms`` and ``*_mb`` figures,
    plus ``not_measured`` (figure or group → reason). ``repeats`` is the number of timed
    calls of each read; ``singles`` the number of single POSTs. Example: ``run_bench(10_000)``.
    """
    if events < 100:
        raise BenchError(f"bench needs at least 100 events, got {events}")
    kind = "postgresql" if Settings(database_url=database_url or "sqlite:///x").is_postgres \
        else "sqlite"
    result: Result = {"events": events, "store": kind, "seed": seed, "batch_size": BATCH,
                      "date": datetime.now().astimezone().isoformat(timespec="seconds")}
    missing: dict[str, str] = {}
    with scratch_stores(database_url, 2 if http else 1) as stores, ExitStack() as stack:
        main = stores[0]
        client = _served(stack, stores[1], missing, (*HTTP_KEYS, "http_read_*")) \
            if http else None
        writer = None
        if client is not None:
            head = list(islice(workload(events, seed=seed), min(singles, events // 4)))
            _measure(result, missing, ("http_single_events_per_s",), lambda: {
                "http_single_events_per_s": post_singles(client, head)})
            writer = HttpBatchWriter(client, skip=len(head))
        result |= measure_writes(main, events, seed, baseline=baseline, http=writer)
        if writer is not None and writer.failure is not None:
            result.pop("http_batch_events_per_s", None)  # a part of the batches is no figure
            missing["http_batch_events_per_s"] = writer.failure
        if "http_batch_events_per_s" in result:
            result["http_batch_ratio"] = (result["http_batch_events_per_s"]
                                          / result["ingest_events_per_s"])
        result["baseline_replay_events_per_s"] = measure_replay(main)
        sample = sample_ids(events, seed)
        _measure(result, missing, REBUILD_KEYS, lambda: measure_replay_and_rebuild(
            main, result["baseline_replay_events_per_s"]))
        if "rebuild_events_per_s" in result:
            _measure(result, missing, ("read_*",), lambda: _split(
                measure_reads(main, sample, repeats), missing))
        else:
            missing["read_*"] = "the views could not be rebuilt (see rebuild_events_per_s)"
        if client is not None:
            _measure(result, missing, ("http_read_*",), lambda: _split(
                measure_http_reads(client, events, sample, repeats), missing))
    if missing:
        result["not_measured"] = missing
    return result


def run_scale(sizes: list[int], database_url: str | None = None, *, seed: int = 1,
              repeats: int = READ_REPEATS, http: bool = True) -> Result:
    """How read p95 latencies and rebuild memory grow with the size of the log.

    For each size: ingest, rebuild (with the library's replay after it, for
    ``rebuild_ratio``), in-process reads, then HTTP reads against a server on that store.
    Growth figures compare every size with the smallest.
    Example: ``run_scale([10_000, 100_000, 1_000_000])``.
    """
    runs = [_scale_run(size, database_url, seed, repeats, http) for size in sorted(sizes)]
    smallest = runs[0]
    growth = {
        key: {str(run["events"]): run[key] / smallest[key] for run in runs if key in run}
        for key in smallest
        if key.endswith(("_p95_ms", "_answer_kb", "_peak_rss_mb")) and smallest[key] > 0
    }
    return {"sizes": sorted(sizes), "runs": runs, "growth_vs_smallest": growth}


def _scale_run(size: int, database_url: str | None, seed: int, repeats: int,
               http: bool) -> Result:
    run: Result = {"events": size}
    missing: dict[str, str] = {}
    with scratch_stores(database_url, 1) as (store,), ExitStack() as stack:
        run |= measure_writes(store, size, seed, baseline=False)
        sample = sample_ids(size, seed)
        _measure(run, missing, REBUILD_KEYS[:-1], lambda: measure_rebuild(store))
        if "rebuild_events_per_s" in run:
            run["baseline_replay_events_per_s"] = measure_replay(store)
            run["rebuild_ratio"] = (run["rebuild_events_per_s"]
                                    / run["baseline_replay_events_per_s"])
        if "rebuild_events_per_s" in run:
            _measure(run, missing, ("read_*",),
                     lambda: _split(measure_reads(store, sample, repeats), missing))
            if http and (client := _served(stack, store, missing,
                                           ("http_read_*",))) is not None:
                _measure(run, missing, ("http_read_*",), lambda: _split(
                    measure_http_reads(client, size, sample, repeats), missing))
    if missing:
        run["not_measured"] = missing
    return run


def _served(stack: ExitStack, scratch: Scratch, missing: dict[str, str],
            keys: tuple[str, ...]) -> httpx.Client | None:
    """A client of a ``ledger serve`` on ``scratch`` that lives as long as ``stack``; None,
    with ``keys`` named under ``missing``, when the server does not start."""
    try:
        return stack.enter_context(served(scratch))
    except Exception as exc:  # the in-process figures still count
        for key in keys:
            missing[key] = f"{type(exc).__name__}: {str(exc).strip()[:300]}"
        return None


def _measure(result: Result, missing: dict[str, str], keys: tuple[str, ...],
             measure: Callable[[], Result]) -> None:
    """Merge a hook's figures, or name its figures under not_measured with the reason."""
    try:
        result |= measure()
    except (ImportError, AttributeError) as exc:
        for key in keys:
            missing[key] = f"not available yet: {exc}"
    except Exception as exc:  # a broken layer is reported, never fatal to the other figures
        for key in keys:
            missing[key] = f"{type(exc).__name__}: {str(exc).strip()[:300]}"


def _split(outcome: tuple[Result, dict[str, str]], missing: dict[str, str]) -> Result:
    figures, reasons = outcome
    missing.update(reasons)
    return figures


def main(argv: list[str] | None = None) -> None:
    """``python -m bench [EVENTS] [DATABASE_URL]`` prints one JSON object."""
    args = list(sys.argv[1:] if argv is None else argv)
    without_memory_statistics()  # as the ``ledger`` command does, before any connection
    if args[:1] == ["--child-rebuild"]:
        print(json.dumps(child_rebuild(args[1], args[2])))
        return
    if args[:1] == ["--scale"]:
        sizes = [int(size) for size in args[1].split(",")]
        print(json.dumps(run_scale(sizes, args[2] if len(args) > 2 else None), indent=2))
        return
    events = int(args[0]) if args else 10_000
    print(json.dumps(run_bench(events, args[1] if len(args) > 1 else None), indent=2))


if __name__ == "__main__":
    main()
