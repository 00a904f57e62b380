"""The current read model derived in one pass from the history tables (a bulk rebuild).

Following the log, :func:`projections.current.follow_up` keeps the ``current_*`` tables up
to date batch by batch. A rebuild writes every history row first and then derives the
current tables once, here: set-based SQL for every sum and aggregate, and one streamed pass
in Python for the conversions to the base currency (exact decimals, half-even rounding),
which SQL cannot do. The result is the same rows, byte for byte, as following the log in
any batches (a hypothesis property compares the files).
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterator
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import Any

import sqlite_utils

from ledger.contract.vocabulary import LADDER_LEVELS, ORG_ELEMENTS, ROLE_WEIGHTS
from projections import paged
from projections.current import base_currency, in_base_minor
from projections.figures import DECISION_ROLES
from projections.people import StakeholderState
from projections.tables import insert_sql, select

CHUNK = 5000
"""Engagements converted per step (memory stays flat whatever the log's size)."""


def derive_current(db: sqlite_utils.Database) -> None:
    """Fill the (empty) current tables from the history tables, inside the caller's
    transaction."""
    _stakeholders(db)
    _engagements(db)
    _stakeholder_figures(db)
    _accounts(db)
    paged.derive(db, base_currency(db))


def _stakeholders(db: sqlite_utils.Database) -> None:
    """Each registered stakeholder's present state, as :func:`current.refresh_stakeholder`
    finds it with :func:`projections.people.load_stakeholders`: the same fold (registration
    first, then occurred_at and position), streamed one stakeholder at a time."""
    rows = select(db, "SELECT * FROM stakeholder_changes ORDER BY stakeholder_id, "
                      "event_type != 'stakeholder.registered', occurred_at, position", [])
    states = []
    for sid, changes in groupby(rows, key=itemgetter("stakeholder_id")):
        state = None
        for row in changes:
            if row["event_type"] == "stakeholder.registered":
                state = StakeholderState(sid, row["account_id"], {})
            if state is not None:
                state.apply(row)
        if state is not None:
            states.append((sid, state.account_id, state.role, state.attitude,
                           state.initial_attitude, state.layer, int(state.rising_star),
                           int(state.departed), state.last_attitude_change_at, 0, 0, 0))
        if len(states) >= CHUNK:
            _insert_stakeholders(db, states)
            states = []
    _insert_stakeholders(db, states)


def _insert_stakeholders(db: sqlite_utils.Database, states: list[tuple[Any, ...]]) -> None:
    db.conn.executemany(insert_sql("current_stakeholders", (
        "stakeholder_id", "account_id", "role", "attitude", "initial_attitude", "layer",
        "rising_star", "departed", "last_attitude_change_at", "engagement_count",
        "ladder_level", "spend_minor")), states)


class _Rates:
    """Every rate as known now, per currency in (occurred_at, position) order."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._keys: dict[str, list[tuple[str, int]]] = {}
        self._rates: dict[str, list[Decimal]] = {}
        for currency, moment, position, rate in db.conn.execute(
                "SELECT currency, occurred_at, position, rate FROM fx_rates "
                "ORDER BY currency, occurred_at, position"):
            self._keys.setdefault(currency, []).append((moment, position))
            self._rates.setdefault(currency, []).append(Decimal(rate))

    def at(self, currency: str, moment: str, base: str) -> Decimal | None:
        """The rate in force at ``moment`` (1 for the base currency), as
        :func:`projections.current.rate` finds it."""
        if currency == base:
            return Decimal(1)
        index = bisect_right(self._keys.get(currency, []), (moment, 2**63))
        return self._rates[currency][index - 1] if index else None


_VERSION = ("engagement_id", "account_id", "engagement_occurred_at", "kind", "owner",
            "opportunity_id", "participants", "cost_amount", "cost_currency",
            "unallocated_amount", "position")


def _latest_versions(db: sqlite_utils.Database) -> Iterator[list[dict[str, Any]]]:
    """Each engagement's newest version with its shares and whether it was voided, in
    chunks in engagement order (one pass over the versions' index, streamed)."""
    voided = {row[0] for row in db.conn.execute("SELECT engagement_id FROM engagement_voids")}
    cursor = db.conn.execute(
        f"SELECT {', '.join('v.' + name for name in _VERSION)} FROM engagement_versions v "
        "JOIN (SELECT engagement_id, MAX(position) AS latest FROM engagement_versions "
        "GROUP BY engagement_id) m ON v.position = m.latest ORDER BY v.engagement_id")
    while rows := cursor.fetchmany(CHUNK):
        chunk = [dict(zip(_VERSION, row, strict=True)) for row in rows]
        shares: dict[int, dict[str, str | None]] = {}
        positions = [version["position"] for version in chunk]
        for position, sid, amount in db.conn.execute(
                "SELECT version_position, stakeholder_id, share_amount FROM engagement_shares "
                f"WHERE version_position IN ({', '.join('?' * len(positions))})", positions):
            shares.setdefault(position, {})[sid] = amount
        for version in chunk:
            version["shares"] = shares.get(version["position"], {})
            version["voided"] = int(version["engagement_id"] in voided)
        yield chunk


def _engagements(db: sqlite_utils.Database) -> None:
    """Each engagement's current row and its participants' base shares, as
    :func:`current.refresh_engagement` writes them."""
    base = base_currency(db)
    rates = _Rates(db)
    engagement_sql = "INSERT INTO current_engagements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    share_sql = insert_sql("current_shares", ("engagement_id", "stakeholder_id", "account_id",
                                              "occurred_at", "ladder_level", "base_minor"))
    for chunk in _latest_versions(db):
        engagements, shares = [], []
        for version in chunk:
            occurred_at, account_id = version["engagement_occurred_at"], version["account_id"]
            participants = json.loads(version["participants"])
            in_force = None if version["cost_currency"] is None else rates.at(
                version["cost_currency"], occurred_at, base)
            base_shares, total = in_base_minor(version, participants, version["shares"],
                                               in_force, base)
            engagements.append((
                version["engagement_id"], account_id, occurred_at, version["kind"],
                version["owner"], version["opportunity_id"], len(participants),
                version["cost_amount"], version["cost_currency"], version["voided"], base,
                total))
            if not version["voided"]:
                ladder = LADDER_LEVELS.get(version["kind"], 0)
                shares += [(version["engagement_id"], sid, account_id, occurred_at, ladder,
                            share) for sid, share in base_shares.items()]
        db.conn.executemany(engagement_sql, engagements)
        db.conn.executemany(share_sql, shares)


