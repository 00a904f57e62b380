"""The ``data`` of every event type of SPEC §3.2, one pydantic model each.

These models check everything that can be checked from one event's data alone: field
formats, money, ranges, required reasons, allocation sums and the cross-field rules of
an engagement (:func:`check_engagement_fields`). They are joined into the submitted
envelope by :mod:`ledger.contract.schemas`; rules that need the ledger's state live in
:mod:`ledger.domain.rules`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, StrictBool, StrictInt, field_validator, model_validator

from ledger.contract.money import MoneyError, format_amount, parse_amount
from ledger.contract.schema_types import (
    Currency,
    DecimalString,
    Ident,
    IsoDate,
    LongText,
    Model,
    Money,
    Reason,
    Text,
)
from ledger.contract.vocabulary import KEY_KINDS, Attitude, Group, Kind, Layer, Outcome, Role, Tier


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


class AccountTeamSet(Model):
    """An account's team from now on: our account manager (``owner``) and the other
    employees on it; it replaces the previous team (SPEC §3.2, §5.5)."""

    account_id: Ident
    owner: Ident
    members: list[Ident] = Field(default_factory=list, max_length=100)
    reason: Reason | None = None

    @field_validator("members")
    @classmethod
    def _members_distinct(cls, members: list[str]) -> list[str]:
        if len(set(members)) != len(members):
            raise ValueError("must not repeat an employee")
        return members


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


MAX_RATE = 1_000_000
"""Rates stay below a million base units per unit (the widest real pair, a dinar in
rupiah, is about 50,000)."""
MAX_RATE_DIGITS = 10
"""Significant digits of a rate: with an amount's at most 18 (:data:`~ledger.contract.money.
MAX_AMOUNT_DIGITS` plus up to three minor units) their product stays within decimals'
28, so a conversion is exact before it is rounded to the base minor units."""


class FxRateSet(Model):
    """An exchange rate: base-currency units per one unit of ``currency`` (admin only)."""

    currency: Currency
    rate: DecimalString

    @field_validator("rate")
    @classmethod
    def _in_range(cls, value: str) -> str:
        rate = Decimal(value)
        if rate <= 0:
            raise ValueError("rate must be greater than zero")
        if rate >= MAX_RATE:
            raise ValueError(f"rate must be less than {MAX_RATE:,}")
        if len(rate.normalize().as_tuple().digits) > MAX_RATE_DIGITS:
            raise ValueError(f"rate may have at most {MAX_RATE_DIGITS} significant digits")
        return value
