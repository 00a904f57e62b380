"""Storage faults, named: a full disk, or a store that cannot be reached.

The ``eventsourcing`` library wraps the drivers' errors in its own
(:class:`~eventsourcing.persistence.OperationalError`, …) and keeps the driver's error as
the cause; these helpers look along that chain, so they need neither driver.
"""

from __future__ import annotations

import contextlib
import errno
import sqlite3
from collections.abc import Iterator
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError

from ledger.errors import StorageFault, StoreFull, StoreUnavailable

DISK_FULL_SQLSTATE = "53100"
"""PostgreSQL's ``disk_full``."""
_DISK_FULL_TEXT = ("database or disk is full", "No space left on device",
                   "could not extend file")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the store's disk is full."""
    for error in _chain(exc):
        if getattr(error, "sqlstate", None) == DISK_FULL_SQLSTATE:
            return True
        if getattr(error, "errno", None) == errno.ENOSPC:
            return True
        if any(text in str(error) for text in _DISK_FULL_TEXT):
            return True
    return False


def is_storage_fault(exc: BaseException) -> bool:
    """Whether ``exc`` is the store failing (a lost connection, a busy or full database)
    rather than a bug or a refused statement."""
    return is_disk_full(exc) or isinstance(
        exc, (OperationalError, InterfaceError, sqlite3.OperationalError, OSError))


def as_fault(exc: BaseException) -> StorageFault:
    """The ledger's error for a storage fault: :class:`StoreFull` or :class:`StoreUnavailable`."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if is_disk_full(exc):
        return StoreFull(f"the event store's disk is full: {text}")
    return StoreUnavailable(f"the event store is unavailable: {text}")


def refresh_connections(recorder: Any) -> None:
    """Drop the pooled connections that broke (PostgreSQL), so a retry gets a fresh one."""
    pool = getattr(getattr(recorder, "datastore", None), "pool", None)
    check = getattr(pool, "check", None)
    if check is not None:
        # A failure here is the retry's to report.
        with contextlib.suppress(Exception):
            check()
