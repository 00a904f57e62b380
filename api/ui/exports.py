"""Downloads for people: the handover brief as a file, and the compliance list as CSV.

A CSV cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
run as a formula by spreadsheet programs (CSV injection); such a cell is prefixed with
``'`` so that it shows as the text it is. Plain decimal amounts stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import sqlite_utils

from api.render import format as fmt
from api.render import render_brief
from api.ui.pages import score_history
from ledger.domain.reach import EVERYWHERE, Reach
from projections.handover import handover_brief
from projections.timeaxis import Moments

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")

FLAG_COLUMNS = ("flag", "account_id", "account_name", "engagement_id", "kind",
                "stakeholder_id", "stakeholder_name", "amount", "limit", "currency",
                "cost_amount", "cost_currency", "occurred_at", "recorded_at", "status",
                "resolved_by")
"""The columns of the compliance CSV, in order."""


def handover_document(db: sqlite_utils.Database, account_id: str, at: Moments, form: str,
                      reach: Reach = EVERYWHERE, locale: str = "en") -> str:
    """The handover brief as Markdown (``md``) or a standalone HTML page (``html``, with
    the score chart of the last 12 months), in English or Simplified Chinese (``zh_CN``);
    an account outside ``reach`` is unknown."""
    brief = handover_brief(db, account_id, reach=reach, **at)
    history = None
    if form == "html":
        history = score_history(db, account_id, fmt.parse_time(brief["as_of"]),
                                fmt.parse_time(brief["known_at"]))
    return render_brief(brief, form, history, locale=locale)


def neutralised(value: Any) -> str:
    """A CSV cell that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _DECIMAL.match(text):
        return "'" + text
    return text


def flags_csv(flags: list[dict[str, Any]], account_names: dict[str, str],
              person_names: dict[str, str]) -> str:
    """The flags as CSV, one row per flag, names beside ids, every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FLAG_COLUMNS)
    for f in flags:
        cost = f.get("cost") or {}
        resolved = f.get("resolved_by") or {}
        row = {
            **f, "account_name": account_names.get(f["account_id"], ""),
            "stakeholder_name": person_names.get(f["stakeholder_id"] or "", ""),
            "cost_amount": cost.get("amount"), "cost_currency": cost.get("currency"),
            "status": "open" if f["open"] else "resolved",
            "resolved_by": " ".join(filter(None, (resolved.get("type"),
                                                  resolved.get("occurred_at")))),
        }
        writer.writerow([neutralised(row.get(column)) for column in FLAG_COLUMNS])
    return buffer.getvalue()
