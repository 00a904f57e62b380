"""The derived figures of SPEC §4.3–§4.5, as pure functions over loaded state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ledger.contract.money import quantize
from ledger.contract.vocabulary import LADDER_LEVELS, ORG_ELEMENTS, ROLE_WEIGHTS
from projections.engagements import Engagement, in_base
from projections.people import StakeholderState
from projections.reference import Reference
from projections.timeaxis import shift

STALE_DAYS = 90
STAGE_DAYS = 365
STAGES = ("none", "communication", "matching", "joint", "recognition")
DECISION_ROLES = ("approver", "decision_maker")


def relationship_score(states: Iterable[StakeholderState]) -> float | None:
    """``100 × Σ w·a / (3 × Σ w)`` over present stakeholders, half-up to 0.1 (§4.3)."""
    present = [s for s in states if not s.departed]
    return score_of(sum(ROLE_WEIGHTS[s.role] * s.attitude for s in present),
                    sum(ROLE_WEIGHTS[s.role] for s in present))


def score_of(weighted: int, weights: int) -> float | None:
    """The score from ``Σ w·a`` and ``Σ w`` (None without stakeholders)."""
    if not weights:
        return None
    value = Decimal(100 * weighted) / Decimal(3 * weights)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def coverage_of(won: int, deciders: int) -> float | None:
    """The coverage from the counts of won and all deciders (None without deciders)."""
    if not deciders:
        return None
    return float((Decimal(won) / Decimal(deciders)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP))


def decision_coverage(states: Iterable[StakeholderState]) -> float | None:
    """Share of present approvers and decision makers with attitude ≥ 2 (§4.3), to 4 places."""
    deciders = [s for s in states if not s.departed and s.role in DECISION_ROLES]
    return coverage_of(sum(1 for s in deciders if s.attitude >= 2), len(deciders))


def org_stage(engagements: Iterable[Engagement], as_of: str) -> str:
    """Deepest organizational element evidenced in the 365 days up to ``as_of`` (§4.5)."""
    since = shift(as_of, -STAGE_DAYS)
    depth = 0
    for engagement in engagements:
        if (engagement.voided or engagement.kind not in ORG_ELEMENTS
                or not since <= engagement.occurred_at <= as_of):
            continue
        depth = max(depth, STAGES.index(ORG_ELEMENTS[engagement.kind]))
    return STAGES[depth]


@dataclass
class PersonFigures:
    """A stakeholder's engagement figures (§4.4) in the base currency."""

    total_spend: Decimal = Decimal(0)
    engagement_count: int = 0
    first_engagement_at: str | None = None
    last_engagement_at: str | None = None
    ladder_level: int = 0
    spend_since_attitude_change: Decimal = Decimal(0)
    unconverted: list[str] = field(default_factory=list)

    def cost_per_attitude_point(self, state: StakeholderState, base: str) -> Decimal | None:
        """``total_spend / (attitude − initial_attitude)`` when the gain is > 0, half-even."""
        gain = state.attitude - state.initial_attitude
        if gain <= 0:
            return None
        return quantize(self.total_spend / gain, base)

    def is_stale(self, state: StakeholderState, as_of: str) -> bool:
        """A present key stakeholder with no engagement in the 90 days up to ``as_of``."""
        if state.layer != "key" or state.departed:
            return False
        last = self.last_engagement_at
        return last is None or last < shift(as_of, -STALE_DAYS)


def person_figures(
    states: dict[str, StakeholderState], engagements: Iterable[Engagement],
    reference: Reference,
) -> dict[str, PersonFigures]:
    """Figures of every stakeholder in ``states`` over the non-voided ``engagements``
    (ordered by occurred_at) they take part in."""
    figures = {sid: PersonFigures() for sid in states}
    for engagement in engagements:
        if engagement.voided:
            continue
        cost = in_base(engagement, reference)
        for sid in engagement.participants:
            if sid not in figures:
                continue
            person = figures[sid]
            person.engagement_count += 1
            person.first_engagement_at = person.first_engagement_at or engagement.occurred_at
            person.last_engagement_at = engagement.occurred_at
            person.ladder_level = max(person.ladder_level, LADDER_LEVELS.get(engagement.kind, 0))
            if cost is None:
                person.unconverted.append(engagement.engagement_id)
                continue
            share = cost.shares.get(sid, Decimal(0))
            person.total_spend += share
            changed_at = states[sid].last_attitude_change_at
            if changed_at is None or engagement.occurred_at > changed_at:
                person.spend_since_attitude_change += share
    return figures
