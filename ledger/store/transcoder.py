"""The event store's JSON transcoder: the library's, with its C encoder built once.

``JSONTranscoder.encode`` goes through ``json.JSONEncoder.encode``, which builds a new
C encoder for every call; for a ledger event that set-up costs about a third of the
encoding. :class:`LedgerTranscoder` builds the same C encoder once, from the library
encoder's own settings, so the stored bytes are exactly the library's (the hash chain
digests them). It also remembers the datetimes it transcoded last: every event of a
batch carries the same ``recorded_at`` object. Decoding is the library's, unchanged.
"""

from __future__ import annotations

from datetime import datetime
from json.encoder import (  # type: ignore[attr-defined]
    c_make_encoder,
    encode_basestring,
    encode_basestring_ascii,
)
from typing import Any

from eventsourcing.persistence import JSONTranscoder

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
