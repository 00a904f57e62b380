"""Read API for the power map and stakeholder reads of SPEC §5.2, in the §5.3 shapes.

Every function takes the views' :class:`sqlite_utils.Database` and the bitemporal
point (``as_of`` valid time, ``known_at`` transaction time; aware datetimes, ``None``
= now) and returns plain JSON-able dicts. Money is a string in the base currency.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlite_utils

from ledger.contract.vocabulary import GROUPS, ROLE_WEIGHTS
from ledger.domain.reach import EVERYWHERE, Reach
from projections.current_queries import accounts_now, power_map_now, stakeholder_now
from projections.engagements import Engagement, engagement_ids_of, in_base, load_engagements
from projections.figures import (
    PersonFigures,
    decision_coverage,
    org_stage,
    person_figures,
    relationship_score,
)
from projections.people import (
    StakeholderState,
    load_account,
    load_accounts,
    load_opportunity,
    load_stakeholder,
    load_stakeholders,
)
from projections.reference import Reference, load_reference
from projections.timeaxis import point, rfc3339


def list_accounts(db: sqlite_utils.Database, *, as_of: datetime | None = None,
                  known_at: datetime | None = None,
                  reach: Reach = EVERYWHERE) -> dict[str, Any]:
    """Accounts (within ``reach``) with tier, score, decision coverage, organizational
    stage and total spend."""
    at = point(as_of, known_at)
    if as_of is None and known_at is None:
        return accounts_now(db, at, reach)
    reference = load_reference(db, at)
    states = load_stakeholders(db, at)
    engagements = load_engagements(db, at)
    people_of: dict[str, list[StakeholderState]] = defaultdict(list)
    for state in states.values():
        people_of[state.account_id].append(state)
    engagements_of: dict[str, list[Engagement]] = defaultdict(list)
    for engagement in engagements:
        engagements_of[engagement.account_id].append(engagement)
    rows = []
    for account in load_accounts(db, at, reach=reach):
        aid = account["account_id"]
        people, own = people_of[aid], engagements_of[aid]
        rows.append({
            "account_id": aid, "name": account["name"], "country": account["country"],
            "tier": account["tier"], "score": relationship_score(people),
            "decision_coverage": decision_coverage(people),
            "org_stage": org_stage(own, at.as_of),
            "total_spend": reference.money(_account_spend(own, reference)),
        })
    return {**at.rendered(), "currency": reference.base_currency, "accounts": rows}


def power_map(db: sqlite_utils.Database, account_id: str, *, as_of: datetime | None = None,
              known_at: datetime | None = None, reach: Reach = EVERYWHERE) -> dict[str, Any]:
    """The account's present stakeholders with their figures, score and coverage (§4.3)."""
    at = point(as_of, known_at)
    if as_of is None and known_at is None:
        return power_map_now(db, account_id, at, reach)
    load_account(db, account_id, at, reach)
    reference = load_reference(db, at)
    states = load_stakeholders(db, at, account_id=account_id)
    figures = person_figures(states, load_engagements(db, at, account_id=account_id),
                             reference)
    present = [s for s in states.values() if not s.departed]
    return {
        "account_id": account_id, **at.rendered(), "currency": reference.base_currency,
        "score": relationship_score(present), "decision_coverage": decision_coverage(present),
        "stakeholders": [
            _power_map_row(state, figures[state.stakeholder_id], reference, at.as_of)
            for state in present
        ],
    }


