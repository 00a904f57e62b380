"""PostgreSQL's connection cut under a server taking writes: 503s with Retry-After (never
a 500 or a dropped HTTP connection), then recovery by itself, and nothing lost."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import POSTGRES_URL
from tests.reliability.proxy import Proxy
from tests.reliability.server import (
    HEADERS,
    Server,
    batch_of,
    batches_whole,
    logged_event_ids,
    wait_until,
)

pytestmark = pytest.mark.postgres
PASSWORD = "s3cr3t-pw"
"""A password in the URL (trust authentication ignores it): it must never be printed."""


def test_a_cut_postgres_connection_is_503_then_recovers_losing_nothing(
        postgres_schema: str, tmp_path: Path, servers: list[Server]) -> None:
    """Cut for two seconds while a client posts batches."""
    target = urlsplit(POSTGRES_URL)
    proxy = Proxy((target.hostname or "127.0.0.1", target.port or 5432))
    url = (f"postgresql://{target.username or 'postgres'}:{PASSWORD}@127.0.0.1:{proxy.port}"
           f"{target.path}?schema={postgres_schema}")
    server = Server({"LEDGER_DATABASE_URL": url, "LEDGER_VIEWS_PATH": str(tmp_path / "v.db")},
                    tmp_path / "serve.log").start()
    servers.append(server)
    outcomes: list[tuple[float, int, str | None]] = []
    acknowledged: list[str] = []
    sent: list[list[str]] = []
    stop = threading.Event()

    def write() -> None:
        with httpx.Client(base_url=server.url, headers=HEADERS, timeout=30) as client:
            while not stop.is_set():
                batch = batch_of(10, "cut")
                sent.append([e["event_id"] for e in batch])
                response = client.post("/v1/events/batch", json={"events": batch})
                outcomes.append((time.monotonic(), response.status_code,
                                 response.headers.get("retry-after")))
                if response.status_code == 201:
                    acknowledged.extend(sent[-1])
                else:
                    time.sleep(0.2)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        time.sleep(1.0)
        proxy.cut()
        time.sleep(2.0)
        healed = time.monotonic()
        proxy.heal()
        assert wait_until(lambda: any(t > healed and s == 201 for t, s, _ in outcomes), 20)
        time.sleep(0.5)
    finally:
        stop.set()
        writer.join(60)
        proxy.heal()
    statuses = Counter(status for _, status, _ in outcomes)
    assert set(statuses) <= {201, 503}, statuses
    assert statuses[503] >= 1, "the cut was never noticed"
    assert all(retry for _, status, retry in outcomes if status == 503)
    logged = logged_event_ids(server.url)
    counts = Counter(logged)
    assert all(counts[event_id] == 1 for event_id in acknowledged)
    assert batches_whole(sent, set(logged))

    def caught_up() -> bool:
        health = httpx.get(f"{server.url}/healthz", timeout=10).json()
        return bool(health["status"] == "ok" and health["lag"] == 0)

    assert wait_until(caught_up, 20)
    server.terminate()
    proxy.close()
    assert PASSWORD not in (tmp_path / "serve.log").read_text()
