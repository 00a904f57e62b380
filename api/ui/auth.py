"""Sign-in for the web UI: the API's own bearer tokens, kept in an HttpOnly cookie."""

from __future__ import annotations

from urllib.parse import quote

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
