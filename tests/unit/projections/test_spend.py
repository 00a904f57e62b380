"""SPEC §4.6 spend totals: every grouping, inclusive windows, account filter."""

from __future__ import annotations

import pytest

from projections.errors import InvalidQuery
from projections.spend import spend_report
from tests.unit.projections.builder import at, money

END = at("2025-12-31")


@pytest.fixture
def spent(views, log):
    """Three engagements in two accounts (one in USD), one voided."""
    log.policy("2025-01-01")
    log.rate("USD", "0.5", "2025-01-01")
    for aid in ("acme", "beta"):
        log.account(aid, "2025-01-01")
    log.stakeholder("al", "acme", "2025-01-01")
    log.stakeholder("bo", "acme", "2025-01-01")
    log.stakeholder("cy", "beta", "2025-01-01")
    log.add("opportunity.opened", {"opportunity_id": "o", "account_id": "acme", "name": "5G"},
            "2025-01-01")
    log.engagement("e1", "acme", "dinner", ["al", "bo"], "2025-01-31T23:00:00",
                   cost=money("100.01"), opportunity_id="o")
    log.engagement("e2", "acme", "gift", ["al"], "2025-02-01", cost=money("40.00", "USD"),
                   owner="kim")
    log.engagement("e3", "beta", "summit", [], "2025-02-15", cost=money("300.00"))
    log.engagement("e4", "beta", "dinner", ["cy"], "2025-03-01", cost=money("999.00"))
    log.add("engagement.voided", {"engagement_id": "e4", "reason": "x"}, "2025-03-02")
    views.process(log.records)
    return views


def groups(views, group_by, **query):
    """{key: (total, engagement_count)} of a report."""
    report = spend_report(views.db, group_by, as_of=END, **query)
    return {g["key"]: (g["total"], g["engagement_count"]) for g in report["groups"]}


@pytest.mark.parametrize(("group_by", "expected"), [
    ("stakeholder", {"al": ("70.01", 2), "bo": ("50.00", 1), None: ("300.00", 1)}),
    ("account", {"acme": ("120.01", 2), "beta": ("300.00", 1)}),
    ("owner", {"owner-1": ("400.01", 2), "kim": ("20.00", 1)}),
    ("kind", {"dinner": ("100.01", 1), "gift": ("20.00", 1), "summit": ("300.00", 1)}),
    ("month", {"2025-01": ("100.01", 1), "2025-02": ("320.00", 2)}),
    ("opportunity", {"o": ("100.01", 1), None: ("320.00", 2)}),
])
def test_spend_groups_by_every_dimension(spent, group_by, expected):
    """Non-voided engagements in base currency, grouped as asked."""
    assert groups(spent, group_by) == expected
    assert spend_report(spent.db, group_by, as_of=END)["total"] == "420.01"


def test_the_window_is_inclusive_at_both_ends(spent):
    """from = e1's instant and to = e2's instant include both, and only them."""
    window = groups(spent, "account", start=at("2025-01-31T23:00:00"), end=at("2025-02-01"))
    assert window == {"acme": ("120.01", 2)}


def test_the_account_filter_limits_the_report(spent):
    """Only beta's summit is left."""
    assert groups(spent, "kind", account_id="beta") == {"summit": ("300.00", 1)}


def test_an_unknown_grouping_is_refused(spent):
    """group_by must be one of the six groupings."""
    with pytest.raises(InvalidQuery):
        spend_report(spent.db, "colour")
