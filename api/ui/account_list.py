"""The accounts list as the web UI shows it: each account's owner and open compliance
flags beside its figures, a totals row, and sorting by any figure.

Without a sort the list keeps the API's keyset pages (``GET /v1/accounts``); a sort reads
every account within reach at the point, orders them and shows one numbered page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import sqlite_utils

from api.render import format as fmt
from ledger.domain.reach import EVERYWHERE, Reach
from projections.compliance import compliance_flags
from projections.paging import DEFAULT_LIMIT, PageRequest
from projections.people import load_team
from projections.queries import list_accounts
from projections.timeaxis import Moments
from projections.timeaxis import point as bitemporal

AccountSort = Literal["name", "-name", "tier", "-tier", "score", "-score", "coverage",
                      "-coverage", "spend", "-spend", "open_flags", "-open_flags"]


def _known_first(value: Any) -> tuple[bool, Any]:
    """A sort key that puts unknown figures (None) below every known one."""
    return (value is not None, value)


SORTS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "name": lambda a: a["name"].casefold(),
    "tier": lambda a: a["tier"],
    "score": lambda a: _known_first(a["score"]),
    "coverage": lambda a: _known_first(a["decision_coverage"]),
    "spend": lambda a: Decimal(a["total_spend"]),
    "open_flags": lambda a: a["open_flags"],
}
"""The sortable columns and their keys (ties in account id order)."""


@dataclass(frozen=True)
class AccountSorting:
    """How the accounts list is ordered and paged."""

    sort: AccountSort | None = None
    """None: by account id, in the API's keyset pages."""
    page: int = 1
    """The page number of a sorted list."""
    size: int = DEFAULT_LIMIT


def account_list(db: sqlite_utils.Database, at: Moments, reach: Reach = EVERYWHERE,
                 page: PageRequest | None = None,
                 sorting: AccountSorting | None = None) -> dict[str, Any]:
    """A page of the accounts within ``reach`` with ``owner`` (the latest team's owner at
    the point, None without a team) and ``open_flags``, and the page's ``totals``."""
    sorting = sorting or AccountSorting()
    if sorting.sort is None:
        listing = list_accounts(db, reach=reach, **at, page=page or PageRequest())
    else:
        listing = list_accounts(db, reach=reach, **at)
        listing = {**listing, "count": len(listing["accounts"]), "next_cursor": None}
    as_of, known_at = fmt.parse_time(listing["as_of"]), fmt.parse_time(listing["known_at"])
    point = bitemporal(as_of, known_at)
    flags = compliance_flags(db, open=True, as_of=as_of, known_at=known_at, reach=reach)
    open_of = Counter(f["account_id"] for f in flags["flags"])
    rows = [{**a, "owner": (load_team(db, a["account_id"], point) or {}).get("owner"),
             "open_flags": open_of[a["account_id"]]} for a in listing["accounts"]]
    pages = 1
    if sorting.sort is not None:
        key = SORTS[sorting.sort.lstrip("-")]
        rows.sort(key=lambda a: a["account_id"])
        rows.sort(key=key, reverse=sorting.sort.startswith("-"))
        pages = max(1, -(-len(rows) // sorting.size))
        number = min(sorting.page, pages)
        rows = rows[(number - 1) * sorting.size:number * sorting.size]
    totals = {"total_spend": str(sum((Decimal(a["total_spend"]) for a in rows), Decimal(0))),
              "open_flags": sum(a["open_flags"] for a in rows)}
    return {"listing": listing, "accounts": rows, "totals": totals,
            "sort": sorting.sort or "", "page_number": min(sorting.page, pages),
            "pages": pages}
