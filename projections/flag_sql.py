"""Every compliance flag of a bulk build, derived with set-based SQL from the current tables.

Following the log, :mod:`projections.flag_rows` evaluates the flags of each touched
(account, year) with :func:`projections.compliance.evaluate`. A bulk build has every
engagement's base-currency shares and total in ``current_shares`` / ``current_engagements``
already (:mod:`projections.derive`), so the same rules (SPEC §4.7) are one statement per
kind of flag here, in base minor units:

- ``fx_rate_missing``: a cost without a rate in force (its total is NULL);
- ``gift_over_limit`` / ``hospitality_over_limit``: a participant's share above the limit;
- ``annual_limit_exceeded``: a person's running sum of shares in the calendar year (non-voided
  engagements before this one, in (occurred_at, position) order, plus this share) above the
  limit, for a share above zero;
- ``missing_approval``: a total above the pre-approval threshold without an approval_ref;
- ``public_official_unapproved``: each public official among the participants of a costed,
  unapproved engagement when the policy asks for approval;
- ``late_entry``: recorded more than the policy's late-entry days after it occurred.

Only engagements under a policy get the policy's flags, and only costed ones with a rate
count in the running sums, exactly as the evaluator's loop. ``seq`` numbers an engagement's
flags in the evaluator's order (by kind as listed, then person). A void resolves every flag
of its engagement, the first approval the approval flags. Limits are compared exactly: a
share in minor units is above a decimal limit when it is above the limit's floor in minor
units. A hypothesis property compares the result with following the log, row for row.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import sqlite_utils

from ledger.contract.money import format_amount, minor_units
from projections.current import base_currency
from projections.sql_money import minor_text

_LIMITS = ("gift_item_limit", "hospitality_per_person_limit", "annual_recipient_limit",
           "pre_approval_above")


def derive_flags(db: sqlite_utils.Database, shares: str) -> None:
    """Fill the (empty) flags table; ``shares`` names a table of every engagement's
    (engagement_id, stakeholder_id, base_minor), the voided ones' too (which
    ``current_shares`` leaves out)."""
    base = base_currency(db)
    exponent = minor_units(base)
    scale = 10 ** exponent
    conn = db.conn
    conn.execute("CREATE TEMP TABLE flag_policies (position INTEGER PRIMARY KEY, event_id TEXT, "
                 + ", ".join(f"{name}_floor INTEGER, {name}_text TEXT" for name in _LIMITS)
                 + ", officials INTEGER, late_days INTEGER)")
    conn.executemany(
        f"INSERT INTO temp.flag_policies VALUES ({', '.join('?' * (4 + 2 * len(_LIMITS)))})",
        [_policy_row(row, base, scale) for row in conn.execute(
            "SELECT position, event_id, " + ", ".join(_LIMITS)
            + ", public_official_requires_approval, late_entry_days FROM policies")])
    conn.execute("CREATE TEMP TABLE flag_shares (engagement_id TEXT, stakeholder_id TEXT, "
                 "base_minor INTEGER, PRIMARY KEY (engagement_id, stakeholder_id))")
    conn.execute("INSERT INTO temp.flag_shares SELECT engagement_id, stakeholder_id, base_minor "
                 f"FROM {shares}")
    conn.execute(
        "CREATE TEMP TABLE flag_engagements AS SELECT c.engagement_id, c.account_id, "
        "c.occurred_at, e.recorded_at, e.position, c.kind, c.cost_amount, c.cost_currency, "
        "c.voided, c.base_minor AS total, v.approval_ref, v.participants, "
        "(SELECT p.position FROM policies p WHERE p.occurred_at <= c.occurred_at "
        "ORDER BY p.occurred_at DESC, p.position DESC LIMIT 1) AS policy "
        "FROM current_engagements c JOIN engagements e USING (engagement_id) "
        "JOIN engagement_versions v ON v.position = (SELECT MAX(position) FROM "
        "engagement_versions w WHERE w.engagement_id = c.engagement_id)")
    for name, table in (("first_void", "engagement_voids"),
                        ("first_approval", "engagement_approvals")):
        # The first void resolves every flag, the first approval the approval flags.
        conn.execute(f"CREATE TEMP TABLE {name} (engagement_id TEXT PRIMARY KEY, event_type "
                     "TEXT, event_id TEXT, occurred_at TEXT, recorded_at TEXT)")
        conn.execute(f"INSERT INTO temp.{name} SELECT engagement_id, event_type, event_id, "
                     "occurred_at, recorded_at FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY "
                     f"engagement_id ORDER BY occurred_at, position) AS n FROM {table}) "
                     "WHERE n = 1")
    def money(units: str) -> str:
        return minor_text(units, str(exponent), str(scale))
    raised = " UNION ALL ".join((
        # fx_rate_missing: with or without a policy in force
        "SELECT f.engagement_id, 0 AS k, NULL AS sid, 'fx_rate_missing' AS flag, "
        "NULL AS amount, NULL AS limit_value, f.policy FROM temp.flag_engagements f "
        "WHERE f.cost_amount IS NOT NULL AND f.total IS NULL",
        # over a per-person limit
        "SELECT r.engagement_id, 1, r.stakeholder_id, CASE WHEN r.kind = 'gift' THEN "
        f"'gift_over_limit' ELSE 'hospitality_over_limit' END, {money('r.share')}, "
        "CASE WHEN r.kind = 'gift' THEN p.gift_item_limit_text "
        "ELSE p.hospitality_per_person_limit_text END, r.policy "
        "FROM running r JOIN temp.flag_policies p ON p.position = r.policy "
        "WHERE r.share > CASE WHEN r.kind = 'gift' THEN p.gift_item_limit_floor "
        "ELSE p.hospitality_per_person_limit_floor END",
        # over the annual limit per person
        f"SELECT r.engagement_id, 2, r.stakeholder_id, 'annual_limit_exceeded', "
        f"{money('r.prior + r.share')}, p.annual_recipient_limit_text, r.policy "
        "FROM running r JOIN temp.flag_policies p ON p.position = r.policy "
        "WHERE r.share > 0 AND r.prior + r.share > p.annual_recipient_limit_floor",
        # above the pre-approval threshold without an approval
        f"SELECT f.engagement_id, 3, NULL, 'missing_approval', {money('f.total')}, "
        "p.pre_approval_above_text, f.policy FROM temp.flag_engagements f "
        "JOIN temp.flag_policies p ON p.position = f.policy WHERE f.total IS NOT NULL "
        "AND f.total > p.pre_approval_above_floor AND f.approval_ref IS NULL",
        # public officials among the participants of a costed, unapproved engagement
        f"SELECT f.engagement_id, 4, j.value, 'public_official_unapproved', "
        f"CASE WHEN f.total IS NOT NULL THEN {money('s.base_minor')} END, NULL, f.policy "
        "FROM temp.flag_engagements f JOIN temp.flag_policies p ON p.position = f.policy "
        "CROSS JOIN json_each(f.participants) j "  # each participant, then looked up by key
        "CROSS JOIN stakeholders o ON o.stakeholder_id = j.value "
        "AND o.public_official = 1 AND o.account_id = f.account_id "
        "LEFT JOIN temp.flag_shares s ON s.engagement_id = f.engagement_id "
        "AND s.stakeholder_id = j.value "
        "WHERE p.officials AND f.cost_amount IS NOT NULL AND CAST(f.cost_amount AS REAL) != 0 "
        "AND f.approval_ref IS NULL",
        # entered late
        "SELECT f.engagement_id, 5, NULL, 'late_entry', NULL, p.late_days || ' days', "
        "f.policy FROM temp.flag_engagements f JOIN temp.flag_policies p "
        f"ON p.position = f.policy WHERE {_micros('f.recorded_at')} - {_micros('f.occurred_at')} "
        "> p.late_days * 86400000000",
    ))
    conn.execute(
        "WITH running AS (SELECT f.engagement_id, f.kind, f.policy, s.stakeholder_id, "
        "s.base_minor AS share, COALESCE(SUM(CASE WHEN f.voided = 0 THEN s.base_minor END) "
        "OVER (PARTITION BY f.account_id, s.stakeholder_id, substr(f.occurred_at, 1, 4) "
        "ORDER BY f.occurred_at, f.position ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), "
        "0) AS prior FROM temp.flag_engagements f JOIN temp.flag_shares s "
        "USING (engagement_id) WHERE f.total IS NOT NULL AND f.policy IS NOT NULL), "
        f"raised AS ({raised}) "
        "INSERT INTO flags (engagement_id, seq, flag, account_id, stakeholder_id, kind, amount, "
        "limit_value, base_currency, cost_amount, cost_currency, policy_event_id, occurred_at, "
        "recorded_at, open, resolved_by_type, resolved_by_event_id, resolved_occurred_at, "
        "resolved_recorded_at) "
        "SELECT x.engagement_id, ROW_NUMBER() OVER (PARTITION BY x.engagement_id "
        "ORDER BY x.k, x.sid), x.flag, f.account_id, x.sid, f.kind, x.amount, x.limit_value, "
        "?, f.cost_amount, f.cost_currency, p.event_id, f.occurred_at, f.recorded_at, "
        "d.engagement_id IS NULL AND (x.k NOT IN (3, 4) OR a.engagement_id IS NULL), "
        + ", ".join(f"CASE WHEN d.engagement_id IS NOT NULL THEN d.{column} "
                    f"WHEN x.k IN (3, 4) THEN a.{column} END"
                    for column in ("event_type", "event_id", "occurred_at", "recorded_at")) +
        " FROM raised x JOIN temp.flag_engagements f USING (engagement_id) "
        "LEFT JOIN temp.flag_policies p ON p.position = x.policy "
        "LEFT JOIN temp.first_void d ON d.engagement_id = x.engagement_id "
        "LEFT JOIN temp.first_approval a ON a.engagement_id = x.engagement_id", [base])
    for name in ("flag_policies", "flag_shares", "flag_engagements", "first_void",
                 "first_approval"):
        conn.execute(f"DROP TABLE temp.{name}")


def _policy_row(row: tuple[Any, ...], base: str, scale: int) -> tuple[Any, ...]:
    """A policy's limits as the SQL compares them: the floor of each limit in base minor
    units (a whole number of minor units is above the limit exactly when it is above that
    floor) and the limit as the evaluator renders it."""
    position, event_id, *limits, officials, late_days = row
    values: list[Any] = [position, event_id]
    for limit in limits:
        if limit is None:
            values += [None, None]
        else:
            amount = Decimal(limit)
            values += [math.floor(amount * scale), format_amount(amount, base)]
    return (*values, officials, late_days)


def _micros(stamp: str) -> str:
    """SQL: a fixed-width UTC stamp as whole microseconds since the epoch."""
    return (f"(unixepoch(substr({stamp}, 1, 19)) * 1000000 "
            f"+ CAST(substr({stamp}, 21, 6) AS INTEGER))")
