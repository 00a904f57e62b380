"""The ``ledger`` command line (SPEC §8).

Every command reads its settings from flags and ``LEDGER_*`` variables; a bad setting
stops it with one line naming the setting, never a traceback.
"""

from __future__ import annotations

import contextlib
import getpass
import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from ledger.application import LedgerApplication, Principal
from ledger.config import Settings
from ledger.errors import LedgerError, StorageConfigError

app = typer.Typer(help="The engagement ledger: record, verify and replay customer engagements.",
                  no_args_is_help=True, add_completion=False)
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DatabaseUrl = Annotated[str | None, typer.Option(
    "--database-url", help="Event store URL (env LEDGER_DATABASE_URL); "
    "sqlite:///path or postgresql://user:pass@host:port/db.", show_default=False)]


def open_ledger(database_url: str | None,
                clock: Callable[[], datetime] | None = None) -> LedgerApplication:
    """Build settings from flags and environment and open the event store, or exit cleanly."""
    try:
        settings = Settings.from_env(database_url=database_url)
        return LedgerApplication(settings, clock=clock)
    except StorageConfigError as exc:
        err.print(f"[red]error:[/red] {exc.detail}", highlight=False)
        raise typer.Exit(2) from None


def cli_principal() -> Principal:
    """Local command-line use acts as an admin named after the operating-system user."""
    return Principal(f"cli:{getpass.getuser()}", "admin")


@app.command()
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
    from ledger.demo import demo_timeline

    # The sample carries a plausible recording time per event (a few deliberately late),
    # so the loader runs the ledger on that clock instead of stamping everything "now".
    moment: dict[str, datetime] = {}
    ledger = open_ledger(database_url, clock=lambda: moment.get("now") or datetime.now(UTC))
    existing = ledger.head_position()
    if existing:
        if not if_empty:
            err.print(f"[red]error:[/red] the event store already holds {existing} events; "
                      "demo data loads only into an empty store", highlight=False)
            raise typer.Exit(1)
        console.print(f"The event store already holds {existing} events; demo not loaded.")
    else:
        timeline = demo_timeline(seed=seed)
        with _progress() as progress:
            task = progress.add_task("loading demo", total=len(timeline))
            for recorded_at, envelope in timeline:
                moment["now"] = recorded_at
                ledger.record(envelope, cli_principal())
                progress.advance(task)
        moment.clear()
    _summarise(ledger)


@app.command("import")
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
    with _progress() as progress, file.open("rb") as handle:
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
            batch_lines.append(number)
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
    console.print(f"Imported {recorded} events ({replayed} already recorded); "
                  f"log head at position {ledger.head_position()}.")


def _stop(message: str, recorded: int, errors: list[dict[str, Any]] | None = None) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    for error in errors or []:
        loc = ".".join(str(part) for part in error["loc"][2:] if part is not None)
        err.print(f"  {loc or 'event'}: {error['msg']}", highlight=False)
    err.print(f"Nothing of that batch was recorded ({recorded} events before it were).")
    raise typer.Exit(1)


@app.command()
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


token_app = typer.Typer(help="Create, list and revoke API bearer tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")


