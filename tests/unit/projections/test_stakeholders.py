"""SPEC §4.4 stakeholder figures and the §5.3 history with its running state."""

from __future__ import annotations

from dataclasses import replace

import pytest

from projections import queries
from projections.batch import Batch
from projections.directory_rows import on_forgotten
from projections.errors import UnknownOpportunity
from projections.history import stakeholder_history
from tests.unit.projections.builder import at, money

END = at("2025-12-31")


@pytest.fixture
def acme(log):
    """A policy, the account ``acme`` and ``al``, registered neutral on 1 Jan 2025."""
    log.policy("2025-01-01")
    log.account("acme", "2025-01-01")
    log.stakeholder("al", "acme", "2025-01-01", layer="key")
    return log


def test_figures_sum_spend_and_count_engagements(views, acme):
    """Two dinners and a visit: count 3, spend 150.00, first and last dates, ladder 3."""
    acme.engagement("e1", "acme", "office_visit", ["al"], "2025-02-01", cost=money("20.00"))
    acme.engagement("e2", "acme", "dinner", ["al"], "2025-03-01", cost=money("80.00"))
    acme.engagement("e3", "acme", "regular_visit", ["al"], "2025-04-01", cost=money("50.00"))
    views.process(acme.records)
    result = queries.stakeholder_figures(views.db, "al", as_of=END)
    assert (result["engagement_count"], result["total_spend"], result["ladder_level"]) == (
        3, "150.00", 3)
    assert (result["first_engagement_at"], result["last_engagement_at"]) == (
        "2025-02-01T00:00:00Z", "2025-04-01T00:00:00Z")


def test_spend_since_the_attitude_change_and_cost_per_point(views, acme):
    """0 → 2 on 1 Mar after 100.00; 20.00 more later: since-change 20.00, per point 60.00."""
    acme.engagement("e1", "acme", "dinner", ["al"], "2025-02-01", cost=money("100.00"))
    acme.add("stakeholder.attitude_changed", {"stakeholder_id": "al", "attitude": 2,
                                              "reason": "won"}, "2025-03-01")
    acme.engagement("e2", "acme", "office_visit", ["al"], "2025-03-02", cost=money("20.00"))
    views.process(acme.records)
    result = queries.stakeholder_figures(views.db, "al", as_of=END)
    assert (result["initial_attitude"], result["attitude"]) == (0, 2)
    assert result["spend_since_attitude_change"] == "20.00"
    assert result["cost_per_attitude_point"] == "60.00"


def test_no_attitude_gain_means_no_cost_per_point(views, acme):
    """A drop from 0 to −1 leaves cost_per_attitude_point null."""
    acme.engagement("e1", "acme", "dinner", ["al"], "2025-02-01", cost=money("100.00"))
    acme.add("stakeholder.attitude_changed", {"stakeholder_id": "al", "attitude": -1,
                                              "reason": "lost"}, "2025-03-01")
    views.process(acme.records)
    assert queries.stakeholder_figures(views.db, "al", as_of=END)[
        "cost_per_attitude_point"] is None


def test_the_history_has_one_step_per_event_naming_the_person(views, acme):
    """Registration, a dinner, its correction, a role change and a placement, in occurred_at
    order, each with the running role, attitude, ladder and spend."""
    acme.engagement("e1", "acme", "dinner", ["al"], "2025-02-01", cost=money("100.00"))
    acme.add("stakeholder.role_changed", {"stakeholder_id": "al", "role": "approver"},
             "2025-03-01")
    acme.add("engagement.corrected", {"engagement_id": "e1", "reason": "receipt",
                                      "changes": {"cost": money("60.00")}}, "2025-04-01")
    acme.add("opportunity.opened", {"opportunity_id": "o", "account_id": "acme",
                                    "name": "5G"}, "2025-01-15")
    acme.add("opportunity.stakeholder_placed", {"opportunity_id": "o", "stakeholder_id": "al",
                                                "group": "final_decision", "proximity": 1},
             "2025-01-20", recorded="2025-05-01")
    views.process(acme.records)
    steps = stakeholder_history(views.db, "al", as_of=END)["steps"]
    assert [(s["type"], s["role"], s["ladder_level"], s["total_spend"]) for s in steps] == [
        ("stakeholder.registered", "influencer", 0, "0.00"),
        ("opportunity.stakeholder_placed", "influencer", 0, "0.00"),
        ("engagement.recorded", "influencer", 3, "60.00"),
        ("stakeholder.role_changed", "approver", 3, "60.00"),
        ("engagement.corrected", "approver", 3, "60.00"),
    ]
    assert steps[-1]["change"]["changes"] == {"cost": {"amount": "60.00", "currency": "EUR"}}
    assert stakeholder_history(views.db, "al", as_of=END, known_at=at("2025-04-30"))[
        "steps"][1]["type"] == "engagement.recorded"


