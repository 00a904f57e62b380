"""The recorded event as the read side sees it: envelope, server fields and log position."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAX_POSITION = 2**63 - 2
"""The largest log position a read may start after: positions are signed 64-bit integers
in both stores, and the next one must still be one."""


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One event of the log, in the shape every projection consumes.

    ``data`` is the type's schema (:mod:`ledger.contract.schemas`) dumped to JSON-able values
    with defaults filled in; money is ``{"amount": "12.50", "currency": "EUR"}``;
    personal fields of a forgotten stakeholder read ``"[forgotten]"``.
    For ``engagement.corrected`` only the fields given in ``changes`` are present
    (a ``null`` clears an optional field).
    """

    position: int
    """Global order in the log (the notification id), 1-based, gap-free."""
    event_id: str
    type: str
    occurred_at: datetime
    """Valid time, timezone-aware, as submitted (its offset preserved)."""
    recorded_at: datetime
    """Transaction time, timezone-aware UTC, assigned by the server."""
    recorded_by: str
    stream_id: str
    version: int
    data: dict[str, Any]
    hash: str

    def envelope(self) -> dict[str, Any]:
        """The event as the audit export shows it (JSON-able)."""
        return {
            "event_id": self.event_id,
            "type": self.type,
            "occurred_at": self.occurred_at.isoformat(),
            "data": self.data,
            "position": self.position,
            "stream_id": self.stream_id,
            "version": self.version,
            "recorded_at": self.recorded_at.isoformat(),
            "recorded_by": self.recorded_by,
            "hash": self.hash,
        }
