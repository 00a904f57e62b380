"""Every compliance flag of a bulk build, derived with set-based SQL from the current tables.

Following the log, :mod:`projections.flag_rows` evaluates the flags of each touched
(account, year) with :func:`projections.compliance.evaluate`. A bulk build has every
engagement's base-currency shares and total in ``current_shares`` / ``current_engagements``
already (:mod:`projections.derive`), so the same rules (SPEC §4.7) are one query per kind
of flag here, in base minor units:

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
count in the running sums, exactly as the evaluator's loop; a kind of flag that no policy
asks for is not looked for. ``seq`` numbers an engagement's flags in the evaluator's order
(by kind as listed, then person). A void resolves every flag of its engagement, the first
approval the approval flags. Limits are compared exactly: a share in minor units is above a
decimal limit when it is above the limit's floor in minor units. A hypothesis property
compares the result with following the log, row for row.

For speed, the raised flags go to a narrow temporary table keyed in the flags' order
first, where each is numbered by counting those before it (cheaper than a window function,
which buffers every row), then are appended to ``flags`` in its key's order with
the engagement's columns; the only window function left is the running sum, one pass over
the costed shares above zero.
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
    ``current_shares`` leaves out), keyed by (engagement_id, stakeholder_id)."""
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
    policies = conn.execute(
        "SELECT COUNT(gift_item_limit_floor) + COUNT(hospitality_per_person_limit_floor), "
        "COUNT(annual_recipient_limit_floor), COUNT(pre_approval_above_floor), "
        "COALESCE(MAX(officials), 0), COUNT(late_days) FROM temp.flag_policies").fetchone()
    per_person, annual, pre_approval, officials, late = (bool(count) for count in policies)
    conn.execute(
        "CREATE TEMP TABLE flag_engagements (engagement_id TEXT PRIMARY KEY, account_id TEXT, "
        "occurred_at TEXT, recorded_at TEXT, position INTEGER, kind TEXT, cost_amount TEXT, "
        "cost_currency TEXT, voided INTEGER, total INTEGER, version INTEGER, policy INTEGER) "
        "WITHOUT ROWID")
    conn.execute(
        "INSERT INTO temp.flag_engagements SELECT c.engagement_id, c.account_id, "
        "c.occurred_at, e.recorded_at, e.position, c.kind, c.cost_amount, c.cost_currency, "
        "c.voided, c.base_minor, (SELECT MAX(w.position) FROM engagement_versions w "
        "WHERE w.engagement_id = c.engagement_id), "
        "(SELECT p.position FROM policies p WHERE p.occurred_at <= c.occurred_at "
        "ORDER BY p.occurred_at DESC, p.position DESC LIMIT 1) "
        "FROM current_engagements c JOIN engagements e USING (engagement_id) "
        "ORDER BY c.engagement_id")
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
    # The shares of costed engagements with a rate under a policy (the running sums' terms)
    costed = (f"FROM {shares} s CROSS JOIN temp.flag_engagements f "
              "ON f.engagement_id = s.engagement_id JOIN temp.flag_policies p "
              "ON p.position = f.policy WHERE f.total IS NOT NULL")
    branches = [
        # fx_rate_missing: with or without a policy in force
        "SELECT f.engagement_id, 0 AS k, '' AS sid, 0 AS j, 'fx_rate_missing' AS flag, "
        "NULL AS amount, NULL AS limit_value, f.policy FROM temp.flag_engagements f "
        "WHERE f.cost_amount IS NOT NULL AND f.total IS NULL"]
    if per_person:  # over a per-person limit
        branches.append(
            "SELECT f.engagement_id, 1, s.stakeholder_id, 0, CASE WHEN f.kind = 'gift' THEN "
            f"'gift_over_limit' ELSE 'hospitality_over_limit' END, {money('s.base_minor')}, "
            "CASE WHEN f.kind = 'gift' THEN p.gift_item_limit_text "
            f"ELSE p.hospitality_per_person_limit_text END, f.policy {costed} "
            "AND s.base_minor > CASE WHEN f.kind = 'gift' THEN p.gift_item_limit_floor "
            "ELSE p.hospitality_per_person_limit_floor END")
    if annual:  # over the annual limit per person
        branches.append(
            "SELECT engagement_id, 2, stakeholder_id, 0, 'annual_limit_exceeded', "
            f"{money('running')}, limit_text, policy FROM (SELECT f.engagement_id, f.policy, "
            "s.stakeholder_id, s.base_minor AS share, p.annual_recipient_limit_floor AS floor, "
            "p.annual_recipient_limit_text AS limit_text, "
            # the running sum up to this share, to which a voided engagement adds nothing
            "SUM(CASE WHEN f.voided = 0 THEN s.base_minor ELSE 0 END) OVER (PARTITION BY "
            "f.account_id, s.stakeholder_id, substr(f.occurred_at, 1, 4) ORDER BY "
            "f.occurred_at, f.position ROWS UNBOUNDED PRECEDING) "
            f"+ CASE WHEN f.voided = 0 THEN 0 ELSE s.base_minor END AS running {costed} "
            # a zero share adds nothing and raises nothing (most are of uncosted engagements)
            "AND s.base_minor != 0) WHERE share > 0 AND running > floor")
    if pre_approval:  # above the pre-approval threshold without an approval
        branches.append(
            f"SELECT f.engagement_id, 3, '', 0, 'missing_approval', {money('f.total')}, "
            "p.pre_approval_above_text, f.policy FROM temp.flag_engagements f "
            "JOIN temp.flag_policies p ON p.position = f.policy "
            "JOIN engagement_versions v ON v.position = f.version WHERE f.total IS NOT NULL "
            "AND f.total > p.pre_approval_above_floor AND v.approval_ref IS NULL")
    if officials:  # public officials among the participants of a costed, unapproved engagement
        branches.append(
            f"SELECT f.engagement_id, 4, j.value, j.key, 'public_official_unapproved', "
            f"CASE WHEN f.total IS NOT NULL THEN {money('s.base_minor')} END, NULL, f.policy "
            "FROM temp.flag_engagements f JOIN temp.flag_policies p ON p.position = f.policy "
            "JOIN engagement_versions v ON v.position = f.version "
            "CROSS JOIN json_each(v.participants) j "  # each participant, then looked up by key
            "CROSS JOIN stakeholders o ON o.stakeholder_id = j.value "
            "AND o.public_official = 1 AND o.account_id = f.account_id "
            f"LEFT JOIN {shares} s ON s.engagement_id = f.engagement_id "
            "AND s.stakeholder_id = j.value "
            "WHERE p.officials AND f.cost_amount IS NOT NULL "
            "AND CAST(f.cost_amount AS REAL) != 0 AND v.approval_ref IS NULL")
    if late:  # entered late
        branches.append(
            "SELECT f.engagement_id, 5, '', 0, 'late_entry', NULL, p.late_days || ' days', "
            "f.policy FROM temp.flag_engagements f JOIN temp.flag_policies p "
            f"ON p.position = f.policy WHERE {_micros('f.recorded_at')} "
            f"- {_micros('f.occurred_at')} > p.late_days * 86400000000")
    # Kept in (engagement_id, kind of flag, person, participant index) order first ('' for
    # no person: a key has no NULL; a kind has either none or persons), then numbered and
    # appended to the flags in their key's order.
    conn.execute("CREATE TEMP TABLE flag_raised (engagement_id TEXT, k INTEGER, sid TEXT, "
                 "j INTEGER, flag TEXT, amount TEXT, limit_value TEXT, policy INTEGER, "
                 "PRIMARY KEY (engagement_id, k, sid, j)) WITHOUT ROWID")
    conn.execute("INSERT INTO temp.flag_raised " + " UNION ALL ".join(branches))
    conn.execute(
        "INSERT INTO flags (engagement_id, seq, flag, account_id, stakeholder_id, kind, amount, "
        "limit_value, base_currency, cost_amount, cost_currency, policy_event_id, occurred_at, "
        "recorded_at, open, resolved_by_type, resolved_by_event_id, resolved_occurred_at, "
        "resolved_recorded_at) "
        "SELECT x.engagement_id, x.seq, x.flag, f.account_id, NULLIF(x.sid, ''), f.kind, "
        "x.amount, x.limit_value, ?, f.cost_amount, f.cost_currency, p.event_id, f.occurred_at, "
        "f.recorded_at, "
        "d.engagement_id IS NULL AND (x.k NOT IN (3, 4) OR a.engagement_id IS NULL), "
        + ", ".join(f"CASE WHEN d.engagement_id IS NOT NULL THEN d.{column} "
                    f"WHEN x.k IN (3, 4) THEN a.{column} END"
                    for column in ("event_type", "event_id", "occurred_at", "recorded_at")) +
        # numbered by counting the flags before each in its engagement, in key order
        " FROM (SELECT *, 1 + (SELECT COUNT(*) FROM temp.flag_raised y "
        "WHERE y.engagement_id = z.engagement_id AND (y.k, y.sid, y.j) < (z.k, z.sid, z.j)) "
        "AS seq FROM temp.flag_raised z) x CROSS JOIN temp.flag_engagements f "
        "ON f.engagement_id = x.engagement_id "
        "LEFT JOIN temp.flag_policies p ON p.position = x.policy "
        "LEFT JOIN temp.first_void d ON d.engagement_id = x.engagement_id "
        "LEFT JOIN temp.first_approval a ON a.engagement_id = x.engagement_id", [base])
    for name in ("flag_policies", "flag_engagements", "flag_raised", "first_void",
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
