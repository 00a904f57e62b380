"""An engagement's whole record, read from the event log rather than the views.

The engagement page lists every event of the engagement's stream (recorded, each
correction, void and approval) with who recorded it; the views keep the fields as they
stand, the log keeps who did what and when.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.aggregates import stream_id
from ledger.store.reading import LogReader

PAGE = 500


@dataclass(frozen=True)
class HistoryRow:
    """One event of an engagement's stream, as the engagement page shows it."""

    position: int
    type: str
    occurred_at: str
    """ISO 8601, as submitted."""
    recorded_at: str
    recorded_by: str
    reason: str | None


def engagement_history(log: LogReader, engagement_id: str) -> list[HistoryRow]:
    """Every event of ``engagement_id``'s stream, oldest first (empty for no stream).

    The caller checks the reader's reach first: this reads the log as it is.
    """
    stream = str(stream_id("engagement", engagement_id))
    rows: list[HistoryRow] = []
    after = 0
    while records := log.read_records(after, PAGE, stream=stream, chained=False):
        rows.extend(HistoryRow(r.position, r.type, r.occurred_at.isoformat(),
                               r.recorded_at.isoformat(),
                               r.recorded_by, _reason(r.data.get("reason")))
                    for r in records)
        after = records[-1].position
        if len(records) < PAGE:
            break
    return rows


def _reason(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
