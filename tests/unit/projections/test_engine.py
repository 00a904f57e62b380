"""The projection engine: exactly-once tracking, restarts, the follower and rebuilds (§7.1)."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder

from projections import queries
from projections.engine import (
    APPLICATION_NAME,
    Follower,
    ViewDatabase,
    read_snapshot,
    snapshot_position,
)
from projections.errors import OutOfOrder, ProjectionError, UnknownEventType, ViewsUnavailable
from tests.unit.projections.builder import money
from tests.unit.projections.snapshot import dump


@pytest.fixture
def busy(log):
    """A log with a few accounts, people and engagements."""
    log.policy()
    for n in range(3):
        log.account(f"a{n}")
        log.stakeholder(f"s{n}", f"a{n}")
        log.engagement(f"e{n}", f"a{n}", "dinner", [f"s{n}"], "2026-02-01",
                       cost=money("10.00"))
    return log


class ListLog:
    """A fake of the write side's reader over an in-memory list."""

    def __init__(self, records):
        self.records = records
        self.reads = 0

    def read(self, after_position, limit):
        """Records after ``after_position``, at most ``limit``."""
        self.reads += 1
        return self.records[after_position:after_position + limit]


def test_the_position_is_tracked_in_the_librarys_tracking_table(views, busy):
    """The eventsourcing tracking recorder reads back the position reached."""
    views.process(busy.records[:4])
    recorder = SQLiteTrackingRecorder(SQLiteDatastore(views.path))
    assert recorder.max_tracking_id(APPLICATION_NAME) == 4 == views.position()


def test_processing_the_same_records_again_changes_nothing(views, busy):
    """Already-applied positions are skipped: exactly once."""
    views.process(busy.records)
    before = dump(views.db)
    views.process(busy.records)
    views.process(busy.records[2:5])
    assert dump(views.db) == before


def test_a_failing_record_rolls_back_its_whole_batch(views, busy):
    """Rows and position of a batch commit together, or not at all."""
    views.process(busy.records[:2])
    before = dump(views.db)
    bad = dataclasses.replace(busy.records[3], type="account.renamed")
    with pytest.raises(UnknownEventType):
        views.process([busy.records[2], bad])
    assert (dump(views.db), views.position()) == (before, 2)


def test_records_out_of_order_are_refused(views, busy):
    """A batch that goes backwards is an error, not silently reordered."""
    with pytest.raises(OutOfOrder):
        views.process([busy.records[1], busy.records[0]])


def test_a_restarted_database_continues_from_its_position(tmp_path, busy):
    """Closing and reopening the file resumes after the last committed record."""
    first = ViewDatabase(tmp_path / "v.db")
    first.process(busy.records[:5])
    first.close()
    again = ViewDatabase(tmp_path / "v.db")
    assert again.position() == 5
    again.process(busy.records)
    other = ViewDatabase(tmp_path / "w.db")
    other.process(busy.records)
    assert dump(again.db) == dump(other.db)


def test_the_follower_catches_up_in_batches(views, busy):
    """catch_up polls from the tracked position until the log is exhausted."""
    source = ListLog(busy.records)
    follower = Follower(views, source.read, batch_size=3)
    assert follower.catch_up() == len(busy.records)
    assert source.reads == 5  # 10 records in batches of 3, then an empty read


def test_the_follower_waits_for_a_position(views, busy):
    """wait_for reaches an existing position and gives up on one never written."""
    follower = Follower(views, ListLog(busy.records).read, batch_size=2, interval=0.01)
    assert follower.wait_for(7, timeout=5)
    assert not follower.wait_for(99, timeout=0.05)


def test_the_follower_runs_until_stopped(views, busy):
    """run() follows records appended while it polls."""
    records = busy.records[:3]
    follower = Follower(views, ListLog(records).read, interval=0.01)
    stop = threading.Event()
    thread = threading.Thread(target=follower.run, args=(stop,))
    thread.start()
    records.extend(busy.records[3:])
    assert follower.wait_for(len(busy.records), timeout=5)
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()


