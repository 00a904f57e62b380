"""Pages read at now from the tables kept for them (SPEC §5.2): a stakeholder's history
from ``history_steps``, the flags from ``flags``. Each must equal, byte for byte, what the
fold over the history tables answers at the same point, or decline to answer."""

from __future__ import annotations

import dataclasses
import json
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.contract.records import EventRecord
from ledger.domain.reach import EVERYWHERE, Reach
from projections.compliance import (
    FLAGS,
    FlagQuery,
    evaluated_flags,
    flags_now,
    flags_table_answers,
)
from projections.engine import ViewDatabase
from projections.history import folded_history, history_now
from projections.paging import PageRequest, Pinned, pin
from projections.timeaxis import Point, stamp
from tests.unit.projections.builder import money
from tests.unit.projections.strategies import event_logs

SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

Page = Callable[[Pinned], dict[str, Any] | None]


def follow(directory: Path, records: list[EventRecord], cuts: list[int]) -> ViewDatabase:
    """Views that followed the log in the batches ``cuts`` splits it into."""
    views = ViewDatabase(directory / "views.db")
    bounds = sorted({0, len(records), *(c for c in cuts if c < len(records))})
    for low, high in zip(bounds, bounds[1:], strict=False):
        views.process(records[low:high])
    return views


def after_everything(records: list[EventRecord]) -> Point:
    """A point after every event in both time axes."""
    last = max(max(r.occurred_at, r.recorded_at) for r in records) + timedelta(seconds=1)
    return Point(stamp(last), stamp(last))


def inside(records: list[EventRecord], pick: int, axis: int) -> Point:
    """A point at an event's time in one axis (0: valid time, 1: transaction time), after
    every event in the other."""
    end = after_everything(records)
    moments = sorted({r.occurred_at if axis == 0 else r.recorded_at for r in records})
    moment = stamp(moments[pick % len(moments)])
    return Point(moment, end.known_at) if axis == 0 else Point(end.as_of, moment)


def pages(db: Any, query: list[Any], at: Point, limit: int, fast: Page,
          slow: Callable[[Pinned], dict[str, Any]]) -> int | None:
    """Walk every page at ``at`` through ``fast``, checking each against ``slow`` as
    JSON text (key order included); the number of pages, or None when ``fast`` declined
    the first one (it may not decline a later page at the same point)."""
    pinned = dataclasses.replace(pin(db, PageRequest(limit), query, None, None), at=at)
    walked = 0
    while True:
        answer = fast(pinned)
        if answer is None:
            assert walked == 0
            return None
        assert json.dumps(answer) == json.dumps(slow(pinned))
        walked += 1
        if answer["next_cursor"] is None:
            return walked
        pinned = pin(db, PageRequest(limit, answer["next_cursor"]), query, None, None)


def people(db: Any) -> list[str]:
    """Every registered stakeholder's id."""
    return [row[0] for row in db.execute("SELECT stakeholder_id FROM stakeholders ORDER BY 1")]


@SETTINGS
@given(log=event_logs(every_type=True), cuts=st.lists(st.integers(0, 80), max_size=5),
       limit=st.integers(1, 4), pick=st.integers(0, 400), axis=st.integers(0, 1))
def test_a_history_page_from_its_steps_equals_the_fold_at_the_same_point(
        log, cuts, limit, pick, axis):
    """After every event, each person's history pages read from ``history_steps`` equal
    the fold's pages, whatever batches the views followed the log in; at a point inside
    the log, the table declines or still agrees."""
    with tempfile.TemporaryDirectory() as directory:
        views = follow(Path(directory), log.records, cuts)
        db = views.db
        for sid in people(db):
            for at, must_answer in ((after_everything(log.records), True),
                                    (inside(log.records, pick, axis), False)):
                walked = pages(
                    db, ["history", sid], at, limit,
                    lambda pinned, s=sid: history_now(db, s, pinned),
                    lambda pinned, s=sid: folded_history(db, s, pinned))
                assert walked is not None or not must_answer
        views.close()


def test_a_history_page_is_not_read_for_a_person_out_of_reach_or_unknown(views, log):
    """A team token that does not reach the person's account, or an unknown id, gets no
    answer from the table: the fold then says the person is unknown."""
    log.policy("2026-01-01")
    log.account("acme")
    log.stakeholder("al", "acme")
    views.process(log.records)
    at = after_everything(log.records)
    pinned = dataclasses.replace(pin(views.db, PageRequest(), ["history", "al"], None, None),
                                 at=at)
    assert history_now(views.db, "al", pinned) is not None
    assert history_now(views.db, "al", pinned, Reach(frozenset({"other"}))) is None
    assert history_now(views.db, "nobody", pinned) is None


