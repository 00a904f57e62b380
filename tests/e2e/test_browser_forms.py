"""Recording through the web UI's forms in headless Chromium, in English and Chinese.

Same browser rules as ``test_browser.py``: Debian's Chromium driven by Playwright, mandatory
in CI, skipped with a message elsewhere when it is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.test_browser import ARGS, CHROMIUM, demo_served

ACCOUNT = "nordlicht-telekom"
PERSON = "nt-anja-lorenz"
ROLES_ZH = ("批准者", "决策者", "决策支持者", "评估者", "影响者")
ATTITUDES_ZH = ("反对", "中立", "支持", "独家支持", "教练")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """A `ledger serve` over the demo data, a recorder's and an auditor's token."""
    with demo_served(tmp_path, ("recorder", "li.na"), ("auditor", "audit")) as (url, tokens):
        yield url, tokens[0], tokens[1]


def stored_with_id(url: str, auditor: str, event_id: str) -> int:
    """How many stored events carry ``event_id`` (the audit export, all pages)."""
    found, after = 0, 0
    while after is not None:
        page = httpx.get(f"{url}/v1/audit/events", timeout=30,
                         headers={"Authorization": f"Bearer {auditor}"},
                         params={"after": after, "limit": 1000,
                                 "type": "engagement.recorded"}).json()
        found += sum(e["event_id"] == event_id for e in page["events"])
        after = page["next_after"]
    return found


def fill_gift(page: Any, *, amount: str, participant: bool, location: str) -> str:
    """Fill the record form with a gift; return the form's event id."""
    yesterday = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT18:30")
    page.select_option("#kind", "gift")
    page.fill("#occurred_at", yesterday)
    page.fill("#time_zone", "Europe/Berlin")
    if participant:
        page.check(f'input[name="participants"][value="{PERSON}"]')
    page.fill("#cost_amount", amount)
    page.fill("#cost_currency", "EUR")
    page.fill("#location", location)
    return str(page.locator('input[name="event_id"]').get_attribute("value"))


def test_a_recorder_records_a_gift_sees_its_flag_and_reads_the_map_in_chinese(
        served: tuple[str, str, str], tmp_path: Path) -> None:
    """Record, see the flag; double submit is one event; a bad form keeps its values;
    中文 shows the power map's roles and attitudes in Chinese."""
    from playwright.sync_api import sync_playwright

    url, recorder, auditor = served
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{url}/ui/accounts/{ACCOUNT}")
            page.get_by_label("API token").fill(recorder)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"**/ui/accounts/{ACCOUNT}")

            page.get_by_role("link", name="Record an engagement").first.click()
            page.wait_for_url("**/engagements/new?event_id=*")
            assert "(ladder 5)" in page.locator("#kind").inner_text()
            event_id = fill_gift(page, amount="180.00", participant=True, location="Bonn")
            page.get_by_role("button", name="Record an engagement").click()
            page.wait_for_url(f"**/ui/stakeholders/{PERSON}?**")
            notice = page.locator("section.notice")
            assert "over the 150.00 EUR limit per gift: pre-approval needed" in \
                notice.inner_text()
            assert notice.locator('[data-flag="gift_over_limit"]').count() == 1
            engagement_id = f"eng-{event_id[:8]}"
            assert page.locator(f'table.timeline a[href*="/ui/engagements/{engagement_id}"]'
                                ).count() == 1
            page.screenshot(path=str(tmp_path / "recorded.png"), full_page=True)

            page.go_back()  # the form again, as sent: the same event id
            page.wait_for_url("**/engagements/new?event_id=*")
            assert page.locator('input[name="event_id"]').get_attribute("value") == event_id
            page.get_by_role("button", name="Record an engagement").click()
            page.wait_for_url(f"**/ui/stakeholders/{PERSON}?**")
            assert stored_with_id(url, auditor, event_id) == 1

            page.goto(f"{url}/ui/accounts/{ACCOUNT}/engagements/new")
            bad_id = fill_gift(page, amount="12.345", participant=True, location="Köln")
            page.get_by_role("button", name="Record an engagement").click()
            error = page.locator("#cost_amount-error")
            error.wait_for()
            assert error.is_visible() and "decimal" in error.inner_text()
            field = page.locator('[data-field="cost"]')
            assert field.locator("#cost_amount-error").count() == 1
            assert page.locator("#cost_amount").input_value() == "12.345"
            assert page.locator("#location").input_value() == "Köln"
            assert page.locator(f'input[name="participants"][value="{PERSON}"]').is_checked()
            assert stored_with_id(url, auditor, bad_id) == 0

            page.goto(f"{url}/ui/accounts/{ACCOUNT}")
            page.get_by_role("link", name="中文").click()
            page.wait_for_url(f"**/ui/accounts/{ACCOUNT}")
            grid = page.locator('table[data-chart="power-map"]').inner_text()
            for word in (*ROLES_ZH, *ATTITUDES_ZH):
                assert word in grid, word
            page.goto(f"{url}/ui/")  # remembered on the next page
            assert page.get_by_role("heading", level=1).inner_text() == "客户"
            page.screenshot(path=str(tmp_path / "zh.png"), full_page=True)
        finally:
            browser.close()
