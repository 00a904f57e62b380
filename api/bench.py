"""``ledger bench``: the ledger's speed measured against the libraries underneath it.

Absolute times on a shared machine are noise, so every figure comes with the raw speed
of the ``eventsourcing`` library measured in the same run, on the same kind of store,
with the same synthetic workload (:mod:`ledger.workload`):

- ``baseline_es_events_per_s``: a plain library ``Application`` saving equivalent
  aggregates and events, 1,000 per ``save()``;
- ``ingest_events_per_s``: :meth:`LedgerApplication.record_batch`, 1,000 per batch
  (validation, rules, idempotency, hash chain); ``ingest_ratio`` = ingest / baseline.
  The two run interleaved batch by batch, so a noisy neighbour slows both alike;
- ``baseline_replay_events_per_s``: the whole log read and deserialised by the library;
- ``rebuild_events_per_s`` / ``rebuild_peak_rss_mb``: the views rebuilt in a child process;
  ``rebuild_ratio`` = rebuild / baseline replay;
- ``read_<name>_p50_ms`` / ``_p95_ms``: each SPEC §5.2 read in-process, over the views;
- ``http_batch_events_per_s``, ``http_single_events_per_s``, ``http_read_<name>_p50_ms`` …:
  a real ``ledger serve`` process over loopback; ``http_batch_ratio`` = http batch / ingest.

A measure whose layer is missing or fails is left out and named under ``not_measured``
with the reason; nothing is estimated. Every run works in scratch stores (a temporary
directory for SQLite, a temporary schema for PostgreSQL) that are removed afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, is_dataclass
from datetime import datetime
from functools import partial
from itertools import islice
from pathlib import Path
from statistics import quantiles
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate

from ledger.aggregates import stream_id
from ledger.application import LedgerApplication, Principal
from ledger.config import Settings
from ledger.workload import workload

BATCH = 1000
PAGE = 1000
READ_REPEATS = 20
VERIFY_REPEATS = 5
PRINCIPAL = Principal("bench", "admin")
Result = dict[str, Any]


class BenchError(Exception):
    """The benchmark cannot run with these settings."""


@dataclass(frozen=True)
class Scratch:
    """One empty event store (and a views path beside it) for one measure."""

    settings: Settings
    baseline_env: dict[str, str]


# --- scratch stores --------------------------------------------------------------------------


@contextmanager
def scratch_stores(database_url: str | None, count: int) -> Iterator[list[Scratch]]:
    """``count`` empty stores of the same kind as ``database_url`` (default: SQLite), removed
    afterwards. SQLite files go beside the given file (same disk); PostgreSQL stores are
    fresh schemas in the given database."""
    url = database_url or "sqlite:///" + str(Path(tempfile.gettempdir()) / "ledger.db")
    probe = Settings(database_url=url)
    probe.event_store_env()  # a malformed URL fails here, with its one-line message
    parent = None if probe.is_postgres else probe.sqlite_path().resolve().parent
    if parent is not None and not parent.is_dir():
        raise BenchError(f"LEDGER_DATABASE_URL: no directory {parent} for the scratch stores")
    workdir = Path(tempfile.mkdtemp(prefix="ledger-bench-", dir=parent))
    schemas = [f"bench_{uuid.uuid4().hex[:10]}" for _ in range(count)] if probe.is_postgres else []
    try:
        stores = []
        for i in range(count):
            if probe.is_postgres:
                _psql(url, f'CREATE SCHEMA "{schemas[i]}"')
                store_url = _with_schema(url, schemas[i])
            else:
                store_url = f"sqlite:///{workdir}/events-{i}.db"
            settings = Settings(database_url=store_url, views_path=f"{workdir}/views-{i}.db")
            env = dict(settings.event_store_env())
            env["PERSISTENCE_MODULE"] = ("eventsourcing.postgres" if probe.is_postgres
                                         else "eventsourcing.sqlite")
            if not probe.is_postgres:
                env["SQLITE_DBNAME"] = f"{workdir}/baseline-{i}.db"
            stores.append(Scratch(settings, env))
        yield stores
    finally:
        for schema in schemas:
            _psql(url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        shutil.rmtree(workdir, ignore_errors=True)


def _with_schema(url: str, schema: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=f"schema={schema}"))


def _psql(url: str, statement: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(query="")), autocommit=True) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


def batches(events: int, seed: int, size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    """The workload in lists of ``size`` envelopes, generated lazily (never all in memory)."""
    stream = workload(events, seed=seed)
    while batch := list(islice(stream, size)):
        yield batch


# --- the library baseline --------------------------------------------------------------------


class BaselineRecord(Aggregate):
    """A plain library aggregate carrying the same envelope payload as the ledger's events."""

    class Started(Aggregate.Created):
        """First event of a stream."""

        event_id: str
        occurred_at: datetime
        data: dict[str, Any]
        recorded_by: str

    class Appended(Aggregate.Event):
        """Any later event of a stream."""

        event_id: str
        occurred_at: datetime
        data: dict[str, Any]
        recorded_by: str

    def __init__(self, event_id: str, occurred_at: datetime, data: dict[str, Any],
                 recorded_by: str) -> None:
        """Nothing to keep: the baseline measures persistence, not domain logic."""


