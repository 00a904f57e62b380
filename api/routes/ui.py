"""The web UI (server-rendered, no scripts): accounts, handover, stakeholder, compliance.

Every page takes ``as_of`` / ``known_at`` like the JSON reads, says which point it shows,
and is built from the same projection queries, so its figures are the API's figures.
Without a valid token cookie a page answers only with a redirect to the login form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.deps import AsOf, KnownAt
from api.errors import ApiProblem, status_of
from api.render.html import STATIC, environment
from api.runtime import Runtime
from api.ui import auth, pages
from ledger.domain.reach import Reach
from ledger.domain.submission import Principal
from projections.errors import ProjectionError
from projections.timeaxis import parse_point

router = APIRouter(prefix="/ui", include_in_schema=False)
SignedIn = Annotated[Principal, Depends(auth.signed_in)]
HEADERS = {
    "Cache-Control": "no-store", "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; script-src 'none'; "
                               "frame-ancestors 'none'; form-action 'self'",
}


def install(app: FastAPI) -> None:
    """Add the UI to the app: its routes, its static files and the sign-in redirect."""
    app.include_router(router)
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")

    @app.exception_handler(auth.LoginRequired)
    async def _login(_: Request, exc: auth.LoginRequired) -> RedirectResponse:
        return auth.to_login(exc)


def _render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    params = {k: v for k, v in request.query_params.items() if k in ("as_of", "known_at") and v}

    def href(path: str, **extra: str) -> str:
        query = {**params, **{k: v for k, v in extra.items() if v}}
        return path + (f"?{urlencode(query)}" if query else "")

    html = environment().get_template(template).render(
        request_path=request.url.path, href=href,
        person_href=lambda sid: href(f"/ui/stakeholders/{sid}"),
        as_of_input=params.get("as_of", "")[:10], known_at_input=params.get("known_at", "")[:10],
        **context)
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def _reach(request: Request, who: Principal) -> Reach:
    """What the signed-in token reaches now: a page shows it exactly what the API would."""
    runtime: Runtime = request.app.state.runtime
    return runtime.ledger.reach_of(who)


About = Callable[[dict[str, Any]], tuple[str | None, str | None]]
"""The (account, stakeholder) whose personal fields a built page shows."""


def _page(request: Request, template: str, build: Callable[[Any], dict[str, Any]],
          about: About | None = None, **context: Any) -> HTMLResponse:
    """Render ``template`` with what ``build(views)`` returns, or an error page. With
    ``about``, the page shows personal fields: the read goes into the access log first."""
    runtime: Runtime = request.app.state.runtime
    try:
        if not runtime.ready_for(None):
            raise ApiProblem(503, "the views are catching up with the log; reload shortly")
        built = runtime.read(build)
    except ApiProblem as exc:
        return _render(request, "error.html", exc.status, detail=exc.detail, **context)
    except ProjectionError as exc:
        status, title = status_of(exc)
        return _render(request, "error.html", status, detail=str(exc), title=title, **context)
    if about is not None:
        account_id, stakeholder_id = about(built)
        runtime.access.append(context["user"], f"GET {request.url.path}",
                              account_id=account_id, stakeholder_id=stakeholder_id)
    return _render(request, template, **built, **context)


def _login_page(request: Request, next: str | None, status: int = 200,
                error: str | None = None) -> HTMLResponse:
    csrf = auth.new_csrf()
    response = _render(request, "login.html", status, next=auth.safe_next(next), csrf=csrf,
                       error=error)
    auth.issue_csrf(response, csrf)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    """The sign-in form: paste an API token."""
    return _login_page(request, next)


@router.post("/login", response_model=None)
def login(request: Request, token: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = auth.HOME,
          csrf: Annotated[str, Form()] = "") -> Response:
    """Check that the form is this site's, and the token like the API does; keep the
    token in an HttpOnly cookie and go on."""
    runtime: Runtime = request.app.state.runtime
    forged = auth.forged(request, csrf)
    if forged is not None:
        return _login_page(request, next, 403, forged)
    if not token.strip() or runtime.tokens.authenticate(token.strip()) is None:
        return _login_page(request, next, 401, "That token is unknown or revoked.")
    response = RedirectResponse(auth.safe_next(next), status_code=303)
    auth.remember(response, token.strip(), secure=request.url.scheme == "https")
    return response


@router.post("/logout")
def logout() -> RedirectResponse:
    """Forget the token cookie."""
    response = RedirectResponse(auth.LOGIN, status_code=303)
    auth.forget(response)
    return response


@router.get("/", response_class=HTMLResponse)
def accounts(request: Request, who: SignedIn, as_of: AsOf = None,
             known_at: KnownAt = None) -> HTMLResponse:
    """All accounts with tier, score, coverage, stage and spend."""
    reach = _reach(request, who)
    return _page(request, "accounts.html",
                 lambda db: pages.accounts_page(db, parse_point(as_of, known_at), reach),
                 user=who, section="accounts")


@router.get("/accounts/{account_id}", response_class=HTMLResponse)
def handover(request: Request, account_id: str, who: SignedIn, as_of: AsOf = None,
             known_at: KnownAt = None) -> HTMLResponse:
    """The handover brief of one account, with its charts."""
    reach = _reach(request, who)
    return _page(request, "handover.html",
                 lambda db: pages.handover_page(db, account_id, parse_point(as_of, known_at),
                                                reach),
                 about=lambda _: (account_id, None),
                 user=who, section="accounts", account_id=account_id)


@router.get("/stakeholders/{stakeholder_id}", response_class=HTMLResponse)
def stakeholder(request: Request, stakeholder_id: str, who: SignedIn, as_of: AsOf = None,
                known_at: KnownAt = None) -> HTMLResponse:
    """One stakeholder: figures, attitude and spend charts, and every step of the history."""
    reach = _reach(request, who)
    return _page(request, "stakeholder.html",
                 lambda db: pages.stakeholder_page(db, stakeholder_id, parse_point(as_of, known_at),
                                                   reach),
                 about=lambda built: (built["person"]["account_id"], stakeholder_id),
                 user=who, section="accounts", change_summary=pages.change_summary)


@router.get("/compliance", response_class=HTMLResponse)
def compliance(request: Request, who: SignedIn, account_id: str | None = None,
               flag: str | None = None, status: str = "open", as_of: AsOf = None,
               known_at: KnownAt = None) -> HTMLResponse:
    """Compliance flags, open by default, filterable by account, kind and status."""
    reach = _reach(request, who)
    return _page(request, "compliance.html",
                 lambda db: pages.compliance_page(db, parse_point(as_of, known_at),
                                                  account_id=account_id or None,
                                                  flag=flag or None, status=status,
                                                  reach=reach),
                 user=who, section="compliance")
