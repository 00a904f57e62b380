"""Problem documents (RFC 9457) for every error, and the only place HTTP statuses live."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from eventsourcing.persistence import PersistenceError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from ledger.errors import (
    BatchTooLarge,
    Conflict,
    InvalidEvent,
    LedgerError,
    NotAllowed,
    StorageConfigError,
    StorageFault,
    StoreFull,
    StoreUnavailable,
)
from ledger.store.faults import as_fault, is_storage_fault
from ledger.store.tokens import UnknownToken
from projections.errors import (
    InvalidMoment,
    InvalidQuery,
    ProjectionError,
    UnknownAccount,
    UnknownOpportunity,
    UnknownStakeholder,
    ViewsUnavailable,
)

log = logging.getLogger("ledger.api")
PROBLEM = "application/problem+json"

_STATUS: list[tuple[type[Exception], int, str]] = [
    (BatchTooLarge, 413, "Batch too large"),
    (NotAllowed, 403, "Not allowed"),
    (Conflict, 409, "Conflict"),
    (InvalidEvent, 422, "Rule violation"),
    (UnknownToken, 404, "Not found"),
    (UnknownAccount, 404, "Not found"),
    (UnknownStakeholder, 404, "Not found"),
    (UnknownOpportunity, 404, "Not found"),
    (InvalidMoment, 422, "Validation failed"),
    (InvalidQuery, 422, "Invalid query"),
    (StorageConfigError, 503, "Event store unavailable"),
    (StoreUnavailable, 503, "Event store unavailable"),
    (StoreFull, 507, "Insufficient storage"),
    (ViewsUnavailable, 503, "Views unavailable"),
]
RETRY_AFTER = {"Retry-After": "1"}
"""What a 503 tells the client: the fault is passing, try again in a second."""
_TITLES = {400: "Malformed request", 401: "Unauthorized", 403: "Not allowed",
           404: "Not found", 405: "Method not allowed", 409: "Conflict",
           413: "Request too large", 415: "Unsupported media type", 422: "Validation failed",
           503: "Service unavailable", 507: "Insufficient storage"}


class ApiProblem(Exception):
    """An HTTP-level problem raised by the API layer itself (auth, media type, waiting)."""

    def __init__(self, status: int, detail: str, *, headers: dict[str, str] | None = None,
                 errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers, self.errors = status, detail, headers, errors


def problem(status: int, detail: str, *, title: str | None = None,
            errors: list[dict[str, Any]] | None = None,
            headers: dict[str, str] | None = None) -> JSONResponse:
    """A problem+json response."""
    title = title or _TITLES.get(status, "Error")
    body: dict[str, Any] = {
        "type": f"https://engagement-ledger.example/problems/{title.lower().replace(' ', '-')}",
        "title": title, "status": status, "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def status_of(exc: Exception) -> tuple[int, str]:
    """The HTTP status and title of a domain error."""
    for cls, status, title in _STATUS:
        if isinstance(exc, cls):
            return status, title
    return 422, "Rule violation"


def _log_fault(request: Request, detail: str) -> None:
    """One line, no traceback: a storage fault is an expected condition, not a bug."""
    log.warning("%s %s: %s", request.method, request.url.path, detail)


def install(app: FastAPI) -> None:
    """Route every error, FastAPI's own included, to a problem document."""

    @app.exception_handler(LedgerError)
    async def _ledger(request: Request, exc: LedgerError) -> JSONResponse:
        status, title = status_of(exc)
        if isinstance(exc, StorageFault):
            _log_fault(request, exc.detail)
            return problem(status, exc.detail, title=title,
                           headers=RETRY_AFTER if status == 503 else None)
        return problem(status, exc.detail, title=title, errors=exc.errors)

    @app.exception_handler(ProjectionError)
    async def _projection(request: Request, exc: ProjectionError) -> JSONResponse:
        status, title = status_of(exc)
        if isinstance(exc, ViewsUnavailable):
            _log_fault(request, str(exc))
            return problem(status, f"the views cannot catch up now: {exc}; retry shortly",
                           title=title, headers=RETRY_AFTER)
        return problem(status, str(exc), title=title, errors=getattr(exc, "errors", None))

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, _: ClientDisconnect) -> Response:
        log.info("the client left during %s %s", request.method, request.url.path)
        return Response(status_code=400)  # nobody reads it

    @app.exception_handler(ApiProblem)
    async def _api(_: Request, exc: ApiProblem) -> JSONResponse:
        return problem(exc.status, exc.detail, errors=exc.errors, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e["loc"]), "msg": str(e["msg"]).removeprefix("Value error, ")}
                  for e in exc.errors()]
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        return problem(422, detail or "invalid request", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no such resource: {request.url.path}"
        if exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}"
        return problem(exc.status_code, detail, headers=getattr(exc, "headers", None))

    # The library's and SQLite's own errors reach here from read paths (the raw log, the
    # chain check, health): handled here, unlike the catch-all below, they keep the
    # connection and log one line.
    @app.exception_handler(PersistenceError)
    @app.exception_handler(sqlite3.Error)
    async def _store(request: Request, exc: Exception) -> JSONResponse:
        if not is_storage_fault(exc):
            return await _bug(request, exc)
        return await _ledger(request, as_fault(exc))

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(500, "internal error; it has been logged", title="Internal error")
