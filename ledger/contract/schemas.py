"""Event schemas: the envelope of SPEC §3.1 and the data of every type in §3.2.

One pydantic model per event type, joined in a discriminated union on ``type``.
This module holds the table of event types and the envelope machinery. The pieces it
is built from live in :mod:`ledger.contract.schema_types` (field formats, the base model, money),
:mod:`ledger.contract.vocabulary` (the closed vocabularies and their tables) and
:mod:`ledger.contract.event_data` (the data model of each type). These models check everything
that can be checked from the event alone; rules that need the ledger's state live in
:mod:`ledger.domain.rules`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union, get_args
from uuid import UUID

from pydantic import Field, field_validator

from ledger.contract.event_data import (
    AccountRegistered,
    AccountTeamSet,
    AccountTierChanged,
    EngagementApproved,
    EngagementCorrected,
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
from ledger.contract.schema_types import RFC3339, Model

EventType = Literal[
    "account.registered", "account.tier_changed", "account.team_set", "stakeholder.registered",
    "stakeholder.role_changed", "stakeholder.attitude_changed", "stakeholder.layer_changed",
    "stakeholder.departed", "stakeholder.forgotten", "opportunity.opened",
    "opportunity.stakeholder_placed", "opportunity.closed", "engagement.recorded",
    "engagement.corrected", "engagement.voided", "engagement.approved", "policy.set",
    "fx.rate_set",
]
"""The name of an event type of SPEC §3.2."""

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
EVENT_TYPES: tuple[str, ...] = get_args(EventType)
if set(EVENT_TYPES) != set(DATA_MODELS):  # one list of types, however it is extended
    raise RuntimeError("EventType and DATA_MODELS name different event types")


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
