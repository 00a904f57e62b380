"""The derived rows that let a read at now fetch only its page (SPEC §5.2).

:mod:`projections.history_rows` keeps every stakeholder's history steps with their running
figures; :mod:`projections.horizons` keeps how far each account's engagement events reach
in both time axes, so a read can tell whether the tables kept for the end of time (these
and ``flags``) answer its point exactly. Both are derived from the history and current
tables: once per batch after :func:`projections.current.follow_up` has refreshed the
current tables, or in one pass at the end of a bulk rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from projections import history_rows, horizons
from projections.batch import Batch


def derive(db: sqlite_utils.Database, base: str) -> None:
    """Fill the (empty) derived tables at the end of a bulk load; ``base``: the base
    currency now."""
    history_rows.derive_steps(db, base)
    horizons.derive_horizons(db)


def follow_up(out: Batch, base: str, reconverted: Iterable[str]) -> None:
    """Bring the derived tables up to date after a batch (see
    :func:`projections.history_rows.follow_up`)."""
    horizons.follow_up(out.flushed())
    history_rows.follow_up(out, base, reconverted)
