"""Turn a submitted envelope into a typed event, or into precise, field-level errors."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ledger.contract.schemas import EVENT_TYPES, Envelope, EnvelopeBase
from ledger.errors import MalformedEvent

MAX_FUTURE = timedelta(minutes=5)
SERVER_FIELDS = ("recorded_at", "recorded_by", "position", "hash", "stream_id", "version")
_SERVER_FIELDS = frozenset(SERVER_FIELDS)

_ADAPTER: TypeAdapter[EnvelopeBase] = TypeAdapter(Envelope)
_VALIDATE = _ADAPTER.validator.validate_python
"""``_ADAPTER.validate_python`` without its wrapper (which only passes on its defaults)."""


def parse_envelope(raw: Any, *, now: datetime) -> EnvelopeBase:
    """Validate one submitted envelope (SPEC §3.1) and return the typed event.

    Raises :class:`MalformedEvent` listing every offending field with its ``loc``.
    """
    if isinstance(raw, dict) and not _SERVER_FIELDS.isdisjoint(raw):
        server_set = [name for name in SERVER_FIELDS if name in raw]
        if server_set:
            raise MalformedEvent(
                f"{server_set[0]} is set by the server, not by clients",
                [{"loc": [name], "msg": "set by the server; remove it"} for name in server_set],
            )
    try:
        event: EnvelopeBase = _VALIDATE(raw)
    except ValidationError as exc:
        errors = [_clean(error) for error in exc.errors(include_url=False)]
        first = errors[0]
        where = ".".join(str(part) for part in first["loc"]) or "event"
        raise MalformedEvent(f"{where}: {first['msg']}", errors) from None
    if event.occurred_at > now + MAX_FUTURE:
        raise MalformedEvent(
            "occurred_at is more than 5 minutes in the future",
            [{"loc": ["occurred_at"], "msg": "more than 5 minutes in the future"}],
        )
    return event


def _clean(error: Any) -> dict[str, Any]:
    """Drop the union tag from ``loc``, point model-level messages at their field."""
    loc = list(error["loc"])
    msg = str(error["msg"]).removeprefix("Value error, ")
    kind = error["type"]
    if kind == "union_tag_not_found":
        return {"loc": ["type"], "msg": "type is required; one of " + ", ".join(EVENT_TYPES)}
    if kind == "union_tag_invalid":
        return {
            "loc": ["type"],
            "msg": f"unknown event type {error['input'].get('type')!r}; one of "
            + ", ".join(EVENT_TYPES),
        }
    if kind == "model_attributes_type" and not loc:
        return {"loc": [], "msg": "an event must be a JSON object"}
    if loc and loc[0] in EVENT_TYPES:
        loc = loc[1:]
    # Model-level checks name their field as "field: message"; move it into loc.
    head, sep, rest = msg.partition(": ")
    if sep and head.isidentifier() and head in _FIELD_HINTS:
        loc.append(head)
        msg = rest
    if kind == "missing":
        msg = f"{loc[-1]} is required" if loc else msg
    return {"loc": loc, "msg": msg}


_FIELD_HINTS = (
    "allocation",
    "participants",
    "cost",
    "changes",
    "gift_item_limit",
    "hospitality_per_person_limit",
    "annual_recipient_limit",
    "pre_approval_above",
)
