"""The closed vocabularies of the domain (SPEC §3.2) and the tables that give them meaning.

Tiers, roles, layers, attitudes, fishbone groups, outcomes and engagement kinds are
the ``Literal`` types the event schemas accept; beside them stand the tables the read
side scores with: role weights, the key-relationship ladder, its remedies and the
organisational elements. Keeping them in one place keeps a kind's spelling, its level
and its weight from drifting apart between the write side and the projections.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Field, StrictInt

Tier = Literal["strategic", "standard"]
Role = Literal["approver", "decision_maker", "decision_supporter", "evaluator", "influencer"]
Layer = Literal["key", "general"]
Attitude = Annotated[StrictInt, Field(ge=-1, le=3)]
Group = Literal[
    "commercial_evaluation", "technical_evaluation", "selection_decision", "final_decision"
]
GROUPS: tuple[str, ...] = get_args(Group)
"""The fishbone's groups in their order along the axis (SPEC §2.5)."""
Outcome = Literal["won", "lost", "abandoned"]
DEFAULT_BASE_CURRENCY = "USD"
"""The base currency before any ``policy.set`` (SPEC §4.2)."""

ROLE_WEIGHTS: dict[str, int] = {
    "approver": 5,
    "decision_maker": 4,
    "decision_supporter": 3,
    "evaluator": 2,
    "influencer": 1,
}

LADDER_LEVELS: dict[str, int] = {
    "office_visit": 1,
    "regular_visit": 2,
    "dinner": 3,
    "private_activity": 3,
    "family_banquet": 4,
    "home_visit": 5,
}
REMEDIES: tuple[str, ...] = ("executive_visit", "exhibition_invite", "hq_visit")
ORG_ELEMENTS: dict[str, str] = {
    "summit": "communication",
    "process_integration": "matching",
    "joint_initiative": "joint",
    "culture_recognition": "recognition",
}
ORG_KINDS: tuple[str, ...] = (*ORG_ELEMENTS, "open_letter")
KEY_KINDS: frozenset[str] = frozenset(LADDER_LEVELS) | frozenset(REMEDIES)
Kind = Literal[
    "office_visit", "regular_visit", "dinner", "private_activity", "family_banquet",
    "home_visit", "executive_visit", "exhibition_invite", "hq_visit", "business_exchange",
    "greeting", "gift", "sports_culture", "summit", "process_integration",
    "joint_initiative", "culture_recognition", "open_letter",
]
