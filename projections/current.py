"""The current read model: every figure as of now and as known now, kept up to date per event.

The history tables answer any bitemporal point but cost a fold over an account's
history; the reads without ``as_of`` / ``known_at`` — by far the most frequent — are
answered from these tables instead, whose size does not grow with the history. They are
a pure function of the events applied so far (no wall-clock values), so rebuilds and
incremental runs still write identical files. Amounts are integers in minor units of the
base currency, so SQL sums them exactly.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import sqlite_utils

from ledger.money import minor_units, quantize, to_minor
from ledger.records import EventRecord
from ledger.schemas import LADDER_LEVELS, ORG_ELEMENTS, ROLE_WEIGHTS
from projections.figures import DECISION_ROLES
from projections.people import load_stakeholders
from projections.reference import DEFAULT_BASE_CURRENCY
from projections.tables import fetch_one, insert
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


def refresh_engagement(db: sqlite_utils.Database, engagement_id: str, *,
                       new: bool = False) -> None:
    """Recompute one engagement's current row and shares, and the totals they feed
    (``new``: it was just recorded, so it has no current rows and no void yet)."""
    version = fetch_one(db, "SELECT * FROM engagement_versions WHERE engagement_id = ? "
                            "ORDER BY position DESC LIMIT 1", [engagement_id])
    voided = not new and db.conn.execute(
        "SELECT 1 FROM engagement_voids WHERE engagement_id = ? LIMIT 1",
        [engagement_id]).fetchone() is not None
    base = base_currency(db)
    occurred_at, account_id = version["engagement_occurred_at"], version["account_id"]
    participants = json.loads(version["participants"])
    shares = {row[0]: row[1] for row in db.conn.execute(
        "SELECT stakeholder_id, share_amount FROM engagement_shares WHERE version_position = ?",
        [version["position"]])}
    in_force = None if version["cost_currency"] is None else rate(
        db, version["cost_currency"], occurred_at, base)

    def convert(amount: str | None) -> int | None:
        if amount is None:
            return 0
        if in_force is None:
            return None
        return to_minor(quantize(Decimal(amount) * in_force, base), base)

    base_shares = {sid: convert(shares.get(sid)) for sid in participants}
    total: int | None = convert(version["unallocated_amount"])
    for share in base_shares.values():
        total = None if total is None or share is None else total + share
    old = None if new else db.conn.execute("SELECT voided, base_minor, kind FROM "
                                           "current_engagements WHERE engagement_id = ?",
                                           [engagement_id]).fetchone()
    before = old[1] if old is not None and not old[0] and old[1] is not None else None
    now = total if not voided and total is not None else None
    delta = (now or 0) - (before or 0)
    counted_before, counted_now = before is not None, now is not None
    db.conn.execute("INSERT OR REPLACE INTO current_engagements VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                        engagement_id, account_id, occurred_at, version["kind"],
                        version["owner"], version["opportunity_id"], len(participants),
                        version["cost_amount"], version["cost_currency"], int(voided), base,
                        total])
    db.conn.execute("INSERT INTO current_accounts VALUES (?, ?, ?, 0, 0, 0, 0, "
                    "NULL, NULL, NULL, NULL) "
                    "ON CONFLICT (account_id) DO UPDATE SET "
                    "base_minor = base_minor + excluded.base_minor, "
                    "engagement_count = engagement_count + excluded.engagement_count",
                    [account_id, delta, int(counted_now) - int(counted_before)])
    for kind in {version["kind"], old[2] if old else None} & set(ORG_ELEMENTS):
        _refresh_stage(db, account_id, kind)
    touched: set[str] = set()
    if old is not None:
        touched = {row[0] for row in db.conn.execute(
            "SELECT stakeholder_id FROM current_shares WHERE engagement_id = ?",
            [engagement_id])}
        db.conn.execute("DELETE FROM current_shares WHERE engagement_id = ?", [engagement_id])
    if not voided:
        ladder = LADDER_LEVELS.get(version["kind"], 0)
        for sid, share in base_shares.items():
            insert(db, "current_shares", {
                "engagement_id": engagement_id, "stakeholder_id": sid, "account_id": account_id,
                "occurred_at": occurred_at, "ladder_level": ladder, "base_minor": share})
        touched |= set(base_shares)
    if old is None:
        # A new engagement only adds: O(1) per participant, whatever their history.
        for sid, share in sorted(base_shares.items()) if not voided else ():
            _add_spend(db, sid, occurred_at, LADDER_LEVELS.get(version["kind"], 0), share)
        return
    for sid in sorted(touched):
        _refresh_spend(db, sid)


def refresh_after_rate(db: sqlite_utils.Database, record: EventRecord) -> None:
    """Reconvert the engagements whose rate in force the new rate replaces."""
    moment = fetch_one(db, "SELECT occurred_at FROM fx_rates WHERE position = ?",
                       [record.position])["occurred_at"]
    currency = record.data["currency"]
    later = db.conn.execute("SELECT MIN(occurred_at) FROM fx_rates WHERE currency = ? "
                            "AND occurred_at > ?", [currency, moment]).fetchone()[0]
    rows = db.conn.execute(
        "SELECT engagement_id FROM current_engagements WHERE cost_currency = ? "
        "AND occurred_at >= ? AND (? IS NULL OR occurred_at < ?) ORDER BY engagement_id",
        [currency, moment, later, later]).fetchall()
    for (engagement_id,) in rows:
        refresh_engagement(db, engagement_id)


def refresh_after_policy(db: sqlite_utils.Database, record: EventRecord) -> None:
    """Reconvert everything when the base currency in force changed (the first policy)."""
    rows = db.conn.execute("SELECT engagement_id FROM current_engagements "
                           "WHERE base_currency != ? ORDER BY engagement_id",
                           [base_currency(db)]).fetchall()
    for (engagement_id,) in rows:
        refresh_engagement(db, engagement_id)


def refresh_stakeholder(db: sqlite_utils.Database, stakeholder_id: str) -> None:
    """Recompute a stakeholder's current role, attitude, layer and departure."""
    state = load_stakeholders(db, END_OF_TIME, stakeholder_id=stakeholder_id).get(
        stakeholder_id)
    if state is None:
        return
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
    _refresh_score(db, state.account_id)


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


