"""The ``ledger`` commands that write to the log: ``demo`` and ``import``.

Both record through the same :class:`~ledger.domain.application.LedgerApplication` the API uses,
as the command-line principal, so every rule and the hash chain apply exactly as they do
to an HTTP client. ``cli.app`` registers these functions as commands.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from cli.common import (
    DatabaseUrl,
    cli_principal,
    console,
    err,
    fail,
    open_ledger,
    progress_bar,
)
from ledger.domain.application import LedgerApplication
from ledger.errors import LedgerError
from ledger.samples.demo import demo_timeline


def demo(
    database_url: DatabaseUrl = None,
    if_empty: Annotated[bool, typer.Option(
        "--if-empty", help="Do nothing (but summarise) when the store already holds events.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of the sample data.")] = 7,
) -> None:
    """Load a realistic sample dataset into an empty event store.

    Example: ledger demo && ledger verify
    """

    # The sample carries a plausible recording time per event (a few deliberately late),
    # so the loader runs the ledger on that clock instead of stamping everything "now".
    moment: dict[str, datetime] = {}
    ledger = open_ledger(database_url, clock=lambda: moment.get("now") or datetime.now(UTC))
    existing = ledger.head_position()
    if existing:
        if not if_empty:
            fail(f"the event store already holds {existing} events; "
                 "demo data loads only into an empty store", 1)
        console.print(f"The event store already holds {existing} events; demo not loaded.")
    else:
        timeline = demo_timeline(seed=seed)
        with progress_bar() as progress:
            task = progress.add_task("loading demo", total=len(timeline))
            for recorded_at, envelope in timeline:
                moment["now"] = recorded_at
                ledger.record(envelope, cli_principal())
                progress.advance(task)
        moment.clear()
    _summarise(ledger)


def import_events(
    file: Annotated[Path, typer.Argument(help="JSON Lines file: one event envelope per line.",
                                         exists=True, dir_okay=False, readable=True)],
    database_url: DatabaseUrl = None,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000,
                                            help="Events recorded per transaction.")] = 1000,
) -> None:
    """Record every event of a JSON Lines file, in atomic batches.

    Stops at the first bad line, naming it; nothing of that batch is recorded.
    Example: ledger import events.jsonl
    """
    ledger = open_ledger(database_url)
    principal = cli_principal()
    recorded = replayed = 0
    batch: list[Any] = []
    batch_lines: list[int] = []
    with progress_bar() as progress, file.open("rb") as handle:
        task = progress.add_task(f"importing {file.name}", total=file.stat().st_size)

        def flush() -> None:
            nonlocal recorded, replayed
            try:
                receipts = ledger.record_batch(batch, principal)
            except LedgerError as exc:
                line = batch_lines[exc.index] if exc.index is not None else batch_lines[0]
                _stop(f"line {line}: {exc.detail.split(': ', 1)[-1]}", recorded, exc.errors)
            replayed += sum(r.replayed for r in receipts)
            recorded += sum(not r.replayed for r in receipts)
            batch.clear()
            batch_lines.clear()

        for number, raw in enumerate(handle, start=1):
            progress.advance(task, len(raw))
            if not raw.strip():
                continue
            try:
                batch.append(json.loads(raw))
            except ValueError as exc:
                _stop(f"line {number}: not valid JSON ({exc})", recorded)
            except RecursionError:
                _stop(f"line {number}: nested too deeply to be an event", recorded)
            batch_lines.append(number)
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
    console.print(f"Imported {recorded} events ({replayed} already recorded); "
                  f"log head at position {ledger.head_position()}.")


def _stop(message: str, recorded: int, errors: list[dict[str, Any]] | None = None) -> NoReturn:
    """End an import at a bad line: the error, each field's complaint, and what was kept."""
    err.print(f"[red]error:[/red] {message}", highlight=False)
    for error in errors or []:
        loc = ".".join(str(part) for part in error["loc"][2:] if part is not None)
        err.print(f"  {loc or 'event'}: {error['msg']}", highlight=False)
    err.print(f"Nothing of that batch was recorded ({recorded} events before it were).")
    raise typer.Exit(1)


def _summarise(ledger: LedgerApplication) -> None:
    """Print the store's event count per type and whether its hash chain holds."""
    counts: Counter[str] = Counter()
    after = 0
    while records := ledger.read_records(after, 2000):
        counts.update(record.type for record in records)
        after = records[-1].position
    console.print(f"{sum(counts.values())} events in {ledger.settings.database_url}:")
    for event_type, count in sorted(counts.items()):
        console.print(f"  {event_type:32} {count:6}", highlight=False)
    result = ledger.verify()
    console.print(f"hash chain {'intact' if result.ok else 'BROKEN'}; head {result.head_hash}",
                  highlight=False, soft_wrap=True)
