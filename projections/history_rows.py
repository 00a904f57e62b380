"""The ``history_steps`` table: every stakeholder's history (SPEC §5.3) as known now.

:func:`projections.history.stakeholder_history` folds a person's whole history for any
bitemporal point. Read at now, a page of it needs only its own steps: this table keeps
each step with the running ``role``, ``attitude``, ``ladder_level`` and spend after it, at
the end of valid time as known after the last applied event, keyed by (stakeholder,
occurred_at, position) so that a page is a keyset read of its primary key. A step's
``change`` is not kept: it is read from the step's own history row by position, so an
erasure that rewrites those rows needs nothing here.

Each row also carries its ordinal ``step`` and the latest valid and transaction time the
steps up to it depend on (``seen_occurred_at``, ``seen_recorded_at``), so the person's
last row says how many steps there are and whether a read at a given point sees every
one of them exactly as the table does.

Following the log, a batch recomputes each touched person's steps from the earliest one
it may change (a late entry, a correction's engagement, a reconverted engagement) to the
end, folding them in Python from the figures of the step before (:class:`Running`); a
bulk rebuild derives every row with one ``INSERT ... SELECT`` (:func:`derive_steps`),
window functions per person in key order folding the same figures. Spend comes from the
current tables (:mod:`projections.current`), which are up to date by then. The rows are
a pure function of the events applied, so both ways write the same rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import sqlite_utils

from projections.batch import Batch
from projections.horizons import applied_position
from projections.tables import insert_sql

COLUMNS = ("stakeholder_id", "occurred_at", "position", "event_type", "engagement_id",
           "role", "attitude", "ladder_level", "spend_minor", "base_currency", "step",
           "seen_occurred_at", "seen_recorded_at")

Key = tuple[str, int]
"""A step's place in its history: (occurred_at, position)."""

_REGISTRATION = "stakeholder.registered"


class Source(NamedTuple):
    """One step as the history tables give it, before the running figures."""

    stakeholder_id: str
    occurred_at: str
    position: int
    event_type: str
    engagement_id: str | None
    seen_occurred_at: str
    """The latest valid time the step needs (its own, its engagement's, its opportunity's
    opening)."""
    seen_recorded_at: str
    role: str | None
    """The role the step sets (state changes only)."""
    attitude: int | None
    ladder: int
    """The ladder level the step reaches (an engagement's recording, when it counts)."""
    spend: int
    """The person's share in base minor units the step adds (likewise)."""


@dataclass
class Running:
    """The figures after a step: what the next step starts from."""

    role: str | None = None
    attitude: int | None = None
    ladder: int = 0
    spend: int = 0
    step: int = 0
    seen_occurred_at: str = ""
    seen_recorded_at: str = ""
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def apply(self, source: Source, base: str) -> None:
        """Fold one step in (steps in key order) and keep its row."""
        registration = source.event_type == _REGISTRATION
        # A change that occurred before a late-entered registration still wins over the
        # registered value, as in the stakeholder's own figures.
        if source.role is not None and not (registration and self.role is not None):
            self.role = source.role
        if source.attitude is not None and not (registration and self.attitude is not None):
            self.attitude = source.attitude
        self.ladder = max(self.ladder, source.ladder)
        self.spend += source.spend
        self.step += 1
        self.seen_occurred_at = max(self.seen_occurred_at, source.seen_occurred_at)
        self.seen_recorded_at = max(self.seen_recorded_at, source.seen_recorded_at)
        self.rows.append((
            source.stakeholder_id, source.occurred_at, source.position, source.event_type,
            source.engagement_id, self.role, self.attitude, self.ladder, self.spend, base,
            self.step, self.seen_occurred_at, self.seen_recorded_at))


_VALUE = 27 + 12 + 1
"""Where a keyed value (:func:`_keyed`) starts: after a stamp's 27 characters and a
position's 12 digits (``substr`` counts from 1)."""


