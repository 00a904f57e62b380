"""The FastAPI application: routers, problem documents, and the runtime's lifecycle."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api import errors
from api.headers import SecurityHeaders
from api.routes import audit, events, health, reads, subjects, ui
from api.runtime import Runtime
from ledger.config import Settings

DESCRIPTION = """
Every customer engagement and every change in a stakeholder's attitude, as immutable
events; power maps, cost per relationship, compliance flags and stakeholder histories
computed from them at any valid time (`as_of`) and transaction time (`known_at`).

Authenticate with `Authorization: Bearer <token>` (create tokens with
`ledger token create --role recorder|auditor|admin --name NAME`).
Errors are `application/problem+json` documents.
"""


def _offline_docs(app: FastAPI) -> None:
    """Serve Swagger UI from the packaged bundle, so /docs needs no CDN."""
    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
              name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="Engagement ledger API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png")


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

    app = FastAPI(title="Engagement ledger", version="1.0.0", description=DESCRIPTION,
                  lifespan=lifespan, docs_url=None, redoc_url=None)
    _offline_docs(app)
    app.state.runtime = rt
    errors.install(app)
    app.add_middleware(SecurityHeaders)
    for router in (events.router, reads.router, subjects.router, audit.router, health.router):
        app.include_router(router)
    ui.install(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version,
                                   description=app.description, routes=app.routes)
            document.setdefault("components", {}).setdefault("schemas", {}).update(
                events.EVENT_COMPONENTS)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
