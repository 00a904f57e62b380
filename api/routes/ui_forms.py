"""The web UI's forms: record what account managers do, through the API's own write path.

Each POST builds the envelope a client would send (:mod:`api.ui.envelopes`) and hands it
to the same ``LedgerApplication.record`` as ``POST /v1/events``: validation, rules,
idempotency, chain and encryption happen there, once. A refusal redisplays the form with
what was typed and each message beside its field; a success redirects (303) to a page
that waits for the views to reach the receipt's position. Forms carry their event id
(a double submit is a replay), a CSRF token, and are refused from a foreign ``Origin``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.render.i18n import N_
from api.routes.ui import _page, _render
from api.runtime import Runtime
from api.ui import auth, envelopes, forms
from api.ui.envelopes import GENERAL, FormInvalid, Typed, field_errors
from api.ui.history import engagement_history
from ledger.domain.reach import Reach
from ledger.domain.submission import Principal, Receipt
from ledger.errors import IdempotencyConflict, LedgerError
from projections.errors import ProjectionError

router = APIRouter(prefix="/ui", include_in_schema=False)
SignedIn = Annotated[Principal, Depends(auth.signed_in)]
Build = Callable[[Any], dict[str, Any]]
ALREADY_SENT = N_("This form was sent before with other values, and that was recorded. "
                  "To record something else, open a new form.")


def _after(path: str, receipt: Receipt, **query: str) -> RedirectResponse:
    """303 to ``path``, which waits for the views to reach the receipt's position."""
    params = urlencode({**query, "min_position": str(receipt.position)})
    return RedirectResponse(f"{path}?{params}", status_code=303)


def _forbidden(request: Request, who: Principal, detail: str) -> HTMLResponse:
    return _render(request, "error.html", 403, detail=detail, title="Not allowed", user=who)


def _show(request: Request, who: Principal, form: forms.Form, build: Build, typed: Typed,
          action: str, errors: dict[str, str] | None = None, status: int = 200,
          **context: Any) -> HTMLResponse:
    """The form, filled in with ``typed``, each error beside its field."""
    if who.role not in forms.WRITERS:
        return _forbidden(request, who, f"role {who.role!r} cannot record events")
    errors = errors or {}
    general = {k: v for k, v in errors.items() if k not in form.names()}
    return _page(request, "form.html", build, status=status, user=who, section="accounts",
                 form=form, typed=typed, errors=errors, general=general, action=action,
                 csrf=auth.csrf_token(request), kinds=forms.kind_choices(),
                 time_zones=forms.TIME_ZONES, **context)


def _with_event_id(request: Request) -> RedirectResponse | str:
    """The event id a blank form carries, from its URL; a URL without one is redirected
    to one with a fresh id. Going back to the form (back button) thus shows the same id,
    and sending it again is a replay, not a second event."""
    given = request.query_params.get("event_id", "")
    try:
        return str(uuid.UUID(given))
    except ValueError:
        fresh = urlencode({"event_id": envelopes.new_event_id()})
        return RedirectResponse(f"{request.url.path}?{fresh}", status_code=303)


def _blank(request: Request, who: Principal, form: forms.Form, build: Build) -> Response:
    """A blank form under a fresh event id."""
    event_id = _with_event_id(request)
    if isinstance(event_id, RedirectResponse):
        return event_id
    typed = forms.blank(who.name, event_id=event_id)
    if form is forms.RECORD:
        typed.fields["engagement_id"] = [f"eng-{event_id[:8]}"]
    if form is forms.CORRECT:
        runtime: Runtime = request.app.state.runtime
        runtime.ready_for(None)  # the fields as this server last recorded them
        try:
            reach = _reach_of(request)
            current = runtime.read(lambda db: forms.recorded_fields(
                forms.find_engagement(db, request.path_params["engagement_id"], reach)))
            typed = forms.as_typed(current, **{k: typed.one(k) for k in (
                "event_id", "occurred_at", "time_zone")})
        except ProjectionError:
            pass  # the page below names the problem
    return _show(request, who, form, build, typed, request.url.path)


