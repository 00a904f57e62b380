"""Fixtures of the route tests: the demo dataset behind an API with a token per role."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.runtime import Runtime
from ledger.config import Settings
from ledger.domain.application import LedgerApplication
from ledger.domain.submission import Principal
from ledger.samples.demo import demo_timeline
from projections.engine import Follower, ViewDatabase
from tests.api.conftest import ADMIN_TOKEN, Api, bearer

DEMO_TODAY = date(2026, 6, 30)
ACCOUNT = "nordlicht-telekom"


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo dataset loaded once per test run (event store and caught-up views)."""
    folder = tmp_path_factory.mktemp("ledger-demo")
    moment: dict[str, datetime] = {}
    settings = Settings(database_url=f"sqlite:///{folder}/ledger.db",
                        views_path=str(folder / "views.db"))
    ledger = LedgerApplication(settings, clock=lambda: moment.get("now") or datetime.now(UTC))
    for recorded_at, envelope in demo_timeline(today=DEMO_TODAY):
        moment["now"] = recorded_at
        ledger.record(envelope, Principal("demo-loader", "admin"))
    views = ViewDatabase(folder / "views.db")
    Follower(views, ledger.read_records).catch_up()
    views.close()
    ledger.close()
    return folder


@pytest.fixture
def demo(tmp_path: Path, demo_store: Path) -> Iterator[Api]:
    """An API (and UI) over a private copy of the demo store, with a token per role."""
    for name in ("ledger.db", "views.db"):
        shutil.copy(demo_store / name, tmp_path / name)
    settings = Settings(database_url=f"sqlite:///{tmp_path}/ledger.db",
                        views_path=str(tmp_path / "views.db"), admin_token=ADMIN_TOKEN)
    runtime = Runtime(settings)
    recorder = runtime.tokens.create("crm-sync", "recorder")
    auditor = runtime.tokens.create("internal-audit", "auditor")
    with TestClient(create_app(settings, runtime=runtime)) as client:
        yield Api(client, runtime, bearer(ADMIN_TOKEN), bearer(recorder), bearer(auditor))
