"""Writes: submit one event or an atomic batch (SPEC §5.1)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter

from api.body import json_body
from api.deps import PrincipalDep, ReachDep, RuntimeDep
from api.errors import ApiProblem
from api.examples import envelope, openapi_examples
from api.schemas import ERROR_RESPONSES, ReceiptOut, ReceiptsOut
from ledger.contract.schemas import Envelope
from ledger.domain.submission import MAX_BATCH
from ledger.errors import LedgerError

router = APIRouter(prefix="/v1/events", tags=["events"])

_ENVELOPE_SCHEMA = TypeAdapter(Envelope).json_schema(ref_template="#/components/schemas/{model}")
EVENT_COMPONENTS: dict[str, Any] = _ENVELOPE_SCHEMA.pop("$defs", {})
"""Schemas of every event type, merged into the OpenAPI document's components."""


def _body(schema: dict[str, Any], examples: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": schema, "examples": examples}}}}


def _with_body_loc(exc: LedgerError) -> LedgerError:
    exc.errors = [{**e, "loc": ["body", *e["loc"]]} for e in exc.errors]
    return exc


@router.post("", status_code=201, response_model=ReceiptOut,
             responses={200: {"model": ReceiptOut, "description": "Idempotent replay: the "
                              "original receipt, nothing recorded."}, **ERROR_RESPONSES},
             openapi_extra=_body(_ENVELOPE_SCHEMA, openapi_examples()))
async def post_event(request: Request, rt: RuntimeDep, who: PrincipalDep,
                     reach: ReachDep) -> JSONResponse:
    """Record one event; resubmitting the same event_id and content returns its receipt."""
    raw = await json_body(request)
    try:
        receipt = await run_in_threadpool(rt.ledger.record, raw, who, reach)
    except LedgerError as exc:
        raise _with_body_loc(exc) from None
    rt.acknowledge([receipt])
    return JSONResponse(receipt.as_dict(), status_code=200 if receipt.replayed else 201)


_BATCH_SCHEMA = {"type": "object", "required": ["events"], "additionalProperties": False,
                 "properties": {"events": {"type": "array", "maxItems": MAX_BATCH,
                                           "items": _ENVELOPE_SCHEMA}}}


@router.post("/batch", status_code=201, response_model=ReceiptsOut,
             responses=ERROR_RESPONSES,
             openapi_extra=_body(_BATCH_SCHEMA, {"batch": {"summary": "a small batch", "value": {
                 "events": [envelope("account.registered"),
                            envelope("stakeholder.registered")]}}}))
async def post_batch(request: Request, rt: RuntimeDep, who: PrincipalDep,
                     reach: ReachDep) -> JSONResponse:
    """Record up to 10,000 events atomically: all or none; an error names the event's index."""
    raw = await json_body(request)
    if not isinstance(raw, dict) or not isinstance(raw.get("events"), list):
        raise ApiProblem(422, 'the body must be {"events": [...]}',
                         errors=[{"loc": ["body", "events"], "msg": "a list of events is "
                                                                    "required"}])
    extra = sorted(set(raw) - {"events"})
    if extra:
        raise ApiProblem(422, f"unexpected field {extra[0]!r}",
                         errors=[{"loc": ["body", name], "msg": "unexpected field"}
                                 for name in extra])
    try:
        receipts = await run_in_threadpool(rt.ledger.record_batch, raw["events"], who, reach)
    except LedgerError as exc:
        raise _with_body_loc(exc) from None
    rt.acknowledge(receipts)
    return JSONResponse({"receipts": [r.as_dict() for r in receipts]}, status_code=201)
