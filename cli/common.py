"""What every ``ledger`` command shares: consoles, common options, opening the store, failing.

The command modules (``cli_records``, ``cli_reports``, ``cli_operations``, ``cli_tokens``)
import from here and never from ``cli.app``, which registers their commands on the one
Typer app; so nothing imports in a circle. A bad setting ends a command through
:func:`fail` with one ``error:`` line on standard error and an exit code, never a traceback.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from ledger.config import Settings
from ledger.domain.application import LedgerApplication
from ledger.domain.submission import Principal
from ledger.errors import StorageConfigError
from projections.engine import ViewDatabase, open_views

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DatabaseUrl = Annotated[str | None, typer.Option(
    "--database-url", help="Event store URL (env LEDGER_DATABASE_URL); "
    "sqlite:///path or postgresql://user:pass@host:port/db.", show_default=False)]
ViewsPath = Annotated[str | None, typer.Option(
    help="SQLite file of the views (env LEDGER_VIEWS_PATH).")]
OutputFile = Annotated[Path | None, typer.Option(
    "-o", "--output", help="File to write (default: standard output).")]


def fail(message: str, code: int) -> NoReturn:
    """Print ``error: message`` on standard error and end the command with exit ``code``."""
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code) from None


def settings_or_exit(database_url: str | None) -> Settings:
    """Build settings from the flag and the environment, or exit 2 naming the bad setting."""
    try:
        return Settings.from_env(database_url=database_url)
    except StorageConfigError as exc:
        fail(exc.detail, 2)


def open_ledger(database_url: str | None,
                clock: Callable[[], datetime] | None = None) -> LedgerApplication:
    """Build settings from flags and environment and open the event store, or exit cleanly."""
    try:
        settings = Settings.from_env(database_url=database_url)
        return LedgerApplication(settings, clock=clock)
    except StorageConfigError as exc:
        fail(exc.detail, 2)


def settings_and_views(database_url: str | None,
                       views_path: str | None) -> tuple[Settings, ViewDatabase]:
    """The settings and the views file they name, or exit 2 naming the bad setting."""
    try:
        settings = Settings.from_env(database_url=database_url, views_path=views_path)
        return settings, open_views(settings.resolved_views_path())
    except StorageConfigError as exc:
        fail(exc.detail, 2)


def cli_principal() -> Principal:
    """Local command-line use acts as an admin named after the operating-system user."""
    return Principal(f"cli:{getpass.getuser()}", "admin")


def progress_bar() -> Progress:
    """A progress bar on standard error (so piped output stays clean) that vanishes when done."""
    return Progress(TextColumn("{task.description}"), BarColumn(),
                    TextColumn("{task.percentage:>3.0f}%"), TimeRemainingColumn(),
                    console=err, transient=True)
