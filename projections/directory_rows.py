"""Event → rows for accounts, stakeholders and opportunities (who is who, and how that changed)."""

from __future__ import annotations

import json
from typing import Any

from ledger.contract.records import EventRecord
from projections.batch import Batch
from projections.engagement_rows import FORGOTTEN, event_columns, forget_engagements
from projections.tables import fetch_one
from projections.timeaxis import stamp

_PERSONAL = ("name", "title", "birthday", "notes")
"""The stakeholder's own sealed fields (as ledger.store.privacy seals them)."""


def on_account_registered(out: Batch, record: EventRecord) -> None:
    """A new account: its identity row and its first tier."""
    data = record.data
    out.insert("accounts", {
        "account_id": data["account_id"], "name": data["name"], "country": data.get("country"),
        "registered_position": record.position,
        "registered_occurred_at": stamp(record.occurred_at),
        "registered_recorded_at": stamp(record.recorded_at),
    })
    on_tier_changed(out, record)


def on_tier_changed(out: Batch, record: EventRecord) -> None:
    """The account's tier from this event's occurred_at."""
    data = record.data
    out.insert("account_tier_changes", {
        **event_columns(record), "account_id": data["account_id"], "tier": data["tier"],
        "reason": data.get("reason"),
    })


def on_team_set(out: Batch, record: EventRecord) -> None:
    """The account's team from this event's occurred_at (it replaces the previous one)."""
    data = record.data
    out.insert("account_teams", {
        **event_columns(record), "account_id": data["account_id"], "owner": data["owner"],
        "members": json.dumps(data["members"]), "reason": data.get("reason"),
    })


def on_stakeholder_registered(out: Batch, record: EventRecord) -> None:
    """A new stakeholder: identity and personal fields, and the first state row."""
    data = record.data
    out.insert("stakeholders", {
        "stakeholder_id": data["stakeholder_id"], "account_id": data["account_id"],
        **{name: data.get(name) for name in _PERSONAL}, "department": data.get("department"),
        "public_official": int(data["public_official"]), "forgotten": 0,
        "registered_position": record.position,
        "registered_occurred_at": stamp(record.occurred_at),
        "registered_recorded_at": stamp(record.recorded_at),
    })
    out.stakeholder_registered(data["stakeholder_id"], data["account_id"])
    _change(out, record, data["account_id"], role=data["role"], attitude=data["attitude"],
            layer=data["layer"], rising_star=int(data["rising_star"]), departed=0)


def on_role_changed(out: Batch, record: EventRecord) -> None:
    """The stakeholder's role from this event's occurred_at."""
    _change(out, record, None, role=record.data["role"], reason=record.data.get("reason"))


def on_attitude_changed(out: Batch, record: EventRecord) -> None:
    """The stakeholder's attitude from this event's occurred_at."""
    data = record.data
    _change(out, record, None, attitude=data["attitude"], reason=data["reason"],
            observed_by=data.get("observed_by"))


def on_layer_changed(out: Batch, record: EventRecord) -> None:
    """The stakeholder's layer and/or rising-star flag from this event's occurred_at."""
    rising = record.data.get("rising_star")
    _change(out, record, None, layer=record.data.get("layer"),
            rising_star=None if rising is None else int(rising))


def on_departed(out: Batch, record: EventRecord) -> None:
    """The stakeholder left the customer at this event's occurred_at."""
    _change(out, record, None, departed=1, reason=record.data.get("reason"))


def on_forgotten(out: Batch, record: EventRecord) -> None:
    """Erasure: personal fields read ``[forgotten]`` everywhere from now on (SPEC §7.3)."""
    sid = record.data["stakeholder_id"]
    db = out.flushed()
    row = fetch_one(db, "SELECT * FROM stakeholders WHERE stakeholder_id = ?", [sid])
    db.table("stakeholders").update(sid, {
        **{name: FORGOTTEN for name in _PERSONAL if row[name] is not None}, "forgotten": 1,
    })
    # Rows of events before this one only (all there are, following the log; a bulk
    # build folds the stakeholders' own events and the recordings before the erasures).
    db.execute("UPDATE stakeholder_changes SET reason = ? WHERE stakeholder_id = ? "
               "AND reason IS NOT NULL AND position < ?", [FORGOTTEN, sid, record.position])
    out.versions_updated(forget_engagements(db, sid, record.position))
    _change(out, record, row["account_id"], reason=FORGOTTEN)


def on_opportunity_opened(out: Batch, record: EventRecord) -> None:
    """A new opportunity on an account."""
    data = record.data
    value = data.get("value") or {}
    out.insert("opportunities", {
        "opportunity_id": data["opportunity_id"], "account_id": data["account_id"],
        "name": data["name"], "value_amount": value.get("amount"),
        "value_currency": value.get("currency"), "opened_position": record.position,
        "opened_occurred_at": stamp(record.occurred_at),
        "opened_recorded_at": stamp(record.recorded_at),
    })
    out.opportunity_opened(data["opportunity_id"], data["account_id"])
    _opportunity_change(out, record)


def on_opportunity_changed(out: Batch, record: EventRecord) -> None:
    """A placement on the fishbone, or the close of the opportunity."""
    _opportunity_change(out, record, stakeholder_id=record.data.get("stakeholder_id"),
                        fishbone_group=record.data.get("group"),
                        proximity=record.data.get("proximity"),
                        outcome=record.data.get("outcome"))


HANDLERS = {
    "account.registered": on_account_registered,
    "account.tier_changed": on_tier_changed,
    "account.team_set": on_team_set,
    "stakeholder.registered": on_stakeholder_registered,
    "stakeholder.role_changed": on_role_changed,
    "stakeholder.attitude_changed": on_attitude_changed,
    "stakeholder.layer_changed": on_layer_changed,
    "stakeholder.departed": on_departed,
    "stakeholder.forgotten": on_forgotten,
    "opportunity.opened": on_opportunity_opened,
    "opportunity.stakeholder_placed": on_opportunity_changed,
    "opportunity.closed": on_opportunity_changed,
}


def _change(out: Batch, record: EventRecord, account_id: str | None, **values: Any) -> None:
    sid = record.data["stakeholder_id"]
    out.touched.stakeholders.add(sid)
    if account_id is None:
        account_id = out.account_of_stakeholder(sid)
    out.insert("stakeholder_changes", {
        **event_columns(record), "stakeholder_id": sid, "account_id": account_id, **values,
    })


def _opportunity_change(out: Batch, record: EventRecord, **values: Any) -> None:
    oid = record.data["opportunity_id"]
    account_id = record.data.get("account_id") or out.account_of_opportunity(oid)
    out.insert("opportunity_changes", {
        **event_columns(record), "opportunity_id": oid, "account_id": account_id, **values,
    })