async def _submit(request: Request, who: Principal, form: forms.Form, build: Build,
                  envelope: Callable[[Typed], dict[str, Any]],
                  after: Callable[[dict[str, Any], Receipt], RedirectResponse],
                  **context: Any) -> Response:
    """Check the form's origin, record its event, and redirect, or redisplay it."""
    typed = Typed.of((await request.form()).multi_items())
    refusal = auth.form_refusal(request, typed.one("csrf"))
    if refusal is not None:
        return _forbidden(request, who, refusal)
    if who.role not in forms.WRITERS:
        return _forbidden(request, who, f"role {who.role!r} cannot record events")
    runtime: Runtime = request.app.state.runtime
    try:
        event = await run_in_threadpool(envelope, typed)
        receipt = await run_in_threadpool(runtime.ledger.record, event, who,
                                          runtime.ledger.reach_of(who))
    except FormInvalid as exc:
        errors = exc.errors
    except IdempotencyConflict:  # back button, then other values, then send again
        errors = {GENERAL: ALREADY_SENT}
    except LedgerError as exc:
        errors = field_errors(exc.errors)
    except ProjectionError as exc:  # the engagement to correct is not in the views
        errors = {GENERAL: str(exc)}
    else:
        runtime.acknowledge([receipt])
        return after(event, receipt)
    return _show(request, who, form, build, typed, str(request.url.path), errors, 422,
                 **context)


def _reach_of(request: Request) -> Reach:
    """What the signed-in token reaches now (its forms and pages, like the API)."""
    runtime: Runtime = request.app.state.runtime
    return runtime.ledger.reach_of(auth.signed_in(request))


def _account(request: Request, account_id: str) -> Build:
    reach = _reach_of(request)
    return lambda db: forms.account_context(db, account_id, reach)


def _person(request: Request, stakeholder_id: str) -> Build:
    reach = _reach_of(request)
    return lambda db: forms.person_context(db, stakeholder_id, reach)


def _engagement(request: Request, engagement_id: str) -> Build:
    reach = _reach_of(request)
    return lambda db: forms.engagement_context(db, engagement_id, reach)


def _to_person(stakeholder_id: str) -> Callable[[dict[str, Any], Receipt], RedirectResponse]:
    return lambda event, receipt: _after(f"/ui/stakeholders/{quote(stakeholder_id)}", receipt)


def _to_engagement(engagement_id: str) -> Callable[[dict[str, Any], Receipt],
                                                   RedirectResponse]:
    return lambda event, receipt: _after(f"/ui/engagements/{quote(engagement_id)}", receipt,
                                         recorded=engagement_id)


def _recorded(event: dict[str, Any], receipt: Receipt) -> RedirectResponse:
    """After an engagement: its first participant's timeline, else its own page."""
    data = event["data"]
    if data.get("participants"):
        return _after(f"/ui/stakeholders/{quote(data['participants'][0])}", receipt,
                      recorded=data["engagement_id"])
    return _to_engagement(data["engagement_id"])(event, receipt)


@router.get("/engagements/{engagement_id}", response_class=HTMLResponse)
def engagement_page(request: Request, engagement_id: str, who: SignedIn,
                    recorded: str | None = None) -> HTMLResponse:
    """One engagement as it stands: fields, corrections, void, approvals, flags."""
    reach = _reach_of(request)
    log = request.app.state.runtime.ledger
    return _page(request, "engagement.html",
                 lambda db: {**forms.engagement_context(db, engagement_id, reach),
                             **forms.recorded_notice(db, recorded, reach),
                             "history": engagement_history(log, engagement_id)},
                 about=lambda built: (built["engagement"].account_id, None),
                 user=who, section="accounts")


@router.get("/accounts/{account_id}/engagements/new", response_model=None)
def record_form(request: Request, account_id: str, who: SignedIn) -> Response:
    """A blank form to record an engagement on the account."""
    return _blank(request, who, forms.RECORD, _account(request, account_id))


