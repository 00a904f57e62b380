"""The handover brief as HTML: a standalone page (API and CLI) and the parts the UI reuses."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.render import charts, i18n
from api.render import format as fmt

UI = Path(__file__).resolve().parent.parent / "ui"
TEMPLATES = UI / "templates"
STATIC = UI / "static"


@cache
def environment() -> Environment:
    """The Jinja2 environment of the packaged templates, with the format filters."""
    env = Environment(loader=FileSystemLoader(TEMPLATES),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True, extensions=["jinja2.ext.i18n"])
    # One environment for both languages: the callables follow i18n.language().
    env.install_gettext_callables(i18n.gettext, i18n.ngettext,  # type: ignore[attr-defined]
                                  newstyle=True)
    env.filters.update(fmt.filters())
    env.globals.update(ROLES=fmt.ROLES, ATTITUDES=fmt.ATTITUDES, GROUPS=fmt.GROUP_LABELS,
                       who=fmt.who, point_sentence=fmt.point_sentence, delta=fmt.delta,
                       LOCALES=i18n.LOCALES, html_lang=html_lang,
                       STATUS_LABELS=fmt.STATUS_LABELS, OUTCOMES=fmt.OUTCOMES,
                       # a message that may come from elsewhere (an error, a title):
                       # translated when the catalog has it, never %-formatted
                       translate=i18n.gettext)
    return env


def html_lang() -> str:
    """The ``lang`` attribute of the page being rendered (``en``, ``zh-CN``)."""
    return i18n.current().replace("_", "-")


@cache
def stylesheet() -> str:
    """The packaged stylesheet, inlined into standalone pages."""
    return (STATIC / "ledger.css").read_text(encoding="utf-8")


def brief_context(brief: dict[str, Any]) -> dict[str, Any]:
    """What the brief templates need beyond the brief itself: charts and lookup tables."""
    names: dict[str, str] = brief.get("names", {})
    as_of = fmt.parse_time(brief["as_of"])
    firsts = [fmt.parse_time(steps[0]["occurred_at"])
              for steps in brief["trajectories"].values() if steps]
    start = min([as_of - timedelta(days=365), *firsts])
    trajectories = [
        {"stakeholder_id": sid, "name": names.get(sid, sid), "changes": steps,
         "current": steps[-1]["attitude"] if steps else None,
         "chart": charts.attitude_trajectory(names.get(sid, sid), steps, start=start,
                                             until=as_of)}
        for sid, steps in sorted(brief["trajectories"].items(),
                                 key=lambda item: names.get(item[0], item[0]))]
    # pygal stacks horizontal bars bottom-up: ascending order puts the biggest on top.
    by_kind = sorted(brief["spend_last_12_months"]["by_kind"]["groups"],
                     key=lambda g: Decimal(g["total"]))
    roles = {p["stakeholder_id"]: p.get("role") for p in brief["weak_key_people"]}
    return {
        "brief": brief, "names": names, "currency": brief.get("currency", ""),
        "trajectories": trajectories, "roles_of_weak": roles,
        "grid_max": max([len(ids) for row in brief["grid"].values() for ids in row.values()]
                        + [1]),
        "grid_chart": charts.power_map_dots(brief["grid"]),
        "spend_by_kind_chart": charts.money_bars(
            ((fmt.humanize(g["key"]), g["total"]) for g in by_kind),
            i18n.gettext("Spend by kind, last 12 months"), currency=brief.get("currency", "")),
    }


def brief_html(brief: dict[str, Any],
               score_history: list[tuple[str, float | None]] | None = None,
               locale: str = i18n.DEFAULT) -> str:
    """Render a handover brief as a self-contained HTML page (styles inlined, no scripts)
    in English or Simplified Chinese, with the score chart when ``score_history`` (month
    label, score) is given."""
    with i18n.language(locale):
        template = environment().get_template("brief.html")
        chart = charts.score_history(score_history) if score_history else None
        return template.render(**brief_context(brief), stylesheet=stylesheet(),
                               score_chart=chart)
