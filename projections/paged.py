"""The derived rows that let a read at now fetch only its page (SPEC §5.2).

:mod:`projections.history_rows` keeps every stakeholder's history steps with their running
figures; :mod:`projections.horizons` keeps how far each account's engagement events reach
in both time axes, so a read can tell whether the tables kept for the end of time (these
and ``flags``) answer its point exactly; ``spend_totals`` sums every account's spend, and
``flag_counts`` counts the ``flags`` rows of each account and year. These are derived
from the history, current and flags tables: once per batch, after the current tables and
the flags (the engine calls :func:`follow_up` last), or in one pass at the end of a bulk
rebuild (:func:`derive`, after :mod:`projections.flag_sql` has derived the flags).
``spend_groups`` (:mod:`projections.spend_groups`, the spend of each owner, kind, month and
opportunity) is derived here in one pass too, but a batch keeps it up to date with the
current tables (:mod:`projections.current` adds each refreshed engagement's change).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from projections import flag_rows, history_rows, horizons, spend_groups
from projections.batch import Batch
from projections.current import base_currency
from projections.flag_rows import Unit

TABLES = ("history_steps", "account_horizons", "flag_counts", "spend_totals", "spend_groups")


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
    if "spend_groups" in tables:
        spend_groups.derive(db)
    if "flag_counts" in tables:
        count_flags(db)


def follow_up(out: Batch, reconverted: Iterable[str]) -> None:
    """Bring the derived tables up to date after a batch, once the current tables and
    the flags are (``reconverted``: what :func:`projections.current.follow_up` returned;
    see :func:`projections.history_rows.follow_up`)."""
    db = out.flushed()
    base = base_currency(db)
    horizons.follow_up(db)
    history_rows.follow_up(out, base, reconverted)
    add_up(db, base)
    count_flags(db, flag_rows.touched_units(out))


def count_flags(db: sqlite_utils.Database, units: Iterable[Unit] | None = None) -> None:
    """Count the flags of each (account, year) in ``units`` again (None: of every one),
    once :mod:`projections.flag_rows` has evaluated them."""
    count = ("INSERT INTO flag_counts SELECT account_id, substr(occurred_at, 1, 4), flag, "
             "open, COUNT(*) FROM flags {where} GROUP BY 1, 2, 3, 4")
    if units is None:
        db.conn.execute("DELETE FROM flag_counts")
        db.conn.execute(count.format(where=""))
        return
    for account_id, year in sorted(units):
        db.conn.execute("DELETE FROM flag_counts WHERE account_id = ? AND year = ?",
                        [account_id, year])
        db.conn.execute(count.format(where="WHERE account_id = ? AND occurred_at BETWEEN ? "
                                           "AND ?"),
                        [account_id, f"{year}-01-01T00:00:00.000000Z",
                         f"{year}-12-31T23:59:59.999999Z"])


def add_up(db: sqlite_utils.Database, base: str) -> None:
    """Sum the accounts' spend into ``spend_totals`` (one row per account read, once a
    batch, so that a read need not)."""
    db.conn.execute("DELETE FROM spend_totals")
    db.conn.execute("INSERT INTO spend_totals SELECT ?, COALESCE(SUM(base_minor), 0), "
                    "COUNT(*) FILTER (WHERE engagement_count > 0) FROM current_accounts",
                    [base])
