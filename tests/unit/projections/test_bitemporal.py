"""SPEC §4.8: valid time, transaction time, late entries, corrections and voids."""

from __future__ import annotations

import pytest

from projections import queries
from projections.errors import UnknownStakeholder
from projections.history import stakeholder_history
from projections.spend import spend_report
from tests.unit.projections.builder import at, money


@pytest.fixture
def acme(log):
    """A policy, the account ``acme`` and its key person ``al``."""
    log.policy("2025-01-01")
    log.account("acme", "2025-01-01")
    log.stakeholder("al", "acme", "2025-01-01", layer="key", role="approver")
    log.stakeholder("bo", "acme", "2025-01-01")
    return log


def figures(views, sid="al", **when):
    """The stakeholder read, defaulting to the end of 2025 as known now."""
    when.setdefault("as_of", at("2025-12-31"))
    return queries.stakeholder_figures(views.db, sid, **when)


def test_a_late_entry_slots_into_history_by_occurred_at(views, acme):
    """A February dinner recorded in May counts for February once known, not before."""
    acme.engagement("mar", "acme", "office_visit", ["al"], "2025-03-01", cost=money("10.00"))
    acme.engagement("feb", "acme", "dinner", ["al"], "2025-02-01", recorded="2025-05-01",
                    cost=money("90.00"))
    views.process(acme.records)
    then = figures(views, as_of=at("2025-02-15"), known_at=at("2025-04-30"))
    assert (then["total_spend"], then["ladder_level"]) == ("0.00", 0)
    now = figures(views, as_of=at("2025-02-15"))
    assert (now["total_spend"], now["ladder_level"]) == ("90.00", 3)
    assert figures(views)["first_engagement_at"] == "2025-02-01T00:00:00Z"
    steps = stakeholder_history(views.db, "al", as_of=at("2025-12-31"))["steps"]
    assert [s["change"].get("engagement_id") for s in steps][-2:] == ["feb", "mar"]


def test_a_correction_applies_from_the_engagements_own_time_once_known(views, acme):
    """A June correction of a February dinner's cost changes February's figures — but
    only for readers who know of the correction."""
    acme.engagement("e", "acme", "dinner", ["al"], "2025-02-01", cost=money("100.00"))
    acme.add("engagement.corrected", {"engagement_id": "e", "reason": "receipt",
                                      "changes": {"cost": money("40.00")}}, "2025-06-01")
    views.process(acme.records)
    assert figures(views, as_of=at("2025-03-01"))["total_spend"] == "40.00"
    assert figures(views, as_of=at("2025-03-01"),
                   known_at=at("2025-05-31"))["total_spend"] == "100.00"


def test_a_correction_can_move_an_engagement_to_other_participants(views, acme):
    """Correcting participants moves the spend and the ladder to the new person."""
    acme.engagement("e", "acme", "home_visit", ["al"], "2025-02-01", cost=money("30.00"))
    acme.add("engagement.corrected", {"engagement_id": "e", "reason": "wrong person",
                                      "changes": {"participants": ["bo"]}}, "2025-03-01")
    views.process(acme.records)
    al, bo = figures(views), figures(views, "bo")
    assert (al["total_spend"], al["ladder_level"], al["engagement_count"]) == ("0.00", 0, 0)
    assert (bo["total_spend"], bo["ladder_level"], bo["engagement_count"]) == ("30.00", 5, 1)


def test_a_correction_clearing_the_cost_removes_the_spend(views, acme):
    """``cost: null`` in a correction clears the cost."""
    acme.engagement("e", "acme", "office_visit", ["al"], "2025-02-01", cost=money("30.00"))
    acme.add("engagement.corrected", {"engagement_id": "e", "reason": "paid by them",
                                      "changes": {"cost": None}}, "2025-03-01")
    views.process(acme.records)
    assert figures(views)["total_spend"] == "0.00"


def test_a_void_applies_at_every_valid_time_once_known(views, acme):
    """A dinner voided in June never counted, as known after June; as known before, it did."""
    acme.engagement("e", "acme", "dinner", ["al"], "2025-02-01", cost=money("70.00"))
    acme.add("engagement.voided", {"engagement_id": "e", "reason": "duplicate"}, "2025-06-01")
    views.process(acme.records)
    assert figures(views, as_of=at("2025-03-01"))["engagement_count"] == 0
    before = figures(views, as_of=at("2025-03-01"), known_at=at("2025-05-01"))
    assert (before["engagement_count"], before["total_spend"]) == (1, "70.00")
    report = spend_report(views.db, "account", as_of=at("2025-12-31"))
    assert report["total"] == "0.00"


def test_known_at_hides_everything_recorded_later(views, acme):
    """A stakeholder registered (and recorded) in March is unknown to a February reader."""
    acme.stakeholder("cy", "acme", "2025-01-15", recorded="2025-03-01")
    views.process(acme.records)
    assert figures(views, "cy", as_of=at("2025-02-01"))["attitude"] == 0
    with pytest.raises(UnknownStakeholder):
        figures(views, "cy", as_of=at("2025-02-01"), known_at=at("2025-02-01"))


def test_the_attitude_at_a_past_time_is_the_one_known_then(views, acme):
    """A late-recorded attitude change alters the past only for later readers."""
    acme.add("stakeholder.attitude_changed", {"stakeholder_id": "al", "attitude": 2,
                                              "reason": "dinner went well"},
             "2025-02-01", recorded="2025-04-01")
    views.process(acme.records)
    assert figures(views, as_of=at("2025-03-01"))["attitude"] == 2
    assert figures(views, as_of=at("2025-03-01"), known_at=at("2025-03-31"))["attitude"] == 0


def test_a_placement_dated_before_its_opportunity_opened_appears_once_it_opened(views, acme):
    """A fishbone placement back-dated before the opportunity's opening is not part of the
    person's history before that opening, and is from the opening on."""
    acme.add("opportunity.opened", {"opportunity_id": "deal", "account_id": "acme",
                                    "name": "Deal", "value": None}, "2025-06-01")
    acme.add("opportunity.stakeholder_placed", {
        "opportunity_id": "deal", "stakeholder_id": "al", "group": "final_decision",
        "proximity": 1}, "2025-05-01", recorded="2025-06-01")
    views.process(acme.records)

    def steps(as_of):
        history = stakeholder_history(views.db, "al", as_of=at(as_of))
        return [step["type"] for step in history["steps"]]

    assert steps("2025-05-15") == ["stakeholder.registered"]
    assert steps("2025-06-15") == ["stakeholder.registered", "opportunity.stakeholder_placed"]
