"""The event store's JSON transcoder: the library's, with its C encoder built once.

``JSONTranscoder.encode`` goes through ``json.JSONEncoder.encode``, which builds a new
C encoder for every call; for a ledger event that set-up costs about a third of the
encoding. :class:`LedgerTranscoder` builds the same C encoder once, from the library
encoder's own settings, so the stored bytes are exactly the library's (the hash chain
digests them). It also remembers the datetimes it transcoded last: every event of a
batch carries the same ``recorded_at`` object. Decoding is the library's, unchanged.
:class:`BatchMapping` maps a batch's events to stored events as the library's mapper
does, writing the envelope's JSON around the encoded data itself.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
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
    does (same topic, same state bytes), faster.

    A ledger event's state is its envelope around its data. The envelope's JSON is written
    here from pieces: the batch's one ``timestamp`` once, each ``occurred_at`` from the ISO
    text the writer already has (its ``isoformat`` costs as much as encoding the rest of
    the envelope), the strings through the encoder's own string escaping; only ``data``
    goes through the JSON encoder. That holds for event classes whose fields are the
    ledger's envelope in the library's order; any other event, or any other mapper (a
    cipher or compressor configured, another transcoder), is mapped as the library does."""

    def __init__(self, mapper: Mapper[UUID], timestamp: datetime) -> None:
        self._mapper = mapper
        transcoder = mapper.transcoder
        self._direct = (isinstance(transcoder, LedgerTranscoder)
                        and transcoder._c_encode is not None and mapper.cipher is None
                        and mapper.compressor is None and datetime in transcoder.types)
        self._timestamp = timestamp
        self._recorded_by: tuple[str, str] | None = None
        if not self._direct:
            return
        assert isinstance(transcoder, LedgerTranscoder) and transcoder._c_encode is not None
        settings = transcoder.encoder
        self._string: Callable[[str], str] = (
            encode_basestring_ascii if settings.ensure_ascii else encode_basestring)
        self._items: Callable[[Any, int], Sequence[str]] = transcoder._c_encode
        separator, item = settings.key_separator, settings.item_separator
        # Each field's key with the separators around it, as the encoder writes them.
        self._keys: dict[str, str] = {
            name: item + self._string(name) + separator for name in _CREATED_ENVELOPE}
        stamp = transcoder._encode_obj(timestamp)
        self._datetime_head: str = ("{" + self._string("_type_") + separator
                               + self._string(stamp["_type_"]) + item + self._string("_data_")
                               + separator)
        self._head: str = ("{" + self._string("timestamp") + separator
                      + self._datetime(stamp["_data_"]))

    def _datetime(self, text: str) -> str:
        """The JSON of a datetime whose ``isoformat()`` is ``text``, as the transcoding
        writes it (``{"_type_": ..., "_data_": text}``)."""
        return self._datetime_head + self._string(text) + "}"

    def stored(self, event: DomainEventProtocol[UUID], occurred_at: datetime,
               occurred_text: str) -> StoredEvent:
        """The stored event of ``event``, whose ``occurred_at`` is ``occurred_at`` and
        ``occurred_at.isoformat()`` is ``occurred_text``."""
        values = vars(event)
        created = _envelope_of(type(event))
        if (not self._direct or created is None or len(values) != (8 if created else 7)
                or values["timestamp"] is not self._timestamp
                or values["occurred_at"] is not occurred_at
                or type(values["event_id"]) is not str
                or type(values["recorded_by"]) is not str
                or (created and type(values["originator_topic"]) is not str)):
            return self._mapper.to_stored_event(event)
        keys = self._keys
        text = "".join((
            self._head,
            keys["originator_topic"] + self._string(values["originator_topic"]) if created
            else "",
            keys["event_id"], self._string(values["event_id"]),
            keys["occurred_at"], self._datetime(occurred_text),
            keys["data"], *self._items(values["data"], 0),
            keys["recorded_by"], self._recorder(values["recorded_by"]), "}"))
        return StoredEvent(values["originator_id"], values["originator_version"],
                           get_topic(type(event)), text.encode("utf8"))

    def _recorder(self, name: str) -> str:
        """The JSON of ``recorded_by`` (the same for every event of a batch)."""
        if self._recorded_by is None or self._recorded_by[0] != name:
            self._recorded_by = (name, self._string(name))
        return self._recorded_by[1]


_ENVELOPE = ("originator_id", "originator_version", "timestamp", "event_id", "occurred_at",
             "data", "recorded_by")
_CREATED_ENVELOPE = ("originator_id", "originator_version", "timestamp", "originator_topic",
                     "event_id", "occurred_at", "data", "recorded_by")


@functools.cache
def _envelope_of(cls: type[Any]) -> bool | None:
    """Whether the event class's fields are the ledger's creating envelope (True), its
    envelope of a later event (False), in the order the library's mapper writes them, or
    neither (None: the class is mapped by the library)."""
    if not dataclasses.is_dataclass(cls) or getattr(cls, "class_version", 1) != 1:
        return None
    names = tuple(f.name for f in dataclasses.fields(cls))
    return True if names == _CREATED_ENVELOPE else False if names == _ENVELOPE else None
