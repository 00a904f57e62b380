"""Compliance flags of SPEC §4.7, judged against the policy in force at each engagement.

A flag is never stored: it is evaluated for the requested point, so a late policy,
rate, correction, void or approval changes the flags exactly as far as it was known.
A void resolves every flag of its engagement; an approval in effect by ``as_of``
resolves ``missing_approval`` and ``public_official_unapproved`` and is named in
``resolved_by`` (so the late approval stays visible).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlite_utils

from ledger.domain.reach import EVERYWHERE, Reach
from projections import horizons
from projections.current_queries import reference_settled
from projections.engagements import Engagement, in_base, load_engagements
from projections.errors import InvalidQuery
from projections.paging import PageRequest, Pinned, cut, pin
from projections.people import reach_clause
from projections.reference import Reference, load_reference
from projections.tables import select
from projections.timeaxis import Point, parse_stamp, rfc3339, stamp

FLAGS = ("gift_over_limit", "hospitality_over_limit", "annual_limit_exceeded",
         "missing_approval", "public_official_unapproved", "late_entry", "fx_rate_missing")
APPROVAL_FLAGS = ("missing_approval", "public_official_unapproved")


def compliance_flags(
    db: sqlite_utils.Database, *, account_id: str | None = None, flag: str | None = None,
    start: datetime | None = None, end: datetime | None = None, open: bool | None = None,
    as_of: datetime | None = None, known_at: datetime | None = None,
    reach: Reach = EVERYWHERE,
    page: PageRequest | None = None,
) -> dict[str, Any]:
    """Every flag of engagements with occurred_at in [start, end] (capped at ``as_of``),
    optionally only one account's, one kind of flag, or only open / resolved ones; only
    the accounts within ``reach`` (a person belongs to one account, so leaving the others
    out changes no flag of these). ``page``: one page of them, with ``count``,
    ``open_count`` and ``next_cursor``.

    Flags are ordered by their engagement's occurred_at and position, then as raised."""
    if flag is not None and flag not in FLAGS:
        raise InvalidQuery(f"flag must be one of {', '.join(FLAGS)}, not {flag!r}")
    pinned = pin(db, page, ["flags", account_id, flag, start and stamp(start),
                            end and stamp(end), open], as_of, known_at)
    query = FlagQuery(account_id, flag, stamp(start) if start else None,
                      stamp(end) if end else None, open, reach)
    if pinned.current and flags_table_answers(db, pinned.at, query):
        return flags_now(db, query, pinned)
    return evaluated_flags(db, query, pinned)


def evaluated_flags(db: sqlite_utils.Database, query: FlagQuery,
                    pinned: Pinned) -> dict[str, Any]:
    """:func:`compliance_flags` at any pinned point, evaluated from the history tables."""
    at = pinned.at
    # Annual sums need the whole calendar year before the window.
    year_start = query.start[:4] + "-01-01T00:00:00.000000Z" if query.start else None
    engagements = [e for e in load_engagements(db, at, account_id=query.account_id,
                                               start=year_start, end=query.end)
                   if query.reach.covers(e.account_id)]
    officials = public_officials(db, query.account_id)
    found = [
        item for item in evaluate(engagements, load_reference(db, at), officials, at.as_of)
        if (query.flag is None or item["flag"] == query.flag)
        and (query.open is None or item["open"] == query.open)
        and (query.start is None or item["_occurred_at"] >= query.start)
    ]
    shown, next_cursor = cut(found, lambda item: item["_key"], pinned)
    for item in shown:
        del item["_occurred_at"], item["_key"]
    answer: dict[str, Any] = {**at.rendered(), "flags": shown}
    if pinned.limit is not None:
        answer |= {"count": len(found), "open_count": sum(item["open"] for item in found),
                   "next_cursor": next_cursor}
    return answer


@dataclass(frozen=True)
class FlagQuery:
    """The filters of a flags read, as the ``flags`` table's columns hold them."""

    account_id: str | None
    flag: str | None
    start: str | None
    """The window's first occurred_at (a stamp), or None."""
    end: str | None
    open: bool | None
    reach: Reach

    def where(self) -> tuple[str, list[Any]]:
        """The condition on the ``flags`` rows (alias ``f``) and its parameters."""
        clauses, params = [], []
        for clause, value in (("f.account_id = ?", self.account_id), ("f.flag = ?", self.flag),
                              ("f.occurred_at >= ?", self.start),
                              ("f.occurred_at <= ?", self.end),
                              ("f.open = ?", None if self.open is None else int(self.open))):
            if value is not None:
                clauses.append(clause)
                params.append(value)
        within, reached = reach_clause(self.reach, "f.account_id")
        return " AND ".join([*clauses, within]), params + reached


