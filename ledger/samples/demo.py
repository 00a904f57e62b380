"""A realistic, deterministic sample dataset: ``ledger demo`` loads it (SPEC §8).

Meridian Networks, a telecom equipment vendor, manages six operator accounts over the
last fifteen months: a compliance policy (revised once) and exchange rates, 100-odd
stakeholders with their power-map positions, opportunities with fishbones, a year of
engagements of every kind in five currencies, attitude swings, promotions, departures,
corrections, voids and (late) approvals — including the breaches compliance should find.

The events are simulated day by day with one seeded ``random.Random``, so the same
``(today, seed)`` always yields the same list. :func:`demo_timeline` also gives each event
the transaction time it would plausibly have been recorded at (most within hours, a few
weeks late); the list is ordered by it, which is a valid submission order.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from ledger.samples import demo_script
from ledger.samples.demo_sim import Simulation

NAMESPACE = uuid.UUID("5d1c7c5e-3f0b-4b8e-9a51-8f4f0b6c2a10")


def demo_events(*, today: date | None = None, seed: int = 7) -> list[dict[str, Any]]:
    """Return the demo dataset as envelopes (JSON-able dicts) in a valid submission order.

    Every ``occurred_at`` lies in the fifteen months before ``today`` (default: the
    current date) and at least 16 hours before its start in UTC.
    Example: ``demo_events(today=date(2026, 3, 1))``.
    """
    return [envelope for _, envelope in demo_timeline(today=today, seed=seed)]


def demo_timeline(
    *, today: date | None = None, seed: int = 7
) -> list[tuple[datetime, dict[str, Any]]]:
    """Return ``(recorded_at, envelope)`` pairs: the demo events with a plausible recording time.

    The list is ordered by ``recorded_at``; a loader that can back-date transaction time
    uses it so that only the deliberate late entries are flagged ``late_entry``.
    """
    today = today or date.today()
    demo = Simulation(today, seed)
    demo_script.schedule(demo)
    demo.run()
    demo_script.fix_records(demo)
    pending = sorted(demo.pending, key=lambda item: (item.recorded, item.seq))
    return [
        (item.recorded, {
            "event_id": str(uuid.uuid5(NAMESPACE, f"{seed}:{today.isoformat()}:{index}")),
            "type": item.type,
            "occurred_at": item.occurred.isoformat(),
            "data": item.data,
        })
        for index, item in enumerate(pending)
    ]
