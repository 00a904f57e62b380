"""The projector process: the views follow the log from a child process of the server."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from api.runtime import Runtime
from ledger.config import Settings
from ledger.domain.application import LedgerApplication
from tests.conftest import RECORDER
from tests.integration.helpers import account


@pytest.fixture
def served(store_settings: Settings, tmp_path: Path) -> Iterator[Runtime]:
    """A started runtime whose views are kept by a projector process."""
    settings = Settings(database_url=store_settings.database_url,
                        views_path=str(tmp_path / "views.db"))
    runtime = Runtime(settings, projector=True)
    runtime.start()
    try:
        yield runtime
    finally:
        runtime.stop()


def wait_for_position(runtime: Runtime, position: int, timeout: float = 30) -> int:
    """The views' position once it reaches ``position`` (or the timeout passes)."""
    deadline = time.monotonic() + timeout
    while runtime.views.position() < position and time.monotonic() < deadline:
        time.sleep(0.01)
    return runtime.views.position()


def record_elsewhere(settings: Settings) -> None:
    """Record one event through another application instance (another writer)."""
    other = LedgerApplication(settings)
    try:
        other.record(account(), RECORDER)
    finally:
        other.close()


def test_the_projector_process_applies_events_without_the_server(served: Runtime) -> None:
    """Events recorded elsewhere reach the views though this process applies nothing."""
    assert served.projector is not None and served.projector.pid != os.getpid()
    record_elsewhere(served.settings)
    assert wait_for_position(served, 1) == 1


def kill_projector(runtime: Runtime) -> int:
    """SIGKILL the projector child (as an operator or the OOM killer might); its pid."""
    assert runtime.projector is not None and runtime.projector.pid is not None
    pid = runtime.projector.pid
    os.kill(pid, signal.SIGKILL)
    return pid


def wait_until(condition: Callable[[], bool], timeout: float = 15) -> bool:
    """Whether ``condition`` came true within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_reads_see_own_writes_when_the_projector_has_died(served: Runtime) -> None:
    """With the child killed, a read still sees this server's writes."""
    kill_projector(served)
    served.acknowledge([served.ledger.record(account(), RECORDER)])
    assert served.ready_for(None)
    assert served.views.position() == 1


def test_a_killed_projector_is_restarted_without_any_read(served: Runtime) -> None:
    """The supervisor starts a new child by itself, which then applies new events."""
    assert served.projector is not None
    old = kill_projector(served)
    assert wait_until(lambda: served.projector.pid != old and served.projector.alive())
    record_elsewhere(served.settings)
    assert wait_for_position(served, 1) == 1


def test_nudging_a_killed_projector_never_blocks(served: Runtime) -> None:
    """A write acknowledged while the child is dead (or being killed) returns at once."""
    projector = served.projector
    assert projector is not None
    for _ in range(3):
        old = kill_projector(served)
        started = time.monotonic()
        for _ in range(100):
            served.acknowledge([])
            projector.nudge()
        assert time.monotonic() - started < 1.0
        # The next kill must find the restarted child, not the one just killed (which
        # reads as alive until the supervisor has reaped it).
        assert wait_until(lambda old=old: projector.pid not in (None, old)
                          and projector.alive())


def test_the_views_fault_names_a_dead_projector(served: Runtime) -> None:
    """Between the child's death and its restart the runtime says why views lag."""
    assert served.views_fault() is None
    assert served.projector is not None
    served.projector.stop()  # the supervisor is gone too: it stays down
    assert served.views_fault() == "projector down"


def test_stopping_the_server_stops_the_projector(store_settings: Settings,
                                                 tmp_path: Path) -> None:
    """No projector process outlives its server."""
    settings = Settings(database_url=store_settings.database_url,
                        views_path=str(tmp_path / "views.db"))
    runtime = Runtime(settings, projector=True)
    runtime.start()
    assert runtime.projector is not None
    pid = runtime.projector.pid
    runtime.stop()
    assert not runtime.projector.alive()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # type: ignore[arg-type]
