"""The ``ledger`` commands that run the service: ``serve``, ``rebuild``, ``views-copy``
and ``bench``.

``serve`` starts the REST API with its projector, ``rebuild`` rebuilds the views from the
log in bulk, ``views-copy`` seeds them from another node's, ``bench`` measures the whole
stack in scratch stores. ``cli.app`` registers these functions as commands.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from typing import Annotated

import typer
import uvicorn

from api.app import create_app
from api.runtime import Runtime
from bench import BenchError, run_bench, run_scale
from cli.common import (
    DatabaseUrl,
    ViewsPath,
    console,
    fail,
    open_ledger,
    progress_bar,
    settings_and_views,
    settings_or_exit,
)
from ledger.config import Settings
from ledger.errors import StorageConfigError
from ledger.store.tokens import UnknownToken
from projections.errors import ProjectionError

GRACEFUL_SHUTDOWN = 3
"""Seconds ``serve`` leaves requests in flight when told to stop."""


def serve(
    database_url: DatabaseUrl = None,
    host: Annotated[str | None, typer.Option(help="Listen address (env LEDGER_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (env LEDGER_PORT).")] = None,
    views_path: ViewsPath = None,
    issue_admin_token: Annotated[str | None, typer.Option(
        help="Create (or replace) an admin token with this name and print it.")] = None,
    projector: Annotated[bool, typer.Option(
        help="Apply events to the views in a process of their own (a second core), "
             "not in a thread of the server.")] = True,
) -> None:
    """Serve the REST API and keep the views following the log.

    Example: ledger serve --port 8000
    """


    try:
        settings = Settings.from_env(database_url=database_url, host=host, port=port,
                                     views_path=views_path)
        runtime = Runtime(settings, projector=projector)
    except StorageConfigError as exc:
        fail(exc.detail, 2)
    url = f"http://{settings.host}:{settings.port}"
    console.print(f"Engagement ledger on {url}  (web UI {url}/ui/, API docs {url}/docs, "
                  f"health {url}/healthz)",
                  highlight=False)
    console.print(f"events: {settings.display_url}  views: {runtime.views_path}",
                  highlight=False)
    if issue_admin_token:

        with contextlib.suppress(UnknownToken):  # first run: nothing to replace
            runtime.tokens.revoke(issue_admin_token)
        token = runtime.tokens.create(issue_admin_token, "admin")
        console.print(f"admin token ({issue_admin_token}): {token}", highlight=False)
        console.print(f"try: curl -H 'Authorization: Bearer {token}' {url}/v1/accounts",
                      highlight=False)
    # SIGTERM and SIGINT: requests in flight get a few seconds, then the runtime stops
    # (projector included) and the process exits.
    uvicorn.run(create_app(settings, runtime=runtime), host=settings.host, port=settings.port,
                log_level="warning", timeout_graceful_shutdown=GRACEFUL_SHUTDOWN)


def rebuild(database_url: DatabaseUrl = None, views_path: ViewsPath = None) -> None:
    """Rebuild every view from the log in bulk, streaming, with a progress bar.

    The views are built in a fresh file beside the old one and then copied in at once:
    a running server keeps answering from the old views until then, and an interrupted
    rebuild changes nothing.

    Example: ledger rebuild
    """

    ledger = open_ledger(database_url)
    settings, views = settings_and_views(database_url, views_path)
    total = ledger.head_position()
    started = time.perf_counter()
    try:
        with progress_bar() as progress:
            task = progress.add_task("loading the log", total=total)

            def loaded(count: int, position: int) -> None:
                # Most events are folded first (the position stays behind until the
                # other events are applied); once the whole log is loaded, deriving and
                # installing take the rest (about half of the time of a large rebuild).
                progress.update(task, completed=count, description=(
                    "deriving and installing the views" if position >= total
                    else "loading the log"))

            applied = views.rebuild_from(ledger, progress=loaded)
    except ProjectionError as exc:  # a full disk, say: the views are as they were
        fail(str(exc), 1)
    finally:
        views.close()
    elapsed = time.perf_counter() - started
    rate = applied / elapsed if elapsed else 0.0
    console.print(f"rebuilt {settings.resolved_views_path()} from {applied} events in "
                  f"{elapsed:.1f} s ({rate:,.0f} events/s)", highlight=False)


def views_copy(
    source: Annotated[str, typer.Argument(help="Another node's views file (live or a copy).")],
    database_url: DatabaseUrl = None, views_path: ViewsPath = None,
) -> None:
    """Seed this node's views from another node's views file instead of rebuilding them.

    The copy is one consistent snapshot of SOURCE (its writer may keep running), checked
    against this event store: the event at the copy's position must be the log's. Serving
    (or a rebuild) then follows the log from there.
    Example: ledger views-copy /srv/node-a/ledger.views.db
    """
    ledger = open_ledger(database_url)
    settings, views = settings_and_views(database_url, views_path)
    head = ledger.head_position()

    def belongs(position: int, event_id: str | None) -> bool:
        if position == 0:
            return True
        logged = ledger.read_records(position - 1, 1) if position <= head else []
        return bool(logged) and logged[0].event_id == event_id

    try:
        if os.path.realpath(source) == os.path.realpath(settings.resolved_views_path()):
            fail("the source is this node's own views file", 2)
        position = views.copy_from(source, belongs)
    except ProjectionError as exc:
        fail(str(exc), 2)
    finally:
        views.close()
        ledger.close()
    console.print(f"copied views at position {position} of {head} into "
                  f"{settings.resolved_views_path()}; serving follows the log from there",
                  highlight=False)


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

    settings = settings_or_exit(database_url)
    try:
        if scale:
            sizes = [int(size) for size in scale.split(",") if size.strip()]
            result = run_scale(sizes, settings.database_url, seed=seed)
        else:
            result = run_bench(events, settings.database_url, seed=seed)
    except (BenchError, ValueError) as exc:
        fail(str(exc), 2)
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
