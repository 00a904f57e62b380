"""Paged answers (SPEC §5.2): pages of one answer at one point, whatever arrives between them."""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.contract.records import EventRecord
from projections.compliance import compliance_flags
from projections.engine import ViewDatabase
from projections.errors import InvalidCursor
from projections.history import stakeholder_history
from projections.paging import PageRequest
from projections.queries import list_accounts
from projections.spend import GROUPINGS, spend_report
from tests.unit.projections.builder import EPOCH, Log
from tests.unit.projections.strategies import event_logs

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
# The generated logs start at EPOCH and span up to about two years; moved three years
# back from the real clock, every event was recorded before a "now" read.
SHIFT = datetime.now(UTC) - timedelta(days=3 * 365) - EPOCH

Read = Callable[..., dict[str, Any]]
"""A paged read: (db, page=…, as_of=…, known_at=…) → answer."""


def reads(stakeholder: str) -> dict[str, tuple[Read, str]]:
    """Every paged read of SPEC §5.2 and the list its pages slice."""
    found: dict[str, tuple[Read, str]] = {
        "accounts": (list_accounts, "accounts"),
        "history": (lambda db, **kw: stakeholder_history(db, stakeholder, **kw), "steps"),
        "flags": (compliance_flags, "flags"),
    }
    for group_by in GROUPINGS:
        found[f"spend by {group_by}"] = (
            lambda db, _g=group_by, **kw: spend_report(db, _g, **kw), "groups")
    return found


def shifted(record: EventRecord, delta: timedelta) -> EventRecord:
    """The record with both times moved by ``delta``."""
    return dataclasses.replace(record, occurred_at=record.occurred_at + delta,
                               recorded_at=record.recorded_at + delta)


def arrivals(log: Log, count: int) -> list[EventRecord]:
    """Events recorded after every read began, dated in the past: a new account whose id
    sorts between the present ones, an attitude change and a late engagement."""
    late = Log()
    late.add("account.registered", {"account_id": "acc0a", "name": "New"}, EPOCH)
    people = [r.data["stakeholder_id"] for r in log.records if r.type == "stakeholder.registered"]
    late.add("stakeholder.attitude_changed", {"stakeholder_id": people[0], "attitude": 3,
                                              "reason": "won over"}, EPOCH)
    late.add("engagement.recorded", {"engagement_id": "late", "account_id": "acc0",
                                     "kind": "gift", "participants": [people[0]],
                                     "owner": "owner-9",
                                     "cost": {"amount": "900.00", "currency": "EUR"}}, EPOCH)
    start = len(log.records)
    future = datetime.now(UTC) + timedelta(hours=1)
    return [dataclasses.replace(r, position=start + n + 1, occurred_at=r.occurred_at + SHIFT,
                                recorded_at=future + timedelta(seconds=n))
            for n, r in enumerate(late.records[:count])]


def all_pages(views: ViewDatabase, read: Read, items: str, limit: int,
              arriving: list[EventRecord], **point: Any) -> tuple[list[Any], list[dict]]:
    """Read every page, applying one arriving event after each page."""
    pages, cursor = [], None
    pending = list(arriving)
    while True:
        answer = read(views.db, page=PageRequest(limit, cursor), **point)
        pages.append(answer)
        if pending:
            views.process([pending.pop(0)])
        cursor = answer["next_cursor"]
        if cursor is None:
            return [item for page in pages for item in page[items]], pages
        assert len(answer[items]) == limit


@SETTINGS
@given(log=event_logs(max_steps=15), limit=st.integers(1, 3), arriving=st.integers(0, 3),
       explicit=st.booleans())
def test_concatenated_pages_equal_the_unpaged_answer_while_events_arrive(
        log, limit, arriving, explicit):
    """At a point given or at "now", the pages of every paged read join into the whole
    answer at the point the first page pinned, even with events recorded between pages."""
    records = [shifted(r, SHIFT) for r in log.records]
    registration = next(r for r in records if r.type == "stakeholder.registered")
    stakeholder = registration.data["stakeholder_id"]
    point = {}
    if explicit:
        middle = records[len(records) // 2]
        point = {"as_of": max(middle.occurred_at, registration.occurred_at),
                 "known_at": records[-1].recorded_at}
    for name, (read, items) in reads(stakeholder).items():
        with tempfile.TemporaryDirectory() as directory:
            views = ViewDatabase(Path(directory) / "views.db")
            views.process(records)
            whole = read(views.db, **point)
            joined, pages = all_pages(views, read, items, limit,
                                      arrivals(log, arriving), **point)
            assert joined == whole[items], name
            assert {page["as_of"] for page in pages} == {pages[0]["as_of"]}, name
            counted = pages[0].get("count", pages[0].get("group_count"))
            assert counted == len(whole[items]), name
            views.close()


def test_a_tampered_cursor_is_refused(views, log):
    """A cursor whose text was edited, or that was never a cursor, is an InvalidCursor."""
    for n in range(3):
        log.account(f"a{n}")
    views.process(log.records)
    cursor = list_accounts(views.db, page=PageRequest(1))["next_cursor"]
    body, tag = cursor.split(".")
    edited = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1] + "." + tag
    for bad in (edited, "not-a-cursor", cursor + "x", "..", "é.é"):
        with pytest.raises(InvalidCursor):
            list_accounts(views.db, page=PageRequest(1, bad))


def test_a_cursor_does_not_continue_another_query(views, log):
    """The cursor of one read, or of the same read with other filters, is refused."""
    log.account("a0")
    log.account("a1")
    views.process(log.records)
    cursor = list_accounts(views.db, page=PageRequest(1))["next_cursor"]
    with pytest.raises(InvalidCursor):
        spend_report(views.db, "account", page=PageRequest(1, cursor))
    with pytest.raises(InvalidCursor):
        list_accounts(views.db, as_of=datetime.now(UTC), page=PageRequest(1, cursor))


def test_the_last_page_has_no_next_cursor_and_totals_cover_every_page(views, log):
    """Three accounts by two: two pages, the second without a next cursor; count is 3."""
    for n in range(3):
        log.account(f"a{n}")
    views.process(log.records)
    first = list_accounts(views.db, page=PageRequest(2))
    second = list_accounts(views.db, page=PageRequest(2, first["next_cursor"]))
    assert [a["account_id"] for a in first["accounts"]] == ["a0", "a1"]
    assert [a["account_id"] for a in second["accounts"]] == ["a2"]
    assert second["next_cursor"] is None
    assert first["count"] == second["count"] == 3
