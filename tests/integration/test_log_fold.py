"""Folding an SQLite log's engagement recordings and people's events with SQL writes the
handlers' rows exactly."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

from ledger.config import Settings
from ledger.domain.application import LedgerApplication
from projections import log_fold
from projections.engine import Follower, ViewDatabase
from projections.errors import ViewsUnavailable
from projections.log_fold import LogFold
from tests.conftest import ADMIN


def _record(app: LedgerApplication, event_type: str, data: dict[str, Any],
            when: str = "2026-03-02T09:30:00+01:00") -> None:
    app.record({"event_id": str(uuid.uuid4()), "type": event_type, "occurred_at": when,
                "data": data}, ADMIN)


def _engagement(app: LedgerApplication, engagement_id: str, participants: list[str],
                when: str = "2026-03-02T09:30:00.250000-05:00", **fields: Any) -> None:
    _record(app, "engagement.recorded", {
        "engagement_id": engagement_id, "account_id": "acme", "kind": "dinner",
        "owner": "am-1", "participants": participants, **fields}, when)


def _busy_store(app: LedgerApplication) -> None:
    """Every shape the fold's SQL takes a fast path for, and every one it leaves to Python."""
    _record(app, "policy.set", {"base_currency": "EUR"})
    _record(app, "account.registered", {"account_id": "acme", "name": "Acme"})
    for sid in ("p-1", "p-2", "p-3", "p.4:x"):
        _record(app, "stakeholder.registered", {"stakeholder_id": sid, "account_id": "acme",
                                                "name": f"Person {sid}"})
    _record(app, "stakeholder.registered", {
        "stakeholder_id": "p-5", "account_id": "acme", "name": "Zoë O'Brien", "title": "CFO",
        "birthday": "1970-05-04", "notes": "likes \"quiet\" places", "department": "Finance",
        "public_official": True, "role": "decision_maker", "attitude": -1, "layer": "key",
        "rising_star": True}, "2026-02-01T08:00:00.5+05:30")
    _record(app, "stakeholder.role_changed", {"stakeholder_id": "p-5", "role": "approver",
                                              "reason": "took over the tender"})
    _record(app, "stakeholder.attitude_changed", {"stakeholder_id": "p-1", "attitude": 2,
                                                  "reason": "won over", "observed_by": "am-1"})
    _record(app, "stakeholder.attitude_changed", {"stakeholder_id": "p-3", "attitude": 1,
                                                  "reason": "before the erasure"})
    _record(app, "stakeholder.layer_changed", {"stakeholder_id": "p-2", "rising_star": True})
    _record(app, "stakeholder.layer_changed", {"stakeholder_id": "p-5", "layer": "general"})
    _engagement(app, "even", ["p-3", "p-1", "p-2"], cost={"amount": "100.00", "currency": "EUR"},
                location="Café Central", notes="talked about the tender")
    _engagement(app, "yen", ["p-2", "p-1", "p-3"], cost={"amount": "1000", "currency": "JPY"})
    _engagement(app, "dinar", ["p-1", "p-2"], cost={"amount": "1.5", "currency": "KWD"})
    _engagement(app, "split", ["p-1", "p-2"], cost={"amount": "75", "currency": "EUR"},
                allocation={"p-1": "70.5", "p-2": "4.50"})
    _engagement(app, "alone", [], kind="summit",
                cost={"amount": "12.30", "currency": "USD"},
                hosts=['O\'Brien "Jr"', "Zoë", "a\\b"], when="2026-03-03T10:00:00Z")
    _engagement(app, "odd-ids", ["p.4:x", "p-1"], cost={"amount": "0.03", "currency": "EUR"},
                hosts=["cto", "pm"])
    _engagement(app, "commas", ["p-2"], hosts=[",", "pm", ",", "a,", ",b"],
                when="2026-03-03T23:59:59Z")
    _engagement(app, "free", ["p-2"], approval_ref="A-7")
    _engagement(app, "late", ["p-1"], when="2026-03-04T23:59:59.999700+01:00")
    _engagement(app, "far-east", ["p-1"], when="2026-03-05T08:00:00+15:00")
    _record(app, "engagement.corrected", {"engagement_id": "even", "reason": "typo",
                                          "changes": {"notes": "the tender, again"}})
    _record(app, "stakeholder.forgotten", {"stakeholder_id": "p-3", "reason": "asked"})
    _engagement(app, "after", ["p-1", "p-2"], cost={"amount": "9.99", "currency": "EUR"},
                location="HQ", when="2026-03-04T08:00:00+09:00")
    _record(app, "engagement.voided", {"engagement_id": "yen", "reason": "duplicate"})
    _record(app, "stakeholder.departed", {"stakeholder_id": "p-2", "reason": "retired"})
    _record(app, "stakeholder.registered", {"stakeholder_id": "p-6", "account_id": "acme",
                                            "name": "Late Registration"})


