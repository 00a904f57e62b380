"""The ledger's transcoder stores exactly the bytes the library's own would (the hash chain
digests them), and reads them back the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)
from hypothesis import given
from hypothesis import strategies as st

from ledger.contract.validation import parse_envelope
from ledger.domain.submission import dump_data
from ledger.store.transcoder import LedgerTranscoder
from tests.strategies import envelopes, texts

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def _registered(transcoder: JSONTranscoder) -> JSONTranscoder:
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    return transcoder


LIBRARY = _registered(JSONTranscoder())
LEDGER = _registered(LedgerTranscoder())


@given(envelopes(), texts, st.integers(1, 10**6))
def test_event_states_encode_byte_for_byte_as_the_library_does(
        raw: dict[str, Any], recorded_by: str, version: int) -> None:
    """Every event type, any text (non-ASCII included), datetimes through the transcodings."""
    envelope = parse_envelope(raw, now=NOW)
    state = {"timestamp": NOW, "event_id": "7b0c3f52-4c1e-4c53-9a0e-2f1b7b1e8c11",
             "occurred_at": envelope.occurred_at, "data": dump_data(envelope),
             "recorded_by": recorded_by, "originator_topic": "ledger.aggregates:Account",
             "extra": [UUID(int=version), Decimal("1.50"), 1.5, None, True]}
    encoded = LEDGER.encode(state)
    assert encoded == LIBRARY.encode(state)
    assert LEDGER.decode(encoded) == LIBRARY.decode(encoded) == state


def test_what_the_library_refuses_is_refused_alike() -> None:
    """An object without a transcoding fails the same way."""
    for transcoder in (LIBRARY, LEDGER):
        with pytest.raises(TranscodingNotRegisteredError):
            transcoder.encode({"data": {"when": object()}})
    assert LEDGER.encode("text") == LIBRARY.encode("text")


def test_a_remembered_datetime_is_only_reused_for_that_very_object() -> None:
    """Equal instants in other offsets keep their own text; the same object its own."""
    transcoder = _registered(LedgerTranscoder())
    paris = datetime(2030, 1, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    for moment in (NOW, NOW, paris, NOW, paris, paris):
        state = {"timestamp": moment, "occurred_at": NOW}
        assert transcoder.encode(state) == LIBRARY.encode(state)
