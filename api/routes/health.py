"""Liveness."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import RuntimeDep
from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def read_health(rt: RuntimeDep) -> dict:
    """Alive; how far the log and the views have come."""
    return {"status": "ok", "log_position": rt.ledger.head_position(),
            "views_position": rt.views.position()}
