"""The current read model: every figure as of now and as known now, kept up to date per batch.

The history tables answer any bitemporal point but cost a fold over an account's
history; the reads without ``as_of`` / ``known_at`` — by far the most frequent — are
answered from these tables instead, whose size does not grow with the history. They are
a pure function of the events applied so far (no wall-clock values), so rebuilds and
incremental runs still write identical files. Amounts are integers in minor units of the
base currency, so SQL sums them exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlite_utils

from ledger.contract.money import minor_units, to_minor
from ledger.contract.vocabulary import (
    DEFAULT_BASE_CURRENCY,
    LADDER_LEVELS,
    ORG_ELEMENTS,
    ROLE_WEIGHTS,
)
from projections import spend_groups
from projections.batch import Batch
from projections.figures import DECISION_ROLES
from projections.people import load_stakeholders
from projections.reference import convert
from projections.timeaxis import Point

END_OF_TIME = Point("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z")


def base_currency(db: sqlite_utils.Database) -> str:
    """The base currency now: that of the latest policy (USD before any)."""
    row = db.conn.execute("SELECT base_currency FROM policies "
                          "ORDER BY occurred_at DESC, position DESC LIMIT 1").fetchone()
    return row[0] if row else DEFAULT_BASE_CURRENCY


def rate(db: sqlite_utils.Database, currency: str, moment: str, base: str) -> Decimal | None:
    """The rate in force at ``moment`` as known now (1 for the base currency)."""
    if currency == base:
        return Decimal(1)
    row = db.conn.execute(
        "SELECT rate FROM fx_rates WHERE currency = ? AND occurred_at <= ? "
        "ORDER BY occurred_at DESC, position DESC LIMIT 1", [currency, moment]).fetchone()
    return None if row is None else Decimal(row[0])


@dataclass
class _Sums:
    """What a batch's refreshed engagements change in the per-account and per-person
    sums, written once per key after every engagement row is."""

    accounts: dict[str, list[int]] = field(default_factory=dict)
    """account → [base minor units added, engagements counted added]."""
    spend: dict[str, list[Any]] = field(default_factory=dict)
    """stakeholder → [count, first, last occurred_at, ladder level, base minor units] added
    by new engagements."""
    stages: set[tuple[str, str]] = field(default_factory=set)
    """(account, engagement kind) whose organizational element to look up again."""
    respend: set[str] = field(default_factory=set)
    """Stakeholders whose figures are recounted from their current shares."""
    groups: dict[spend_groups.GroupKey, tuple[int, int]] = field(default_factory=dict)
    """spend group → (base minor units added, engagements counted added)."""

    def add_account(self, account_id: str, minor: int, count: int) -> None:
        totals = self.accounts.setdefault(account_id, [0, 0])
        totals[0] += minor
        totals[1] += count

    def add_groups(self, keys: list[spend_groups.GroupKey], minor: int, count: int) -> None:
        for key in keys:
            added = self.groups.get(key, (0, 0))
            self.groups[key] = (added[0] + minor, added[1] + count)

    def add_spend(self, stakeholder_id: str, occurred_at: str, ladder: int,
                  minor: int | None) -> None:
        sums = self.spend.get(stakeholder_id)
        if sums is None:
            self.spend[stakeholder_id] = [1, occurred_at, occurred_at, ladder, minor or 0]
            return
        sums[0] += 1
        sums[1], sums[2] = min(sums[1], occurred_at), max(sums[2], occurred_at)
        sums[3] = max(sums[3], ladder)
        sums[4] += minor or 0

    def write(self, db: sqlite_utils.Database) -> None:
        db.conn.executemany(
            "INSERT INTO current_accounts VALUES (?, ?, ?, 0, 0, 0, 0, NULL, NULL, NULL, NULL) "
            "ON CONFLICT (account_id) DO UPDATE SET "
            "base_minor = base_minor + excluded.base_minor, "
            "engagement_count = engagement_count + excluded.engagement_count",
            [(account_id, *totals) for account_id, totals in sorted(self.accounts.items())])
        db.conn.executemany(
            "UPDATE current_stakeholders SET engagement_count = engagement_count + ?1, "
            "first_engagement_at = CASE WHEN first_engagement_at IS NULL "
            "OR ?2 < first_engagement_at THEN ?2 ELSE first_engagement_at END, "
            "last_engagement_at = CASE WHEN last_engagement_at IS NULL "
            "OR ?3 > last_engagement_at THEN ?3 ELSE last_engagement_at END, "
            "ladder_level = max(ladder_level, ?4), spend_minor = spend_minor + ?5 "
            "WHERE stakeholder_id = ?6",
            [(*sums, sid) for sid, sums in sorted(self.spend.items())
             if sid not in self.respend])
        spend_groups.write(db, self.groups)
        for account_id, kind in sorted(self.stages):
            _refresh_stage(db, account_id, kind)
        for stakeholder_id in sorted(self.respend):
            _refresh_spend(db, stakeholder_id)


def in_base_minor(version: dict[str, Any], participants: list[str],
                  shares: dict[str, str | None], in_force: Decimal | None,
                  base: str) -> tuple[dict[str, int | None], int | None]:
    """Each participant's share of an engagement version and its total, in base minor units
    at the rate ``in_force`` (None: no rate, so every non-zero amount is None)."""

    def base_minor(amount: str | None) -> int | None:
        if amount is None:
            return 0
        converted = None if in_force is None else convert(Decimal(amount), in_force, base)
        return None if converted is None else to_minor(converted, base)

    base_shares = {sid: base_minor(shares.get(sid)) for sid in participants}
    total: int | None = base_minor(version["unallocated_amount"])
    for share in base_shares.values():
        total = None if total is None or share is None else total + share
    return base_shares, total


_REPLACE_ENGAGEMENT = ("INSERT OR REPLACE INTO current_engagements VALUES "
                       "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def refresh_engagement(out: Batch, engagement_id: str, base: str, sums: _Sums, *,
                       new: bool = False) -> None:
    """Recompute one engagement's current row and shares, and what they add to the
    sums (``new``: it was recorded in this batch and not voided, so it has no current
    rows and no void yet)."""
    db = out.db
    version = out.latest_version(engagement_id)
    voided = not new and db.conn.execute(
        "SELECT 1 FROM engagement_voids WHERE engagement_id = ? LIMIT 1",
        [engagement_id]).fetchone() is not None
    occurred_at, account_id = version["engagement_occurred_at"], version["account_id"]
    participants = json.loads(version["participants"])
    in_force = None if version["cost_currency"] is None else rate(
        db, version["cost_currency"], occurred_at, base)
    base_shares, total = in_base_minor(version, participants,
                                       out.version_shares(version["position"]), in_force, base)
    old = None if new else db.conn.execute(
        "SELECT voided, base_minor, kind, owner, occurred_at, opportunity_id "
        "FROM current_engagements WHERE engagement_id = ?", [engagement_id]).fetchone()
    before = old[1] if old is not None and not old[0] and old[1] is not None else None
    now = total if not voided and total is not None else None
    sums.add_account(account_id, (now or 0) - (before or 0),
                     int(now is not None) - int(before is not None))
    if old is not None and before is not None:
        _, _, old_kind, old_owner, old_occurred_at, old_opportunity = old
        sums.add_groups(spend_groups.keys_of(old_owner, old_kind, old_occurred_at,
                                             old_opportunity), -before, -1)
    if now is not None:
        sums.add_groups(spend_groups.keys_of(version["owner"], version["kind"], occurred_at,
                                             version["opportunity_id"]), now, 1)
    out.add(_REPLACE_ENGAGEMENT, (
        engagement_id, account_id, occurred_at, version["kind"], version["owner"],
        version["opportunity_id"], len(participants), version["cost_amount"],
        version["cost_currency"], int(voided), base, total))
    for kind in {version["kind"], old[2] if old else None} & set(ORG_ELEMENTS):
        sums.stages.add((account_id, kind))
    if old is not None:
        sums.respend.update(row[0] for row in db.conn.execute(
            "SELECT stakeholder_id FROM current_shares WHERE engagement_id = ?",
            [engagement_id]))
        db.conn.execute("DELETE FROM current_shares WHERE engagement_id = ?", [engagement_id])
    if voided:
        return
    ladder = LADDER_LEVELS.get(version["kind"], 0)
    for sid, share in base_shares.items():
        out.insert("current_shares", {
            "engagement_id": engagement_id, "stakeholder_id": sid, "account_id": account_id,
            "occurred_at": occurred_at, "ladder_level": ladder, "base_minor": share})
        if old is None:
            # A new engagement only adds: O(1) per participant, whatever their history.
            sums.add_spend(sid, occurred_at, ladder, share)
        else:
            sums.respend.add(sid)


def _rate_window(db: sqlite_utils.Database, position: int) -> list[str]:
    """The engagements whose rate in force the rate set at ``position`` is (as known now)."""
    currency, moment = db.conn.execute("SELECT currency, occurred_at FROM fx_rates "
                                       "WHERE position = ?", [position]).fetchone()
    later = db.conn.execute("SELECT MIN(occurred_at) FROM fx_rates WHERE currency = ? "
                            "AND occurred_at > ?", [currency, moment]).fetchone()[0]
    return [row[0] for row in db.conn.execute(
        "SELECT engagement_id FROM current_engagements WHERE cost_currency = ? "
        "AND occurred_at >= ? AND (? IS NULL OR occurred_at < ?)",
        [currency, moment, later, later])]


def refresh_stakeholder(db: sqlite_utils.Database, stakeholder_id: str) -> str | None:
    """Recompute a stakeholder's current role, attitude, layer and departure; returns
    their account (None: not registered)."""
    state = load_stakeholders(db, END_OF_TIME, stakeholder_id=stakeholder_id).get(
        stakeholder_id)
    if state is None:
        return None
    db.conn.execute(
        "INSERT INTO current_stakeholders (stakeholder_id, account_id, role, attitude, "
        "initial_attitude, layer, rising_star, departed, last_attitude_change_at, "
        "engagement_count, ladder_level, spend_minor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0) "
        "ON CONFLICT (stakeholder_id) DO UPDATE SET role = excluded.role, "
        "attitude = excluded.attitude, initial_attitude = excluded.initial_attitude, "
        "layer = excluded.layer, rising_star = excluded.rising_star, "
        "departed = excluded.departed, "
        "last_attitude_change_at = excluded.last_attitude_change_at",
        [stakeholder_id, state.account_id, state.role, state.attitude, state.initial_attitude,
         state.layer, int(state.rising_star), int(state.departed),
         state.last_attitude_change_at])
    return state.account_id


def _refresh_score(db: sqlite_utils.Database, account_id: str) -> None:
    """Recompute the sums behind the account's score and coverage (its present people)."""
    weighted = weights = deciders = won = 0
    for role, attitude in db.conn.execute("SELECT role, attitude FROM current_stakeholders "
                                          "WHERE account_id = ? AND departed = 0",
                                          [account_id]):
        weighted += ROLE_WEIGHTS[role] * attitude
        weights += ROLE_WEIGHTS[role]
        if role in DECISION_ROLES:
            deciders += 1
            won += attitude >= 2
    db.conn.execute(
        "INSERT INTO current_accounts VALUES (?, 0, 0, ?, ?, ?, ?, NULL, NULL, NULL, NULL) "
        "ON CONFLICT (account_id) "
        "DO UPDATE SET weighted_attitude = excluded.weighted_attitude, "
        "role_weight = excluded.role_weight, deciders = excluded.deciders, "
        "deciders_won = excluded.deciders_won", [account_id, weighted, weights, deciders, won])


