"""Query parameters of the reads: bitemporal points and windows (SPEC §5.2)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from api.errors import ApiProblem
from ledger.contract.schema_types import EARLIEST

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})$")


def instant(name: str, value: str | None, *, end_of_day: bool) -> datetime | None:
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
        raise ApiProblem(422, f"{name}: {value!r} is not an RFC 3339 date-time or a date "
                              "(YYYY-MM-DD)", errors=[{"loc": ["query", name],
                                                       "msg": "expected an RFC 3339 date-time "
                                                              "with offset, or YYYY-MM-DD"}])
    if moment < EARLIEST:
        raise _out_of_range(name, value)
    return moment


def _out_of_range(name: str, value: str) -> ApiProblem:
    span = f"from {EARLIEST.date().isoformat()} to the end of 9999-12-31 (UTC)"
    return ApiProblem(422, f"{name}: {value!r} is out of range: moments run {span}",
                      errors=[{"loc": ["query", name], "msg": f"must be {span}"}])


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
