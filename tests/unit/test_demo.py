"""The demo dataset: valid envelopes, deterministic, complete, and consistent in list order."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, get_args

import pytest
from pydantic import TypeAdapter

from ledger.contract.money import minor_units
from ledger.contract.schema_types import ID_PATTERN
from ledger.contract.schemas import EVENT_TYPES, Envelope
from ledger.contract.vocabulary import KEY_KINDS, Kind
from ledger.samples.demo import demo_events, demo_timeline

TODAY = date(2026, 3, 15)
ADAPTER: TypeAdapter[Any] = TypeAdapter(Envelope)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def events() -> list[dict[str, Any]]:
    """The demo dataset for a fixed day."""
    return demo_events(today=TODAY)


def _at(envelope: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(envelope["occurred_at"])


def test_every_envelope_validates_against_the_schemas(events: list[dict[str, Any]]) -> None:
    """Each event passes the pydantic envelope union unchanged."""
    for envelope in events:
        ADAPTER.validate_python(envelope)


def test_event_ids_are_unique_uuids(events: list[dict[str, Any]]) -> None:
    """No two events share an event_id."""
    assert len({envelope["event_id"] for envelope in events}) == len(events)


def test_same_day_and_seed_give_the_identical_list(events: list[dict[str, Any]]) -> None:
    """Generation is deterministic for the same today and seed."""
    assert demo_events(today=TODAY) == events


def test_another_seed_gives_another_dataset(events: list[dict[str, Any]]) -> None:
    """The seed drives the random choices."""
    assert demo_events(today=TODAY, seed=8) != events


def test_size_is_within_the_intended_range(events: list[dict[str, Any]]) -> None:
    """Roughly 800–2000 events."""
    assert 800 <= len(events) <= 2000


def test_covers_every_event_type_except_forgotten(events: list[dict[str, Any]]) -> None:
    """Every type of SPEC §3.2 appears, except the erasure request."""
    types = {envelope["type"] for envelope in events}
    assert types == set(EVENT_TYPES) - {"stakeholder.forgotten"}


def test_covers_every_engagement_kind(events: list[dict[str, Any]]) -> None:
    """Every kind of SPEC §2.3, §2.4 and §2.6 is recorded."""
    kinds = {e["data"]["kind"] for e in events if e["type"] == "engagement.recorded"}
    assert kinds == set(get_args(Kind))


def test_policy_comes_first(events: list[dict[str, Any]]) -> None:
    """The policy is set before anything else, in EUR."""
    assert events[0]["type"] == "policy.set"
    assert events[0]["data"]["base_currency"] == "EUR"


def test_every_occurred_at_lies_in_the_last_fifteen_months(
        events: list[dict[str, Any]]) -> None:
    """All valid times are in the past: before today's start anywhere on earth."""
    start_of_today = datetime.combine(TODAY, time.min, tzinfo=UTC)
    moments = [_at(envelope) for envelope in events]
    assert all(m.utcoffset() is not None for m in moments)
    assert all(m < start_of_today - timedelta(hours=12) for m in moments)
    assert all(m.date() < TODAY for m in moments)
    assert (TODAY - min(moments).date()).days in range(440, 470)


@pytest.mark.parametrize("seed", [7, 8, 123])
def test_recording_times_are_ordered_and_never_precede_occurrence(seed: int) -> None:
    """The timeline is sorted by recorded_at, which is in the past and after occurred_at."""
    timeline = demo_timeline(today=TODAY, seed=seed)
    recorded = [when for when, _ in timeline]
    assert recorded == sorted(recorded)
    assert all(when >= _at(envelope) for when, envelope in timeline)
    assert recorded[-1] < datetime.combine(TODAY, time.min, tzinfo=UTC)


def test_some_engagements_are_entered_late(events: list[dict[str, Any]]) -> None:
    """A few engagements are recorded more than 30 days after they happened."""
    late = [e for when, e in demo_timeline(today=TODAY)
            if e["type"] == "engagement.recorded" and (when - _at(e)).days > 30]
    assert 1 <= len(late) <= 30


def test_amounts_respect_currency_minor_units(events: list[dict[str, Any]]) -> None:
    """JPY amounts have no decimals; the others at most their minor units."""
    currencies: Counter[str] = Counter()
    for envelope in events:
        if envelope["type"] != "engagement.recorded" or "cost" not in envelope["data"]:
            continue
        cost = envelope["data"]["cost"]
        currencies[cost["currency"]] += 1
        exponent = Decimal(cost["amount"]).as_tuple().exponent
        assert isinstance(exponent, int)
        assert -exponent <= minor_units(cost["currency"])
    assert {"EUR", "USD", "GBP", "JPY", "CNY"} <= set(currencies)


