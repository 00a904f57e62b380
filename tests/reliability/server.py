"""A real ``ledger serve`` that the reliability tests start, kill and stop, and a client
that records what the server acknowledged.

The server runs in a session of its own, so every process it started (the projector)
can be found, and none may outlive it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.serving import free_port

ADMIN_TOKEN = "reliability-admin-token-0123456789abcdef"
HEADERS = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def sqlite_env(directory: Path) -> dict[str, str]:
    """``LEDGER_*`` settings of a SQLite event store and its views in ``directory``."""
    return {"LEDGER_DATABASE_URL": f"sqlite:///{directory}/ledger.db",
            "LEDGER_VIEWS_PATH": str(directory / "views.db")}


def session_pids(session: int) -> list[int]:
    """The processes of session ``session`` still alive (zombies left out)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def children_of(pid: int) -> list[int]:
    """The live child processes of ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def wait_until(condition: Any, timeout: float, step: float = 0.05) -> bool:
    """Whether ``condition()`` came true within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())


@dataclass
class Server:
    """One ``ledger serve`` process over the event store and views the env names."""

    env: dict[str, str]
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Where it listens."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: float = 60) -> Server:
        """Start it and wait until it answers /healthz."""
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "cli.app", "serve"], stdout=out, stderr=out,
                env={**os.environ, **self.env, "LEDGER_PORT": str(self.port),
                     "LEDGER_ADMIN_TOKEN": ADMIN_TOKEN},
                start_new_session=True)

        def up() -> bool:
            try:
                return httpx.get(f"{self.url}/healthz", timeout=5).status_code == 200
            except httpx.TransportError:
                return False

        if not wait_until(up, wait, 0.1):
            self.kill()
            raise AssertionError(f"ledger serve did not come up:\n{self.log.read_text()}")
        return self

    @property
    def pid(self) -> int:
        """The server's process id (also its session's id)."""
        assert self.process is not None
        return self.process.pid

    def projector_pid(self) -> int | None:
        """The projector child's pid, once it runs (found by its command line, so that
        no other child, such as a resource tracker, is taken for it)."""
        for child in children_of(self.pid):
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"projections.projector" in command or b"spawn_main" in command:
                return child
        return None

    def kill(self) -> None:
        """kill -9 the server (its projector must then die by itself)."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
            self.process.wait()

    def terminate(self, timeout: float = 15) -> float:
        """SIGTERM the server; the seconds it took to exit."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout)
        return time.monotonic() - started

    def leftovers(self) -> list[int]:
        """Processes of the server's session still alive."""
        return session_pids(self.pid)

    def reap(self) -> None:
        """Kill whatever of the session is left (after a failed test)."""
        self.kill()
        for pid in self.leftovers():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def account_event(account_id: str, *, pad: int = 0) -> dict[str, Any]:
    """An ``account.registered`` event with its own event_id (``pad`` bytes of name)."""
    return {"event_id": str(uuid.uuid4()), "type": "account.registered",
            "occurred_at": "2026-01-05T09:00:00Z",
            "data": {"account_id": account_id, "name": "Account " + "x" * pad}}


def batch_of(size: int, prefix: str, *, pad: int = 0) -> list[dict[str, Any]]:
    """``size`` new accounts, each with its own id."""
    tag = uuid.uuid4().hex[:10]
    return [account_event(f"{prefix}-{tag}-{i}", pad=pad) for i in range(size)]


def logged_event_ids(url: str) -> list[str]:
    """Every event_id of the log, in position order, from the audit export."""
    response = httpx.get(f"{url}/v1/audit/events", params={"format": "jsonl"}, headers=HEADERS,
                         timeout=60)
    response.raise_for_status()
    return [json.loads(line)["event_id"] for line in response.text.splitlines()]


def sqlite_dump(path: Path) -> list[str]:
    """Every statement that recreates the SQLite file at ``path``."""
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def batches_whole(batches: Iterator[list[str]] | list[list[str]], logged: set[str]) -> bool:
    """Whether each batch's events are all in the log or none are."""
    return all(len({e in logged for e in batch}) == 1 for batch in batches)
