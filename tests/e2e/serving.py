"""Start a real `ledger serve` process for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def ledger_serve(env: dict[str, str], port: int, *, wait: float = 60) -> Iterator[str]:
    """Run `ledger serve` with ``env`` on ``port`` until the block ends; yields its URL."""
    process = subprocess.Popen([sys.executable, "-m", "cli.app", "serve"],
                               env={**env, "LEDGER_PORT": str(port)},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            process.kill()
            pytest.fail(f"ledger serve did not come up: {process.communicate()[0]}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def serve_empty_store(folder: Path, admin_token: str) -> Iterator[str]:
    """A real `ledger serve` over a new SQLite store in ``folder``, accepting
    ``admin_token`` as an admin; its base URL."""
    env = {**os.environ, "LEDGER_DATABASE_URL": f"sqlite:///{folder}/ledger.db",
           "LEDGER_ADMIN_TOKEN": admin_token}
    with ledger_serve(env, free_port(), wait=30) as url:
        yield url
