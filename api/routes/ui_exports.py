"""Downloads of the web UI, signed in with its cookie: handover files and the flags CSV.

The JSON API serves the same brief with a bearer token (``?format=md|html``); a browser
sends the sign-in cookie instead, so these routes let the UI's links download them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.deps import AsOf, KnownAt, RuntimeDep
from api.errors import ApiProblem
from api.render import MEDIA_TYPES
from api.routes.ui import HEADERS, locale_of
from api.runtime import Runtime
from api.ui import auth, exports
from api.ui.flag_list import FlagQuery, compliance_rows
from ledger.domain.submission import Principal
from projections.timeaxis import parse_point

router = APIRouter(prefix="/ui", include_in_schema=False)
SignedIn = Annotated[Principal, Depends(auth.signed_in)]


def signed_in_views(rt: RuntimeDep, who: SignedIn) -> Runtime:
    """The runtime once its views reflect this server's writes (as the pages wait)."""
    if not rt.ready_for(None):
        raise ApiProblem(503, "the views are catching up with the log; retry shortly",
                         headers={"Retry-After": "1"})
    return rt


ViewsDep = Annotated[Runtime, Depends(signed_in_views)]


def _download(body: str, media_type: str, filename: str, *, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(body, media_type=media_type, headers={
        **HEADERS, "Content-Disposition": f'{disposition}; filename="{filename}"'})


@router.get("/accounts/{account_id}/handover.{form}")
def download_handover(request: Request, account_id: str, form: Literal["md", "html"],
                      runtime: ViewsDep, who: SignedIn, as_of: AsOf = None,
                      known_at: KnownAt = None) -> Response:
    """The handover brief as a Markdown file or a standalone HTML page (score chart too);
    only for an account the signed-in token reaches, and noted in the access log."""
    reach = runtime.ledger.reach_of(who)
    body = runtime.read(exports.handover_document, account_id, parse_point(as_of, known_at),
                        form, reach, locale_of(request))
    runtime.access.append(who, f"GET /ui/accounts/{account_id}/handover.{form}",
                          account_id=account_id, detail=f"format={form}")
    return _download(body, MEDIA_TYPES[form], f"handover-{account_id}.{form}",
                     inline=form == "html")


@router.get("/compliance.csv")
def download_flags(runtime: ViewsDep, who: SignedIn, filters: Annotated[FlagQuery, Query()],
                   as_of: AsOf = None, known_at: KnownAt = None) -> Response:
    """Exactly the flags the compliance page shows for the same filters, as CSV."""
    shown = runtime.read(compliance_rows, parse_point(as_of, known_at), filters,
                         runtime.ledger.reach_of(who))
    body = exports.flags_csv(shown.flags, shown.account_names, shown.person_names)
    return _download(body, "text/csv; charset=utf-8", "compliance-flags.csv")