class BaselineApplication(Application):
    """The library's own application and factory, nothing of the ledger's."""

    name = "benchbaseline"


_CREATES = frozenset(("account.registered", "stakeholder.registered", "opportunity.opened",
                      "engagement.recorded"))
_KEYS = {"account": "account_id", "stakeholder": "stakeholder_id",
         "opportunity": "opportunity_id", "engagement": "engagement_id", "fx": "currency"}


def _stream_of(envelope: dict[str, Any]) -> tuple[str, str]:
    kind = envelope["type"].split(".")[0]
    return ("policy", "base") if kind == "policy" else (kind, envelope["data"][_KEYS[kind]])


class BaselineWriter:
    """Saves workload batches as plain library aggregates: one ``save()`` per batch."""

    def __init__(self, scratch: Scratch) -> None:
        self.app = BaselineApplication(env=scratch.baseline_env)
        self.cache: OrderedDict[uuid.UUID, BaselineRecord] = OrderedDict()
        self.seen: set[str] = set()  # policy and rate streams that were started

    def write(self, batch: list[dict[str, Any]]) -> None:
        """Turn the batch into aggregate events and save them in one transaction."""
        pending: dict[uuid.UUID, BaselineRecord] = {}
        for envelope in batch:
            kind, key = _stream_of(envelope)
            sid = stream_id(kind, key)
            fields = {"event_id": envelope["event_id"], "data": envelope["data"],
                      "occurred_at": datetime.fromisoformat(envelope["occurred_at"]),
                      "recorded_by": PRINCIPAL.name}
            creates = envelope["type"] in _CREATES or (
                kind in ("policy", "fx") and f"{kind}:{key}" not in self.seen)
            self.seen.add(f"{kind}:{key}")
            if creates:
                pending[sid] = BaselineRecord._create(BaselineRecord.Started, id=sid, **fields)
                continue
            aggregate = pending.get(sid) or self.cache.get(sid)
            if aggregate is None:
                try:
                    aggregate = self.app.repository.get(sid)
                except AggregateNotFoundError:
                    raise BenchError(f"baseline: no stream {kind}:{key}") from None
            aggregate.trigger_event(BaselineRecord.Appended, **fields)
            pending[sid] = aggregate
        self.app.save(*pending.values())
        for sid, aggregate in pending.items():
            self.cache[sid] = aggregate
            self.cache.move_to_end(sid)
        while len(self.cache) > 200_000:  # the ledger's write-model cache size
            self.cache.popitem(last=False)

    def close(self) -> None:
        """Close the store."""
        self.app.close()


class LedgerWriter:
    """Records workload batches through :meth:`LedgerApplication.record_batch`."""

    def __init__(self, scratch: Scratch) -> None:
        self.ledger = LedgerApplication(scratch.settings)

    def write(self, batch: list[dict[str, Any]]) -> None:
        """Record the batch atomically, as ``POST /v1/events/batch`` would."""
        self.ledger.record_batch(batch, PRINCIPAL)

    def close(self) -> None:
        """Close the store."""
        self.ledger.close()


