"""Everything the query API says about a views database at one point, for comparisons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from projections import queries
from projections.compliance import compliance_flags
from projections.errors import ProjectionError
from projections.handover import handover_brief
from projections.history import stakeholder_history
from projections.spend import GROUPINGS, spend_report


def snapshot(db: sqlite_utils.Database, as_of: datetime, known_at: datetime,
             ids_from: sqlite_utils.Database | None = None) -> dict[str, Any]:
    """Every read of SPEC §5.2 for every id ``ids_from`` (default ``db``) holds;
    unknown ids read as the name of their error."""
    when = {"as_of": as_of, "known_at": known_at}

    def read(function: Any, *args: Any) -> Any:
        try:
            return function(db, *args, **when)
        except ProjectionError as error:
            return type(error).__name__

    source = ids_from or db
    ids = {table: [row[0] for row in source.execute(f"SELECT {column} FROM {table} ORDER BY 1")]
           for table, column in (("accounts", "account_id"), ("stakeholders", "stakeholder_id"),
                                 ("opportunities", "opportunity_id"))}
    return {
        "accounts": read(queries.list_accounts),
        "power_maps": {aid: read(queries.power_map, aid) for aid in ids["accounts"]},
        "handovers": {aid: read(handover_brief, aid) for aid in ids["accounts"]},
        "stakeholders": {sid: read(queries.stakeholder_figures, sid)
                         for sid in ids["stakeholders"]},
        "histories": {sid: read(stakeholder_history, sid) for sid in ids["stakeholders"]},
        "fishbones": {oid: read(queries.opportunity_fishbone, oid)
                      for oid in ids["opportunities"]},
        "spend": {group: read(spend_report, group) for group in GROUPINGS},
        "flags": read(compliance_flags),
    }


def dump(db: sqlite_utils.Database) -> list[str]:
    """The whole file as sorted SQL text: equal dumps mean byte-identical table contents
    and the same schema (a bulk load creates some indexes in another order)."""
    return sorted(db.conn.iterdump())
