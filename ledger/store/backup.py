"""A consistent copy of a live SQLite event store (``ledger backup``).

SQLite's online backup API copies the database page by page and starts over when a
writer changes a page it copied, so the copy is one consistent state of the store (every
batch whole or absent) even while the server records; writers wait only for the short
steps. PostgreSQL has its own tools for this (``pg_dump``/``pg_restore``, README).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ledger.errors import LedgerError

PAGES_PER_STEP = 1024
"""Pages copied while holding the source's read lock, between which writers may write."""


class BackupError(LedgerError):
    """The copy could not be made (the target exists, or a file cannot be opened)."""


def backup_sqlite(source: Path, target: Path) -> None:
    """Copy the SQLite database at ``source`` to the new file ``target``, consistently."""
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file")
    if not source.exists():
        raise BackupError(f"the event store {source} does not exist")
    partial = target.with_name(target.name + ".partial")
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as reader, \
                sqlite3.connect(partial) as writer:
            reader.execute("PRAGMA busy_timeout = 30000")
            reader.backup(writer, pages=PAGES_PER_STEP)
            writer.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        reader.close()
        writer.close()
        partial.rename(target)  # only a finished copy gets the name
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the backup failed: {exc}") from None
