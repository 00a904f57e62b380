"""The current read model derived in one pass from the history tables (a bulk rebuild).

Following the log, :func:`projections.current.follow_up` keeps the ``current_*`` tables up
to date batch by batch. A rebuild writes every history row first and then derives the
current tables once, here: set-based SQL for every sum, aggregate and conversion, with
Python called from SQL only for what it cannot do exactly (converting a foreign amount at
a decimal rate with half-even rounding), and one streamed pass in Python for the people's
states. The result is the same rows, byte for byte, as following the log in any batches
(a hypothesis property compares the files). The flags (:mod:`projections.flag_sql`) and the
history steps (:mod:`projections.history_rows`) follow, derived with the people's and the
accounts' figures in two lanes side by side (:func:`lanes`, :mod:`projections.lanes`).
"""

from __future__ import annotations

from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import Any

import sqlite_utils

from ledger.contract.money import minor_units, to_minor
from ledger.contract.vocabulary import LADDER_LEVELS, ORG_ELEMENTS, ROLE_WEIGHTS
from projections import history_rows, paged, spend_groups
from projections.current import base_currency
from projections.figures import DECISION_ROLES
from projections.flag_sql import derive_flags
from projections.lanes import Lane
from projections.people import StakeholderState
from projections.reference import MAX_BASE_AMOUNT, convert
from projections.sql_money import plain_amount
from projections.tables import insert_sql, select

SHARES = "base_shares"
"""Every engagement's shares in base minor units, the voided ones' too, keyed by
(engagement_id, stakeholder_id): a table of the fresh file while the lanes run."""
CHUNK = 5000
"""Engagements converted per step (memory stays flat whatever the log's size)."""


def derive_current(db: sqlite_utils.Database) -> None:
    """Fill the (empty) current engagements and shares and the accounts' horizons from the
    history tables, inside the caller's transaction; leaves the table :data:`SHARES` for
    the flags (:func:`lanes`), which :func:`finish` drops."""
    _engagements(db)
    paged.derive(db, base_currency(db), ("account_horizons",))


def lanes(db: sqlite_utils.Database) -> tuple[Lane, ...]:
    """What is derived side by side once the current engagements are committed
    (:mod:`projections.lanes`), in two lanes of about the same work: the flags with their
    counts (first: written straight into the fresh file, the larger copy saved), and the
    history steps with the people's and the accounts' current figures and the spend
    groups."""
    base = base_currency(db)

    def people(side: sqlite_utils.Database) -> None:
        history_rows.derive_steps(side, base)
        _stakeholders(side)
        _stakeholder_figures(side)
        _accounts(side)
        paged.add_up(side, base)
        spend_groups.derive(side)

    def flags(side: sqlite_utils.Database) -> None:
        derive_flags(side, SHARES)
        paged.count_flags(side)

    return (Lane("flags", ("flags", "flag_counts"), flags),
            Lane("people", ("history_steps", "current_stakeholders", "current_accounts",
                            "spend_totals", "spend_groups"), people))


def finish(db: sqlite_utils.Database) -> None:
    """Drop what the lanes needed (inside the caller's transaction)."""
    db.conn.execute(f"DROP TABLE {SHARES}")


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


