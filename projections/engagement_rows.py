"""Event → rows for engagements: every recording and correction is a full version row.

A version holds the engagement's fields as they stand after that event (corrections
merged in position order) and its participants' shares in the cost's own currency.
Conversion to the base currency happens at read time, because the rate in force
depends on what was known (SPEC §4.8).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import sqlite_utils

from ledger.contract.money import format_amount
from ledger.contract.records import EventRecord
from projections.allocation import allocate
from projections.batch import Batch
from projections.timeaxis import stamp

FORGOTTEN = "[forgotten]"
FIELDS = ("kind", "participants", "owner", "hosts", "cost", "allocation", "opportunity_id",
          "approval_ref", "location", "notes")


def event_columns(record: EventRecord) -> dict[str, Any]:
    """The columns every history row takes from its event."""
    return {
        "position": record.position,
        "event_id": record.event_id,
        "event_type": record.type,
        "occurred_at": stamp(record.occurred_at),
        "recorded_at": stamp(record.recorded_at),
    }


def on_recorded(out: Batch, record: EventRecord) -> None:
    """An engagement took place: its identity row and its first version."""
    data = record.data
    occurred_at = stamp(record.occurred_at)
    out.touched.recorded.add(data["engagement_id"])
    out.engagement_recorded(data["engagement_id"], data["account_id"], occurred_at)
    out.insert("engagements", {
        "engagement_id": data["engagement_id"],
        "account_id": data["account_id"],
        "occurred_at": occurred_at,
        "recorded_at": stamp(record.recorded_at),
        "position": record.position,
        "event_id": record.event_id,
        "recorded_by": record.recorded_by,
    })
    fields = {name: data.get(name) for name in FIELDS}
    _write_version(out, record, data["engagement_id"], data["account_id"], occurred_at,
                   fields, changes=None)


def on_corrected(out: Batch, record: EventRecord) -> None:
    """A correction: a new version with the changed fields merged into the latest one."""
    engagement_id = record.data["engagement_id"]
    out.touched.changed.add(engagement_id)
    latest = out.latest_version(engagement_id)
    fields = _fields_of(latest)
    fields.update(record.data["changes"])
    _write_version(out, record, engagement_id, latest["account_id"],
                   latest["engagement_occurred_at"], fields, changes=record.data["changes"])


def on_voided(out: Batch, record: EventRecord) -> None:
    """A void: recorded as its own row; it applies from the engagement's occurred_at."""
    out.touched.changed.add(record.data["engagement_id"])
    out.touched.voided.add(record.data["engagement_id"])
    out.insert("engagement_voids", {
        **event_columns(record), **_identity(out, record.data["engagement_id"]),
        "reason": record.data["reason"],
    })


def on_approved(out: Batch, record: EventRecord) -> None:
    """An approval: it takes effect at its own occurred_at."""
    out.touched.approved.add(record.data["engagement_id"])
    out.insert("engagement_approvals", {
        **event_columns(record), **_identity(out, record.data["engagement_id"]),
        "approval_ref": record.data["approval_ref"], "approver": record.data["approver"],
    })


def forget_engagements(db: sqlite_utils.Database, stakeholder_id: str, before: int) -> list[str]:
    """Erase the free text of every engagement the person took part in (SPEC §7.3):
    location, notes and reasons, as the write side's crypto-shredding does; returns
    those engagements. A handful of statements, whatever the number of engagements.

    Only rows of events before the erasure's position ``before`` are rewritten: following
    the log, they are all there is; a bulk build that folded later recordings first
    (:mod:`projections.log_fold`) leaves those as they were recorded, as following does."""
    ids = [row[0] for row in db.conn.execute(
        "SELECT DISTINCT engagement_id FROM engagement_shares WHERE stakeholder_id = ? "
        "AND version_position < ? ORDER BY engagement_id", [stakeholder_id, before])]
    if not ids:
        return ids
    theirs = ("engagement_id IN (SELECT engagement_id FROM engagement_shares "
              "WHERE stakeholder_id = ? AND version_position < ?) AND position < ?")
    mine = [stakeholder_id, before, before]
    for column in ("location", "notes", "reason"):
        db.conn.execute(f"UPDATE engagement_versions SET {column} = ? "
                        f"WHERE {theirs} AND {column} IS NOT NULL", [FORGOTTEN, *mine])
    db.conn.execute(f"UPDATE engagement_voids SET reason = ? WHERE {theirs}",
                    [FORGOTTEN, *mine])
    rewritten = []
    for position, changes in db.conn.execute(
            f"SELECT position, changes FROM engagement_versions WHERE {theirs} "
            "AND changes IS NOT NULL", mine).fetchall():
        parsed = json.loads(changes)
        for name in ("location", "notes"):
            if parsed.get(name) is not None:
                parsed[name] = FORGOTTEN
        rewritten.append((json.dumps(parsed, sort_keys=True), position))
    db.conn.executemany("UPDATE engagement_versions SET changes = ? WHERE position = ?",
                        rewritten)
    return ids