def measure_writes(scratch: Scratch, events: int, seed: int, *,
                   baseline: bool = True) -> Result:
    """``ingest_events_per_s`` and (with ``baseline``) ``baseline_es_events_per_s``.

    Both writers get the same batches, interleaved batch by batch and alternating which
    goes first, so that a noisy neighbour slows both alike and the ratio stays meaningful.
    """
    writers: dict[str, Any] = {"ingest_events_per_s": LedgerWriter(scratch)}
    if baseline:
        writers["baseline_es_events_per_s"] = BaselineWriter(scratch)
    elapsed = dict.fromkeys(writers, 0.0)
    try:
        for number, batch in enumerate(batches(events, seed)):
            order = list(writers) if number % 2 else list(reversed(writers))
            for key in order:
                started = time.perf_counter()
                writers[key].write(batch)
                elapsed[key] += time.perf_counter() - started
    finally:
        for writer in writers.values():
            writer.close()
    result: Result = {key: events / seconds for key, seconds in elapsed.items()}
    if baseline:
        result["ingest_ratio"] = (result["ingest_events_per_s"]
                                  / result["baseline_es_events_per_s"])
    return result


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


# --- hooks that need the read side and the server --------------------------------------------


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


def _child_rebuild(database_url: str, views_path: str) -> Result:
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


@dataclass(frozen=True)
class Sample:
    """Ids the reads ask about: the workload's first account, person and opportunity."""

    account_id: str
    stakeholder_id: str
    opportunity_id: str | None
    """None when the workload is too small to open one; the fishbone read is then skipped."""
    middle: int


