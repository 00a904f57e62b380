"""Spend by owner, kind, month and opportunity at now comes from the kept groups
(SPEC §4.6, §5.2): the same groups and total as the accounts' own reports added up."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections.engine import ViewDatabase
from projections.paging import PageRequest
from projections.spend import spend_report
from tests.unit.projections.oracles import spend_added_up
from tests.unit.projections.strategies import event_logs

SETTINGS = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
KEPT = ("owner", "kind", "month", "opportunity")


@SETTINGS
@given(log=event_logs(every_type=True), cuts=st.lists(st.integers(0, 80), max_size=5),
       group_by=st.sampled_from(KEPT), limit=st.integers(1, 4))
def test_the_kept_groups_follow_every_batch_and_page_like_the_accountsspend_added_up(
        log, cuts, group_by, limit):
    """Following a log with corrections, voids, rates and policy changes in any batches,
    every page of spend by a kept grouping, read at now, holds the groups of the
    accounts' own reports added up, in key order with the keyless group last, and the
    whole answer's total and group count."""
    records = log.records
    with tempfile.TemporaryDirectory() as directory:
        views = ViewDatabase(Path(directory) / "views.db")
        bounds = sorted({0, len(records), *(c for c in cuts if c < len(records))})
        for low, high in zip(bounds, bounds[1:], strict=False):
            views.process(records[low:high])
        accounts = [row[0] for row in views.db.conn.execute(
            "SELECT DISTINCT account_id FROM current_engagements")]
        total, expected = spend_added_up([spend_report(views.db, group_by, account_id=account)
                                     for account in accounts])
        pages, cursor = [], None
        while True:
            page = spend_report(views.db, group_by, page=PageRequest(limit, cursor))
            pages.append(page)
            cursor = page["next_cursor"]
            if cursor is None:
                break
        views.close()
    groups = [group for page in pages for group in page["groups"]]
    assert {g["key"]: (Decimal(g["total"]), g["engagement_count"]) for g in groups} == expected
    keys = [g["key"] for g in groups]
    assert keys == sorted(keys, key=lambda key: (key is None, key or ""))
    assert all(Decimal(page["total"]) == total for page in pages)
    assert all(page["group_count"] == len(expected) for page in pages)
