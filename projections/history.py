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
from projections.current import base_currency, money
from projections.current_queries import reference_settled
from projections.engagements import Engagement, engagement_ids_of, in_base, load_engagements
from projections.paging import PageRequest, Pinned, cut, pin
from projections.people import StakeholderState, load_stakeholder
from projections.reference import Reference, load_reference
from projections.tables import select
from projections.timeaxis import Point, rfc3339

_STATE = ("role", "attitude", "layer", "rising_star", "departed", "reason", "observed_by")


def stakeholder_history(db: sqlite_utils.Database, stakeholder_id: str, *,
                        as_of: datetime | None = None, known_at: datetime | None = None,
                        reach: Reach = EVERYWHERE,
                        page: PageRequest | None = None) -> dict[str, Any]:
    """Every step of the stakeholder up to ``as_of``, with the running state after it
    (``page``: one page of the steps, with ``count`` and ``next_cursor``).

    A read at now whose point sees every step as the ``history_steps`` table holds them
    reads only its page from that table (:func:`history_now`); any other point folds
    the person's history."""
    pinned = pin(db, page, ["history", stakeholder_id], as_of, known_at)
    if pinned.current:
        answer = history_now(db, stakeholder_id, pinned, reach)
        if answer is not None:
            return answer
    return folded_history(db, stakeholder_id, pinned, reach)


def folded_history(db: sqlite_utils.Database, stakeholder_id: str, pinned: Pinned,
                   reach: Reach = EVERYWHERE) -> dict[str, Any]:
    """:func:`stakeholder_history` at any pinned point, folded from the history tables."""
    at = pinned.at
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
    rendered: list[tuple[tuple[str, int], dict[str, Any]]] = []
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
        rendered.append((step["_key"], _rendered(
            step, step["change"], running["role"], running["attitude"],
            running["ladder_level"], reference.money(running["total_spend"]))))
    answer: dict[str, Any] = {"stakeholder_id": stakeholder_id,
                              "account_id": state.account_id, **at.rendered(),
                              "currency": reference.base_currency}
    shown, next_cursor = cut(rendered, lambda keyed: keyed[0], pinned)
    answer["steps"] = [step for _, step in shown]
    if pinned.limit is not None:
        answer |= {"count": len(rendered), "next_cursor": next_cursor}
    return answer


def history_now(db: sqlite_utils.Database, stakeholder_id: str, pinned: Pinned,
                reach: Reach = EVERYWHERE) -> dict[str, Any] | None:
    """:func:`stakeholder_history` from the ``history_steps`` table: only the page's
    rows and their history rows are read. None when the table does not hold exactly the
    history at the pinned point (a step, policy or rate later than it, in either time) or
    the person is unknown there (the fold then answers, or says why not)."""
    at = pinned.at
    found = db.conn.execute("SELECT account_id FROM stakeholders WHERE stakeholder_id = ?",
                            [stakeholder_id]).fetchone()
    last = db.conn.execute(
        "SELECT step, seen_occurred_at, seen_recorded_at, base_currency FROM history_steps "
        "WHERE stakeholder_id = ? ORDER BY occurred_at DESC, position DESC LIMIT 1",
        [stakeholder_id]).fetchone()
    if found is None or not reach.covers(found[0]) or last is None:
        return None
    count, seen_occurred_at, seen_recorded_at, base = last
    if (seen_occurred_at > at.as_of or seen_recorded_at > at.known_at
            or base != base_currency(db) or not reference_settled(db, at)):
        return None
    after = pinned.after or ("", 0)
    sql = ("SELECT occurred_at, position, event_type, role, attitude, ladder_level, "
           "spend_minor FROM history_steps WHERE stakeholder_id = ? "
           "AND (occurred_at, position) > (?, ?) ORDER BY occurred_at, position")
    params: list[Any] = [stakeholder_id, *after]
    if pinned.limit is not None:
        sql += " LIMIT ?"
        params.append(pinned.limit + 1)
    rows = db.conn.execute(sql, params).fetchall()
    sources = _history_rows(db, [(event_type, position) for _, position, event_type, *_
                                 in rows])
    rendered = []
    for occurred_at, position, event_type, role, attitude, ladder, spend in rows:
        row = sources[position]
        rendered.append(((occurred_at, position), _rendered(
            {"_key": (occurred_at, position), "recorded_at": row["recorded_at"],
             "event_id": row["event_id"], "type": event_type}, change_of(row),
            role, attitude, ladder, money(spend, base))))
    shown, next_cursor = cut(rendered, lambda keyed: keyed[0], pinned)
    answer: dict[str, Any] = {"stakeholder_id": stakeholder_id, "account_id": found[0],
                              **at.rendered(), "currency": base,
                              "steps": [step for _, step in shown]}
    if pinned.limit is not None:
        answer |= {"count": count, "next_cursor": next_cursor}
    return answer


_VERSION = ("engagement_id", "kind", "participants", "cost_amount", "cost_currency",
            "location", "changes", "reason")
