"""A deterministic synthetic workload: any number of valid envelopes with a realistic shape.

``workload(n)`` streams exactly ``n`` envelopes (JSON-able dicts) in a valid submission
order: a policy and exchange rates first, then accounts onboarding over the first third
of the timeline (about ``sqrt(n)`` of them, ~20 stakeholders each), and two years of
engagements in five currencies with attitude and role changes, departures, fishbones,
corrections, voids, approvals and deliberate late entries. Accounts and people are
Pareto-skewed, so a few get most of the attention. Only bounded state is kept per
account (its people, a window of recent engagements), never the events, so a million
events stream in flat memory. The same ``(n, seed, start)`` always gives the same events.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from ledger.samples.workload_sim import Workload

NAMESPACE = uuid.UUID("0b6f2f9e-7c1a-4d4b-9a57-3c1e8e0f5a21")


def workload(n_events: int, *, seed: int = 1, start: datetime | None = None
             ) -> Iterator[dict[str, Any]]:
    """Yield exactly ``n_events`` valid envelopes, in a valid submission order.

    Every ``occurred_at`` lies in the two years ending one day before ``start`` (default:
    now). Example: ``for envelope in workload(10_000, seed=3): ...``.
    """
    if n_events < 0:
        raise ValueError(f"n_events must be >= 0, got {n_events}")
    generator = Workload(n_events, seed, start or datetime.now(UTC))
    for index, (event_type, occurred, data) in enumerate(generator.events()):
        if index >= n_events:
            return
        yield {"event_id": str(uuid.uuid5(NAMESPACE, f"{seed}:{index}")), "type": event_type,
               "occurred_at": occurred.isoformat(), "data": data}

