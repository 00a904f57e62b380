"""Ingest against the library: ``eventsourcing`` ``save()`` and the ledger's write path."""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from datetime import datetime
from itertools import permutations
from typing import Any

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate

from bench.http import HttpBatchWriter
from bench.stores import PRINCIPAL, BenchError, Result, Scratch, batches
from ledger.aggregates import stream_id
from ledger.domain.application import LedgerApplication


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

    def write(self, batch: list[dict[str, Any]]) -> int:
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
        return len(batch)

    def close(self) -> None:
        """Close the store."""
        self.app.close()


class LedgerWriter:
    """Records workload batches through :meth:`LedgerApplication.record_batch`."""

    def __init__(self, scratch: Scratch) -> None:
        self.ledger = LedgerApplication(scratch.settings)

    def write(self, batch: list[dict[str, Any]]) -> int:
        """Record the batch atomically, as ``POST /v1/events/batch`` would."""
        self.ledger.record_batch(batch, PRINCIPAL)
        return len(batch)

    def close(self) -> None:
        """Close the store."""
        self.ledger.close()


def measure_writes(scratch: Scratch, events: int, seed: int, *, baseline: bool = True,
                   http: HttpBatchWriter | None = None) -> Result:
    """``ingest_events_per_s``, with ``baseline`` also ``baseline_es_events_per_s``, with
    ``http`` also ``http_batch_events_per_s`` (its store and server are the caller's).

    Every writer gets the same batches, interleaved batch by batch, so that a noisy
    neighbour slows all alike and the ratios stay meaningful. The order goes through every
    permutation of the writers in turn, so that no writer mostly runs right after the same
    other one (whatever one leaves behind, a busy disk or cold caches, falls on all alike).
    A writer with a ``settle`` method gets it called after each of its batches, untimed.
    """
    writers: dict[str, Any] = {"ingest_events_per_s": LedgerWriter(scratch)}
    if baseline:
        writers["baseline_es_events_per_s"] = BaselineWriter(scratch)
    if http is not None:
        writers["http_batch_events_per_s"] = http
    elapsed = dict.fromkeys(writers, 0.0)
    written = dict.fromkeys(writers, 0)
    try:
        schedule = list(permutations(writers))
        for number, batch in enumerate(batches(events, seed)):
            for key in schedule[number % len(schedule)]:
                started = time.perf_counter()
                written[key] += writers[key].write(batch)
                elapsed[key] += time.perf_counter() - started
                if hasattr(writers[key], "settle"):
                    writers[key].settle()
    finally:
        for writer in writers.values():
            writer.close()
    result: Result = {key: written[key] / seconds
                      for key, seconds in elapsed.items() if written[key]}
    if baseline:
        result["ingest_ratio"] = (result["ingest_events_per_s"]
                                  / result["baseline_es_events_per_s"])
    return result
