"""Compliance flags of SPEC §4.7, judged against the policy in force at each engagement.

A flag is never stored: it is evaluated for the requested point, so a late policy,
rate, correction, void or approval changes the flags exactly as far as it was known.
A void resolves every flag of its engagement; an approval in effect by ``as_of``
resolves ``missing_approval`` and ``public_official_unapproved`` and is named in
``resolved_by`` (so the late approval stays visible).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlite_utils

from ledger.domain.reach import EVERYWHERE, Reach
from projections.engagements import Engagement, in_base, load_engagements
from projections.errors import InvalidQuery
from projections.reference import Reference, load_reference
from projections.timeaxis import parse_stamp, point, rfc3339, stamp

FLAGS = ("gift_over_limit", "hospitality_over_limit", "annual_limit_exceeded",
         "missing_approval", "public_official_unapproved", "late_entry", "fx_rate_missing")
APPROVAL_FLAGS = ("missing_approval", "public_official_unapproved")


def compliance_flags(
    db: sqlite_utils.Database, *, account_id: str | None = None, flag: str | None = None,
    start: datetime | None = None, end: datetime | None = None, open: bool | None = None,
    as_of: datetime | None = None, known_at: datetime | None = None,
    reach: Reach = EVERYWHERE,
) -> dict[str, Any]:
    """Every flag of engagements with occurred_at in [start, end] (capped at ``as_of``),
    optionally only one account's, one kind of flag, or only open / resolved ones; only
    the accounts within ``reach`` (a person belongs to one account, so leaving the others
    out changes no flag of these)."""
    if flag is not None and flag not in FLAGS:
        raise InvalidQuery(f"flag must be one of {', '.join(FLAGS)}, not {flag!r}")
    at = point(as_of, known_at)
    begin = stamp(start) if start else None
    # Annual sums need the whole calendar year before the window.
    year_start = begin[:4] + "-01-01T00:00:00.000000Z" if begin else None
    engagements = [e for e in load_engagements(db, at, account_id=account_id,
                                               start=year_start, end=stamp(end) if end else None)
                   if reach.covers(e.account_id)]
    officials = public_officials(db, account_id)
    found = [
        item for item in evaluate(engagements, load_reference(db, at), officials, at.as_of)
        if (flag is None or item["flag"] == flag) and (open is None or item["open"] == open)
        and (begin is None or item["_occurred_at"] >= begin)
    ]
    for item in found:
        del item["_occurred_at"]
    return {**at.rendered(), "flags": found}


def public_officials(db: sqlite_utils.Database, account_id: str | None = None) -> set[str]:
    """Ids of the stakeholders registered as public officials."""
    sql = "SELECT stakeholder_id FROM stakeholders WHERE public_official = 1"
    params: list[str] = []
    if account_id is not None:
        sql += " AND account_id = ?"
        params.append(account_id)
    return {row[0] for row in db.execute(sql, params)}


def evaluate(engagements: Iterable[Engagement], reference: Reference, officials: set[str],
             as_of: str) -> list[dict[str, Any]]:
    """All flags of ``engagements`` (ordered by occurred_at, position) as of ``as_of``."""
    flags: list[dict[str, Any]] = []
    yearly: dict[tuple[str, str], Decimal] = {}
    for engagement in engagements:
        policy = reference.policy_at(engagement.occurred_at)
        cost = in_base(engagement, reference)
        raised: list[tuple[str, str | None, Decimal | None, str | None]] = []
        if cost is None:
            raised.append(("fx_rate_missing", None, None, None))
        if policy is not None:
            raised += _policy_flags(engagement, cost, policy, officials, yearly)
        for name, sid, amount, limit in raised:
            flags.append(_flag(engagement, name, sid, amount, limit, policy, reference, as_of))
    return flags


def _policy_flags(engagement: Engagement, cost: Any, policy: dict[str, Any],
                  officials: set[str], yearly: dict[tuple[str, str], Decimal]) -> list[Any]:
    raised: list[Any] = []
    if cost is not None:
        name, limit_name = ("gift_over_limit", "gift_item_limit") if engagement.kind == "gift" \
            else ("hospitality_over_limit", "hospitality_per_person_limit")
        limit = _limit(policy, limit_name)
        for sid, share in sorted(cost.shares.items()):
            if limit is not None and share > limit:
                raised.append((name, sid, share, limit))
        annual = _limit(policy, "annual_recipient_limit")
        for sid, share in sorted(cost.shares.items()):
            key = (sid, engagement.occurred_at[:4])
            running = yearly.get(key, Decimal(0)) + share
            if not engagement.voided:
                yearly[key] = running
            if annual is not None and share > 0 and running > annual:
                raised.append(("annual_limit_exceeded", sid, running, annual))
        threshold = _limit(policy, "pre_approval_above")
        if threshold is not None and cost.total > threshold and not engagement.approval_ref:
            raised.append(("missing_approval", None, cost.total, threshold))
    if (policy["public_official_requires_approval"] and engagement.cost_amount
            and not engagement.approval_ref):
        for sid in sorted(set(engagement.participants) & officials):
            share = cost.shares.get(sid) if cost is not None else None
            raised.append(("public_official_unapproved", sid, share, None))
    days = (parse_stamp(engagement.recorded_at) - parse_stamp(engagement.occurred_at))
    if days.total_seconds() > policy["late_entry_days"] * 86400:
        raised.append(("late_entry", None, None, str(policy["late_entry_days"])))
    return raised


def _limit(policy: dict[str, Any], name: str) -> Decimal | None:
    return None if policy[name] is None else Decimal(policy[name])


def _flag(engagement: Engagement, name: str, sid: str | None, amount: Decimal | None,
          limit: Any, policy: dict[str, Any] | None, reference: Reference,
          as_of: str) -> dict[str, Any]:
    resolved_by = None
    if engagement.voided:
        resolved_by = _resolution(engagement.voids[0])
    elif name in APPROVAL_FLAGS:
        approval = engagement.approval_at(as_of)
        if approval is not None:
            resolved_by = _resolution(approval)
    rendered_limit: str | None
    if name == "late_entry":
        rendered_limit = f"{limit} days"
    else:
        rendered_limit = reference.money(limit) if isinstance(limit, Decimal) else limit
    return {
        "flag": name, "engagement_id": engagement.engagement_id,
        "account_id": engagement.account_id, "stakeholder_id": sid, "kind": engagement.kind,
        "amount": reference.money(amount) if amount is not None else None,
        "cost": engagement.money(), "limit": rendered_limit,
        "currency": reference.base_currency,
        "policy_event_id": policy["event_id"] if policy is not None else None,
        "occurred_at": rfc3339(engagement.occurred_at),
        "recorded_at": rfc3339(engagement.recorded_at),
        "open": resolved_by is None, "resolved_by": resolved_by,
        "_occurred_at": engagement.occurred_at,
    }


def _resolution(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": row["event_type"], "event_id": row["event_id"],
        "position": row["position"], "occurred_at": rfc3339(row["occurred_at"]),
        "recorded_at": rfc3339(row["recorded_at"]),
        **({"approval_ref": row["approval_ref"]} if "approval_ref" in row else {}),
    }
