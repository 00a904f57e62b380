"""Accounts, stakeholders and opportunities as they stood at a point (SPEC §4.8).

Each is a small fold over that entity's own history rows, read through an index
(valid time ``occurred_at`` ≤ as_of, transaction time ``recorded_at`` ≤ known_at,
order ``occurred_at`` then ``position``): cost grows with the entity's history,
not with the log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from ledger.domain.reach import EVERYWHERE, Reach
from projections.errors import UnknownAccount, UnknownOpportunity, UnknownStakeholder
from projections.tables import select
from projections.timeaxis import Point

_STATE_FIELDS = ("role", "attitude", "layer", "rising_star", "departed")


@dataclass
class StakeholderState:
    """A stakeholder's identity and state at a point, with the change rows that made it."""

    stakeholder_id: str
    account_id: str
    identity: dict[str, Any]
    role: str = "influencer"
    attitude: int = 0
    initial_attitude: int = 0
    layer: str = "general"
    rising_star: bool = False
    departed: bool = False
    last_attitude_change_at: str | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)

    def apply(self, row: dict[str, Any]) -> None:
        """Apply one change row (registration or later change)."""
        for name in _STATE_FIELDS:
            if row[name] is not None:
                value = row[name]
                setattr(self, name, bool(value) if name in ("rising_star", "departed") else value)
        if row["event_type"] == "stakeholder.registered":
            self.initial_attitude = row["attitude"]
        elif row["event_type"] == "stakeholder.attitude_changed":
            self.last_attitude_change_at = row["occurred_at"]
        self.changes.append(row)


def load_stakeholders(
    db: sqlite_utils.Database, at: Point, *, account_id: str | None = None,
    stakeholder_id: str | None = None,
) -> dict[str, StakeholderState]:
    """Stakeholders registered at the point, departed ones included, keyed by id
    (one stakeholder, one account's, or with neither filter every account's)."""
    where, params = _filter(stakeholder_id=stakeholder_id, account_id=account_id)
    states: dict[str, StakeholderState] = {}
    identities = {row["stakeholder_id"]: row for row in select(db,
        f"SELECT * FROM stakeholders WHERE {where}", params)}
    # Registration first: a change that occurred before a late-entered registration
    # still applies on top of the registered values.
    for row in select(db,
        f"SELECT * FROM stakeholder_changes WHERE {where} AND occurred_at <= ? "
        "AND recorded_at <= ? ORDER BY event_type != 'stakeholder.registered', "
        "occurred_at, position", [*params, at.as_of, at.known_at],
    ):
        sid = row["stakeholder_id"]
        if row["event_type"] == "stakeholder.registered":
            states[sid] = StakeholderState(sid, row["account_id"], identities[sid])
        if sid in states:
            states[sid].apply(row)
    return dict(sorted(states.items()))


def load_stakeholder(db: sqlite_utils.Database, stakeholder_id: str,
                     at: Point, reach: Reach = EVERYWHERE) -> StakeholderState:
    """One stakeholder at the point; :class:`UnknownStakeholder` when not registered then
    (or when the person's account is out of ``reach``)."""
    states = load_stakeholders(db, at, stakeholder_id=stakeholder_id)
    if stakeholder_id not in states or not reach.covers(states[stakeholder_id].account_id):
        raise UnknownStakeholder(f"no stakeholder {stakeholder_id!r} at {at.as_of} "
                                 f"as known at {at.known_at}")
    return states[stakeholder_id]


def load_accounts(db: sqlite_utils.Database, at: Point,
                  account_id: str | None = None,
                  reach: Reach = EVERYWHERE) -> list[dict[str, Any]]:
    """Accounts registered at the point (and within ``reach``), each with its ``tier``
    then, ordered by id."""
    where, params = "registered_occurred_at <= ? AND registered_recorded_at <= ?", [
        at.as_of, at.known_at]
    if account_id is not None:
        where += " AND account_id = ?"
        params.append(account_id)
    within, reached = reach_clause(reach)
    where += f" AND {within}"
    params += reached
    # The tier is the last change applied: registration first, then by occurred_at and
    # position. Looked up per account through its index, so the cost follows the
    # accounts, not the number of tier changes in the log.
    return list(select(db,
        "SELECT a.*, (SELECT t.tier FROM account_tier_changes t "
        "WHERE t.account_id = a.account_id AND t.occurred_at <= ? AND t.recorded_at <= ? "
        "ORDER BY t.event_type != 'account.registered' DESC, t.occurred_at DESC, "
        f"t.position DESC LIMIT 1) AS tier FROM accounts a WHERE {where} "
        "ORDER BY a.account_id", [at.as_of, at.known_at, *params]))


