"""A stakeholder's history (SPEC §5.3 ``history``): one step per event that names them.

Steps are ordered by occurred_at (ties: position). The running ``role``, ``attitude``,
``ladder_level`` and ``total_spend`` after each step are the figures at that step's
valid time as known at ``known_at``; so a known correction or void already shows from
the engagement's own step on (SPEC §4.8), and its own step records when it was made.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlite_utils

from ledger.contract.vocabulary import LADDER_LEVELS
from ledger.domain.reach import EVERYWHERE, Reach
from projections.engagements import Engagement, engagement_ids_of, in_base, load_engagements
from projections.people import StakeholderState, load_stakeholder
from projections.reference import Reference, load_reference
from projections.tables import select
from projections.timeaxis import Point, point, rfc3339

_STATE = ("role", "attitude", "layer", "rising_star", "departed", "reason", "observed_by")


def stakeholder_history(db: sqlite_utils.Database, stakeholder_id: str, *,
                        as_of: datetime | None = None, known_at: datetime | None = None,
                        reach: Reach = EVERYWHERE) -> dict[str, Any]:
    """Every step of the stakeholder up to ``as_of``, with the running state after it."""
    at = point(as_of, known_at)
    state = load_stakeholder(db, stakeholder_id, at, reach)
    reference = load_reference(db, at)
    engagements = load_engagements(db, at,
                                   engagement_ids=engagement_ids_of(db, stakeholder_id, at))
    steps = sorted(
        _state_steps(state) + _placement_steps(db, stakeholder_id, at)
        + _engagement_steps(engagements, stakeholder_id, reference, at.as_of),
        key=lambda step: (step["_key"]))
    running: dict[str, Any] = {"role": None, "attitude": None, "ladder_level": 0,
                               "total_spend": Decimal(0)}
    rendered = []
    for step in steps:
        registration = step["type"] == "stakeholder.registered"
        for name in ("role", "attitude"):
            # A change that occurred before a late-entered registration still wins over
            # the registered value, as in the stakeholder's own figures.
            if step["_state"].get(name) is not None and not (
                    registration and running[name] is not None):
                running[name] = step["_state"][name]
        running["ladder_level"] = max(running["ladder_level"], step["_ladder"])
        running["total_spend"] += step["_spend"]
        rendered.append({
            "occurred_at": rfc3339(step["_key"][0]), "recorded_at": rfc3339(step["recorded_at"]),
            "position": step["_key"][1], "event_id": step["event_id"], "type": step["type"],
            "change": step["change"], "role": running["role"], "attitude": running["attitude"],
            "ladder_level": running["ladder_level"],
            "total_spend": reference.money(running["total_spend"]),
        })
    return {"stakeholder_id": stakeholder_id, "account_id": state.account_id,
            **at.rendered(), "currency": reference.base_currency, "steps": rendered}


def _step(row: dict[str, Any], change: dict[str, Any], *, state: dict[str, Any] | None = None,
          ladder: int = 0, spend: Decimal | None = None) -> dict[str, Any]:
    return {
        "_key": (row["occurred_at"], row["position"]), "recorded_at": row["recorded_at"],
        "event_id": row["event_id"], "type": row["event_type"], "change": change,
        "_state": state or {}, "_ladder": ladder, "_spend": spend or Decimal(0),
    }


def _state_steps(state: StakeholderState) -> list[dict[str, Any]]:
    steps = []
    for row in state.changes:
        values = {name: row[name] for name in _STATE if row[name] is not None}
        for flag in ("rising_star", "departed"):
            if flag in values:
                values[flag] = bool(values[flag])
        steps.append(_step(row, values, state=values))
    return steps


def _placement_steps(db: sqlite_utils.Database, stakeholder_id: str,
                     at: Point) -> list[dict[str, Any]]:
    # Only on opportunities opened at the point: a placement back-dated before its
    # opportunity's opening is not part of the past before that opening.
    rows = select(db,
        "SELECT c.* FROM opportunity_changes c JOIN opportunities o USING (opportunity_id) "
        "WHERE c.stakeholder_id = ? AND c.occurred_at <= ? AND c.recorded_at <= ? "
        "AND o.opened_occurred_at <= ? AND o.opened_recorded_at <= ?",
        [stakeholder_id, at.as_of, at.known_at, at.as_of, at.known_at])
    return [_step(row, {"opportunity_id": row["opportunity_id"], "group": row["fishbone_group"],
                        "proximity": row["proximity"]}) for row in rows]


def _engagement_steps(engagements: list[Engagement], stakeholder_id: str,
                      reference: Reference, as_of: str) -> list[dict[str, Any]]:
    steps = []
    for engagement in engagements:
        counts = not engagement.voided and stakeholder_id in engagement.participants
        cost = in_base(engagement, reference) if counts else None
        ladder = LADDER_LEVELS.get(engagement.kind, 0) if counts else 0
        spend = cost.shares.get(stakeholder_id, Decimal(0)) if cost else Decimal(0)
        for row in engagement.versions:
            if row["occurred_at"] > as_of:
                continue
            if row["event_type"] == "engagement.recorded":
                change = {"engagement_id": engagement.engagement_id, "kind": row["kind"],
                          "participants": json.loads(row["participants"]),
                          "cost": _money(row), "location": row["location"]}
                steps.append(_step(row, change, ladder=ladder, spend=spend))
            else:
                steps.append(_step(row, {"engagement_id": engagement.engagement_id,
                                         "changes": json.loads(row["changes"]),
                                         "reason": row["reason"]}))
        for row in engagement.voids:
            if row["occurred_at"] <= as_of:
                steps.append(_step(row, {"engagement_id": engagement.engagement_id,
                                         "reason": row["reason"]}))
        for row in engagement.approvals:
            if row["occurred_at"] <= as_of:
                steps.append(_step(row, {"engagement_id": engagement.engagement_id,
                                         "approval_ref": row["approval_ref"],
                                         "approver": row["approver"]}))
    return steps


def _money(row: dict[str, Any]) -> dict[str, str] | None:
    if row["cost_amount"] is None:
        return None
    return {"amount": row["cost_amount"], "currency": row["cost_currency"]}
