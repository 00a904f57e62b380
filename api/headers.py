"""Security headers on every response, as the web UI's pages have them.

Every answer says ``nosniff`` (a browser must not guess a JSON or CSV body to be a page);
an HTML answer (the handover brief, the API docs) may not be framed by another site.
Headers a route set itself (the UI's stricter policy) are kept.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALWAYS = {b"x-content-type-options": b"nosniff", b"referrer-policy": b"same-origin"}
HTML = {b"x-frame-options": b"DENY", b"content-security-policy": b"frame-ancestors 'none'"}


class SecurityHeaders:
    """ASGI middleware adding :data:`ALWAYS` to every response and :data:`HTML` to pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers the response lacks as it starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                content_type = next((value for name, value in headers
                                     if name.lower() == b"content-type"), b"")
                wanted = {**ALWAYS, **(HTML if content_type.startswith(b"text/html") else {})}
                headers += [(name, value) for name, value in wanted.items()
                            if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