def _refresh_stage(db: sqlite_utils.Database, account_id: str, kind: str) -> None:
    """The latest non-voided engagement evidencing the kind's organizational element."""
    element = ORG_ELEMENTS[kind]
    kinds = [k for k, e in ORG_ELEMENTS.items() if e == element]
    latest = db.conn.execute(
        f"SELECT MAX(occurred_at) FROM current_engagements WHERE account_id = ? "
        f"AND kind IN ({', '.join('?' * len(kinds))}) AND voided = 0",
        [account_id, *kinds]).fetchone()[0]
    db.conn.execute(f"UPDATE current_accounts SET {element}_at = ? WHERE account_id = ?",
                    [latest, account_id])


def _refresh_spend(db: sqlite_utils.Database, stakeholder_id: str) -> None:
    count, first, last, ladder, spend = db.conn.execute(
        "SELECT COUNT(*), MIN(occurred_at), MAX(occurred_at), MAX(ladder_level), "
        "SUM(base_minor) FROM current_shares WHERE stakeholder_id = ?",
        [stakeholder_id]).fetchone()
    db.conn.execute(
        "UPDATE current_stakeholders SET engagement_count = ?, first_engagement_at = ?, "
        "last_engagement_at = ?, ladder_level = ?, spend_minor = ? WHERE stakeholder_id = ?",
        [count, first, last, ladder or 0, spend or 0, stakeholder_id])