def _keyed(column: str, registration: bool) -> str:
    """The ``column`` (role or attitude) a step sets (by a registration or not, as
    ``registration`` says), prefixed with the step's key as text that sorts in key order
    (stamps are fixed-width): the greatest (least) keyed value of a window is its last
    (first) value."""
    return (f"CASE WHEN {column} IS NOT NULL AND event_type {'=' if registration else '!='} "
            f"'{_REGISTRATION}' THEN printf('%s%012d', occurred_at, position) || {column} END "
            f"AS {'registered' if registration else 'changed'}_{column}")


def _running(column: str) -> str:
    """The person's ``column`` (role or attitude) after each step: the last value a change
    set; failing that, the first value a registration set, as :meth:`Running.apply`
    folds them (a registration sets a value only when no earlier step did)."""
    value = (f"COALESCE(substr(MAX(changed_{column}) OVER w, {_VALUE}), "
             f"substr(MIN(registered_{column}) OVER w, {_VALUE}))")
    return value if column == "role" else f"CAST({value} AS INTEGER)"


_STEPS = (
    f"INSERT INTO history_steps ({', '.join(COLUMNS)}) "
    "SELECT stakeholder_id, occurred_at, position, event_type, engagement_id, "
    f"{_running('role')}, {_running('attitude')}, max(0, MAX(ladder) OVER w), "
    "SUM(spend) OVER w, :base, ROW_NUMBER() OVER w, MAX(seen_occurred_at) OVER w, "
    "MAX(seen_recorded_at) OVER w FROM (SELECT stakeholder_id, occurred_at, position, "
    "event_type, engagement_id, seen_occurred_at, seen_recorded_at, ladder, spend, "
    f"{_keyed('role', False)}, {_keyed('role', True)}, {_keyed('attitude', False)}, "
    f"{_keyed('attitude', True)} FROM ({{sources}})) "
    "WINDOW w AS (PARTITION BY stakeholder_id ORDER BY occurred_at, position "
    "ROWS UNBOUNDED PRECEDING)")
"""Every step ``{sources}`` selects with the running figures after it, folded per person
in key order as :meth:`Running.apply` folds them: the ladder level is the greatest
reached, the spend the sum of the shares, the step its ordinal and the seen times the
latest."""


def _sources_sql(pairs: str, person: str, since: str) -> str:
    """Every step of the people ``person`` selects (a condition on an alias ``{a}``) from
    the key ``since`` on (likewise); ``pairs`` (a table or a subquery) holds the
    (engagement_id, stakeholder_id) of the engagements whose steps are theirs (every
    engagement any version of which names them, SPEC §5.3). Each step gives its key, the
    latest valid and transaction time it needs (its own, its engagement's, its
    opportunity's opening), the role and attitude it sets (a stakeholder change only),
    and the ladder level it reaches and the person's share in base minor units it adds
    (an engagement's recording, when it counts)."""

    def where(alias: str) -> str:
        return f"{person.format(a=alias)} AND {since.format(a=alias)}"

    def engagement_rows(table: str, alias: str) -> str:
        return (f"SELECT n.stakeholder_id, {alias}.occurred_at, {alias}.position, "
                f"{alias}.event_type, {alias}.engagement_id, max({alias}.occurred_at, "
                f"{alias}.engagement_occurred_at), {alias}.recorded_at, NULL, NULL, 0, 0 "
                f"FROM {pairs} n JOIN {table} {alias} "
                f"ON {alias}.engagement_id = n.engagement_id WHERE {since.format(a=alias)}")

    # Only an engagement's recording carries its ladder level and the person's share,
    # and only while it counts: not voided, the person among the latest participants
    # (a current share) and the whole cost converted (else the history shows 0).
    return (
        "SELECT s.stakeholder_id, s.occurred_at, s.position, s.event_type, "
        "NULL AS engagement_id, s.occurred_at AS seen_occurred_at, "
        "s.recorded_at AS seen_recorded_at, s.role, s.attitude, 0 AS ladder, 0 AS spend "
        f"FROM stakeholder_changes s WHERE {where('s')} "
        "UNION ALL SELECT c.stakeholder_id, c.occurred_at, c.position, c.event_type, NULL, "
        "max(c.occurred_at, o.opened_occurred_at), max(c.recorded_at, o.opened_recorded_at), "
        "NULL, NULL, 0, 0 FROM opportunity_changes c JOIN opportunities o "
        f"USING (opportunity_id) WHERE c.stakeholder_id IS NOT NULL AND {where('c')} "
        "UNION ALL SELECT n.stakeholder_id, v.occurred_at, v.position, v.event_type, "
        "v.engagement_id, max(v.occurred_at, v.engagement_occurred_at), v.recorded_at, "
        "NULL, NULL, COALESCE(cs.ladder_level, 0), "
        "CASE WHEN ce.base_minor IS NULL THEN 0 ELSE COALESCE(cs.base_minor, 0) END "
        f"FROM {pairs} n JOIN engagement_versions v ON v.engagement_id = n.engagement_id "
        "LEFT JOIN current_shares cs ON v.event_type = 'engagement.recorded' "
        "AND cs.engagement_id = v.engagement_id AND cs.stakeholder_id = n.stakeholder_id "
        "LEFT JOIN current_engagements ce ON ce.engagement_id = cs.engagement_id "
        f"WHERE {since.format(a='v')} "
        f"UNION ALL {engagement_rows('engagement_voids', 'd')} "
        f"UNION ALL {engagement_rows('engagement_approvals', 'p')}")


