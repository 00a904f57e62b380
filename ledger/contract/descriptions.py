"""One-line descriptions of every field of the event schemas, from SPEC §3 (shown in OpenAPI).

A field name means the same thing in every event type that carries it (``account_id``,
``participants``, ``reason`` …), so it is described once in :data:`EVENT_FIELDS`; where a
type gives a name its own meaning (a ``name`` of an account, a person or a deal),
:data:`PER_MODEL` says so. :func:`describe_properties` writes them into a model's JSON
schema; the OpenAPI test checks that no property is left without one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

EVENT_FIELDS: dict[str, str] = {
    # the envelope (SPEC §3.1)
    "event_id": "Idempotency key (UUID); the server assigns one when absent. The same id with "
                "the same content returns the original receipt, with other content is a 409.",
    "type": "The event type (SPEC §3.2), e.g. `engagement.recorded`.",
    "occurred_at": "When it happened in the world (valid time): RFC 3339 with an offset, at "
                   "most 5 minutes in the future.",
    "data": "The type-specific fields of the event.",
    # identifiers
    "account_id": "The customer account (a client-chosen id).",
    "stakeholder_id": "The person inside the customer (a client-chosen id).",
    "opportunity_id": "The bid, contract or key negotiation (a client-chosen id).",
    "engagement_id": "The engagement (a client-chosen id).",
    # accounts
    "country": "Country of the account, e.g. an ISO 3166 code such as `DE`.",
    "tier": "`strategic` (the 20–30 % of accounts that get the best resources) or `standard`.",
    # stakeholders
    "title": "Job title inside the customer (personal; encrypted per stakeholder).",
    "department": "Department inside the customer.",
    "role": "Power in the buying decision: approver (signs), decision_maker, "
            "decision_supporter, evaluator or influencer (weights 5 to 1).",
    "attitude": "Attitude towards us: -1 opposes, 0 neutral or never contacted, 1 supports "
                "(not exclusively), 2 supports exclusively, 3 coach.",
    "layer": "`key` (a person whose decisions matter) or `general` (breadth of contacts).",
    "rising_star": "A general contact likely to become key later.",
    "public_official": "The person is a public official; spend on them needs approval when "
                       "the policy says so.",
    "birthday": "Date of birth as YYYY-MM-DD (personal; encrypted per stakeholder).",
    "notes": "Free text (personal; encrypted, reads `[forgotten]` after an erasure).",
    "observed_by": "Our employee who observed the change of attitude.",
    "reason": "Why (free text; encrypted with the person or engagement it is about).",
    # opportunities
    "value": "Expected value of the deal (money).",
    "group": "Fishbone group: commercial_evaluation, technical_evaluation, "
             "selection_decision or final_decision.",
    "proximity": "1–3: 1 is closest to the axis, the most influence in that group.",
    "outcome": "`won`, `lost` or `abandoned`.",
    # engagements
    "kind": "The engagement kind (SPEC §2.3–2.6): office_visit … home_visit, the three "
            "remedies, business_exchange, greeting, gift, sports_culture, summit, "
            "process_integration, joint_initiative, culture_recognition, open_letter.",
    "participants": "Stakeholder ids of the customer's people who took part; all of the "
                    "account, none departed at occurred_at.",
    "owner": "Our employee accountable for the engagement (the account manager, usually).",
    "hosts": "Our employees who hosted it.",
    "members": "Our employees on the account team besides the owner (account.team_set).",
    "cost": "What it cost, in the currency paid (a gift's cost is its value).",
    "allocation": "Explicit split of the cost: {stakeholder_id: amount string}; keys are the "
                  "participants and the amounts sum exactly to the cost. Without it the "
                  "cost is split equally.",
    "approval_ref": "Reference of the approval (pre-approval or a late one).",
    "location": "Where it took place (personal; encrypted with the engagement).",
    "changes": "The corrected fields: any subset of the recorded ones except engagement_id "
               "and account_id; `null` clears an optional field.",
    "approver": "Who approved the engagement (a person or an office).",
    # policy and rates
    "base_currency": "ISO 4217 currency every total is converted to; cannot change once set.",
    "gift_item_limit": "Largest base-currency share of a gift per recipient (decimal string).",
    "hospitality_per_person_limit": "Largest base-currency share per participant of a "
                                    "non-gift engagement (decimal string).",
    "annual_recipient_limit": "Largest base-currency total per participant in a calendar "
                              "year (decimal string).",
    "pre_approval_above": "Base-currency total above which an engagement needs approval "
                          "(decimal string).",
    "public_official_requires_approval": "Spend on a public official needs approval.",
    "late_entry_days": "Days between occurred_at and recorded_at beyond which an engagement "
                       "is flagged `late_entry`.",
    "currency": "ISO 4217 currency code with minor units, e.g. `EUR`.",
    "rate": "Base-currency units per one unit of `currency` (decimal string).",
    "amount": 'Decimal string, at least 0, with at most the currency\'s minor units: "80.50"'
              ", never a JSON number.",
}
"""What each field of the submitted events means, by field name."""

PER_MODEL: dict[tuple[str, str], str] = {
    ("AccountRegistered", "name"): "The account's (company's) name.",
    ("StakeholderRegistered", "name"): "The person's name (personal; encrypted per "
                                       "stakeholder, `[forgotten]` after an erasure).",
    ("OpportunityOpened", "name"): "The deal's name.",
    ("AccountTierChanged", "tier"): "The new tier: `strategic` or `standard`.",
    ("StakeholderRoleChanged", "role"): "The new role in the buying decision.",
    ("StakeholderAttitudeChanged", "attitude"): "The new attitude, -1 to 3.",
    ("StakeholderAttitudeChanged", "reason"): "Why the attitude changed (required, not "
                                              "blank; encrypted per stakeholder).",
    ("StakeholderLayerChanged", "layer"): "The new layer, when it changes.",
    ("StakeholderLayerChanged", "rising_star"): "The new rising-star flag, when it changes.",
    ("StakeholderForgotten", "reason"): "Why the erasure was requested (required).",
    ("EngagementCorrected", "reason"): "Why the record is corrected (required).",
    ("EngagementVoided", "reason"): "Why the record is withdrawn (required).",
    ("OpportunityStakeholderPlaced", "stakeholder_id"): "The person placed; re-placing "
                                                        "moves them.",
}
"""Where an event type gives a field name a meaning of its own."""


def describe_properties(
    fields: Mapping[str, str], per_model: Mapping[tuple[str, str], str] | None = None
) -> Callable[[dict[str, Any], type], None]:
    """A pydantic ``json_schema_extra`` hook: describe each property from the tables."""
    overrides = per_model or {}

    def hook(schema: dict[str, Any], model: type) -> None:
        for name, prop in schema.get("properties", {}).items():
            text = overrides.get((model.__name__, name)) or fields.get(name)
            if text and "description" not in prop:
                prop["description"] = text

    return hook


describe_event_fields = describe_properties(EVENT_FIELDS, PER_MODEL)
"""The hook of every event schema (:class:`~ledger.contract.schema_types.Model`)."""
