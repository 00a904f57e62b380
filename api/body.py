"""Reading JSON request bodies ourselves, so every refusal is a precise problem document."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from api.errors import ApiProblem

MAX_BODY = 64 * 1024 * 1024
"""Bytes accepted in one request (a full batch of 10,000 events fits easily)."""


async def json_body(request: Request) -> Any:
    """The parsed JSON body: 415 if not JSON, 413 if too large, 400 if malformed."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise ApiProblem(415, f"send the body as application/json, not {media or 'nothing'}")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise ApiProblem(413, f"the body exceeds {MAX_BODY} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise ApiProblem(413, f"the body exceeds {MAX_BODY} bytes")
        chunks.append(chunk)
    try:
        return json.loads(b"".join(chunks))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiProblem(400, f"the body is not valid JSON: {exc}") from None
    except RecursionError:  # valid JSON, but arrays or objects nested thousands deep
        raise ApiProblem(400, "the body is nested too deeply to be an event") from None
