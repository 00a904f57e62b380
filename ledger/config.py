"""Settings: the one front door for configuration (flags and ``LEDGER_*`` variables)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from ledger.errors import StorageConfigError

DEFAULT_DATABASE_URL = "sqlite:///./ledger.db"
MIN_ADMIN_TOKEN = 32
"""Characters an ``LEDGER_ADMIN_TOKEN`` needs at least: a shorter one is guessable."""


def masked_url(url: str) -> str:
    """``url`` with its password replaced by ``***``: what the ledger prints and logs."""
    return re.sub(r"(://[^:/@]*:)[^/]*@", r"\1***@", url)


@dataclass(frozen=True)
class Settings:
    """Where the ledger keeps its data and how it is served (SPEC §8)."""

    database_url: str = DEFAULT_DATABASE_URL
    views_path: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    admin_token: str | None = None
    extra_env: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.admin_token is not None and len(self.admin_token) < MIN_ADMIN_TOKEN:
            raise StorageConfigError(
                f"LEDGER_ADMIN_TOKEN is shorter than {MIN_ADMIN_TOKEN} characters; "
                "use a long random one (e.g. python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))')")

    @property
    def display_url(self) -> str:
        """The event store URL with its password masked."""
        return masked_url(self.database_url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from ``LEDGER_*`` variables; explicit ``overrides`` (flags) win."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {
            "database_url": env.get("LEDGER_DATABASE_URL") or DEFAULT_DATABASE_URL,
            "views_path": env.get("LEDGER_VIEWS_PATH") or None,
            "host": env.get("LEDGER_HOST") or "127.0.0.1",
            "admin_token": env.get("LEDGER_ADMIN_TOKEN") or None,
        }
        port = env.get("LEDGER_PORT") or "8000"
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise StorageConfigError(f"LEDGER_PORT={port!r} is not a TCP port (1-65535)")
        values["port"] = int(port)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)  # type: ignore[arg-type]
        settings.event_store_env()  # fail early on a malformed URL
        return settings

    @property
    def is_postgres(self) -> bool:
        """True when the event store is PostgreSQL."""
        return self.database_url.startswith(("postgresql://", "postgres://"))

    def sqlite_path(self) -> Path:
        """The SQLite event database file (only for ``sqlite:///`` URLs)."""
        return Path(self.database_url.removeprefix("sqlite:///"))

    def resolved_views_path(self) -> Path:
        """The SQLite file of the read models: ``LEDGER_VIEWS_PATH`` or beside the events."""
        if self.views_path:
            return Path(self.views_path)
        if self.is_postgres:
            parts = urlsplit(self.database_url)
            name = (parts.path.strip("/") or "ledger").replace("/", "_")
            return Path(f"./{name}.views.db")
        path = self.sqlite_path()
        return path.with_name(path.stem + ".views.db")

    def event_store_env(self) -> dict[str, str]:
        """The eventsourcing environment for this event store URL."""
        url = self.database_url
        if url.startswith("sqlite:///"):
            path = url.removeprefix("sqlite:///")
            if not path or path.endswith("/"):
                raise StorageConfigError(f"LEDGER_DATABASE_URL={masked_url(url)!r} names no file; "
                                         "use sqlite:///path/to/ledger.db")
            env = {
                "PERSISTENCE_MODULE": "ledger.store.recorder_sqlite:SQLiteLedgerFactory",
                "SQLITE_DBNAME": path,
                "SQLITE_LOCK_TIMEOUT": "30",
            }
        elif self.is_postgres:
            env = _postgres_env(url)
        else:
            raise StorageConfigError(
                f"LEDGER_DATABASE_URL={masked_url(url)!r} is not supported; use "
                "sqlite:///path/to/ledger.db "
                "or postgresql://user:pass@host:port/db")
        env.update(self.extra_env)
        return env


def _postgres_env(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    try:
        port = parts.port or 5432
    except ValueError:
        raise StorageConfigError(
            f"LEDGER_DATABASE_URL has a bad port: {masked_url(url)!r}") from None
    dbname = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not dbname:
        raise StorageConfigError(
            f"LEDGER_DATABASE_URL={masked_url(url)!r} needs a host and a database name: "
            "postgresql://user:pass@host:port/db")
    query = parse_qs(parts.query)
    env = {
        "PERSISTENCE_MODULE": "ledger.store.recorder_postgres:PostgresLedgerFactory",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": parts.hostname,
        "POSTGRES_PORT": str(port),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_CONNECT_TIMEOUT": "5",
        "POSTGRES_POOL_SIZE": "4",
        "POSTGRES_MAX_OVERFLOW": "4",
        "POSTGRES_LOCK_TIMEOUT": "30",
    }
    if "schema" in query:
        env["POSTGRES_SCHEMA"] = query["schema"][0]
    return env
