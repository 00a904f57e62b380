"""A bulk rebuild that fails midway (a full disk while it loads the log, a process
killed outright) leaves the live views exactly as they were, says why in one
line, and leaves nothing behind that the next rebuild does not clear."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bench.stores import PRINCIPAL, batches
from ledger.config import Settings
from ledger.domain.application import LedgerApplication
from projections import bulk
from projections.engine import Follower, ViewDatabase
from projections.errors import ViewsUnavailable
from tests.reliability.conftest import fill

KILL_WAIT = 120.0
"""Seconds the kill test waits for the rebuild's fresh file to grow (a bound, not a pace)."""


def _views_behind(app: LedgerApplication, views_path: Path, events: int) -> None:
    """Record the bench's workload of ``events`` events: the views follow its first 300,
    the log goes on without them (the rebuild then has the rest to do)."""
    parts = batches(events, seed=1, size=300)
    app.record_batch(next(parts), PRINCIPAL)
    views = ViewDatabase(views_path)
    try:
        Follower(views, app.read_for_views).catch_up()
    finally:
        views.close()
    for batch in parts:
        app.record_batch(batch, PRINCIPAL)


def _dump(path: Path) -> list[str]:
    """The views file's contents as sorted SQL, read without writing to it."""
    connection = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return sorted(connection.iterdump())
    finally:
        connection.close()


def _fresh_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if ".rebuild-" in p.name)


def _stops_on_a_full_disk(views: ViewDatabase, app: LedgerApplication, disk: Path,
                          where: Callable[[traceback.FrameSummary], bool]) -> None:
    """Rebuild the views on ``disk`` (filled already), which must stop with "views disk
    full" from a frame ``where`` says is the place tested; the views (300 events) must be
    as they were, and no fresh or side file left."""
    before = _dump(disk / "views.db")
    with pytest.raises(ViewsUnavailable, match="views disk full") as raised:
        views.rebuild_from(app)
    assert "the views are as they were" in str(raised.value)
    cause = raised.value.__cause__
    assert cause is not None
    frames = traceback.extract_tb(cause.__traceback__)
    assert any(where(frame) for frame in frames), "the disk filled elsewhere than tested"
    assert views.position() == 300
    assert _dump(disk / "views.db") == before
    assert _fresh_files(disk) == []