def test_a_person_added_by_a_correction_gets_every_step_of_the_engagement(tmp_path, log):
    """A correction dated before its dinner (entered late, as its own time says when the
    fix was made), then a second correction adding Bo: Bo's history holds the dinner's
    every step, the early correction first, in a follower's table as in a rebuild's."""
    log.policy("2026-01-01")
    log.account("acme")
    log.stakeholder("al", "acme")
    log.stakeholder("bo", "acme")
    log.engagement("d1", "acme", "dinner", ["al"], "2026-02-10", cost=money("100.00"))
    log.add("engagement.corrected", {"engagement_id": "d1", "reason": "typo",
                                     "changes": {"owner": "owner-2"}}, "2026-02-09",
            "2026-02-11")
    log.add("engagement.corrected", {"engagement_id": "d1", "reason": "who",
                                     "changes": {"participants": ["al", "bo"]}},
            "2026-02-12")
    steady = follow(tmp_path, log.records, list(range(len(log.records))))
    rebuilt = ViewDatabase(tmp_path / "rebuilt.db")
    rebuilt.rebuild(iter(log.records))
    table = "SELECT * FROM history_steps ORDER BY stakeholder_id, occurred_at, position"
    assert steady.db.execute(table).fetchall() == rebuilt.db.execute(table).fetchall()
    pinned = dataclasses.replace(pin(steady.db, PageRequest(), ["history", "bo"], None, None),
                                 at=after_everything(log.records))
    answer = history_now(steady.db, "bo", pinned)
    assert answer == folded_history(steady.db, "bo", pinned)
    assert [(s["type"], s["total_spend"]) for s in answer["steps"]] == [
        ("stakeholder.registered", "0.00"), ("engagement.corrected", "0.00"),
        ("engagement.recorded", "50.00"), ("engagement.corrected", "50.00")]
    steady.close()
    rebuilt.close()


def test_a_rate_or_policy_known_only_later_keeps_the_tables_out(views, log):
    """A USD dinner whose rate was entered a week later reads unconverted at a point
    between the two: neither the history steps nor the flags table may answer there
    (they hold the dinner converted), and the fold and the evaluation do."""
    log.policy("2026-01-01", hospitality_per_person_limit="50.00")
    log.account("acme")
    log.stakeholder("al", "acme")
    log.engagement("d1", "acme", "dinner", ["al"], "2026-02-01",
                   cost=money("100.00", "USD"))
    log.rate("USD", "0.90", "2026-01-15", "2026-02-08")
    views.process(log.records)
    between = Point(stamp(log.records[-2].recorded_at + timedelta(days=1)),
                    stamp(log.records[-2].recorded_at + timedelta(days=1)))
    pinned = dataclasses.replace(pin(views.db, PageRequest(), ["history", "al"], None, None),
                                 at=between)
    assert history_now(views.db, "al", pinned) is None
    assert folded_history(views.db, "al", pinned)["steps"][-1]["total_spend"] == "0.00"
    query = FlagQuery("acme", None, None, None, None, EVERYWHERE)
    assert not flags_table_answers(views.db, between, query)
    found = evaluated_flags(views.db, query, pinned)["flags"]
    assert [flag["flag"] for flag in found] == ["fx_rate_missing"]
    later = after_everything(log.records)
    assert flags_table_answers(views.db, later, query)
    assert [f["flag"] for f in flags_now(views.db, query, dataclasses.replace(
        pinned, at=later))["flags"]] == ["hospitality_over_limit"]


def test_a_new_base_currency_restates_every_running_total(tmp_path, log):
    """A later policy in USD turns the running totals into USD, in the table as in the
    fold, and a follower's steps equal a rebuild's."""
    log.policy("2026-01-01")
    log.account("acme")
    log.stakeholder("al", "acme")
    log.rate("EUR", "1.10", "2026-01-01")
    log.engagement("d1", "acme", "dinner", ["al"], "2026-02-01", cost=money("100.00"))
    log.policy("2026-03-01", base_currency="USD")
    log.engagement("d2", "acme", "dinner", ["al"], "2026-03-02", cost=money("10.00", "USD"))
    steady = follow(tmp_path, log.records, list(range(len(log.records))))
    rebuilt = ViewDatabase(tmp_path / "rebuilt.db")
    rebuilt.rebuild(iter(log.records))
    at = after_everything(log.records)
    pinned = dataclasses.replace(pin(steady.db, PageRequest(), ["history", "al"], None, None),
                                 at=at)
    answer = history_now(steady.db, "al", pinned)
    assert answer is not None and answer == folded_history(steady.db, "al", pinned)
    assert answer["currency"] == "USD"
    assert [step["total_spend"] for step in answer["steps"]] == ["0.00", "110.00", "120.00"]
    table = "SELECT * FROM history_steps ORDER BY stakeholder_id, occurred_at, position"
    assert steady.db.execute(table).fetchall() == rebuilt.db.execute(table).fetchall()
    steady.close()
    rebuilt.close()


