"""Scratch stores, the workload in batches, and what every measure shares."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from ledger.config import Settings
from ledger.domain.submission import Principal
from ledger.samples.workload import workload

BATCH = 1000
PAGE = 1000
READ_REPEATS = 100
"""Timed calls of each read: its p95 is then the 95th of 100, where of 20 it would be
the slowest call (one hiccup of a shared machine)."""
VERIFY_REPEATS = 5
"""Verify reads the whole log (seconds at 1M events): fewer calls, so its p95 is its slowest."""
PRINCIPAL = Principal("bench", "admin")
Result = dict[str, Any]


class BenchError(Exception):
    """The benchmark cannot run with these settings."""


@dataclass(frozen=True)
class Scratch:
    """One empty event store (and a views path beside it) for one measure."""

    settings: Settings
    baseline_env: dict[str, str]


# --- scratch stores --------------------------------------------------------------------------


@contextmanager
def scratch_stores(database_url: str | None, count: int) -> Iterator[list[Scratch]]:
    """``count`` empty stores of the same kind as ``database_url`` (default: SQLite), removed
    afterwards. SQLite files go beside the given file (same disk); PostgreSQL stores are
    fresh schemas in the given database."""
    url = database_url or "sqlite:///" + str(Path(tempfile.gettempdir()) / "ledger.db")
    probe = Settings(database_url=url)
    probe.event_store_env()  # a malformed URL fails here, with its one-line message
    parent = None if probe.is_postgres else probe.sqlite_path().resolve().parent
    if parent is not None and not parent.is_dir():
        raise BenchError(f"LEDGER_DATABASE_URL: no directory {parent} for the scratch stores")
    workdir = Path(tempfile.mkdtemp(prefix="ledger-bench-", dir=parent))
    schemas = [f"bench_{uuid.uuid4().hex[:10]}" for _ in range(count)] if probe.is_postgres else []
    try:
        stores = []
        for i in range(count):
            if probe.is_postgres:
                _psql(url, f'CREATE SCHEMA "{schemas[i]}"')
                store_url = _with_schema(url, schemas[i])
            else:
                store_url = f"sqlite:///{workdir}/events-{i}.db"
            settings = Settings(database_url=store_url, views_path=f"{workdir}/views-{i}.db")
            env = dict(settings.event_store_env())
            env["PERSISTENCE_MODULE"] = ("eventsourcing.postgres" if probe.is_postgres
                                         else "eventsourcing.sqlite")
            if not probe.is_postgres:
                env["SQLITE_DBNAME"] = f"{workdir}/baseline-{i}.db"
            stores.append(Scratch(settings, env))
        yield stores
    finally:
        for schema in schemas:
            _psql(url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        shutil.rmtree(workdir, ignore_errors=True)


def _with_schema(url: str, schema: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=f"schema={schema}"))


def _psql(url: str, statement: str) -> None:

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(query="")), autocommit=True) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


def batches(events: int, seed: int, size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    """The workload in lists of ``size`` envelopes, generated lazily (never all in memory)."""
    stream = workload(events, seed=seed)
    while batch := list(islice(stream, size)):
        yield batch
