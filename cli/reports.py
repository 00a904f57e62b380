"""The ``ledger`` commands that read the log out: ``verify``, ``handover`` and ``export``.

None of them changes the event log: ``verify`` recomputes the hash chain, ``handover``
catches the views up and renders one account's brief, ``export`` writes the raw log as
JSON Lines. Only their output goes to standard output, so each can feed a pipe.
``cli.app`` registers these functions as commands.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

import typer

from api.render import render_brief
from cli.common import (
    DatabaseUrl,
    OutputFile,
    ViewsPath,
    cli_principal,
    console,
    err,
    fail,
    open_ledger,
    settings_and_views,
)
from ledger.store.access_log import AccessLog
from projections.engine import Follower
from projections.errors import InvalidMoment, ProjectionError
from projections.handover import handover_brief
from projections.timeaxis import parse_point


def verify(
    database_url: DatabaseUrl = None,
    head: Annotated[str | None, typer.Option(
        "--head", help="A head hash exported earlier; truncation after it is reported.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Recompute the hash chain; name every edited, deleted, inserted or reordered event.

    Exits 1 when anything is wrong. Example: ledger verify --head 3f1c…
    """
    ledger = open_ledger(database_url)
    result = ledger.verify(head=head)
    if as_json:
        console.print_json(json.dumps(result.as_dict()))
    else:
        for problem in result.problems:
            where = f"position {problem['position']}" if problem["position"] else "log"
            event = f" (event {problem['event_id']})" if problem["event_id"] else ""
            err.print(f"[red]PROBLEM[/red] {where}{event}: {problem['problem']}", highlight=False)
        status = "OK" if result.ok else f"FAILED ({len(result.problems)} problems)"
        console.print(f"{status}: {result.events_checked} events checked", highlight=False)
        console.print(f"head {result.head_hash} at position {result.head_position}",
                      highlight=False, soft_wrap=True)
    if not result.ok:
        raise typer.Exit(1)


def handover(
    account: Annotated[str, typer.Argument(help="The account's id.")],
    database_url: DatabaseUrl = None,
    views_path: ViewsPath = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Valid time: RFC 3339 or YYYY-MM-DD (end of day, UTC). Default now.")
    ] = None,
    known_at: Annotated[str | None, typer.Option(
        "--known-at", help="Transaction time: RFC 3339 or YYYY-MM-DD (end of day, UTC). "
        "Default now.")] = None,
    form: Annotated[Literal["json", "md", "html"], typer.Option(
        "--format",
        help="json, md (Markdown for an e-mail or wiki) or html (a standalone page).")
    ] = "json",
    output: OutputFile = None,
) -> None:
    """Print an account's handover brief (SPEC §6) as JSON, Markdown or HTML.

    The views are caught up with the log first. Example:
    ledger handover nordlicht-telekom --as-of 2026-03-01 --format md -o brief.md
    """
    ledger = open_ledger(database_url)
    settings, views = settings_and_views(database_url, views_path)
    try:
        Follower(views, ledger.read_for_views).catch_up()
        brief = handover_brief(views.db, account, **parse_point(as_of, known_at))
    except InvalidMoment as exc:
        fail(str(exc), 2)
    except ProjectionError as exc:
        fail(str(exc), 1)
    finally:
        views.close()
    AccessLog(ledger).append(cli_principal(), "cli handover", account_id=account,
                             detail=f"format={form}")
    text = json.dumps(brief, indent=2) + "\n" if form == "json" else render_brief(brief, form)
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote the {form} handover brief of {account} to {output}",
                      highlight=False)
    else:
        print(text, end="" if text.endswith("\n") else "\n")


def export(database_url: DatabaseUrl = None, output: OutputFile = None) -> None:
    """Export the raw log as JSON Lines, one event per line, in position order.

    Example: ledger export -o ledger-events.jsonl
    """
    ledger = open_ledger(database_url)
    AccessLog(ledger).append(cli_principal(), "cli export", detail="the whole log")
    handle = output.open("w") if output else None
    count = 0
    try:
        for record in ledger.iter_records():
            line = json.dumps(record.envelope(), separators=(",", ":"))
            if handle:
                handle.write(line + "\n")
            else:
                print(line)
            count += 1
    finally:
        if handle:
            handle.close()
    if output:
        console.print(f"exported {count} events to {output}")
