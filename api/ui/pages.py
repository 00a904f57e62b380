"""What each web UI page shows: the same projection queries as the JSON API, plus charts."""

from __future__ import annotations

import calendar
from datetime import datetime
from typing import Any

import sqlite_utils

from api.render import charts
from api.render import format as fmt
from api.render.html import brief_context
from api.render.i18n import gettext as _
from api.ui.account_list import AccountSorting, account_list
from api.ui.flag_list import STATUSES, FlagQuery, compliance_rows
from ledger.domain.reach import EVERYWHERE, Reach
from projections.compliance import FLAGS
from projections.errors import UnknownAccount
from projections.handover import handover_brief
from projections.history import stakeholder_history
from projections.names import display_names
from projections.paging import PageRequest
from projections.queries import list_accounts, power_map, stakeholder_figures
from projections.spend import spend_report
from projections.timeaxis import Moments
from projections.timeaxis import point as bitemporal


def accounts_page(db: sqlite_utils.Database, at: Moments, reach: Reach = EVERYWHERE,
                  page: PageRequest | None = None,
                  sorting: AccountSorting | None = None) -> dict[str, Any]:
    """A page of the accounts list (as ``GET /v1/accounts``, with owners, open flags and
    totals, optionally sorted) and a chart of their scores."""
    shown = account_list(db, at, reach, page, sorting)
    rows = shown["accounts"]
    return {**shown, "score_chart": charts.score_bars(((a["name"], a["score"]) for a in rows),
                                                      _("Relationship score by account"))}


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
                ((label, total) for label, total in month_rows), _("Spend by month"),
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
        points.append((fmt.month_of(moment), value))
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
    _, people = display_names(db, bitemporal(at["as_of"], at["known_at"]))
    return {
        "person": person, "history": history, "steps": steps,
        "change_summary": lambda step: change_summary(step, people),
        "attitude_chart": charts.attitude_trajectory(name, changes, start=start, until=as_of,
                                                     small=False),
        "spend_chart": charts.running_spend(steps, name, history["currency"], start=start,
                                            until=as_of),
    }


def compliance_page(db: sqlite_utils.Database, at: Moments, query: FlagQuery,
                    reach: Reach = EVERYWHERE) -> dict[str, Any]:
    """Compliance flags (as ``GET /v1/compliance/flags``), filtered, sorted and paged, with
    names beside ids, sums per kind and counts by kind; only the accounts within ``reach``."""
    shown = compliance_rows(db, at, query, reach)
    counts = {kind: count for kind, count, _ in shown.sums}
    accounts = list_accounts(db, reach=reach, **at)["accounts"]
    return {
        "found": shown.found, "flags": shown.flags, "shown": shown, "query": query,
        "accounts": accounts, "flag_kinds": FLAGS, "statuses": list(STATUSES),
        "filters": {"account_id": query.account_id or "", "flag": query.flag or "",
                    "status": query.status, "from": query.start or "", "to": query.end or "",
                    "sort": query.sort, "size": query.params().get("size", "")},
        "count_chart": charts.count_bars(
            ((fmt.label(fmt.FLAGS, kind), counts[kind]) for kind in FLAGS if kind in counts),
            _("Flags by kind")),
    }


def change_summary(step: dict[str, Any], names: dict[str, str] | None = None) -> str:
    """One line saying what a history step changed, with people's names for their ids."""
    change, kind = step["change"], step["type"]
    names = names or {}
    if kind == "engagement.recorded":
        cost = change.get("cost")
        money = (", " + _("cost %(amount)s %(currency)s") % {
            "amount": fmt.money(cost["amount"]), "currency": cost["currency"]}) if cost else ""
        return _("%(kind)s (%(id)s), %(count)s participant(s)") % {
            "kind": fmt.humanize(change.get("kind")), "id": change["engagement_id"],
            "count": len(change.get("participants") or [])} + money
    parts = []
    for key, value in change.items():
        if value is None or value is False or (key == "observed_by" and not value):
            continue
        if key == "changes" and isinstance(value, dict):
            value = ", ".join(f"{fmt.humanize(k)} → {_plain(v, names, k)}"
                              for k, v in value.items())
        elif key == "attitude":
            value = fmt.attitude(value)
        elif key == "role":
            value = fmt.role(value)
        elif key == "group":
            value = fmt.label(fmt.GROUP_LABELS, value)
        elif key in ("kind", "layer", "tier"):
            value = fmt.humanize(value)
        parts.append(f"{fmt.label(fmt.FIELDS, key)}: {_plain(value, names, key)}")
    return "; ".join(parts)


def _plain(value: Any, names: dict[str, str], key: str = "") -> str:
    """A changed value as a person reads it: money with its currency, people by name."""
    if isinstance(value, dict) and {"amount", "currency"} <= set(value):
        return f"{fmt.money(value['amount'])} {value['currency']}"
    if isinstance(value, dict):  # an allocation: {stakeholder_id: amount}
        return ", ".join(f"{names.get(k, k)} {fmt.money(v)}" for k, v in value.items())
    if isinstance(value, list):
        people = key in ("participants", "stakeholders")
        return ", ".join(names.get(str(v), str(v)) if people else str(v) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "stakeholder_id":
        return names.get(value, value)
    return str(value)


def _fill_months(groups: list[dict[str, Any]], start: str, end: str) -> list[tuple[str, str]]:
    """Every month of the window with its total (``0.00`` when nothing was spent)."""
    totals = {g["key"]: g["total"] for g in groups}
    first, last = fmt.parse_time(start), fmt.parse_time(end)
    rows, index = [], first.year * 12 + first.month - 1
    while index <= last.year * 12 + last.month - 1:
        key = f"{index // 12:04d}-{index % 12 + 1:02d}"
        label = fmt.month_of(datetime(index // 12, index % 12 + 1, 1))
        rows.append((label, totals.get(key, "0.00")))
        index += 1
    return rows
