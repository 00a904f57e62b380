"""Response models for the OpenAPI document (what clients can rely on)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None


class ReceiptOut(BaseModel):
    """What the ledger answers for a recorded event."""

    event_id: str
    type: str
    position: int
    stream_id: str
    version: int
    occurred_at: str
    recorded_at: str
    hash: str


class ReceiptsOut(BaseModel):
    """The receipts of a batch, in submission order."""

    receipts: list[ReceiptOut]


class AuditEvent(BaseModel):
    """One event of the raw log."""

    event_id: str
    type: str
    occurred_at: str
    data: dict[str, Any]
    position: int
    stream_id: str
    version: int
    recorded_at: str
    recorded_by: str
    hash: str


class AuditPage(BaseModel):
    """A page of the raw log; pass ``next_after`` as ``after`` for the next page."""

    events: list[AuditEvent]
    next_after: int | None


class VerifyOut(BaseModel):
    """The outcome of the tamper check."""

    ok: bool
    events_checked: int
    head_hash: str
    head_position: int
    problems: list[dict[str, Any]]


class Health(BaseModel):
    """Liveness and how far the views have followed the log."""

    status: str
    log_position: int
    views_position: int


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description,
            "content": {"application/problem+json": {}}}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _problem("Malformed JSON."),
    401: _problem("No or bad bearer token."),
    403: _problem("The token's role may not do this."),
    409: _problem("Conflict: duplicate id, voided engagement, base currency, event_id reuse."),
    413: _problem("Too large: more than 10,000 events or 64 MiB."),
    415: _problem("The body is not JSON."),
    422: _problem("A field or rule violation; `errors[].loc` points at the field."),
}
READ_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _problem("No or bad bearer token."),
    403: _problem("The token's role may not read this."),
    404: _problem("Unknown resource."),
    422: _problem("A bad query parameter."),
    503: _problem("The views did not reach the requested position in time (Retry-After)."),
}
