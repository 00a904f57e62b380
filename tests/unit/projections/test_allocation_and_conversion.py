"""SPEC §4.1 allocation and §4.2 conversion to the base currency, with hand-worked numbers."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from projections import queries
from projections.allocation import allocate
from projections.compliance import compliance_flags
from projections.spend import spend_report
from tests.unit.projections.builder import at, money

LATER = at("2026-12-31")


def spend_of(views, stakeholder_id, **when):
    """A stakeholder's total_spend as the stakeholder read renders it."""
    when.setdefault("as_of", LATER)
    return queries.stakeholder_figures(views.db, stakeholder_id, **when)["total_spend"]


def test_an_equal_split_gives_the_remainder_to_the_first_ids_in_order():
    """100.00 over three people: 33.34, 33.33, 33.33 — the extra cent to the lowest id."""
    shares = allocate(Decimal("100.00"), "EUR", ["cy", "al", "bo"])
    assert shares == {"al": Decimal("33.34"), "bo": Decimal("33.33"), "cy": Decimal("33.33")}


def test_an_equal_split_of_two_cents_over_three_people_leaves_one_with_nothing():
    """0.02 over three: 0.01, 0.01, 0.00 in ascending id order."""
    shares = allocate(Decimal("0.02"), "EUR", ["c", "b", "a"])
    assert shares == {"a": Decimal("0.01"), "b": Decimal("0.01"), "c": Decimal("0.00")}


def test_an_equal_split_respects_currencies_without_minor_units():
    """1000 JPY over three: 334, 333, 333 yen."""
    shares = allocate(Decimal("1000"), "JPY", ["x", "y", "z"])
    assert shares == {"x": Decimal(334), "y": Decimal(333), "z": Decimal(333)}


def test_an_explicit_allocation_wins_over_the_equal_split():
    """The allocation's amounts are used as given."""
    shares = allocate(Decimal("100.00"), "EUR", ["a", "b"], {"a": "90.00", "b": "10.00"})
    assert shares == {"a": Decimal("90.00"), "b": Decimal("10.00")}


@settings(max_examples=200, deadline=None)
@given(cents=st.integers(0, 10**9), people=st.lists(st.text("abcdef", min_size=1),
                                                     min_size=1, max_size=12, unique=True))
def test_equal_shares_sum_exactly_and_differ_by_at_most_one_minor_unit(cents, people):
    """Whatever the amount and the number of people, nothing is lost or created."""
    cost = Decimal(cents).scaleb(-2)
    shares = allocate(cost, "EUR", people)
    assert sum(shares.values()) == cost
    assert max(shares.values()) - min(shares.values()) <= Decimal("0.01")


def test_shares_follow_the_engagement_into_the_power_map(views, log):
    """An equal split of 100.00 EUR over three participants lands on each person."""
    log.policy()
    log.account("acme")
    for sid in ("al", "bo", "cy"):
        log.stakeholder(sid, "acme")
    log.engagement("e1", "acme", "dinner", ["cy", "bo", "al"], "2026-02-01",
                   cost=money("100.00"))
    views.process(log.records)
    assert [spend_of(views, sid) for sid in ("al", "bo", "cy")] == ["33.34", "33.33", "33.33"]


def test_a_cost_without_participants_is_the_accounts_unallocated_spend(views, log):
    """A summit with nobody named counts for the account and under the None stakeholder."""
    log.policy()
    log.account("acme")
    log.engagement("e1", "acme", "summit", [], "2026-02-01", cost=money("80.00"))
    views.process(log.records)
    report = spend_report(views.db, "stakeholder", as_of=LATER)
    assert report["groups"] == [{"key": None, "total": "80.00", "engagement_count": 1}]
    assert queries.list_accounts(views.db, as_of=LATER)["accounts"][0]["total_spend"] == "80.00"


def test_each_share_converts_at_the_rate_in_force_at_the_engagement(views, log):
    """USD shares use the latest rate with occurred_at ≤ the engagement's, not a later one."""
    log.policy()
    log.account("acme")
    log.stakeholder("al", "acme")
    log.rate("USD", "0.90", "2026-01-01")
    log.rate("USD", "0.80", "2026-03-01")
    log.engagement("e1", "acme", "dinner", ["al"], "2026-02-01", cost=money("100.00", "USD"))
    log.engagement("e2", "acme", "dinner", ["al"], "2026-03-02", cost=money("10.00", "USD"))
    views.process(log.records)
    assert spend_of(views, "al") == "98.00"  # 100 × 0.90 + 10 × 0.80


