"""The two time axes of SPEC §4.8 as the view tables store them.

Reads take their points as text (SPEC §5.2): :func:`parse_point` and :func:`parse_window`
turn query parameters into datetimes, raising :class:`~projections.errors.InvalidMoment`.
Every datetime is stored as fixed-width UTC text (``2026-03-02T18:30:00.000000Z``)
so that text order is time order and indexes on the columns serve range queries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TypedDict

from ledger.contract.schema_types import EARLIEST
from projections.errors import InvalidMoment, InvalidQuery

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})$")
_SPAN = f"from {EARLIEST.date().isoformat()} to the end of 9999-12-31 (UTC)"


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

    def rendered(self) -> dict[str, str | None]:
        """The point as response fields."""
        return {"as_of": rfc3339(self.as_of), "known_at": rfc3339(self.known_at)}


def point(as_of: datetime | None = None, known_at: datetime | None = None) -> Point:
    """Build a :class:`Point`; ``None`` on either axis means now."""
    now = datetime.now(UTC)
    return Point(stamp(as_of or now), stamp(known_at or now))


class Moments(TypedDict):
    """A read's bitemporal point as parsed from its parameters (None: now)."""

    as_of: datetime | None
    known_at: datetime | None


def parse_moment(name: str, value: str | None, *, end_of_day: bool) -> datetime | None:
    """Parse an RFC 3339 date-time or a bare date (UTC); a bare date ends or starts the day.

    Moments before 1900 (when no event can have occurred) are refused rather than
    reaching the reads' windows, which look up to a year back.
    """
    if value is None or value == "":
        return None
    moment = None
    try:
        if _DATE.match(value):
            day = date.fromisoformat(value)
            moment = datetime.combine(day, time.max if end_of_day else time(), UTC)
        elif _DATETIME.match(value):
            moment = datetime.fromisoformat(value.replace("z", "Z")).astimezone(UTC)
    except ValueError:
        pass
    except OverflowError:  # e.g. 9999-12-31T23:59:59-14:00 is in year 10000 in UTC
        raise _out_of_range(name, value) from None
    if moment is None:
        raise InvalidMoment(f"{name}: {value!r} is not an RFC 3339 date-time or a date "
                            "(YYYY-MM-DD)", name=name,
                            msg="expected an RFC 3339 date-time with offset, or YYYY-MM-DD")
    if moment < EARLIEST:
        raise _out_of_range(name, value)
    return moment


def _out_of_range(name: str, value: str) -> InvalidMoment:
    return InvalidMoment(f"{name}: {value!r} is out of range: moments run {_SPAN}",
                         name=name, msg=f"must be {_SPAN}")


def parse_point(as_of: str | None, known_at: str | None) -> Moments:
    """The ``as_of`` / ``known_at`` of a read; a bare date means the end of that day."""
    return {"as_of": parse_moment("as_of", as_of, end_of_day=True),
            "known_at": parse_moment("known_at", known_at, end_of_day=True)}


def parse_window(start: str | None, end: str | None) -> tuple[datetime | None, datetime | None]:
    """An inclusive ``from`` / ``to`` window of occurred_at."""
    lower = parse_moment("from", start, end_of_day=False)
    upper = parse_moment("to", end, end_of_day=True)
    if lower and upper and lower > upper:
        raise InvalidMoment("from is after to", name="from", msg="must not be after to")
    return lower, upper
