"""The compliance page's list of flags as an auditor works it: filtered, sorted, paged,
with names beside ids, the original money beside the base amount and sums per kind.

The page and its CSV download build the list with :func:`compliance_rows` from the same
:class:`FlagQuery`, so the CSV holds exactly the rows on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import sqlite_utils
from pydantic import BaseModel, ConfigDict, Field

from ledger.domain.reach import EVERYWHERE, Reach
from projections.compliance import FLAGS, compliance_flags
from projections.names import display_names
from projections.timeaxis import Moments, parse_window
from projections.timeaxis import point as bitemporal

PAGE_SIZE = 100
"""Flags per page unless the query says otherwise."""
STATUSES = {"open": True, "resolved": False, "all": None}
SORTS: dict[str, Any] = {
    "occurred_at": lambda f: (f["occurred_at"], f["engagement_id"]),
    "recorded_at": lambda f: (f["recorded_at"], f["engagement_id"]),
    "flag": lambda f: (f["flag"], f["occurred_at"]),
    "account": lambda f: (f["account_id"], f["occurred_at"]),
    "stakeholder": lambda f: (f["stakeholder_id"] or "", f["occurred_at"]),
    "amount": lambda f: (Decimal(f["amount"] or -1), f["occurred_at"]),
}
"""The sortable columns and their keys (ties in occurred_at order)."""
Sort = Literal["occurred_at", "-occurred_at", "recorded_at", "-recorded_at", "flag", "-flag",
               "account", "-account", "stakeholder", "-stakeholder", "amount", "-amount"]


class FlagQuery(BaseModel):
    """The compliance page's query parameters (also those of its CSV)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")
    account_id: str | None = None
    flag: Literal[FLAGS] | None = None  # type: ignore[valid-type]
    status: Literal["open", "resolved", "all"] = "open"
    start: str | None = Field(None, alias="from")
    end: str | None = Field(None, alias="to")
    sort: Sort = "occurred_at"
    page: int = Field(1, ge=1, le=1_000_000)
    size: int = Field(PAGE_SIZE, ge=10, le=1000)

    def params(self, **changes: Any) -> dict[str, str]:
        """The query string of these filters with ``changes``, empty values left out."""
        values = {"account_id": self.account_id, "flag": self.flag, "status": self.status,
                  "from": self.start, "to": self.end, "sort": self.sort, "page": self.page,
                  "size": self.size if self.size != PAGE_SIZE else None, **changes}
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


@dataclass(frozen=True)
class ShownFlags:
    """One page of the filtered, sorted flags and what the page says about all of them."""

    found: dict[str, Any]
    """The compliance read (its point and the whole filtered list)."""
    flags: list[dict[str, Any]]
    """The flags on this page."""
    total: int
    page: int
    pages: int
    sums: list[tuple[str, int, str | None]]
    """(flag kind, count, sum of amounts in the base currency or None) over every page."""
    account_names: dict[str, str]
    person_names: dict[str, str]


def compliance_rows(db: sqlite_utils.Database, at: Moments, query: FlagQuery,
                    reach: Reach = EVERYWHERE) -> ShownFlags:
    """Filter, sort and page the flags of ``query`` at the point ``at`` (only the accounts
    within ``reach``)."""
    start, end = parse_window(query.start, query.end)
    found = compliance_flags(db, account_id=query.account_id or None, flag=query.flag,
                             start=start, end=end, open=STATUSES[query.status], reach=reach,
                             **at)
    descending = query.sort.startswith("-")
    ordered = sorted(found["flags"], key=SORTS[query.sort.lstrip("-")], reverse=descending)
    size = query.size
    pages = max(1, -(-len(ordered) // size))
    page = min(query.page, pages)
    accounts, people = display_names(db, bitemporal(at["as_of"], at["known_at"]))
    return ShownFlags(
        found=found, flags=ordered[(page - 1) * size:page * size],
        total=len(ordered), page=page, pages=pages, sums=_sums(ordered),
        account_names=accounts, person_names=people)


def _sums(flags: list[dict[str, Any]]) -> list[tuple[str, int, str | None]]:
    totals: dict[str, tuple[int, Decimal | None]] = {}
    for f in flags:
        count, amount = totals.get(f["flag"], (0, None))
        if f["amount"] is not None:
            amount = (amount or Decimal(0)) + Decimal(f["amount"])
        totals[f["flag"]] = (count + 1, amount)
    return [(kind, totals[kind][0], None if totals[kind][1] is None else str(totals[kind][1]))
            for kind in FLAGS if kind in totals]
