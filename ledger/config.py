"""Settings: the one front door for configuration (flags and ``LEDGER_*`` variables).

:class:`Settings` is a pydantic-settings model with the prefix ``LEDGER_``. Built
directly (``Settings(database_url=…)``, as tests do) it reads nothing but its arguments;
:meth:`Settings.from_env` adds the variables of an environment, and flags win over them.
A bad value stops the program with one line that names the setting.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, unquote, urlsplit

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from ledger.errors import StorageConfigError

DEFAULT_DATABASE_URL = "sqlite:///./ledger.db"
PREFIX = "LEDGER_"
MIN_ADMIN_TOKEN = 32
"""Characters an ``LEDGER_ADMIN_TOKEN`` needs at least: a shorter one is guessable."""


def masked_url(url: str) -> str:
    """``url`` with its password replaced by ``***``: what the ledger prints and logs."""
    return re.sub(r"(://[^:/@]*:)[^/]*@", r"\1***@", url)


class Settings(BaseSettings):
    """Where the ledger keeps its data and how it is served (SPEC §8)."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, frozen=True, extra="forbid",
                                      env_ignore_empty=True)

    database_url: str = Field(default=DEFAULT_DATABASE_URL, repr=False)  # may hold a password
    """``sqlite:///path`` or ``postgresql://user:pass@host:port/db[?schema=name]``."""
    views_path: str | None = None
    """The SQLite file of the views (default: beside the event database)."""
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8000
    admin_token: str | None = Field(default=None, repr=False)
    """An admin bearer token accepted besides the stored ones (bootstrap, tests)."""

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only the arguments: :meth:`from_env` is the one place the environment is read."""
        return (init_settings,)

    @model_validator(mode="after")
    def _long_admin_token(self) -> Settings:
        """Refuse a guessable admin token (its own error type, so it passes through pydantic)."""
        if self.admin_token is not None and len(self.admin_token) < MIN_ADMIN_TOKEN:
            raise StorageConfigError(
                f"LEDGER_ADMIN_TOKEN is shorter than {MIN_ADMIN_TOKEN} characters; "
                "use a long random one (e.g. python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))')")
        return self

    @property
    def display_url(self) -> str:
        """The event store URL with its password masked."""
        return masked_url(self.database_url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from ``LEDGER_*`` variables; explicit ``overrides`` (flags) win."""
        values: dict[str, Any] = _Variables(cls, os.environ if environ is None else environ)()
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            settings = cls(**values)
        except ValidationError as exc:
            raise StorageConfigError(_one_line(exc, values)) from None
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
        return env


class _Variables(EnvSettingsSource):
    """The ``LEDGER_*`` variables of one environment mapping (names case-insensitive)."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {name.lower(): value for name, value in self._environ.items() if value}


def _one_line(exc: ValidationError, values: Mapping[str, Any]) -> str:
    """The first error of ``exc`` as ``LEDGER_NAME='value': what is wrong``."""
    error = exc.errors()[0]
    name = str(error["loc"][0]) if error["loc"] else ""
    shown = values.get(name, error.get("input"))
    if name in ("database_url", "admin_token"):  # never print a password or a token
        shown = masked_url(str(shown)) if name == "database_url" else "***"
    if name == "port":
        return f"{PREFIX}PORT={shown!r} is not a TCP port (1-65535)"
    return f"{PREFIX}{name.upper()}={shown!r}: {error['msg']}"


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
