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
from projections.reference import Reference, load_reference
from projections.timeaxis import point, rfc3339, stamp

GROUPINGS = ("stakeholder", "account", "owner", "kind", "month", "opportunity")


def spend_report(
    db: sqlite_utils.Database, group_by: str, *, start: datetime | None = None,
    end: datetime | None = None, account_id: str | None = None,
    as_of: datetime | None = None, known_at: datetime | None = None,
    reach: Reach = EVERYWHERE,
) -> dict[str, Any]:
    """Base-currency totals of non-voided engagements with occurred_at in [start, end]
    (both inclusive, capped at ``as_of``), corrections applied, grouped by ``group_by``.

    Engagements without a rate in force are left out of the totals and listed under
    ``unconverted`` with their original money. The ``stakeholder`` grouping puts
    costs without participants under the key ``None``. Only accounts within ``reach``
    count, in the groups and the totals alike.
    """
    if group_by not in GROUPINGS:
        raise InvalidQuery(f"group_by must be one of {', '.join(GROUPINGS)}, not {group_by!r}")
    at = point(as_of, known_at)
    if as_of is None and known_at is None:
        report = spend_now(db, group_by, start, end, account_id, at, reach)
        currency = base_currency(db)
    else:
        reference = load_reference(db, at)
        engagements = load_engagements(
            db, at, account_id=account_id, start=stamp(start) if start else None,
            end=stamp(end) if end else None)
        report = summarise([e for e in engagements if reach.covers(e.account_id)], group_by,
                           reference)
        currency = reference.base_currency
    return {
        "group_by": group_by, "currency": currency,
        "from": rfc3339(stamp(start)) if start else None,
        "to": rfc3339(stamp(end)) if end else None,
        "account_id": account_id, **at.rendered(), **report,
    }


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
