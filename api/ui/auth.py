"""Sign-in for the web UI: the API's own bearer tokens, kept in an HttpOnly cookie."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from api.render.i18n import N_
from api.runtime import Runtime
from ledger.domain.submission import Principal

COOKIE = "ledger_token"
CSRF_COOKIE = "ledger_csrf"
"""The login form's anti-forgery value: the form carries it, and so does this cookie,
which another site can neither read nor make the browser send (SameSite=Strict)."""
LOGIN = "/ui/login"
HOME = "/ui/"


class LoginRequired(Exception):
    """The request has no valid token cookie; the answer is a redirect to the login form."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def signed_in(request: Request) -> Principal:
    """The principal of the token cookie; raises :class:`LoginRequired` without a valid one."""
    runtime: Runtime = request.app.state.runtime
    token = request.cookies.get(COOKIE)
    found = runtime.tokens.authenticate(token) if token else None
    if found is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return found


def safe_next(target: str | None) -> str:
    """Only a path inside the UI may be a post-login destination (no open redirects)."""
    if target and target.startswith("/ui/") and not target.startswith("//") \
            and "\\" not in target and "\n" not in target and "\r" not in target:
        return target
    return HOME


def to_login(exc: LoginRequired) -> RedirectResponse:
    """303 to the login form, remembering where the reader was going; the stale cookie goes."""
    response = RedirectResponse(f"{LOGIN}?next={quote(exc.target, safe='/')}", status_code=303)
    forget(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def remember(response: Response, token: str, *, secure: bool) -> None:
    """Store the token in a cookie that scripts cannot read and other sites cannot send."""
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure,
                        path="/ui")


def forget(response: Response) -> None:
    """Drop the token cookie."""
    response.delete_cookie(COOKIE, path="/ui", httponly=True, samesite="strict")


def issue_csrf(response: Response, value: str) -> None:
    """Pair the login form's anti-forgery ``value`` with a cookie only this site sends."""
    response.set_cookie(CSRF_COOKIE, value, httponly=True, samesite="strict", path=LOGIN)


def new_csrf() -> str:
    """A fresh anti-forgery value for a login form."""
    return secrets.token_urlsafe(32)


def foreign_origin(request: Request) -> str | None:
    """The other site a post came from (its Origin or, without one, its Referer), or None
    when it came from this server or says nothing."""
    here = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
    origin = request.headers.get("origin")
    if origin is None and request.headers.get("referer"):
        parts = urlsplit(request.headers["referer"])
        origin = f"{parts.scheme}://{parts.netloc}"
    return origin if origin is not None and origin != here else None


def forged(request: Request, csrf: str) -> str | None:
    """Why a sign-in post did not come from this site's own form, or None when it did:
    its Origin (or, without one, its Referer) must be this server, and its anti-forgery
    value must match the cookie the form was issued with (login CSRF)."""
    origin = foreign_origin(request)
    if origin is not None:
        return f"the sign-in came from {origin}, not from this site"
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not csrf or not hmac.compare_digest(cookie, csrf):
        return N_("the sign-in form has expired; please sign in again")
    return None


def csrf_token(request: Request) -> str:
    """The form token of the signed-in cookie: an HMAC keyed by the API token itself, so
    only a page the server rendered for that token can carry it (nothing stored)."""
    token = request.cookies.get(COOKIE, "")
    return hmac.new(token.encode(), b"ledger-ui-form", hashlib.sha256).hexdigest()


def form_refusal(request: Request, sent: str) -> str | None:
    """Why a posted form is refused as cross-site (a foreign ``Origin`` / ``Referer``, or
    a wrong CSRF token), or None when it comes from the UI's own pages."""
    origin = foreign_origin(request)
    if origin is not None:
        return f"a form from {origin} cannot write here"
    if not hmac.compare_digest(sent.encode(), csrf_token(request).encode()):
        return "this form is out of date or was not sent from this site; open it again"
    return None
