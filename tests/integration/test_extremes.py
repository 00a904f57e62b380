"""Whatever the write side accepts, the views apply and every read answers.

Hypothesis draws events at the edges of what validation allows — the largest amounts,
rates with ten significant digits, moments from 1900 to now in any offset, texts of
every length — records them through the application (refusals are fine), then follows
the log into the views and asks every read, at now and at the edges of time. Each of
those once found a 500 or a stalled projection.
"""

from __future__ import annotations

import contextlib
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.config import Settings
from ledger.contract.money import MAX_AMOUNT_DIGITS, minor_units
from ledger.domain.application import LedgerApplication
from ledger.errors import LedgerError
from projections.compliance import compliance_flags
from projections.engine import Follower, ViewDatabase
from projections.errors import UnknownAccount, UnknownStakeholder
from projections.handover import handover_brief
from projections.history import stakeholder_history
from projections.queries import list_accounts, power_map, stakeholder_figures
from projections.spend import GROUPINGS, spend_report
from tests.conftest import ADMIN

NOW = datetime(2026, 11, 1, tzinfo=UTC)
PEOPLE = ("ann", "bob", "cy")
CURRENCIES = ("EUR", "JPY", "KWD", "USD")

offsets = st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12)),
                           timezone(timedelta(hours=5, minutes=45))])


@st.composite
def moments(draw: st.DrawFn) -> str:
    """Any moment from 1900 to now, in any offset (sometimes at the very edges)."""
    earliest = datetime(1900, 1, 1, tzinfo=UTC)
    seconds = int((NOW - earliest).total_seconds())
    moment = earliest + timedelta(seconds=draw(st.sampled_from([0, seconds])
                                               | st.integers(0, seconds)))
    return moment.astimezone(draw(offsets)).isoformat()


@st.composite
def amounts(draw: st.DrawFn, currency: str, extreme: bool = False) -> str:
    """Any valid amount; the largest in an ``extreme`` log."""
    largest = 10 ** (MAX_AMOUNT_DIGITS + minor_units(currency)) - 1
    minor = largest if extreme else draw(st.sampled_from([0, 1, largest])
                                         | st.integers(0, largest))
    return str(Decimal(minor).scaleb(-minor_units(currency)))


@st.composite
def rates(draw: st.DrawFn, extreme: bool = False) -> str:
    """Any valid rate: below a million, at most ten significant digits; the largest in an
    ``extreme`` log."""
    if extreme:
        return "999999.9999"
    if draw(st.booleans()):
        return draw(st.sampled_from(["999999.9999", "0.000000000001", "1"]))
    digits = draw(st.integers(1, 10))
    coefficient = draw(st.integers(1, 10**digits - 1))
    exponent = draw(st.integers(-18, 6 - len(str(coefficient))))
    return format(Decimal(coefficient).scaleb(exponent), "f")


def texts(max_size: int) -> st.SearchStrategy[str]:
    return st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1,
                   max_size=max_size).filter(lambda s: s.strip() != "")


ROLES = ("approver", "decision_maker", "decision_supporter", "evaluator", "influencer")
people = st.sampled_from(PEOPLE)
OTHERS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "account.tier_changed": st.fixed_dictionaries(
        {"account_id": st.just("ACME"), "tier": st.sampled_from(["strategic", "standard"])}),
    "stakeholder.role_changed": st.fixed_dictionaries(
        {"stakeholder_id": people, "role": st.sampled_from(ROLES)}),
    "stakeholder.layer_changed": st.fixed_dictionaries(
        {"stakeholder_id": people, "layer": st.sampled_from(["key", "general"]),
         "rising_star": st.booleans()}),
    "stakeholder.departed": st.fixed_dictionaries({"stakeholder_id": people}),
    "stakeholder.forgotten": st.fixed_dictionaries(
        {"stakeholder_id": people, "reason": texts(500)}),
    "opportunity.stakeholder_placed": st.fixed_dictionaries(
        {"opportunity_id": st.just("deal"), "stakeholder_id": people,
         "group": st.sampled_from(["commercial_evaluation", "final_decision"]),
         "proximity": st.integers(1, 3)}),
    "opportunity.closed": st.fixed_dictionaries(
        {"opportunity_id": st.just("deal"), "outcome": st.sampled_from(["won", "lost"])}),
}
"""The other event types, about the log's account, people and opportunity."""


@st.composite
def engagements(draw: st.DrawFn, number: int, extreme: bool) -> dict[str, Any]:
    currency = draw(st.sampled_from(CURRENCIES))
    participants = draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=3, unique=True))
    return {"type": "engagement.recorded", "occurred_at": draw(moments()), "data": {
        "engagement_id": f"e{number}", "account_id": "ACME",
        "kind": draw(st.sampled_from(["dinner", "gift", "summit", "hq_visit"])),
        "participants": participants, "owner": draw(texts(500)),
        "cost": {"amount": draw(amounts(currency, extreme)), "currency": currency},
        "location": draw(texts(500)), "notes": draw(texts(5000))}}


