"""Event schemas: the envelope of SPEC §3.1 and the data of every type in §3.2.

One pydantic model per event type, joined in a discriminated union on ``type``.
These models check everything that can be checked from the event alone (field
formats, money, ranges, required reasons, allocation sums); rules that need the
ledger's state live in :mod:`ledger.rules`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Union
from uuid import UUID

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)

from ledger.money import MoneyError, format_amount, minor_units, parse_amount

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)

Ident = Annotated[str, StringConstraints(strict=True, pattern=ID_PATTERN)]
"""A client-chosen identifier (account, stakeholder, opportunity, engagement)."""

Text = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=5000)]
Reason = Annotated[
    str, StringConstraints(strict=True, strip_whitespace=False, min_length=1, max_length=2000)
]

Tier = Literal["strategic", "standard"]
Role = Literal["approver", "decision_maker", "decision_supporter", "evaluator", "influencer"]
Layer = Literal["key", "general"]
Attitude = Annotated[StrictInt, Field(ge=-1, le=3)]
Group = Literal[
    "commercial_evaluation", "technical_evaluation", "selection_decision", "final_decision"
]
Outcome = Literal["won", "lost", "abandoned"]

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
GENERAL_KINDS: tuple[str, ...] = ("business_exchange", "greeting", "gift", "sports_culture")
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


def _strict_string(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a string")
    return value


def _rfc3339(value: Any) -> datetime:
    """Parse an RFC 3339 date-time that carries an explicit offset."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("date-time must carry an offset, e.g. 2026-03-02T19:30:00+01:00")
        return value
    text = _strict_string(value, "date-time")
    if not _RFC3339.match(text):
        raise ValueError(
            "must be an RFC 3339 date-time with an offset, e.g. 2026-03-02T19:30:00+01:00"
        )
    try:
        return datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError as exc:
        raise ValueError(f"is not a valid date-time: {exc}") from None


def _iso_date(value: Any) -> str:
    text = _strict_string(value, "date")
    try:
        date.fromisoformat(text)
    except ValueError:
        raise ValueError("must be a date as YYYY-MM-DD") from None
    if len(text) != 10:
        raise ValueError("must be a date as YYYY-MM-DD")
    return text


def _currency(value: Any) -> str:
    text = _strict_string(value, "currency")
    try:
        minor_units(text)
    except MoneyError as exc:
        raise ValueError(str(exc)) from None
    return text


def _decimal_string(value: Any) -> str:
    text = _strict_string(value, "amount")
    try:
        parsed = Decimal(text)
    except ArithmeticError:
        raise ValueError(f"{text!r} is not a decimal string") from None
    if not parsed.is_finite() or "e" in text.lower() or text.strip() != text:
        raise ValueError(f"{text!r} is not a plain decimal string")
    return text


RFC3339 = Annotated[datetime, BeforeValidator(_rfc3339)]
IsoDate = Annotated[str, BeforeValidator(_iso_date)]
Currency = Annotated[str, BeforeValidator(_currency)]
DecimalString = Annotated[str, BeforeValidator(_decimal_string)]


class Model(BaseModel):
    """Base of every schema: unknown fields are errors, never silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Money(Model):
    """An amount in a real ISO 4217 currency; the amount is a decimal string."""

    amount: str
    currency: Currency

    @model_validator(mode="after")
    def _check_amount(self) -> Money:
        try:
            value = parse_amount(self.amount, self.currency)
        except MoneyError as exc:
            raise ValueError(str(exc)) from None
        # Normalise to the currency's minor units so equal money is equal content.
        object.__setattr__(self, "amount", format_amount(value, self.currency))
        return self

    @property
    def value(self) -> Decimal:
        """The amount as a Decimal."""
        return Decimal(self.amount)


# --- data of each event type ---------------------------------------------------------------


class AccountRegistered(Model):
    """A customer account enters the ledger."""

    account_id: Ident
    name: Text
    country: Text | None = None
    tier: Tier = "standard"


class AccountTierChanged(Model):
    """An account moves between the strategic and standard tiers."""

    account_id: Ident
    tier: Tier
    reason: Reason | None = None


class StakeholderRegistered(Model):
    """A person inside a customer account enters the power map."""

    stakeholder_id: Ident
    account_id: Ident
    name: Text
    title: Text | None = None
    department: Text | None = None
    role: Role = "influencer"
    attitude: Attitude = 0
    layer: Layer = "general"
    rising_star: StrictBool = False
    public_official: StrictBool = False
    birthday: IsoDate | None = None
    notes: LongText | None = None


class StakeholderRoleChanged(Model):
    """A stakeholder's power in the buying decision changed."""

    stakeholder_id: Ident
    role: Role
    reason: Reason | None = None


class StakeholderAttitudeChanged(Model):
    """A stakeholder's attitude towards us changed; the reason is mandatory."""

    stakeholder_id: Ident
    attitude: Attitude
    reason: Reason
    observed_by: Text | None = None

    @field_validator("reason")
    @classmethod
    def _reason_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("reason must not be blank")
        return value


class StakeholderLayerChanged(Model):
    """A stakeholder moved between key and general, or gained / lost the rising-star flag."""

    stakeholder_id: Ident
    layer: Layer | None = None
    rising_star: StrictBool | None = None

    @model_validator(mode="after")
    def _something_changes(self) -> StakeholderLayerChanged:
        if self.layer is None and self.rising_star is None:
            raise ValueError("give at least one of layer and rising_star")
        return self


class StakeholderDeparted(Model):
    """A stakeholder left the customer."""

    stakeholder_id: Ident
    reason: Reason | None = None


