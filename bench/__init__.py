"""``ledger bench``: the ledger's speed measured against the libraries underneath it.

Absolute times on a shared machine are noise, so every figure comes with the raw speed
of the ``eventsourcing`` library measured in the same run, on the same kind of store,
with the same synthetic workload (:mod:`ledger.samples.workload`):

- ``baseline_es_events_per_s``: a plain library ``Application`` saving equivalent
  aggregates and events, 1,000 per ``save()``;
- ``ingest_events_per_s``: :meth:`LedgerApplication.record_batch`, 1,000 per batch
  (validation, rules, idempotency, hash chain); ``ingest_ratio`` = ingest / baseline;
- ``http_batch_events_per_s``: ``POST /v1/events/batch`` of 1,000 to a real ``ledger
  serve`` process over loopback; ``http_batch_ratio`` = http batch / ingest. The three
  writers run interleaved batch by batch, so a noisy neighbour slows all alike;
- ``http_single_events_per_s``: sequential ``POST /v1/events`` before that;
- ``baseline_replay_events_per_s``: the whole log read and deserialised by the library;
- ``rebuild_events_per_s`` / ``rebuild_peak_rss_mb``: the views rebuilt in bulk in a child
  process, with ``rebuild_{read,fold,insert,derive,index,install}_us`` saying where its
  time went and the floors measured beside it (``floor_raw_read_us``: the library reading
  the stored rows; ``floor_insert_us``: SQLite inserting as many rows with nothing else
  to do); ``rebuild_ratio`` = rebuild / baseline replay (medians of three rounds each);
- ``read_<name>_p50_ms`` / ``_p95_ms``: each SPEC §5.2 read in-process, over the views,
  and ``http_read_<name>_p50_ms`` … the same over HTTP.

A measure whose layer is missing or fails is left out and named under ``not_measured``
with the reason; nothing is estimated. Every run works in scratch stores (a temporary
directory for SQLite, a temporary schema for PostgreSQL) that are removed afterwards.
"""

from bench.runs import main, run_bench, run_scale
from bench.stores import BenchError

__all__ = ["BenchError", "main", "run_bench", "run_scale"]
