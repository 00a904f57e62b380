"""``ledger import-expenses``: spend from an expense system's export, through a mapping.

The mapping and the checks live in :mod:`ledger.expenses`; this module reads the files,
prints what happens to each line, and sets the exit status.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import DatabaseUrl, cli_principal, console, err, fail, open_ledger
from ledger.errors import LedgerError
from ledger.expenses.importer import ImportReport, check_expenses, record_expenses
from ledger.expenses.mapping import MappingError, load_mapping
from ledger.expenses.rows import plan, read_rows

COLOURS = {"would record": "green", "recorded": "green", "already recorded": "cyan",
           "skipped": "yellow", "refused": "red"}


def import_expenses(
    file: Annotated[Path, typer.Argument(help="CSV export of the expense system (with a "
                                              "header line).", exists=True, dir_okay=False,
                                         readable=True)],
    mapping: Annotated[Path, typer.Option(
        "--mapping", help="TOML file: columns -> fields, expense types -> kinds, attendees "
        "-> stakeholder ids.", exists=True, dir_okay=False, readable=True)],
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Report per line what would be recorded or why not; record "
        "nothing.")] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Record the spend of an expense export as engagement.recorded events.

    Atomic per file: every line is recorded in one transaction, or nothing when any line
    is refused. Importing the same file again records nothing new (each event id is
    derived from the report id and the line). Example:
    ledger import-expenses docs/examples/expenses.csv --mapping
    docs/examples/expenses-mapping.toml --dry-run
    """
    try:
        checked_mapping = load_mapping(mapping)
        with file.open(encoding="utf-8-sig", newline="") as handle:
            planned = plan(read_rows(handle, checked_mapping), checked_mapping)
    except MappingError as exc:
        fail(str(exc), 2)
    except (UnicodeDecodeError, OSError) as exc:
        fail(f"{file}: cannot read the export ({exc})", 2)
    ledger = open_ledger(database_url)
    try:
        run = check_expenses if dry_run else record_expenses
        report = run(ledger, planned, cli_principal())
    except LedgerError as exc:
        fail(exc.detail, 1)
    finally:
        ledger.close()
    _print(report, file)
    if report.refused:
        raise typer.Exit(1)


def _print(report: ImportReport, file: Path) -> None:
    for result in report.lines:
        colour = COLOURS[result.outcome]
        (err if result.outcome == "refused" else console).print(
            f"line {result.line}: [{colour}]{result.outcome}[/{colour}]: {result.detail}",
            highlight=False)
    counts = report.counts()
    summary = ", ".join(f"{counts[o]} {o}" for o in COLOURS if counts[o]) or "no lines"
    if report.dry_run:
        console.print(f"Dry run of {file.name}: {summary}; nothing was recorded.",
                      highlight=False)
    elif report.refused:
        err.print(f"{file.name}: {summary}; nothing was recorded (a file is recorded whole "
                  "or not at all).", highlight=False)
    else:
        console.print(f"Imported {file.name} in one transaction: {summary}.", highlight=False)