def _stakeholder_figures(db: sqlite_utils.Database) -> None:
    """Each stakeholder's engagement figures from their current shares."""
    db.execute(
        "UPDATE current_stakeholders SET engagement_count = s.n, first_engagement_at = "
        "s.first, last_engagement_at = s.last, ladder_level = s.ladder, spend_minor = "
        "s.spend FROM (SELECT stakeholder_id, COUNT(*) AS n, MIN(occurred_at) AS first, "
        "MAX(occurred_at) AS last, COALESCE(MAX(ladder_level), 0) AS ladder, "
        "COALESCE(SUM(base_minor), 0) AS spend FROM current_shares GROUP BY stakeholder_id) s "
        "WHERE s.stakeholder_id = current_stakeholders.stakeholder_id")


def _accounts(db: sqlite_utils.Database) -> None:
    """Each account with people or engagements: spend, the score's sums and the latest
    evidence of each organizational element."""
    weight = "CASE role " + " ".join(f"WHEN '{role}' THEN {value}"
                                     for role, value in ROLE_WEIGHTS.items()) + " END"
    deciders = ", ".join(f"'{role}'" for role in sorted(DECISION_ROLES))
    elements = list(dict.fromkeys(ORG_ELEMENTS.values()))
    latest = [", ".join(f"'{kind}'" for kind, e in ORG_ELEMENTS.items() if e == element)
              for element in elements]
    db.execute(
        "INSERT INTO current_accounts (account_id, base_minor, engagement_count, "
        "weighted_attitude, role_weight, deciders, deciders_won, "
        f"{', '.join(f'{element}_at' for element in elements)}) "
        "SELECT a.account_id, COALESCE(e.minor, 0), COALESCE(e.n, 0), "
        "COALESCE(p.weighted, 0), COALESCE(p.weights, 0), COALESCE(p.deciders, 0), "
        f"COALESCE(p.won, 0), {', '.join(f'e.at{n}' for n in range(len(elements)))} FROM ("
        "SELECT account_id FROM current_stakeholders "
        "UNION SELECT account_id FROM current_engagements) a "
        "LEFT JOIN (SELECT account_id, "
        "SUM(CASE WHEN base_minor IS NOT NULL THEN base_minor END) AS minor, "
        "COUNT(base_minor) AS n, "
        + ", ".join(f"MAX(CASE WHEN kind IN ({kinds}) THEN occurred_at END) AS at{n}"
                    for n, kinds in enumerate(latest)) +
        " FROM current_engagements WHERE voided = 0 GROUP BY account_id) e "
        "USING (account_id) "
        f"LEFT JOIN (SELECT account_id, SUM(({weight}) * attitude) AS weighted, "
        f"SUM({weight}) AS weights, SUM(role IN ({deciders})) AS deciders, "
        f"SUM(role IN ({deciders}) AND attitude >= 2) AS won FROM current_stakeholders "
        "WHERE departed = 0 GROUP BY account_id) p USING (account_id)")
