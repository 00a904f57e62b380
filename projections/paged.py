"""The derived rows that let a read at now fetch only its page (SPEC §5.2).

:mod:`projections.history_rows` keeps every stakeholder's history steps with their running
figures; :mod:`projections.horizons` keeps how far each account's engagement events reach
in both time axes, so a read can tell whether the tables kept for the end of time (these
and ``flags``) answer its point exactly. Both are derived from the history and current
tables: once per batch after :func:`projections.current.follow_up` has refreshed the
current tables, or in one pass at the end of a bulk rebuild; so is ``spend_totals``, the
sum of every account's spend. ``flag_counts`` is kept by
triggers on ``flags`` (:data:`projections.tables.TRIGGERS`); only a views file written
before it needs it counted here.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from projections import history_rows, horizons
from projections.batch import Batch

TABLES = ("history_steps", "account_horizons", "flag_counts", "spend_totals")


def absent(db: sqlite_utils.Database) -> set[str]:
    """Which of the derived tables a views file lacks (one written before them); without
    the flags table, its counts are stale too."""
    return {name for name in TABLES
            if not db[name].exists() or (name == "flag_counts" and not db["flags"].exists())}


def derive(db: sqlite_utils.Database, base: str,
           tables: Iterable[str] = TABLES) -> None:
    """Fill the (empty) derived ``tables`` from the history and current tables, at the
    end of a bulk load or in a views file written before them; ``base``: the base
    currency now."""
    if "history_steps" in tables:
        history_rows.derive_steps(db, base)
    if "account_horizons" in tables:
        horizons.derive_horizons(db)
    if "spend_totals" in tables:
        add_up(db, base)
    if "flag_counts" in tables:
        # Triggers keep the counts from now on; count the flags already there (if any).
        db.conn.execute("DELETE FROM flag_counts")
        db.conn.execute("INSERT INTO flag_counts SELECT account_id, flag, open, COUNT(*) "
                        "FROM flags GROUP BY account_id, flag, open")


def follow_up(out: Batch, base: str, reconverted: Iterable[str]) -> None:
    """Bring the derived tables up to date after a batch (see
    :func:`projections.history_rows.follow_up`)."""
    horizons.follow_up(out.flushed())
    history_rows.follow_up(out, base, reconverted)
    add_up(out.db, base)


def add_up(db: sqlite_utils.Database, base: str) -> None:
    """Sum the accounts' spend into ``spend_totals`` (one row per account read, once a
    batch, so that a read need not)."""
    db.conn.execute("DELETE FROM spend_totals")
    db.conn.execute("INSERT INTO spend_totals SELECT ?, COALESCE(SUM(base_minor), 0), "
                    "COUNT(*) FILTER (WHERE engagement_count > 0) FROM current_accounts",
                    [base])
