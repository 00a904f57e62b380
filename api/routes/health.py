"""Liveness, and whether the views follow the log."""

from __future__ import annotations

import time

from fastapi import APIRouter

from api.deps import RuntimeDep
from api.schemas import Health

router = APIRouter(tags=["health"])

FOLLOW_WAIT = 1.0
"""Seconds the views get to reach the log's head (as it was when asked) before the
answer says they are behind."""


@router.get("/healthz", response_model=Health)
def read_health(rt: RuntimeDep) -> Health:
    """Alive; how far the log and the views have come; ``degraded`` with the reason
    (projector down, views behind by N, views disk full) whenever the views are not
    following."""
    head = rt.ledger.head_position()
    deadline = time.monotonic() + FOLLOW_WAIT
    while rt.views.position() < head and time.monotonic() < deadline:
        time.sleep(0.01)
    views = rt.views.position()
    lag = max(head - views, 0)
    reason = rt.views_fault() or (f"views behind by {lag}" if lag else None)
    return Health(status="degraded" if reason else "ok", log_position=head,
                  views_position=views, lag=lag, reason=reason)
