"""Response models for the OpenAPI document (what clients can rely on)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None


class ReceiptOut(BaseModel):
    """What the ledger answers for a recorded event."""

    event_id: str
    type: str
    position: int
    stream_id: str
    version: int
    occurred_at: str
    recorded_at: str
    hash: str
    replayed: bool = Field(description="True when the event was recorded before (an "
                                       "idempotent resubmission): nothing new was recorded.")


class ReceiptsOut(BaseModel):
    """The receipts of a batch, in submission order."""

    receipts: list[ReceiptOut]


class AuditEvent(BaseModel):
    """One event of the raw log."""

    event_id: str
    type: str
    occurred_at: str
    data: dict[str, Any]
    position: int
    stream_id: str
    version: int
    recorded_at: str
    recorded_by: str
    hash: str


class AuditPage(BaseModel):
    """A page of the raw log; pass ``next_after`` as ``after`` for the next page."""

    events: list[AuditEvent]
    next_after: int | None


class AccessEntryOut(BaseModel):
    """One read of personal fields (SPEC §5.5 access log)."""

    id: int
    at: str
    token: str
    role: str
    route: str
    account_id: str | None
    stakeholder_id: str | None
    detail: str | None


class AccessPage(BaseModel):
    """A page of the access log, oldest first; pass ``next_cursor`` as ``cursor``."""

    entries: list[AccessEntryOut]
    next_cursor: str | None


class VerifyOut(BaseModel):
    """The outcome of the tamper check."""

    ok: bool
    events_checked: int
    head_hash: str
    head_position: int
    problems: list[dict[str, Any]]


class Health(BaseModel):
    """Liveness and how far the views have followed the log: ``degraded`` (with the
    reason and the lag) whenever the views are not following."""

    status: Literal["ok", "degraded"]
    log_position: int
    views_position: int
    lag: int
    reason: str | None = None


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description,
            "content": {"application/problem+json": {}}}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _problem("Malformed JSON."),
    401: _problem("No or bad bearer token."),
    403: _problem("The token's role may not do this."),
    409: _problem("Conflict: duplicate id, voided engagement, base currency, event_id reuse."),
    413: _problem("Too large: more than 10,000 events or 64 MiB."),
    415: _problem("The body is not JSON."),
    422: _problem("A field or rule violation; `errors[].loc` points at the field."),
}
READ_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _problem("No or bad bearer token."),
    403: _problem("The token's role may not read this."),
    404: _problem("Unknown resource."),
    422: _problem("A bad query parameter."),
    503: _problem("The views did not reach the requested position in time (Retry-After)."),
}


# --- reads (SPEC §5.3: the minimum fields; responses may carry more) -------------------


class Out(BaseModel):
    """Base of read responses: the documented fields, plus any extra ones."""

    model_config = ConfigDict(extra="allow")


class PointOut(Out):
    """The bitemporal point a read answers for."""

    as_of: str
    known_at: str


class AccountRow(Out):
    """One account in the accounts list."""

    account_id: str
    name: str
    tier: str
    score: float | None
    decision_coverage: float | None
    org_stage: str
    total_spend: str


class AccountsOut(PointOut):
    """Every account as of the point."""

    accounts: list[AccountRow]


class PowerMapRow(Out):
    """One stakeholder on the power map."""

    stakeholder_id: str
    name: str
    role: str
    attitude: int
    layer: str
    rising_star: bool
    public_official: bool
    ladder_level: int
    last_engagement_at: str | None
    total_spend: str
    stale: bool


class PowerMapOut(PointOut):
    """An account's power map with score and decision coverage."""

    account_id: str
    score: float | None
    decision_coverage: float | None
    stakeholders: list[PowerMapRow]


class StakeholderOut(PointOut):
    """A stakeholder's figures (SPEC §4.4)."""

    stakeholder_id: str
    account_id: str
    name: str
    role: str
    attitude: int
    initial_attitude: int
    layer: str
    rising_star: bool
    departed: bool
    ladder_level: int
    engagement_count: int
    first_engagement_at: str | None
    last_engagement_at: str | None
    total_spend: str
    spend_since_attitude_change: str
    cost_per_attitude_point: str | None
    stale: bool


class HistoryStep(Out):
    """One event that named the stakeholder, with the running state after it."""

    occurred_at: str
    recorded_at: str
    position: int
    event_id: str
    type: str
    change: dict[str, Any]
    role: str | None
    attitude: int | None
    ladder_level: int
    total_spend: str


class HistoryOut(PointOut):
    """Every step of a stakeholder, in occurred_at order."""

    stakeholder_id: str
    steps: list[HistoryStep]


class PlacedOut(Out):
    """A stakeholder placed on a fishbone group."""

    stakeholder_id: str
    proximity: int
    role: str
    attitude: int


class FishboneOut(PointOut):
    """An opportunity's fishbone."""

    opportunity_id: str
    account_id: str
    name: str
    status: str
    groups: dict[str, list[PlacedOut]]


class SpendGroup(Out):
    """A spend total of one key."""

    key: str | None
    total: str
    engagement_count: int


class SpendOut(PointOut):
    """Spend totals in the base currency."""

    group_by: str
    currency: str
    from_: str | None = None
    to: str | None
    total: str
    groups: list[SpendGroup]
    unconverted: list[dict[str, Any]]

    model_config = ConfigDict(extra="allow", populate_by_name=True,
                              alias_generator=lambda name: "from" if name == "from_" else name)


class FlagOut(Out):
    """One compliance flag (SPEC §4.7)."""

    flag: str
    engagement_id: str
    account_id: str
    stakeholder_id: str | None
    amount: str | None
    limit: str | None
    policy_event_id: str | None
    occurred_at: str
    recorded_at: str
    open: bool
    resolved_by: dict[str, Any] | None


class FlagsOut(PointOut):
    """Compliance flags."""

    flags: list[FlagOut]


class WeakKeyPerson(Out):
    """A key person weak for us, with the remedies not yet used on them."""

    stakeholder_id: str
    attitude: int
    remedies: list[str]


class TeamOut(BaseModel):
    """An account's team: our account manager and the other employees on it."""

    owner: str
    members: list[str]


class HandoverOut(PointOut):
    """The handover brief (SPEC §6)."""

    account_id: str
    tier: str
    team: TeamOut | None
    org_stage: str
    score: float | None
    score_90_days_earlier: float | None
    decision_coverage: float | None
    grid: dict[str, dict[str, list[str]]]
    coaches: list[str]
    opponents: list[str]
    stale_key_relationships: list[str]
    weak_key_people: list[WeakKeyPerson]
    opportunities: list[dict[str, Any]]
    spend_last_12_months: dict[str, Any]
    open_flags: list[dict[str, Any]]
    trajectories: dict[str, list[dict[str, Any]]]
