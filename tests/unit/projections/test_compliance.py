"""SPEC §4.7 compliance flags: each flag, its limit and policy, and how it clears."""

from __future__ import annotations

import pytest

from projections.compliance import compliance_flags
from projections.errors import InvalidQuery
from tests.unit.projections.builder import at, money

LIMITS = {"gift_item_limit": "50.00", "hospitality_per_person_limit": "100.00",
          "annual_recipient_limit": "300.00", "pre_approval_above": "500.00"}


@pytest.fixture
def acme(log):
    """A strict policy, the account ``acme``, two people and a public official."""
    log.policy("2025-01-01", **LIMITS)
    log.account("acme", "2025-01-01")
    log.stakeholder("al", "acme", "2025-01-01")
    log.stakeholder("bo", "acme", "2025-01-01")
    log.stakeholder("po", "acme", "2025-01-01", public_official=True)
    return log


def flags(views, log, **query):
    """Process the log and return (flag, engagement, stakeholder, amount, open) tuples."""
    views.process(log.records[views.position():])
    query.setdefault("as_of", at("2026-12-31"))
    return [(f["flag"], f["engagement_id"], f["stakeholder_id"], f["amount"], f["open"])
            for f in compliance_flags(views.db, **query)["flags"]]


def test_a_gift_share_over_the_item_limit_is_flagged_per_recipient(views, acme):
    """120.00 to two: 60.00 each > 50.00; 100.00 to two (50.00 each) is within."""
    acme.engagement("g1", "acme", "gift", ["al", "bo"], "2025-02-01", cost=money("120.00"))
    acme.engagement("g2", "acme", "gift", ["al", "bo"], "2025-02-02", cost=money("100.00"))
    assert flags(views, acme) == [("gift_over_limit", "g1", "al", "60.00", True),
                                  ("gift_over_limit", "g1", "bo", "60.00", True)]
    first = compliance_flags(views.db, as_of=at("2026-01-01"))["flags"][0]
    assert (first["limit"], first["policy_event_id"]) == ("50.00", acme.records[0].event_id)


def test_hospitality_over_the_per_person_limit_is_flagged(views, acme):
    """A 250.00 dinner for two is 125.00 each, over 100.00."""
    acme.engagement("d1", "acme", "dinner", ["al", "bo"], "2025-02-01", cost=money("250.00"))
    assert flags(views, acme) == [("hospitality_over_limit", "d1", "al", "125.00", True),
                                  ("hospitality_over_limit", "d1", "bo", "125.00", True)]


def test_the_annual_limit_flags_the_engagement_that_crosses_it_and_later_ones(views, acme):
    """100 × 3 stays at the limit (a voided 100 does not count); the next 50 crosses it;
    a cost-free visit is not flagged, a later 10 is; a new year starts from zero."""
    for eid, when, cost in (("j", "2025-01-10", "100.00"), ("f", "2025-02-10", "100.00"),
                            ("m", "2025-03-10", "100.00"), ("y", "2025-05-10", "100.00"),
                            ("u", "2025-07-10", "50.00"), ("s", "2025-09-10", "10.00"),
                            ("n", "2026-01-10", "100.00")):
        acme.engagement(eid, "acme", "office_visit", ["al"], when, cost=money(cost))
    acme.engagement("a", "acme", "office_visit", ["al"], "2025-08-10")
    acme.add("engagement.voided", {"engagement_id": "f", "reason": "duplicate"}, "2025-12-01")
    annual = [(eid, amount, still_open) for name, eid, _, amount, still_open
              in flags(views, acme, flag="annual_limit_exceeded")]
    assert annual == [("u", "350.00", True), ("s", "360.00", True)]


def test_a_large_engagement_without_approval_is_flagged_until_approved(views, acme):
    """600.00 > 500.00 is open; an approval in April resolves it from April, and the flag
    keeps that it was approved late."""
    acme.engagement("big", "acme", "summit", [], "2025-02-01", cost=money("600.00"))
    acme.add("engagement.approved", {"engagement_id": "big", "approval_ref": "CFO-7",
                                     "approver": "cfo"}, "2025-04-01")
    assert flags(views, acme, as_of=at("2025-03-01")) == [
        ("missing_approval", "big", None, "600.00", True)]
    [late] = compliance_flags(views.db, as_of=at("2025-04-02"))["flags"]
    assert (late["open"], late["resolved_by"]["approval_ref"]) == (False, "CFO-7")
    assert late["resolved_by"]["event_id"] == acme.records[-1].event_id


