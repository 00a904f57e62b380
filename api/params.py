"""Query parameters of the reads: bitemporal points and windows (SPEC §5.2)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from api.errors import ApiProblem

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})$")


def instant(name: str, value: str | None, *, end_of_day: bool) -> datetime | None:
    """Parse an RFC 3339 date-time or a bare date (UTC); a bare date ends or starts the day."""
    if value is None or value == "":
        return None
    try:
        if _DATE.match(value):
            day = date.fromisoformat(value)
            if end_of_day:
                return datetime.combine(day + timedelta(days=1), time(), UTC) - timedelta(
                    microseconds=1)
            return datetime.combine(day, time(), UTC)
        if _DATETIME.match(value):
            return datetime.fromisoformat(value.replace("z", "Z")).astimezone(UTC)
    except ValueError:
        pass
    raise ApiProblem(422, f"{name}: {value!r} is not an RFC 3339 date-time or a date "
                          "(YYYY-MM-DD)", errors=[{"loc": ["query", name],
                                                   "msg": "expected an RFC 3339 date-time "
                                                          "with offset, or YYYY-MM-DD"}])


def point(as_of: str | None, known_at: str | None) -> dict[str, datetime | None]:
    """``as_of`` / ``known_at`` keyword arguments for a projection query."""
    return {"as_of": instant("as_of", as_of, end_of_day=True),
            "known_at": instant("known_at", known_at, end_of_day=True)}


def window(start: str | None, end: str | None) -> tuple[datetime | None, datetime | None]:
    """An inclusive ``from`` / ``to`` window of occurred_at."""
    lower = instant("from", start, end_of_day=False)
    upper = instant("to", end, end_of_day=True)
    if lower and upper and lower > upper:
        raise ApiProblem(422, "from is after to", errors=[{"loc": ["query", "from"],
                                                           "msg": "must not be after to"}])
    return lower, upper
