"""One documented example per event type, shown in the OpenAPI document (and tested)."""

from __future__ import annotations

from typing import Any

_AT = "2026-03-02T19:30:00+01:00"

EXAMPLES: dict[str, dict[str, Any]] = {
    "account.registered": {"account_id": "nordlicht", "name": "Nordlicht Telekom AG",
                           "country": "DE", "tier": "strategic"},
    "account.tier_changed": {"account_id": "nordlicht", "tier": "standard",
                             "reason": "framework contract ended"},
    "account.team_set": {"account_id": "nordlicht", "owner": "olga.berg",
                         "members": ["kai.lund"], "reason": "Olga takes over from Jan"},
    "stakeholder.registered": {"stakeholder_id": "nl-cto", "account_id": "nordlicht",
                               "name": "Dr. Anna Krüger", "title": "CTO",
                               "department": "Technology", "role": "decision_maker",
                               "attitude": 1, "layer": "key"},
    "stakeholder.role_changed": {"stakeholder_id": "nl-cto", "role": "approver",
                                 "reason": "now signs network capex"},
    "stakeholder.attitude_changed": {"stakeholder_id": "nl-cto", "attitude": 2,
                                     "reason": "chose our core after the Barcelona demo",
                                     "observed_by": "olga.berg"},
    "stakeholder.layer_changed": {"stakeholder_id": "nl-cto", "layer": "key",
                                  "rising_star": False},
    "stakeholder.departed": {"stakeholder_id": "nl-cto", "reason": "joined a competitor"},
    "stakeholder.forgotten": {"stakeholder_id": "nl-cto", "reason": "GDPR erasure request"},
    "opportunity.opened": {"opportunity_id": "nl-5g-core", "account_id": "nordlicht",
                           "name": "5G standalone core",
                           "value": {"amount": "18000000.00", "currency": "EUR"}},
    "opportunity.stakeholder_placed": {"opportunity_id": "nl-5g-core", "stakeholder_id": "nl-cto",
                                       "group": "final_decision", "proximity": 1},
    "opportunity.closed": {"opportunity_id": "nl-5g-core", "outcome": "won"},
    "engagement.recorded": {"engagement_id": "E-2026-0042", "account_id": "nordlicht",
                            "kind": "dinner", "participants": ["nl-cto", "nl-vp-net"],
                            "owner": "olga.berg", "hosts": ["olga.berg", "kai.lund"],
                            "cost": {"amount": "215.00", "currency": "EUR"},
                            "location": "Hamburg"},
    "engagement.corrected": {"engagement_id": "E-2026-0042", "reason": "receipt total",
                             "changes": {"cost": {"amount": "198.40", "currency": "EUR"}}},
    "engagement.voided": {"engagement_id": "E-2026-0042", "reason": "entered twice"},
    "engagement.approved": {"engagement_id": "E-2026-0042", "approval_ref": "APR-2026-0117",
                            "approver": "cfo.office"},
    "policy.set": {"base_currency": "EUR", "gift_item_limit": "150.00",
                   "hospitality_per_person_limit": "250.00",
                   "annual_recipient_limit": "1000.00", "pre_approval_above": "2000.00",
                   "public_official_requires_approval": True, "late_entry_days": 30},
    "fx.rate_set": {"currency": "USD", "rate": "0.92"},
}


def envelope(event_type: str) -> dict[str, Any]:
    """The example envelope of ``event_type``."""
    return {"type": event_type, "occurred_at": _AT, "data": EXAMPLES[event_type]}


def openapi_examples() -> dict[str, dict[str, Any]]:
    """The ``examples`` map of a request body: one named example per event type."""
    return {name: {"summary": name, "value": envelope(name)} for name in EXAMPLES}