def sample_ids(events: int, seed: int) -> Sample:
    """The first account, stakeholder and opportunity of the workload."""
    found: dict[str, str] = {}
    for envelope in workload(events, seed=seed):
        data = envelope["data"]
        for kind, key in (("account.registered", "account_id"),
                          ("stakeholder.registered", "stakeholder_id"),
                          ("opportunity.opened", "opportunity_id")):
            if envelope["type"] == kind:
                found.setdefault(key, data[key])
        if len(found) == 3:
            break
    if len(found) < 2:
        raise BenchError(f"{events} events are too few to sample reads from")
    return Sample(found["account_id"], found["stakeholder_id"], found.get("opportunity_id"),
                  events // 2)


def _reads(sample: Sample) -> dict[str, Callable[[Any, LedgerApplication], object]]:
    from projections.compliance import compliance_flags
    from projections.handover import handover_brief
    from projections.history import stakeholder_history
    from projections.queries import (
        list_accounts,
        opportunity_fishbone,
        power_map,
        stakeholder_figures,
    )
    from projections.spend import spend_report

    s = sample
    reads: dict[str, Callable[[Any, LedgerApplication], object]] = {
        "accounts": lambda db, _: list_accounts(db),
        "power_map": lambda db, _: power_map(db, s.account_id),
        "handover": lambda db, _: handover_brief(db, s.account_id),
        "stakeholder": lambda db, _: stakeholder_figures(db, s.stakeholder_id),
        "history": lambda db, _: stakeholder_history(db, s.stakeholder_id),
        "fishbone": lambda db, _: opportunity_fishbone(db, s.opportunity_id or ""),
        "spend": lambda db, _: spend_report(db, "account"),
        "flags": lambda db, _: compliance_flags(db, account_id=s.account_id),
        "audit": lambda _, ledger: ledger.read_records(s.middle, PAGE),
        "verify": lambda _, ledger: ledger.verify(),
    }
    return {k: v for k, v in reads.items() if s.opportunity_id or k != "fishbone"}


def _http_reads(sample: Sample) -> dict[str, str]:
    s = sample
    reads = {
        "accounts": "/v1/accounts",
        "power_map": f"/v1/accounts/{s.account_id}/power-map",
        "handover": f"/v1/accounts/{s.account_id}/handover",
        "stakeholder": f"/v1/stakeholders/{s.stakeholder_id}",
        "history": f"/v1/stakeholders/{s.stakeholder_id}/history",
        "fishbone": f"/v1/opportunities/{s.opportunity_id}/fishbone",
        "spend": "/v1/reports/spend?group_by=account",
        "flags": f"/v1/compliance/flags?account_id={s.account_id}",
        "audit": f"/v1/audit/events?after={s.middle}&limit={PAGE}",
        "verify": "/v1/audit/verify",
    }
    return {k: v for k, v in reads.items() if s.opportunity_id or k != "fishbone"}


def _no_opportunity(sample: Sample, prefix: str) -> dict[str, str]:
    if sample.opportunity_id:
        return {}
    return {f"{prefix}fishbone": "the workload opened no opportunity at this size"}


def _latencies(prefix: str, name: str, call: Callable[[], object], repeats: int) -> Result:
    answer = call()  # warm caches and connections once
    times = []
    # verify reads the whole log by design (SPEC §7.2): fewer repeats keep big runs finite.
    for _ in range(min(repeats, VERIFY_REPEATS) if name == "verify" else repeats):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    cuts = quantiles(times, n=20, method="inclusive")
    return {f"{prefix}{name}_p50_ms": cuts[9], f"{prefix}{name}_p95_ms": cuts[18],
            f"{prefix}{name}_answer_kb": _size_kb(answer)}


def _size_kb(answer: object) -> float:
    """How big a read's answer is (its JSON, in KB), to compare latency with output."""
    content = getattr(answer, "content", None)  # an HTTP response
    if isinstance(content, bytes):
        return len(content) / 1024

    def plain(value: Any) -> Any:
        if hasattr(value, "model_dump"):
            return value.model_dump(mode="json")
        if is_dataclass(value) and not isinstance(value, type):
            return asdict(value)
        return str(value)

    return len(json.dumps(answer, default=plain)) / 1024


def measure_reads(scratch: Scratch, sample: Sample,
                  repeats: int = READ_REPEATS) -> tuple[Result, dict[str, str]]:
    """p50/p95 of each SPEC §5.2 read in-process, over the views the rebuild left."""
    import sqlite_utils

    figures: Result = {}
    missing = _no_opportunity(sample, "read_")
    ledger = LedgerApplication(scratch.settings)
    db = sqlite_utils.Database(scratch.settings.resolved_views_path())
    try:
        for name, read in _reads(sample).items():
            try:
                figures |= _latencies("read_", name, partial(read, db, ledger), repeats)
            except Exception as exc:  # a failing read is reported, never hidden
                missing[f"read_{name}"] = f"{type(exc).__name__}: {exc}"
    finally:
        db.close()
        ledger.close()
    return figures, missing


def measure_http(scratch: Scratch, events: int, seed: int, sample: Sample, *,
                 ingest: bool = True, singles: int = 200,
                 repeats: int = READ_REPEATS) -> tuple[Result, dict[str, str]]:
    """Over loopback against a real ``ledger serve``, then each read's p50/p95.

    With ``ingest`` the store must be empty: ``singles`` sequential single POSTs, then the
    rest of the workload in batches of 1,000. Without, the store already holds it.
    """
    import httpx

    token = uuid.uuid4().hex
    with _server(scratch, token) as base_url, httpx.Client(
            base_url=base_url, timeout=600,
            headers={"Authorization": f"Bearer {token}"}) as client:
        figures: Result = {}
        if ingest:
            figures = _http_ingest(client, events, seed, singles)
        _wait_for_views(client, events)
        missing = _no_opportunity(sample, "http_read_")
        for name, path in _http_reads(sample).items():
            try:
                figures |= _latencies("http_read_", name, partial(_get_ok, client, path),
                                      repeats)
            except httpx.HTTPError as exc:
                missing[f"http_read_{name}"] = f"{type(exc).__name__}: {exc}"
    return figures, missing


def _http_ingest(client: Any, events: int, seed: int, singles: int) -> Result:
    stream = workload(events, seed=seed)
    head = list(islice(stream, min(singles, events // 4)))
    started = time.perf_counter()
    for envelope in head:
        client.post("/v1/events", json=envelope).raise_for_status()
    single = len(head) / (time.perf_counter() - started)
    elapsed, posted = 0.0, 0
    while batch := list(islice(stream, BATCH)):
        started = time.perf_counter()
        client.post("/v1/events/batch", json={"events": batch}).raise_for_status()
        elapsed += time.perf_counter() - started
        posted += len(batch)
    return {"http_single_events_per_s": single, "http_batch_events_per_s": posted / elapsed}


@contextmanager
def _server(scratch: Scratch, token: str) -> Iterator[str]:
    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = scratch.settings
    command = [sys.executable, "-m", "ledger.cli", "serve", "--database-url",
               settings.database_url, "--views-path", str(settings.resolved_views_path()),
               "--host", "127.0.0.1", "--port", str(port)]
    env = {**os.environ, "LEDGER_ADMIN_TOKEN": token}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                output = process.stderr.read() if process.stderr else ""
                raise BenchError(f"ledger serve exited: {output.strip()[-300:]}")
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise BenchError("ledger serve did not answer /healthz within 60 s")
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _get_ok(client: Any, path: str) -> Any:
    return client.get(path).raise_for_status()


def _wait_for_views(client: Any, position: int, timeout: float = 3600) -> None:
    deadline = time.monotonic() + timeout
    while client.get("/healthz").json().get("views_position", 0) < position:
        if time.monotonic() > deadline:
            raise BenchError(f"the server's views did not reach position {position}")
        time.sleep(0.2)


# --- the runs ---------------------------------------------------------------------------------

REBUILD_KEYS = ("rebuild_events_per_s", "rebuild_peak_rss_mb", "rebuild_ratio")
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
    with scratch_stores(database_url, 2 if http else 1) as stores:
        main = stores[0]
        result |= measure_writes(main, events, seed, baseline=baseline)
        result["baseline_replay_events_per_s"] = measure_replay(main)
        sample = sample_ids(events, seed)
        _measure(result, missing, REBUILD_KEYS, lambda: measure_rebuild(main))
        if "rebuild_events_per_s" in result:
            result["rebuild_ratio"] = (result["rebuild_events_per_s"]
                                       / result["baseline_replay_events_per_s"])
            _measure(result, missing, ("read_*",), lambda: _split(
                measure_reads(main, sample, repeats), missing))
        else:
            missing["read_*"] = "the views could not be rebuilt (see rebuild_events_per_s)"
        if http:
            _measure(result, missing, (*HTTP_KEYS, "http_read_*"), lambda: _split(
                measure_http(stores[1], events, seed, sample, singles=singles,
                             repeats=repeats), missing))
            if "http_batch_events_per_s" in result:
                result["http_batch_ratio"] = (result["http_batch_events_per_s"]
                                              / result["ingest_events_per_s"])
    if missing:
        result["not_measured"] = missing
    return result


def run_scale(sizes: list[int], database_url: str | None = None, *, seed: int = 1,
              repeats: int = READ_REPEATS, http: bool = True) -> Result:
    """How read p95 latencies and rebuild memory grow with the size of the log.

    For each size: ingest, rebuild, in-process reads, then HTTP reads against a server
    on that store. Growth figures compare every size with the smallest.
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
    with scratch_stores(database_url, 1) as (store,):
        run |= measure_writes(store, size, seed, baseline=False)
        sample = sample_ids(size, seed)
        _measure(run, missing, REBUILD_KEYS[:2], lambda: measure_rebuild(store))
        if "rebuild_events_per_s" in run:
            _measure(run, missing, ("read_*",),
                     lambda: _split(measure_reads(store, sample, repeats), missing))
            if http:
                _measure(run, missing, ("http_read_*",), lambda: _split(measure_http(
                    store, size, seed, sample, ingest=False, repeats=repeats), missing))
    if missing:
        run["not_measured"] = missing
    return run


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
    """``python -m api.bench [EVENTS] [DATABASE_URL]`` prints one JSON object."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--child-rebuild"]:
        print(json.dumps(_child_rebuild(args[1], args[2])))
        return
    if args[:1] == ["--scale"]:
        sizes = [int(size) for size in args[1].split(",")]
        print(json.dumps(run_scale(sizes, args[2] if len(args) > 2 else None), indent=2))
        return
    events = int(args[0]) if args else 10_000
    print(json.dumps(run_bench(events, args[1] if len(args) > 1 else None), indent=2))


if __name__ == "__main__":
    main()