def _tokens(database_url: str | None) -> Any:
    from ledger.tokens import TokenStore

    return TokenStore(open_ledger(database_url))


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option(help="recorder, auditor or admin.")],
    name: Annotated[str, typer.Option(help="Who holds it; becomes recorded_by.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Create a token and print it once (the last word of the line); only its hash is kept.

    Example: ledger token create --role recorder --name crm-sync
    """
    try:
        token = _tokens(database_url).create(name, role)
    except LedgerError as exc:
        err.print(f"[red]error:[/red] {exc.detail}", highlight=False)
        raise typer.Exit(1) from None
    console.print(f"{role} token for {name} (shown once): {token}", highlight=False)


@token_app.command("list")
def token_list(database_url: DatabaseUrl = None) -> None:
    """List tokens (names, roles, dates; never the secrets). Example: ledger token list"""
    for info in _tokens(database_url).list():
        state = f"revoked {info.revoked_at}" if info.revoked_at else "active"
        console.print(f"{info.name:24} {info.role:9} created {info.created_at}  {state}",
                      highlight=False)


@token_app.command("revoke")
def token_revoke(name: Annotated[str, typer.Argument(help="The token's name.")],
                 database_url: DatabaseUrl = None) -> None:
    """Revoke a token; a running server refuses it from the next request on.

    Example: ledger token revoke crm-sync
    """
    try:
        _tokens(database_url).revoke(name)
    except LedgerError as exc:
        err.print(f"[red]error:[/red] {exc.detail}", highlight=False)
        raise typer.Exit(1) from None
    console.print(f"revoked {name}")


@app.command()
def serve(
    database_url: DatabaseUrl = None,
    host: Annotated[str | None, typer.Option(help="Listen address (env LEDGER_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (env LEDGER_PORT).")] = None,
    views_path: Annotated[str | None, typer.Option(
        help="SQLite file of the views (env LEDGER_VIEWS_PATH).")] = None,
    issue_admin_token: Annotated[str | None, typer.Option(
        help="Create (or replace) an admin token with this name and print it.")] = None,
    projector: Annotated[bool, typer.Option(
        help="Apply events to the views in a process of their own (a second core), "
             "not in a thread of the server.")] = True,
) -> None:
    """Serve the REST API and keep the views following the log.

    Example: ledger serve --port 8000
    """
    import uvicorn

    from api.app import create_app
    from api.runtime import Runtime

    try:
        settings = Settings.from_env(database_url=database_url, host=host, port=port,
                                     views_path=views_path)
        runtime = Runtime(settings, projector=projector)
    except StorageConfigError as exc:
        err.print(f"[red]error:[/red] {exc.detail}", highlight=False)
        raise typer.Exit(2) from None
    url = f"http://{settings.host}:{settings.port}"
    console.print(f"Engagement ledger on {url}  (web UI {url}/ui/, API docs {url}/docs, "
                  f"health {url}/healthz)",
                  highlight=False)
    console.print(f"events: {settings.database_url}  views: {runtime.views_path}",
                  highlight=False)
    if issue_admin_token:
        from ledger.tokens import UnknownToken

        with contextlib.suppress(UnknownToken):  # first run: nothing to replace
            runtime.tokens.revoke(issue_admin_token)
        token = runtime.tokens.create(issue_admin_token, "admin")
        console.print(f"admin token ({issue_admin_token}): {token}", highlight=False)
        console.print(f"try: curl -H 'Authorization: Bearer {token}' {url}/v1/accounts",
                      highlight=False)
    uvicorn.run(create_app(settings, runtime=runtime), host=settings.host, port=settings.port,
                log_level="warning")


@app.command()
def rebuild(database_url: DatabaseUrl = None,
            views_path: Annotated[str | None, typer.Option(
                help="SQLite file of the views (env LEDGER_VIEWS_PATH).")] = None) -> None:
    """Drop every view and rebuild it from the log, streaming, with a progress bar.

    Example: ledger rebuild
    """
    import time

    from projections.engine import ViewDatabase

    ledger = open_ledger(database_url)
    settings = Settings.from_env(database_url=database_url, views_path=views_path)
    views = ViewDatabase(settings.resolved_views_path())
    total = ledger.head_position()
    started = time.perf_counter()
    with _progress() as progress:
        task = progress.add_task("rebuilding views", total=total)
        applied = views.rebuild(ledger.iter_records(chained=False),
                                progress=lambda n, pos: progress.update(task, completed=pos))
    elapsed = time.perf_counter() - started
    views.close()
    rate = applied / elapsed if elapsed else 0.0
    console.print(f"rebuilt {settings.resolved_views_path()} from {applied} events in "
                  f"{elapsed:.1f} s ({rate:,.0f} events/s)", highlight=False)


@app.command()
def handover(
    account: Annotated[str, typer.Argument(help="The account's id.")],
    database_url: DatabaseUrl = None,
    views_path: Annotated[str | None, typer.Option(
        help="SQLite file of the views (env LEDGER_VIEWS_PATH).")] = None,
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
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="File to write (default: standard output).")] = None,
) -> None:
    """Print an account's handover brief (SPEC §6) as JSON, Markdown or HTML.

    The views are caught up with the log first. Example:
    ledger handover nordlicht-telekom --as-of 2026-03-01 --format md -o brief.md
    """
    from api.errors import ApiProblem
    from api.params import point
    from api.render import render_brief
    from projections.engine import Follower, ViewDatabase
    from projections.errors import ProjectionError
    from projections.handover import handover_brief

    ledger = open_ledger(database_url)
    settings = Settings.from_env(database_url=database_url, views_path=views_path)
    views = ViewDatabase(settings.resolved_views_path())
    try:
        Follower(views, ledger.read_for_views).catch_up()
        brief = handover_brief(views.db, account, **point(as_of, known_at))
    except ApiProblem as exc:
        err.print(f"[red]error:[/red] {exc.detail}", highlight=False)
        raise typer.Exit(2) from None
    except ProjectionError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    finally:
        views.close()
    text = json.dumps(brief, indent=2) + "\n" if form == "json" else render_brief(brief, form)
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote the {form} handover brief of {account} to {output}",
                      highlight=False)
    else:
        print(text, end="" if text.endswith("\n") else "\n")


@app.command()
def export(database_url: DatabaseUrl = None,
           output: Annotated[Path | None, typer.Option(
               "-o", "--output", help="File to write (default: standard output).")] = None,
           ) -> None:
    """Export the raw log as JSON Lines, one event per line, in position order.

    Example: ledger export -o ledger-events.jsonl
    """
    ledger = open_ledger(database_url)
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


@app.command()
def bench(
    database_url: DatabaseUrl = None,
    events: Annotated[int, typer.Option(min=100, help="Size of the synthetic log.")] = 10_000,
    scale: Annotated[str | None, typer.Option(
        help="Comma-separated sizes, e.g. 10000,100000,1000000: how p95 and memory grow.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic workload.")] = 1,
) -> None:
    """Measure ingest, rebuild and read speed against the event store's own raw speed.

    Works in scratch stores of the same kind as --database-url (never touching its data).
    Example: ledger bench --events 10000 --json
    """
    from api.bench import BenchError, run_bench, run_scale

    settings = _settings_or_exit(database_url)
    try:
        if scale:
            sizes = [int(size) for size in scale.split(",") if size.strip()]
            result = run_scale(sizes, settings.database_url, seed=seed)
        else:
            result = run_bench(events, settings.database_url, seed=seed)
    except (BenchError, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    if as_json:
        print(json.dumps(result))
        return
    rows = result["runs"] if scale else [result]
    for run in rows:
        console.print(f"[bold]{run['events']} events[/bold]")
        for key, value in run.items():
            if isinstance(value, float):
                console.print(f"  {key:40} {value:14,.3f}", highlight=False)
        for key, reason in run.get("not_measured", {}).items():
            console.print(f"  {key:40} not measured: {reason}", highlight=False)
    if scale:
        for key, growth in result["growth_vs_smallest"].items():
            console.print(f"  {key:40} " + "  ".join(f"{size}: x{factor:.2f}"
                                                     for size, factor in growth.items()),
                          highlight=False)


def _settings_or_exit(database_url: str | None) -> Settings:
    try:
        return Settings.from_env(database_url=database_url)
    except StorageConfigError as exc:
        err.print(f"[red]error:[/red] {exc.detail}", highlight=False)
        raise typer.Exit(2) from None


def _summarise(ledger: LedgerApplication) -> None:
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


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(),
                    TextColumn("{task.percentage:>3.0f}%"), TimeRemainingColumn(),
                    console=err, transient=True)


def main() -> None:
    """Entry point for ``python -m ledger.cli``."""
    app()


if __name__ == "__main__":
    main()