def derive_steps(db: sqlite_utils.Database, base: str) -> None:
    """Fill the (empty) ``history_steps`` table from the history and current tables in
    one statement, inside the caller's transaction (a bulk rebuild, or a views file from
    before the table); ``base``: the base currency now."""
    # Keyed by engagement, so that each engagement row looks its people up (the tables
    # of engagement rows are read in order, with no index of their own needed).
    db.conn.execute("CREATE TEMP TABLE step_pairs (engagement_id TEXT, stakeholder_id TEXT, "
                    "PRIMARY KEY (engagement_id, stakeholder_id)) WITHOUT ROWID")
    db.conn.execute("INSERT INTO temp.step_pairs SELECT DISTINCT engagement_id, stakeholder_id "
                    "FROM engagement_shares ORDER BY 1, 2")
    sources = _sources_sql("temp.step_pairs", "1 = 1", "1 = 1")
    db.conn.execute(_STEPS.replace("{sources}", sources), {"base": base})
    db.conn.execute("DROP TABLE temp.step_pairs")


def follow_up(out: Batch, base: str, reconverted: Iterable[str]) -> None:
    """Bring the steps up to date once the batch's rows and the current tables are
    written; ``base``: the base currency now; ``reconverted``: engagements recorded
    earlier whose base amounts the batch may have changed (corrections, voids, rates)."""
    db = out.flushed()
    stored = db.conn.execute("SELECT base_currency FROM history_steps LIMIT 1").fetchone()
    if stored is not None and stored[0] != base:
        # A policy changed the base currency: every running total changes.
        db.conn.execute("DELETE FROM history_steps")
        derive_steps(db, base)
        return
    starts = _Starts()
    since = applied_position(db)
    for table in ("stakeholder_changes", "opportunity_changes"):
        for sid, moment, position in db.conn.execute(
                f"SELECT stakeholder_id, occurred_at, position FROM {table} "
                "WHERE position > ? AND stakeholder_id IS NOT NULL", [since]):
            starts.note(sid, (moment, position))
    engagements: dict[str, Key] = {}
    for table in ("engagement_versions", "engagement_voids", "engagement_approvals"):
        for eid, moment, position in db.conn.execute(
                f"SELECT engagement_id, occurred_at, position FROM {table} "
                "WHERE position > ?", [since]):
            # A new version or void changes the spend of the engagement's own step, and a
            # version may name someone new, whose steps then include every row of the
            # engagement (a correction may be dated before the engagement itself); an
            # approval adds a step and changes no figure.
            key = (moment, position) if table == "engagement_approvals" else min(
                (moment, position), _earliest_key(db, eid))
            engagements[eid] = min(key, engagements.get(eid, key))
    for eid in reconverted:
        key = _recorded_key(db, eid)
        engagements[eid] = min(key, engagements.get(eid, key))
    for eid, key in sorted(engagements.items()):
        for (sid,) in db.conn.execute(
                "SELECT DISTINCT s.stakeholder_id FROM engagement_versions v "
                "JOIN engagement_shares s ON s.version_position = v.position "
                "WHERE v.engagement_id = ?", [eid]):
            starts.note(sid, key, eid)
    for sid in sorted(starts.keys):
        _recompute(db, sid, starts.keys[sid], starts.engagements.get(sid, set()), base)


