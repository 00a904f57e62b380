"""Subject access (SPEC §5.5): everything the ledger holds about one person."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import AccessDep, AdminDep, ViewsDep
from api.schemas import READ_RESPONSES
from projections.subject import subject_export

router = APIRouter(prefix="/v1/stakeholders", tags=["stakeholders"], responses=READ_RESPONSES)


@router.get("/{stakeholder_id}/export")
def export_subject(stakeholder_id: str, rt: ViewsDep, who: AdminDep,
                   note: AccessDep) -> dict[str, Any]:
    """Every event naming the person with personal fields opened (or "[forgotten]"), their
    figures now and the access-log rows about them (admin, scope all); the export itself
    is logged."""
    found = rt.read(subject_export, rt.ledger, rt.access, stakeholder_id)
    note(account_id=found["account_id"], stakeholder_id=stakeholder_id,
         detail="subject export")
    return found
