"""Engagements as known at a point: the latest known version, voids and approvals (SPEC §4.8).

A correction or void, once recorded by ``known_at``, applies from the engagement's own
occurred_at, so the loader picks for each engagement the newest version recorded by
``known_at`` whatever the correction's occurred_at; approvals are returned with their
own times so callers can tell whether one had taken effect by ``as_of``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

import sqlite_utils

from projections.reference import Reference, convert
from projections.tables import select
from projections.timeaxis import Point

_CHUNK = 500


@dataclass
class Engagement:
    """One engagement with corrections applied, in its own currency."""

    engagement_id: str
    account_id: str
    occurred_at: str
    recorded_at: str
    position: int
    event_id: str
    kind: str
    owner: str
    participants: tuple[str, ...]
    cost_amount: Decimal | None
    cost_currency: str | None
    shares: dict[str, Decimal]
    opportunity_id: str | None
    approval_ref: str | None
    location: str | None
    versions: list[dict[str, Any]] = field(default_factory=list)
    voids: list[dict[str, Any]] = field(default_factory=list)
    approvals: list[dict[str, Any]] = field(default_factory=list)

    @property
    def voided(self) -> bool:
        """Whether a void is known (it applies at every valid time)."""
        return bool(self.voids)

    def approval_at(self, as_of: str) -> dict[str, Any] | None:
        """The first ``engagement.approved`` row that had occurred by ``as_of``."""
        for approval in self.approvals:
            if approval["occurred_at"] <= as_of:
                return approval
        return None

    def money(self) -> dict[str, str] | None:
        """The original cost as SPEC money, or None."""
        if self.cost_amount is None or self.cost_currency is None:
            return None
        return {"amount": str(self.cost_amount), "currency": self.cost_currency}


@dataclass(frozen=True)
class BaseCost:
    """An engagement's cost in the base currency: per participant, unallocated, total."""

    shares: dict[str, Decimal]
    unallocated: Decimal
    total: Decimal


def in_base(engagement: Engagement, reference: Reference) -> BaseCost | None:
    """Convert each share (and the unallocated cost) at the rate in force at the
    engagement's occurred_at (SPEC §4.2); None when a rate is missing."""
    zero = Decimal(0)
    if engagement.cost_amount is None or engagement.cost_currency is None:
        return BaseCost({sid: zero for sid in engagement.participants}, zero, zero)
    rate = reference.rate_at(engagement.cost_currency, engagement.occurred_at)
    if rate is None:
        return None
    base = reference.base_currency
    shares = {sid: convert(amount, rate, base) for sid, amount in engagement.shares.items()}
    unallocated = zero if engagement.participants else convert(engagement.cost_amount, rate,
                                                               base)
    if unallocated is None or None in shares.values():
        return None  # too large to be a real cost: unconverted, as without a rate
    known = cast(dict[str, Decimal], shares)
    return BaseCost(known, unallocated, sum(known.values(), zero) + unallocated)


def load_engagements(
    db: sqlite_utils.Database, at: Point, *, account_id: str | None = None,
    engagement_ids: Iterable[str] | None = None, start: str | None = None,
    end: str | None = None,
) -> list[Engagement]:
    """Engagements that occurred by ``at.as_of`` (and within [start, end]) and were
    recorded by ``at.known_at``, voided ones included, ordered by (occurred_at, position)."""
    if engagement_ids is not None:
        ids = sorted(set(engagement_ids))
        found: list[Engagement] = []
        for offset in range(0, len(ids), _CHUNK):
            chunk = ids[offset:offset + _CHUNK]
            found += _load(db, at, account_id, start, end,
                           f"engagement_id IN ({','.join('?' * len(chunk))})", chunk)
        return sorted(found, key=lambda e: (e.occurred_at, e.position))
    return _load(db, at, account_id, start, end, None, [])


def engagement_ids_of(db: sqlite_utils.Database, stakeholder_id: str, at: Point) -> set[str]:
    """Engagements any known version of which names the stakeholder as a participant."""
    rows = db.execute(
        "SELECT DISTINCT engagement_id FROM engagement_shares WHERE stakeholder_id = ? "
        "AND engagement_occurred_at <= ? AND recorded_at <= ?",
        [stakeholder_id, at.as_of, at.known_at])
    return {row[0] for row in rows}


def _load(db: sqlite_utils.Database, at: Point, account_id: str | None, start: str | None,
          end: str | None, extra: str | None, extra_params: list[Any]) -> list[Engagement]:
    clauses = ["engagement_occurred_at <= ?", "recorded_at <= ?"]
    params: list[Any] = [at.as_of, at.known_at]
    for clause, value in (("account_id = ?", account_id), ("engagement_occurred_at >= ?", start),
                          ("engagement_occurred_at <= ?", end)):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    if extra:
        clauses.append(extra)
        params += extra_params
    where = " AND ".join(clauses)
    versions: dict[str, list[dict[str, Any]]] = {}
    for row in select(db, f"SELECT * FROM engagement_versions WHERE {where} ORDER BY position",
                        params):
        versions.setdefault(row["engagement_id"], []).append(row)
    extras = {name: _group(db, name, where, params)
              for name in ("engagement_voids", "engagement_approvals")}
    # Only the latest known version's shares count; looked up by its key, so the cost
    # follows the engagements found, not the size of the table.
    latest_positions = sorted(rows[-1]["position"] for rows in versions.values())
    shares: dict[int, dict[str, Decimal]] = {}
    for offset in range(0, len(latest_positions), _CHUNK):
        chunk = latest_positions[offset:offset + _CHUNK]
        for position, stakeholder_id, amount in db.execute(
                "SELECT version_position, stakeholder_id, share_amount FROM engagement_shares "
                f"WHERE version_position IN ({','.join('?' * len(chunk))}) "
                "AND share_amount IS NOT NULL", chunk):
            shares.setdefault(position, {})[stakeholder_id] = Decimal(amount)
    result = [
        _build(rows, shares.get(rows[-1]["position"], {}),
               extras["engagement_voids"].get(eid, []),
               extras["engagement_approvals"].get(eid, []))
        for eid, rows in versions.items() if rows[0]["event_type"] == "engagement.recorded"
    ]
    return sorted(result, key=lambda e: (e.occurred_at, e.position))


def _group(db: sqlite_utils.Database, table: str, where: str,
           params: list[Any]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in select(db, f"SELECT * FROM {table} WHERE {where} ORDER BY occurred_at, position",
                        params):
        grouped.setdefault(row["engagement_id"], []).append(row)
    return grouped


def _build(rows: list[dict[str, Any]], shares: dict[str, Decimal], voids: list[dict[str, Any]],
           approvals: list[dict[str, Any]]) -> Engagement:
    first, latest = rows[0], rows[-1]
    return Engagement(
        engagement_id=first["engagement_id"], account_id=first["account_id"],
        occurred_at=first["occurred_at"], recorded_at=first["recorded_at"],
        position=first["position"], event_id=first["event_id"], kind=latest["kind"],
        owner=latest["owner"], participants=tuple(json.loads(latest["participants"])),
        cost_amount=None if latest["cost_amount"] is None else Decimal(latest["cost_amount"]),
        cost_currency=latest["cost_currency"], shares=shares,
        opportunity_id=latest["opportunity_id"], approval_ref=latest["approval_ref"],
        location=latest["location"], versions=rows, voids=voids, approvals=approvals,
    )