def test_a_rebuild_folding_recordings_in_sql_equals_following_the_log(tmp_path: Path) -> None:
    """Even splits with remainders in EUR, JPY and KWD, an explicit allocation, a cost
    without participants, hosts with quotes and non-ASCII text or that are or end in
    commas, a time in the last millisecond of its second, an offset beyond SQLite's
    ±14:00, sealed location and notes, a correction and an erasure between recordings,
    people's events of every folded type (sealed reasons, optional fields left out, an
    erased person's earlier change, a registration after the erasure): the rebuild that
    folds them with SQL writes the same file, row for row, as a follower applying every
    event."""
    app = LedgerApplication(Settings(database_url=f"sqlite:///{tmp_path}/ledger.db"))
    try:
        _busy_store(app)
        followed = ViewDatabase(tmp_path / "followed.db")
        Follower(followed, app.read_for_views, batch_size=3).catch_up()
        rebuilt = ViewDatabase(tmp_path / "rebuilt.db")
        applied = rebuilt.rebuild_from(app, batch_size=2)
        assert rebuilt.last_split is not None and rebuilt.last_split.sql > 0  # SQL folded
        assert applied == app.head_position() == rebuilt.position() == followed.position()
        assert sorted(rebuilt.db.conn.iterdump()) == sorted(followed.db.conn.iterdump())
        shares = dict(rebuilt.db.conn.execute(
            "SELECT stakeholder_id, share_amount FROM engagement_shares "
            "WHERE engagement_id = 'yen'").fetchall())
        assert shares == {"p-1": "334", "p-2": "333", "p-3": "333"}
        assert rebuilt.db.conn.execute(
            "SELECT name, notes, forgotten FROM stakeholders WHERE stakeholder_id = 'p-5'"
        ).fetchone() == ("Zoë O'Brien", 'likes "quiet" places', 0)
        assert rebuilt.db.conn.execute(
            "SELECT reason FROM stakeholder_changes WHERE stakeholder_id = 'p-3' "
            "AND event_type = 'stakeholder.attitude_changed'").fetchone() == ("[forgotten]",)
        followed.close()
        rebuilt.close()
    finally:
        app.close()


def test_a_store_the_sql_cannot_read_is_rebuilt_by_the_handlers(tmp_path: Path) -> None:
    """Without a store file to attach (an in-memory record stream), every event goes
    through the handlers and nothing is folded in SQL."""
    app = LedgerApplication(Settings(database_url=f"sqlite:///{tmp_path}/ledger.db"))
    try:
        _busy_store(app)
        rebuilt = ViewDatabase(tmp_path / "rebuilt.db")
        rebuilt.rebuild(app.iter_records(chained=False))
        assert rebuilt.last_split is not None and rebuilt.last_split.sql == 0
        assert rebuilt.position() == app.head_position()
        rebuilt.close()
    finally:
        app.close()


