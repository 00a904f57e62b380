"""Fixtures of the reliability suite: event stores for a real ``ledger serve``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL
from tests.reliability.server import Server


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """``LEDGER_*`` settings of an empty event store (once per backend) and its views."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/ledger.db"
    else:
        url = f"{POSTGRES_URL}?schema={request.getfixturevalue('postgres_schema')}"
    return {"LEDGER_DATABASE_URL": url, "LEDGER_VIEWS_PATH": str(tmp_path / "views.db")}


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[Server]]:
    """The servers a test starts (append them): whatever is left of them is killed after."""
    started: list[Server] = []
    yield started
    for server in started:
        server.reap()
