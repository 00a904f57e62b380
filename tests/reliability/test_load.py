"""Eight concurrent clients for a few seconds: every write answered, none lost.

On SQLite one server; on PostgreSQL two server processes over one database, the clients
taking turns between them. Each run prints events/s, p50/p99 latency, the 5xx count and
the lost count (run with ``-s`` to see them; the README's "Reliability" section keeps
figures from such runs).
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.conftest import POSTGRES_URL
from tests.reliability.server import (
    HEADERS,
    Server,
    batch_of,
    logged_event_ids,
    sqlite_env,
    wait_until,
)

CLIENTS = 8
SECONDS = 3.0
BATCH = 10


def run_load(urls: list[str]) -> dict[str, float]:
    """``CLIENTS`` clients post batches for ``SECONDS``; the figures of the run."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    acknowledged: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    def client(index: int) -> None:
        with httpx.Client(base_url=urls[index % len(urls)], headers=HEADERS,
                          timeout=30) as http:
            while time.monotonic() < deadline:
                batch = batch_of(BATCH, f"load{index}")
                started = time.perf_counter()
                try:
                    response = http.post("/v1/events/batch", json={"events": batch})
                    status = response.status_code
                except httpx.TransportError:
                    status = 599  # counted with the 5xx: the client got no answer
                with lock:
                    latencies.append(time.perf_counter() - started)
                    statuses[status] += 1
                    if status == 201:
                        acknowledged.extend(e["event_id"] for e in batch)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    elapsed = time.monotonic() - began
    logged = Counter(logged_event_ids(urls[0]))
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "events_per_s": len(acknowledged) / elapsed,
        "requests": float(len(latencies)),
        "p50_ms": cuts[49] * 1000, "p99_ms": cuts[98] * 1000,
        "server_errors": float(sum(n for s, n in statuses.items() if s >= 500)),
        "other_refusals": float(sum(n for s, n in statuses.items() if 201 < s < 500)),
        "lost": float(sum(1 for e in acknowledged if logged[e] != 1)),
    }


def report(name: str, figures: dict[str, float]) -> None:
    """One line a person can paste into the README."""
    print(f"\nload {name}: {figures['events_per_s']:.0f} events/s, "
          f"{figures['requests']:.0f} batches of {BATCH}, p50 {figures['p50_ms']:.0f} ms, "
          f"p99 {figures['p99_ms']:.0f} ms, 5xx {figures['server_errors']:.0f}, "
          f"lost {figures['lost']:.0f}")


def test_eight_clients_on_sqlite_get_every_write_answered_and_kept(
        tmp_path: Path, servers: list[Server]) -> None:
    """No 5xx, nothing lost, the views catch up."""
    env = sqlite_env(tmp_path)
    server = Server(env, tmp_path / "serve.log").start()
    servers.append(server)
    figures = run_load([server.url])
    report("sqlite, 1 server", figures)
    assert figures["server_errors"] == 0 and figures["other_refusals"] == 0
    assert figures["lost"] == 0 and figures["requests"] > CLIENTS
    assert wait_until(lambda: _caught_up(server.url), 30)


@pytest.mark.postgres
def test_eight_clients_on_two_postgres_servers_get_every_write_answered_and_kept(
        postgres_schema: str, tmp_path: Path, servers: list[Server]) -> None:
    """Two API processes over one PostgreSQL database: no 5xx, nothing lost, both views
    catch up."""
    url = f"{POSTGRES_URL}?schema={postgres_schema}"
    for name in ("a", "b"):
        env = {"LEDGER_DATABASE_URL": url, "LEDGER_VIEWS_PATH": str(tmp_path / f"{name}.db")}
        servers.append(Server(env, tmp_path / f"serve-{name}.log").start())
    figures = run_load([server.url for server in servers])
    report("postgresql, 2 servers", figures)
    assert figures["server_errors"] == 0 and figures["other_refusals"] == 0
    assert figures["lost"] == 0 and figures["requests"] > CLIENTS
    for server in servers:
        assert wait_until(lambda s=server: _caught_up(s.url), 30)


def _caught_up(url: str) -> bool:
    health = httpx.get(f"{url}/healthz", timeout=10).json()
    return bool(health["status"] == "ok" and health["lag"] == 0)
