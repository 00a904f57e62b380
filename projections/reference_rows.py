"""Event → rows for the reference data every figure is judged by: policies and FX rates."""

from __future__ import annotations

from ledger.contract.event_data import POLICY_LIMITS
from ledger.contract.records import EventRecord
from projections.batch import Batch
from projections.engagement_rows import event_columns


def on_policy_set(out: Batch, record: EventRecord) -> None:
    """A policy in force from this event's occurred_at (SPEC §4.7)."""
    data = record.data
    out.touched.policy = True
    out.insert("policies", {
        **event_columns(record), "base_currency": data["base_currency"],
        **{name: data.get(name) for name in POLICY_LIMITS},
        "public_official_requires_approval": int(data["public_official_requires_approval"]),
        "late_entry_days": data["late_entry_days"],
    })


def on_rate_set(out: Batch, record: EventRecord) -> None:
    """A rate in force from this event's occurred_at (SPEC §4.2)."""
    out.touched.rates.append(record.position)
    out.insert("fx_rates", {
        **event_columns(record), "currency": record.data["currency"],
        "rate": record.data["rate"],
    })


HANDLERS = {"policy.set": on_policy_set, "fx.rate_set": on_rate_set}
