"""The web UI over the demo data: sign-in, and every page's figures against the JSON API."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.render import format as fmt
from tests.api.conftest import ADMIN_TOKEN, Api
from tests.api.routes.conftest import ACCOUNT

PAGES = ["/ui/", f"/ui/accounts/{ACCOUNT}", "/ui/stakeholders/nt-anja-lorenz",
         "/ui/compliance"]


def sign_in(client: TestClient, token: str, next: str = "/ui/", **headers: str):
    """Post the login form as a browser would: with the anti-forgery value of the form
    just fetched (and its cookie)."""
    form = client.get("/ui/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf is not None
    return client.post("/ui/login", data={"token": token, "next": next, "csrf": csrf[1]},
                       headers=headers, follow_redirects=False)


@pytest.fixture
def browser(demo: Api) -> TestClient:
    """The demo's test client, signed in to the UI with the auditor's token."""
    token = demo.auditor["Authorization"].removeprefix("Bearer ")
    response = sign_in(demo.client, token)
    assert response.status_code == 303
    return demo.client


def figures(html: str) -> dict[str, str]:
    """The ``<data data-figure=NAME value=V>`` figures of a page (first occurrence wins)."""
    found: dict[str, str] = {}
    for name, value in re.findall(r'data-figure="([^"]+)" value="([^"]*)"', html):
        found.setdefault(name, value)
    return found


def shown(value: Any) -> str:
    """How a JSON value appears in a ``data`` element's value."""
    return "" if value is None else str(value)


def section(html: str, attribute: str, value: str) -> str:
    """The table row (``<tr ATTRIBUTE="VALUE" …>…</tr>``) of a page."""
    match = re.search(rf'<tr {attribute}="{re.escape(value)}".*?</tr>', html, re.DOTALL)
    assert match, f"no row {attribute}={value}"
    return match.group(0)


@pytest.mark.parametrize("path", PAGES)
def test_pages_without_a_token_redirect_to_the_login_form_and_reveal_nothing(
        demo: Api, path: str) -> None:
    """No cookie: a bare 303 to the login form that remembers the page."""
    response = demo.client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/ui/login?next=/ui/")
    assert response.content == b""


@pytest.mark.parametrize("path", PAGES)
def test_an_unknown_or_bearer_only_token_does_not_open_a_page(demo: Api, path: str) -> None:
    """A made-up cookie is refused (and dropped); a bearer header is not a UI sign-in."""
    demo.client.cookies.set("ledger_token", "not-a-token")
    refused = demo.client.get(path, follow_redirects=False)
    assert refused.status_code == 303 and "ledger_token" in refused.headers["set-cookie"]
    demo.client.cookies.clear()
    assert demo.client.get(path, headers=demo.admin, follow_redirects=False).status_code == 303


def test_signing_in_stores_the_token_in_an_httponly_strict_cookie(demo: Api) -> None:
    """The login form checks the token like the API and goes on to the requested page."""
    page = demo.client.get("/ui/login", params={"next": f"/ui/accounts/{ACCOUNT}"})
    assert 'type="password"' in page.text and "<label for=\"token\">" in page.text
    response = sign_in(demo.client, ADMIN_TOKEN, f"/ui/accounts/{ACCOUNT}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/ui/accounts/{ACCOUNT}"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/ui" in cookie
    assert demo.client.get(f"/ui/accounts/{ACCOUNT}").status_code == 200


def test_a_wrong_token_is_refused_at_sign_in_without_a_cookie(demo: Api) -> None:
    """A bad token re-shows the form with an error and sets nothing."""
    response = sign_in(demo.client, "guess")
    assert response.status_code == 401
    assert "unknown or revoked" in response.text
    assert "ledger_token=" not in response.headers.get("set-cookie", "")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/ui/",
                                    "/v1/accounts", "/ui/\\evil"])
def test_sign_in_never_redirects_outside_the_ui(demo: Api, target: str) -> None:
    """``next`` must be a path inside /ui/ (no open redirect)."""
    response = sign_in(demo.client, ADMIN_TOKEN, target)
    assert response.headers["location"] == "/ui/"


