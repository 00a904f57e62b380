"""Properties of the projections over random valid logs (SPEC §4.8, §7.1)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.contract.records import EventRecord
from projections.engine import ViewDatabase
from projections.spend import spend_report
from tests.unit.projections.snapshot import dump, snapshot
from tests.unit.projections.strategies import event_logs

FAR = datetime(2030, 1, 1, tzinfo=UTC)
SETTINGS = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def build(directory: Path, name: str, records: Iterable[EventRecord]) -> ViewDatabase:
    """A views file with ``records`` applied in one go."""
    views = ViewDatabase(directory / f"{name}.db")
    views.process(records)
    return views


@SETTINGS
@given(log=event_logs(every_type=True), cuts=st.lists(st.integers(0, 80), max_size=6),
       restart=st.integers(0, 80), bulk_batch=st.integers(1, 40))
def test_incremental_batches_with_a_restart_equal_a_rebuild(log, cuts, restart, bulk_batch):
    """Any batching, with the process restarted midway, writes the same file, byte for
    byte, as a bulk rebuild (which derives the current tables once, at the end), on logs
    with every event type."""
    records = log.records
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory)
        rebuilt = ViewDatabase(path / "rebuilt.db")
        rebuilt.rebuild(iter(records), batch_size=bulk_batch)
        incremental = ViewDatabase(path / "incremental.db")
        bounds = sorted({0, len(records), *(c for c in cuts if c < len(records))})
        for low, high in zip(bounds, bounds[1:], strict=False):
            if low <= restart < high:
                incremental.close()
                incremental = ViewDatabase(path / "incremental.db")
            # Overlapping batches must be harmless: applied positions are skipped.
            incremental.process(records[max(low - 2, 0):high])
        assert incremental.position() == rebuilt.position() == len(records)
        assert dump(incremental.db) == dump(rebuilt.db)
        rebuilt.close()
        incremental.close()


def occurred_by(records: list[EventRecord], as_of: datetime) -> list[EventRecord]:
    """The events that occurred by ``as_of``, plus every correction and void of the
    engagements among them; events about an entity not registered by then are dropped
    (they can occur before a late-entered registration, never before its recording)."""
    known: set[str] = set()
    kept = []
    for record in records:
        subject = next((record.data[key] for key in (
            "engagement_id", "opportunity_id", "stakeholder_id", "account_id")
            if key in record.data), None)
        if record.type in ("engagement.recorded", "opportunity.opened",
                           "stakeholder.registered", "account.registered"):
            if record.occurred_at <= as_of:
                known.add(subject)
                kept.append(record)
        elif record.type in ("engagement.corrected", "engagement.voided",
                             "stakeholder.forgotten"):
            # Fixes of the record, and erasures (crypto-shredding is not bitemporal: a
            # forgotten person's fields read "[forgotten]" at every point in time).
            if subject in known:
                kept.append(record)
        elif record.occurred_at <= as_of and (subject is None or subject in known):
            kept.append(record)
    return kept


@SETTINGS
@given(log=event_logs(corrections=True, every_type=True), cut=st.integers(0, 400))
def test_the_view_as_of_a_time_equals_the_view_of_the_events_that_had_occurred(log, cut):
    """As of T, the views equal those built only from events that occurred by T (plus the
    corrections and voids of those engagements, which apply from the engagement's time)."""
    moments = sorted(r.occurred_at for r in log.records)
    as_of = moments[min(cut, len(moments) - 1)]
    kept = occurred_by(log.records, as_of)
    with tempfile.TemporaryDirectory() as directory:
        full = build(Path(directory), "full", log.records)
        past = build(Path(directory), "past", kept)
        assert snapshot(full.db, as_of, FAR) == snapshot(past.db, as_of, FAR, full.db)
        full.close()
        past.close()


@SETTINGS
@given(log=event_logs(every_type=True), cut=st.integers(0, 400))
def test_the_view_known_at_a_time_equals_the_view_of_the_events_recorded_by_then(log, cut):
    """Known at K, the views equal those built only from events recorded by K (and every
    erasure: a forgotten person's fields are gone at every point in time)."""
    moments = sorted(r.recorded_at for r in log.records)
    known_at = moments[min(cut, len(moments) - 1)]
    registered = {r.data["stakeholder_id"] for r in log.records
                  if r.type == "stakeholder.registered" and r.recorded_at <= known_at}
    kept = [r for r in log.records if r.recorded_at <= known_at or (
        r.type == "stakeholder.forgotten" and r.data["stakeholder_id"] in registered)]
    with tempfile.TemporaryDirectory() as directory:
        full = build(Path(directory), "full", log.records)
        known = build(Path(directory), "known", kept)
        assert snapshot(full.db, FAR, known_at) == snapshot(known.db, FAR, known_at, full.db)
        full.close()
        known.close()


@SETTINGS
@given(log=event_logs())
def test_allocated_shares_always_sum_to_the_base_total(log):
    """Spend by stakeholder (with unallocated costs) adds up to spend by account, exactly."""
    with tempfile.TemporaryDirectory() as directory:
        views = build(Path(directory), "views", log.records)
        by_person = spend_report(views.db, "stakeholder", as_of=FAR, known_at=FAR)
        by_account = spend_report(views.db, "account", as_of=FAR, known_at=FAR)
        assert by_person["total"] == by_account["total"]
        assert sum(Decimal(g["total"]) for g in by_person["groups"]) == Decimal(
            by_account["total"])
        assert sum(Decimal(g["total"]) for g in by_account["groups"]) == Decimal(
            by_account["total"])
        views.close()
