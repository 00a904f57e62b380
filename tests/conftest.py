"""Shared fixtures: settings for a fresh event store on each backend, principals, profiles.

PostgreSQL tests use the server at ``LEDGER_TEST_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``), each test in a schema of its own that
is dropped afterwards. In CI (``CI=true``) they must run; elsewhere they are skipped
with a message when the server cannot be reached.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from hypothesis import HealthCheck, settings

from ledger.config import Settings
from ledger.domain.submission import Principal

settings.register_profile(
    "default", deadline=None, max_examples=60,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "ci", deadline=None, max_examples=100, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "default")

POSTGRES_URL = os.environ.get(
    "LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
ADMIN = Principal("admin-test", "admin")
RECORDER = Principal("recorder-test", "recorder")
AUDITOR = Principal("auditor-test", "auditor")


def _postgres_available() -> str | None:
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


_PG_PROBLEM = _postgres_available()


def require_postgres() -> None:
    """Skip (or, in CI, fail) when the PostgreSQL server cannot be reached."""
    if _PG_PROBLEM is None:
        return
    message = f"PostgreSQL at {POSTGRES_URL} is not reachable: {_PG_PROBLEM}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (PostgreSQL tests are mandatory in CI)")
    pytest.skip(f"{message}; set LEDGER_TEST_POSTGRES_URL to run the PostgreSQL tests")


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    """A fresh PostgreSQL schema, dropped after the test."""
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield schema
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def postgres_settings(schema: str, tmp_path: object) -> Settings:
    """Settings for a PostgreSQL event store confined to ``schema``."""
    return Settings(database_url=f"{POSTGRES_URL}?schema={schema}",
                    views_path=f"{tmp_path}/views.db")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_settings(request: pytest.FixtureRequest, tmp_path: object) -> Settings:
    """Settings for an empty event store, once per backend (SQLite file, PostgreSQL schema)."""
    if request.param == "sqlite":
        return Settings(database_url=f"sqlite:///{tmp_path}/ledger.db")
    schema = request.getfixturevalue("postgres_schema")
    return postgres_settings(schema, tmp_path)
