"""kill -9 of a server receiving batches, at random moments, again and again: after each
restart every acknowledged event is in the log exactly once, no batch is partial, no
process of the killed server lives on, and the views equal a rebuild from the log."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from tests.reliability.server import (
    HEADERS,
    Server,
    batch_of,
    batches_whole,
    logged_event_ids,
    sqlite_dump,
    wait_until,
)

KILLS = {"sqlite": 3, "postgres": 2}
"""kill -9s a run makes, per backend (a restart on PostgreSQL takes longer)."""
WRITERS = 2
BATCH = 10


class Writers:
    """Clients posting batches until told to stop or the server goes away."""

    def __init__(self) -> None:
        self.acknowledged: list[str] = []
        self.sent: list[list[str]] = []
        self.server_errors = 0
        self._lock = threading.Lock()

    def run(self, url: str, stop: threading.Event) -> None:
        """Post batches to ``url``; remember what was sent and what was acknowledged."""
        with httpx.Client(base_url=url, headers=HEADERS, timeout=30) as client:
            while not stop.is_set():
                batch = batch_of(BATCH, "crash")
                ids = [event["event_id"] for event in batch]
                with self._lock:
                    self.sent.append(ids)
                try:
                    response = client.post("/v1/events/batch", json={"events": batch})
                except httpx.TransportError:
                    return  # killed under us: this batch's fate is unknown
                if response.status_code == 201:
                    with self._lock:
                        self.acknowledged += ids
                elif response.status_code >= 500:
                    self.server_errors += 1


def test_kill_9_at_random_moments_loses_no_acknowledged_event(
        store_env: dict[str, str], tmp_path: Path, servers: list[Server]) -> None:
    """Repeated kill -9s while two clients post batches; then one clean run."""
    rng = random.Random(13)
    writers = Writers()
    kills = KILLS["postgres" if "postgresql" in store_env["LEDGER_DATABASE_URL"] else "sqlite"]
    for round_ in range(kills + 1):
        server = Server(store_env, tmp_path / "serve.log").start()
        servers.append(server)
        stop = threading.Event()
        threads = [threading.Thread(target=writers.run, args=(server.url, stop))
                   for _ in range(WRITERS)]
        for thread in threads:
            thread.start()
        time.sleep(rng.uniform(0.3, 1.0))
        if round_ < kills:
            assert wait_until(lambda s=server: s.projector_pid() is not None, 10)
            server.kill()
            assert wait_until(lambda s=server: not s.leftovers(), 5), "the projector outlived"
        stop.set()
        for thread in threads:
            thread.join(60)
    url = servers[-1].url
    assert wait_until(lambda: _views_caught_up(url), 30)
    logged = logged_event_ids(url)
    counts = Counter(logged)
    assert len(writers.acknowledged) >= BATCH * WRITERS
    assert all(counts[event_id] == 1 for event_id in writers.acknowledged)
    assert max(counts.values()) == 1
    assert batches_whole(writers.sent, set(logged))
    assert writers.server_errors == 0
    assert servers[-1].terminate() < 10 and not servers[-1].leftovers()
    rebuilt = tmp_path / "rebuilt.db"
    subprocess.run([sys.executable, "-m", "cli.app", "rebuild", "--views-path", str(rebuilt)],
                   env={**os.environ, **store_env}, check=True, capture_output=True, timeout=120)
    assert sqlite_dump(Path(store_env["LEDGER_VIEWS_PATH"])) == sqlite_dump(rebuilt)


def _views_caught_up(url: str) -> bool:
    health = httpx.get(f"{url}/healthz", timeout=10).json()
    return bool(health["views_position"] == health["log_position"])