def test_an_engagement_recorded_with_its_approval_is_not_flagged(views, acme):
    """An approval reference on the record itself means nothing is missing."""
    acme.engagement("big", "acme", "summit", [], "2025-02-01", cost=money("600.00"),
                    approval_ref="CFO-1")
    assert flags(views, acme) == []


def test_spending_on_a_public_official_needs_approval(views, acme):
    """A 20.00 coffee with an official is flagged; a cost-free visit is not."""
    acme.engagement("c", "acme", "business_exchange", ["po", "al"], "2025-02-01",
                    cost=money("20.00"))
    acme.engagement("v", "acme", "office_visit", ["po"], "2025-02-02")
    assert flags(views, acme) == [("public_official_unapproved", "c", "po", "10.00", True)]
    acme.add("engagement.approved", {"engagement_id": "c", "approval_ref": "OK",
                                     "approver": "legal"}, "2025-02-03")
    assert flags(views, acme, open=True) == []


def test_a_policy_not_requiring_approval_for_officials_raises_no_flag(views, log):
    """``public_official_requires_approval`` false switches the check off."""
    log.policy("2025-01-01", public_official_requires_approval=False)
    log.account("acme", "2025-01-01")
    log.stakeholder("po", "acme", "2025-01-01", public_official=True)
    log.engagement("c", "acme", "greeting", ["po"], "2025-02-01", cost=money("20.00"))
    assert flags(views, log) == []


def test_an_entry_more_than_the_allowed_days_late_is_flagged(views, acme):
    """Recorded 30 days after: fine; 30 days and a second: late."""
    acme.engagement("ok", "acme", "office_visit", ["al"], "2025-02-01",
                    recorded="2025-03-03T00:00:00")
    acme.engagement("late", "acme", "office_visit", ["al"], "2025-02-01",
                    recorded="2025-03-03T00:00:01")
    assert flags(views, acme) == [("late_entry", "late", None, None, True)]
    assert compliance_flags(views.db)["flags"][0]["limit"] == "30 days"


def test_voiding_an_engagement_resolves_all_its_flags(views, acme):
    """A voided over-limit gift keeps its flags, closed and naming the void."""
    acme.engagement("g", "acme", "gift", ["al"], "2025-02-01", cost=money("80.00"))
    void = acme.add("engagement.voided", {"engagement_id": "g", "reason": "returned"},
                    "2025-02-05")
    assert flags(views, acme) == [("gift_over_limit", "g", "al", "80.00", False)]
    resolved = compliance_flags(views.db)["flags"][0]["resolved_by"]
    assert (resolved["type"], resolved["event_id"]) == ("engagement.voided", void.event_id)
    assert flags(views, acme, known_at=at("2025-02-04")) == [
        ("gift_over_limit", "g", "al", "80.00", True)]


def test_flags_use_the_policy_in_force_at_the_engagement(views, acme):
    """A stricter policy from June flags June gifts, not earlier ones; a policy recorded
    late only counts once known."""
    acme.policy("2025-06-01", recorded="2025-07-01", **{**LIMITS, "gift_item_limit": "10.00"})
    acme.engagement("may", "acme", "gift", ["al"], "2025-05-01", cost=money("20.00"))
    acme.engagement("jun", "acme", "gift", ["al"], "2025-06-02", cost=money("20.00"))
    assert flags(views, acme) == [("gift_over_limit", "jun", "al", "20.00", True)]
    assert flags(views, acme, known_at=at("2025-06-30")) == []


def test_flags_filter_by_account_window_kind_and_state(views, acme):
    """The account, from/to (inclusive), flag and open filters narrow the list."""
    acme.account("other", "2025-01-01")
    acme.stakeholder("ot", "other", "2025-01-01")
    acme.engagement("a1", "acme", "gift", ["al"], "2025-02-01", cost=money("80.00"))
    acme.engagement("a2", "acme", "gift", ["al"], "2025-03-01", cost=money("80.00"))
    acme.engagement("o1", "other", "gift", ["ot"], "2025-02-01", cost=money("80.00"))
    acme.add("engagement.voided", {"engagement_id": "a2", "reason": "x"}, "2025-03-02")
    ids = [f[1] for f in flags(views, acme, flag="gift_over_limit")]
    assert ids == ["a1", "o1", "a2"]
    assert [f[1] for f in flags(views, acme, account_id="other")] == ["o1"]
    assert [f[1] for f in flags(views, acme, start=at("2025-03-01"), end=at("2025-03-01"))] \
        == ["a2"]
    assert [f[1] for f in flags(views, acme, open=True)] == ["a1", "o1"]
    with pytest.raises(InvalidQuery):
        flags(views, acme, flag="nonsense")