def test_sign_in_from_another_site_is_refused(demo: Api) -> None:
    """Login CSRF: a post whose Origin (or Referer) is another site signs nobody in."""
    for headers in ({"origin": "https://evil.example"},
                    {"referer": "https://evil.example/form"}):
        response = sign_in(demo.client, ADMIN_TOKEN, **headers)
        assert response.status_code == 403 and "evil.example" in response.text
        assert "ledger_token=" not in response.headers.get("set-cookie", "")
    assert sign_in(demo.client, ADMIN_TOKEN, origin="http://testserver").status_code == 303


def test_sign_in_without_the_forms_anti_forgery_value_is_refused(demo: Api) -> None:
    """A post made without this site's form (no or a wrong csrf value) signs nobody in."""
    for csrf in ("", "made-up"):
        response = demo.client.post("/ui/login", data={"token": ADMIN_TOKEN, "csrf": csrf},
                                    follow_redirects=False)
        assert response.status_code == 403
        assert "ledger_token=" not in response.headers.get("set-cookie", "")


def test_signing_out_forgets_the_token(browser: TestClient) -> None:
    """After sign-out every page redirects to the login form again."""
    browser.post("/ui/logout", follow_redirects=False)
    browser.cookies.clear()  # the test client keeps expired cookies; a browser would not
    assert browser.get("/ui/", follow_redirects=False).status_code == 303


def test_accounts_page_shows_the_api_figures_of_every_account(browser: TestClient,
                                                              demo: Api) -> None:
    """Tier, score, coverage, stage and spend per account are the JSON API's."""
    api = demo.get("/v1/accounts").json()
    html = browser.get("/ui/").text
    assert len(api["accounts"]) == 6
    for account in api["accounts"]:
        row = figures(section(html, "data-account", account["account_id"]))
        for name in ("tier", "score", "decision_coverage", "org_stage", "total_spend"):
            assert row[name] == shown(account[name]), (account["account_id"], name)
        assert fmt.money(account["total_spend"]) in section(html, "data-account",
                                                             account["account_id"])
    assert html.count("<svg") == 1


@pytest.mark.parametrize("point", [{}, {"as_of": "2026-01-15"},
                                   {"as_of": "2026-03-01", "known_at": "2026-03-01"}])
def test_handover_page_shows_the_figures_of_the_json_brief(browser: TestClient, demo: Api,
                                                           point: dict[str, str]) -> None:
    """Score, coverage, stage, spend and flags match the API at the same point."""
    brief = demo.get(f"/v1/accounts/{ACCOUNT}/handover", **point).json()
    html = browser.get(f"/ui/accounts/{ACCOUNT}", params=point).text
    shown_figures = figures(html)
    for name in ("score", "score_90_days_earlier", "decision_coverage", "org_stage", "tier"):
        assert shown_figures[name] == shown(brief[name]), name
    spend = brief["spend_last_12_months"]
    assert shown_figures["spend_total"] == spend["by_kind"]["total"]
    assert shown_figures["open_flags"] == str(len(brief["open_flags"]))
    for group in spend["by_kind"]["groups"]:
        assert shown_figures[f"spend-kind:{group['key']}"] == group["total"]
    for group in spend["by_stakeholder"]["groups"]:
        assert shown_figures[f"spend-stakeholder:{group['key'] or ''}"] == group["total"]
    for sid in brief["coaches"] + brief["opponents"]:
        assert brief["names"][sid] in html
    for opportunity in brief["opportunities"]:
        assert f'data-opportunity="{opportunity["opportunity_id"]}"' in html
    assert html.count('data-chart="trajectory"') == len(brief["trajectories"])
    assert f'data-point-as-of="{brief["as_of"][:10]}' in html


def test_handover_page_draws_every_chart(browser: TestClient) -> None:
    """Trajectories, score history, spend by kind and month as SVG; grid and fishbone."""
    html = browser.get(f"/ui/accounts/{ACCOUNT}").text
    for chart in ("score-history", "spend-by-kind", "spend-by-month", "trajectory"):
        assert re.search(rf'data-chart="{chart}"[^>]*>.*?<svg', html, re.DOTALL), chart
    assert 'data-chart="power-map"' in html and 'class="fishbone"' in html
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")


