"""The handover brief as HTML: a standalone page (API and CLI) and the parts the UI reuses."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.render import charts
from api.render import format as fmt

UI = Path(__file__).resolve().parent.parent / "ui"
TEMPLATES = UI / "templates"
STATIC = UI / "static"


@cache
def environment() -> Environment:
    """The Jinja2 environment of the packaged templates, with the format filters."""
    env = Environment(loader=FileSystemLoader(TEMPLATES),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters.update(fmt.filters())
    env.globals.update(ROLES=fmt.ROLES, ATTITUDES=fmt.ATTITUDES, GROUPS=fmt.GROUP_LABELS,
                       who=fmt.who, point_sentence=fmt.point_sentence, delta=fmt.delta)
    return env


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
            "Spend by kind, last 12 months", currency=brief.get("currency", "")),
    }


def brief_html(brief: dict[str, Any]) -> str:
    """Render a handover brief as a self-contained HTML page (styles inlined, no scripts)."""
    template = environment().get_template("brief.html")
    return template.render(**brief_context(brief), stylesheet=stylesheet())