def test_a_rebuild_drops_and_replays_everything(views, busy, tmp_path):
    """After a rebuild the file equals a fresh build, and progress was reported per batch."""
    views.process(busy.records[:6])
    reports = []
    applied = views.rebuild(iter(busy.records), batch_size=4,
                            progress=lambda n, p: reports.append((n, p)))
    fresh = ViewDatabase(tmp_path / "fresh.db")
    fresh.process(busy.records)
    assert applied == 10
    assert reports == [(4, 4), (8, 8), (10, 10)]
    assert dump(views.db) == dump(fresh.db)


def test_an_interrupted_rebuild_leaves_the_views_as_they_were(views, busy, tmp_path):
    """A rebuild builds a fresh file and installs it only once complete: a failure midway
    leaves the old views (and their position) untouched and no fresh file behind."""
    views.process(busy.records[:6])
    before = dump(views.db)

    def failing():
        yield from busy.records[:5]
        raise OSError("the log went away")

    with pytest.raises(ViewsUnavailable, match="views are as they were: the log went away"):
        views.rebuild(failing(), batch_size=4)
    assert views.position() == 6
    assert dump(views.db) == before
    assert sorted(p.name for p in tmp_path.iterdir() if "rebuild" in p.name) == []


def test_a_reader_sees_the_old_views_or_the_rebuilt_ones_never_a_mix(views, busy):
    """A snapshot opened before a rebuild keeps the old position; a new one sees the rebuilt
    views complete."""
    views.process(busy.records[:4])
    with read_snapshot(views.path) as db:
        assert snapshot_position(db) == 4
        views.rebuild(iter(busy.records))
        assert snapshot_position(db) == 4
    with read_snapshot(views.path) as db:
        assert snapshot_position(db) == 10
        assert queries.list_accounts(db)["accounts"][0]["account_id"] == "a0"


def test_a_rebuild_streams_the_log(views, busy):
    """The records iterator is consumed one batch at a time, never all at once."""
    pulled = []

    def stream():
        for record in busy.records:
            pulled.append(record.position)
            yield record

    seen = []
    views.rebuild(stream(), batch_size=2, progress=lambda n, p: seen.append(len(pulled) - n))
    assert max(seen) <= 1  # at most the one record that ended the batch


def test_a_read_snapshot_does_not_see_batches_committed_after_it_began(views, busy):
    """Readers get one consistent log position while the writer moves on."""
    views.process(busy.records[:4])
    with read_snapshot(views.path) as db:
        assert snapshot_position(db) == 4
        views.process(busy.records)
        assert snapshot_position(db) == 4
        assert queries.list_accounts(db)["accounts"][0]["account_id"] == "a0"
    with read_snapshot(views.path) as db:
        assert snapshot_position(db) == 10


def test_views_refuse_an_in_memory_database():
    """Rows and tracking must share one file, so ':memory:' is an error."""
    with pytest.raises(ProjectionError):
        ViewDatabase(":memory:")


def test_views_copied_from_another_node_follow_the_log_from_its_position(views, busy,
                                                                         tmp_path):
    """A copy of views at position 6 goes on with the records after 6 and ends equal to
    views that followed the whole log; views of another log are refused unchanged."""
    views.process(busy.records[:6])
    seeded = ViewDatabase(tmp_path / "seeded.db")
    assert seeded.copy_from(views.path) == 6
    seeded.process(busy.records)
    whole = ViewDatabase(tmp_path / "whole.db")
    whole.process(busy.records)
    assert dump(seeded.db) == dump(whole.db)
    before = dump(seeded.db)
    with pytest.raises(ProjectionError):
        seeded.copy_from(views.path, belongs=lambda position, event_id: False)
    with pytest.raises(ProjectionError):
        seeded.copy_from(tmp_path / "missing.db")
    assert dump(seeded.db) == before