def test_the_power_map_uses_every_role_layer_and_attitude(events: list[dict[str, Any]]) -> None:
    """Stakeholders cover all roles, both layers, attitudes −1…3, rising stars, officials."""
    people = [e["data"] for e in events if e["type"] == "stakeholder.registered"]
    for account in {p["account_id"] for p in people}:
        mine = [p for p in people if p["account_id"] == account]
        assert 10 <= len(mine) <= 30
        assert {p["role"] for p in mine} == {
            "approver", "decision_maker", "decision_supporter", "evaluator", "influencer"}
        assert {p["layer"] for p in mine} == {"key", "general"}
    assert {p["attitude"] for p in people} == {-1, 0, 1, 2, 3}
    assert any(p["rising_star"] for p in people)
    assert any(p["public_official"] for p in people)
    assert any("birthday" in p for p in people)


def test_fishbones_use_every_group_and_proximity(events: list[dict[str, Any]]) -> None:
    """Placements fill all four groups with proximities 1–3."""
    placed = [e["data"] for e in events if e["type"] == "opportunity.stakeholder_placed"]
    assert {p["group"] for p in placed} == {
        "commercial_evaluation", "technical_evaluation", "selection_decision", "final_decision"}
    assert {p["proximity"] for p in placed} == {1, 2, 3}


class _Ledger:
    """A minimal in-test model of the write side's state rules (SPEC §3.2)."""

    def __init__(self) -> None:
        self.accounts: set[str] = set()
        self.people: dict[str, str] = {}
        self.departed: dict[str, datetime] = {}
        self.opportunities: dict[str, str] = {}
        self.closed: set[str] = set()
        self.engagements: dict[str, dict[str, Any]] = {}
        self.voided: set[str] = set()

    def apply(self, envelope: dict[str, Any]) -> None:
        """Check one event against the state so far, then apply it."""
        kind, body, at = envelope["type"], envelope["data"], _at(envelope)
        for key in ("account_id", "stakeholder_id", "opportunity_id", "engagement_id"):
            if key in body:
                assert _matches(body[key]), body[key]
        if kind == "account.registered":
            assert body["account_id"] not in self.accounts
            self.accounts.add(body["account_id"])
        elif kind in ("account.tier_changed", "account.team_set"):
            assert body["account_id"] in self.accounts
        elif kind == "stakeholder.registered":
            assert body["account_id"] in self.accounts
            assert body["stakeholder_id"] not in self.people
            self.people[body["stakeholder_id"]] = body["account_id"]
        elif kind.startswith("stakeholder."):
            assert body["stakeholder_id"] in self.people
            assert body["stakeholder_id"] not in self.departed, envelope
            if kind == "stakeholder.departed":
                self.departed[body["stakeholder_id"]] = at
            if kind == "stakeholder.attitude_changed":
                assert body["reason"].strip()
        elif kind == "opportunity.opened":
            assert body["account_id"] in self.accounts
            self.opportunities[body["opportunity_id"]] = body["account_id"]
        elif kind == "opportunity.stakeholder_placed":
            account = self.opportunities[body["opportunity_id"]]
            assert self.people[body["stakeholder_id"]] == account
            assert body["stakeholder_id"] not in self.departed
        elif kind == "opportunity.closed":
            assert body["opportunity_id"] in self.opportunities
            assert body["opportunity_id"] not in self.closed
            self.closed.add(body["opportunity_id"])
        elif kind == "engagement.recorded":
            assert body["engagement_id"] not in self.engagements
            assert body["account_id"] in self.accounts
            self.engagements[body["engagement_id"]] = {**body, "occurred": at}
            self._check_engagement(self.engagements[body["engagement_id"]])
        elif kind.startswith("engagement."):
            engagement = self.engagements[body["engagement_id"]]
            assert body["engagement_id"] not in self.voided, envelope
            assert at > engagement["occurred"]
            if kind == "engagement.voided":
                self.voided.add(body["engagement_id"])
            if kind == "engagement.corrected":
                assert not {"engagement_id", "account_id"} & set(body["changes"])
                for key, value in body["changes"].items():
                    if value is None:
                        engagement.pop(key, None)
                    else:
                        engagement[key] = value
                self._check_engagement(engagement)

    def _check_engagement(self, engagement: dict[str, Any]) -> None:
        participants = engagement["participants"]
        for stakeholder_id in participants:
            assert self.people[stakeholder_id] == engagement["account_id"]
            assert stakeholder_id not in self.departed, engagement
        if engagement.get("opportunity_id"):
            assert self.opportunities[engagement["opportunity_id"]] == engagement["account_id"]
        if engagement["kind"] == "gift":
            assert participants and "cost" in engagement
        if engagement["kind"] in KEY_KINDS:
            assert participants
        if "allocation" in engagement:
            assert set(engagement["allocation"]) == set(participants)
            total = sum(Decimal(v) for v in engagement["allocation"].values())
            assert total == Decimal(engagement["cost"]["amount"])


