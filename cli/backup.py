"""``ledger backup FILE``: a consistent copy of the event store, and the head that proves it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qs, urlsplit

import typer

from cli.common import DatabaseUrl, console, fail, open_ledger, settings_or_exit
from ledger.domain.application import LedgerApplication
from ledger.store.backup import BackupError, backup_sqlite

PG_DUMP_STEPS = """No file was written: the event store is PostgreSQL; back it up with its own tools
(password in PGPASSWORD or ~/.pgpass), then prove the copy with the head above:
  pg_dump --format=custom --file=FILE{schema} {dsn}
  createdb NEW && pg_restore --dbname=NEW FILE
  LEDGER_DATABASE_URL=postgresql://…/NEW{query} ledger verify --head {head}
The views are not in the dump: `ledger rebuild` makes them from the restored log."""


def _head(ledger: LedgerApplication) -> tuple[int, str]:
    """The position and chain hash of the newest event (0 and the genesis when empty)."""
    position = ledger.head_position()
    row = ledger.ledger_recorder.chain_rows([position]).get(position) if position else None
    return position, row.chain_hash if row else "0" * 64


def backup(
    file: Annotated[Path, typer.Argument(help="The new SQLite file to write.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Copy a live SQLite event store to FILE, consistently, and print its head hash.

    The server may keep recording meanwhile. Check a restored copy with
    `ledger verify --head HASH`. On PostgreSQL, prints the pg_dump way instead.
    Example: ledger backup /backups/ledger-2026-12-03.db
    """
    settings = settings_or_exit(database_url)
    if settings.is_postgres:
        ledger = open_ledger(database_url)
        position, head = _head(ledger)
        ledger.close()
        console.print(f"head {head} at position {position}", highlight=False)
        parts = urlsplit(settings.database_url)
        schema = parse_qs(parts.query).get("schema", [""])[0]
        user = f"{parts.username}@" if parts.username else ""
        dsn = f"postgresql://{user}{parts.hostname}:{parts.port or 5432}{parts.path}"
        console.print(PG_DUMP_STEPS.format(
            dsn=dsn, head=head, schema=f" --schema={schema}" if schema else "",
            query=f"?schema={schema}" if schema else ""), highlight=False)
        raise typer.Exit(2)
    try:
        backup_sqlite(settings.sqlite_path(), file)
    except BackupError as exc:
        fail(exc.detail, 1)
    copy = open_ledger(f"sqlite:///{file}")
    position, head = _head(copy)
    copy.close()
    console.print(f"backed up {position} events to {file}", highlight=False)
    console.print(f"head {head} at position {position}", highlight=False)
    console.print(f"check a restore with: ledger verify --database-url sqlite:///{file} "
                  f"--head {head}", highlight=False)


