"""A full disk: of the event store, writes answer 507 problem documents on a connection
that stays usable, nothing is half-recorded, and recording resumes once space returns;
of the views only, writes go on and /healthz says degraded until space returns.

The stores sit on a small tmpfs the test mounts, so it needs root (CI runs as root);
elsewhere the tests skip with a message."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.reliability.conftest import fill
from tests.reliability.server import (
    HEADERS,
    Server,
    batch_of,
    batches_whole,
    logged_event_ids,
    wait_until,
)

PAD = 450
"""Bytes of name in each event, so a few batches fill the space left."""


class Connection:
    """One keep-alive HTTP connection: a reset by the server fails the test."""

    def __init__(self, server: Server) -> None:
        self.http = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)

    def post(self, path: str, body: object) -> tuple[int, dict[str, str], dict]:
        """POST JSON on this connection; (status, headers, body)."""
        self.http.request("POST", path, json.dumps(body),
                          {**HEADERS, "Content-Type": "application/json"})
        return self._answer()

    def get(self, path: str) -> tuple[int, dict[str, str], dict]:
        """GET on this connection; (status, headers, body)."""
        self.http.request("GET", path, headers=HEADERS)
        return self._answer()

    def _answer(self) -> tuple[int, dict[str, str], dict]:
        response = self.http.getresponse()
        body = json.loads(response.read() or b"{}")
        assert response.getheader("connection") != "close", "the server closed the connection"
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def test_a_full_event_store_disk_is_a_507_then_recovers(
        small_disk: Path, tmp_path: Path, servers: list[Server]) -> None:
    """507 problem documents, the connection kept, nothing partial, recovery, verify ok."""
    env = {"LEDGER_DATABASE_URL": f"sqlite:///{small_disk}/ledger.db",
           "LEDGER_VIEWS_PATH": str(tmp_path / "views.db")}
    server = Server(env, tmp_path / "serve.log").start()
    servers.append(server)
    filler = fill(small_disk, 400_000)
    conn = Connection(server)
    acknowledged, refused, sent = [], [], []
    for _ in range(200):
        batch = batch_of(50, "full", pad=PAD)
        sent.append([e["event_id"] for e in batch])
        status, headers, body = conn.post("/v1/events/batch", {"events": batch})
        if status == 201:
            acknowledged += sent[-1]
            continue
        assert status == 507, body
        assert headers["content-type"] == "application/problem+json"
        assert body["status"] == 507 and "full" in body["detail"]
        refused.append(sent[-1])
        if len(refused) == 3:
            break
    assert len(refused) == 3, "the disk never filled up"
    assert conn.get("/healthz")[0] == 200  # the same connection still serves
    filler.unlink()
    status, _, _ = conn.post("/v1/events/batch", {"events": batch_of(50, "after", pad=PAD)})
    assert status == 201
    logged = set(logged_event_ids(server.url))
    assert set(acknowledged) <= logged
    assert not any(event_id in logged for batch in refused for event_id in batch)
    assert batches_whole(sent, logged)
    verified = subprocess.run([sys.executable, "-m", "cli.app", "verify"],
                              env={**os.environ, **env}, capture_output=True, text=True,
                              timeout=120)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    log = (tmp_path / "serve.log").read_text()
    assert "Traceback" not in log


def test_a_full_views_disk_degrades_health_and_recovers(
        small_disk: Path, tmp_path: Path, servers: list[Server]) -> None:
    """Writes succeed; /healthz says degraded (views disk full), reads ask to retry; after
    space returns the views catch up and /healthz is ok."""
    env = {"LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/ledger.db",
           "LEDGER_VIEWS_PATH": str(small_disk / "views.db")}
    server = Server(env, tmp_path / "serve.log").start()
    servers.append(server)
    filler = fill(small_disk, 100_000)
    with httpx.Client(base_url=server.url, headers=HEADERS, timeout=30) as client:
        for _ in range(10):
            response = client.post("/v1/events/batch",
                                   json={"events": batch_of(50, "views", pad=PAD)})
            assert response.status_code == 201

        def degraded() -> bool:
            health = client.get("/healthz").json()
            return bool(health["status"] == "degraded"
                        and health["reason"] == "views disk full" and health["lag"] > 0)

        assert wait_until(degraded, 15)
        read = client.get("/v1/accounts")
        assert read.status_code == 503 and read.headers["retry-after"]
        filler.unlink()
        assert wait_until(lambda: client.get("/healthz").json()["status"] == "ok", 20)
        accounts = client.get("/v1/accounts", params={"limit": 1000}).json()["accounts"]
        assert len(accounts) == 500
