"""Reads at "now" from the current read model (:mod:`projections.current`).

Each function returns exactly what its bitemporal counterpart returns for a point after
every event, but reads only the current tables: the accounts list costs the number of
accounts and people, a power map the number of the account's people.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from ledger.contract.money import from_minor, quantize
from ledger.domain.reach import EVERYWHERE, Reach
from projections import spend_groups
from projections.current import base_currency, money, row_dict
from projections.errors import UnknownStakeholder
from projections.figures import (
    STAGE_DAYS,
    STAGES,
    STALE_DAYS,
    coverage_of,
    decision_coverage,
    relationship_score,
    score_of,
)
from projections.people import StakeholderState, load_account, load_accounts, reach_clause
from projections.timeaxis import Point, rfc3339, shift, stamp


def reference_settled(db: sqlite_utils.Database, at: Point) -> bool:
    """Whether every policy took effect by ``at.as_of`` and every policy and rate was
    known by ``at.known_at``: then the base currency and every rate in force at a time up
    to ``at.as_of`` are the ones the current read model uses (three index lookups)."""
    latest_policy, policy_known, rate_known = db.conn.execute(
        "SELECT (SELECT MAX(occurred_at) FROM policies), (SELECT MAX(recorded_at) "
        "FROM policies), (SELECT MAX(recorded_at) FROM fx_rates)").fetchone()
    return ((latest_policy or "") <= at.as_of and (policy_known or "") <= at.known_at
            and (rate_known or "") <= at.known_at)


def accounts_now(db: sqlite_utils.Database, at: Point, reach: Reach = EVERYWHERE, *,
                 after: str | None = None, limit: int | None = None) -> dict[str, Any]:
    """:func:`projections.queries.list_accounts` at now (``after`` / ``limit``: the first
    ``limit`` accounts within ``reach`` with an id after ``after``, read through the keys)."""
    base = base_currency(db)
    since = shift(at.as_of, -STAGE_DAYS)
    accounts = load_accounts(db, at, reach=reach, after=after, limit=limit)
    ids = [account["account_id"] for account in accounts]
    sums = {row[0]: row[1:] for row in db.conn.execute(
        "SELECT account_id, base_minor, weighted_attitude, role_weight, deciders_won, "
        "deciders, communication_at, matching_at, joint_at, recognition_at "
        "FROM current_accounts" + ("" if limit is None else
                                   f" WHERE account_id IN ({', '.join('?' * len(ids))})"),
        [] if limit is None else ids)}
    rows = []
    for account in accounts:
        spend, weighted, weights, won, deciders, *latest = sums.get(
            account["account_id"], (0, 0, 0, 0, 0, None, None, None, None))
        # The deepest element whose latest evidence lies in the 365 days up to now.
        depth = max([0] + [depth for depth, moment in enumerate(latest, start=1)
                           if moment is not None and since <= moment <= at.as_of])
        rows.append({
            "account_id": account["account_id"], "name": account["name"],
            "country": account["country"], "tier": account["tier"],
            "score": score_of(weighted, weights), "decision_coverage": coverage_of(
                won, deciders),
            "org_stage": STAGES[depth],
            "total_spend": money(spend, base),
        })
    return {**at.rendered(), "currency": base, "accounts": rows}


def power_map_now(db: sqlite_utils.Database, account_id: str, at: Point,
                  reach: Reach = EVERYWHERE) -> dict[str, Any]:
    """:func:`projections.queries.power_map` at now."""
    load_account(db, account_id, at, reach)
    base = base_currency(db)
    rows = row_dict(db.conn.execute(
        "SELECT c.*, s.name, s.title, s.department, s.public_official, s.forgotten "
        "FROM current_stakeholders c JOIN stakeholders s USING (stakeholder_id) "
        "WHERE c.account_id = ? AND c.departed = 0 ORDER BY c.stakeholder_id", [account_id]))
    states = [_state(row) for row in rows]
    return {
        "account_id": account_id, **at.rendered(), "currency": base,
        "score": relationship_score(states), "decision_coverage": decision_coverage(states),
        "stakeholders": [{
            "stakeholder_id": row["stakeholder_id"], **_identity(row), "role": row["role"],
            "attitude": row["attitude"], "layer": row["layer"],
            "rising_star": bool(row["rising_star"]), "ladder_level": row["ladder_level"],
            "last_engagement_at": rfc3339(row["last_engagement_at"]),
            "total_spend": money(row["spend_minor"], base), "stale": _stale(row, at),
        } for row in rows],
    }


def stakeholder_now(db: sqlite_utils.Database, stakeholder_id: str,
                    at: Point, reach: Reach = EVERYWHERE) -> dict[str, Any]:
    """:func:`projections.queries.stakeholder_figures` at now."""
    found = row_dict(db.conn.execute(
        "SELECT c.*, s.name, s.title, s.department, s.public_official, s.forgotten "
        "FROM current_stakeholders c JOIN stakeholders s USING (stakeholder_id) "
        "WHERE c.stakeholder_id = ?", [stakeholder_id]))
    if not found or not reach.covers(found[0]["account_id"]):
        raise UnknownStakeholder(f"no stakeholder {stakeholder_id!r}")
    row = found[0]
    base = base_currency(db)
    since = row["last_attitude_change_at"] or ""
    spend_since = db.conn.execute(
        "SELECT SUM(base_minor) FROM current_shares WHERE stakeholder_id = ? "
        "AND occurred_at > ?", [stakeholder_id, since]).fetchone()[0] or 0
    unconverted = [r[0] for r in db.conn.execute(
        "SELECT s.engagement_id FROM current_shares s JOIN engagements e USING (engagement_id) "
        "WHERE s.stakeholder_id = ? AND s.base_minor IS NULL ORDER BY s.occurred_at, e.position",
        [stakeholder_id])]
    gain = row["attitude"] - row["initial_attitude"]
    per_point = None
    if gain > 0:
        per_point = str(quantize(from_minor(row["spend_minor"], base) / gain, base))
    return {
        "stakeholder_id": stakeholder_id, "account_id": row["account_id"], **at.rendered(),
        "currency": base, **_identity(row), "role": row["role"], "attitude": row["attitude"],
        "initial_attitude": row["initial_attitude"], "layer": row["layer"],
        "rising_star": bool(row["rising_star"]), "departed": bool(row["departed"]),
        "ladder_level": row["ladder_level"], "engagement_count": row["engagement_count"],
        "first_engagement_at": rfc3339(row["first_engagement_at"]),
        "last_engagement_at": rfc3339(row["last_engagement_at"]),
        "total_spend": money(row["spend_minor"], base),
        "spend_since_attitude_change": money(spend_since, base),
        "cost_per_attitude_point": per_point,
        "stale": _stale(row, at) if not row["departed"] else False,
        "unconverted_engagements": unconverted,
    }


_KEYS = {"account": "account_id", **spend_groups.KEYS}


def spend_now(db: sqlite_utils.Database, group_by: str, start: datetime | None,
              end: datetime | None, account_id: str | None, at: Point,
              reach: Reach = EVERYWHERE, *, after: tuple[int, str] | None = None,
              limit: int | None = None) -> dict[str, Any]:
    """The groups, total and unconverted list of :func:`projections.spend.spend_report`
    (``limit``: only the first ``limit`` groups after the group key ``after``, with
    ``group_count`` counting them all).

    Without a window, the account and stakeholder totals are the ones the current tables
    keep, read a page at a time through their keys, and so are the other groupings'
    without an account or a narrower reach either (:mod:`projections.spend_groups`);
    otherwise the groups are aggregated from the current engagements the window and
    filters select (through their indexes)."""
    base = base_currency(db)
    where = _SpendFilter(account_id, stamp(start) if start else None,
                         stamp(end) if end else None, reach)
    page: list[tuple[str | None, int, int]]
    if group_by in ("account", "stakeholder") and start is None and end is None:
        kept = _accounts_kept if group_by == "account" else _people_kept
        page, group_count, total = kept(db, where, after, limit)
    elif group_by in spend_groups.KEYS and not where.clauses:
        page, group_count = spend_groups.page(db, group_by, after, limit)
        total = _accounts_total(db, where)[1]
    else:
        grouped = sorted(_aggregated(db, group_by, where), key=lambda g: (g[0] is None,
                                                                          g[0] or ""))
        page = [g for g in grouped if after is None or (int(g[0] is None), g[0] or "") > after]
        page, group_count = page[:limit] if limit is not None else page, len(grouped)
        total = db.conn.execute(
            "SELECT SUM(base_minor) FROM current_engagements "
            f"WHERE {where('voided = 0', 'base_minor IS NOT NULL')}",
            where.params).fetchone()[0] or 0
    unconverted = row_dict(db.conn.execute(
        "SELECT c.engagement_id, c.account_id, c.kind, c.occurred_at, c.cost_amount, "
        "c.cost_currency FROM current_engagements c JOIN engagements e USING (engagement_id) "
        f"WHERE {where('voided = 0', 'base_minor IS NULL', alias='c.')} "
        "ORDER BY c.occurred_at, e.position", where.params))
    report = {
        "total": money(total, base),
        "groups": [{"key": key, "total": money(minor, base), "engagement_count": count}
                   for key, minor, count in page],
        "unconverted": [{
            "engagement_id": row["engagement_id"], "account_id": row["account_id"],
            "kind": row["kind"], "occurred_at": rfc3339(row["occurred_at"]),
            "cost": {"amount": row["cost_amount"], "currency": row["cost_currency"]},
        } for row in unconverted],
    }
    return report if limit is None else report | {"group_count": group_count}


class _SpendFilter:
    """The account, window and reach of a spend read, as SQL on the current tables (each
    has the ``account_id`` and, but for the kept totals, ``occurred_at`` columns)."""

    def __init__(self, account_id: str | None, start: str | None, end: str | None,
                 reach: Reach) -> None:
        self.clauses = [clause for clause, value in (
            ("account_id = ?", account_id), ("occurred_at >= ?", start),
            ("occurred_at <= ?", end)) if value is not None]
        self.params: list[Any] = [value for value in (account_id, start, end)
                                  if value is not None]
        if not reach.everything:
            within, reached = reach_clause(reach)
            self.clauses.append(within)
            self.params += reached

    def __call__(self, *extra: str, alias: str = "") -> str:
        return " AND ".join(alias + clause for clause in [*self.clauses, *extra]) or "1 = 1"


Group = tuple[str | None, int, int]
"""A spend group: key, base minor units, engagements counted."""


def _aggregated(db: sqlite_utils.Database, group_by: str, where: _SpendFilter) -> list[Group]:
    """Every group, summed from the current engagements (or shares) ``where`` selects."""
    params = where.params
    if group_by == "stakeholder":
        # Through the engagements' valid-time index: only the window's shares are read.
        grouped = list(db.conn.execute(
            "SELECT s.stakeholder_id, SUM(s.base_minor), COUNT(*) FROM current_engagements c "
            f"JOIN current_shares s USING (engagement_id) WHERE {where(alias='c.')} "
            "AND s.base_minor IS NOT NULL GROUP BY s.stakeholder_id", params))
        return grouped + _unallocated(db, where)
    return list(db.conn.execute(
        f"SELECT {_KEYS[group_by]} AS k, SUM(base_minor), COUNT(*) FROM "
        f"current_engagements WHERE {where('voided = 0', 'base_minor IS NOT NULL')} "
        "GROUP BY k", params))


def _unallocated(db: sqlite_utils.Database, where: _SpendFilter) -> list[Group]:
    """The group of costs without participants (key None), when there are any."""
    return [row for row in db.conn.execute(
        "SELECT NULL, SUM(base_minor), COUNT(*) FROM current_engagements WHERE "
        f"{where('voided = 0', 'base_minor IS NOT NULL', 'participant_count = 0')}",
        where.params) if row[2]]


def _accounts_kept(db: sqlite_utils.Database, where: _SpendFilter,
                   after: tuple[int, str] | None,
                   limit: int | None) -> tuple[list[Group], int, int]:
    """A page of the per-account totals kept in ``current_accounts``, their number and
    their sum."""
    kept = where("engagement_count > 0")
    page: list[Group] = []
    if after is None or after[0] == 0:
        page = list(db.conn.execute(
            "SELECT account_id, base_minor, engagement_count FROM current_accounts "
            f"WHERE {kept} AND account_id > ? ORDER BY account_id"
            + ("" if limit is None else f" LIMIT {int(limit)}"),
            [*where.params, after[1] if after else ""]))
    return page, *_accounts_total(db, where)


def _accounts_total(db: sqlite_utils.Database, where: _SpendFilter) -> tuple[int, int]:
    """How many accounts ``where`` selects have spend, and their total spend: for every
    account, as ``spend_totals`` keeps them."""
    if not where.clauses:
        kept = db.conn.execute("SELECT account_count, base_minor FROM spend_totals "
                               "WHERE base_currency = ?", [base_currency(db)]).fetchone()
        if kept is not None:
            return kept[0], kept[1]
    count, total = db.conn.execute(
        "SELECT COUNT(*) FILTER (WHERE engagement_count > 0), COALESCE(SUM(base_minor), 0) "
        f"FROM current_accounts WHERE {where()}", where.params).fetchone()
    return count, total


def _people_kept(db: sqlite_utils.Database, where: _SpendFilter,
                 after: tuple[int, str] | None,
                 limit: int | None) -> tuple[list[Group], int, int]:
    """A page of the per-person totals kept in ``current_stakeholders`` (then the costs
    without participants), their number and the total spend.

    A person's group counts their converted shares: their engagements less the shares
    still without a rate, which the few unconverted engagements name."""
    unconverted: dict[str, int] = dict(db.conn.execute(
        "SELECT stakeholder_id, COUNT(*) FROM current_shares WHERE engagement_id IN ("
        "SELECT engagement_id FROM current_engagements WHERE base_minor IS NULL "
        f"AND voided = 0) AND {where('base_minor IS NULL')} GROUP BY stakeholder_id",
        where.params).fetchall())
    kept = where("engagement_count > 0")
    page: list[Group] = []
    if after is None or after[0] == 0:
        for sid, minor, count in db.conn.execute(
                "SELECT stakeholder_id, spend_minor, engagement_count FROM "
                f"current_stakeholders WHERE {kept} AND stakeholder_id > ? "
                "ORDER BY stakeholder_id", [*where.params, after[1] if after else ""]):
            if limit is not None and len(page) == limit:
                break
            if count > unconverted.get(sid, 0):
                page.append((sid, minor, count - unconverted.get(sid, 0)))
    unallocated = _unallocated(db, where)
    if (after is None or after[0] == 0) and (limit is None or len(page) < limit):
        page += unallocated
    people = db.conn.execute(f"SELECT COUNT(*) FROM current_stakeholders WHERE {kept}",
                             where.params).fetchone()[0]
    only_unconverted = [sid for sid, n in unconverted.items() if db.conn.execute(
        "SELECT engagement_count FROM current_stakeholders WHERE stakeholder_id = ?",
        [sid]).fetchone() == (n,)]
    total = _accounts_total(db, where)[1]
    return page, people - len(only_unconverted) + len(unallocated), total


def _state(row: dict[str, Any]) -> StakeholderState:
    return StakeholderState(row["stakeholder_id"], row["account_id"], {}, role=row["role"],
                            attitude=row["attitude"], departed=bool(row["departed"]))


def _identity(row: dict[str, Any]) -> dict[str, Any]:
    return {"name": row["name"], "title": row["title"], "department": row["department"],
            "public_official": bool(row["public_official"]),
            "forgotten": bool(row["forgotten"])}


def _stale(row: dict[str, Any], at: Point) -> bool:
    if row["layer"] != "key" or row["departed"]:
        return False
    last = row["last_engagement_at"]
    return last is None or last < shift(at.as_of, -STALE_DAYS)

