"""The handover brief as Markdown: tables and lists that paste into an e-mail or a wiki."""

from __future__ import annotations

from typing import Any

from api.render import format as fmt


def _team(team: dict[str, Any] | None) -> str:
    if not team:
        return "none set"
    return ", ".join([f"`{team['owner']}` (owner)", *(f"`{m}`" for m in team["members"])])


def brief_markdown(brief: dict[str, Any]) -> str:
    """Render a handover brief (the JSON dict) as a GitHub-flavoured Markdown document."""
    names: dict[str, str] = brief.get("names", {})
    currency = brief.get("currency", "")
    lines = [
        f"# Handover brief: {_cell(brief.get('name') or brief['account_id'])}",
        "",
        f"_{fmt.point_sentence(brief['as_of'], brief['known_at'])}_ "
        f"(as_of `{brief['as_of']}`, known_at `{brief['known_at']}`; amounts in {currency})",
        "",
        "## Summary",
        "",
        *_table(["Figure", "Value"], [
            ["Account", f"{_cell(brief.get('name', ''))} (`{brief['account_id']}`)"],
            ["Tier", brief["tier"]],
            ["Team", _team(brief.get("team"))],
            ["Organizational stage", fmt.STAGES.get(brief["org_stage"], brief["org_stage"])],
            ["Relationship score", fmt.score(brief["score"])],
            ["Score 90 days earlier", fmt.score(brief["score_90_days_earlier"])],
            ["Change over 90 days",
             fmt.delta(brief["score"], brief["score_90_days_earlier"]) or "n/a"],
            ["Decision coverage", fmt.coverage(brief["decision_coverage"])],
            ["Open compliance flags", str(len(brief["open_flags"]))],
        ]),
        "",
        "## Power map (role × attitude)",
        "",
        *_table(["Role", *(f"{fmt.signed(a)} {fmt.ATTITUDE_SHORT[a]}" for a in range(-1, 4))],
                [[fmt.role(role), *(", ".join(_cell(names.get(s, s)) for s in row[str(a)])
                                    or "–" for a in range(-1, 4))]
                 for role, row in brief["grid"].items()]),
        "",
        "## Coaches and opponents",
        "",
        "Coaches (attitude +3):",
        "",
        *_items(fmt.who(names, s) for s in brief["coaches"]),
        "",
        "Opponents (attitude −1):",
        "",
        *_items(fmt.who(names, s) for s in brief["opponents"]),
        "",
        "## Stale key relationships (no engagement in 90 days)",
        "",
        *_items(fmt.who(names, s) for s in brief["stale_key_relationships"]),
        "",
        "## Weak key people and recommended remedies",
        "",
        *_weak(brief["weak_key_people"], names),
        "",
        "## Open opportunities",
        "",
        *_opportunities(brief["opportunities"]),
        *_spend(brief["spend_last_12_months"], names, currency),
        "## Open compliance flags",
        "",
        *_flags(brief["open_flags"], names),
        "",
        "## Attitude trajectories of key people",
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
    return items or ["- none"]


def _weak(people: list[dict[str, Any]], names: dict[str, str]) -> list[str]:
    if not people:
        return ["- none"]
    return _table(["Stakeholder", "Role", "Attitude", "Remedies not used in 365 days"], [
        [fmt.who(names, p["stakeholder_id"]), fmt.role(p.get("role")),
         fmt.attitude(p["attitude"]),
         ", ".join(fmt.humanize(r) for r in p["remedies"]) or "all used"] for p in people])


def _opportunities(opportunities: list[dict[str, Any]]) -> list[str]:
    if not opportunities:
        return ["- none", ""]
    out: list[str] = []
    for opp in opportunities:
        value = opp.get("value")
        worth = f", value {fmt.money(value['amount'])} {value['currency']}" if value else ""
        out += [f"### {_cell(opp['name'])} (`{opp['opportunity_id']}`{worth})", ""]
        rows = [[fmt.GROUP_LABELS.get(group, group), "; ".join(_placed(m) for m in members) or "–"]
                for group, members in opp["groups"].items()]
        out += _table(["Fishbone group", "Placed stakeholders (closest first)"], rows)
        out += ["", "Key people (proximity 1): "
                + (", ".join(opp.get("key_people", [])) or "none"), ""]
    return out


def _placed(member: dict[str, Any]) -> str:
    return (f"{member.get('name') or member['stakeholder_id']} — proximity "
            f"{member['proximity']}, {fmt.role(member['role'])}, "
            f"attitude {fmt.signed(member['attitude'])}")


def _spend(spend: dict[str, Any], names: dict[str, str], currency: str) -> list[str]:
    window = f"{fmt.day(spend.get('from'))} – {fmt.day(spend.get('to'))}"
    out = [f"## Spend, last 12 months ({window}, {currency})", "", "By kind:", ""]
    by_kind = spend["by_kind"]
    total = fmt.money(by_kind["total"])
    out += _table(["Kind", "Engagements", f"Total ({currency})"],
                  [[fmt.humanize(g["key"]), str(g["engagement_count"]), fmt.money(g["total"])]
                   for g in by_kind["groups"]] + [["**Total**", "", f"**{total}**"]])
    out += ["", "By stakeholder (top 10):", ""]
    out += _table(["Stakeholder", "Engagements", f"Total ({currency})"],
                  [[fmt.who(names, g["key"]), str(g["engagement_count"]), fmt.money(g["total"])]
                   for g in spend["by_stakeholder"]["groups"]])
    unconverted = by_kind.get("unconverted") or []
    if unconverted:
        out += ["", "Left out of the totals (no exchange rate):", ""]
        out += _items(f"{u['engagement_id']}: {u['cost']['amount']} {u['cost']['currency']}"
                      for u in unconverted)
    return [*out, ""]


def _flags(flags: list[dict[str, Any]], names: dict[str, str]) -> list[str]:
    if not flags:
        return ["- none"]
    return _table(["Flag", "Engagement", "Stakeholder", "Amount", "Limit", "Occurred",
                   "Recorded"], [
        [fmt.FLAGS.get(f["flag"], f["flag"]), f["engagement_id"],
         fmt.who(names, f["stakeholder_id"]) if f["stakeholder_id"] else "–",
         fmt.money(f["amount"]), fmt.limit(f["limit"]),
         fmt.day(f["occurred_at"]), fmt.day(f["recorded_at"])] for f in flags])
