"""The FastAPI application: routers, problem documents, and the runtime's lifecycle."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline

from api import errors
from api.headers import SecurityHeaders
from api.routes import audit, events, health, reads, subjects, ui, ui_exports
from api.runtime import Runtime
from api.schemas import PROBLEM_COMPONENTS
from ledger.config import Settings

DESCRIPTION = """
Every customer engagement and every change in a stakeholder's attitude, as immutable
events; power maps, cost per relationship, compliance flags and stakeholder histories
computed from them at any valid time (`as_of`) and transaction time (`known_at`).

Authenticate with `Authorization: Bearer <token>` (create tokens with
`ledger token create --role recorder|auditor|admin --name NAME`).
Errors are `application/problem+json` documents.
"""


DOCS_ASSETS = "/static/docs"
"""Where Swagger UI (/docs) and ReDoc (/redoc) load their scripts from: assets shipped in the
``fastapi-offline`` package (Swagger UI 5, which reads OpenAPI 3.1), so the docs need no CDN."""


def _operation_id(route: APIRoute) -> str:
    """A route's operation id is its function's name (``post_event``, ``read_power_map``)."""
    return route.name


def create_app(settings: Settings, *, clock: Callable[[], datetime] | None = None,
               runtime: Runtime | None = None) -> FastAPI:
    """Build the API over the event store and views that ``settings`` name."""
    rt = runtime or Runtime(settings, clock=clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rt.start()
        try:
            yield
        finally:
            rt.stop()

    app = FastAPIOffline(title="Engagement ledger", version="1.0.0", description=DESCRIPTION,
                         lifespan=lifespan, static_url=DOCS_ASSETS,
                         generate_unique_id_function=_operation_id)
    app.state.runtime = rt
    errors.install(app)
    app.add_middleware(SecurityHeaders)
    for router in (events.router, reads.router, subjects.router, audit.router, health.router):
        app.include_router(router)
    ui.install(app)
    app.include_router(ui_exports.router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version,
                                   description=app.description, routes=app.routes)
            document.setdefault("components", {}).setdefault("schemas", {}).update(
                {**events.EVENT_COMPONENTS, **PROBLEM_COMPONENTS})
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
