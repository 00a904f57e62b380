"""The ``account_horizons`` table: how far in each time axis an account's engagements reach.

The ``flags`` table holds every flag at the end of valid time, as known after the last
applied event. A read at now (``as_of`` and ``known_at`` the moment of the read) sees the
same flags of an account exactly when none of its engagements' events lies after that
moment in either axis: no engagement dated ahead, no approval taking effect later, no
recording, correction, void or approval recorded after it (a clock behind the writer's).
This table keeps, per account, the latest of those moments, so a read can tell in one
lookup whether the table answers it.

Following the log, each batch raises the account's moments to those of its new rows (the
rows after the position the views had reached); a bulk rebuild derives every account in
one query. A maximum does not depend on the order of the rows, so both ways write the
same rows.
"""

from __future__ import annotations

import sqlite_utils

from ledger.domain.reach import Reach
from projections.people import reach_clause
from projections.timeaxis import Point

_ROWS = " UNION ALL ".join(
    "SELECT account_id, max(occurred_at, engagement_occurred_at) AS occurred_at, recorded_at "
    f"FROM {table} WHERE position > :since"
    for table in ("engagement_versions", "engagement_voids", "engagement_approvals"))
_UPSERT = ("INSERT INTO account_horizons (account_id, occurred_at, recorded_at) "
           f"SELECT account_id, MAX(occurred_at), MAX(recorded_at) FROM ({_ROWS}) "
           "WHERE true GROUP BY account_id ORDER BY account_id "
           "ON CONFLICT (account_id) DO UPDATE SET "
           "occurred_at = max(occurred_at, excluded.occurred_at), "
           "recorded_at = max(recorded_at, excluded.recorded_at)")


def applied_position(db: sqlite_utils.Database) -> int:
    """The log position the views had reached before the batch being applied (its own
    position is written after the follow-ups, so every history row after this one is the
    batch's; 0 in a fresh file)."""
    row = db.conn.execute("SELECT MAX(notification_id) FROM tracking").fetchone()
    return int(row[0] or 0)


def derive_horizons(db: sqlite_utils.Database) -> None:
    """Fill the (empty) table from the history tables, inside the caller's transaction."""
    db.conn.execute(_UPSERT, {"since": 0})


def follow_up(db: sqlite_utils.Database) -> None:
    """Raise the horizons of the accounts the batch's engagement rows belong to."""
    db.conn.execute(_UPSERT, {"since": applied_position(db)})


def within(db: sqlite_utils.Database, at: Point, reach: Reach,
           account_id: str | None = None) -> bool:
    """Whether every engagement event of ``account_id`` (None: of every account within
    ``reach``) occurred by ``at.as_of`` and was recorded by ``at.known_at``."""
    where, params = reach_clause(reach)
    if account_id is not None:
        where += " AND account_id = ?"
        params.append(account_id)
    occurred_at, recorded_at = db.conn.execute(
        f"SELECT MAX(occurred_at), MAX(recorded_at) FROM account_horizons WHERE {where}",
        params).fetchone()
    return (occurred_at or "") <= at.as_of and (recorded_at or "") <= at.known_at