_SOURCES = {
    "engagement.recorded": ("engagement_versions", _VERSION),
    "engagement.corrected": ("engagement_versions", _VERSION),
    "engagement.voided": ("engagement_voids", ("engagement_id", "reason")),
    "engagement.approved": ("engagement_approvals", ("engagement_id", "approval_ref",
                                                     "approver")),
    "opportunity.stakeholder_placed": ("opportunity_changes", ("opportunity_id",
                                                               "fishbone_group", "proximity")),
}
"""The history table each type of step's event writes, and the columns its ``change``
reads (a stakeholder's own changes: ``stakeholder_changes``)."""


def _history_rows(db: sqlite_utils.Database,
                  steps: list[tuple[str, int]]) -> dict[int, dict[str, Any]]:
    """The history row of each (event_type, position), by position: one query a table."""
    positions: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for event_type, position in steps:
        source = _SOURCES.get(event_type, ("stakeholder_changes", _STATE))
        positions.setdefault(source, []).append(position)
    found: dict[int, dict[str, Any]] = {}
    for (table, columns), keys in sorted(positions.items()):
        names = ("position", "event_type", "event_id", "recorded_at", *columns)
        for row in db.conn.execute(f"SELECT {', '.join(names)} FROM {table} WHERE position "
                                   f"IN ({', '.join('?' * len(keys))})", keys):
            found[row[0]] = dict(zip(names, row, strict=True))
    return found


def _rendered(step: dict[str, Any], change: dict[str, Any], role: str | None,
              attitude: int | None, ladder_level: int, total_spend: str | None
              ) -> dict[str, Any]:
    """One step of the answer, with the running figures after it."""
    return {
        "occurred_at": rfc3339(step["_key"][0]), "recorded_at": rfc3339(step["recorded_at"]),
        "position": step["_key"][1], "event_id": step["event_id"], "type": step["type"],
        "change": change, "role": role, "attitude": attitude, "ladder_level": ladder_level,
        "total_spend": total_spend,
    }


def change_of(row: dict[str, Any]) -> dict[str, Any]:
    """What a step's history row says changed (SPEC §5.3 ``change``)."""
    event_type = row["event_type"]
    if event_type == "opportunity.stakeholder_placed":
        return {"opportunity_id": row["opportunity_id"], "group": row["fishbone_group"],
                "proximity": row["proximity"]}
    if event_type == "engagement.recorded":
        return {"engagement_id": row["engagement_id"], "kind": row["kind"],
                "participants": json.loads(row["participants"]), "cost": _money(row),
                "location": row["location"]}
    if event_type == "engagement.corrected":
        return {"engagement_id": row["engagement_id"], "changes": json.loads(row["changes"]),
                "reason": row["reason"]}
    if event_type == "engagement.voided":
        return {"engagement_id": row["engagement_id"], "reason": row["reason"]}
    if event_type == "engagement.approved":
        return {"engagement_id": row["engagement_id"], "approval_ref": row["approval_ref"],
                "approver": row["approver"]}
    return _state_values(row)


def _step(row: dict[str, Any], *, state: dict[str, Any] | None = None,
          ladder: int = 0, spend: Decimal | None = None) -> dict[str, Any]:
    return {
        "_key": (row["occurred_at"], row["position"]), "recorded_at": row["recorded_at"],
        "event_id": row["event_id"], "type": row["event_type"], "change": change_of(row),
        "_state": state or {}, "_ladder": ladder, "_spend": spend or Decimal(0),
    }


def _state_values(row: dict[str, Any]) -> dict[str, Any]:
    values = {name: row[name] for name in _STATE if row[name] is not None}
    for flag in ("rising_star", "departed"):
        if flag in values:
            values[flag] = bool(values[flag])
    return values


def _state_steps(state: StakeholderState) -> list[dict[str, Any]]:
    return [_step(row, state=_state_values(row)) for row in state.changes]


def _placement_steps(db: sqlite_utils.Database, stakeholder_id: str,
                     at: Point) -> list[dict[str, Any]]:
    # Only on opportunities opened at the point: a placement back-dated before its
    # opportunity's opening is not part of the past before that opening.
    rows = select(db,
        "SELECT c.* FROM opportunity_changes c JOIN opportunities o USING (opportunity_id) "
        "WHERE c.stakeholder_id = ? AND c.occurred_at <= ? AND c.recorded_at <= ? "
        "AND o.opened_occurred_at <= ? AND o.opened_recorded_at <= ?",
        [stakeholder_id, at.as_of, at.known_at, at.as_of, at.known_at])
    return [_step(row) for row in rows]


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
                steps.append(_step(row, ladder=ladder, spend=spend))
            else:
                steps.append(_step(row))
        steps += [_step(row) for row in engagement.voids + engagement.approvals
                  if row["occurred_at"] <= as_of]
    return steps


def _money(row: dict[str, Any]) -> dict[str, str] | None:
    if row["cost_amount"] is None:
        return None
    return {"amount": row["cost_amount"], "currency": row["cost_currency"]}
