"""The ``ledger`` command line (SPEC §8).

Every command reads its settings from flags and ``LEDGER_*`` variables; a bad setting
stops it with one line naming the setting, never a traceback. This module is the front
door: it holds the Typer app and registers the commands, which live by concern in
``cli_records`` (demo, import), ``cli_reports`` (verify, handover, export),
``cli_operations`` (serve, rebuild, bench) and ``cli_tokens`` (token …), all sharing
``cli_common``.
"""

from __future__ import annotations

import typer

from cli.backup import backup
from cli.expenses import import_expenses
from cli.operations import bench, rebuild, serve, views_copy
from cli.privacy import access_log, subject_export
from cli.records import demo, import_events
from cli.reports import export, handover, verify
from cli.tokens import token_app
from ledger.store.sqlite_library import without_memory_statistics

app = typer.Typer(help="The engagement ledger: record, verify and replay customer engagements.",
                  no_args_is_help=True, add_completion=False)

# Registered here rather than by decorators in the command modules: the order below is
# the order ``ledger --help`` lists them in, and it interleaves the modules.
app.command()(demo)
app.command("import")(import_events)
app.command("import-expenses")(import_expenses)
app.command()(verify)
app.command()(serve)
app.command()(rebuild)
app.command("views-copy")(views_copy)
app.command()(handover)
app.command()(export)
app.command()(backup)
app.command()(bench)
app.command("subject-export")(subject_export)
app.command("access-log")(access_log)
app.add_typer(token_app, name="token")


def main() -> None:
    """The ``ledger`` command (``python -m cli``): SQLite's process-wide settings first,
    before any connection is open (:mod:`ledger.store.sqlite_library`), then the command."""
    without_memory_statistics()
    app()


if __name__ == "__main__":
    main()
