"""The event store's JSON transcoder: the library's, with its C encoder built once.

``JSONTranscoder.encode`` goes through ``json.JSONEncoder.encode``, which builds a new
C encoder for every call; for a ledger event that set-up costs about a third of the
encoding. :class:`LedgerTranscoder` builds the same C encoder once, from the library
encoder's own settings, so the stored bytes are exactly the library's (the hash chain
digests them). It also remembers the datetimes it transcoded last: every event of a
batch carries the same ``recorded_at`` object. Decoding is the library's, unchanged.
:class:`BatchMapping` maps a batch's events to stored events as the library's mapper
does, with the datetimes every event carries transcoded ahead.
"""

from __future__ import annotations

from datetime import datetime
from json.encoder import (  # type: ignore[attr-defined]
    c_make_encoder,
    encode_basestring,
    encode_basestring_ascii,
)
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent
from eventsourcing.utils import get_topic

_REMEMBERED = 64
"""How many transcoded datetimes to keep (a batch's shared ``recorded_at`` among them)."""


class LedgerTranscoder(JSONTranscoder):
    """``JSONTranscoder`` whose ``encode`` reuses one C encoder (same output, byte for byte)."""

    def __init__(self) -> None:
        self._datetimes: dict[int, tuple[datetime, dict[str, Any]]] = {}
        super().__init__()
        settings = self.encoder
        self._c_encode = None
        if c_make_encoder is not None and settings.indent is None:
            # No circular-reference markers: an event's state is a tree (and a shared
            # markers dict could be left dirty by an encoding that raised).
            self._c_encode = c_make_encoder(
                None, settings.default,
                encode_basestring_ascii if settings.ensure_ascii else encode_basestring,
                settings.indent, settings.key_separator, settings.item_separator,
                settings.sort_keys, settings.skipkeys, settings.allow_nan)

    def _encode_obj(self, o: Any) -> dict[str, Any]:
        if type(o) is not datetime:
            return super()._encode_obj(o)
        # By identity (the entry keeps its datetime alive, so its id is not reused): an
        # equal instant in another offset must keep its own text.
        memo = self._datetimes
        seen = memo.get(id(o))
        if seen is not None and seen[0] is o:
            return seen[1]
        encoded = super()._encode_obj(o)
        if len(memo) >= _REMEMBERED:
            memo.clear()
        memo[id(o)] = (o, encoded)
        return encoded

    def encode(self, obj: Any) -> bytes:
        """Encodes given object as a bytes array, exactly as ``JSONTranscoder`` does."""
        if self._c_encode is None or not isinstance(obj, dict):
            return super().encode(obj)
        return "".join(self._c_encode(obj, 0)).encode("utf8")


class BatchMapping:
    """Maps the events of one batch to stored events exactly as ``mapper.to_stored_event``
    does (same topic, same state bytes), with the two datetimes of every ledger event
    transcoded ahead: the batch's one ``timestamp`` once, and each ``occurred_at`` from the
    ISO text the writer already has (its ``isoformat`` costs as much as encoding the rest
    of the envelope). Any other mapper (a cipher or compressor configured, another
    transcoder) is used as it is."""

    def __init__(self, mapper: Mapper[UUID], timestamp: datetime) -> None:
        self._mapper = mapper
        transcoder = mapper.transcoder
        self._direct = (isinstance(transcoder, LedgerTranscoder) and mapper.cipher is None
                        and mapper.compressor is None and datetime in transcoder.types)
        if self._direct:
            assert isinstance(transcoder, LedgerTranscoder)
            self._encode = transcoder.encode
            self._datetime_name = transcoder.types[datetime].name
            self._timestamp = timestamp
            self._timestamp_state = transcoder._encode_obj(timestamp)

    def stored(self, event: DomainEventProtocol[UUID], occurred_at: datetime,
               occurred_text: str) -> StoredEvent:
        """The stored event of ``event``, whose ``occurred_at`` is ``occurred_at`` and
        ``occurred_at.isoformat()`` is ``occurred_text``."""
        state = dict(vars(event))
        if (not self._direct or state.get("timestamp") is not self._timestamp
                or state.get("occurred_at") is not occurred_at):
            return self._mapper.to_stored_event(event)
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        # Replaced in place: the keys keep their order, so the JSON keeps the library's.
        state["timestamp"] = self._timestamp_state
        state["occurred_at"] = {"_type_": self._datetime_name, "_data_": occurred_text}
        class_version = getattr(type(event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        return StoredEvent(originator_id, originator_version, get_topic(type(event)),
                           self._encode(state))