def flags_table_answers(db: sqlite_utils.Database, at: Point, query: FlagQuery) -> bool:
    """Whether the ``flags`` table holds exactly the query's flags at ``at``: it is
    complete (no housekeeping mark), and no policy, rate or engagement event of the
    query's accounts lies after the point in either time axis."""
    if db.conn.execute("SELECT 1 FROM view_state LIMIT 1").fetchone() is not None:
        return False
    return reference_settled(db, at) and horizons.within(db, at, query.reach, query.account_id)


def flags_now(db: sqlite_utils.Database, query: FlagQuery, pinned: Pinned) -> dict[str, Any]:
    """:func:`compliance_flags` from the ``flags`` table (where
    :func:`flags_table_answers`): the page is a keyset read in the answer's order, and
    the counts are counted through the table's indexes."""
    where, params = query.where()
    sql = f"SELECT f.*, e.position FROM flags f JOIN engagements e USING (engagement_id) " \
          f"WHERE {where}"
    if pinned.after is not None:
        occurred_at, position, order = pinned.after
        sql += " AND (f.occurred_at, e.position, f.seq) > (?, ?, ?)"
        params += [occurred_at, position, order + 1]
    sql += " ORDER BY f.occurred_at, e.position, f.seq"
    if pinned.limit is not None:
        sql += f" LIMIT {int(pinned.limit) + 1}"
    rows = list(select(db, sql, params))
    resolutions = _resolutions(db, rows)
    keyed = [((row["occurred_at"], row["position"], row["seq"] - 1),
              _table_flag(row, resolutions)) for row in rows]
    shown, next_cursor = cut(keyed, lambda item: item[0], pinned)
    answer: dict[str, Any] = {**pinned.at.rendered(), "flags": [flag for _, flag in shown]}
    if pinned.limit is not None:
        where, params = query.where()
        # Without a window, from the counts kept per account, kind and state; in one,
        # through the flags' index (every filter is in it).
        count, open_count = db.conn.execute(
            "SELECT COALESCE(SUM(f.flag_count), 0), COALESCE(SUM(f.flag_count * f.open), 0) "
            f"FROM flag_counts f WHERE {where}" if query.start is None and query.end is None
            else f"SELECT COUNT(*), COALESCE(SUM(f.open), 0) FROM flags f WHERE {where}",
            params).fetchone()
        answer |= {"count": count, "open_count": open_count, "next_cursor": next_cursor}
    return answer


def _resolutions(db: sqlite_utils.Database,
                 rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The void or approval row that resolved each flag of ``rows``, by event id."""
    found: dict[str, dict[str, Any]] = {}
    for table in ("engagement_voids", "engagement_approvals"):
        ids = sorted({row["engagement_id"] for row in rows
                      if row["resolved_by_type"] is not None})
        for row in select(db, f"SELECT * FROM {table} WHERE engagement_id IN "
                              f"({', '.join('?' * len(ids))})", ids):
            found[row["event_id"]] = row
    return found


def _table_flag(row: dict[str, Any], resolutions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A ``flags`` row as :func:`_flag` renders the flag."""
    cost = None
    if row["cost_amount"] is not None and row["cost_currency"] is not None:
        cost = {"amount": row["cost_amount"], "currency": row["cost_currency"]}
    resolved_by = None
    if row["resolved_by_event_id"] is not None:
        resolved_by = _resolution(resolutions[row["resolved_by_event_id"]])
    return {
        "flag": row["flag"], "engagement_id": row["engagement_id"],
        "account_id": row["account_id"], "stakeholder_id": row["stakeholder_id"],
        "kind": row["kind"], "amount": row["amount"], "cost": cost,
        "limit": row["limit_value"], "currency": row["base_currency"],
        "policy_event_id": row["policy_event_id"], "occurred_at": rfc3339(row["occurred_at"]),
        "recorded_at": rfc3339(row["recorded_at"]), "open": bool(row["open"]),
        "resolved_by": resolved_by,
    }


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
        for order, (name, sid, amount, limit) in enumerate(raised):
            item = _flag(engagement, name, sid, amount, limit, policy, reference, as_of)
            item["_key"] = (engagement.occurred_at, engagement.position, order)
            flags.append(item)
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
