"""SPEC §6 handover brief data."""

from __future__ import annotations

import json

from projections.handover import handover_brief
from tests.unit.projections.builder import at, money


def test_the_brief_summarises_the_account_for_a_new_manager(views, log):
    """Grid, coaches, opponents, weak key people with unused remedies, open deals, spend,
    open flags and attitude trajectories, all as of the handover day."""
    log.policy("2025-01-01", gift_item_limit="50.00")
    log.account("acme", "2025-01-01", tier="strategic")
    log.stakeholder("ann", "acme", "2025-01-01", role="approver", attitude=3, layer="key")
    log.stakeholder("dan", "acme", "2025-01-01", role="decision_maker", attitude=0, layer="key")
    log.stakeholder("eve", "acme", "2025-01-01", role="evaluator", attitude=-1)
    log.add("stakeholder.attitude_changed", {"stakeholder_id": "ann", "attitude": 1,
                                             "reason": "met"}, "2025-03-01")
    log.add("stakeholder.attitude_changed", {"stakeholder_id": "ann", "attitude": 3,
                                             "reason": "coach"}, "2025-05-01")
    log.engagement("x", "acme", "executive_visit", ["dan"], "2025-04-01", cost=money("10.00"))
    log.engagement("g", "acme", "gift", ["eve"], "2025-05-02", cost=money("70.00"))
    log.engagement("s", "acme", "summit", [], "2025-05-03")
    log.add("opportunity.opened", {"opportunity_id": "o1", "account_id": "acme",
                                   "name": "RAN"}, "2025-02-01")
    log.add("opportunity.opened", {"opportunity_id": "o2", "account_id": "acme",
                                   "name": "Old"}, "2025-02-01")
    log.add("opportunity.closed", {"opportunity_id": "o2", "outcome": "lost"}, "2025-03-01")
    views.process(log.records)
    brief = handover_brief(views.db, "acme", as_of=at("2025-06-01"))
    json.dumps(brief)  # plain data all the way down
    assert (brief["tier"], brief["org_stage"]) == ("strategic", "communication")
    # A5×3 + D4×0 + E2×−1 = 13 over 3 × 11; ninety days earlier ann stood at 1.
    assert (brief["score"], brief["score_90_days_earlier"]) == (39.4, 9.1)
    assert brief["decision_coverage"] == 0.5
    assert brief["grid"]["approver"]["3"] == ["ann"]
    assert brief["grid"]["evaluator"]["-1"] == ["eve"]
    assert (brief["coaches"], brief["opponents"]) == (["ann"], ["eve"])
    assert brief["stale_key_relationships"] == ["ann"]
    assert brief["weak_key_people"] == [{"stakeholder_id": "dan", "attitude": 0,
                                         "role": "decision_maker",
                                         "remedies": ["exhibition_invite", "hq_visit"]}]
    assert [o["opportunity_id"] for o in brief["opportunities"]] == ["o1"]
    spend = brief["spend_last_12_months"]
    assert {g["key"]: g["total"] for g in spend["by_kind"]["groups"]} == {
        "executive_visit": "10.00", "gift": "70.00", "summit": "0.00"}
    assert [g["key"] for g in spend["by_stakeholder"]["groups"]] == ["eve", "dan", None]
    assert [(f["flag"], f["stakeholder_id"]) for f in brief["open_flags"]] == [
        ("gift_over_limit", "eve")]
    assert brief["trajectories"]["ann"] == [
        {"occurred_at": "2025-01-01T00:00:00Z", "attitude": 3},
        {"occurred_at": "2025-03-01T00:00:00Z", "attitude": 1},
        {"occurred_at": "2025-05-01T00:00:00Z", "attitude": 3}]


def test_the_brief_names_the_team_of_its_point_in_time(views, log):
    """The team is the latest account.team_set at the brief's as_of, as known at known_at:
    before a handover the old owner, after it the new one; a late-entered team only once
    known."""
    log.account("acme", "2025-01-01")
    team = "account.team_set"
    log.add(team, {"account_id": "acme", "owner": "a.li", "members": ["c.wu"]}, "2025-01-02")
    log.add(team, {"account_id": "acme", "owner": "b.ng"}, "2025-06-01")
    log.add(team, {"account_id": "acme", "owner": "d.ok"}, "2025-03-01", recorded="2025-07-01")
    views.process(log.records)
    assert handover_brief(views.db, "acme", as_of=at("2025-01-01"))["team"] is None
    assert handover_brief(views.db, "acme", as_of=at("2025-05-31"), known_at=at("2025-06-30"))[
        "team"] == {"owner": "a.li", "members": ["c.wu"]}
    assert handover_brief(views.db, "acme", as_of=at("2025-05-31"))["team"] == {
        "owner": "d.ok", "members": []}
    assert handover_brief(views.db, "acme", as_of=at("2025-06-01"))["team"] == {
        "owner": "b.ng", "members": []}