def test_score_history_ends_at_the_brief_score_and_spend_by_month_adds_up(
        demo: Api) -> None:
    """The last monthly point is the brief's score; months sum to the 12-month total."""
    from api.ui.pages import handover_page
    from projections.timeaxis import parse_point

    at = parse_point("2026-05-31", None)
    page = demo.runtime.read(handover_page, ACCOUNT, at)
    brief = demo.get(f"/v1/accounts/{ACCOUNT}/handover", as_of="2026-05-31").json()
    assert len(page["score_history"]) == 13
    assert page["score_history"][-1] == ("May 2026", brief["score"])
    months = page["spend_by_month"]
    assert months["total"] == brief["spend_last_12_months"]["by_kind"]["total"]
    assert sum(Decimal(g["total"]) for g in months["groups"]) == Decimal(months["total"])


def test_stakeholder_page_shows_every_step_of_the_history(browser: TestClient,
                                                          demo: Api) -> None:
    """One row per history step with the running figures; the person's figures on top."""
    sid = "nt-anja-lorenz"
    person = demo.get(f"/v1/stakeholders/{sid}").json()
    history = demo.get(f"/v1/stakeholders/{sid}/history").json()
    html = browser.get(f"/ui/stakeholders/{sid}").text
    shown_figures = figures(html)
    for name in ("attitude", "role", "ladder_level", "total_spend", "cost_per_attitude_point"):
        assert shown_figures[name] == shown(person[name]), name
    assert html.count("<tr data-position=") == len(history["steps"]) > 5
    for step in history["steps"]:
        row = section(html, "data-position", str(step["position"]))
        assert figures(row)["step_total_spend"] == step["total_spend"]
    assert 'data-chart="attitude"' in html and html.count("<svg") == 2


@pytest.mark.parametrize("filters", [{}, {"account_id": ACCOUNT},
                                     {"flag": "late_entry"}, {"status": "all"},
                                     {"account_id": ACCOUNT, "status": "resolved"}])
def test_compliance_page_lists_the_flags_the_api_returns(browser: TestClient, demo: Api,
                                                         filters: dict[str, str]) -> None:
    """Open flags by default, filterable by account, kind and status, as the API."""
    status = filters.get("status", "open")
    params = {k: v for k, v in filters.items() if k != "status"}
    if status != "all":
        params["open"] = str(status == "open").lower()
    flags = demo.get("/v1/compliance/flags", **params).json()["flags"]
    html = browser.get("/ui/compliance", params=filters).text
    assert figures(html)["flag_count"] == str(len(flags)) and flags
    rows = re.findall(r'<tr data-flag="([^"]+)" data-engagement="([^"]+)"', html)
    assert rows == [(f["flag"], f["engagement_id"]) for f in flags]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_says_which_point_in_time_it_shows(browser: TestClient, path: str) -> None:
    """The chosen as_of and known_at are stated in words and kept in the date control."""
    html = browser.get(path, params={"as_of": "2026-02-01", "known_at": "2026-04-30"}).text
    assert "as it stood at end of 1 Feb 2026 (UTC), as recorded by end of 30 Apr 2026" in html
    assert 'name="as_of" value="2026-02-01"' in html
    assert 'name="known_at" value="2026-04-30"' in html


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_as_of_the_last_day_of_year_9999(browser: TestClient,
                                                            path: str) -> None:
    """The charts' time axis stops short of year 10000 (it once crashed pygal)."""
    assert browser.get(path, params={"as_of": "9999-12-31"}).status_code == 200


def test_a_bad_date_or_unknown_account_is_an_error_page_not_a_crash(
        browser: TestClient) -> None:
    """422 and 404 come back as readable pages."""
    bad = browser.get("/ui/", params={"as_of": "yesterday"})
    assert bad.status_code == 422 and "as_of" in bad.text and "<html" in bad.text
    missing = browser.get("/ui/accounts/no-such-account")
    assert missing.status_code == 404 and "no-such-account" in missing.text


def test_ui_pages_are_not_cached_and_keep_out_of_the_openapi_document(
        browser: TestClient) -> None:
    """Pages carry no-store and a strict CSP; the OpenAPI document lists no UI route."""
    response = browser.get("/ui/")
    assert response.headers["cache-control"] == "no-store"
    assert "script-src 'none'" in response.headers["content-security-policy"]
    assert not [p for p in browser.get("/openapi.json").json()["paths"] if p.startswith("/ui")]
    css = browser.get("/ui/static/ledger.css")
    assert css.status_code == 200 and "@media print" in css.text
