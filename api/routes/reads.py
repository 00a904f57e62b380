"""Reads of the views (SPEC §5.2), each at any ``as_of`` / ``known_at`` point."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import AccessDep, AsOf, KnownAt, ReachDep, ViewsDep
from api.render import MEDIA_TYPES, render_brief
from api.schemas import (
    READ_RESPONSES,
    AccountsOut,
    FishboneOut,
    FlagsOut,
    HandoverOut,
    HistoryOut,
    PowerMapOut,
    SpendOut,
    StakeholderOut,
)
from projections.compliance import FLAGS, compliance_flags
from projections.handover import handover_brief
from projections.history import stakeholder_history
from projections.queries import list_accounts, opportunity_fishbone, power_map, stakeholder_figures
from projections.spend import spend_report
from projections.timeaxis import parse_point, parse_window

router = APIRouter(prefix="/v1", tags=["reads"], responses=READ_RESPONSES)
From = Annotated[str | None, Query(alias="from", description="occurred_at from (inclusive); "
                                                             "a bare date is its start.")]
To = Annotated[str | None, Query(alias="to", description="occurred_at to (inclusive); "
                                                         "a bare date is its end.")]


@router.get("/accounts", tags=["accounts"], response_model=AccountsOut)
def read_accounts(rt: ViewsDep, reach: ReachDep, as_of: AsOf = None,
                  known_at: KnownAt = None) -> dict[str, Any]:
    """Accounts with tier, relationship score, decision coverage, stage and total spend."""
    return rt.read(list_accounts, reach=reach, **parse_point(as_of, known_at))


@router.get("/accounts/{account_id}/power-map", tags=["accounts"], response_model=PowerMapOut)
def read_power_map(account_id: str, rt: ViewsDep, reach: ReachDep, note: AccessDep,
                   as_of: AsOf = None, known_at: KnownAt = None) -> dict[str, Any]:
    """The account's stakeholders with role, attitude, ladder, spend and staleness."""
    found = rt.read(power_map, account_id, reach=reach, **parse_point(as_of, known_at))
    note(account_id=account_id)
    return found


@router.get("/accounts/{account_id}/handover", tags=["accounts"], response_model=HandoverOut,
            responses={200: {"content": {"text/markdown": {"schema": {"type": "string"}},
                                         "text/html": {"schema": {"type": "string"}}}}})
def read_handover(account_id: str, rt: ViewsDep, reach: ReachDep, note: AccessDep,
                  as_of: AsOf = None,
                  known_at: KnownAt = None,
                  format: Annotated[Literal["json", "md", "html"], Query(
                      description="`json` (default), `md` (Markdown for an e-mail or wiki) "
                                  "or `html` (a standalone page with charts).")] = "json",
                  ) -> Any:
    """The handover brief of an account (SPEC §6) as JSON, Markdown or an HTML page."""


    brief = rt.read(handover_brief, account_id, reach=reach, **parse_point(as_of, known_at))
    note(account_id=account_id, detail=f"format={format}")
    if format == "json":
        return brief
    return Response(render_brief(brief, format), media_type=MEDIA_TYPES[format])


@router.get("/stakeholders/{stakeholder_id}", tags=["stakeholders"],
            response_model=StakeholderOut)
def read_stakeholder(stakeholder_id: str, rt: ViewsDep, reach: ReachDep, note: AccessDep,
                     as_of: AsOf = None, known_at: KnownAt = None) -> dict[str, Any]:
    """A stakeholder's current figures: spend, ladder, attitude gain and its cost."""
    found = rt.read(stakeholder_figures, stakeholder_id, reach=reach,
                    **parse_point(as_of, known_at))
    note(account_id=found["account_id"], stakeholder_id=stakeholder_id)
    return found


@router.get("/stakeholders/{stakeholder_id}/history", tags=["stakeholders"],
            response_model=HistoryOut)
def read_stakeholder_history(stakeholder_id: str, rt: ViewsDep, reach: ReachDep,
                             note: AccessDep, as_of: AsOf = None,
                             known_at: KnownAt = None) -> dict[str, Any]:
    """Every step that named the stakeholder, with the running role, attitude, ladder, spend."""
    found = rt.read(stakeholder_history, stakeholder_id, reach=reach,
                    **parse_point(as_of, known_at))
    note(account_id=found.get("account_id"), stakeholder_id=stakeholder_id)
    return found


@router.get("/opportunities/{opportunity_id}/fishbone", tags=["opportunities"],
            response_model=FishboneOut)
def read_fishbone(opportunity_id: str, rt: ViewsDep, reach: ReachDep, note: AccessDep,
                  as_of: AsOf = None, known_at: KnownAt = None) -> dict[str, Any]:
    """The opportunity's fishbone: groups with placed stakeholders, proximity and attitude."""
    found = rt.read(opportunity_fishbone, opportunity_id, reach=reach,
                    **parse_point(as_of, known_at))
    note(account_id=found["account_id"], detail=f"opportunity {opportunity_id}")
    return found


@router.get("/reports/spend", tags=["reports"], response_model=SpendOut,
            response_model_by_alias=True)
def read_spend(
    rt: ViewsDep, reach: ReachDep,
    group_by: Literal["stakeholder", "account", "owner", "kind", "month", "opportunity"],
    start: From = None, end: To = None, account_id: str | None = None,
    as_of: AsOf = None, known_at: KnownAt = None,
) -> dict[str, Any]:
    """Spend totals in the base currency, grouped, over an inclusive window of occurred_at."""
    lower, upper = parse_window(start, end)
    return rt.read(spend_report, group_by, start=lower, end=upper, account_id=account_id,
                        reach=reach, **parse_point(as_of, known_at))


@router.get("/compliance/flags", tags=["compliance"], response_model=FlagsOut)
def read_flags(
    rt: ViewsDep, reach: ReachDep, account_id: str | None = None,
    flag: Annotated[Literal[FLAGS] | None, Query()] = None,  # type: ignore[valid-type]
    start: From = None, end: To = None,
    open: Annotated[bool | None, Query(description="Only open (true) or resolved (false).")]
    = None,
    as_of: AsOf = None, known_at: KnownAt = None,
) -> dict[str, Any]:
    """Compliance flags against the policy in force at each engagement (SPEC §4.7)."""
    lower, upper = parse_window(start, end)
    return rt.read(compliance_flags, account_id=account_id, flag=flag, start=lower,
                            end=upper, open=open, reach=reach, **parse_point(as_of, known_at))
