"""What a submission is and what it gets back: the submitter, the receipt, and the
validated event with its idempotency digest.

The digest is a SHA-256 of the event's canonical JSON (everything but its id), so a
resubmitted ``event_id`` can be told apart from a reused one; its bytes must never
change, since stored digests are compared with it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

from ledger.contract.schemas import EnvelopeBase
from ledger.domain.reach import Scope
from ledger.store.privacy import REDACTED_DIGEST, without_personal

MAX_BATCH = 10_000
"""The most events one batch may hold (SPEC §5.1)."""
ROLES = ("recorder", "auditor", "admin")


@dataclass(frozen=True)
class Principal:
    """Who submits: a token's name (becomes ``recorded_by``), its role and its scope
    (``all``, or ``team``: the name is an employee id and the token reaches that
    employee's accounts, SPEC §5.5)."""

    name: str
    role: str
    scope: Scope = "all"


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the ledger answers for a recorded event (SPEC §5.1)."""

    event_id: str
    type: str
    position: int
    stream_id: str
    version: int
    occurred_at: datetime
    recorded_at: datetime
    hash: str
    replayed: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of a receipt."""
        return {
            "event_id": self.event_id, "type": self.type, "position": self.position,
            "stream_id": self.stream_id, "version": self.version,
            "occurred_at": self.occurred_at.isoformat(),
            "recorded_at": self.recorded_at.isoformat(), "hash": self.hash,
            "replayed": self.replayed,
        }


CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
"""A UUID as ``str(UUID(...))`` spells it: such an ``event_id`` is kept as given."""


@dataclass(slots=True)
class Submitted:
    """A validated event, reduced to what recording needs (the parsed model is dropped
    early: keeping a batch's pydantic models alive made the garbage collector work).
    Not frozen: ``digest`` is filled in by a pass of its own after parsing."""

    type: str
    occurred_at: datetime
    occurred_text: str
    """``occurred_at.isoformat()``, which both the digest and the stored event spell out
    (computed once: with an offset it costs more than the rest of the digest's envelope)."""
    event_id: str
    data: dict[str, Any]
    digest: str


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"))
"""The digest's canonical JSON: its bytes must never change, stored digests depend on them."""
# The C encoder behind _CANONICAL, built once rather than per call (half the cost of
# encoding). No circular-reference markers: the input is a tree from model_dump.
_C_CANONICAL = c_make_encoder and c_make_encoder(
    None, _CANONICAL.default, encode_basestring_ascii, None, ":", ",", True, False, True)


def content_digest(event_type: str, occurred_at: datetime, data: dict[str, Any]) -> str:
    """The idempotency fingerprint of an event's content (everything but its id)."""
    return digest_of(event_type, occurred_at.isoformat(), data)


def digest_of(event_type: str, occurred_text: str, data: dict[str, Any]) -> str:
    """:func:`content_digest` of an event whose ``occurred_at.isoformat()`` is
    ``occurred_text``: the canonical JSON of ``{"type", "occurred_at", "data"}``, written
    in its sorted key order with the data encoded by the canonical encoder."""
    if not _C_CANONICAL:
        content = {"type": event_type, "occurred_at": occurred_text, "data": data}
        return hashlib.sha256(_CANONICAL.encode(content).encode()).hexdigest()
    canonical = "".join(('{"data":', *_C_CANONICAL(data, 0),
                         ',"occurred_at":', encode_basestring_ascii(occurred_text),
                         ',"type":', encode_basestring_ascii(event_type), "}"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def redacted_digest(event_type: str, occurred_at: datetime, data: dict[str, Any]) -> str:
    """The digest an erasure leaves for an event (:data:`~ledger.store.privacy.REDACTED_DIGEST`):
    its content without personal fields, sealed or plain alike."""
    return REDACTED_DIGEST + content_digest(event_type, occurred_at,
                                            without_personal(event_type, data))


def dump_data(envelope: EnvelopeBase) -> dict[str, Any]:
    """The event's data as stored: JSON values, defaults filled, corrections as given."""
    model = envelope.data  # type: ignore[attr-defined]
    # model.model_dump(mode="json"), without the wrapper that passes on its defaults.
    data: dict[str, Any] = model.__pydantic_serializer__.to_python(model, mode="json")
    if envelope.type == "engagement.corrected":  # type: ignore[attr-defined]
        data["changes"] = model.changes.model_dump(mode="json", exclude_unset=True)
    return data
