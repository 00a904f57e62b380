"""The raw log for auditors: paged, filtered, or streamed whole; and the tamper check."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from api.deps import AccessDep, AuditorDep, RuntimeDep
from api.schemas import READ_RESPONSES, AccessPage, AuditPage, VerifyOut
from ledger.contract.records import MAX_POSITION
from ledger.contract.schemas import EventType
from ledger.domain.application import LedgerApplication
from ledger.store.access_log import AccessQuery
from projections.timeaxis import parse_window

router = APIRouter(prefix="/v1/audit", tags=["audit"])
CSV_COLUMNS = ("position", "event_id", "type", "occurred_at", "recorded_at", "recorded_by",
               "stream_id", "version", "hash", "data")


def iter_log(ledger: LedgerApplication, *, after: int = 0,
             types: list[EventType] | None = None, stream: str | None = None) -> Iterator[dict]:
    """Every matching event after ``after``, page by page (memory stays flat)."""
    while page := ledger.read_records(after, 1000, types=types or (), stream=stream):
        for record in page:
            yield record.envelope()
        after = page[-1].position


def _jsonl(events: Iterator[dict]) -> Iterator[str]:
    for event in events:
        yield json.dumps(event, separators=(",", ":")) + "\n"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may run as a formula at the start of a cell (OWASP's CSV injection)."""


def neutralised(cell: object) -> object:
    """A text cell that a spreadsheet would run gets a leading apostrophe, so it reads as
    text; every other cell is kept as it is."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def _csv(events: Iterator[dict]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for event in events:
        writer.writerow([neutralised(json.dumps(event["data"], sort_keys=True)
                                     if column == "data" else event[column])
                         for column in CSV_COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


@router.get("/events", response_model=AuditPage, responses={
    **READ_RESPONSES, 200: {"content": {"application/x-ndjson": {}, "text/csv": {}},
                            "description": "A page (json) or the whole log (jsonl, csv)."}})
def read_audit_events(
    rt: RuntimeDep, who: AuditorDep, note: AccessDep,
    after: Annotated[int, Query(ge=0, le=MAX_POSITION,
                                description="Return events after this position.")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    type: Annotated[list[EventType] | None, Query(description="Only these event types.")] = None,
    stream_id: Annotated[UUID | None, Query(description="Only this stream.")] = None,
    format: Annotated[Literal["json", "jsonl", "csv"], Query(
        description="json: one page; jsonl / csv: stream every matching event.")] = "json",
) -> object:
    """The raw log in position order, paged; jsonl and csv stream all of it."""
    stream = None if stream_id is None else str(stream_id)
    note(detail=f"format={format} after={after}"
                + (f" limit={limit}" if format == "json" else "")
                + "".join(f" type={name}" for name in type or [])
                + (f" stream_id={stream}" if stream else ""))
    if format != "json":
        events = iter_log(rt.ledger, after=after, types=type, stream=stream)
        if format == "jsonl":
            return StreamingResponse(_jsonl(events), media_type="application/x-ndjson")
        return StreamingResponse(_csv(events), media_type="text/csv",
                                 headers={"Content-Disposition": "attachment; "
                                                                 "filename=ledger-events.csv"})
    page = rt.ledger.read_records(after, limit, types=type or (), stream=stream)
    return {"events": [r.envelope() for r in page],
            "next_after": page[-1].position if len(page) == limit else None}


@router.get("/access", response_model=AccessPage, responses=READ_RESPONSES)
def read_access_log(
    rt: RuntimeDep, who: AuditorDep,
    stakeholder_id: Annotated[str | None, Query(
        description="Reads about this person: those naming them, and the bulk reads that "
                    "showed them (their account's power map, the audit export).")] = None,
    account_id: Annotated[str | None, Query(description="Reads of this account.")] = None,
    token: Annotated[str | None, Query(description="Reads by the token of this name.")]
    = None,
    start: Annotated[str | None, Query(alias="from", description="Read at or after.")] = None,
    end: Annotated[str | None, Query(alias="to", description="Read at or before.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(pattern=r"^[0-9]{1,18}$",
                                        description="next_cursor of the previous page.")]
    = None,
) -> dict:
    """Who read personal fields, and when (SPEC §5.5): oldest first, paged."""
    lower, upper = parse_window(start, end)
    person_account = rt.ledger.account_of(stakeholder_id) if stakeholder_id else None
    page = rt.access.find(AccessQuery(
        stakeholder_id=stakeholder_id, person_account=person_account, account_id=account_id,
        token=token, start=lower, end=upper, after=int(cursor or 0), limit=limit))
    return {"entries": [entry.as_dict() for entry in page],
            "next_cursor": str(page[-1].id) if len(page) == limit else None}


@router.get("/verify", response_model=VerifyOut, responses=READ_RESPONSES)
async def verify_chain(rt: RuntimeDep, who: AuditorDep,
                       head: Annotated[str | None, Query(
                           description="A head hash exported earlier; catches truncation.")]
                       = None) -> dict:
    """Recompute the hash chain and name every edited, deleted, inserted or reordered event."""
    result = await run_in_threadpool(rt.ledger.verify, head)
    return result.as_dict()
