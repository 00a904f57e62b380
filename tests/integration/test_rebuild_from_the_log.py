"""Views rebuilt from a real event store equal views followed incrementally (SPEC §7.1)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from bench.stores import PRINCIPAL
from ledger.config import Settings
from ledger.domain.application import LedgerApplication
from ledger.samples.demo import demo_timeline
from ledger.samples.workload import workload
from projections.engine import Follower, ViewDatabase
from tests.conftest import ADMIN


def load_demo(settings: Settings) -> LedgerApplication:
    moment: dict[str, datetime] = {}
    app = LedgerApplication(settings, clock=lambda: moment["now"])
    for recorded_at, envelope in demo_timeline(today=date(2026, 6, 1)):
        moment["now"] = recorded_at
        app.record(envelope, ADMIN)
    return app


def dump(views: ViewDatabase) -> list[str]:
    """The file as sorted SQL text: equal dumps mean identical schemas and rows."""
    return sorted(views.db.conn.iterdump())


def test_demo_log_rebuilds_to_the_same_views_as_incremental_following(
        store_settings: Settings, tmp_path: Path) -> None:
    """On SQLite and PostgreSQL: a rebuild equals a follower that read odd-sized batches."""
    app = load_demo(store_settings)
    followed = ViewDatabase(tmp_path / "followed.db")
    follower = Follower(followed, app.read_records, batch_size=37)
    assert follower.catch_up() == app.head_position()
    rebuilt = ViewDatabase(tmp_path / "rebuilt.db")
    applied = rebuilt.rebuild(app.iter_records(), batch_size=500)
    assert applied == app.head_position() > 1000
    assert dump(rebuilt) == dump(followed)
    followed.close()
    rebuilt.close()
    app.close()


def test_a_rebuilds_progress_reaches_the_head_once_the_log_is_loaded(tmp_path: Path) -> None:
    """The progress a bulk rebuild reports ends at the log's head when the load is done,
    also when the log ends with events folded in SQL (which the handlers never see), so a
    progress bar can tell the load from the derivations that follow; the count of events
    loaded only grows, up to every event."""
    app = LedgerApplication(Settings(database_url=f"sqlite:///{tmp_path}/ledger.db"))
    envelopes = list(workload(1500, seed=1))
    last = max(n for n, e in enumerate(envelopes) if e["type"] == "engagement.recorded")
    app.record_batch(envelopes[:last + 1], PRINCIPAL)
    views = ViewDatabase(tmp_path / "views.db")
    reports: list[tuple[int, int]] = []
    try:
        views.rebuild_from(app, progress=lambda count, position: reports.append((count, position)))
        counts, positions = zip(*reports, strict=True)
        assert positions[-1] == app.head_position() == last + 1
        assert list(counts) == sorted(counts) and counts[-1] == last + 1
    finally:
        views.close()
        app.close()