def test_a_write_between_the_two_snapshots_folds_the_people_on_the_builds_connection(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The people's events are folded on a thread of their own, which reads the store on
    a connection of its own: when an event is written between the build's first read and
    that thread's, the thread leaves them to the build's connection, and the views are
    still those of the log up to the build's head."""
    app = LedgerApplication(Settings(database_url=f"sqlite:///{tmp_path}/ledger.db"))
    try:
        _busy_store(app)
        followed = ViewDatabase(tmp_path / "followed.db")
        Follower(followed, app.read_for_views, batch_size=4).catch_up()
        head = app.head_position()
        beside = LogFold._beside
        outcomes: list[int | None] = []

        def written_first(fold: LogFold, *args: Any) -> int | None:
            _record(app, "stakeholder.registered", {"stakeholder_id": "p-7",
                                                    "account_id": "acme", "name": "Meanwhile"})
            outcomes.append(beside(fold, *args))
            return outcomes[-1]

        monkeypatch.setattr(LogFold, "_beside", written_first)
        rebuilt = ViewDatabase(tmp_path / "rebuilt.db")
        assert rebuilt.rebuild_from(app) == head == rebuilt.position()
        assert outcomes == [None] and app.head_position() == head + 1
        assert sorted(rebuilt.db.conn.iterdump()) == sorted(followed.db.conn.iterdump())
        followed.close()
        rebuilt.close()
    finally:
        app.close()


def test_a_failing_people_fold_stops_the_rebuild_and_leaves_the_views_as_they_were(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fault on the people's thread (its side file's disk full, say) fails the rebuild
    with that error; the views keep what they had and no side file is left behind."""
    app = LedgerApplication(Settings(database_url=f"sqlite:///{tmp_path}/ledger.db"))
    try:
        _busy_store(app)
        views = ViewDatabase(tmp_path / "views.db")
        Follower(views, app.read_for_views).catch_up()
        before = sorted(views.db.conn.iterdump())
        fold_people = LogFold._fold_people

        def full_beside(fold: LogFold, connection: sqlite3.Connection, *args: Any) -> int:
            if threading.current_thread() is not threading.main_thread():
                raise sqlite3.OperationalError("database or disk is full")
            return fold_people(fold, connection, *args)

        monkeypatch.setattr(LogFold, "_fold_people", full_beside)
        with pytest.raises(ViewsUnavailable, match="disk full"):
            views.rebuild_from(app)
        assert sorted(views.db.conn.iterdump()) == before
        assert sorted(path.name for path in tmp_path.iterdir()) == [
            "ledger.db", "ledger.db-shm", "ledger.db-wal", "views.db", "views.db-shm",
            "views.db-wal"]
        views.close()
    finally:
        app.close()


def test_recordings_folded_on_both_connections_equal_following_the_log(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the thread has folded the people's events it takes the log's last chunks of
    recordings while the build's connection takes the first ones: the rows it adds to the
    build's are those a follower writes (here chunks of two positions, and the build's
    connection waits until the thread has taken one)."""
    app = LedgerApplication(Settings(database_url=f"sqlite:///{tmp_path}/ledger.db"))
    try:
        _busy_store(app)
        followed = ViewDatabase(tmp_path / "followed.db")
        Follower(followed, app.read_for_views, batch_size=5).catch_up()
        monkeypatch.setattr(log_fold, "CHUNK", 2)
        taken: list[tuple[int, int]] = []
        one_taken = threading.Event()
        back, fold_recordings = log_fold._Chunks.back, LogFold._fold_recordings

        def taken_back(chunks: log_fold._Chunks) -> tuple[int, int] | None:
            chunk = back(chunks)
            if chunk is not None:
                taken.append(chunk)
                one_taken.set()
            return chunk

        def after_the_thread(fold: LogFold, *args: Any) -> int:
            if threading.current_thread() is threading.main_thread():
                assert one_taken.wait(timeout=30)
            return fold_recordings(fold, *args)

        monkeypatch.setattr(log_fold._Chunks, "back", taken_back)
        monkeypatch.setattr(LogFold, "_fold_recordings", after_the_thread)
        rebuilt = ViewDatabase(tmp_path / "rebuilt.db")
        assert rebuilt.rebuild_from(app) == app.head_position()
        assert taken and taken[0][1] == app.head_position() + 1  # from the log's end
        recorded_there = rebuilt.db.conn.execute(
            "SELECT COUNT(*) FROM engagements WHERE position >= ?", [taken[-1][0]]).fetchone()
        assert recorded_there[0] > 0
        assert sorted(rebuilt.db.conn.iterdump()) == sorted(followed.db.conn.iterdump())
        followed.close()
        rebuilt.close()
    finally:
        app.close()
