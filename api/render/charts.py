"""Server-side SVG charts (pygal) for the handover brief and the web UI.

Every builder takes figures exactly as the JSON API gives them and returns inline SVG
markup. The charts carry no JavaScript (pygal's tooltip script would come from a CDN),
so the pages work offline and print as they look.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pygal
from markupsafe import Markup
from pygal.style import Style

from api.render import format as fmt
from api.render.i18n import gettext as _

INK = "#1f2933"
STYLE = Style(
    background="transparent", plot_background="#ffffff", foreground=INK,
    foreground_strong=INK, foreground_subtle="#d5dae1", opacity=".85", opacity_hover="1",
    colors=("#1d4f91", "#b4420c", "#2b7a3d", "#6b3fa0", "#8a6d00", "#0f6f78", "#a3214f",
            "#4a5563", "#5a7d0a", "#7a4b1c"),
    font_family="system-ui, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif",
    label_font_size=12, major_label_font_size=12, value_font_size=11,
    value_label_font_size=11, legend_font_size=12, title_font_size=14, tooltip_font_size=12,
)
BARS = Style(**{**STYLE.to_dict(), "colors": ("#9dbde6",), "value_colors": (INK,)})
"""Light bars, so the dark value printed on (or beside) each bar stays legible."""
_SCRIPT = re.compile(r"<script.*?</script>", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_BAR_VALUE = re.compile(r'<text text-anchor="middle" x="([-0-9.e]+)"(?=[^>]*class="value")')


def _config(**options: Any) -> dict[str, Any]:
    return {"style": STYLE, "js": [], "disable_xml_declaration": True, "show_legend": False,
            "explicit_size": False, "no_data_text": _("No data"), "margin": 12,
            "truncate_label": -1, "truncate_legend": -1, **options}


def _amount(value: float) -> str:
    """Chart labels for amounts: grouped, without decimals when whole (axis ticks)."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return fmt.money(f"{Decimal(str(value)).quantize(Decimal('0.01'))}")


def _values_after_bars(svg: str) -> str:
    """Start each printed value just right of its bar's end: pygal centres it on the end,
    so a short bar's value ran over the category labels left of the axis."""
    return _BAR_VALUE.sub(lambda m: f'<text text-anchor="start" x="{float(m[1]) + 4:.2f}"',
                          svg)


def _svg(chart: Any, label: str) -> Markup:
    """Render without script or comments; label the SVG for assistive technology."""
    svg = _COMMENT.sub("", _SCRIPT.sub("", chart.render(is_unicode=True)))
    if isinstance(chart, pygal.HorizontalBar):
        svg = _values_after_bars(svg)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" ', 1)
    return Markup(svg)  # noqa: S704 - pygal escapes every text it places in the SVG


def attitude_steps(changes: Sequence[dict[str, Any]], until: datetime) -> list[tuple[datetime,
                                                                                     int]]:
    """Turn ``[{occurred_at, attitude}]`` changes into the points of a step line to ``until``."""
    points: list[tuple[datetime, int]] = []
    for change in changes:
        at = fmt.parse_time(change["occurred_at"])
        if points:
            points.append((at, points[-1][1]))
        points.append((at, change["attitude"]))
    if points and until > points[-1][0]:
        points.append((until, points[-1][1]))
    return points


_LAST_CHARTED = datetime(9999, 1, 1, tzinfo=UTC)
_ROOM_RIGHT = 40
"""Pixels right of the plot, so labels centred on its right edge are not cut off."""
_VALUE_ROOM = 96
"""Pixels right of a horizontal bar chart's plot, for the value printed after the longest bar."""


