"""Each SPEC §5.2 read's latency, in-process and over HTTP against a real ``ledger serve``."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, is_dataclass
from functools import partial
from itertools import islice
from statistics import quantiles
from typing import Any

from api.bench.stores import (
    BATCH,
    PAGE,
    READ_REPEATS,
    VERIFY_REPEATS,
    BenchError,
    Result,
    Scratch,
)
from ledger.application import LedgerApplication
from ledger.workload import workload


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
