"""Display names of accounts and stakeholders, for listings that show names beside ids."""

from __future__ import annotations

import sqlite_utils

from projections.timeaxis import Point


def display_names(db: sqlite_utils.Database,
                  at: Point) -> tuple[dict[str, str], dict[str, str]]:
    """(account id → name, stakeholder id → name) of everything registered as recorded by
    ``at.known_at``; an erased person's name reads ``[forgotten]``."""
    accounts = dict(db.execute("SELECT account_id, name FROM accounts "
                               "WHERE registered_recorded_at <= ?", [at.known_at]).fetchall())
    people = dict(db.execute("SELECT stakeholder_id, name FROM stakeholders "
                             "WHERE registered_recorded_at <= ?", [at.known_at]).fetchall())
    return accounts, people
