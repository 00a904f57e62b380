"""Subject access (SPEC §5.5): everything the ledger holds about one person.

The export gathers, for one stakeholder: every event that names them, read back from the
event store with its personal fields opened (``"[forgotten]"`` once an erasure destroyed
their key); their figures now (as ``GET /v1/stakeholders/{id}``); and every access-log row
about them, including the bulk reads that showed them (their account's power map, the
audit export). The views only say which streams to read: the events come from the log.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from ledger.aggregates import stream_id
from ledger.contract.records import EventRecord
from ledger.store.access_log import AccessLog, AccessQuery
from ledger.store.reading import LogReader
from projections.queries import stakeholder_figures


def subject_export(db: sqlite_utils.Database, ledger: LogReader, access: AccessLog,
                   stakeholder_id: str) -> dict[str, Any]:
    """The subject-access export of ``stakeholder_id``; :class:`~projections.errors.
    UnknownStakeholder` when no such person is registered."""
    figures = stakeholder_figures(db, stakeholder_id)
    events = sorted(_naming(ledger, stakeholder_id, db), key=lambda r: r.position)
    rows = access.all_of(AccessQuery(stakeholder_id=stakeholder_id,
                                     person_account=figures["account_id"]))
    return {
        "stakeholder_id": stakeholder_id, "account_id": figures["account_id"],
        "exported_at": datetime.now(UTC).isoformat(), "forgotten": figures["forgotten"],
        "figures": figures, "events": [record.envelope() for record in events],
        "access_log": [row.as_dict() for row in rows],
    }


def _naming(ledger: LogReader, stakeholder_id: str,
            db: sqlite_utils.Database) -> list[EventRecord]:
    """The person's own events, every event of an engagement that ever named them (its
    recording, corrections, void and approvals), and their fishbone placements."""
    found = _stream(ledger, stream_id("stakeholder", stakeholder_id))
    for (engagement_id,) in db.execute(
            "SELECT DISTINCT engagement_id FROM engagement_shares WHERE stakeholder_id = ?",
            [stakeholder_id]):
        found += _stream(ledger, stream_id("engagement", engagement_id))
    for (opportunity_id,) in db.execute(
            "SELECT DISTINCT opportunity_id FROM opportunity_changes WHERE stakeholder_id = ?",
            [stakeholder_id]):
        found += [record for record in _stream(ledger, stream_id("opportunity", opportunity_id))
                  if record.data.get("stakeholder_id") == stakeholder_id]
    return found


def _stream(ledger: LogReader, stream: Any) -> list[EventRecord]:
    """Every event of one stream, with its chain hash and personal fields opened."""
    records: list[EventRecord] = []
    while page := ledger.read_records(records[-1].position if records else 0, 1000,
                                      stream=str(stream)):
        records += page
    return records
