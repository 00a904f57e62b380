"""The views follow events written by other processes: pushed on PostgreSQL, polled on SQLite."""

from __future__ import annotations

import time

from api.runtime import Runtime
from ledger.config import Settings
from ledger.domain.application import LedgerApplication
from tests.conftest import RECORDER
from tests.integration.helpers import account


def test_views_catch_up_with_another_writer(store_settings: Settings, tmp_path) -> None:
    """An event recorded by another application instance reaches this server's views."""
    settings = Settings(database_url=store_settings.database_url,
                        views_path=str(tmp_path / "views.db"))
    runtime = Runtime(settings)
    runtime.start()
    other = LedgerApplication(settings)
    try:
        other.record(account(), RECORDER)
        deadline = time.monotonic() + 10
        while runtime.views.position() < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert runtime.views.position() == 1
    finally:
        other.close()
        runtime.stop()


def test_a_server_starting_over_a_log_counts_it_as_acknowledged(
        store_settings: Settings, tmp_path) -> None:
    """start() returns without catching the views up (the server listens at once), and a
    read then waits for everything the log held at start."""
    settings = Settings(database_url=store_settings.database_url,
                        views_path=str(tmp_path / "views.db"))
    writer = LedgerApplication(settings)
    writer.record_batch([account(f"A{i}") for i in range(300)], RECORDER)
    writer.close()
    runtime = Runtime(settings)
    try:
        runtime.start()
        assert runtime.acknowledged == 300
        assert runtime.ready_for(None) and runtime.views.position() == 300
    finally:
        runtime.stop()