@dataclass
class _Starts:
    """Per person, the earliest step a batch may change, and the engagements it touched."""

    keys: dict[str, Key] = field(default_factory=dict)
    engagements: dict[str, set[str]] = field(default_factory=dict)

    def note(self, stakeholder_id: str, key: Key, engagement_id: str | None = None) -> None:
        if stakeholder_id not in self.keys or key < self.keys[stakeholder_id]:
            self.keys[stakeholder_id] = key
        if engagement_id is not None:
            self.engagements.setdefault(stakeholder_id, set()).add(engagement_id)


def _recorded_key(db: sqlite_utils.Database, engagement_id: str) -> Key:
    moment, position = db.conn.execute("SELECT occurred_at, position FROM engagements "
                                       "WHERE engagement_id = ?", [engagement_id]).fetchone()
    return moment, position


def _earliest_key(db: sqlite_utils.Database, engagement_id: str) -> Key:
    """The key of the engagement's earliest step: its recording, or a correction, void or
    approval dated before it."""
    keys = [_recorded_key(db, engagement_id)]
    for table in ("engagement_versions", "engagement_voids", "engagement_approvals"):
        keys += db.conn.execute(f"SELECT occurred_at, position FROM {table} "
                                "WHERE engagement_id = ?", [engagement_id]).fetchall()
    return min(keys)


def _recompute(db: sqlite_utils.Database, stakeholder_id: str, start: Key,
               touched: set[str], base: str) -> None:
    """Rewrite the person's steps from ``start`` on, from the running figures before it;
    ``touched``: engagements of theirs the batch wrote rows of."""
    params = {"sid": stakeholder_id, "occurred_at": start[0], "position": start[1]}
    before = db.conn.execute(
        "SELECT role, attitude, ladder_level, spend_minor, step, seen_occurred_at, "
        "seen_recorded_at FROM history_steps WHERE stakeholder_id = :sid AND "
        "(occurred_at, position) < (:occurred_at, :position) "
        "ORDER BY occurred_at DESC, position DESC LIMIT 1", params).fetchone()
    # Every engagement with a step from the start on: those whose steps were stored
    # there, those that occurred since, and those the batch touched.
    later = " AND (occurred_at, position) >= (:occurred_at, :position)"
    engagements = touched | {row[0] for row in db.conn.execute(
        "SELECT engagement_id FROM history_steps WHERE stakeholder_id = :sid "
        f"AND engagement_id IS NOT NULL{later}", params)} | {row[0] for row in db.conn.execute(
            "SELECT engagement_id FROM engagement_shares WHERE stakeholder_id = :sid "
            "AND engagement_occurred_at >= :occurred_at", params)}
    db.conn.execute(f"DELETE FROM history_steps WHERE stakeholder_id = :sid{later}", params)
    sql = _sources_sql("(SELECT value AS engagement_id, :sid AS stakeholder_id "
                       "FROM json_each(:engagements))", "{a}.stakeholder_id = :sid",
                       "({a}.occurred_at, {a}.position) >= (:occurred_at, :position)")
    running = Running(*before) if before else Running()
    for row in db.conn.execute(f"{sql} ORDER BY 1, 2, 3",
                               {**params, "engagements": _json_list(engagements)}):
        running.apply(Source(*row), base)
    db.conn.executemany(insert_sql("history_steps", COLUMNS), running.rows)


def _json_list(values: Iterable[str]) -> str:
    return json.dumps(sorted(values))
