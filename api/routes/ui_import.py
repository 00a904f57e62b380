"""The admins' upload form for expense exports: the same import as ``ledger
import-expenses`` (:mod:`ledger.expenses`), a dry run or a real, atomic run per file."""

from __future__ import annotations

import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from api.routes.ui import _render
from api.runtime import Runtime
from api.ui import auth
from ledger.domain.submission import Principal
from ledger.errors import LedgerError
from ledger.expenses.importer import ImportReport, check_expenses, record_expenses
from ledger.expenses.mapping import MappingError, mapping_from_text
from ledger.expenses.rows import plan, read_rows

router = APIRouter(prefix="/ui", include_in_schema=False)
SignedIn = Annotated[Principal, Depends(auth.signed_in)]
MAX_UPLOAD = 5 * 1024 * 1024
"""Bytes accepted per uploaded file (an export of thousands of lines fits easily)."""
PATH = "/ui/import-expenses"


def _form(request: Request, who: Principal, status: int = 200, **context: Any) -> HTMLResponse:
    if who.role != "admin":
        return _render(request, "error.html", 403, user=who, title="Not allowed",
                       detail="only admins import expense exports")
    return _render(request, "import_expenses.html", status, user=who, section="import",
                   csrf=auth.csrf_token(request), **context)


@router.get("/import-expenses", response_class=HTMLResponse)
def import_form(request: Request, who: SignedIn) -> HTMLResponse:
    """The upload form: an expense export (CSV) and its mapping (TOML)."""
    return _form(request, who)


async def _text(upload: Any, what: str) -> str:
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise MappingError(f"choose the {what} file")
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise MappingError(f"the {what} file is larger than {MAX_UPLOAD // 1024 // 1024} MB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MappingError(f"the {what} file is not UTF-8 text") from None


@router.post("/import-expenses", response_class=HTMLResponse)
async def import_expenses(request: Request, who: SignedIn) -> HTMLResponse:
    """Check (dry run) or record an uploaded export; show what became of each line."""
    form = await request.form()
    refusal = auth.form_refusal(request, str(form.get("csrf") or ""))
    if refusal is not None:
        return _render(request, "error.html", 403, user=who, title="Not allowed",
                       detail=refusal)
    if who.role != "admin":
        return _form(request, who)
    dry_run = form.get("dry_run") == "on"
    runtime: Runtime = request.app.state.runtime
    try:
        mapping = mapping_from_text(await _text(form.get("mapping"), "mapping"))
        export = await _text(form.get("export"), "export")
        planned = plan(read_rows(io.StringIO(export, newline=""), mapping), mapping)
        run = check_expenses if dry_run else record_expenses
        report: ImportReport = await run_in_threadpool(run, runtime.ledger, planned, who)
    except (MappingError, LedgerError) as exc:
        detail = exc.detail if isinstance(exc, LedgerError) else str(exc)
        return _form(request, who, 422, error=detail, dry_run=dry_run)
    runtime.acknowledge(report.receipts)
    return _form(request, who, 422 if report.refused else 200, report=report,
                 counts=report.counts(), dry_run=dry_run,
                 file_name=getattr(form.get("export"), "filename", ""))