HANDLERS = {
    "engagement.recorded": on_recorded,
    "engagement.corrected": on_corrected,
    "engagement.voided": on_voided,
    "engagement.approved": on_approved,
}


def _identity(out: Batch, engagement_id: str) -> dict[str, Any]:
    account_id, occurred_at = out.engagement(engagement_id)
    return {"engagement_id": engagement_id, "account_id": account_id,
            "engagement_occurred_at": occurred_at}


def _fields_of(version: dict[str, Any]) -> dict[str, Any]:
    cost = None
    if version["cost_amount"] is not None:
        cost = {"amount": version["cost_amount"], "currency": version["cost_currency"]}
    return {
        "kind": version["kind"],
        "participants": json.loads(version["participants"]),
        "owner": version["owner"],
        "hosts": json.loads(version["hosts"]),
        "cost": cost,
        "allocation": json.loads(version["allocation"]) if version["allocation"] else None,
        "opportunity_id": version["opportunity_id"],
        "approval_ref": version["approval_ref"],
        "location": version["location"],
        "notes": version["notes"],
    }


def _write_version(
    out: Batch, record: EventRecord, engagement_id: str, account_id: str,
    engagement_occurred_at: str, fields: dict[str, Any], changes: dict[str, Any] | None,
) -> None:
    participants = list(fields["participants"] or [])
    cost = fields["cost"]
    shares: dict[str, Decimal] = {}
    unallocated = None
    if cost is not None:
        amount, currency = Decimal(cost["amount"]), cost["currency"]
        shares = allocate(amount, currency, participants, fields["allocation"])
        if not participants:
            unallocated = format_amount(amount, currency)
    allocation = fields["allocation"]
    version = {
        **event_columns(record),
        "engagement_id": engagement_id,
        "account_id": account_id,
        "engagement_occurred_at": engagement_occurred_at,
        "kind": fields["kind"],
        "owner": fields["owner"],
        "hosts": json.dumps(list(fields["hosts"] or [])),
        "participants": json.dumps(participants),
        "cost_amount": format_amount(Decimal(cost["amount"]), cost["currency"]) if cost else None,
        "cost_currency": cost["currency"] if cost else None,
        "allocation": json.dumps(allocation, sort_keys=True) if allocation is not None else None,
        "unallocated_amount": unallocated,
        "opportunity_id": fields["opportunity_id"],
        "approval_ref": fields["approval_ref"],
        "location": fields["location"],
        "notes": fields["notes"],
        "changes": json.dumps(changes, sort_keys=True) if changes is not None else None,
        "reason": record.data.get("reason"),
    }
    out.insert("engagement_versions", version)
    amounts = {sid: format_amount(shares[sid], cost["currency"]) if cost else None
               for sid in participants}
    out.version_written(version, amounts)
    for sid in participants:
        out.insert("engagement_shares", {
            "version_position": record.position,
            "stakeholder_id": sid,
            "engagement_id": engagement_id,
            "account_id": account_id,
            "engagement_occurred_at": engagement_occurred_at,
            "recorded_at": version["recorded_at"],
            "share_amount": amounts[sid],
            "currency": cost["currency"] if cost else None,
        })