def _add_spend(db: sqlite_utils.Database, stakeholder_id: str, occurred_at: str, ladder: int,
               share: int | None) -> None:
    db.conn.execute(
        "UPDATE current_stakeholders SET engagement_count = engagement_count + 1, "
        "first_engagement_at = CASE WHEN first_engagement_at IS NULL "
        "OR ?1 < first_engagement_at THEN ?1 ELSE first_engagement_at END, "
        "last_engagement_at = CASE WHEN last_engagement_at IS NULL "
        "OR ?1 > last_engagement_at THEN ?1 ELSE last_engagement_at END, "
        "ladder_level = max(ladder_level, ?2), spend_minor = spend_minor + ?3 "
        "WHERE stakeholder_id = ?4", [occurred_at, ladder, share or 0, stakeholder_id])


def _refresh_spend(db: sqlite_utils.Database, stakeholder_id: str) -> None:
    count, first, last, ladder, spend = db.conn.execute(
        "SELECT COUNT(*), MIN(occurred_at), MAX(occurred_at), MAX(ladder_level), "
        "SUM(base_minor) FROM current_shares WHERE stakeholder_id = ?",
        [stakeholder_id]).fetchone()
    db.conn.execute(
        "UPDATE current_stakeholders SET engagement_count = ?, first_engagement_at = ?, "
        "last_engagement_at = ?, ladder_level = ?, spend_minor = ? WHERE stakeholder_id = ?",
        [count, first, last, ladder or 0, spend or 0, stakeholder_id])


def follow_up(db: sqlite_utils.Database, record: EventRecord) -> None:
    """Bring the current tables up to date after ``record``'s history rows were written."""
    if record.type == "engagement.recorded":
        refresh_engagement(db, record.data["engagement_id"], new=True)
    elif record.type in ("engagement.corrected", "engagement.voided"):
        refresh_engagement(db, record.data["engagement_id"])
    elif record.type == "fx.rate_set":
        refresh_after_rate(db, record)
    elif record.type == "policy.set":
        refresh_after_policy(db, record)
    elif record.type.startswith("stakeholder."):
        refresh_stakeholder(db, record.data["stakeholder_id"])


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
