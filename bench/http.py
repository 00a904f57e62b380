"""A real ``ledger serve`` over loopback: starting it, posting the workload to it, and
waiting for its views."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from bench.stores import BenchError, Scratch


@contextmanager
def served(scratch: Scratch) -> Iterator[httpx.Client]:
    """A client of a ``ledger serve`` process on ``scratch``'s store, with an admin token;
    the server is stopped on exit."""
    token = uuid.uuid4().hex
    with _server(scratch, token) as base_url, httpx.Client(
            base_url=base_url, timeout=600,
            headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


def post_singles(client: httpx.Client, envelopes: list[dict[str, Any]]) -> float:
    """Events per second of posting ``envelopes`` one ``POST /v1/events`` after another."""
    started = time.perf_counter()
    for envelope in envelopes:
        client.post("/v1/events", json=envelope).raise_for_status()
    return len(envelopes) / (time.perf_counter() - started)


class HttpBatchWriter:
    """Posts workload batches to ``POST /v1/events/batch``, for the bench's ingest measure.

    The first ``skip`` events of the workload were posted singly already. After each batch
    :meth:`settle` waits, untimed, until the server's views have applied it and the disk
    has taken every write, so that neither its projector nor the kernel's write-back of
    what they wrote runs during the next writer's timed batch. A failed post stops the
    writer and keeps the reason (the other writers' figures still count).
    """

    def __init__(self, client: httpx.Client, skip: int) -> None:
        self.client = client
        self.skip = skip
        self.posted = skip
        self.failure: str | None = None

    def write(self, batch: list[dict[str, Any]]) -> int:
        """Post the batch's events not posted yet; returns how many were posted."""
        events = batch[self.skip:]
        self.skip = max(0, self.skip - len(batch))
        if self.failure is not None or not events:
            return 0
        try:
            self.client.post("/v1/events/batch", json={"events": events}).raise_for_status()
        except httpx.HTTPError as exc:
            self.failure = f"{type(exc).__name__}: {str(exc).strip()[:300]}"
            return 0
        self.posted += len(events)
        return len(events)

    def settle(self) -> None:
        """Wait until the server's views have applied every event posted so far, and
        until the disk has taken what the server wrote."""
        if self.failure is None:
            wait_for_views(self.client, self.posted)
            os.sync()

    def close(self) -> None:
        """Nothing to close: :func:`served` owns the server."""


def wait_for_views(client: httpx.Client, position: int, timeout: float = 3600) -> None:
    """Poll ``/healthz`` until the server's views reach ``position``."""
    deadline = time.monotonic() + timeout
    while client.get("/healthz").json().get("views_position", 0) < position:
        if time.monotonic() > deadline:
            raise BenchError(f"the server's views did not reach position {position}")
        time.sleep(0.01)


@contextmanager
def _server(scratch: Scratch, token: str) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = scratch.settings
    command = [sys.executable, "-m", "cli.app", "serve", "--database-url",
               settings.database_url, "--views-path", str(settings.resolved_views_path()),
               "--host", "127.0.0.1", "--port", str(port)]
    env = {**os.environ, "LEDGER_ADMIN_TOKEN": token}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                output = process.stderr.read() if process.stderr else ""
                raise BenchError(f"ledger serve exited: {output.strip()[-300:]}")
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise BenchError("ledger serve did not answer /healthz within 60 s")
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
