"""The handover brief as Markdown: tables and lists that paste into an e-mail or a wiki."""

from __future__ import annotations

from typing import Any

from api.render import format as fmt
from api.render.i18n import DEFAULT, language
from api.render.i18n import gettext as _


def _team(team: dict[str, Any] | None) -> str:
    if not team:
        return _("none set")
    return ", ".join([f"`{team['owner']}` ({_('owner')})", *(f"`{m}`" for m in team["members"])])


def brief_markdown(brief: dict[str, Any], locale: str = DEFAULT) -> str:
    """Render a handover brief (the JSON dict) as a GitHub-flavoured Markdown document, in
    English or Simplified Chinese."""
    with language(locale):
        return _markdown(brief)


def _markdown(brief: dict[str, Any]) -> str:
    names: dict[str, str] = brief.get("names", {})
    currency = brief.get("currency", "")
    lines = [
        f"# {_('Handover brief')}: {_cell(brief.get('name') or brief['account_id'])}",
        "",
        f"_{fmt.point_sentence(brief['as_of'], brief['known_at'])}_ "
        f"(as_of `{brief['as_of']}`, known_at `{brief['known_at']}`; "
        + _("amounts in %(currency)s") % {"currency": currency} + ")",
        "",
        "## " + _("Summary"),
        "",
        *_table([_("Figure"), _("Value")], [
            [_("Account"), f"{_cell(brief.get('name', ''))} (`{brief['account_id']}`)"],
            [_("Tier"), fmt.humanize(brief["tier"])],
            [_("Team"), _team(brief.get("team"))],
            [_("Organizational stage"), fmt.label(fmt.STAGES, brief["org_stage"])],
            [_("Relationship score"), fmt.score(brief["score"])],
            [_("Score 90 days earlier"), fmt.score(brief["score_90_days_earlier"])],
            [_("Change over 90 days"),
             fmt.delta(brief["score"], brief["score_90_days_earlier"]) or _("n/a")],
            [_("Decision coverage"), fmt.coverage(brief["decision_coverage"])],
            [_("Open compliance flags"), str(len(brief["open_flags"]))],
        ]),
        "",
        "## " + _("Power map (role × attitude)"),
        "",
        *_table([_("Role"), *(f"{fmt.signed(a)} {fmt.attitude_short(a)}" for a in range(-1, 4))],
                [[fmt.role(role), *(", ".join(_cell(names.get(s, s)) for s in row[str(a)])
                                    or "–" for a in range(-1, 4))]
                 for role, row in brief["grid"].items()]),
        "",
        "## " + _("Coaches and opponents"),
        "",
        _("Coaches (attitude +3):"),
        "",
        *_items(fmt.who(names, s) for s in brief["coaches"]),
        "",
        _("Opponents (attitude −1):"),
        "",
        *_items(fmt.who(names, s) for s in brief["opponents"]),
        "",
        "## " + _("Stale key relationships (no engagement in 90 days)"),
        "",
        *_items(fmt.who(names, s) for s in brief["stale_key_relationships"]),
        "",
        "## " + _("Weak key people and recommended remedies"),
        "",
        *_weak(brief["weak_key_people"], names),
        "",
        "## " + _("Open opportunities"),
        "",
        *_opportunities(brief["opportunities"]),
        *_spend(brief["spend_last_12_months"], names, currency),
        "## " + _("Open compliance flags"),
        "",
        *_flags(brief["open_flags"], names),
        "",
        "## " + _("Attitude trajectories of key people"),
        "",
        *_items(f"{fmt.who(names, sid)}: " + " → ".join(
            f"{fmt.signed(step['attitude'])} ({fmt.day(step['occurred_at'])})"
            for step in steps) for sid, steps in brief["trajectories"].items()),
        "",
    ]
    return "\n".join(lines)


