"""Each SPEC §5.2 read's latency, in-process and over HTTP against a real ``ledger serve``."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, is_dataclass
from functools import partial
from statistics import quantiles
from typing import Any

import httpx
import sqlite_utils

from bench.http import wait_for_views
from bench.stores import (
    PAGE,
    READ_REPEATS,
    VERIFY_REPEATS,
    BenchError,
    Result,
    Scratch,
)
from ledger.domain.application import LedgerApplication
from ledger.domain.submission import Principal
from ledger.samples.workload import workload
from ledger.store.access_log import AccessLog
from projections.compliance import compliance_flags
from projections.handover import handover_brief
from projections.history import stakeholder_history
from projections.paging import PageRequest
from projections.queries import list_accounts, opportunity_fishbone, power_map, stakeholder_figures
from projections.spend import spend_report


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


FULL_PAGE = 10
"""The page size of the ``*_page10`` reads: full at every size the bench runs (the
sampled person has at least this many history steps, the sampled account this many
flags, from 10k events on), so that their latency compares pages of the same length
whatever the size of the log. A default page (100 rows) is not full on a small log, and
its latency then grows with the answer as the log grows."""


def _reads(sample: Sample) -> dict[str, Callable[[Any, LedgerApplication], object]]:
    s = sample
    page = PageRequest()  # the first page, as the API answers by default
    full = PageRequest(limit=FULL_PAGE)
    reads: dict[str, Callable[[Any, LedgerApplication], object]] = {
        "accounts": lambda db, _: list_accounts(db, page=page),
        "power_map": lambda db, _: power_map(db, s.account_id),
        "handover": lambda db, _: handover_brief(db, s.account_id),
        "stakeholder": lambda db, _: stakeholder_figures(db, s.stakeholder_id),
        "history": lambda db, _: stakeholder_history(db, s.stakeholder_id, page=page),
        "fishbone": lambda db, _: opportunity_fishbone(db, s.opportunity_id or ""),
        "spend": lambda db, _: spend_report(db, "account", page=page),
        "spend_month": lambda db, _: spend_report(db, "month", page=page),
        "flags": lambda db, _: compliance_flags(db, account_id=s.account_id, page=page),
        "history_page10": lambda db, _: stakeholder_history(db, s.stakeholder_id, page=full),
        "flags_page10": lambda db, _: compliance_flags(db, account_id=s.account_id, page=full),
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
        "spend_month": "/v1/reports/spend?group_by=month",
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


LOGGED = ("power_map", "handover", "stakeholder", "history", "fishbone", "audit")
"""The reads that answer with personal fields: the API notes each in the access log."""


def measure_reads(scratch: Scratch, sample: Sample,
                  repeats: int = READ_REPEATS) -> tuple[Result, dict[str, str]]:
    """p50/p95 of each SPEC §5.2 read in-process, over the views the rebuild left; for
    the reads the API logs, also with the access-log row the API appends (SPEC §5.5)."""
    figures: Result = {}
    missing = _no_opportunity(sample, "read_")
    ledger = LedgerApplication(scratch.settings)
    log = AccessLog(ledger)
    db = sqlite_utils.Database(scratch.settings.resolved_views_path())
    try:
        for name, read in _reads(sample).items():
            try:
                figures |= _latencies("read_", name, partial(read, db, ledger), repeats)
                if name in LOGGED:
                    figures |= _with_and_without_log(name, partial(read, db, ledger), log,
                                                     repeats)
            except Exception as exc:  # a failing read is reported, never hidden
                missing[f"read_{name}"] = f"{type(exc).__name__}: {exc}"
        overheads = _overheads(figures)
        if overheads:
            figures["access_log_overhead_max"] = max(overheads.values())
    finally:
        db.close()
        ledger.close()
    return figures, missing


def _with_and_without_log(name: str, read: Callable[[], object], log: Any,
                          repeats: int) -> Result:
    """p95 of the read alone and of the read plus its access-log row, the two timed in
    turn so that both see the same machine; and the relative difference."""
    who = Principal("bench", "auditor")

    def logged() -> None:
        read()
        log.append(who, f"bench {name}", account_id="bench")

    plain_times: list[float] = []
    logged_times: list[float] = []
    for _ in range(repeats):
        for call, times in ((read, plain_times), (logged, logged_times)):
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
    plain = quantiles(plain_times, n=20, method="inclusive")[18]
    with_log = quantiles(logged_times, n=20, method="inclusive")[18]
    return {f"read_{name}_unlogged_p95_ms": plain, f"read_{name}_logged_p95_ms": with_log,
            f"access_log_overhead_{name}": with_log / plain - 1}


def _overheads(figures: Result) -> dict[str, float]:
    return {key: float(value) for key, value in figures.items()
            if key.startswith("access_log_overhead_") and key != "access_log_overhead_max"}


def measure_http_reads(client: httpx.Client, events: int, sample: Sample,
                       repeats: int = READ_REPEATS) -> tuple[Result, dict[str, str]]:
    """Each read's p50/p95 over loopback, once the server's views hold ``events`` events."""
    wait_for_views(client, events)
    figures: Result = {}
    missing = _no_opportunity(sample, "http_read_")
    for name, path in _http_reads(sample).items():
        try:
            figures |= _latencies("http_read_", name, partial(_get_ok, client, path), repeats)
            if name in LOGGED:
                figures |= _http_log_share(name, partial(_get_ok, client, path), repeats)
        except httpx.HTTPError as exc:
            missing[f"http_read_{name}"] = f"{type(exc).__name__}: {exc}"
    overheads = {k: v for k, v in figures.items() if k.startswith("http_access_log_overhead_")}
    if overheads:
        figures["http_access_log_overhead_max"] = max(overheads.values())
    return figures, missing


def _http_log_share(name: str, call: Callable[[], httpx.Response], repeats: int) -> Result:
    """p95 over HTTP of a logged read as answered, and of the same requests without the
    time the server spent appending the access-log row (its ``Server-Timing`` header)."""
    with_log: list[float] = []
    without: list[float] = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = call()
        spent = (time.perf_counter() - started) * 1000
        timing = response.headers.get("server-timing", "")
        log_ms = float(timing.partition("access-log;dur=")[2] or 0)
        with_log.append(spent)
        without.append(spent - log_ms)
    p95 = quantiles(with_log, n=20, method="inclusive")[18]
    p95_without = quantiles(without, n=20, method="inclusive")[18]
    return {f"http_read_{name}_logged_p95_ms": p95,
            f"http_read_{name}_unlogged_p95_ms": p95_without,
            f"http_access_log_overhead_{name}": p95 / p95_without - 1}


def _get_ok(client: Any, path: str) -> Any:
    return client.get(path).raise_for_status()
