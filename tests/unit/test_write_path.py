"""The write path's shortcuts give exactly what the library's own steps give: the same
aggregates from the same events, the same stored bytes from the same events, the same data
from the same envelopes, and nonces and keys that are fresh random bytes."""

from __future__ import annotations

import copy
import dataclasses
import zlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.compressor import ZlibCompressor
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    UUIDAsHex,
)
from eventsourcing.utils import get_topic
from hypothesis import given
from hypothesis import strategies as st

from ledger.aggregates import LEDGER_TYPES, LedgerAggregate, stream_id
from ledger.contract.validation import parse_envelope
from ledger.domain.submission import dump_data
from ledger.domain.write_model import copied, fold, new_event
from ledger.store.privacy import SEALED_PREFIX, RandomPool, seal, unseal
from ledger.store.transcoder import BatchMapping, LedgerTranscoder
from tests.strategies import envelopes, texts

NOW = datetime(2030, 1, 1, tzinfo=UTC)
EVENT_CLASSES = sorted(LEDGER_TYPES, key=lambda cls: cls.__qualname__)
CREATED = [cls for cls in EVENT_CLASSES if issubclass(cls, LedgerAggregate.Created)]
LATER = [cls for cls in EVENT_CLASSES if not issubclass(cls, LedgerAggregate.Created)]


def _aggregate_of(cls: type[LedgerAggregate.Event]) -> type[LedgerAggregate]:
    """The aggregate class an event class belongs to (its qualified name's owner)."""
    owner = cls.__qualname__.split(".")[0]
    return next(a for a in LedgerAggregate.__subclasses__() if a.__name__ == owner)


def _data_for(cls: type[LedgerAggregate.Event]) -> dict[str, Any]:
    """Data that folds into any of the ledger's aggregates."""
    return {"account_id": "ACME", "stakeholder_id": "ann", "engagement_id": "d1", "tier": "top",
            "owner": "olga", "members": ["li"], "base_currency": "EUR", "currency": "USD",
            "changes": {"owner": "li", "notes": "sealed"}, "participants": ["ann"],
            "kind": "dinner", "location": "sealed", "notes": None}


def _event(cls: type[LedgerAggregate.Event], version: int, when: datetime,
           **fields: Any) -> LedgerAggregate.Event:
    kind = _aggregate_of(cls).kind
    values: dict[str, Any] = {
        "originator_id": stream_id(kind, "k1"), "originator_version": version,
        "timestamp": NOW, "event_id": str(uuid4()), "occurred_at": when,
        "data": _data_for(cls), "recorded_by": "olga"}
    if issubclass(cls, LedgerAggregate.Created):
        values["originator_topic"] = get_topic(_aggregate_of(cls))
    values.update(fields)
    return cls(**values)


def test_a_streams_first_event_folds_into_the_aggregate_the_library_builds() -> None:
    """Every creating event class: the same class, id, version, times and state."""
    for cls in CREATED:
        event = _event(cls, 1, NOW - timedelta(days=3))
        ours, library = fold(event, None), event.mutate(None)
        assert type(ours) is type(library)
        assert vars(ours) == vars(library), cls


def test_later_events_fold_as_the_library_mutates() -> None:
    """Every later event class, on a copy of its stream's aggregate."""
    for cls in LATER:
        created = next(c for c in CREATED if _aggregate_of(c) is _aggregate_of(cls))
        start = fold(_event(created, 1, NOW - timedelta(days=3)), None)
        event = _event(cls, 2, NOW - timedelta(days=1))
        ours = fold(event, copied(start))
        library = event.mutate(copy.copy(start))
        assert vars(ours) == vars(library), cls


def test_events_are_built_as_their_classes_build_them() -> None:
    """Every event class: the same attributes in the same order (the stored state follows
    it), frozen alike; values out of order, or an id that is no UUID, go through the
    class's own ``__init__``."""
    for cls in EVENT_CLASSES:
        version = 1 if cls in CREATED else 2
        made = _event(cls, version, NOW)
        values = dict(vars(made))
        built = new_event(cls, values)
        assert type(built) is cls
        assert list(vars(built).items()) == list(vars(made).items())
        with pytest.raises(dataclasses.FrozenInstanceError):
            built.recorded_by = "someone else"  # type: ignore[misc]
        reordered = {"data": values.pop("data"), **values}
        assert list(vars(new_event(cls, reordered))) == list(vars(made))
        with pytest.raises(TypeError, match="non-UUID originator_id"):
            new_event(cls, {**vars(made), "originator_id": "k1"})


def test_a_copy_has_the_same_state_and_leaves_the_original_alone() -> None:
    """What ``copy.copy`` gives: equal attributes, another object, independent attributes."""
    for cls in CREATED:
        original = fold(_event(cls, 1, NOW), None)
        before = dict(vars(original))
        clone = copied(original)
        assert clone is not original and type(clone) is type(original)
        assert vars(clone) == vars(copy.copy(original)) == before
        clone.version = 7
        clone.extra = "set on the copy only"
        assert vars(original) == before