def test_an_older_views_file_gains_the_tables_of_paged_reads_when_opened(tmp_path, log):
    """A views file written before the history steps, account horizons, flag counts and
    spend groups existed gets them derived at once, equal to a follower's."""
    log.policy("2026-01-01", hospitality_per_person_limit="50.00")
    log.account("acme")
    log.stakeholder("al", "acme")
    log.engagement("d1", "acme", "dinner", ["al"], "2026-02-01", cost=money("100.00"))
    log.add("stakeholder.attitude_changed", {"stakeholder_id": "al", "attitude": 2,
                                             "reason": "r"}, "2026-01-15", "2026-02-02")
    views = follow(tmp_path, log.records, [2, 4])
    tables = ("history_steps", "account_horizons", "flag_counts", "spend_groups")
    kept = {name: views.db.execute(f"SELECT * FROM {name} ORDER BY 1, 2, 3").fetchall()
            for name in tables}
    assert all(kept.values())
    for name in tables:
        views.db.execute(f"DROP TABLE {name}")
    views.close()
    reopened = ViewDatabase(tmp_path / "views.db")
    assert {name: reopened.db.execute(f"SELECT * FROM {name} ORDER BY 1, 2, 3").fetchall()
            for name in tables} == kept
    reopened.close()


@st.composite
def flag_queries(draw: st.DrawFn, records: list[EventRecord]) -> FlagQuery:
    """Filters of a flags read: an account, a kind of flag, open or resolved, a window of
    the log's valid times, a team's reach (each or none)."""
    moments = sorted({stamp(r.occurred_at) for r in records})
    window = st.none() | st.sampled_from(moments)
    return FlagQuery(draw(st.sampled_from((None, "acc0", "acc1"))),
                     draw(st.none() | st.sampled_from(FLAGS)), draw(window), draw(window),
                     draw(st.sampled_from((None, True, False))),
                     draw(st.sampled_from((EVERYWHERE, Reach(frozenset({"acc0"}))))))


@SETTINGS
@given(data=st.data(), log=event_logs(every_type=True),
       cuts=st.lists(st.integers(0, 80), max_size=5), limit=st.integers(1, 4),
       pick=st.integers(0, 400), axis=st.integers(0, 1))
def test_a_flags_page_from_the_flags_table_equals_the_evaluation_at_the_same_point(
        data, log, cuts, limit, pick, axis):
    """After every event, the pages of a flags read (any filters and reach) read from the
    ``flags`` table, with their counts, equal the evaluation's; at a point inside the log,
    the table answers only where it still agrees."""
    with tempfile.TemporaryDirectory() as directory:
        views = follow(Path(directory), log.records, cuts)
        db = views.db
        for _ in range(4):
            query = data.draw(flag_queries(log.records))
            key = ["flags", query.account_id, query.flag, query.start, query.end, query.open]
            for at, must_answer in ((after_everything(log.records), True),
                                    (inside(log.records, pick, axis), False)):
                answers = flags_table_answers(db, at, query)
                assert answers or not must_answer
                walked = pages(
                    db, key, at, limit,
                    lambda pinned, q=query, a=answers: flags_now(db, q, pinned) if a else None,
                    lambda pinned, q=query: evaluated_flags(db, q, pinned))
                assert walked is not None or not must_answer
        views.close()


def test_the_flag_counts_follow_every_refresh_of_the_flags(tmp_path, log):
    """Three dinners over the per-person limit, one voided, a policy raising the limit
    for the third, and a fourth dinner needing an approval that comes later: a flags read
    at now counts them from the kept counts exactly as the evaluation does, and a
    follower's counts equal a rebuild's (no count left at zero)."""
    log.policy("2026-01-01", hospitality_per_person_limit="50.00")
    log.account("acme")
    log.stakeholder("al", "acme")
    for n, day in enumerate(("2026-02-01", "2026-02-02", "2026-02-03")):
        log.engagement(f"d{n}", "acme", "dinner", ["al"], day, cost=money("80.00"))
    log.add("engagement.voided", {"engagement_id": "d1", "reason": "dup"}, "2026-02-04")
    log.policy("2026-02-03", hospitality_per_person_limit="100.00",
               pre_approval_above="120.00")
    log.engagement("d3", "acme", "dinner", ["al"], "2026-02-05", cost=money("150.00"))
    log.add("engagement.approved", {"engagement_id": "d3", "approval_ref": "A-1",
                                    "approver": "boss"}, "2026-02-06")
    steady = follow(tmp_path, log.records, list(range(len(log.records))))
    rebuilt = ViewDatabase(tmp_path / "rebuilt.db")
    rebuilt.rebuild(iter(log.records))
    at = after_everything(log.records)
    for views in (steady, rebuilt):
        for state in (None, True, False):
            query = FlagQuery("acme", "hospitality_over_limit", None, None, state, EVERYWHERE)
            key = ["flags", "acme", "hospitality_over_limit", None, None, state]
            pinned = dataclasses.replace(pin(views.db, PageRequest(1), key, None, None),
                                         at=at)
            fast = flags_now(views.db, query, pinned)
            assert fast == evaluated_flags(views.db, query, pinned)
            assert (fast["count"], fast["open_count"]) == {
                None: (3, 2), True: (2, 2), False: (1, 0)}[state]
    assert steady.db.execute("SELECT * FROM flag_counts").fetchall() == \
        rebuilt.db.execute("SELECT * FROM flag_counts").fetchall()
    steady.close()
    rebuilt.close()
