"""What one API process holds: the ledger, its tokens, the views and their follower.

Read-your-writes (SPEC §5.2): every position this process acknowledged is remembered,
and a read first brings the views up to it (bounded), so a client sees its own writes.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

import sqlite_utils
from eventsourcing.persistence import PersistenceError

from ledger.application import LedgerApplication, Receipt
from ledger.config import Settings
from ledger.errors import StorageConfigError
from ledger.tokens import TokenStore
from projections.engine import Follower, ViewDatabase

log = logging.getLogger("ledger.api")
T = TypeVar("T")

READ_YOUR_WRITES_WAIT = 10.0
"""Seconds a read waits for the views to reach this server's own acknowledged writes."""
MIN_POSITION_WAIT = 2.0
"""Seconds a read waits for a client's ``min_position`` before answering 503."""


class Runtime:
    """The long-lived objects behind the API, created once per process."""

    def __init__(self, settings: Settings, *, clock: Callable[[], datetime] | None = None,
                 follow: bool = True, min_position_wait: float = MIN_POSITION_WAIT) -> None:
        self.settings = settings
        self.ledger = LedgerApplication(settings, clock=clock)
        self.tokens = TokenStore(self.ledger, settings.admin_token)
        self.views_path = settings.resolved_views_path()
        try:
            self.views = ViewDatabase(self.views_path)
        except (sqlite3.Error, OSError, PersistenceError) as exc:
            self.ledger.close()
            raise StorageConfigError(
                f"LEDGER_VIEWS_PATH={str(self.views_path)!r}: cannot open the views: {exc}"
            ) from None
        self.follower = Follower(self.views, self.ledger.read_for_views)
        self.acknowledged = 0
        self.min_position_wait = min_position_wait
        self._follow = follow
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._subscription: Any = None
        self._local = threading.local()

    def start(self) -> None:
        """Catch the views up with the log and keep following it in a thread."""
        self.follower.catch_up()
        if self._follow and self._thread is None:
            # PostgreSQL pushes new events (the library's LISTEN/NOTIFY subscription);
            # SQLite offers no subscription, so there the follower polls.
            target = self._subscribe if self.settings.is_postgres else self.follower.run
            self._thread = threading.Thread(target=target, args=(self._stop,),
                                            name="views-follower", daemon=True)
            self._thread.start()

    def _subscribe(self, stop: threading.Event) -> None:
        """Catch the views up each time the event store announces new events."""
        recorder = self.ledger.recorder
        while not stop.is_set():
            try:
                with recorder.subscribe(gt=self.views.position()) as subscription:
                    self._subscription = subscription
                    for _ in subscription:
                        self.follower.catch_up()
                        if stop.is_set():
                            break
            except Exception:  # connection lost: fall back to a poll, then resubscribe
                log.exception("views subscription failed; polling until it is back")
                self.follower.catch_up()
                stop.wait(self.follower.interval)

    def stop(self) -> None:
        """Stop following and close the stores."""
        self._stop.set()
        if self._subscription is not None:
            self._subscription.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.views.close()
        self.ledger.close()

    def acknowledge(self, receipts: Iterable[Receipt]) -> None:
        """Remember the newest position this server has answered a write with."""
        self.acknowledged = max([self.acknowledged, *(r.position for r in receipts)])

    def ready_for(self, min_position: int | None) -> bool:
        """Bring the views up to this server's writes and ``min_position``; False on timeout."""
        if not self.follower.wait_for(self.acknowledged, READ_YOUR_WRITES_WAIT):
            return False
        return min_position is None or self.follower.wait_for(min_position,
                                                                 self.min_position_wait)

    def read(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``query(views_db, *args, **kwargs)`` in one read transaction.

        The whole query sees the views at a single log position, even while the follower
        commits (WAL readers do not block the writer). Connections are kept per thread.
        """
        db = getattr(self._local, "db", None)
        if db is None:
            connection = sqlite3.connect(self.views_path, check_same_thread=False,
                                         isolation_level=None)
            connection.execute("PRAGMA busy_timeout = 10000")
            db = self._local.db = sqlite_utils.Database(connection)
        db.execute("BEGIN")
        try:
            return query(db, *args, **kwargs)
        finally:
            db.execute("ROLLBACK")
