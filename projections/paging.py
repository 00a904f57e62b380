"""Paged answers (SPEC §5.2): ``limit`` / ``cursor`` in, ``next_cursor`` out.

A page is a slice of one answer at one bitemporal point. The first page resolves the
point (``known_at`` and ``as_of`` default to the moment of that first read, taken after
the read's snapshot of the views began) and the cursor carries it, with the key of the
last item returned: the next page is the same answer after that key (keyset paging), so
events that arrive between pages can neither shift nor repeat items.

A "now" read (neither ``as_of`` nor ``known_at``) answers its first page from the current
tables; a later page does too while the views still stand at the position the first page
saw, and otherwise from the history tables at the pinned point.

The cursor is the JSON of what it pins, base64url-encoded, with an HMAC-SHA256 tag. The
tag only tells an intact cursor from a corrupted or edited one (a 422): a cursor grants
nothing a client could not ask for with ``as_of`` / ``known_at``, so the key is not a
secret. A cursor also names a digest of the query it continues (the path's ids and
filters, and ``as_of`` / ``known_at`` as given), so it cannot continue another query.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import sqlite_utils

from projections.errors import InvalidCursor
from projections.tables import snapshot_position
from projections.timeaxis import Point, point, stamp

DEFAULT_LIMIT = 100
"""Items per page when a client gives no ``limit``."""
MAX_LIMIT = 1000
"""The largest ``limit`` a client may ask for."""
_TAG_KEY = b"engagement-ledger/cursor/v1"
_VERSION = 1

Key = tuple[Any, ...]
"""The sort key of an item in its answer: JSON scalars (text and integers)."""
Item = TypeVar("Item")


@dataclass(frozen=True)
class PageRequest:
    """What a client asked for: at most ``limit`` items, after ``cursor`` (None: the first)."""

    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


@dataclass(frozen=True)
class Pinned:
    """How to answer one page: the pinned point, the keyset position and the cursor's rest.

    ``current`` says whether the current tables answer it (a "now" read whose views have
    not moved since its first page); ``limit`` is None for an unpaged, whole answer.
    """

    at: Point
    current: bool
    after: Key | None
    limit: int | None
    query: str
    position: int
    now: bool

    def cursor_after(self, key: Key) -> str:
        """The cursor of the page that follows the item with ``key``."""
        body = json.dumps({"v": _VERSION, "q": self.query, "a": self.at.as_of,
                           "k": self.at.known_at, "n": self.now, "p": self.position,
                           "after": list(key)}, separators=(",", ":")).encode()
        return f"{_b64(body)}.{_b64(_tag(body))}"


def pin(db: sqlite_utils.Database, request: PageRequest | None, query: Sequence[Any],
        as_of: datetime | None, known_at: datetime | None) -> Pinned:
    """Resolve the point and keyset position of a (possibly paged) read.

    ``query`` names the read and its filters; a cursor made for another query, or not
    made by :meth:`Pinned.cursor_after`, is an :class:`~projections.errors.InvalidCursor`.
    """
    now = as_of is None and known_at is None
    digest = hashlib.sha256(json.dumps(
        [*query, stamp(as_of) if as_of else None, stamp(known_at) if known_at else None],
        default=str).encode()).hexdigest()[:32]
    if request is None:
        return Pinned(point(as_of, known_at), now, None, None, digest, 0, now)
    # Reading the position first starts the read's snapshot, so "now" (taken next) is
    # no earlier than any event the snapshot holds.
    position = snapshot_position(db)
    if request.cursor is None:
        return Pinned(point(as_of, known_at), now, None, request.limit, digest, position, now)
    body = _decode(request.cursor)
    if body["q"] != digest:
        raise InvalidCursor("the cursor continues another query: repeat the first page's "
                            "parameters, or start again without a cursor")
    return Pinned(Point(body["a"], body["k"]), body["n"] and position == body["p"],
                  tuple(body["after"]), request.limit, digest, body["p"], body["n"])


def cut(items: Sequence[Item], key: Callable[[Item], Key],
        pinned: Pinned) -> tuple[list[Item], str | None]:
    """The page of ``items`` (sorted by ``key``) after the pinned key, and the next cursor.

    ``items`` may be the whole answer or only what follows the key (one more than the
    limit is enough to know whether a next page exists).
    """
    if pinned.limit is None:
        return list(items), None
    after = pinned.after
    page: list[Item] = []
    for item in items:
        if after is not None and _comparable(key(item)) <= _comparable(after):
            continue
        if len(page) == pinned.limit:
            return page, pinned.cursor_after(key(page[-1]))
        page.append(item)
    return page, None


def _comparable(key: Key) -> tuple[Any, ...]:
    # JSON turns tuples into lists; compare both as tuples.
    return tuple(key)


def _decode(token: str) -> dict[str, Any]:
    try:
        encoded, tag = token.split(".")
        body = base64.urlsafe_b64decode(_padded(encoded))
        valid = hmac.compare_digest(base64.urlsafe_b64decode(_padded(tag)), _tag(body))
    except (ValueError, binascii.Error):
        valid = False
    if not valid:
        raise InvalidCursor("the cursor is not one this ledger made (corrupted or edited)")
    data = json.loads(body)
    if not isinstance(data, dict) or data.get("v") != _VERSION:
        raise InvalidCursor("the cursor is from another version of the ledger")
    return data


def _tag(body: bytes) -> bytes:
    return hmac.new(_TAG_KEY, body, hashlib.sha256).digest()[:16]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _padded(text: str) -> bytes:
    return (text + "=" * (-len(text) % 4)).encode("ascii")
