"""Web forms as event envelopes, and the ledger's error locations as form fields.

A form holds strings as typed; this module turns them into the same envelope a client
would POST to ``/v1/events`` (blank optional fields left out, so the stored event and
its idempotency digest are the API's), and points each ``loc`` of a refusal (SPEC §5.4)
back at the form field that caused it. Nothing here knows HTTP.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

GENERAL = "form"
"""The field name of errors that belong to the form as a whole."""
ENGAGEMENT_FIELDS = ("kind", "participants", "owner", "hosts", "cost", "allocation",
                     "opportunity_id", "approval_ref", "location", "notes")
"""The recorded fields of an engagement a correction may change (SPEC §3.2)."""


class FormInvalid(Exception):
    """A form cannot become an event; ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Typed:
    """What a form held, exactly as typed: every field's values in order."""

    fields: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, items: Iterable[tuple[str, Any]]) -> Typed:
        """Collect ``(name, value)`` pairs (repeated names become lists); files are ignored."""
        fields: dict[str, list[str]] = {}
        for name, value in items:
            if isinstance(value, str):
                fields.setdefault(name, []).append(value)
        return cls(fields)

    def one(self, name: str) -> str:
        """The field's first value, trimmed ("" when absent)."""
        return (self.fields.get(name) or [""])[0].strip()

    def many(self, name: str) -> list[str]:
        """The field's non-blank values, trimmed, in order."""
        return [v.strip() for v in self.fields.get(name, []) if v.strip()]

    def has(self, name: str, value: str) -> bool:
        """Whether ``value`` is one of the field's values (a ticked box, a chosen option)."""
        return value in self.fields.get(name, [])


def new_event_id() -> str:
    """A fresh event id for a blank form: a resubmitted form replays it."""
    return str(uuid.uuid4())


def occurred_at(typed: Typed) -> str:
    """``occurred_at`` (a local ``YYYY-MM-DDTHH:MM``) in ``time_zone`` as RFC 3339."""
    local, zone = typed.one("occurred_at"), typed.one("time_zone") or "UTC"
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise FormInvalid({"time_zone": f"unknown time zone {zone!r}"}) from None
    if not local:
        raise FormInvalid({"occurred_at": "give the date and time it happened"})
    try:
        moment = datetime.fromisoformat(local)
    except ValueError:
        raise FormInvalid({"occurred_at": f"{local!r} is not a date and time"}) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.isoformat()