def test_a_full_disk_while_the_log_is_loaded_stops_the_rebuild_and_keeps_the_views(
        small_disk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The views sit on a nearly full disk, the store elsewhere: the rebuild's fresh file
    fills the disk while the log is loaded (the SQL fold and the handlers in between,
    whichever writes when the page cache spills), the rebuild stops with
    "views disk full", the live views keep every row and their position, and no fresh
    file is left."""
    app = LedgerApplication(Settings(database_url=f"sqlite:///{tmp_path}/ledger.db"))
    # About 9 MB of views to build, more than the disk has left; with a page cache of
    # 1 MB (64 MB in use) the fresh file's pages reach the disk, and fill it, while the
    # log is loaded, not at the end.
    monkeypatch.setattr(bulk, "LOAD_CACHE_KB", 1024)
    _views_behind(app, small_disk / "views.db", 5300)
    views = ViewDatabase(small_disk / "views.db")
    try:
        fill(small_disk, 1_500_000)
        _stops_on_a_full_disk(views, app, small_disk, lambda frame: (
            frame.name == "_load" or frame.filename.endswith("log_fold.py")))
    finally:
        views.close()
        app.close()


def test_a_killed_rebuild_leaves_the_views_and_the_next_one_clears_its_file(
        tmp_path: Path) -> None:
    """``ledger rebuild`` killed with SIGKILL while it builds: the live views are as they
    were; its fresh file (as big as the views) outlives it, and the next rebuild removes
    it and completes."""
    env = {**os.environ, "LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/ledger.db",
           "LEDGER_VIEWS_PATH": str(tmp_path / "views.db")}
    app = LedgerApplication(Settings(database_url=env["LEDGER_DATABASE_URL"]))
    try:
        _views_behind(app, tmp_path / "views.db", 40_300)
        head = app.head_position()
    finally:
        app.close()
    before = _dump(tmp_path / "views.db")

    rebuild = subprocess.Popen([sys.executable, "-m", "cli.app", "rebuild"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    fresh = tmp_path / f"views.db.rebuild-{rebuild.pid}"
    deadline = time.monotonic() + KILL_WAIT
    while not (fresh.exists() and fresh.stat().st_size > 4_000_000):
        assert rebuild.poll() is None, "the rebuild ended before it could be killed"
        assert time.monotonic() < deadline, "the rebuild's fresh file never grew"
        time.sleep(0.01)
    rebuild.send_signal(signal.SIGKILL)
    rebuild.wait(timeout=30)

    assert _dump(tmp_path / "views.db") == before
    assert fresh.name in _fresh_files(tmp_path)
    done = subprocess.run([sys.executable, "-m", "cli.app", "rebuild"], env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert _fresh_files(tmp_path) == []
    views = ViewDatabase(tmp_path / "views.db")
    try:
        assert views.position() == head
    finally:
        views.close()


def test_ledger_rebuild_on_a_full_disk_ends_with_one_line_and_exit_1(
        small_disk: Path, tmp_path: Path) -> None:
    """``ledger rebuild`` whose views' disk fills: exit 1 and one ``error:`` line naming
    the full disk (no traceback); the views are as they were."""
    env = {**os.environ, "LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/ledger.db",
           "LEDGER_VIEWS_PATH": str(small_disk / "views.db")}
    app = LedgerApplication(Settings(database_url=env["LEDGER_DATABASE_URL"]))
    try:
        _views_behind(app, small_disk / "views.db", 5300)
    finally:
        app.close()
    before = _dump(small_disk / "views.db")
    fill(small_disk, 1_500_000)
    done = subprocess.run([sys.executable, "-m", "cli.app", "rebuild"], env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "error: the rebuild stopped and the views are as they were: views disk full" \
        in " ".join(done.stderr.split())
    assert _dump(small_disk / "views.db") == before
    assert _fresh_files(small_disk) == []


def test_a_full_disk_while_the_lanes_derive_stops_the_rebuild_and_keeps_the_views(
        small_disk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills once the log is loaded, as the history steps and the flags are
    derived side by side (:mod:`projections.lanes`): the lanes' side files cannot grow,
    the rebuild stops with "views disk full" once both lanes have stopped, the live views
    are as they were, and neither the fresh file nor a side file is left."""
    app = LedgerApplication(Settings(database_url=f"sqlite:///{tmp_path}/ledger.db"))
    _views_behind(app, small_disk / "views.db", 5300)
    views = ViewDatabase(small_disk / "views.db")
    run_lanes = bulk.run_lanes
    lanes_ran = []

    def on_a_full_disk(*args: Any, **kwargs: Any) -> None:
        fill(small_disk, 64 * 1024)
        lanes_ran.append(True)
        run_lanes(*args, **kwargs)

    monkeypatch.setattr(bulk, "run_lanes", on_a_full_disk)
    try:
        _stops_on_a_full_disk(views, app, small_disk,
                              lambda frame: frame.filename.endswith("lanes.py"))
        assert lanes_ran, "the disk filled before the lanes: not what is tested"
    finally:
        views.close()
        app.close()


def test_the_next_rebuild_clears_the_side_files_of_a_killed_one(tmp_path: Path) -> None:
    """A rebuild killed while its lanes ran leaves its fresh file and the lanes' side
    files (named after the fresh file and the lane); the next rebuild removes them all,
    and leaves those of a rebuild that is still running."""
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    dead = int(ended.stdout)
    beside = tmp_path / "views.db"
    left = [f"views.db.rebuild-{dead}", f"views.db.rebuild-{dead}-steps",
            f"views.db.rebuild-{dead}-flags", f"views.db.rebuild-{dead}-flags-journal"]
    running = f"views.db.rebuild-{os.getppid()}-steps"
    for name in [*left, running]:
        (tmp_path / name).write_bytes(b"x" * 1024)
    with bulk.fresh_path(str(beside)) as fresh:
        assert Path(fresh).name == f"views.db.rebuild-{os.getpid()}"
        assert _fresh_files(tmp_path) == [running]
        Path(fresh).write_bytes(b"fresh")
        Path(f"{fresh}-steps").write_bytes(b"side")
    assert _fresh_files(tmp_path) == [running]
