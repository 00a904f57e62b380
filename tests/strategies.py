"""Hypothesis strategies for envelopes of every event type (SPEC §3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from ledger.contract.money import minor_units

ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,20}", fullmatch=True)
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                min_size=1, max_size=40).filter(lambda s: s.strip() != "")
currencies = st.sampled_from(["EUR", "USD", "GBP", "JPY", "CNY", "KWD", "CHF"])
roles = st.sampled_from(["approver", "decision_maker", "decision_supporter", "evaluator",
                         "influencer"])
kinds_general = st.sampled_from(["business_exchange", "greeting", "sports_culture", "summit",
                                 "process_integration", "joint_initiative", "open_letter"])
offsets = st.sampled_from([UTC, timezone(timedelta(hours=1)),
                           timezone(timedelta(hours=-5, minutes=-30))])


@st.composite
def moments(draw: st.DrawFn) -> str:
    """An RFC 3339 date-time with an offset, in the past."""
    base = datetime(2024, 1, 1, tzinfo=UTC)
    moment = base + timedelta(seconds=draw(st.integers(0, 60 * 60 * 24 * 600)))
    return moment.astimezone(draw(offsets)).isoformat()


@st.composite
def amounts(draw: st.DrawFn, currency: str, max_minor: int = 10**7) -> str:
    """A valid amount string for ``currency``."""
    units = draw(st.integers(0, max_minor))
    return str(Decimal(units).scaleb(-minor_units(currency)))


@st.composite
def money(draw: st.DrawFn) -> dict[str, str]:
    """A valid money object."""
    currency = draw(currencies)
    return {"amount": draw(amounts(currency)), "currency": currency}


@st.composite
def engagement_data(draw: st.DrawFn) -> dict[str, Any]:
    """Valid ``engagement.recorded`` data, sometimes with an explicit allocation."""
    participants = draw(st.lists(ids, min_size=1, max_size=5, unique=True))
    kind = draw(st.sampled_from(["dinner", "gift", "office_visit", "hq_visit"]) | kinds_general)
    cost = draw(money())
    data: dict[str, Any] = {"engagement_id": draw(ids), "account_id": draw(ids), "kind": kind,
                            "participants": participants, "owner": draw(texts), "cost": cost}
    if draw(st.booleans()):
        total = int(Decimal(cost["amount"]).scaleb(minor_units(cost["currency"])))
        cuts = sorted(draw(st.lists(st.integers(0, total), min_size=len(participants) - 1,
                                    max_size=len(participants) - 1)))
        shares = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
        data["allocation"] = {
            p: str(Decimal(s).scaleb(-minor_units(cost["currency"])))
            for p, s in zip(participants, shares, strict=True)
        }
    return data


def _data_strategies() -> dict[str, st.SearchStrategy[dict[str, Any]]]:
    tier = st.sampled_from(["strategic", "standard"])
    return {
        "account.registered": st.fixed_dictionaries(
            {"account_id": ids, "name": texts}, optional={"country": texts, "tier": tier}),
        "account.tier_changed": st.fixed_dictionaries({"account_id": ids, "tier": tier}),
        "account.team_set": st.fixed_dictionaries(
            {"account_id": ids, "owner": ids},
            optional={"members": st.lists(ids, max_size=4, unique=True), "reason": texts}),
        "stakeholder.registered": st.fixed_dictionaries(
            {"stakeholder_id": ids, "account_id": ids, "name": texts},
            optional={"role": roles, "attitude": st.integers(-1, 3),
                      "layer": st.sampled_from(["key", "general"]),
                      "rising_star": st.booleans(), "public_official": st.booleans(),
                      "birthday": st.dates().map(lambda d: d.isoformat()), "notes": texts}),
        "stakeholder.role_changed": st.fixed_dictionaries({"stakeholder_id": ids, "role": roles}),
        "stakeholder.attitude_changed": st.fixed_dictionaries(
            {"stakeholder_id": ids, "attitude": st.integers(-1, 3), "reason": texts}),
        "stakeholder.layer_changed": st.fixed_dictionaries(
            {"stakeholder_id": ids, "layer": st.sampled_from(["key", "general"])}),
        "stakeholder.departed": st.fixed_dictionaries({"stakeholder_id": ids}),
        "stakeholder.forgotten": st.fixed_dictionaries({"stakeholder_id": ids, "reason": texts}),
        "opportunity.opened": st.fixed_dictionaries(
            {"opportunity_id": ids, "account_id": ids, "name": texts}, optional={"value": money()}),
        "opportunity.stakeholder_placed": st.fixed_dictionaries(
            {"opportunity_id": ids, "stakeholder_id": ids,
             "group": st.sampled_from(["commercial_evaluation", "technical_evaluation",
                                       "selection_decision", "final_decision"]),
             "proximity": st.integers(1, 3)}),
        "opportunity.closed": st.fixed_dictionaries(
            {"opportunity_id": ids, "outcome": st.sampled_from(["won", "lost", "abandoned"])}),
        "engagement.recorded": engagement_data(),
        "engagement.corrected": st.fixed_dictionaries(
            {"engagement_id": ids, "changes": st.fixed_dictionaries({"owner": texts}),
             "reason": texts}),
        "engagement.voided": st.fixed_dictionaries({"engagement_id": ids, "reason": texts}),
        "engagement.approved": st.fixed_dictionaries(
            {"engagement_id": ids, "approval_ref": texts, "approver": texts}),
        "policy.set": st.fixed_dictionaries(
            {"base_currency": st.just("EUR")},
            optional={"gift_item_limit": amounts("EUR"), "late_entry_days": st.integers(0, 90)}),
        "fx.rate_set": st.fixed_dictionaries(
            {"currency": currencies,
             "rate": st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("1000"),
                                 places=4).map(str)}),
    }


DATA = _data_strategies()


@st.composite
def envelopes(draw: st.DrawFn, event_type: str | None = None) -> dict[str, Any]:
    """A valid envelope of ``event_type`` (any type when None)."""
    chosen = event_type or draw(st.sampled_from(sorted(DATA)))
    return {"type": chosen, "occurred_at": draw(moments()), "data": draw(DATA[chosen])}
