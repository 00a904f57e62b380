"""Event schemas: the envelope of SPEC §3.1 and the data of every type in §3.2.

One pydantic model per event type, joined in a discriminated union on ``type``.
This module is the front door: it holds the table of event types and the envelope
machinery, and re-exports what the rest of the code imports from it. The pieces it is
built from live in :mod:`ledger.contract.schema_types` (field formats, the base model, money),
:mod:`ledger.contract.vocabulary` (the closed vocabularies and their tables) and
:mod:`ledger.contract.event_data` (the data model of each type). These models check everything
that can be checked from the event alone; rules that need the ledger's state live in
:mod:`ledger.domain.rules`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union
from uuid import UUID

from pydantic import Field, field_validator

from ledger.contract.event_data import (
    POLICY_LIMITS,
    AccountRegistered,
    AccountTeamSet,
    AccountTierChanged,
    EngagementApproved,
    EngagementCorrected,
    EngagementFields,
    EngagementRecorded,
    EngagementVoided,
    FxRateSet,
    OpportunityClosed,
    OpportunityOpened,
    OpportunityStakeholderPlaced,
    PolicySet,
    StakeholderAttitudeChanged,
    StakeholderDeparted,
    StakeholderForgotten,
    StakeholderLayerChanged,
    StakeholderRegistered,
    StakeholderRoleChanged,
)
from ledger.contract.schema_types import ID_PATTERN, RFC3339, Model
from ledger.contract.vocabulary import (
    KEY_KINDS,
    LADDER_LEVELS,
    ORG_ELEMENTS,
    REMEDIES,
    ROLE_WEIGHTS,
    Kind,
)

# The names other modules import from here, including those that moved out of this module
# when it was split, so that this stays the one front door to the event schemas.
__all__ = [
    "ADMIN_ONLY_TYPES", "DATA_MODELS", "ENVELOPES", "EVENT_TYPES", "ID_PATTERN", "KEY_KINDS",
    "LADDER_LEVELS", "ORG_ELEMENTS", "POLICY_LIMITS", "REMEDIES", "ROLE_WEIGHTS",
    "SCOPE_ALL_TYPES",
    "EngagementFields", "Envelope", "EnvelopeBase", "Kind",
]

DATA_MODELS: dict[str, type[Model]] = {
    "account.registered": AccountRegistered,
    "account.tier_changed": AccountTierChanged,
    "account.team_set": AccountTeamSet,
    "stakeholder.registered": StakeholderRegistered,
    "stakeholder.role_changed": StakeholderRoleChanged,
    "stakeholder.attitude_changed": StakeholderAttitudeChanged,
    "stakeholder.layer_changed": StakeholderLayerChanged,
    "stakeholder.departed": StakeholderDeparted,
    "stakeholder.forgotten": StakeholderForgotten,
    "opportunity.opened": OpportunityOpened,
    "opportunity.stakeholder_placed": OpportunityStakeholderPlaced,
    "opportunity.closed": OpportunityClosed,
    "engagement.recorded": EngagementRecorded,
    "engagement.corrected": EngagementCorrected,
    "engagement.voided": EngagementVoided,
    "engagement.approved": EngagementApproved,
    "policy.set": PolicySet,
    "fx.rate_set": FxRateSet,
}
"""Every event type of SPEC §3.2 and the model of its ``data``."""

ADMIN_ONLY_TYPES: frozenset[str] = frozenset({"policy.set", "fx.rate_set", "stakeholder.forgotten"})
SCOPE_ALL_TYPES: frozenset[str] = frozenset({"account.registered", "account.team_set"})
"""Types only a token of scope ``all`` may record (SPEC §5.5): a team token cannot create
accounts or give itself access to one."""
EVENT_TYPES: tuple[str, ...] = tuple(DATA_MODELS)


class EnvelopeBase(Model):
    """Fields common to every envelope (SPEC §3.1)."""

    event_id: UUID | None = None
    occurred_at: RFC3339

    @field_validator("event_id", mode="before")
    @classmethod
    def _uuid_string(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, (str, UUID)):
            raise ValueError("event_id must be a UUID string")
        return value


def _envelope_class(event_type: str, data_model: type[Model]) -> type[EnvelopeBase]:
    name = "".join(part.title() for part in re.split(r"[._]", event_type)) + "Event"
    annotations = {"type": Literal[event_type], "data": data_model}  # type: ignore[valid-type]
    namespace = {"__annotations__": annotations, "__doc__": data_model.__doc__,
                 "__module__": __name__}
    return type(name, (EnvelopeBase,), namespace)


ENVELOPES: dict[str, type[EnvelopeBase]] = {
    event_type: _envelope_class(event_type, model) for event_type, model in DATA_MODELS.items()
}

# Built from the table above at import time, so the type checker sees it as Any.
Envelope: Any = Annotated[
    Union[tuple(ENVELOPES.values())],  # noqa: UP007
    Field(discriminator="type"),
]
"""The submitted event: a discriminated union on ``type`` (SPEC §3.1)."""