def test_a_forgotten_person_reads_forgotten_but_keeps_the_figures(views, acme):
    """After erasure the name and reasons are gone; the attitude and spend stay."""
    acme.add("stakeholder.attitude_changed", {"stakeholder_id": "al", "attitude": 3,
                                              "reason": "told us about his divorce"},
             "2025-02-01")
    acme.engagement("e1", "acme", "dinner", ["al"], "2025-02-02", cost=money("10.00"))
    acme.add("stakeholder.forgotten", {"stakeholder_id": "al", "reason": "GDPR"}, "2025-03-01")
    views.process(acme.records)
    result = queries.stakeholder_figures(views.db, "al", as_of=END)
    assert (result["name"], result["forgotten"], result["attitude"],
            result["total_spend"]) == ("[forgotten]", True, 3, "10.00")
    reasons = [s["change"].get("reason") for s in
               stakeholder_history(views.db, "al", as_of=END)["steps"]]
    assert "told us about his divorce" not in reasons


def test_the_fishbone_shows_placements_with_role_and_attitude(views, acme):
    """Re-placing moves a person; closing sets the status; key people are proximity 1."""
    acme.stakeholder("bo", "acme", "2025-01-01", role="evaluator", attitude=-1)
    acme.add("opportunity.opened", {"opportunity_id": "o", "account_id": "acme",
                                    "name": "5G core", "value": money("1000000.00")},
             "2025-01-10")
    for sid, group, proximity, when in (("al", "final_decision", 2, "2025-01-11"),
                                        ("bo", "technical_evaluation", 1, "2025-01-12"),
                                        ("al", "selection_decision", 1, "2025-02-01")):
        acme.add("opportunity.stakeholder_placed", {"opportunity_id": "o", "stakeholder_id": sid,
                                                    "group": group, "proximity": proximity},
                 when)
    acme.add("opportunity.closed", {"opportunity_id": "o", "outcome": "won"}, "2025-06-01")
    views.process(acme.records)
    january = queries.opportunity_fishbone(views.db, "o", as_of=at("2025-01-31"))
    assert january["status"] == "open"
    assert [m["stakeholder_id"] for m in january["groups"]["final_decision"]] == ["al"]
    later = queries.opportunity_fishbone(views.db, "o", as_of=END)
    assert later["status"] == "won"
    assert later["groups"]["final_decision"] == []
    assert later["groups"]["technical_evaluation"][0] == {
        "stakeholder_id": "bo", "proximity": 1, "name": "Bo", "role": "evaluator",
        "attitude": -1, "departed": False}
    assert later["key_people"] == ["al", "bo"]
    with pytest.raises(UnknownOpportunity):
        queries.opportunity_fishbone(views.db, "o", as_of=at("2025-01-09"))


def test_forgetting_a_person_erases_the_free_text_of_their_engagements(views, acme):
    """Location, notes and reasons of their engagements read [forgotten]; the department,
    which is not sealed, stays."""
    acme.stakeholder("bo", "acme", "2025-01-01", department="Radio")
    acme.engagement("e1", "acme", "dinner", ["bo"], "2025-02-01", location="Bistro",
                    notes="talked about his kids")
    acme.add("engagement.corrected", {"engagement_id": "e1", "reason": "wrong place",
                                      "changes": {"location": "Cafe"}}, "2025-02-03")
    acme.add("stakeholder.forgotten", {"stakeholder_id": "bo", "reason": "GDPR"}, "2025-03-01")
    views.process(acme.records)
    versions = list(views.db.query(
        "SELECT location, notes, reason, changes FROM engagement_versions ORDER BY position"))
    assert versions[0]["location"] == versions[0]["notes"] == "[forgotten]"
    assert versions[1]["reason"] == "[forgotten]"
    assert versions[1]["changes"] == '{"location": "[forgotten]"}'
    result = queries.stakeholder_figures(views.db, "bo", as_of=END)
    assert (result["name"], result["department"]) == ("[forgotten]", "Radio")


def test_an_erasure_rewrites_only_what_was_recorded_before_it(views, acme):
    """A bulk build folds the recordings and the stakeholders' own events before the
    handlers apply the rest (:mod:`projections.log_fold`), so rows of later events may be
    there when an erasure is applied: it leaves them as they were recorded, as following
    the log does (where they come after it)."""
    acme.stakeholder("bo", "acme", "2025-01-01")
    acme.engagement("e1", "acme", "dinner", ["bo"], "2025-02-01", notes="his kids")
    acme.add("stakeholder.role_changed", {"stakeholder_id": "bo", "role": "evaluator",
                                          "reason": "moved to the lab"}, "2025-02-02")
    gap = acme.account("globex", "2025-03-01")  # where the erasure comes, in the log it folds
    acme.engagement("e2", "acme", "dinner", ["bo"], "2025-04-01", notes="new text")
    acme.add("stakeholder.role_changed", {"stakeholder_id": "bo", "role": "approver",
                                          "reason": "promoted"}, "2025-04-02")
    views.process(acme.records)
    erasure = acme.add("stakeholder.forgotten", {"stakeholder_id": "bo", "reason": "GDPR"},
                      "2025-03-01")
    out = Batch(views.db)
    on_forgotten(out, replace(erasure, position=gap.position))
    out.flush()
    notes = dict(views.db.execute("SELECT engagement_id, notes FROM engagement_versions"))
    assert notes == {"e1": "[forgotten]", "e2": "new text"}
    reasons = [row[0] for row in views.db.execute(
        "SELECT reason FROM stakeholder_changes WHERE stakeholder_id = 'bo' "
        "AND event_type = 'stakeholder.role_changed' ORDER BY position")]
    assert reasons == ["[forgotten]", "promoted"]
