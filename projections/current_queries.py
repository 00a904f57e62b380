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


def accounts_now(db: sqlite_utils.Database, at: Point,
                 reach: Reach = EVERYWHERE) -> dict[str, Any]:
    """:func:`projections.queries.list_accounts` at now."""
    base = base_currency(db)
    since = shift(at.as_of, -STAGE_DAYS)
    sums = {row[0]: row[1:] for row in db.conn.execute(
        "SELECT account_id, base_minor, weighted_attitude, role_weight, deciders_won, "
        "deciders, communication_at, matching_at, joint_at, recognition_at "
        "FROM current_accounts")}
    rows = []
    for account in load_accounts(db, at, reach=reach):
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


_KEYS = {"account": "account_id", "owner": "owner", "kind": "kind",
         "month": "substr(occurred_at, 1, 7)", "opportunity": "opportunity_id"}


def spend_now(db: sqlite_utils.Database, group_by: str, start: datetime | None,
              end: datetime | None, account_id: str | None, at: Point,
              reach: Reach = EVERYWHERE) -> dict[str, Any]:
    """The groups, total and unconverted list of :func:`projections.spend.spend_report`."""
    base = base_currency(db)
    filters: list[tuple[str, Any]] = [(column, value) for column, value in (
        ("account_id = ?", account_id), ("occurred_at >= ?", stamp(start) if start else None),
        ("occurred_at <= ?", stamp(end) if end else None)) if value is not None]
    params = [value for _, value in filters]
    if not reach.everything:  # every table below has the account_id column
        within, reached = reach_clause(reach)
        filters.append((within, None))
        params += reached

    def where(*extra: str, alias: str = "") -> str:
        return " AND ".join([alias + column for column, _ in filters]
                            + [alias + clause for clause in extra]) or "1 = 1"

    if group_by == "account" and start is None and end is None:
        # Kept per account as events arrive: no scan of the engagements.
        grouped = [row for row in db.conn.execute(
            "SELECT account_id, base_minor, engagement_count FROM current_accounts "
            f"WHERE {where()}", params) if row[2]]
    elif group_by == "stakeholder":
        grouped = list(db.conn.execute(
            "SELECT stakeholder_id, SUM(base_minor), COUNT(*) FROM current_shares "
            f"WHERE {where('base_minor IS NOT NULL')} GROUP BY stakeholder_id", params))
        grouped += [row for row in db.conn.execute(
            "SELECT NULL, SUM(base_minor), COUNT(*) FROM current_engagements WHERE "
            f"{where('voided = 0', 'base_minor IS NOT NULL', 'participant_count = 0')}",
            params) if row[2]]
    else:
        grouped = list(db.conn.execute(
            f"SELECT {_KEYS[group_by]} AS k, SUM(base_minor), COUNT(*) FROM "
            f"current_engagements WHERE {where('voided = 0', 'base_minor IS NOT NULL')} "
            "GROUP BY k", params))
    if group_by == "account" and start is None and end is None:
        total = sum(minor for _, minor, _ in grouped)
    else:
        total = db.conn.execute(
            "SELECT SUM(base_minor) FROM current_engagements "
            f"WHERE {where('voided = 0', 'base_minor IS NOT NULL')}", params).fetchone()[0] or 0
    unconverted = row_dict(db.conn.execute(
        "SELECT c.engagement_id, c.account_id, c.kind, c.occurred_at, c.cost_amount, "
        "c.cost_currency FROM current_engagements c JOIN engagements e USING (engagement_id) "
        f"WHERE {where('voided = 0', 'base_minor IS NULL', alias='c.')} "
        "ORDER BY c.occurred_at, e.position", params))
    return {
        "total": money(total, base),
        "groups": [{"key": key, "total": money(minor, base), "engagement_count": count}
                   for key, minor, count in sorted(grouped, key=lambda g: (g[0] is None,
                                                                          g[0] or ""))],
        "unconverted": [{
            "engagement_id": row["engagement_id"], "account_id": row["account_id"],
            "kind": row["kind"], "occurred_at": rfc3339(row["occurred_at"]),
            "cost": {"amount": row["cost_amount"], "currency": row["cost_currency"]},
        } for row in unconverted],
    }


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

