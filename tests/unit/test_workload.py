"""The synthetic workload: valid, deterministic, realistic in shape, and streaming."""

from __future__ import annotations

import tracemalloc
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

from ledger.config import Settings
from ledger.contract.validation import parse_envelope
from ledger.domain.application import LedgerApplication
from ledger.samples.workload import workload
from tests.conftest import ADMIN

START = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def twenty_thousand() -> list[dict[str, Any]]:
    """A 20,000-event workload, generated once for the shape checks."""
    return list(workload(20_000, start=START))


@pytest.mark.parametrize("n", [0, 1, 7, 1000, 4321])
def test_yields_exactly_the_number_of_events_asked_for(n: int) -> None:
    """However small or odd the size, the stream has exactly n events."""
    assert sum(1 for _ in workload(n, start=START)) == n


def test_same_seed_and_start_give_the_same_events() -> None:
    """The generator is deterministic: only its seed and start decide the events."""
    assert list(workload(3000, seed=5, start=START)) == list(workload(3000, seed=5, start=START))
    assert list(workload(500, seed=5, start=START)) != list(workload(500, seed=6, start=START))


def test_every_event_passes_envelope_validation() -> None:
    """A sample of envelopes passes the schemas exactly as the API would see them."""
    for envelope in workload(5000, seed=2, start=START):
        parse_envelope(envelope, now=START)


def test_event_ids_are_unique_uuids_and_policy_comes_first() -> None:
    """Ids are distinct; the policy (which fixes the base currency) is the first event."""
    events = list(workload(5000, start=START))
    assert events[0]["type"] == "policy.set"
    assert events[0]["data"]["base_currency"] == "EUR"
    assert len({e["event_id"] for e in events}) == len(events)


def test_all_occurred_at_lie_in_two_years_before_start_with_late_entries(
        twenty_thousand: list[dict[str, Any]]) -> None:
    """Valid times span two years ending a day before start, and some arrive out of order."""
    events = twenty_thousand
    times = [datetime.fromisoformat(e["occurred_at"]) for e in events]
    assert max(times) <= START - timedelta(days=1)
    assert min(times) >= START - timedelta(days=732)
    assert max(times) - min(times) > timedelta(days=700)
    month = timedelta(days=30)
    late = [t for t, later in zip(times, times[500:], strict=False) if later < t - month]
    assert late, "some events are entered a month or more after their neighbours"
    assert any(a > b for a, b in zip(times, times[1:], strict=False))


def test_shape_has_every_kind_of_change_several_currencies_and_skewed_people(
        twenty_thousand: list[dict[str, Any]]) -> None:
    """The mix is realistic: many accounts, ~20 people each, every change type, 5 currencies."""
    events = twenty_thousand
    types = Counter(e["type"] for e in events)
    for event_type in ("engagement.corrected", "engagement.voided", "engagement.approved",
                       "stakeholder.attitude_changed", "stakeholder.role_changed",
                       "stakeholder.departed", "opportunity.stakeholder_placed",
                       "fx.rate_set"):
        assert types[event_type] > 0, event_type
    assert types["account.registered"] >= 100
    assert 14 <= types["stakeholder.registered"] / types["account.registered"] <= 27
    currencies = {e["data"]["cost"]["currency"] for e in events if e["data"].get("cost")}
    assert currencies == {"EUR", "USD", "GBP", "JPY", "CNY"}
    per_person = Counter(p for e in events if e["type"] == "engagement.recorded"
                         for p in e["data"]["participants"])
    counts = sorted(per_person.values(), reverse=True)
    top_share = sum(counts[: len(counts) // 10]) / sum(counts)
    assert top_share > 0.3, "the busiest tenth of people get far more than a tenth"


def test_a_workload_records_cleanly_through_the_ledger(tmp_path: Path) -> None:
    """Submitted in order in batches of 1,000, every event passes every state rule."""
    ledger = LedgerApplication(Settings(database_url=f"sqlite:///{tmp_path}/ledger.db"))
    try:
        stream = workload(20_000, seed=3)
        recorded = 0
        while batch := list(islice(stream, 1000)):
            receipts = ledger.record_batch(batch, ADMIN)
            assert not any(r.replayed for r in receipts)
            recorded += len(receipts)
        assert recorded == ledger.head_position() == 20_000
    finally:
        ledger.close()


def test_generation_streams_in_bounded_memory() -> None:
    """Memory holds the simulation's small state, not the events generated so far."""
    tracemalloc.start()
    try:
        for _ in workload(5_000, start=START):
            pass
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Holding 5,000 envelopes takes about 5 MB; the simulation's state less than 1.
    assert peak < 3_000_000