def _library_mapper(**kwargs: Any) -> Mapper[Any]:
    transcoder = LedgerTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder, **kwargs)


@given(envelopes(), st.sampled_from(EVENT_CLASSES), texts,
       st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)),
                        timezone(timedelta(hours=-3))]))
def test_a_batch_maps_events_to_the_bytes_the_library_mapper_stores(
        raw: dict[str, Any], cls: type[LedgerAggregate.Event], recorded_by: str,
        offset: timezone) -> None:
    """Every event class, any data and text, occurred_at in any offset."""
    envelope = parse_envelope(raw, now=NOW)
    occurred = envelope.occurred_at.astimezone(offset)
    event = _event(cls, 3, occurred, data=dump_data(envelope), recorded_by=recorded_by,
                   event_id=str(uuid4()) if recorded_by.isascii() else recorded_by)
    mapper = _library_mapper()
    ours = BatchMapping(_without_library_path(), NOW).stored(event, occurred,
                                                             occurred.isoformat())
    assert ours == mapper.to_stored_event(event)


def _without_library_path() -> Mapper[Any]:
    """The ledger's mapper, failing if BatchMapping falls back on the library's mapping."""
    mapper = _library_mapper()

    def unexpected(event: object) -> None:
        raise AssertionError("mapped by the library, not by BatchMapping")

    mapper.to_stored_event = unexpected  # type: ignore[method-assign,assignment]
    return mapper


def test_an_event_with_more_than_the_envelope_is_mapped_as_the_library_maps_it() -> None:
    """An attribute beyond the envelope's fields is kept, as the library keeps it."""
    event = _event(CREATED[0], 1, NOW)
    object.__setattr__(event, "note", {"when": NOW})
    mapper = _library_mapper()
    assert BatchMapping(mapper, NOW).stored(event, NOW, NOW.isoformat()) == \
        mapper.to_stored_event(event)
    assert b'"note":{"when":{"_type_":"datetime_iso"' in mapper.to_stored_event(event).state


def test_a_mapper_that_compresses_or_another_timestamp_takes_the_library_path() -> None:
    """Nothing is assumed of a mapper the ledger did not build, nor of an event that does
    not carry the batch's timestamp."""
    event = _event(CREATED[0], 1, NOW)
    compressing = _library_mapper(compressor=ZlibCompressor())
    stored = BatchMapping(compressing, NOW).stored(event, NOW, NOW.isoformat())
    assert zlib.decompress(stored.state) == _library_mapper().to_stored_event(event).state
    other = _library_mapper()
    later = NOW + timedelta(seconds=1)
    assert BatchMapping(other, later).stored(event, NOW, NOW.isoformat()) == \
        other.to_stored_event(event)
    plain = Mapper(transcoder=JSONTranscoder())
    plain.transcoder.register(DatetimeAsISO())
    assert BatchMapping(plain, NOW).stored(event, NOW, NOW.isoformat()) == \
        plain.to_stored_event(event)


@given(envelopes())
def test_dumped_data_is_what_pydantic_dumps_for_json(raw: dict[str, Any]) -> None:
    """The data as stored: the model's JSON dump (corrections keep only what they set)."""
    envelope = parse_envelope(raw, now=NOW)
    expected = envelope.data.model_dump(mode="json")
    if raw["type"] == "engagement.corrected":
        expected["changes"] = envelope.data.changes.model_dump(mode="json", exclude_unset=True)
    assert dump_data(envelope) == expected


def test_a_random_pool_hands_out_every_byte_once() -> None:
    """Slices of few large draws, each of the size asked for, never two the same."""
    pool = RandomPool(block=64)
    taken = [pool.take(size) for size in [12, 32, 12, 12, 32, 100, 12] * 20]
    assert [len(t) for t in taken] == [12, 32, 12, 12, 32, 100, 12] * 20
    assert len(set(taken)) == len(taken)


@given(st.lists(texts, min_size=1, max_size=20))
def test_fields_sealed_with_a_batchs_pool_open_again_and_never_share_a_nonce(
        reasons: list[str]) -> None:
    """The same key, one pool for the batch: every field opens, every nonce differs."""
    pool = RandomPool()
    key = pool.take(32)
    sealed = [seal("stakeholder.departed", {"stakeholder_id": "ann", "reason": reason}, key,
                   {}, pool) for reason in reasons]
    assert [unseal("stakeholder.departed", s, key)["reason"] for s in sealed] == reasons
    values = [s["reason"] for s in sealed]
    assert all(v.startswith(SEALED_PREFIX) for v in values)
    assert len({v.rsplit(":", 1)[1][:16] for v in values}) == len(values)  # the nonces
