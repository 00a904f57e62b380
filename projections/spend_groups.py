"""Spend by owner, kind, month and opportunity kept for every account together (the
``spend_groups`` table), so that a page of ``GET /v1/reports/spend`` by one of those
groupings, at now, without a window, an account or a narrower reach, reads only its page
(SPEC §5.2) instead of summing every engagement.

A group counts the converted, non-voided current engagements (``current_engagements``
with a ``base_minor``) whose key it is; a group that counts none has no row. Following the
log, :mod:`projections.current` adds what each refreshed engagement takes from its old
groups and gives its new ones (:func:`write`); a bulk rebuild, or a views file from before
the table, derives every group at once (:func:`derive`). Both give the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import sqlite_utils

KEYS = {"owner": "owner", "kind": "kind", "month": "substr(occurred_at, 1, 7)",
        "opportunity": "opportunity_id"}
"""Each kept grouping and its key, in SQL over ``current_engagements`` (the key of a month:
``YYYY-MM`` of the UTC occurred_at)."""
COUNTED = "voided = 0 AND base_minor IS NOT NULL"
"""SQL: whether a current engagement counts in the spend groups."""


class GroupKey(NamedTuple):
    """One group's row key: the grouping, 1 for the group without a key (listed last,
    its ``key`` empty), and the key."""

    group_by: str
    last: int
    key: str


def keys_of(owner: str | None, kind: str | None, occurred_at: str,
            opportunity_id: str | None) -> list[GroupKey]:
    """The groups an engagement with these fields counts in, as :data:`KEYS` says."""
    values = {"owner": owner, "kind": kind, "month": occurred_at[:7],
              "opportunity": opportunity_id}
    return [GroupKey(group_by, int(values[group_by] is None), values[group_by] or "")
            for group_by in KEYS]


def derive(db: sqlite_utils.Database) -> None:
    """Sum every group from the current engagements (the table's old rows replaced)."""
    db.conn.execute("DELETE FROM spend_groups")
    db.conn.execute("INSERT INTO spend_groups " + " UNION ALL ".join(
        f"SELECT '{group_by}', {key} IS NULL, COALESCE({key}, ''), SUM(base_minor), COUNT(*) "
        f"FROM current_engagements WHERE {COUNTED} GROUP BY 2, 3"
        for group_by, key in KEYS.items()))


def write(db: sqlite_utils.Database, deltas: Mapping[GroupKey, tuple[int, int]]) -> None:
    """Add ``deltas`` (base minor units, engagements counted) to their groups; a group
    that then counts no engagement goes."""
    changed = sorted(deltas.items())
    db.conn.executemany(
        "INSERT INTO spend_groups VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
        "base_minor = base_minor + excluded.base_minor, "
        "engagement_count = engagement_count + excluded.engagement_count",
        [(*key, minor, count) for key, (minor, count) in changed if minor or count])
    db.conn.executemany(
        "DELETE FROM spend_groups WHERE group_by = ? AND last = ? AND key = ? "
        "AND engagement_count = 0", [key for key, _ in changed])


def page(db: sqlite_utils.Database, group_by: str, after: tuple[int, str] | None,
         limit: int | None) -> tuple[list[tuple[str | None, int, int]], int]:
    """The groups of ``group_by`` after the group key ``after`` (``limit`` of them at
    most), in key order with the keyless group last, and how many groups there are."""
    start = after if after is not None else (-1, "")
    rows = [(None if last else key, minor, count) for last, key, minor, count in db.conn.execute(
        "SELECT last, key, base_minor, engagement_count FROM spend_groups "
        "WHERE group_by = ? AND (last, key) > (?, ?) ORDER BY last, key"
        + ("" if limit is None else f" LIMIT {int(limit)}"), [group_by, *start])]
    (count,) = db.conn.execute("SELECT COUNT(*) FROM spend_groups WHERE group_by = ?",
                               [group_by]).fetchone()
    return rows, count
