"""Fixtures of the projection tests: a fresh views file in tmp_path and an event log."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from projections.engine import ViewDatabase
from tests.unit.projections.builder import Log


@pytest.fixture
def views(tmp_path) -> Iterator[ViewDatabase]:
    """An empty read-model database."""
    database = ViewDatabase(tmp_path / "views.db")
    yield database
    database.close()


@pytest.fixture
def log() -> Log:
    """An empty event log to build records in."""
    return Log()