def stakeholder_figures(db: sqlite_utils.Database, stakeholder_id: str, *,
                        as_of: datetime | None = None, known_at: datetime | None = None,
                        reach: Reach = EVERYWHERE) -> dict[str, Any]:
    """One stakeholder's figures (§4.4)."""
    at = point(as_of, known_at)
    if as_of is None and known_at is None:
        return stakeholder_now(db, stakeholder_id, at, reach)
    state = load_stakeholder(db, stakeholder_id, at, reach)
    reference = load_reference(db, at)
    engagements = load_engagements(db, at,
                                   engagement_ids=engagement_ids_of(db, stakeholder_id, at))
    person = person_figures({stakeholder_id: state}, engagements, reference)[stakeholder_id]
    base = reference.base_currency
    return {
        "stakeholder_id": stakeholder_id, "account_id": state.account_id, **at.rendered(),
        "currency": base, **_identity(state), "role": state.role, "attitude": state.attitude,
        "initial_attitude": state.initial_attitude, "layer": state.layer,
        "rising_star": state.rising_star, "departed": state.departed,
        "ladder_level": person.ladder_level, "engagement_count": person.engagement_count,
        "first_engagement_at": rfc3339(person.first_engagement_at),
        "last_engagement_at": rfc3339(person.last_engagement_at),
        "total_spend": reference.money(person.total_spend),
        "spend_since_attitude_change": reference.money(person.spend_since_attitude_change),
        "cost_per_attitude_point": reference.money(person.cost_per_attitude_point(state, base)),
        "stale": person.is_stale(state, at.as_of),
        "unconverted_engagements": person.unconverted,
    }


def opportunity_fishbone(db: sqlite_utils.Database, opportunity_id: str, *,
                         as_of: datetime | None = None, known_at: datetime | None = None,
                         reach: Reach = EVERYWHERE) -> dict[str, Any]:
    """The opportunity's fishbone: each group's placed stakeholders, closest first (§2.5)."""
    at = point(as_of, known_at)
    opportunity = load_opportunity(db, opportunity_id, at, reach)
    return {"opportunity_id": opportunity_id, **at.rendered(),
            **fishbone_of(opportunity, load_stakeholders(
                db, at, account_id=opportunity["account_id"]))}


def fishbone_of(opportunity: dict[str, Any],
                states: dict[str, StakeholderState]) -> dict[str, Any]:
    """Render a loaded opportunity's fishbone with its stakeholders' role and attitude."""
    groups: dict[str, list[dict[str, Any]]] = {group: [] for group in GROUPS}
    for sid, (group, proximity) in opportunity["placements"].items():
        state = states.get(sid)
        groups[group].append({
            "stakeholder_id": sid, "proximity": proximity,
            "name": state.identity["name"] if state else None,
            "role": state.role if state else None,
            "attitude": state.attitude if state else None,
            "departed": state.departed if state else None,
        })
    for members in groups.values():
        members.sort(key=lambda m: (m["proximity"], -ROLE_WEIGHTS.get(m["role"] or "", 0),
                                    m["stakeholder_id"]))
    value = None
    if opportunity["value_amount"] is not None:
        value = {"amount": opportunity["value_amount"],
                 "currency": opportunity["value_currency"]}
    return {
        "account_id": opportunity["account_id"], "name": opportunity["name"],
        "status": opportunity["status"], "value": value, "groups": groups,
        "key_people": sorted(m["stakeholder_id"] for members in groups.values()
                             for m in members if m["proximity"] == 1),
    }


def _account_spend(engagements: list[Engagement], reference: Reference) -> Decimal:
    total = Decimal(0)
    for engagement in engagements:
        if engagement.voided:
            continue
        cost = in_base(engagement, reference)
        if cost is not None:
            total += cost.total
    return total


def _identity(state: StakeholderState) -> dict[str, Any]:
    identity = state.identity
    return {name: identity[name] for name in ("name", "title", "department")} | {
        "public_official": bool(identity["public_official"]),
        "forgotten": bool(identity["forgotten"]),
    }


def _power_map_row(state: StakeholderState, person: PersonFigures, reference: Reference,
                   as_of: str) -> dict[str, Any]:
    return {
        "stakeholder_id": state.stakeholder_id, **_identity(state), "role": state.role,
        "attitude": state.attitude, "layer": state.layer, "rising_star": state.rising_star,
        "ladder_level": person.ladder_level,
        "last_engagement_at": rfc3339(person.last_engagement_at),
        "total_spend": reference.money(person.total_spend),
        "stale": person.is_stale(state, as_of),
    }
