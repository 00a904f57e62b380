"""The two time axes of SPEC §4.8 as the view tables store them.

Every datetime is stored as fixed-width UTC text (``2026-03-02T18:30:00.000000Z``)
so that text order is time order and indexes on the columns serve range queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from projections.errors import InvalidQuery


@lru_cache(maxsize=4096)
def stamp(moment: datetime) -> str:
    """Render an aware datetime as fixed-width, sortable UTC text."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidQuery(f"{moment!r} has no timezone offset")
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds") + "Z"


def parse_stamp(text: str) -> datetime:
    """Read a stored stamp back as an aware UTC datetime."""
    return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)


def rfc3339(text: str | None) -> str | None:
    """Render a stored stamp for a response: RFC 3339, UTC, microseconds only when set."""
    if text is None:
        return None
    if text.endswith(".000000Z"):
        return text[: -len(".000000Z")] + "Z"
    return text


def shift(text: str, days: int) -> str:
    """The stamp ``days`` days after (negative: before) the stamp ``text``."""
    return stamp(parse_stamp(text) + timedelta(days=days))


@dataclass(frozen=True, slots=True)
class Point:
    """A bitemporal point: valid time ``as_of`` and transaction time ``known_at`` (stamps)."""

    as_of: str
    known_at: str

    def knows(self, occurred_at: str, recorded_at: str) -> bool:
        """Whether an event with these times is visible at this point."""
        return occurred_at <= self.as_of and recorded_at <= self.known_at

    def rendered(self) -> dict[str, str | None]:
        """The point as response fields."""
        return {"as_of": rfc3339(self.as_of), "known_at": rfc3339(self.known_at)}


def point(as_of: datetime | None = None, known_at: datetime | None = None) -> Point:
    """Build a :class:`Point`; ``None`` on either axis means now."""
    now = datetime.now(UTC)
    return Point(stamp(as_of or now), stamp(known_at or now))
