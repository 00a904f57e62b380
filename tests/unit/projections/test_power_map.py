"""SPEC §4.3 score and coverage, §4.4 ladder and staleness, §4.5 organizational stage."""

from __future__ import annotations

import pytest

from projections import queries
from projections.errors import UnknownAccount
from tests.unit.projections.builder import at, money


@pytest.fixture
def acme(log):
    """A policy and the account ``acme``."""
    log.policy("2025-01-01")
    log.account("acme", "2025-01-01")
    return log


def test_the_score_weighs_attitudes_by_role(views, acme):
    """A3, D2, E−1, I0: 100 × 21 / (3 × 12) = 58.3; both deciders won: coverage 1.0."""
    for sid, role, attitude in (("a", "approver", 3), ("d", "decision_maker", 2),
                                ("e", "evaluator", -1), ("i", "influencer", 0)):
        acme.stakeholder(sid, "acme", "2025-01-01", role=role, attitude=attitude)
    views.process(acme.records)
    result = queries.power_map(views.db, "acme")
    assert (result["score"], result["decision_coverage"]) == (58.3, 1.0)


def test_the_score_rounds_half_up(views, acme):
    """Σw = 16, Σw·a = 3: 100 × 3 / 48 = 6.25 rounds to 6.3, not 6.2."""
    for sid, role in (("a", "approver"), ("d", "decision_maker"), ("s1", "decision_supporter"),
                      ("s2", "decision_supporter")):
        acme.stakeholder(sid, "acme", "2025-01-01", role=role)
    acme.stakeholder("i", "acme", "2025-01-01", role="influencer", attitude=3)
    views.process(acme.records)
    assert queries.power_map(views.db, "acme")["score"] == 6.3


def test_coverage_counts_deciders_with_attitude_two_or_more(views, acme):
    """An approver at 1 and a decision maker at 2: coverage 0.5."""
    acme.stakeholder("a", "acme", "2025-01-01", role="approver", attitude=1)
    acme.stakeholder("d", "acme", "2025-01-01", role="decision_maker", attitude=2)
    acme.stakeholder("e", "acme", "2025-01-01", role="evaluator", attitude=3)
    views.process(acme.records)
    assert queries.power_map(views.db, "acme")["decision_coverage"] == 0.5


def test_an_account_without_stakeholders_has_no_score_or_coverage(views, acme):
    """Score and coverage are null with nobody to judge."""
    views.process(acme.records)
    result = queries.power_map(views.db, "acme")
    assert (result["score"], result["decision_coverage"], result["stakeholders"]) == (
        None, None, [])


def test_departed_stakeholders_leave_the_score_from_their_departure(views, acme):
    """An opposing approver who departs in June no longer drags the score down after it."""
    acme.stakeholder("a", "acme", "2025-01-01", role="approver", attitude=-1)
    acme.stakeholder("d", "acme", "2025-01-01", role="decision_maker", attitude=3)
    acme.add("stakeholder.departed", {"stakeholder_id": "a"}, "2025-06-01")
    views.process(acme.records)
    before = queries.power_map(views.db, "acme", as_of=at("2025-05-31"))
    after = queries.power_map(views.db, "acme", as_of=at("2025-06-01"))
    assert (before["score"], after["score"]) == (25.9, 100.0)  # 100×7/27, then 100×12/12
    assert [s["stakeholder_id"] for s in after["stakeholders"]] == ["d"]


def test_attitude_changes_take_effect_at_their_occurred_at(views, acme):
    """The power map as of a day shows the attitude then, not today's."""
    acme.stakeholder("a", "acme", "2025-01-01", role="approver", attitude=0)
    acme.add("stakeholder.attitude_changed", {"stakeholder_id": "a", "attitude": 3,
                                              "reason": "won over"}, "2025-03-01")
    views.process(acme.records)
    assert queries.power_map(views.db, "acme", as_of=at("2025-02-28"))["score"] == 0.0
    assert queries.power_map(views.db, "acme", as_of=at("2025-03-01"))["score"] == 100.0


def test_the_ladder_level_ignores_voided_engagements(views, acme):
    """A voided home visit does not lift the ladder above the dinner's level 3."""
    acme.stakeholder("a", "acme", "2025-01-01", layer="key")
    acme.engagement("e1", "acme", "dinner", ["a"], "2025-02-01")
    acme.engagement("e2", "acme", "home_visit", ["a"], "2025-02-02")
    acme.add("engagement.voided", {"engagement_id": "e2", "reason": "never happened"},
             "2025-02-03")
    views.process(acme.records)
    row = queries.power_map(views.db, "acme", as_of=at("2025-03-01"))["stakeholders"][0]
    assert (row["ladder_level"], row["last_engagement_at"]) == (3, "2025-02-01T00:00:00Z")


def test_a_key_person_is_stale_after_ninety_days_without_engagement(views, acme):
    """Engaged 1 Jan: fresh up to 1 Apr 00:00 inclusive, stale a second later."""
    acme.stakeholder("a", "acme", "2025-01-01", layer="key")
    acme.stakeholder("g", "acme", "2025-01-01", layer="general")
    acme.engagement("e1", "acme", "office_visit", ["a", "g"], "2025-01-01")
    views.process(acme.records)

    def stale(moment):
        rows = queries.power_map(views.db, "acme", as_of=at(moment))["stakeholders"]
        return {row["stakeholder_id"]: row["stale"] for row in rows}

    assert stale("2025-04-01T00:00:00") == {"a": False, "g": False}
    assert stale("2025-04-01T00:00:01") == {"a": True, "g": False}


def test_the_org_stage_is_the_deepest_element_of_the_last_365_days(views, acme):
    """Joint in Jan 2025 and a summit in June: joint until the joint work is a year old."""
    acme.engagement("j", "acme", "joint_initiative", [], "2025-01-01")
    acme.engagement("s", "acme", "summit", [], "2025-06-01")
    acme.engagement("r", "acme", "culture_recognition", [], "2025-07-01")
    acme.add("engagement.voided", {"engagement_id": "r", "reason": "wrong account"},
             "2025-07-02")
    views.process(acme.records)

    def stage(moment):
        return queries.list_accounts(views.db, as_of=at(moment))["accounts"][0]["org_stage"]

    assert [stage(m) for m in ("2025-01-01", "2025-12-31", "2026-01-01T00:00:01",
                               "2026-06-01", "2026-06-01T00:00:01")] == [
        "joint", "joint", "communication", "communication", "none"]


def test_the_accounts_list_shows_tier_changes_at_their_time(views, acme):
    """A standard account turned strategic in March is strategic only from March."""
    acme.add("account.tier_changed", {"account_id": "acme", "tier": "strategic"}, "2025-03-01")
    acme.engagement("e", "acme", "summit", [], "2025-02-01", cost=money("10.00"))
    views.process(acme.records)
    feb = queries.list_accounts(views.db, as_of=at("2025-02-15"))["accounts"][0]
    mar = queries.list_accounts(views.db, as_of=at("2025-03-01"))["accounts"][0]
    assert (feb["tier"], mar["tier"], mar["total_spend"]) == ("standard", "strategic", "10.00")


def test_an_account_not_yet_registered_is_unknown(views, acme):
    """Asking before the account's registration raises UnknownAccount."""
    views.process(acme.records)
    with pytest.raises(UnknownAccount):
        queries.power_map(views.db, "acme", as_of=at("2024-12-31"))
    with pytest.raises(UnknownAccount):
        queries.power_map(views.db, "nope")
