"""The idempotency digest keeps its canonical JSON: digests stored earlier stay comparable."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given

from ledger.contract.validation import parse_envelope
from ledger.domain.submission import content_digest, dump_data
from tests.strategies import envelopes

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def reference_digest(event_type: str, occurred_at: datetime, data: dict[str, Any]) -> str:
    """The digest as first defined: sorted-key, compact, ASCII-escaped JSON, SHA-256."""
    canonical = json.dumps(
        {"type": event_type, "occurred_at": occurred_at.isoformat(), "data": data},
        sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@given(envelopes())
def test_content_digest_matches_the_reference_canonical_json(raw: dict[str, Any]) -> None:
    """Every event type, any text (non-ASCII included), gives the reference digest."""
    envelope = parse_envelope(raw, now=NOW)
    data = dump_data(envelope)
    assert content_digest(raw["type"], envelope.occurred_at, data) == reference_digest(
        raw["type"], envelope.occurred_at, data)
