"""The handover brief as JSON, Markdown and HTML (API and CLI): same content in all forms."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from api.render import format as fmt
from cli.app import app as cli
from tests.api.conftest import Api
from tests.api.routes.conftest import ACCOUNT
from tests.api.routes.test_ui import figures, shown

POINT = {"as_of": "2026-04-30", "known_at": "2026-05-15"}
PATH = f"/v1/accounts/{ACCOUNT}/handover"


def tokens_of(markdown: str) -> set[str]:
    """The block token types a CommonMark + tables parser finds in a document."""
    return {token.type for token in MarkdownIt("commonmark").enable("table").parse(markdown)}


def test_json_stays_the_default_form(demo: Api) -> None:
    """No ``format`` and ``format=json`` give the same JSON document."""
    plain = demo.get(PATH, **POINT)
    explicit = demo.get(PATH, format="json", **POINT)
    assert plain.headers["content-type"] == "application/json"
    assert plain.json() == explicit.json()


def test_markdown_renders_as_tables_and_lists(demo: Api) -> None:
    """text/markdown that a Markdown library parses into headings, tables and lists."""
    response = demo.get(PATH, format="md", **POINT)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/markdown")
    found = tokens_of(response.text)
    assert {"heading_open", "table_open", "th_open", "td_open", "bullet_list_open"} <= found
    html = MarkdownIt("commonmark").enable("table").render(response.text)
    assert html.count("<table>") >= 6 and "<li>" in html


def test_markdown_carries_every_figure_of_the_json_brief(demo: Api) -> None:
    """Score, coverage, stage, people, opportunities, spend and flags all appear."""
    brief = demo.get(PATH, **POINT).json()
    text = demo.get(PATH, format="md", **POINT).text
    assert f"| Relationship score | {fmt.score(brief['score'])} |" in text
    assert f"| Score 90 days earlier | {fmt.score(brief['score_90_days_earlier'])} |" in text
    assert f"| Decision coverage | {fmt.coverage(brief['decision_coverage'])} |" in text
    assert f"| Tier | {brief['tier']} |" in text
    assert brief["as_of"] in text and brief["known_at"] in text
    for sid in brief["coaches"] + brief["opponents"] + brief["stale_key_relationships"]:
        assert f"({sid})" in text
    for person in brief["weak_key_people"]:
        assert f"({person['stakeholder_id']})" in text
    for opportunity in brief["opportunities"]:
        assert opportunity["name"] in text
    spend = brief["spend_last_12_months"]
    for group in spend["by_kind"]["groups"] + spend["by_stakeholder"]["groups"]:
        assert f"| {group['engagement_count']} | {fmt.money(group['total'])} |" in text
    assert f"**{fmt.money(spend['by_kind']['total'])}**" in text
    for flag in brief["open_flags"]:
        assert flag["engagement_id"] in text
    for sid in brief["trajectories"]:
        assert f"- {brief['names'][sid]} ({sid}): " in text


def test_html_is_a_standalone_page_with_the_same_figures_and_charts(
        demo: Api) -> None:
    """A full page (inline styles, SVG charts, no scripts or remote resources)."""
    brief = demo.get(PATH, **POINT).json()
    response = demo.get(PATH, format="html", **POINT)
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    shown_figures = figures(page)
    for name in ("score", "score_90_days_earlier", "decision_coverage", "org_stage", "tier"):
        assert shown_figures[name] == shown(brief[name]), name
    assert shown_figures["spend_total"] == brief["spend_last_12_months"]["by_kind"]["total"]
    assert shown_figures["open_flags"] == str(len(brief["open_flags"]))
    assert page.count("<svg") == len(brief["trajectories"]) + 2
    assert "<script" not in page and "<link" not in page
    assert not re.search(r'(src|href)="https?://', page)
    assert "as it stood at end of 30 Apr 2026 (UTC), as recorded by end of 15 May 2026" in page


def test_an_unknown_format_is_a_422_problem(demo: Api) -> None:
    """Only json, md and html exist."""
    response = demo.get(PATH, format="pdf")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_every_format_needs_a_token_and_a_known_account(demo: Api) -> None:
    """401 without a bearer token; 404 problem for an unknown account, in any format."""
    assert demo.client.get(PATH, params={"format": "md"}).status_code == 401
    missing = demo.get("/v1/accounts/nope/handover", format="html")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("form", ["json", "md", "html"])
def test_cli_handover_gives_what_the_api_gives(demo: Api, tmp_path: Path,
                                               form: str) -> None:
    """`ledger handover ACCOUNT --format F` (views caught up from the log) equals the API."""
    settings = demo.runtime.settings
    target = tmp_path / f"brief.{form}"
    result = CliRunner().invoke(cli, [
        "handover", ACCOUNT, "--database-url", settings.database_url,
        "--views-path", str(tmp_path / "cli-views.db"), "--as-of", POINT["as_of"],
        "--known-at", POINT["known_at"], "--format", form, "-o", str(target)])
    assert result.exit_code == 0, result.output
    api = demo.get(PATH, format=form, **POINT)
    if form == "json":
        assert json.loads(target.read_text()) == api.json()
    elif form == "md":
        assert target.read_text() == api.text
    else:
        assert figures(target.read_text()) == figures(api.text)


def test_cli_handover_names_a_bad_date_or_account_in_one_line(demo: Api) -> None:
    """Errors are one line on stderr and a non-zero exit, never a traceback."""
    url = demo.runtime.settings.database_url
    bad_date = CliRunner().invoke(cli, ["handover", ACCOUNT, "--database-url", url,
                                        "--as-of", "yesterday"])
    assert bad_date.exit_code == 2 and "as_of" in bad_date.output
    unknown = CliRunner().invoke(cli, ["handover", "nope", "--database-url", url])
    assert unknown.exit_code == 1 and "nope" in unknown.output
    assert "Traceback" not in bad_date.output + unknown.output


@pytest.mark.parametrize(("value", "text"), [("13810.59", "13,810.59"), ("0.00", "0.00"),
                                             ("1000", "1,000"), (None, "–")])
def test_money_keeps_its_decimals_and_gains_separators(value: str | None, text: str) -> None:
    """Amounts are shown as the API gives them, only grouped."""
    assert fmt.money(value) == text


@pytest.mark.parametrize(("value", "text"), [(0.5, "50 %"), (0.75, "75 %"),
                                             (0.3333, "33.33 %"), (None, "n/a")])
def test_coverage_reads_as_a_percentage(value: float | None, text: str) -> None:
    """Decision coverage fractions read as percentages, exactly."""
    assert fmt.coverage(value) == text


@pytest.mark.parametrize(("as_of", "owner"), [("2025-09-30", "kenji.watanabe"),
                                              ("2026-01-31", "yuki.mori")])
def test_every_form_names_the_team_of_the_briefs_day(demo: Api, as_of: str, owner: str) -> None:
    """The demo's handover of Hikari Networks (late November 2025): each form of the brief
    names the owner of its own day."""
    path = "/v1/accounts/hikari-networks/handover"
    assert demo.get(path, as_of=as_of).json()["team"]["owner"] == owner
    assert f"`{owner}` (owner)" in demo.get(path, as_of=as_of, format="md").text
    assert f'data-figure="team_owner" value="{owner}"' in demo.get(
        path, as_of=as_of, format="html").text
