"""Storage faults of the event store as problem documents (SPEC §5.4): the recorder is
made to fail the way SQLite and PostgreSQL fail (the reliability suite makes them fail
for real: tests/reliability)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
from eventsourcing.persistence import OperationalError

from tests.api.conftest import Api
from tests.integration.helpers import account, base_setup


def failing(api: Api, monkeypatch: pytest.MonkeyPatch, error: Callable[[], Exception],
            times: int) -> list[int]:
    """Make the next ``times`` inserts raise ``error()``; the list counts the calls."""
    recorder: Any = api.runtime.ledger.recorder
    insert = recorder.insert_events
    calls: list[int] = []

    def insert_events(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) <= times:
            raise error()
        return insert(*args, **kwargs)

    monkeypatch.setattr(recorder, "insert_events", insert_events)
    return calls


def disk_full() -> Exception:
    cause = sqlite3.OperationalError("database or disk is full")
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


def connection_lost() -> Exception:
    return OperationalError("consuming input failed: server closed the connection unexpectedly")


def test_a_full_disk_is_a_507_problem_and_records_nothing(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """507, problem+json, the batch absent; the next write succeeds."""
    failing(api, monkeypatch, disk_full, 1)
    response = api.post("/v1/events/batch", {"events": base_setup()})
    assert response.status_code == 507
    assert response.headers["content-type"] == "application/problem+json"
    assert "disk is full" in response.json()["detail"]
    assert api.get("/healthz").json()["log_position"] == 0
    assert api.post("/v1/events/batch", {"events": base_setup()}).status_code == 201


def test_a_dropped_connection_is_retried_once_transparently(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """One failure: the retry on a fresh connection records the event (201)."""
    calls = failing(api, monkeypatch, connection_lost, 1)
    assert api.post("/v1/events", account()).status_code == 201
    assert len(calls) == 2


def test_a_store_still_unreachable_after_the_retry_is_a_503_with_retry_after(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two failures: 503 with Retry-After, nothing recorded, then recovery by itself."""
    calls = failing(api, monkeypatch, connection_lost, 2)
    response = api.post("/v1/events/batch", {"events": base_setup()})
    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert response.json()["title"] == "Event store unavailable"
    assert len(calls) == 2
    assert api.get("/healthz").json()["log_position"] == 0
    assert api.post("/v1/events/batch", {"events": base_setup()}).status_code == 201
