"""The current read model answers "now" exactly as the bitemporal tables do (after all events)."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections import queries
from projections.current_queries import (
    accounts_now,
    power_map_now,
    spend_now,
    stakeholder_now,
)
from projections.engine import ViewDatabase
from projections.spend import GROUPINGS, spend_report
from projections.timeaxis import Point, stamp
from tests.unit.projections.strategies import event_logs

MOMENTS = st.one_of(st.none(), st.sampled_from([
    datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 10, tzinfo=UTC),
    datetime(2026, 6, 1, 12, tzinfo=UTC)]))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(log=event_logs(), start=MOMENTS, end=MOMENTS, pick=st.integers(0, 3))
def test_reads_at_now_equal_the_bitemporal_reads_after_every_event(log, start, end, pick):
    """Accounts, power maps, stakeholders and spend agree between both read models."""
    # Just after the last event, so the 90- and 365-day windows cut through the history.
    after = max(max(r.occurred_at, r.recorded_at) for r in log.records) + timedelta(days=1)
    AT = Point(stamp(after), stamp(after))  # noqa: N806 - the point of this example
    WHEN = {"as_of": after, "known_at": after}  # noqa: N806
    with tempfile.TemporaryDirectory() as directory:
        views = ViewDatabase(Path(directory) / "v.db")
        views.process(log.records)
        db = views.db
        assert accounts_now(db, AT) == queries.list_accounts(db, **WHEN)
        accounts = [row[0] for row in db.execute("SELECT account_id FROM accounts")]
        for account_id in accounts:
            assert power_map_now(db, account_id, AT) == queries.power_map(db, account_id, **WHEN)
        for (sid,) in db.execute("SELECT stakeholder_id FROM stakeholders").fetchall():
            assert stakeholder_now(db, sid, AT) == queries.stakeholder_figures(db, sid, **WHEN)
        account_id = accounts[pick] if pick < len(accounts) else None
        for group_by in GROUPINGS:
            slow = spend_report(db, group_by, start=start, end=end, account_id=account_id,
                                **WHEN)
            fast = spend_now(db, group_by, start, end, account_id, AT)
            assert fast == {key: slow[key] for key in ("total", "groups", "unconverted")}
        views.close()


def test_reads_without_a_point_use_the_current_tables(views, log):
    """No as_of and no known_at: the accounts list comes from the current tables."""
    log.policy()
    log.account("acme")
    log.stakeholder("al", "acme")
    views.process(log.records)
    views.db.execute("UPDATE current_accounts SET base_minor = 4200 WHERE account_id = 'acme'")
    assert queries.list_accounts(views.db)["accounts"][0]["total_spend"] == "42.00"


def test_a_late_rate_reconverts_the_current_figures(views, log):
    """A USD dinner without a rate is unconverted; a rate entered later for its date
    converts it in the current tables, and a later rate does not touch it."""
    log.policy()
    log.account("acme")
    log.stakeholder("al", "acme")
    log.engagement("e1", "acme", "dinner", ["al"], "2026-02-01", cost={"amount": "100.00",
                                                                        "currency": "USD"})
    views.process(log.records)
    assert queries.stakeholder_figures(views.db, "al")["unconverted_engagements"] == ["e1"]
    log.rate("USD", "0.90", "2026-01-15")
    log.rate("USD", "0.50", "2026-03-01")
    views.process(log.records)
    figures = queries.stakeholder_figures(views.db, "al")
    assert (figures["total_spend"], figures["unconverted_engagements"]) == ("90.00", [])
    assert queries.list_accounts(views.db)["accounts"][0]["total_spend"] == "90.00"


def test_a_void_and_a_correction_update_the_current_figures(views, log):
    """Voiding one dinner and correcting another's participants moves the totals."""
    log.policy()
    log.account("acme")
    log.stakeholder("al", "acme", role="approver", attitude=3)
    log.stakeholder("bo", "acme")
    log.engagement("e1", "acme", "home_visit", ["al"], "2026-02-01", cost={
        "amount": "30.00", "currency": "EUR"})
    log.engagement("e2", "acme", "dinner", ["al"], "2026-02-02", cost={
        "amount": "20.00", "currency": "EUR"})
    log.add("engagement.voided", {"engagement_id": "e1", "reason": "dup"}, "2026-02-03")
    log.add("engagement.corrected", {"engagement_id": "e2", "reason": "who",
                                     "changes": {"participants": ["bo"]}}, "2026-02-04")
    views.process(log.records)
    rows = {r["stakeholder_id"]: r for r in queries.power_map(views.db, "acme")["stakeholders"]}
    assert (rows["al"]["total_spend"], rows["al"]["ladder_level"]) == ("0.00", 0)
    assert (rows["bo"]["total_spend"], rows["bo"]["ladder_level"]) == ("20.00", 3)
    accounts = queries.list_accounts(views.db)["accounts"]
    assert (accounts[0]["total_spend"], accounts[0]["score"]) == ("20.00", 83.3)


def test_a_read_at_now_reflects_an_event_dated_a_minute_ahead(views, log):
    """Read-your-writes (SPEC §5.2) for a client whose clock runs ahead: the write side
    accepts an event dated up to five minutes ahead, and a read at now shows it; an
    explicit as_of of now leaves it out."""
    now = datetime.now(UTC)
    log.policy()
    log.account("acme")
    log.stakeholder("al", "acme", attitude=1)
    log.add("stakeholder.attitude_changed", {"stakeholder_id": "al", "attitude": 3,
                                             "reason": "r"}, now + timedelta(minutes=1),
            recorded=now)
    views.process(log.records)
    assert queries.power_map(views.db, "acme")["stakeholders"][0]["attitude"] == 3
    at_now = queries.power_map(views.db, "acme", as_of=now, known_at=now + timedelta(1))
    assert at_now["stakeholders"][0]["attitude"] == 1