class StakeholderForgotten(Model):
    """An erasure request: the stakeholder's personal fields are crypto-shredded."""

    stakeholder_id: Ident
    reason: Reason


class OpportunityOpened(Model):
    """A bid, contract or key negotiation is opened on an account."""

    opportunity_id: Ident
    account_id: Ident
    name: Text
    value: Money | None = None


class OpportunityStakeholderPlaced(Model):
    """A stakeholder is placed (or moved) on the fishbone of an opportunity."""

    opportunity_id: Ident
    stakeholder_id: Ident
    group: Group
    proximity: Annotated[StrictInt, Field(ge=1, le=3)]


class OpportunityClosed(Model):
    """An opportunity ends: won, lost or abandoned."""

    opportunity_id: Ident
    outcome: Outcome


class EngagementFields(Model):
    """The correctable fields of an engagement, checked together (SPEC §3.2)."""

    kind: Kind
    participants: list[Ident] = Field(default_factory=list, max_length=500)
    owner: Text
    hosts: list[Text] = Field(default_factory=list, max_length=100)
    cost: Money | None = None
    allocation: dict[Ident, DecimalString] | None = None
    opportunity_id: Ident | None = None
    approval_ref: Text | None = None
    location: Text | None = None
    notes: LongText | None = None

    @model_validator(mode="after")
    def _check_engagement(self) -> EngagementFields:
        check_engagement_fields(self)
        return self


def check_engagement_fields(fields: EngagementFields) -> None:
    """Raise ``ValueError`` when an engagement's fields break the §3.2 rules."""
    if len(set(fields.participants)) != len(fields.participants):
        raise ValueError("participants: must not repeat a stakeholder")
    if fields.kind == "gift":
        if not fields.participants:
            raise ValueError("participants: a gift needs at least one participant (the recipient)")
        if fields.cost is None:
            raise ValueError("cost: a gift needs a cost (the gift's value)")
    if fields.kind in KEY_KINDS and not fields.participants:
        raise ValueError(
            f"participants: a {fields.kind} is a key-relationship engagement; name its participants"
        )
    if fields.allocation is None:
        return
    if fields.cost is None:
        raise ValueError("allocation: needs a cost to allocate")
    if set(fields.allocation) != set(fields.participants):
        raise ValueError("allocation: keys must be exactly the participants")
    total = Decimal(0)
    for stakeholder_id, amount in fields.allocation.items():
        try:
            total += parse_amount(amount, fields.cost.currency)
        except MoneyError as exc:
            raise ValueError(f"allocation: {stakeholder_id}: {exc}") from None
    if total != fields.cost.value:
        raise ValueError(
            f"allocation: sums to {total}, not to the cost {fields.cost.amount} "
            f"{fields.cost.currency}"
        )


class EngagementRecorded(EngagementFields):
    """A visit, dinner, gift, summit … took place."""

    engagement_id: Ident
    account_id: Ident


class EngagementChanges(Model):
    """Any subset of an engagement's correctable fields; ``null`` clears an optional one."""

    kind: Kind | None = None
    participants: list[Ident] | None = Field(default=None, max_length=500)
    owner: Text | None = None
    hosts: list[Text] | None = Field(default=None, max_length=100)
    cost: Money | None = None
    allocation: dict[Ident, DecimalString] | None = None
    opportunity_id: Ident | None = None
    approval_ref: Text | None = None
    location: Text | None = None
    notes: LongText | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_identity_changes(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for frozen_field in ("engagement_id", "account_id"):
                if frozen_field in value:
                    raise ValueError(f"{frozen_field} cannot be corrected")
            if not value:
                raise ValueError("changes must name at least one field")
        return value


class EngagementCorrected(Model):
    """The record of an engagement is corrected; the result must still satisfy the rules."""

    engagement_id: Ident
    changes: EngagementChanges
    reason: Reason


class EngagementVoided(Model):
    """The record of an engagement is withdrawn; it never counts again."""

    engagement_id: Ident
    reason: Reason


class EngagementApproved(Model):
    """An engagement received (possibly late) approval."""

    engagement_id: Ident
    approval_ref: Text
    approver: Text


class PolicySet(Model):
    """The compliance policy in force from this event's occurred_at (admin only)."""

    base_currency: Currency
    gift_item_limit: DecimalString | None = None
    hospitality_per_person_limit: DecimalString | None = None
    annual_recipient_limit: DecimalString | None = None
    pre_approval_above: DecimalString | None = None
    public_official_requires_approval: StrictBool = True
    late_entry_days: Annotated[StrictInt, Field(ge=0, le=3650)] = 30

    @model_validator(mode="after")
    def _limits_in_base_currency(self) -> PolicySet:
        for name in POLICY_LIMITS:
            amount = getattr(self, name)
            if amount is None:
                continue
            try:
                value = parse_amount(amount, self.base_currency)
            except MoneyError as exc:
                raise ValueError(f"{name}: {exc}") from None
            object.__setattr__(self, name, format_amount(value, self.base_currency))
        return self


POLICY_LIMITS = (
    "gift_item_limit",
    "hospitality_per_person_limit",
    "annual_recipient_limit",
    "pre_approval_above",
)


class FxRateSet(Model):
    """An exchange rate: base-currency units per one unit of ``currency`` (admin only)."""

    currency: Currency
    rate: DecimalString

    @field_validator("rate")
    @classmethod
    def _positive(cls, value: str) -> str:
        if Decimal(value) <= 0:
            raise ValueError("rate must be greater than zero")
        return value


DATA_MODELS: dict[str, type[Model]] = {
    "account.registered": AccountRegistered,
    "account.tier_changed": AccountTierChanged,
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