@router.post("/accounts/{account_id}/engagements/new", response_model=None)
async def record_engagement(request: Request, account_id: str, who: SignedIn) -> Response:
    """Record an engagement from the form."""
    return await _submit(request, who, forms.RECORD, _account(request, account_id),
                         lambda t: forms.envelopes.record_engagement(t, account_id), _recorded)


@router.get("/accounts/{account_id}/stakeholders/new", response_model=None)
def register_form(request: Request, account_id: str, who: SignedIn) -> Response:
    """A blank form to register a stakeholder of the account."""
    return _blank(request, who, forms.REGISTER, _account(request, account_id))


@router.post("/accounts/{account_id}/stakeholders/new", response_model=None)
async def register_stakeholder(request: Request, account_id: str, who: SignedIn) -> Response:
    """Register a stakeholder from the form."""
    return await _submit(
        request, who, forms.REGISTER, _account(request, account_id),
        lambda t: forms.envelopes.register_stakeholder(t, account_id),
        lambda event, receipt: _to_person(event["data"]["stakeholder_id"])(event, receipt))


def _person_form(form: forms.Form, envelope: Callable[[Typed, str], dict[str, Any]]) -> None:
    path = f"/stakeholders/{{stakeholder_id}}/{form.name}"

    def show(request: Request, stakeholder_id: str, who: SignedIn) -> Response:
        return _blank(request, who, form, _person(request, stakeholder_id))

    async def submit(request: Request, stakeholder_id: str, who: SignedIn) -> Response:
        return await _submit(request, who, form, _person(request, stakeholder_id),
                             lambda t: envelope(t, stakeholder_id), _to_person(stakeholder_id))

    show.__doc__ = f"The form: {form.title.lower()}."
    submit.__doc__ = f"{form.title} from the form."
    router.add_api_route(path, show, methods=["GET"], response_model=None)
    router.add_api_route(path, submit, methods=["POST"], response_model=None)


def _engagement_form(form: forms.Form, envelope: Callable[..., dict[str, Any]]) -> None:
    path = f"/engagements/{{engagement_id}}/{form.name}"

    def show(request: Request, engagement_id: str, who: SignedIn) -> Response:
        return _blank(request, who, form, _engagement(request, engagement_id))

    async def submit(request: Request, engagement_id: str, who: SignedIn) -> Response:
        return await _submit(request, who, form, _engagement(request, engagement_id),
                             _with_current(request, engagement_id, envelope),
                             _to_engagement(engagement_id))

    show.__doc__ = f"The form: {form.title.lower()}."
    submit.__doc__ = f"{form.title} from the form."
    router.add_api_route(path, show, methods=["GET"], response_model=None)
    router.add_api_route(path, submit, methods=["POST"], response_model=None)


def _with_current(request: Request, engagement_id: str,
                  envelope: Callable[..., dict[str, Any]]) -> Callable[[Typed], dict[str, Any]]:
    """The envelope builder; a correction first reads the fields it changes."""
    if envelope is not forms.envelopes.correct_engagement:
        return lambda t: envelope(t, engagement_id)

    def corrected(typed: Typed) -> dict[str, Any]:
        runtime: Runtime = request.app.state.runtime
        runtime.ready_for(None)
        reach = _reach_of(request)
        current = runtime.read(lambda db: forms.recorded_fields(
            forms.find_engagement(db, engagement_id, reach)))
        return envelope(typed, engagement_id, current)

    return corrected


_person_form(forms.ATTITUDE, forms.envelopes.change_attitude)
_person_form(forms.ROLE, forms.envelopes.change_role)
_engagement_form(forms.CORRECT, forms.envelopes.correct_engagement)
_engagement_form(forms.VOID, forms.envelopes.void_engagement)
_engagement_form(forms.APPROVE, forms.envelopes.approve_engagement)