def _cell(text: Any) -> str:
    """Text safe inside a table cell or list item: pipes, newlines and HTML escaped."""
    return (str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
            .replace("<", "&lt;").replace(">", "&gt;"))


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def _items(texts: Any) -> list[str]:
    items = [f"- {_cell(text)}" for text in texts]
    return items or ["- " + _("none")]


def _weak(people: list[dict[str, Any]], names: dict[str, str]) -> list[str]:
    if not people:
        return ["- " + _("none")]
    return _table([_("Stakeholder"), _("Role"), _("Attitude"),
                   _("Remedies not used in 365 days")], [
        [fmt.who(names, p["stakeholder_id"]), fmt.role(p.get("role")),
         fmt.attitude(p["attitude"]),
         ", ".join(fmt.humanize(r) for r in p["remedies"]) or _("all used")] for p in people])


def _opportunities(opportunities: list[dict[str, Any]]) -> list[str]:
    if not opportunities:
        return ["- " + _("none"), ""]
    out: list[str] = []
    for opp in opportunities:
        value = opp.get("value")
        worth = (", " + _("value %(amount)s %(currency)s") % {
            "amount": fmt.money(value["amount"]), "currency": value["currency"]}) if value else ""
        out += [f"### {_cell(opp['name'])} (`{opp['opportunity_id']}`{worth})", ""]
        rows = [[fmt.label(fmt.GROUP_LABELS, group), "; ".join(_placed(m) for m in members) or "–"]
                for group, members in opp["groups"].items()]
        out += _table([_("Fishbone group"), _("Placed stakeholders (closest first)")], rows)
        out += ["", _("Key people (proximity 1):") + " "
                + (", ".join(opp.get("key_people", [])) or _("none")), ""]
    return out


def _placed(member: dict[str, Any]) -> str:
    return _("%(name)s — proximity %(proximity)s, %(role)s, attitude %(attitude)s") % {
        "name": member.get("name") or member["stakeholder_id"],
        "proximity": member["proximity"], "role": fmt.role(member["role"]),
        "attitude": fmt.signed(member["attitude"])}


def _spend(spend: dict[str, Any], names: dict[str, str], currency: str) -> list[str]:
    window = f"{fmt.day(spend.get('from'))} – {fmt.day(spend.get('to'))}"
    out = ["## " + _("Spend, last 12 months") + f" ({window}, {currency})", "",
           _("By kind:"), ""]
    by_kind = spend["by_kind"]
    total = fmt.money(by_kind["total"])
    out += _table([_("Kind"), _("Engagements"), f"{_('Total')} ({currency})"],
                  [[fmt.humanize(g["key"]), str(g["engagement_count"]), fmt.money(g["total"])]
                   for g in by_kind["groups"]] + [[f"**{_('Total')}**", "", f"**{total}**"]])
    out += ["", _("By stakeholder (top 10):"), ""]
    out += _table([_("Stakeholder"), _("Engagements"), f"{_('Total')} ({currency})"],
                  [[fmt.who(names, g["key"]), str(g["engagement_count"]), fmt.money(g["total"])]
                   for g in spend["by_stakeholder"]["groups"]])
    unconverted = by_kind.get("unconverted") or []
    if unconverted:
        out += ["", _("Left out of the totals (no exchange rate):"), ""]
        out += _items(f"{u['engagement_id']}: {u['cost']['amount']} {u['cost']['currency']}"
                      for u in unconverted)
    return [*out, ""]


def _flags(flags: list[dict[str, Any]], names: dict[str, str]) -> list[str]:
    if not flags:
        return ["- " + _("none")]
    return _table([_("Flag"), _("Engagement"), _("Stakeholder"), _("Amount"), _("Limit"),
                   _("Occurred"), _("Recorded")], [
        [fmt.label(fmt.FLAGS, f["flag"]), f["engagement_id"],
         fmt.who(names, f["stakeholder_id"]) if f["stakeholder_id"] else "–",
         fmt.money(f["amount"]), fmt.limit(f["limit"]),
         fmt.day(f["occurred_at"]), fmt.day(f["recorded_at"])] for f in flags])
