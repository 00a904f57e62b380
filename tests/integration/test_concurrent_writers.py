"""Several writer processes on one event store: one gap-free chain, no duplicate, no loss."""

from __future__ import annotations

import multiprocessing
import uuid
from concurrent.futures import ProcessPoolExecutor

from ledger.config import Settings
from ledger.domain.application import LedgerApplication
from ledger.errors import AlreadyRegistered
from tests.conftest import RECORDER
from tests.integration.helpers import account, dinner, person

WRITERS = 4
BATCHES = 6


def _write(settings: Settings, writer: int) -> list[int]:
    """One writer process: batches of engagements, each batch in its own transaction."""
    app = LedgerApplication(settings)
    positions = []
    for batch in range(BATCHES):
        events = [dinner(f"w{writer}-b{batch}-{i}", "ann") for i in range(5)]
        positions += [r.position for r in app.record_batch(events, RECORDER)]
    app.close()
    return positions


def _submit(settings: Settings, event: dict) -> dict:
    app = LedgerApplication(settings)
    receipt = app.record(event, RECORDER).as_dict()
    app.close()
    return receipt


def _register(settings: Settings, name: str) -> str:
    app = LedgerApplication(settings)
    try:
        app.record(account("RACE", country=name), RECORDER)
        return "recorded"
    except AlreadyRegistered:
        return "conflict"
    finally:
        app.close()


def _pool() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(WRITERS, mp_context=multiprocessing.get_context("spawn"))


def test_concurrent_writers_extend_one_verifiable_chain(store_settings: Settings) -> None:
    """Interleaved batches from several processes all land, each position once, chain intact."""
    app = LedgerApplication(store_settings)
    app.record_batch([account(), person("ann")], RECORDER)
    with _pool() as pool:
        results = list(pool.map(_write, [store_settings] * WRITERS, range(WRITERS)))
    positions = sorted(p for result in results for p in result)
    assert len(positions) == len(set(positions)) == WRITERS * BATCHES * 5
    result = app.verify()
    assert result.ok, result.problems
    assert result.events_checked == 2 + WRITERS * BATCHES * 5
    app.close()


def test_a_concurrently_resubmitted_event_is_recorded_once(store_settings: Settings) -> None:
    """The same event_id racing from several processes: one record, one receipt for all."""
    app = LedgerApplication(store_settings)
    app.record_batch([account(), person("ann")], RECORDER)
    event = {**dinner("once", "ann"), "event_id": str(uuid.uuid4())}
    with _pool() as pool:
        receipts = list(pool.map(_submit, [store_settings] * WRITERS, [event] * WRITERS))
    assert len({r["position"] for r in receipts}) == 1
    assert app.head_position() == 3
    app.close()


def test_racing_registrations_of_one_id_yield_one_winner(store_settings: Settings) -> None:
    """Optimistic concurrency on the stream: exactly one registration, the rest conflict."""
    with _pool() as pool:
        outcomes = list(pool.map(_register, [store_settings] * WRITERS, map(str, range(WRITERS))))
    assert sorted(outcomes) == ["conflict"] * (WRITERS - 1) + ["recorded"]


def test_a_departure_racing_an_engagement_that_names_the_person_wins(store_settings) -> None:
    """Another writer records ann's departure after this writer read ann's stream and
    before it inserts a later dinner naming her: the insert notices, the rules run
    again, and the dinner is refused instead of both being recorded."""
    import pytest

    from ledger.errors import DepartedStakeholder
    from tests.integration.helpers import ev

    writer, other = LedgerApplication(store_settings), LedgerApplication(store_settings)
    try:
        writer.record_batch([account(), person("ann")], RECORDER)
        writer.record(dinner("warm-up", "ann"), RECORDER)  # ann's stream is now cached
        catch_up = writer.model.catch_up
        raced = []

        def catch_up_then_lose_the_race() -> None:
            catch_up()
            if not raced:  # between this writer's read of the log and its insert
                raced.append(other.record(ev("stakeholder.departed", "2026-02-10T09:00:00Z",
                                             stakeholder_id="ann"), RECORDER))

        writer.model.catch_up = catch_up_then_lose_the_race  # type: ignore[method-assign]
        with pytest.raises(DepartedStakeholder):
            writer.record(dinner("after-leaving", "ann", occurred_at="2026-02-20T19:30:00Z"),
                          RECORDER)
        assert raced
        types = [r.type for r in other.read_records(0, 100)]
        assert types == ["account.registered", "stakeholder.registered", "engagement.recorded",
                         "stakeholder.departed"]
    finally:
        writer.close()
        other.close()