def load_account(db: sqlite_utils.Database, account_id: str, at: Point,
                 reach: Reach = EVERYWHERE) -> dict[str, Any]:
    """One account at the point; :class:`UnknownAccount` when not registered then (or out
    of ``reach``: the same answer, so a team token cannot tell the two apart)."""
    found = load_accounts(db, at, account_id, reach)
    if not found:
        raise UnknownAccount(f"no account {account_id!r} at {at.as_of} "
                             f"as known at {at.known_at}")
    return found[0]


def load_team(db: sqlite_utils.Database, account_id: str,
              at: Point) -> dict[str, Any] | None:
    """The account's team at the point (the latest ``account.team_set`` by occurred_at,
    then position): ``{owner, members}``, or None when it has had none."""
    found = list(select(db,
        "SELECT owner, members FROM account_teams WHERE account_id = ? AND occurred_at <= ? "
        "AND recorded_at <= ? ORDER BY occurred_at DESC, position DESC LIMIT 1",
        [account_id, at.as_of, at.known_at]))
    if not found:
        return None
    return {"owner": found[0]["owner"], "members": json.loads(found[0]["members"])}


def load_opportunities(
    db: sqlite_utils.Database, at: Point, *, account_id: str | None = None,
    opportunity_id: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Opportunities opened at the point with ``status`` and ``placements``
    ({stakeholder_id: (group, proximity)}; re-placing moves a stakeholder)."""
    where, params = _filter(opportunity_id=opportunity_id, account_id=account_id)
    identities = {row["opportunity_id"]: row for row in select(db,
        f"SELECT * FROM opportunities WHERE {where}", params)}
    found: dict[str, dict[str, Any]] = {}
    for row in select(db,
        f"SELECT * FROM opportunity_changes WHERE {where} AND occurred_at <= ? "
        "AND recorded_at <= ? ORDER BY event_type != 'opportunity.opened', occurred_at, "
        "position", [*params, at.as_of, at.known_at],
    ):
        oid = row["opportunity_id"]
        if row["event_type"] == "opportunity.opened":
            found[oid] = {**identities[oid], "status": "open", "placements": {}}
        elif oid not in found:
            continue
        elif row["event_type"] == "opportunity.closed":
            found[oid]["status"] = row["outcome"]
        else:
            found[oid]["placements"][row["stakeholder_id"]] = (row["fishbone_group"],
                                                               row["proximity"])
    return dict(sorted(found.items()))


def load_opportunity(db: sqlite_utils.Database, opportunity_id: str,
                     at: Point, reach: Reach = EVERYWHERE) -> dict[str, Any]:
    """One opportunity at the point; :class:`UnknownOpportunity` when not opened then (or
    its account is out of ``reach``)."""
    found = load_opportunities(db, at, opportunity_id=opportunity_id)
    if opportunity_id not in found or not reach.covers(found[opportunity_id]["account_id"]):
        raise UnknownOpportunity(f"no opportunity {opportunity_id!r} at {at.as_of} "
                                 f"as known at {at.known_at}")
    return found[opportunity_id]


def reach_clause(reach: Reach, column: str = "account_id") -> tuple[str, list[str]]:
    """An SQL condition (and its parameters) that keeps the rows of accounts in ``reach``."""
    if reach.accounts is None:
        return "1 = 1", []
    # An empty reach gives SQLite's empty list, which nothing is in.
    return f"{column} IN ({', '.join('?' * len(reach.accounts))})", sorted(reach.accounts)


def _filter(**equal: str | None) -> tuple[str, list[str]]:
    given = {column: value for column, value in equal.items() if value is not None}
    if not given:
        return "1 = 1", []
    return " AND ".join(f"{column} = ?" for column in given), list(given.values())
