"""What one API process holds: the ledger, its tokens, the views and their follower.

Read-your-writes (SPEC §5.2): every position this process acknowledged is remembered,
and a read first brings the views up to it (bounded), so a client sees its own writes.
The views follow the log in a thread, or with ``projector=True`` (``ledger serve``) in a
process of their own (:mod:`projections.projector`).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

import sqlite_utils

from ledger.config import Settings
from ledger.domain.application import LedgerApplication
from ledger.domain.submission import Receipt
from ledger.errors import StorageConfigError
from ledger.store.access_log import AccessLog
from ledger.store.tokens import TokenStore
from projections.engine import Follower, open_views
from projections.projector import Projector, follow

log = logging.getLogger("ledger.api")
T = TypeVar("T")

READ_YOUR_WRITES_WAIT = 10.0
"""Seconds a read waits for the views to reach this server's own acknowledged writes."""
MIN_POSITION_WAIT = 2.0
"""Seconds a read waits for a client's ``min_position`` before answering 503."""
PROJECTOR_WAIT = 1.0
"""Seconds a read leaves a running projector to apply what it needs, before applying it
in the API process itself."""


class Runtime:
    """The long-lived objects behind the API, created once per process."""

    def __init__(self, settings: Settings, *, clock: Callable[[], datetime] | None = None,
                 follow: bool = True, projector: bool = False,
                 min_position_wait: float = MIN_POSITION_WAIT) -> None:
        self.settings = settings
        self.ledger = LedgerApplication(settings, clock=clock)
        self.tokens = TokenStore(self.ledger, settings.admin_token)
        self.access = AccessLog(self.ledger)
        self.views_path = settings.resolved_views_path()
        try:
            self.views = open_views(self.views_path)
        except StorageConfigError:
            self.ledger.close()
            raise
        self.follower = Follower(self.views, self.ledger.read_for_views)
        self.acknowledged = 0
        self.min_position_wait = min_position_wait
        self._follow = follow
        self.projector = Projector(settings) if follow and projector else None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._local = threading.local()

    def start(self) -> None:
        """Keep the views following the log (a thread, or the supervised projector
        process); returns at once, so the server listens while the views catch up.

        Everything the log holds now counts as acknowledged: a read waits (bounded) until
        the views reach it, and answers 503 with Retry-After meanwhile."""
        self.acknowledged = max(self.acknowledged, self.ledger.head_position())
        if self.projector is not None:
            self.projector.start()
        elif self._follow and self._thread is None:
            self._thread = threading.Thread(
                target=follow, args=(self.follower, self.ledger, self._stop, self._wake),
                name="views-follower", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop following and close the stores."""
        self._stop.set()
        self._wake.set()
        if self.projector is not None:
            self.projector.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.views.close()
        self.access.close()
        self.ledger.close()

    def acknowledge(self, receipts: Iterable[Receipt]) -> None:
        """Remember the newest position this server has answered a write with, and wake
        the views' follower (never blocks)."""
        self.acknowledged = max([self.acknowledged, *(r.position for r in receipts)])
        if self.projector is not None:
            self.projector.nudge()
        else:
            self._wake.set()

    def ready_for(self, min_position: int | None) -> bool:
        """Bring the views up to this server's writes and ``min_position``; False on timeout.

        Raises :class:`~projections.errors.ViewsUnavailable` when the views cannot be
        brought there (their disk is full, the event store is unreachable)."""
        if not self._reach(self.acknowledged, READ_YOUR_WRITES_WAIT):
            return False
        return min_position is None or self._reach(min_position, self.min_position_wait)

    def views_fault(self) -> str | None:
        """Why the views are not following the log now, or None while they are."""
        if self.projector is not None:
            if not self.projector.alive():
                return "projector down"
            return self.projector.fault
        if self._follow and (self._thread is None or not self._thread.is_alive()):
            return "views follower down"
        return self.follower.fault

    def _reach(self, position: int, timeout: float) -> bool:
        """Wait until the views reach ``position``, applying events here if need be."""
        deadline = time.monotonic() + timeout
        projector = self.projector
        if projector is not None and self.views.position() < position and projector.alive():
            patience = time.monotonic() + min(PROJECTOR_WAIT, timeout)
            while self.views.position() < position and time.monotonic() < patience:
                time.sleep(0.002)
        return self.follower.wait_for(position, max(deadline - time.monotonic(), 0))

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
