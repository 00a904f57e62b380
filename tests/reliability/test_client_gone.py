"""A client that hangs up in the middle of its request body costs the server one line of
log at most, never a traceback, and records nothing."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import httpx

from tests.reliability.server import HEADERS, Server, account_event, sqlite_env


def test_a_client_leaving_mid_body_is_no_traceback_and_records_nothing(
        tmp_path: Path, servers: list[Server]) -> None:
    """Half a batch is sent, then the socket closes; the server answers the next client."""
    env = sqlite_env(tmp_path)
    server = Server(env, tmp_path / "serve.log").start()
    servers.append(server)
    body = json.dumps({"events": [account_event(f"G{i}") for i in range(50)]}).encode()
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(b"POST /v1/events/batch HTTP/1.1\r\nHost: x\r\n"
                         + f"Authorization: {HEADERS['Authorization']}\r\n".encode()
                         + b"Content-Type: application/json\r\n"
                         + f"Content-Length: {len(body)}\r\n\r\n".encode()
                         + body[: len(body) // 2])
            time.sleep(0.2)
    health = httpx.get(f"{server.url}/healthz", timeout=5)
    assert health.status_code == 200 and health.json()["log_position"] == 0
    server.terminate()
    assert "Traceback" not in (tmp_path / "serve.log").read_text()
