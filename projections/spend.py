"""Spend totals of SPEC §4.6: by stakeholder, account, owner, kind, month or opportunity."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlite_utils

from ledger.domain.reach import EVERYWHERE, Reach
from projections.current import base_currency
from projections.current_queries import spend_now
from projections.engagements import Engagement, in_base, load_engagements
from projections.errors import InvalidQuery
from projections.paging import PageRequest, cut, pin
from projections.reference import Reference, load_reference
from projections.timeaxis import rfc3339, stamp

GROUPINGS = ("stakeholder", "account", "owner", "kind", "month", "opportunity")


def spend_report(
    db: sqlite_utils.Database, group_by: str, *, start: datetime | None = None,
    end: datetime | None = None, account_id: str | None = None,
    as_of: datetime | None = None, known_at: datetime | None = None,
    reach: Reach = EVERYWHERE,
    page: PageRequest | None = None,
) -> dict[str, Any]:
    """Base-currency totals of non-voided engagements with occurred_at in [start, end]
    (both inclusive, capped at ``as_of``), corrections applied, grouped by ``group_by``.

    Engagements without a rate in force are left out of the totals and listed under
    ``unconverted`` with their original money. The ``stakeholder`` grouping puts
    costs without participants under the key ``None`` (the last group). Only accounts
    within ``reach`` count, in the groups and the totals alike. ``page``: one page of the
    groups, with ``group_count`` and ``next_cursor``; ``total`` and ``unconverted`` stay
    whole.
    """
    if group_by not in GROUPINGS:
        raise InvalidQuery(f"group_by must be one of {', '.join(GROUPINGS)}, not {group_by!r}")
    pinned = pin(db, page, ["spend", group_by, start and stamp(start), end and stamp(end),
                            account_id], as_of, known_at)
    at = pinned.at
    if pinned.current:
        after = None if pinned.after is None else (int(pinned.after[0]), str(pinned.after[1]))
        report = spend_now(db, group_by, start, end, account_id, at, reach, after=after,
                           limit=None if pinned.limit is None else pinned.limit + 1)
        currency = base_currency(db)
        group_count = report.pop("group_count", None)
    else:
        reference = load_reference(db, at)
        engagements = load_engagements(
            db, at, account_id=account_id, start=stamp(start) if start else None,
            end=stamp(end) if end else None)
        report = summarise([e for e in engagements if reach.covers(e.account_id)], group_by,
                           reference)
        currency = reference.base_currency
        group_count = None
    answer = {
        "group_by": group_by, "currency": currency,
        "from": rfc3339(stamp(start)) if start else None,
        "to": rfc3339(stamp(end)) if end else None,
        "account_id": account_id, **at.rendered(), **report,
    }
    if pinned.limit is not None:
        groups, next_cursor = cut(report["groups"], group_key, pinned)
        answer |= {"groups": groups, "group_count": len(report["groups"])
                   if group_count is None else group_count, "next_cursor": next_cursor}
    return answer


def group_key(group: dict[str, Any]) -> tuple[int, str]:
    """The order of spend groups: by key, the key ``None`` last."""
    return (int(group["key"] is None), group["key"] or "")


def summarise(engagements: Iterable[Engagement], group_by: str,
              reference: Reference) -> dict[str, Any]:
    """Total, groups and unconverted engagements of already-loaded engagements."""
    totals: dict[str | None, Decimal] = {}
    counts: dict[str | None, int] = {}
    unconverted = []
    grand = Decimal(0)
    for engagement in engagements:
        if engagement.voided:
            continue
        cost = in_base(engagement, reference)
        if cost is None:
            unconverted.append(_unconverted(engagement))
            continue
        grand += cost.total
        for key, amount in _parts(engagement, cost.shares, cost.unallocated, group_by):
            totals[key] = totals.get(key, Decimal(0)) + amount
            counts[key] = counts.get(key, 0) + 1
    groups = [
        {"key": key, "total": reference.money(totals[key]), "engagement_count": counts[key]}
        for key in sorted(totals, key=lambda k: (k is None, k or ""))
    ]
    return {"total": reference.money(grand), "groups": groups, "unconverted": unconverted}


def _parts(engagement: Engagement, shares: dict[str, Decimal], unallocated: Decimal,
           group_by: str) -> list[tuple[str | None, Decimal]]:
    if group_by == "stakeholder":
        parts: list[tuple[str | None, Decimal]] = list(shares.items())
        if not engagement.participants:
            parts.append((None, unallocated))
        return parts
    total = sum(shares.values(), Decimal(0)) + unallocated
    key = {
        "account": engagement.account_id,
        "owner": engagement.owner,
        "kind": engagement.kind,
        "month": engagement.occurred_at[:7],
        "opportunity": engagement.opportunity_id,
    }[group_by]
    return [(key, total)]


def _unconverted(engagement: Engagement) -> dict[str, Any]:
    return {
        "engagement_id": engagement.engagement_id, "account_id": engagement.account_id,
        "kind": engagement.kind, "occurred_at": rfc3339(engagement.occurred_at),
        "cost": engagement.money(),
    }