def whole_ticks(highest: int, most: int = 8) -> list[int]:
    """Whole-number axis ticks from 0 to at least ``highest``, at most ``most`` + 1 of them
    (counts have no fractions: 0, 0.5, 1 … would print as 0 0 1)."""
    step = max(1, -(-highest // most))
    return list(range(0, highest + step, step))


def attitude_trajectory(name: str, changes: Sequence[dict[str, Any]], *, start: datetime,
                        until: datetime, small: bool = True) -> Markup:
    """One person's attitude (−1…3) over time, as a step line from ``start`` to ``until``."""
    # pygal turns moments into float timestamps and back: near the end of year 9999 (a
    # page as of 9999-12-31) the round trip passes year 10000, so the axis stops earlier.
    until = min(until, _LAST_CHARTED)
    chart = pygal.DateTimeLine(**_config(
        width=520 if small else 900, height=190 if small else 260, range=(-1, 3),
        margin_right=_ROOM_RIGHT,  # the last month label is centred on the axis' end
        y_labels=[-1, 0, 1, 2, 3], x_label_rotation=0, show_dots=True, dots_size=3,
        value_formatter=lambda v: fmt.signed(int(v)),
        y_value_formatter=lambda v: f"{fmt.signed(int(v))} {fmt.attitude_short(int(v))}",
        x_value_formatter=fmt.month_of, xrange=(start.timestamp(), until.timestamp()),
        x_labels=_month_ticks(start, until, 4 if small else 8), stroke_style={"width": 3}))
    chart.add(name, attitude_steps(changes, until))
    summary = " → ".join(_("%(attitude)s on %(day)s") % {
        "attitude": fmt.signed(c["attitude"]), "day": fmt.day(c["occurred_at"])}
        for c in changes) or _("no attitude recorded")
    return _svg(chart, _("Attitude of %(name)s over time: %(summary)s") % {
        "name": name, "summary": summary})


def power_map_dots(grid: dict[str, dict[str, list[str]]]) -> Markup:
    """The role × attitude grid as a dot matrix: each dot's size is the number of people."""
    chart = pygal.Dot(**_config(width=460, height=250, x_label_rotation=0, show_legend=False,
                                print_values=True, value_formatter=lambda v: str(int(v) or ""),
                                style=BARS))
    chart.x_labels = [fmt.signed(a) for a in range(-1, 4)]
    for role, row in grid.items():
        chart.add(fmt.role(role), [len(row[str(a)]) for a in range(-1, 4)])
    text = "; ".join(f"{fmt.role(role)}: " + ", ".join(
        _("%(count)s at %(attitude)s") % {"count": len(row[str(a)]), "attitude": fmt.signed(a)}
        for a in range(-1, 4) if row[str(a)]) for role, row in grid.items())
    return _svg(chart, _("Power map, people by role and attitude: %(text)s") % {"text": text})


def score_history(points: Sequence[tuple[str, float | None]]) -> Markup:
    """The relationship score at a series of as-of points (label, score)."""
    known = [score for _label, score in points if score is not None]
    low = min([0.0, *known])
    high = min(100.0, max([50.0, *known]) + 10)
    chart = pygal.Line(**_config(
        width=900, height=280, print_values=True, range=(low, high), include_x_axis=True,
        margin_right=_ROOM_RIGHT,  # the last value is printed centred on the last point
        value_formatter=lambda v: fmt.score(v), x_label_rotation=0, dots_size=4,
        stroke_style={"width": 3}))
    chart.x_labels = [label for label, _score in points]
    chart.add(_("Relationship score"), [score for _label, score in points])
    text = ", ".join(f"{label}: {fmt.score(score)}" for label, score in points)
    return _svg(chart, _("Relationship score by month: %(text)s") % {"text": text})


def money_bars(groups: Iterable[tuple[str, str]], title: str, *, horizontal: bool = True,
               currency: str = "") -> Markup:
    """Bars of money amounts (label, amount string); the amounts are printed on the bars."""
    rows = [(label, Decimal(amount)) for label, amount in groups]
    cls = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = cls(**_config(
        width=900, height=max(220, 34 * len(rows) + 60) if horizontal else 300,
        margin_right=_VALUE_ROOM if horizontal else _ROOM_RIGHT,
        print_values=True, print_values_position="top", value_formatter=_amount, style=BARS,
        **({} if horizontal else {"show_minor_y_labels": False, "y_labels_major_count": 6})))
    chart.x_labels = [label for label, _value in rows]
    chart.add(title, [float(amount) for _label, amount in rows])
    text = ", ".join(f"{label} {fmt.money(str(amount))}" for label, amount in rows)
    return _svg(chart, f"{title} ({currency}): {text or _('none')}")


def count_bars(groups: Iterable[tuple[str, int]], title: str) -> Markup:
    """Horizontal bars of counts (label, count)."""
    rows = list(groups)
    chart = pygal.HorizontalBar(**_config(
        width=900, height=max(200, 34 * len(rows) + 60), print_values=True, style=BARS,
        print_values_position="top", value_formatter=lambda v: str(int(v)),
        margin_right=_VALUE_ROOM,
        y_labels=whole_ticks(max([count for _label, count in rows] + [1]))))
    chart.x_labels = [label for label, _value in rows]
    chart.add(title, [count for _label, count in rows])
    text = ", ".join(f"{label}: {count}" for label, count in rows)
    return _svg(chart, f"{title}: {text or _('none')}")


def score_bars(rows: Iterable[tuple[str, float | None]], title: str) -> Markup:
    """Horizontal bars of relationship scores (label, score)."""
    data = list(rows)[::-1]  # pygal draws horizontal bars bottom-up: first row on top
    chart = pygal.HorizontalBar(**_config(
        width=900, height=max(200, 34 * len(data) + 60), print_values=True,
        range=(-33.3, 100), include_x_axis=True, value_formatter=lambda v: fmt.score(v),
        margin_right=_VALUE_ROOM,
        style=BARS, print_values_position="top"))
    chart.x_labels = [label for label, _score in data]
    chart.add(title, [score for _label, score in data])
    text = ", ".join(f"{label}: {fmt.score(score)}" for label, score in data[::-1])
    return _svg(chart, f"{title}: {text}")


def running_spend(steps: Sequence[dict[str, Any]], name: str, currency: str, *,
                  start: datetime | None = None, until: datetime | None = None) -> Markup:
    """A stakeholder's cumulative spend after each step of their history, over the time
    axis from ``start`` to ``until`` when given (to line up with the attitude chart)."""
    points: list[tuple[datetime, float]] = []
    for step in steps:
        at, total = fmt.parse_time(step["occurred_at"]), float(Decimal(step["total_spend"]))
        if points and points[-1][1] != total:
            points.append((at, points[-1][1]))  # hold the level until the step: a staircase
        points.append((at, total))
    axis: dict[str, Any] = {}
    if start is not None and until is not None:
        until = min(until, _LAST_CHARTED)
        if points and until > points[-1][0]:
            points.append((until, points[-1][1]))
        axis = {"xrange": (start.timestamp(), until.timestamp()),
                "x_labels": _month_ticks(start, until, 8), "x_label_rotation": 0,
                "margin_right": _ROOM_RIGHT}
    chart = pygal.DateTimeLine(**_config(
        width=900, height=240, show_dots=False, fill=True, include_x_axis=True,
        x_value_formatter=fmt.month_of, value_formatter=_amount,
        show_minor_y_labels=False, y_labels_major_count=6, stroke_style={"width": 2},
        **axis))
    chart.add(_("Total spend"), points)
    final = steps[-1]["total_spend"] if steps else "0"
    return _svg(chart, _("Cumulative spend on %(name)s, reaching %(amount)s %(currency)s") % {
        "name": name, "amount": fmt.money(final), "currency": currency})


def _month_ticks(start: datetime, until: datetime, count: int) -> list[datetime]:
    """About ``count`` evenly spaced tick positions between two datetimes."""
    span = (until - start) / max(count, 1)
    if span <= timedelta(0):
        return [start]
    # The last tick is ``until`` itself: span * count, rounded to microseconds, may pass it
    # (and pass the last representable moment when the page is as of 9999-12-31).
    return [start + span * i for i in range(count)] + [until]
