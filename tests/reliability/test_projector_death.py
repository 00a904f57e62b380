"""A dead projector freezes nothing: writes, reads and /healthz keep answering, the
projector comes back by itself, and SIGTERM stops the server and everything it started."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx

from tests.reliability.server import HEADERS, Server, batch_of, sqlite_env, wait_until

ANSWER_WITHIN = 5.0
"""Seconds any request may take while the projector is dead (it hung forever once)."""


def test_writes_reads_and_health_answer_while_the_projector_is_killed(
        store_env: dict[str, str], tmp_path: Path, servers: list[Server]) -> None:
    """Three times: kill -9 the projector, then write, read and ask /healthz at once."""
    server = Server(store_env, tmp_path / "serve.log").start()
    servers.append(server)
    with httpx.Client(base_url=server.url, headers=HEADERS, timeout=ANSWER_WITHIN) as client:
        for round_ in range(3):
            assert wait_until(lambda: server.projector_pid() is not None, 10)
            child = server.projector_pid()
            assert child is not None
            os.kill(child, signal.SIGKILL)
            batch = batch_of(5, f"round{round_}")
            written = client.post("/v1/events/batch", json={"events": batch})
            assert written.status_code == 201
            position = written.json()["receipts"][-1]["position"]
            accounts = client.get("/v1/accounts", params={"limit": 1000})
            assert accounts.status_code == 200
            listed = {a["account_id"] for a in accounts.json()["accounts"]}
            assert {e["data"]["account_id"] for e in batch} <= listed
            assert client.get("/healthz").status_code == 200
            assert wait_until(lambda c=child: server.projector_pid() not in (None, c), 10)
            assert wait_until(lambda p=position: _views_at(client, p), 10)
    took = server.terminate()
    assert took < 10
    assert wait_until(lambda: not server.leftovers(), 5), server.leftovers()


def test_sigterm_to_the_process_group_stops_everything_within_seconds(
        tmp_path: Path, servers: list[Server]) -> None:
    """systemd's default stop: SIGTERM to every process of the group."""
    env = sqlite_env(tmp_path)
    server = Server(env, tmp_path / "serve.log").start()
    servers.append(server)
    assert wait_until(lambda: server.projector_pid() is not None, 10)
    httpx.post(f"{server.url}/v1/events/batch", json={"events": batch_of(3, "g")},
               headers=HEADERS, timeout=ANSWER_WITHIN).raise_for_status()
    started = time.monotonic()
    os.killpg(server.pid, signal.SIGTERM)
    assert server.process is not None
    server.process.wait(10)
    assert wait_until(lambda: not server.leftovers(), 10 - (time.monotonic() - started))


def _views_at(client: httpx.Client, position: int) -> bool:
    health = client.get("/healthz").json()
    return bool(health["views_position"] >= position and health["status"] == "ok")
