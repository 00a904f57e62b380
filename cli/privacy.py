"""The ``ledger`` commands of SPEC §5.5 privacy: ``subject-export`` and ``access-log``.

Both act as the command-line admin; a subject export is itself noted in the access log,
like the API's. ``cli.app`` registers these functions as commands.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cli.common import (
    DatabaseUrl,
    OutputFile,
    ViewsPath,
    cli_principal,
    console,
    fail,
    open_ledger,
    settings_and_views,
)
from ledger.store.access_log import AccessLog, AccessQuery
from projections.engine import Follower
from projections.errors import InvalidMoment, ProjectionError
from projections.subject import subject_export as export_of
from projections.timeaxis import parse_window


def subject_export(
    stakeholder_id: Annotated[str, typer.Argument(help="The person's stakeholder id.")],
    database_url: DatabaseUrl = None, views_path: ViewsPath = None, output: OutputFile = None,
) -> None:
    """Write everything the ledger holds about one person as JSON (SPEC §5.5): every event
    naming them with personal fields opened (or "[forgotten]"), their figures now, and who
    read their data when.

    Example: ledger subject-export nt-jonas-krause -o jonas-krause.json
    """
    ledger = open_ledger(database_url)
    access = AccessLog(ledger)
    _, views = settings_and_views(database_url, views_path)
    try:
        Follower(views, ledger.read_for_views).catch_up()
        found = export_of(views.db, ledger, access, stakeholder_id)
    except ProjectionError as exc:
        fail(str(exc), 1)
    finally:
        views.close()
    access.append(cli_principal(), "cli subject-export", account_id=found["account_id"],
                  stakeholder_id=stakeholder_id, detail="subject export")
    text = json.dumps(found, indent=2, ensure_ascii=False) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote the subject export of {stakeholder_id} to {output}",
                      highlight=False)
    else:
        print(text, end="")


def access_log(
    stakeholder_id: Annotated[str | None, typer.Option(
        "--stakeholder-id", help="Reads about this person (bulk reads that showed them too).")
    ] = None,
    account_id: Annotated[str | None, typer.Option("--account-id",
                                                   help="Reads of this account.")] = None,
    token: Annotated[str | None, typer.Option(help="Reads by the token of this name.")] = None,
    start: Annotated[str | None, typer.Option(
        "--from", help="Read at or after: RFC 3339 or YYYY-MM-DD (its start, UTC).")] = None,
    end: Annotated[str | None, typer.Option(
        "--to", help="Read at or before: RFC 3339 or YYYY-MM-DD (its end, UTC).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a line.")] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Who read personal fields, and when (SPEC §5.5), oldest first.

    Example: ledger access-log --stakeholder-id nt-jonas-krause
    """
    try:
        lower, upper = parse_window(start, end)
    except InvalidMoment as exc:
        fail(str(exc), 2)
    ledger = open_ledger(database_url)
    person_account = ledger.account_of(stakeholder_id) if stakeholder_id else None
    rows = AccessLog(ledger).all_of(AccessQuery(
        stakeholder_id=stakeholder_id, person_account=person_account, account_id=account_id,
        token=token, start=lower, end=upper))
    for row in rows:
        if as_json:
            print(json.dumps(row.as_dict(), separators=(",", ":")))
        else:
            about = " ".join(part for part in (row.account_id, row.stakeholder_id, row.detail)
                             if part)
            console.print(f"{row.at}  {row.token:20} {row.role:8} {row.route}  {about}",
                          highlight=False)
