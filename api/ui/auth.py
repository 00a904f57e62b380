"""Sign-in for the web UI: the API's own bearer tokens, kept in an HttpOnly cookie."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from api.runtime import Runtime
from ledger.domain.submission import Principal

COOKIE = "ledger_token"
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


def csrf_token(request: Request) -> str:
    """The form token of the signed-in cookie: an HMAC keyed by the API token itself, so
    only a page the server rendered for that token can carry it (nothing stored)."""
    token = request.cookies.get(COOKIE, "")
    return hmac.new(token.encode(), b"ledger-ui-form", hashlib.sha256).hexdigest()


def form_refusal(request: Request, sent: str) -> str | None:
    """Why a posted form is refused as cross-site (a wrong CSRF token or a foreign
    ``Origin`` / ``Referer``), or None when it comes from the UI's own pages."""
    if not hmac.compare_digest(sent.encode(), csrf_token(request).encode()):
        return "this form is out of date or was not sent from this site; open it again"
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin and origin != "null":
        parts = urlsplit(origin)
        if (parts.scheme, parts.netloc) != (request.url.scheme, request.url.netloc):
            return f"a form from {parts.scheme}://{parts.netloc} cannot write here"
    elif origin == "null":
        return "a form from an opaque origin cannot write here"
    return None
