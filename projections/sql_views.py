"""SQL views of the views file for people who read it with SQL (Datasette, sqlite3, a BI tool).

The tables keep money as integer minor units or as decimal text without its currency, and
people as ids; these views put names next to ids and show money as decimal text with its
currency beside it, from the "now, as known now" tables. They are recreated whenever the
file is opened, so their definitions always match the code.
"""

from __future__ import annotations

import sqlite_utils

from ledger.contract.money import currency_table


def decimal_sql(minor: str, units: str = "b.minor_units", scale: str = "b.scale") -> str:
    """SQL rendering integer minor units ``minor`` as decimal text ("215.00"), exactly."""
    return (f"CASE WHEN {minor} IS NULL THEN NULL WHEN {units} = 0 THEN CAST({minor} AS TEXT) "
            f"ELSE (CASE WHEN {minor} < 0 THEN '-' ELSE '' END) || (abs({minor}) / {scale}) "
            f"|| '.' || substr('0000' || (abs({minor}) % {scale}), -{units}) END")


_SCALE = ("CASE minor_units WHEN 0 THEN 1 WHEN 1 THEN 10 WHEN 2 THEN 100 WHEN 3 THEN 1000 "
          "ELSE 10000 END")

VIEWS: dict[str, dict[str, str]] = {
    "base_currency": {
        "doc": "The base currency now (the latest policy's; USD before any) and its minor "
               "units: the currency of every base amount in this file.",
        "sql": f"""SELECT currency, minor_units, {_SCALE} AS scale FROM currencies
WHERE currency = COALESCE((SELECT base_currency FROM policies
                           ORDER BY occurred_at DESC, position DESC LIMIT 1), 'USD')""",
    },
    "spend_by_stakeholder": {
        "doc": "Now, as known now: what each person has cost, in the base currency, with "
               "their name and their account's.",
        "sql": f"""SELECT s.stakeholder_id, p.name AS stakeholder_name, s.account_id,
       a.name AS account_name, s.engagement_count,
       {decimal_sql('s.spend_minor')} AS total_spend, b.currency AS currency
FROM current_stakeholders s
JOIN stakeholders p ON p.stakeholder_id = s.stakeholder_id
JOIN accounts a ON a.account_id = s.account_id
CROSS JOIN base_currency b
ORDER BY s.account_id, s.stakeholder_id""",
    },
    "spend_by_account": {
        "doc": "Now, as known now: each account's total spend in the base currency.",
        "sql": f"""SELECT c.account_id, a.name AS account_name, c.engagement_count,
       {decimal_sql('c.base_minor')} AS total_spend, b.currency AS currency
FROM current_accounts c
JOIN accounts a ON a.account_id = c.account_id
CROSS JOIN base_currency b
ORDER BY c.account_id""",
    },
    "engagement_costs": {
        "doc": "Now, as known now: each engagement's original money beside its base amount "
               "(NULL: no rate, flagged fx_rate_missing), voided ones included.",
        "sql": f"""SELECT e.engagement_id, e.account_id, a.name AS account_name, e.kind,
       e.owner, e.occurred_at, e.participant_count, e.cost_amount, e.cost_currency,
       {decimal_sql('e.base_minor', 'u.minor_units', 'u.scale')} AS base_amount,
       e.base_currency, e.voided
FROM current_engagements e
JOIN accounts a ON a.account_id = e.account_id
LEFT JOIN (SELECT currency, minor_units, {_SCALE} AS scale FROM currencies) u
       ON u.currency = e.base_currency
ORDER BY e.occurred_at, e.engagement_id""",
    },
    "open_flags": {
        "doc": "Open compliance flags with account and person names, the flagged amount "
               "and limit in the base currency, and the engagement's original money.",
        "sql": """SELECT f.flag, f.engagement_id, f.account_id, a.name AS account_name,
       f.stakeholder_id, p.name AS stakeholder_name, f.kind, f.amount, f.limit_value,
       f.base_currency AS currency, f.cost_amount, f.cost_currency, f.occurred_at,
       f.recorded_at, f.policy_event_id
FROM flags f
JOIN accounts a ON a.account_id = f.account_id
LEFT JOIN stakeholders p ON p.stakeholder_id = f.stakeholder_id
WHERE f.open = 1
ORDER BY f.occurred_at, f.engagement_id, f.seq""",
    },
}
"""Every SQL view: what it shows and its definition."""

VIEW_COLUMNS: dict[str, str] = {
    "stakeholder_name": "The person's name ([forgotten] after erasure).",
    "account_name": "The account's name.",
    "total_spend": "Total spend, decimal text in `currency` (the base currency).",
    "base_amount": "The cost converted to base_currency, decimal text; NULL: no rate.",
    "scale": "10 to the power of minor_units (minor units per unit).",
}
"""Descriptions of the columns only the views have."""


def create_views(db: sqlite_utils.Database) -> None:
    """Fill the currency table and (re)create every view whose definition changed.

    Opening a views file whose schema is current writes nothing, so a server or projector
    still opens it while its disk is full (and then reports the fault when it applies)."""
    db.conn.executemany("INSERT OR IGNORE INTO currencies VALUES (?, ?)",
                        list(currency_table().items()))
    stored = dict(db.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'"))
    for name, view in VIEWS.items():
        wanted = f"CREATE VIEW [{name}] AS\n{view['sql']}"
        if stored.get(name) != wanted:
            db.conn.execute(f"DROP VIEW IF EXISTS [{name}]")
            db.conn.execute(wanted)


def drop_views(db: sqlite_utils.Database) -> None:
    """Drop every view (before the tables they read are dropped)."""
    for name in VIEWS:
        db.conn.execute(f"DROP VIEW IF EXISTS [{name}]")
