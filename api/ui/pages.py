"""What each web UI page shows: the same projection queries as the JSON API, plus charts."""

from __future__ import annotations

import calendar
from collections import Counter
from datetime import datetime
from typing import Any

import sqlite_utils

from api.render import charts
from api.render import format as fmt
from api.render.html import brief_context
from ledger.domain.reach import EVERYWHERE, Reach
from projections.compliance import FLAGS, compliance_flags
from projections.errors import UnknownAccount
from projections.handover import handover_brief
from projections.history import stakeholder_history
from projections.queries import list_accounts, power_map, stakeholder_figures
from projections.spend import spend_report
from projections.timeaxis import Moments

STATUSES = {"open": True, "resolved": False, "all": None}


def accounts_page(db: sqlite_utils.Database, at: Moments,
                  reach: Reach = EVERYWHERE) -> dict[str, Any]:
    """The accounts list (as ``GET /v1/accounts``) and a chart of their scores."""
    listing = list_accounts(db, reach=reach, **at)
    rows = sorted(listing["accounts"], key=lambda a: a["name"])
    return {"listing": listing, "accounts": rows,
            "score_chart": charts.score_bars(((a["name"], a["score"]) for a in rows),
                                             "Relationship score by account")}


def handover_page(db: sqlite_utils.Database, account_id: str, at: Moments,
                  reach: Reach = EVERYWHERE) -> dict[str, Any]:
    """The handover brief (as ``GET /v1/accounts/{id}/handover``) with the trend charts."""
    brief = handover_brief(db, account_id, reach=reach, **at)
    as_of, known_at = fmt.parse_time(brief["as_of"]), fmt.parse_time(brief["known_at"])
    history = score_history(db, account_id, as_of, known_at)
    window = brief["spend_last_12_months"]
    months = spend_report(db, "month", start=fmt.parse_time(window["from"]),
                          end=fmt.parse_time(window["to"]), account_id=account_id,
                          as_of=as_of, known_at=known_at)
    month_rows = _fill_months(months["groups"], window["from"], window["to"])
    return {**brief_context(brief), "score_history": history,
            "score_chart": charts.score_history(history),
            "spend_by_month": months, "month_chart": charts.money_bars(
                ((label, total) for label, total in month_rows), "Spend by month",
                horizontal=False, currency=brief.get("currency", ""))}


def score_history(db: sqlite_utils.Database, account_id: str, as_of: datetime,
                  known_at: datetime) -> list[tuple[str, float | None]]:
    """The account's score on the same day of each of the last 12 months and at ``as_of``,
    each as recorded by ``known_at`` (the power-map query at each point)."""
    points = []
    for back in range(12, -1, -1):
        moment = months_before(as_of, back)
        try:
            value = power_map(db, account_id, as_of=moment, known_at=known_at)["score"]
        except UnknownAccount:
            value = None  # not registered yet at that point
        points.append((f"{moment:%b %Y}", value))
    return points


def months_before(moment: datetime, months: int) -> datetime:
    """The same day ``months`` calendar months earlier (clamped to the month's last day)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return moment.replace(year=year, month=month + 1, day=min(moment.day, last_day))


def stakeholder_page(db: sqlite_utils.Database, stakeholder_id: str,
                     at: Moments, reach: Reach = EVERYWHERE) -> dict[str, Any]:
    """A stakeholder's figures and every step of their history, with charts."""
    person = stakeholder_figures(db, stakeholder_id, reach=reach, **at)
    history = stakeholder_history(db, stakeholder_id, reach=reach, **at)
    steps = history["steps"]
    changes: list[dict[str, Any]] = []
    for step in steps:
        if step["attitude"] is not None and (not changes
                                             or changes[-1]["attitude"] != step["attitude"]):
            changes.append({"occurred_at": step["occurred_at"], "attitude": step["attitude"]})
    as_of = fmt.parse_time(history["as_of"])
    start = fmt.parse_time(steps[0]["occurred_at"]) if steps else as_of
    name = person["name"] or stakeholder_id
    return {
        "person": person, "history": history, "steps": steps,
        "attitude_chart": charts.attitude_trajectory(name, changes, start=start, until=as_of,
                                                     small=False),
        "spend_chart": charts.running_spend(steps, name, history["currency"]),
    }


def compliance_page(db: sqlite_utils.Database, at: Moments, *, account_id: str | None,
                    flag: str | None, status: str,
                    reach: Reach = EVERYWHERE) -> dict[str, Any]:
    """Compliance flags (as ``GET /v1/compliance/flags``), filtered, with counts by kind."""
    found = compliance_flags(db, account_id=account_id, flag=flag,
                             open=STATUSES.get(status, True), reach=reach, **at)
    counts = Counter(f["flag"] for f in found["flags"])
    accounts = list_accounts(db, reach=reach, **at)["accounts"]
    return {
        "found": found, "flags": found["flags"], "accounts": accounts, "flag_kinds": FLAGS,
        "statuses": list(STATUSES),
        "filters": {"account_id": account_id or "", "flag": flag or "", "status": status},
        "count_chart": charts.count_bars(
            ((fmt.FLAGS[kind], counts[kind]) for kind in FLAGS if counts[kind]),
            "Flags by kind"),
    }


def change_summary(step: dict[str, Any]) -> str:
    """One line saying what a history step changed."""
    change, kind = step["change"], step["type"]
    if kind == "engagement.recorded":
        cost = change.get("cost")
        money = f", cost {fmt.money(cost['amount'])} {cost['currency']}" if cost else ""
        return (f"{fmt.humanize(change.get('kind'))} ({change['engagement_id']}), "
                f"{len(change.get('participants') or [])} participant(s){money}")
    parts = []
    for key, value in change.items():
        if value is None or value is False or (key == "observed_by" and not value):
            continue
        if key == "changes" and isinstance(value, dict):
            value = ", ".join(f"{k} → {_plain(v)}" for k, v in value.items())
        elif key == "attitude":
            value = fmt.attitude(value)
        elif key == "role":
            value = fmt.role(value)
        elif key == "group":
            value = fmt.GROUP_LABELS.get(value, value)
        parts.append(f"{fmt.humanize(key)}: {_plain(value)}")
    return "; ".join(parts)


def _plain(value: Any) -> str:
    if isinstance(value, dict) and {"amount", "currency"} <= set(value):
        return f"{fmt.money(value['amount'])} {value['currency']}"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _fill_months(groups: list[dict[str, Any]], start: str, end: str) -> list[tuple[str, str]]:
    """Every month of the window with its total (``0.00`` when nothing was spent)."""
    totals = {g["key"]: g["total"] for g in groups}
    first, last = fmt.parse_time(start), fmt.parse_time(end)
    rows, index = [], first.year * 12 + first.month - 1
    while index <= last.year * 12 + last.month - 1:
        key = f"{index // 12:04d}-{index % 12 + 1:02d}"
        label = datetime(index // 12, index % 12 + 1, 1).strftime("%b %Y")
        rows.append((label, totals.get(key, "0.00")))
        index += 1
    return rows
