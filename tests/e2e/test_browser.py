"""The web UI in headless Chromium against a real `ledger serve` over the demo data.

Uses Debian's ``/usr/bin/chromium`` (or ``LEDGER_TEST_CHROMIUM``) driven by Playwright;
never a browser downloaded by Playwright. In CI (``CI=true``) the test must run; elsewhere
it is skipped with a message when Chromium or Playwright is missing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.serving import free_port, ledger_serve

CHROMIUM = os.environ.get("LEDGER_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ACCOUNT = "nordlicht-telekom"
FIGURES = ("score", "score_90_days_earlier", "decision_coverage", "org_stage", "tier",
           "spend_total", "open_flags")


def require_browser() -> None:
    """Skip (or, in CI, fail) when Playwright or the system Chromium is missing."""
    problem = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problem = "the playwright package is not installed (pip install -e '.[dev]')"
    if problem is None and not os.access(CHROMIUM, os.X_OK):
        problem = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{problem} (the browser test is mandatory in CI)")
    pytest.skip(f"{problem}; set LEDGER_TEST_CHROMIUM to a Chromium binary to run it")


def ledger(*args: str, env: dict[str, str]) -> str:
    """Run a ``ledger`` command to completion and return its standard output."""
    done = subprocess.run([sys.executable, "-m", "cli.app", *args], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _serve_demo(tmp_path: Path, *token: str) -> Iterator[tuple[str, str]]:
    """A `ledger serve` over the demo data, and a token made with the CLI (``token`` are
    the options of ``ledger token create``)."""
    require_browser()
    port = free_port()
    env = {**os.environ, "LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/ledger.db",
           "LEDGER_PORT": str(port), "COLUMNS": "300"}
    env.pop("LEDGER_ADMIN_TOKEN", None)
    ledger("demo", env=env)
    secret = ledger("token", "create", *token, env=env).split()[-1]
    with ledger_serve(env, port) as url:
        yield url, secret


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The demo served, and an auditor token of scope all."""
    yield from _serve_demo(tmp_path, "--role", "auditor", "--name", "director")


@pytest.fixture
def served_to_a_team(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The demo served, and the team token of Albion Connect's account manager."""
    yield from _serve_demo(tmp_path, "--role", "recorder", "--name", "priya.raman",
                           "--scope", "team")


@contextmanager
def chromium_page() -> Iterator[Any]:
    """A page of a headless Chromium (Debian's, driven by Playwright), closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 900})
        finally:
            browser.close()


def shown_figures(page: Any) -> dict[str, str]:
    """The key figures the page shows (the ``value`` of each ``data-figure`` element)."""
    return {name: page.locator(f'[data-figure="{name}"]').first.get_attribute("value")
            for name in FIGURES}


def api_figures(url: str, token: str, page: Any) -> dict[str, str]:
    """The same figures from the JSON API, at exactly the point the page states."""
    point = page.locator(".point").first
    brief = httpx.get(f"{url}/v1/accounts/{ACCOUNT}/handover", timeout=30,
                      headers={"Authorization": f"Bearer {token}"},
                      params={"as_of": point.get_attribute("data-point-as-of"),
                              "known_at": point.get_attribute("data-point-known-at")}).json()
    spend = brief["spend_last_12_months"]["by_kind"]["total"]
    values = {**brief, "spend_total": spend, "open_flags": len(brief["open_flags"])}
    return {name: "" if values[name] is None else str(values[name]) for name in FIGURES}


def test_a_director_signs_in_reads_the_handover_and_turns_back_the_clock(
        served: tuple[str, str], tmp_path: Path) -> None:
    """Login, handover page with rendered charts, date switch; figures equal the API's."""
    from playwright.sync_api import sync_playwright

    url, token = served
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{url}/ui/accounts/{ACCOUNT}")
            assert "/ui/login" in page.url and "Nordlicht" not in page.content()
            page.get_by_label("API token").fill(token)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"**/ui/accounts/{ACCOUNT}")
            assert page.get_by_role("heading", level=1).inner_text().startswith("Nordlicht")
            assert shown_figures(page) == api_figures(url, token, page)
            charts = page.locator("figure.chart svg")
            assert charts.count() >= 4
            box = charts.first.bounding_box()
            assert box is not None and box["width"] > 200 and box["height"] > 50
            assert page.locator("figure.chart svg path, figure.chart svg rect").count() > 50
            assert page.locator('table[data-chart="power-map"] td').count() == 25
            page.screenshot(path=str(tmp_path / "handover-now.png"), full_page=True)

            then = (datetime.now(UTC) - timedelta(days=200)).date()
            known = then + timedelta(days=30)
            page.get_by_label("As of (valid time)").fill(then.isoformat())
            page.get_by_label("As recorded by (transaction time)").fill(known.isoformat())
            page.get_by_role("button", name="Show").click()
            page.wait_for_url(f"**as_of={then.isoformat()}**")
            statement = page.locator(".point").first.inner_text()
            assert f"as it stood at end of {then.day} {then:%b %Y} (UTC)" in statement
            assert f"as recorded by end of {known.day} {known:%b %Y} (UTC)" in statement
            assert page.locator("#as_of").input_value() == then.isoformat()
            assert shown_figures(page) == api_figures(url, token, page)
            assert page.locator("figure.chart svg").count() >= 4
            page.screenshot(path=str(tmp_path / "handover-then.png"), full_page=True)
            assert (tmp_path / "handover-then.png").stat().st_size > 50_000
        finally:
            browser.close()


def test_a_team_token_signs_in_and_sees_only_its_accounts(
        served_to_a_team: tuple[str, str]) -> None:
    """The accounts list shows the one account the team token reaches; another account's
    handover page is "not found" and names nothing of it; the compliance page lists only
    that account's flags."""
    url, token = served_to_a_team
    with chromium_page() as page:
        page.goto(f"{url}/ui/")
        page.get_by_label("API token").fill(token)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{url}/ui/")
        links = page.locator('table a[href^="/ui/accounts/"]')
        assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
            "/ui/accounts/albion-connect"]
        assert "Albion Connect" in page.content()
        for other in ("Nordlicht", "Hikari", "Aurora", "Pacific Wave", "Jade River"):
            assert other not in page.content()
        response = page.goto(f"{url}/ui/accounts/{ACCOUNT}")
        assert response is not None and response.status == 404
        assert "Nordlicht Telekom AG" not in page.content()
        page.goto(f"{url}/ui/compliance?status=all")
        accounts = {cell.get_attribute("href") for cell in
                    page.locator('a[href^="/ui/accounts/"]').all()}
        assert accounts <= {"/ui/accounts/albion-connect"}
        for other in ("Nordlicht", "Hikari", "Aurora", "Pacific Wave", "Jade River"):
            assert other not in page.content()