def test_conversion_rounds_half_even_to_base_minor_units(views, log):
    """0.125 rounds to 0.12 and 0.135 to 0.14 (banker's rounding), per share."""
    log.policy()
    log.account("acme")
    log.stakeholder("al", "acme")
    log.stakeholder("bo", "acme")
    log.rate("USD", "0.5", "2026-01-01")
    log.engagement("e1", "acme", "dinner", ["al", "bo"], "2026-02-01",
                   cost=money("0.52", "USD"), allocation={"al": "0.25", "bo": "0.27"})
    views.process(log.records)
    assert (spend_of(views, "al"), spend_of(views, "bo")) == ("0.12", "0.14")


def test_a_missing_rate_flags_the_engagement_and_leaves_it_out_of_totals(views, log):
    """No GBP rate: the engagement is unconverted, listed with its money, and flagged."""
    log.policy()
    log.account("acme")
    log.stakeholder("al", "acme")
    log.engagement("e1", "acme", "dinner", ["al"], "2026-02-01", cost=money("40.00", "GBP"))
    log.engagement("e2", "acme", "dinner", ["al"], "2026-02-02", cost=money("10.00"))
    views.process(log.records)
    report = spend_report(views.db, "account", as_of=LATER)
    assert report["total"] == "10.00"
    assert report["unconverted"][0]["cost"] == {"amount": "40.00", "currency": "GBP"}
    figures = queries.stakeholder_figures(views.db, "al", as_of=LATER)
    assert (figures["total_spend"], figures["engagement_count"]) == ("10.00", 2)
    flags = compliance_flags(views.db, flag="fx_rate_missing", as_of=LATER)["flags"]
    assert [f["engagement_id"] for f in flags] == ["e1"]


def test_a_conversion_too_large_to_be_a_cost_is_left_unconverted(views, log):
    """The largest cost at the largest rate is ~10^21 euros: it cannot be real, and its
    base minor units would not fit the views' 64-bit sums. It stays unconverted, in the
    current tables and in the bitemporal reads alike, and the views keep applying."""
    log.policy()
    log.account("acme")
    log.stakeholder("al", "acme")
    log.rate("USD", "999999.9999", "2026-01-15")
    log.engagement("e1", "acme", "dinner", ["al"], "2026-02-01",
                   cost=money("999999999999999.99", "USD"))
    log.engagement("e2", "acme", "dinner", ["al"], "2026-02-02", cost=money("10.00"))
    views.process(log.records)
    for when in ({}, {"as_of": LATER}):
        report = spend_report(views.db, "account", **when)
        assert report["total"] == "10.00"
        assert [u["engagement_id"] for u in report["unconverted"]] == ["e1"]
        assert queries.stakeholder_figures(views.db, "al", **when)["total_spend"] == "10.00"
        assert queries.list_accounts(views.db, **when)["accounts"][0]["total_spend"] == "10.00"


def test_a_rate_recorded_late_converts_only_once_known(views, log):
    """A rate entered in April for January converts a February dinner when known in April."""
    log.policy()
    log.account("acme")
    log.stakeholder("al", "acme")
    log.engagement("e1", "acme", "dinner", ["al"], "2026-02-01", cost=money("100.00", "USD"))
    log.rate("USD", "0.90", "2026-01-01", recorded="2026-04-01")
    views.process(log.records)
    assert spend_of(views, "al", known_at=at("2026-03-01")) == "0.00"
    assert spend_of(views, "al", known_at=at("2026-04-02")) == "90.00"


def test_the_base_currency_is_usd_before_any_policy(views, log):
    """Without a policy, figures are in USD and USD amounts convert at 1."""
    log.account("acme")
    log.stakeholder("al", "acme")
    log.engagement("e1", "acme", "dinner", ["al"], "2026-02-01", cost=money("12.50", "USD"))
    views.process(log.records)
    figures = queries.stakeholder_figures(views.db, "al", as_of=LATER)
    assert (figures["currency"], figures["total_spend"]) == ("USD", "12.50")