def envelope(typed: Typed, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """The envelope the API would receive: the form's event id, its time, ``data``."""
    found: dict[str, str] = {}
    try:
        when = occurred_at(typed)
    except FormInvalid as exc:
        found, when = exc.errors, ""
    event_id = typed.one("event_id")
    try:
        uuid.UUID(event_id)
    except ValueError:
        found[GENERAL] = "this form has lost its event id; open it again"
    if found:
        raise FormInvalid(found)
    return {"event_id": event_id, "type": event_type, "occurred_at": when, "data": data}


def _optional(typed: Typed, *names: str) -> dict[str, str]:
    return {name: typed.one(name) for name in names if typed.one(name)}


def engagement_fields(typed: Typed) -> dict[str, Any]:
    """The correctable fields of an engagement (kind, participants … notes) as typed."""
    data: dict[str, Any] = {"participants": typed.many("participants"),
                            **_optional(typed, "kind", "owner")}
    hosts = [h.strip() for h in typed.one("hosts").split(",") if h.strip()]
    if hosts:
        data["hosts"] = hosts
    amount, currency = typed.one("cost_amount"), typed.one("cost_currency").upper()
    if amount or currency:
        data["cost"] = {"amount": amount, "currency": currency}
    allocation = {name.removeprefix("allocation."): typed.one(name)
                  for name in typed.fields if name.startswith("allocation.") and typed.one(name)}
    if allocation:
        data["allocation"] = allocation
    data.update(_optional(typed, "opportunity_id", "approval_ref", "location", "notes"))
    return data


def record_engagement(typed: Typed, account_id: str) -> dict[str, Any]:
    """An ``engagement.recorded`` envelope for the account."""
    data = {"engagement_id": typed.one("engagement_id") or "", "account_id": account_id,
            **engagement_fields(typed)}
    if not data["engagement_id"]:
        del data["engagement_id"]
    return envelope(typed, "engagement.recorded", data)


def correct_engagement(typed: Typed, engagement_id: str,
                       current: Mapping[str, Any]) -> dict[str, Any]:
    """An ``engagement.corrected`` envelope whose ``changes`` are the fields that differ
    from the engagement's ``current`` recorded fields (a cleared field becomes null)."""
    typed_fields = engagement_fields(typed)
    changes = {name: typed_fields.get(name) for name in ENGAGEMENT_FIELDS
               if not _same(name, typed_fields.get(name), current.get(name))}
    if not changes:
        raise FormInvalid({GENERAL: "nothing was changed"})
    data: dict[str, Any] = {"engagement_id": engagement_id, "changes": changes,
                            **_optional(typed, "reason")}
    return envelope(typed, "engagement.corrected", data)


def _same(name: str, typed: Any, current: Any) -> bool:
    if name in ("participants", "hosts"):
        return list(typed or []) == list(current or [])
    if name == "cost" and typed and current:
        return _amount(typed["amount"]) == _amount(current["amount"]) \
            and typed["currency"] == current["currency"]
    if name == "allocation" and typed and current:
        return {k: _amount(v) for k, v in typed.items()} == \
            {k: _amount(v) for k, v in current.items()}
    return bool(typed == current or (not typed and not current))


def _amount(text: str) -> Decimal | str:
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


def void_engagement(typed: Typed, engagement_id: str) -> dict[str, Any]:
    """An ``engagement.voided`` envelope (the reason is required by the ledger)."""
    return envelope(typed, "engagement.voided",
                    {"engagement_id": engagement_id, **_optional(typed, "reason")})


def approve_engagement(typed: Typed, engagement_id: str) -> dict[str, Any]:
    """An ``engagement.approved`` envelope."""
    return envelope(typed, "engagement.approved", {
        "engagement_id": engagement_id, **_optional(typed, "approval_ref", "approver")})


def register_stakeholder(typed: Typed, account_id: str) -> dict[str, Any]:
    """A ``stakeholder.registered`` envelope for the account."""
    data: dict[str, Any] = {
        "account_id": account_id,
        **_optional(typed, "stakeholder_id", "name", "title", "department", "role", "layer",
                    "birthday", "notes"),
        "rising_star": typed.has("rising_star", "on"),
        "public_official": typed.has("public_official", "on"),
    }
    if typed.one("attitude"):
        data["attitude"] = _attitude(typed)
    return envelope(typed, "stakeholder.registered", data)


def change_attitude(typed: Typed, stakeholder_id: str) -> dict[str, Any]:
    """A ``stakeholder.attitude_changed`` envelope (the reason is required by the ledger)."""
    data: dict[str, Any] = {"stakeholder_id": stakeholder_id,
                            **_optional(typed, "reason", "observed_by")}
    if typed.one("attitude"):
        data["attitude"] = _attitude(typed)
    return envelope(typed, "stakeholder.attitude_changed", data)


def change_role(typed: Typed, stakeholder_id: str) -> dict[str, Any]:
    """A ``stakeholder.role_changed`` envelope."""
    return envelope(typed, "stakeholder.role_changed", {
        "stakeholder_id": stakeholder_id, **_optional(typed, "role", "reason")})


def _attitude(typed: Typed) -> int:
    text = typed.one("attitude")
    try:
        value = int(text)
    except ValueError:
        raise FormInvalid({"attitude": f"{text!r} is not an attitude"}) from None
    return value  # the range is the ledger's rule


def field_of(loc: Iterable[Any]) -> str:
    """The form field a refusal's ``loc`` points at (:data:`GENERAL` for the whole form)."""
    parts = [part for part in loc if part != "body"]
    if parts[:1] == ["events"]:
        parts = parts[2:]
    for prefix in ("data", "changes"):
        if parts[:1] == [prefix]:
            parts = parts[1:]
    if not parts or not isinstance(parts[0], str) or parts[0] in ("event_id", "type"):
        return GENERAL
    if parts[0] == "cost":
        return "cost_currency" if parts[1:2] == ["currency"] else "cost_amount"
    return parts[0]


def field_errors(errors: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Each refusal's message under its field (the first message per field wins)."""
    found: dict[str, str] = {}
    for error in errors:
        found.setdefault(field_of(error.get("loc") or []), str(error.get("msg", "")))
    return found