def _engagements(db: sqlite_utils.Database) -> None:
    """Each engagement's current row and its participants' base shares, as
    :func:`current.refresh_engagement` writes them, in SQL: the latest version of each,
    the rate in force at its occurred_at as known now, each share in base minor units
    (a plain amount in the base currency is its own count of minor units; any other is
    converted by :func:`_base_minor`, the Python that the follower uses) and the total,
    unknown when any part is. Leaves :data:`SHARES` for the flags."""
    base = base_currency(db)
    units = minor_units(base)
    conn = db.conn
    conn.create_function("ledger_base_minor", 3, _base_minor, deterministic=True)
    conn.execute(
        "CREATE TEMP TABLE latest AS SELECT v.engagement_id, v.account_id, "
        "v.engagement_occurred_at AS occurred_at, v.kind, v.owner, v.opportunity_id, "
        "v.participants, v.cost_amount, v.cost_currency, v.unallocated_amount, v.position, "
        "EXISTS (SELECT 1 FROM engagement_voids d WHERE d.engagement_id = v.engagement_id) "
        "AS voided, CASE WHEN v.cost_currency IS NULL THEN NULL WHEN v.cost_currency = :base "
        "THEN '1' ELSE (SELECT r.rate FROM fx_rates r WHERE r.currency = v.cost_currency "
        "AND r.occurred_at <= v.engagement_occurred_at "
        "ORDER BY r.occurred_at DESC, r.position DESC LIMIT 1) END AS rate "
        "FROM engagement_versions v JOIN (SELECT engagement_id, MAX(position) AS latest "
        "FROM engagement_versions GROUP BY engagement_id) m ON v.position = m.latest",
        {"base": base})
    conn.execute(f"CREATE TABLE {SHARES} (engagement_id TEXT, stakeholder_id TEXT, "
                 "voided INTEGER, base_minor INTEGER, "
                 "PRIMARY KEY (engagement_id, stakeholder_id)) WITHOUT ROWID")
    conn.execute(
        f"INSERT INTO {SHARES} SELECT l.engagement_id, s.stakeholder_id, l.voided, "
        f"{_in_base('s.share_amount', base, units)} AS base_minor "
        "FROM temp.latest l JOIN engagement_shares s ON s.version_position = l.position")
    conn.execute(
        "INSERT INTO current_engagements SELECT l.engagement_id, l.account_id, l.occurred_at, "
        "l.kind, l.owner, l.opportunity_id, json_array_length(l.participants), l.cost_amount, "
        "l.cost_currency, l.voided, :base, CASE WHEN t.unknown > 0 OR t.unallocated IS NULL "
        "THEN NULL ELSE t.unallocated + t.shares END FROM temp.latest l JOIN (SELECT "
        f"l.position, {_in_base('l.unallocated_amount', base, units)} AS unallocated, "
        "COALESCE(SUM(s.base_minor), 0) AS shares, COUNT(s.stakeholder_id) - COUNT(s.base_minor) "
        f"AS unknown FROM temp.latest l LEFT JOIN {SHARES} s "
        "ON s.engagement_id = l.engagement_id GROUP BY l.position) t USING (position)",
        {"base": base})
    ladder = "CASE l.kind " + " ".join(f"WHEN '{kind}' THEN {level}"
                                       for kind, level in LADDER_LEVELS.items()) + " ELSE 0 END"
    conn.execute(
        "INSERT INTO current_shares (engagement_id, stakeholder_id, account_id, occurred_at, "
        f"ladder_level, base_minor) SELECT s.engagement_id, s.stakeholder_id, l.account_id, "
        f"l.occurred_at, {ladder}, s.base_minor FROM {SHARES} s "
        "JOIN temp.latest l USING (engagement_id) WHERE s.voided = 0")
    conn.execute("DROP TABLE temp.latest")


def _in_base(amount: str, base: str, units: int) -> str:
    """SQL: ``amount`` (of the row's ``l.cost_currency``, at the row's ``l.rate``) in base
    minor units, as :func:`projections.current.in_base_minor` converts it: 0 without an
    amount, unknown without a rate."""
    limit = MAX_BASE_AMOUNT * 10 ** units
    return (f"CASE WHEN {amount} IS NULL THEN 0 WHEN l.rate IS NULL THEN NULL "
            f"WHEN l.cost_currency = '{base}' AND {plain_amount(amount, str(units))} "
            f"AND length({amount}) <= 18 "
            f"AND CAST(replace({amount}, '.', '') AS INTEGER) < {limit} "
            f"THEN CAST(replace({amount}, '.', '') AS INTEGER) "
            f"ELSE ledger_base_minor({amount}, l.rate, '{base}') END")


def _base_minor(amount: str, rate: str, base: str) -> int | None:
    """``amount`` at ``rate`` in base minor units, or None when too large to be a cost."""
    converted = convert(Decimal(amount), Decimal(rate), base)
    return None if converted is None else to_minor(converted, base)


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
