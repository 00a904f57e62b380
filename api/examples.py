"""One documented example per event type, shown in the OpenAPI document (and tested).

The examples name the accounts, people and employees of ``ledger demo`` (Nordlicht Telekom,
its CTO Anja Lorenz, our account manager Laura Brenner …), and are ordered so that posting
every one of them verbatim, in this order, to a freshly loaded demo succeeds: what an
example registers is registered by an earlier one, and the stakeholder who departs and is
forgotten is the one registered here, after every example that names a person.
"""

from __future__ import annotations

from typing import Any

_AT = "2026-03-02T19:30:00+01:00"
_ENGAGEMENT = "nt-eng-example-1"

EXAMPLES: dict[str, dict[str, Any]] = {
    "account.registered": {"account_id": "baltic-fiber", "name": "Baltic Fiber AS",
                           "country": "EE", "tier": "standard"},
    "account.tier_changed": {"account_id": "baltic-fiber", "tier": "strategic",
                             "reason": "framework contract for the national backbone"},
    "account.team_set": {"account_id": "baltic-fiber", "owner": "laura.brenner",
                         "members": ["yuki.mori"], "reason": "Laura opens the account"},
    "stakeholder.registered": {"stakeholder_id": "nt-jana-vogt",
                               "account_id": "nordlicht-telekom", "name": "Jana Vogt",
                               "title": "Head of Radio Access", "department": "Network",
                               "role": "evaluator", "attitude": 1, "layer": "general"},
    "stakeholder.role_changed": {"stakeholder_id": "nt-anja-lorenz", "role": "approver",
                                 "reason": "now signs network capex"},
    "stakeholder.attitude_changed": {"stakeholder_id": "nt-anja-lorenz", "attitude": 2,
                                     "reason": "chose our core after the Barcelona demo",
                                     "observed_by": "Laura Brenner"},
    "stakeholder.layer_changed": {"stakeholder_id": "nt-jana-vogt", "layer": "key",
                                  "rising_star": True},
    "opportunity.opened": {"opportunity_id": "nt-5g-core", "account_id": "nordlicht-telekom",
                           "name": "5G standalone core",
                           "value": {"amount": "18000000.00", "currency": "EUR"}},
    "opportunity.stakeholder_placed": {"opportunity_id": "nt-5g-core",
                                       "stakeholder_id": "nt-anja-lorenz",
                                       "group": "final_decision", "proximity": 1},
    "opportunity.closed": {"opportunity_id": "nt-5g-core", "outcome": "won"},
    "engagement.recorded": {"engagement_id": _ENGAGEMENT, "account_id": "nordlicht-telekom",
                            "kind": "dinner",
                            "participants": ["nt-anja-lorenz", "nt-tobias-ludwig"],
                            "owner": "Laura Brenner",
                            "hosts": ["Laura Brenner", "Felix Hartmann"],
                            "cost": {"amount": "215.00", "currency": "EUR"},
                            "location": "Hamburg"},
    "engagement.corrected": {"engagement_id": _ENGAGEMENT, "reason": "receipt total",
                             "changes": {"cost": {"amount": "198.40", "currency": "EUR"}}},
    "engagement.approved": {"engagement_id": _ENGAGEMENT, "approval_ref": "APR-2026-0117",
                            "approver": "Compliance Office – Maria Vogt"},
    "engagement.voided": {"engagement_id": _ENGAGEMENT, "reason": "entered twice"},
    "policy.set": {"base_currency": "EUR", "gift_item_limit": "150.00",
                   "hospitality_per_person_limit": "250.00",
                   "annual_recipient_limit": "1000.00", "pre_approval_above": "2000.00",
                   "public_official_requires_approval": True, "late_entry_days": 30},
    "fx.rate_set": {"currency": "USD", "rate": "0.92"},
    "stakeholder.departed": {"stakeholder_id": "nt-jana-vogt", "reason": "joined a competitor"},
    "stakeholder.forgotten": {"stakeholder_id": "nt-jana-vogt",
                              "reason": "GDPR erasure request"},
}
"""The ``data`` of each event type's example, in the order they can be posted."""

BATCH_EXAMPLE: list[dict[str, Any]] = [
    {"type": "account.registered", "occurred_at": _AT,
     "data": {"account_id": "vistula-net", "name": "Vistula Net S.A.", "country": "PL"}},
    {"type": "stakeholder.registered", "occurred_at": _AT,
     "data": {"stakeholder_id": "vn-marta-nowak", "account_id": "vistula-net",
              "name": "Marta Nowak", "title": "CTO", "role": "decision_maker",
              "layer": "key"}},
    {"type": "engagement.recorded", "occurred_at": _AT,
     "data": {"engagement_id": "vn-eng-1", "account_id": "vistula-net",
              "kind": "office_visit", "participants": ["vn-marta-nowak"],
              "owner": "Laura Brenner"}},
]
"""A batch that onboards a new account: it, its CTO and a first visit, all or nothing."""


def envelope(event_type: str) -> dict[str, Any]:
    """The example envelope of ``event_type``."""
    return {"type": event_type, "occurred_at": _AT, "data": EXAMPLES[event_type]}


def openapi_examples() -> dict[str, dict[str, Any]]:
    """The ``examples`` map of a request body: one named example per event type."""
    return {name: {"summary": name, "value": envelope(name)} for name in EXAMPLES}