@st.composite
def logs(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A policy, an account, three people, a rate per currency, then a random mix; in an
    extreme log every cost and rate is the largest allowed."""
    base = draw(st.sampled_from(CURRENCIES))
    extreme = draw(st.booleans())
    events: list[dict[str, Any]] = [
        {"type": "policy.set", "occurred_at": "1900-01-01T00:00:00Z",
         "data": {"base_currency": base, "gift_item_limit": draw(amounts(base)),
                  "annual_recipient_limit": draw(amounts(base))}},
        {"type": "account.registered", "occurred_at": "1900-01-01T00:00:00Z",
         "data": {"account_id": "ACME", "name": draw(texts(500))}},
        *({"type": "stakeholder.registered", "occurred_at": "1900-01-01T00:00:00Z",
           "data": {"stakeholder_id": person, "account_id": "ACME", "name": draw(texts(500)),
                    "role": draw(st.sampled_from(ROLES)), "layer": "key",
                    "public_official": draw(st.booleans()),
                    "birthday": draw(st.sampled_from(["0001-01-01", "9999-12-31",
                                                      "2000-02-29"]))}} for person in PEOPLE),
        {"type": "opportunity.opened", "occurred_at": "1900-01-01T00:00:00Z",
         "data": {"opportunity_id": "deal", "account_id": "ACME", "name": draw(texts(500)),
                  "value": {"amount": draw(amounts(base, extreme)), "currency": base}}},
        *({"type": "fx.rate_set", "occurred_at": draw(moments()),
           "data": {"currency": currency, "rate": draw(rates(extreme))}}
          for currency in CURRENCIES if currency != base)]
    for number in range(draw(st.integers(1, 10))):
        choice = draw(st.sampled_from(["engagement", "engagement", "rate", "attitude",
                                       "correct", "void", "approve", "other"]))
        if choice == "engagement":
            events.append(draw(engagements(number, extreme)))
        elif choice == "rate":
            events.append({"type": "fx.rate_set", "occurred_at": draw(moments()), "data": {
                "currency": draw(st.sampled_from(CURRENCIES)), "rate": draw(rates(extreme))}})
        elif choice == "attitude":
            events.append({"type": "stakeholder.attitude_changed",
                           "occurred_at": draw(moments()), "data": {
                               "stakeholder_id": draw(st.sampled_from(PEOPLE)),
                               "attitude": draw(st.integers(-1, 3)),
                               "reason": draw(texts(500))}})
        elif choice == "other":
            events.append({"type": draw(st.sampled_from(sorted(OTHERS))),
                           "occurred_at": draw(moments()), "data": {}})
            events[-1]["data"] = draw(OTHERS[events[-1]["type"]])
        elif choice == "approve":
            events.append({"type": "engagement.approved", "occurred_at": draw(moments()),
                           "data": {"engagement_id": f"e{draw(st.integers(0, number))}",
                                    "approval_ref": draw(texts(500)),
                                    "approver": draw(texts(500))}})
        else:
            target = f"e{draw(st.integers(0, number))}"
            data: dict[str, Any] = {"engagement_id": target, "reason": draw(texts(500))}
            if choice == "correct":
                currency = draw(st.sampled_from(CURRENCIES))
                data["changes"] = {"cost": {"amount": draw(amounts(currency, extreme)),
                                            "currency": currency}}
            events.append({"type": f"engagement.{choice}ed",
                           "occurred_at": draw(moments()), "data": data})
    return events


def read_everything(db: Any) -> None:
    """Every read of SPEC §5.2 over the views, at now and at the edges of time."""
    for point in ({}, {"as_of": datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)},
                  {"as_of": datetime(1900, 1, 1, 12, tzinfo=UTC)},
                  {"known_at": datetime(1900, 1, 1, 12, tzinfo=UTC)}):
        list_accounts(db, **point)
        try:
            power_map(db, "ACME", **point)
            handover_brief(db, "ACME", **point)
            for person in PEOPLE:
                stakeholder_figures(db, person, **point)
                stakeholder_history(db, person, **point)
        except (UnknownAccount, UnknownStakeholder):  # not yet registered then: a 404
            pass
        for group_by in GROUPINGS:
            spend_report(db, group_by, **point)
        compliance_flags(db, **point)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(events=logs())
def test_views_apply_and_reads_answer_whatever_the_write_side_accepts(events) -> None:
    with tempfile.TemporaryDirectory() as directory:
        settings_ = Settings(database_url=f"sqlite:///{directory}/ledger.db")
        ledger = LedgerApplication(settings_, clock=lambda: NOW)
        for event in events:
            # A refusal (a clear error, nothing recorded) leaves nothing to apply.
            with contextlib.suppress(LedgerError):
                ledger.record(event, ADMIN)
        views = ViewDatabase(Path(directory) / "views.db")
        try:
            follower = Follower(views, ledger.read_for_views)
            assert follower.catch_up() == ledger.head_position()
            read_everything(views.db)
        finally:
            views.close()
            ledger.close()
