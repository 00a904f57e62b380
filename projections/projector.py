"""Following the log into the views: in a thread of the API process, or in a process of its own.

Applying events to the views costs about as much CPU as recording them. In a thread of
the API process the two share one interpreter lock; :class:`Projector` runs the
follower in a child process instead (``python -m projections.projector``), so that on a
multi-core machine ingest and views proceed in parallel.

Nothing the two processes share can wedge either of them: the server wakes the child by
writing a byte to the child's standard input without blocking (a full pipe already holds
a wake-up), and the child reports faults as JSON lines on its standard output. The end of
its input (the server stopped, or died) stops the child, and on Linux the kernel kills it
with its parent as well (``PR_SET_PDEATHSIG``). A supervisor thread in the server
restarts a child that died, with backoff. The API process still catches the views up
itself when a read needs its own writes and the child does not get there in time (see
:meth:`api.runtime.Runtime.ready_for`): two appliers are safe, each batch commits with
its position and applied positions are skipped.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from typing import IO, Any

from ledger.config import Settings
from ledger.domain.application import LedgerApplication
from ledger.errors import StorageConfigError
from projections.engine import Follower, ViewDatabase, Waitable, Wakeable
from projections.errors import ViewsUnavailable

log = logging.getLogger("ledger.projector")

STOP_TIMEOUT = 5.0
"""Seconds the projector gets to finish its batch when the server stops."""
RESTART_BACKOFF = (0.1, 5.0)
"""The first and the longest wait before restarting a projector that died."""
STEADY = 30.0
"""Seconds a child must have run for its next death to restart it without backoff."""
LISTEN_BACKOFF = (0.1, 5.0)
"""The first and the longest wait before listening again after a lost subscription."""
_SETTINGS_ENV = "LEDGER_PROJECTOR_SETTINGS"
_PARENT_ENV = "LEDGER_PROJECTOR_PARENT"
_PR_SET_PDEATHSIG = 1


def follow(follower: Follower, ledger: LedgerApplication, stop: Waitable,
           wake: Wakeable) -> None:
    """Apply new events until ``stop`` is set.

    The follower polls the log, sleeping ``follower.interval`` or until ``wake`` is set
    (by the API process after each write). On PostgreSQL a thread also listens to the
    library's subscription (LISTEN/NOTIFY) and sets ``wake`` when another process writes;
    a lost subscription only delays the views by one interval, and is listened to again.
    """
    if ledger.settings.is_postgres:
        threading.Thread(target=_listen, args=(ledger, stop, wake),
                         name="views-subscription", daemon=True).start()
    if follower.views.position() == 0 and ledger.head_position() > 0:
        # A new node (views that applied nothing yet): the first build goes in bulk,
        # installed in one transaction; the server listens and reads wait meanwhile.
        try:
            follower.views.rebuild_from(ledger)
        except ViewsUnavailable as exc:  # e.g. the views' disk is full
            # Batch by batch instead: the follower reports the fault and retries.
            log.warning("the views' first build failed (%s); following the log batch by "
                        "batch", exc)
    follower.run(stop, wake)


def _listen(ledger: LedgerApplication, stop: Waitable, wake: Wakeable) -> None:
    """Set ``wake`` on every event the subscription announces, until ``stop``; never dies."""
    recorder: Any = ledger.recorder
    current: list[Any] = []  # the open subscription, which ``stop`` must interrupt

    def interrupt_on_stop() -> None:
        stop.wait()
        if current:
            current[-1].stop()

    threading.Thread(target=interrupt_on_stop, name="views-subscription-stop",
                     daemon=True).start()
    backoff = LISTEN_BACKOFF[0]
    while not stop.is_set():
        try:
            # From the head: the follower reads the events; this only wakes it.
            with recorder.subscribe(gt=ledger.head_position()) as subscription:
                current.append(subscription)
                backoff = LISTEN_BACKOFF[0]
                if stop.is_set():
                    break
                for _ in subscription:
                    wake.set()
                    if stop.is_set():
                        break
        except Exception as exc:  # noqa: BLE001 - any loss: listen again, the poll goes on
            log.warning("views subscription lost (%s); listening again in %.1f s",
                        str(exc).splitlines()[0] if str(exc) else type(exc).__name__, backoff)
            stop.wait(backoff)
            backoff = min(backoff * 2, LISTEN_BACKOFF[1])


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux), and exit now if
    the parent is gone already."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def _read_parent(stop: threading.Event, wake: threading.Event) -> None:
    """Turn bytes on standard input into wake-ups, and its end into ``stop``."""
    while True:
        try:
            data = os.read(0, 4096)
        except OSError:
            data = b""
        if not data:
            stop.set()
            wake.set()
            return
        wake.set()


def _report(fault: str | None) -> None:
    """Tell the server about a fault of the views (or that it ended) on standard output."""
    try:
        sys.stdout.write(json.dumps({"fault": fault}) + "\n")
        sys.stdout.flush()
    except OSError:  # the server is gone: the end of our input stops us
        pass


def main() -> None:
    """The projector process: follow the log into the views until the server stops."""
    _die_with_parent(int(os.environ[_PARENT_ENV]))
    # Ctrl-C reaches the whole process group; the server decides when we stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    stop, wake = threading.Event(), threading.Event()

    def stop_on_term(*_: object) -> None:
        stop.set()
        wake.set()

    signal.signal(signal.SIGTERM, stop_on_term)
    threading.Thread(target=_read_parent, args=(stop, wake), name="projector-input",
                     daemon=True).start()
    settings = Settings(**json.loads(os.environ.pop(_SETTINGS_ENV)))
    try:
        ledger = LedgerApplication(settings)
    except StorageConfigError as exc:  # one line; the supervisor starts us again later
        log.warning("the projector cannot start: %s", exc.detail)
        raise SystemExit(1) from None
    views = ViewDatabase(settings.resolved_views_path())
    try:
        follow(Follower(views, ledger.read_for_views, on_fault=_report), ledger, stop, wake)
    finally:
        views.close()
        ledger.close()


class Projector:
    """The views' follower as a supervised child process.

    ``fault`` is the last fault the child reported (None while it follows the log).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.fault: str | None = None
        self.restarts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._started = threading.Event()
        self._supervisor: threading.Thread | None = None

    def start(self) -> None:
        """Start the child and the thread that restarts it whenever it dies."""
        self._stopping.clear()
        self._started.clear()
        # The supervisor starts every child, so that the kernel's parent-death signal,
        # which follows the thread that forked, fires only when the supervision ends.
        self._supervisor = threading.Thread(target=self._supervise, name="projector-supervisor",
                                            daemon=True)
        self._supervisor.start()
        self._started.wait(STOP_TIMEOUT)

    def alive(self) -> bool:
        """Whether the child process is running."""
        process = self._process
        return process is not None and process.poll() is None

    @property
    def pid(self) -> int | None:
        """The child's process id (None when not started)."""
        process = self._process
        return None if process is None else process.pid

    def nudge(self) -> None:
        """Tell the projector that new events were recorded; never blocks."""
        process = self._process
        if process is None or process.stdin is None:
            return
        # A full pipe holds a wake-up already; a closed one, a child that is gone.
        with contextlib.suppress(OSError, ValueError):
            os.write(process.stdin.fileno(), b"\n")

    def stop(self) -> None:
        """Ask the child to finish its batch and exit; kill it if it does not."""
        self._stopping.set()
        with self._lock:
            process = self._process
        if process is not None:
            _close(process.stdin)
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                log.warning("the projector did not stop within %.0f s; killing it",
                            STOP_TIMEOUT)
                process.kill()
                process.wait()
        if self._supervisor is not None:
            self._supervisor.join(STOP_TIMEOUT)
            self._supervisor = None

    def _spawn(self) -> subprocess.Popen[bytes]:
        settings = {"database_url": self.settings.database_url,
                    "views_path": str(self.settings.resolved_views_path())}
        env = {**os.environ, _SETTINGS_ENV: json.dumps(settings), _PARENT_ENV: str(os.getpid())}
        process = subprocess.Popen([sys.executable, "-m", "projections.projector"], env=env,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert process.stdin is not None
        os.set_blocking(process.stdin.fileno(), False)
        return process

    def _supervise(self) -> None:
        backoff = RESTART_BACKOFF[0]
        while not self._stopping.is_set():
            with self._lock:
                if self._stopping.is_set():
                    break
                process = self._process = self._spawn()
            self._started.set()
            since = time.monotonic()
            self._read_reports(process)
            code = process.wait()
            _close(process.stdin)
            if self._stopping.is_set():
                break
            if time.monotonic() - since > STEADY:
                backoff = RESTART_BACKOFF[0]
            self.restarts += 1
            log.warning("the projector exited (code %s); restarting it in %.1f s", code, backoff)
            if self._stopping.wait(backoff):
                break
            backoff = min(backoff * 2, RESTART_BACKOFF[1])
        self._started.set()

    def _read_reports(self, process: subprocess.Popen[bytes]) -> None:
        """Keep the child's last reported fault until its output ends (it exited)."""
        assert process.stdout is not None
        for line in process.stdout:
            try:
                self.fault = json.loads(line)["fault"]
            except (ValueError, KeyError, TypeError):
                log.warning("the projector said: %s", line.decode(errors="replace").strip())
        process.stdout.close()
        self.fault = None


def _close(stream: IO[bytes] | None) -> None:
    if stream is not None:
        with contextlib.suppress(OSError):
            stream.close()


if __name__ == "__main__":
    main()
