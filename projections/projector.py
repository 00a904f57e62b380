"""Following the log into the views: in a thread of the API process, or in a process of its own.

Applying events to the views costs about as much CPU as recording them. In a thread of
the API process the two share one interpreter lock; :class:`Projector` runs the
follower in a child process instead, so that on a multi-core machine ingest and views
proceed in parallel. The API process is told of each acknowledged write (``nudge``) and
still catches the views up itself when a read needs its own writes and the projector
does not get there in time (see :meth:`api.runtime.Runtime.ready_for`): two appliers are
safe, each batch commits with its position and applied positions are skipped.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from multiprocessing.synchronize import Event as EventType
from typing import Any

from ledger.config import Settings
from ledger.domain.application import LedgerApplication
from projections.engine import Follower, ViewDatabase, Waitable, Wakeable

log = logging.getLogger("ledger.projector")

STOP_TIMEOUT = 10.0
"""Seconds the projector gets to finish its batch when the server stops."""


def follow(follower: Follower, ledger: LedgerApplication, stop: Waitable,
           wake: Wakeable | None = None) -> None:
    """Apply new events until ``stop`` is set.

    PostgreSQL announces new events (the library's LISTEN/NOTIFY subscription); SQLite
    has no subscription, so there the loop polls, sleeping ``follower.interval`` or until
    ``wake`` (an Event set by the API process after each write) is set.
    """
    if ledger.settings.is_postgres:
        _subscribe(follower, ledger, stop)
    else:
        follower.run(stop, wake)


def _subscribe(follower: Follower, ledger: LedgerApplication, stop: Waitable) -> None:
    recorder: Any = ledger.recorder
    current: list[Any] = []  # the open subscription, which ``stop`` must interrupt

    def interrupt_on_stop() -> None:
        stop.wait()
        if current:
            current[-1].stop()

    threading.Thread(target=interrupt_on_stop, name="views-subscription-stop",
                     daemon=True).start()
    while not stop.is_set():
        try:
            with recorder.subscribe(gt=follower.views.position()) as subscription:
                current.append(subscription)
                if stop.is_set():
                    break
                for _ in subscription:
                    follower.catch_up()
                    if stop.is_set():
                        break
        except Exception:  # connection lost: fall back to a poll, then resubscribe
            log.exception("views subscription failed; polling until it is back")
            follower.catch_up()
            stop.wait(follower.interval)


def _run(settings: Settings, stop: EventType, wake: EventType) -> None:
    """The projector process: follow the log into the views until told to stop."""
    ledger = LedgerApplication(settings)
    views = ViewDatabase(settings.resolved_views_path())
    try:
        follower = Follower(views, ledger.read_for_views)
        follower.catch_up()
        follow(follower, ledger, stop, wake)
    finally:
        views.close()
        ledger.close()


class Projector:
    """The views' follower as a child process (started with ``spawn``: no inherited locks
    or connections)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._context = multiprocessing.get_context("spawn")
        self._stop = self._context.Event()
        self._wake = self._context.Event()
        self._process: Any = None

    def start(self) -> None:
        """Start (or restart) the child process."""
        self._stop.clear()
        self._process = self._context.Process(
            target=_run, args=(self.settings, self._stop, self._wake),
            name="ledger-projector", daemon=True)
        self._process.start()

    def alive(self) -> bool:
        """Whether the child process is running."""
        return self._process is not None and self._process.is_alive()

    @property
    def pid(self) -> int | None:
        """The child's process id (None when not started)."""
        return None if self._process is None else self._process.pid

    def nudge(self) -> None:
        """Tell the projector that new events were recorded."""
        self._wake.set()

    def stop(self) -> None:
        """Ask the child to finish its batch and exit; kill it if it does not."""
        if self._process is None:
            return
        self._stop.set()
        self._wake.set()
        self._process.join(STOP_TIMEOUT)
        if self._process.is_alive():
            log.warning("the projector did not stop within %.0f s; killing it", STOP_TIMEOUT)
            self._process.kill()
            self._process.join()
        self._process = None