def follow_up(out: Batch) -> set[str]:
    """Bring the current tables up to date once a batch's history rows are written;
    returns the engagements recorded earlier whose rows it refreshed (corrected, voided,
    reconverted by a rate or a new base currency).

    Every current row is recomputed from the history tables as they stand after the
    whole batch, each once, so any split of the log into batches writes the same rows.
    """
    db, touched = out.flushed(), out.touched
    accounts = {refresh_stakeholder(db, sid) for sid in sorted(touched.stakeholders)}
    for account_id in sorted(a for a in accounts if a is not None):
        _refresh_score(db, account_id)
    base = base_currency(db)
    # Engagements recorded earlier whose conversion or rows may have changed.
    again = set(touched.changed)
    for position in touched.rates:
        again.update(_rate_window(db, position))
    if touched.policy:
        again.update(row[0] for row in db.conn.execute(
            "SELECT engagement_id FROM current_engagements WHERE base_currency != ?", [base]))
    fresh = touched.recorded - touched.voided
    sums = _Sums()
    for engagement_id in sorted(fresh):
        refresh_engagement(out, engagement_id, base, sums, new=True)
    for engagement_id in sorted(again - fresh):
        refresh_engagement(out, engagement_id, base, sums)
    out.flush()
    sums.write(db)
    return again


def money(minor: int | None, base: str) -> str | None:
    """Render integer minor units of ``base`` as a decimal string."""
    if minor is None:
        return None
    return str(Decimal(minor).scaleb(-minor_units(base)).quantize(
        Decimal(1).scaleb(-minor_units(base))))


def row_dict(cursor: Any) -> list[dict[str, Any]]:
    """All rows of a cursor as dicts."""
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
