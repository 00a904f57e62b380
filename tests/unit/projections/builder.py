"""Build ledger event records directly, as the write side would hand them to projections."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ledger.contract.records import EventRecord
from ledger.contract.schemas import DATA_MODELS

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def at(text: str) -> datetime:
    """``"2026-03-01"`` or ``"2026-03-01T10:00"`` (UTC) or a full RFC 3339 string → datetime."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def money(amount: str, currency: str = "EUR") -> dict[str, str]:
    """Money as the schemas spell it."""
    return {"amount": amount, "currency": currency}


@dataclass
class Log:
    """A growing event log; ``records`` holds them in position order."""

    records: list[EventRecord] = field(default_factory=list)

    def add(self, event_type: str, data: dict[str, Any], when: str | datetime,
            recorded: str | datetime | None = None) -> EventRecord:
        """Append one event; ``recorded`` defaults to its occurred_at."""
        occurred_at = at(when) if isinstance(when, str) else when
        recorded_at = occurred_at if recorded is None else (
            at(recorded) if isinstance(recorded, str) else recorded)
        model = DATA_MODELS[event_type].model_validate(data)
        dumped = model.model_dump(mode="json", exclude_unset=event_type == "engagement.corrected")
        position = len(self.records) + 1
        record = EventRecord(
            position=position,
            event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"event-{position}")),
            type=event_type, occurred_at=occurred_at, recorded_at=recorded_at.astimezone(UTC),
            recorded_by="tester", stream_id=_stream(event_type, data), version=1, data=dumped,
            hash=f"{position:064x}",
        )
        self.records.append(record)
        return record

    def account(self, account_id: str, when: str = "2026-01-01", **data: Any) -> EventRecord:
        """Register an account."""
        return self.add("account.registered", {"account_id": account_id,
                                               "name": account_id.title(), **data}, when)

    def stakeholder(self, stakeholder_id: str, account_id: str, when: str = "2026-01-01",
                    recorded: str | None = None, **data: Any) -> EventRecord:
        """Register a stakeholder."""
        return self.add("stakeholder.registered", {
            "stakeholder_id": stakeholder_id, "account_id": account_id,
            "name": stakeholder_id.title(), **data}, when, recorded)

    def engagement(self, engagement_id: str, account_id: str, kind: str,
                   participants: list[str], when: str, recorded: str | None = None,
                   **data: Any) -> EventRecord:
        """Record an engagement (owner defaults to ``owner-1``)."""
        return self.add("engagement.recorded", {
            "engagement_id": engagement_id, "account_id": account_id, "kind": kind,
            "participants": participants, "owner": data.pop("owner", "owner-1"), **data},
            when, recorded)

    def policy(self, when: str = "2026-01-01", recorded: str | None = None,
               **data: Any) -> EventRecord:
        """Set a policy (base currency EUR unless given)."""
        return self.add("policy.set", {"base_currency": "EUR", **data}, when, recorded)

    def rate(self, currency: str, rate: str, when: str,
             recorded: str | None = None) -> EventRecord:
        """Set an FX rate (base units per unit of ``currency``)."""
        return self.add("fx.rate_set", {"currency": currency, "rate": rate}, when, recorded)

    def shifted(self, days: int) -> datetime:
        """EPOCH plus ``days`` days."""
        return EPOCH + timedelta(days=days)


def _stream(event_type: str, data: dict[str, Any]) -> str:
    for key in ("engagement_id", "stakeholder_id", "opportunity_id", "account_id"):
        if key in data:
            return f"{key.split('_')[0]}:{data[key]}"
    return event_type.split(".")[0]