def _matches(identifier: str) -> bool:
    return re.fullmatch(ID_PATTERN, identifier) is not None


@pytest.mark.parametrize("seed", [7, 8, 123])
def test_every_event_is_consistent_with_those_before_it(seed: int) -> None:
    """Submitted one by one in list order, every event satisfies the state rules."""
    ledger = _Ledger()
    for envelope in demo_events(today=TODAY, seed=seed):
        ledger.apply(envelope)


def test_every_account_gets_a_team_when_registered(events: list[dict[str, Any]]) -> None:
    """Each account's first team names an owner, set right after its registration."""
    registered = [e["data"]["account_id"] for e in events if e["type"] == "account.registered"]
    first_team: dict[str, dict[str, Any]] = {}
    for envelope in events:
        if envelope["type"] == "account.team_set":
            first_team.setdefault(envelope["data"]["account_id"], envelope)
    assert set(first_team) == set(registered)
    assert all(_matches(team["data"]["owner"]) for team in first_team.values())


def test_one_account_changes_owner_during_the_year(events: list[dict[str, Any]]) -> None:
    """A handover: a later team of an account names another owner than its first."""
    owners: dict[str, list[str]] = {}
    for envelope in events:
        if envelope["type"] == "account.team_set":
            owners.setdefault(envelope["data"]["account_id"], []).append(
                envelope["data"]["owner"])
    changed = {account for account, names in owners.items() if len(set(names)) > 1}
    assert changed == {"hikari-networks"}
    assert owners["hikari-networks"] == ["kenji.watanabe", "yuki.mori"]


def test_corrections_voids_and_approvals_all_appear(events: list[dict[str, Any]]) -> None:
    """Several corrections (one clearing an allocation), voids and approvals are present."""
    types = Counter(envelope["type"] for envelope in events)
    assert types["engagement.corrected"] >= 5
    assert types["engagement.voided"] >= 3
    assert types["engagement.approved"] >= 3
    changes = [e["data"]["changes"] for e in events if e["type"] == "engagement.corrected"]
    assert any("cost" in c for c in changes)
    assert any(c.get("allocation", "absent") is None for c in changes)


def test_every_correction_changes_something(events: list[dict[str, Any]]) -> None:
    """Each correction differs from the engagement as it stood, which the correction leaves
    unaltered in its original event."""
    current = {e["data"]["engagement_id"]: dict(e["data"]) for e in events
               if e["type"] == "engagement.recorded"}
    for envelope in events:
        if envelope["type"] == "engagement.corrected":
            engagement = current[envelope["data"]["engagement_id"]]
            changes = envelope["data"]["changes"]
            assert any(engagement.get(key) != value for key, value in changes.items())
            engagement.update(changes)


def test_engagements_mix_explicit_allocations_equal_splits_and_account_costs(
        events: list[dict[str, Any]]) -> None:
    """Some costs are allocated explicitly, some split equally, some belong to the account."""
    recorded = [e["data"] for e in events if e["type"] == "engagement.recorded"]
    costed = [e for e in recorded if "cost" in e]
    assert any("allocation" in e for e in costed)
    assert any("allocation" not in e and len(e["participants"]) > 1 for e in costed)
    assert any(not e["participants"] for e in costed)
    assert any("approval_ref" in e for e in recorded)


def test_demo_defaults_to_the_current_date() -> None:
    """Without today, the dataset ends before the current date."""
    events = demo_events(seed=3)
    assert max(_at(e).date() for e in events) < date.today()
