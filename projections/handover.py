"""The handover brief of SPEC §6 as data (the API and CLI render it as JSON, Markdown or HTML)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlite_utils

from ledger.contract.vocabulary import REMEDIES, ROLE_WEIGHTS
from ledger.domain.reach import EVERYWHERE, Reach
from projections.compliance import evaluate, public_officials
from projections.engagements import load_engagements
from projections.figures import (
    decision_coverage,
    org_stage,
    person_figures,
    relationship_score,
)
from projections.people import load_account, load_opportunities, load_stakeholders, load_team
from projections.queries import fishbone_of
from projections.reference import load_reference
from projections.spend import summarise
from projections.timeaxis import Point, point, rfc3339, shift

YEAR_DAYS = 365
TOP = 10


def handover_brief(db: sqlite_utils.Database, account_id: str, *,
                   as_of: datetime | None = None, known_at: datetime | None = None,
                   reach: Reach = EVERYWHERE) -> dict[str, Any]:
    """Everything a new account manager needs about one account at one point (SPEC §6)."""
    at = point(as_of, known_at)
    account = load_account(db, account_id, at, reach)
    reference = load_reference(db, at)
    states = load_stakeholders(db, at, account_id=account_id)
    present = {sid: s for sid, s in states.items() if not s.departed}
    engagements = load_engagements(db, at, account_id=account_id)
    figures = person_figures(states, engagements, reference)
    earlier = Point(shift(at.as_of, -90), at.known_at)
    year_ago = shift(at.as_of, -YEAR_DAYS)
    last_year = [e for e in engagements if e.occurred_at >= year_ago]
    key_people = {sid: s for sid, s in present.items() if s.layer == "key"}
    by_stakeholder = summarise(last_year, "stakeholder", reference)
    by_stakeholder["groups"] = sorted(
        by_stakeholder["groups"], key=lambda g: (-Decimal(g["total"]), g["key"] or ""))[:TOP]
    flags = evaluate(engagements, reference, public_officials(db, account_id), at.as_of)
    return {
        "account_id": account_id, "name": account["name"], **at.rendered(),
        "currency": reference.base_currency, "tier": account["tier"],
        "team": load_team(db, account_id, at),
        "org_stage": org_stage(engagements, at.as_of),
        "score": relationship_score(present.values()),
        "score_90_days_earlier": relationship_score(
            s for s in load_stakeholders(db, earlier, account_id=account_id).values()
            if not s.departed),
        "decision_coverage": decision_coverage(present.values()),
        "grid": _grid(present),
        "names": {sid: s.identity["name"] for sid, s in present.items()},
        "coaches": [sid for sid, s in present.items() if s.attitude == 3],
        "opponents": [sid for sid, s in present.items() if s.attitude == -1],
        "stale_key_relationships": [
            sid for sid, s in key_people.items() if figures[sid].is_stale(s, at.as_of)],
        "weak_key_people": [
            {"stakeholder_id": sid, "attitude": s.attitude, "role": s.role,
             "remedies": _remedies(sid, last_year)}
            for sid, s in key_people.items() if s.attitude <= 0],
        "opportunities": [
            {"opportunity_id": oid, **fishbone_of(opportunity, states)}
            for oid, opportunity in load_opportunities(db, at, account_id=account_id).items()
            if opportunity["status"] == "open"],
        "spend_last_12_months": {
            "from": rfc3339(year_ago), "to": rfc3339(at.as_of),
            "by_kind": summarise(last_year, "kind", reference),
            "by_stakeholder": by_stakeholder,
        },
        "open_flags": [_public(f) for f in flags if f["open"]],
        "trajectories": {
            sid: [{"occurred_at": rfc3339(row["occurred_at"]), "attitude": row["attitude"]}
                  for row in s.changes if row["attitude"] is not None]
            for sid, s in key_people.items()},
    }


def _grid(present: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    """Role (heaviest first) × attitude (−1…3) → stakeholder ids."""
    grid: dict[str, dict[str, list[str]]] = {role: {str(a): [] for a in range(-1, 4)}
            for role in sorted(ROLE_WEIGHTS, key=lambda r: -ROLE_WEIGHTS[r])}
    for sid, state in present.items():
        grid[state.role][str(state.attitude)].append(sid)
    return grid


def _remedies(stakeholder_id: str, last_year: list[Any]) -> list[str]:
    """The remedies not used on the stakeholder in the last 365 days (SPEC §2.4)."""
    used = {e.kind for e in last_year
            if not e.voided and stakeholder_id in e.participants and e.kind in REMEDIES}
    return [kind for kind in REMEDIES if kind not in used]


def _public(flag: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in flag.items() if not name.startswith("_")}
