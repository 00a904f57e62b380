"""The web UI (server-rendered, no scripts): accounts, handover, stakeholder, compliance.

Every page takes ``as_of`` / ``known_at`` like the JSON reads, says which point it shows,
and is built from the same projection queries, so its figures are the API's figures.
Without a valid token cookie a page answers only with a redirect to the login form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.deps import AsOf, KnownAt
from api.errors import ApiProblem, status_of
from api.render import i18n
from api.render.html import STATIC, environment
from api.runtime import Runtime
from api.ui import auth, forms, pages
from api.ui.account_list import AccountSort, AccountSorting
from api.ui.flag_list import FlagQuery as FlagFilters
from api.ui.forms import WRITERS
from ledger.domain.reach import Reach
from ledger.domain.submission import Principal
from projections.errors import ProjectionError
from projections.paging import PageRequest
from projections.timeaxis import parse_point

router = APIRouter(prefix="/ui", include_in_schema=False)
SignedIn = Annotated[Principal, Depends(auth.signed_in)]
LANGUAGE_COOKIE = "ledger_lang"
HEADERS = {
    "Cache-Control": "no-store", "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; script-src 'none'; "
                               "frame-ancestors 'none'; form-action 'self'",
}


def install(app: FastAPI) -> None:
    """Add the UI to the app: its routes, its static files and the sign-in redirect."""
    from api.routes import ui_forms, ui_import

    app.include_router(router)
    app.include_router(ui_forms.router)
    app.include_router(ui_import.router)
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")

    @app.exception_handler(auth.LoginRequired)
    async def _login(_: Request, exc: auth.LoginRequired) -> RedirectResponse:
        return auth.to_login(exc)


def locale_of(request: Request) -> str:
    """The reader's language: the remembered switch, else ``Accept-Language``."""
    return i18n.negotiate(request.headers.get("accept-language"),
                          request.cookies.get(LANGUAGE_COOKIE))


def _render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    with i18n.language(locale_of(request)):
        return _render_now(request, template, status, **context)


def _render_now(request: Request, template: str, status: int, **context: Any) -> HTMLResponse:
    params = {k: v for k, v in request.query_params.items() if k in ("as_of", "known_at") and v}
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")

    def href(path: str, **extra: str) -> str:
        query = {**params, **{k: v for k, v in extra.items() if v}}
        return path + (f"?{urlencode(query)}" if query else "")

    html = environment().get_template(template).render(
        request_path=request.url.path, href=href,
        person_href=lambda sid: href(f"/ui/stakeholders/{sid}"),
        as_of_input=params.get("as_of", "")[:10], known_at_input=params.get("known_at", "")[:10],
        can_write=getattr(context.get("user"), "role", None) in WRITERS,
        language_href=lambda to: "/ui/language?" + urlencode({"to": to, "next": here}),
        **context)
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def _reach(request: Request, who: Principal) -> Reach:
    """What the signed-in token reaches now: a page shows it exactly what the API would."""
    runtime: Runtime = request.app.state.runtime
    return runtime.ledger.reach_of(who)


About = Callable[[dict[str, Any]], tuple[str | None, str | None]]
"""The (account, stakeholder) whose personal fields a built page shows."""


def _page(request: Request, template: str, build: Callable[[Any], dict[str, Any]],
          about: About | None = None, status: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` with what ``build(views)`` returns, or an error page; after a
    form's write (``min_position`` in the query) the views first reach its receipt. With
    ``about``, the page shows personal fields: the read goes into the access log first."""
    with i18n.language(locale_of(request)):
        return _page_now(request, template, build, about, status, **context)


def _page_now(request: Request, template: str, build: Callable[[Any], dict[str, Any]],
              about: About | None, status: int, **context: Any) -> HTMLResponse:
    runtime: Runtime = request.app.state.runtime
    wanted = request.query_params.get("min_position", "")
    try:
        if not runtime.ready_for(int(wanted) if wanted.isdigit() else None):
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
    return _render(request, template, status, **built, **context)


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
        return _login_page(request, next, 401, i18n.N_("That token is unknown or revoked."))
    response = RedirectResponse(auth.safe_next(next), status_code=303)
    auth.remember(response, token.strip(), secure=request.url.scheme == "https")
    return response


@router.get("/language")
def switch_language(to: str, next: str = auth.HOME) -> RedirectResponse:
    """Switch the UI's language and remember it in a cookie; back to the page."""
    response = RedirectResponse(auth.safe_next(next), status_code=303)
    if to in i18n.LOCALES:
        response.set_cookie(LANGUAGE_COOKIE, to, max_age=365 * 24 * 3600, path="/ui",
                            httponly=True, samesite="lax")
    return response


@router.post("/logout")
def logout() -> RedirectResponse:
    """Forget the token cookie."""
    response = RedirectResponse(auth.LOGIN, status_code=303)
    auth.forget(response)
    return response


@router.get("/", response_class=HTMLResponse)
def accounts(request: Request, who: SignedIn, as_of: AsOf = None,
             known_at: KnownAt = None, cursor: str | None = None,
             sort: AccountSort | None = None,
             page: Annotated[int, Query(ge=1, le=1_000_000)] = 1) -> HTMLResponse:
    """The accounts with owner, tier, score, coverage, stage, spend and open flags, a page
    at a time; ``sort`` (``-`` for descending) orders them by a column."""
    reach = _reach(request, who)
    keyset = PageRequest(cursor=cursor or None)
    sorting = AccountSorting(sort=sort, page=page)
    return _page(request, "accounts.html",
                 lambda db: pages.accounts_page(db, parse_point(as_of, known_at), reach,
                                                keyset, sorting),
                 user=who, section="accounts", first_page=keyset.cursor is None)


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
                known_at: KnownAt = None, recorded: str | None = None) -> HTMLResponse:
    """One stakeholder: figures, attitude and spend charts, and every step of the history;
    after recording an engagement (``recorded``), the flags it raised."""
    reach = _reach(request, who)
    return _page(request, "stakeholder.html",
                 lambda db: {**pages.stakeholder_page(db, stakeholder_id,
                                                      parse_point(as_of, known_at), reach),
                             **forms.recorded_notice(db, recorded, reach)},
                 about=lambda built: (built["person"]["account_id"], stakeholder_id),
                 user=who, section="accounts")


@router.get("/compliance", response_class=HTMLResponse)
def compliance(request: Request, who: SignedIn, filters: Annotated[FlagFilters, Query()],
               as_of: AsOf = None, known_at: KnownAt = None) -> HTMLResponse:
    """Compliance flags, open by default: filter by account, kind, status and dates; sort;
    page; download what is shown as CSV."""
    reach = _reach(request, who)
    return _page(request, "compliance.html",
                 lambda db: pages.compliance_page(db, parse_point(as_of, known_at), filters,
                                                  reach),
                 user=who, section="compliance")
