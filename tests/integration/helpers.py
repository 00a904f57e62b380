"""Small builders of envelopes for the write-side tests."""

from __future__ import annotations

from typing import Any


def ev(event_type: str, occurred_at: str = "2026-02-01T10:00:00+01:00", **data: Any) -> dict:
    """An envelope of ``event_type`` with ``data``."""
    return {"type": event_type, "occurred_at": occurred_at, "data": data}


def account(account_id: str = "ACME", **extra: Any) -> dict:
    """``account.registered``"""
    return ev("account.registered", "2026-01-01T09:00:00Z", account_id=account_id,
              name=f"{account_id} Telecom", **extra)


def person(stakeholder_id: str, account_id: str = "ACME", **extra: Any) -> dict:
    """``stakeholder.registered``"""
    return ev("stakeholder.registered", "2026-01-02T09:00:00Z", stakeholder_id=stakeholder_id,
              account_id=account_id, name=f"Person {stakeholder_id}", **extra)


def dinner(engagement_id: str, *participants: str, occurred_at: str = "2026-02-01T19:30:00Z",
           account_id: str = "ACME", **extra: Any) -> dict:
    """``engagement.recorded`` of kind dinner costing 120 EUR."""
    data: dict[str, Any] = {"engagement_id": engagement_id, "account_id": account_id,
                            "kind": "dinner", "participants": list(participants),
                            "owner": "olga", "cost": {"amount": "120.00", "currency": "EUR"}}
    data.update(extra)
    return ev("engagement.recorded", occurred_at, **data)


def base_setup() -> list[dict]:
    """An account with two stakeholders."""
    return [account(), person("ann", role="approver"), person("bob")]


def team(account_id: str, owner: str, *members: str,
         occurred_at: str = "2026-01-01T10:00:00Z") -> dict:
    """``account.team_set``"""
    return ev("account.team_set", occurred_at, account_id=account_id, owner=owner,
              members=list(members))
