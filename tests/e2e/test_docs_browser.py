"""The interactive API docs (/docs, /redoc) as a reader sees them in headless Chromium.

Same browser rule as ``test_browser.py``: Debian's Chromium driven by Playwright, mandatory
in CI, skipped with a message elsewhere when it is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.serving import free_port, ledger_serve
from tests.e2e.test_browser import ARGS, CHROMIUM, require_browser


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A `ledger serve` over an empty store (the docs need no data)."""
    require_browser()
    env = {**os.environ, "LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/ledger.db",
           "LEDGER_ADMIN_TOKEN": "docs-browser-admin-token-0123456789"}
    with ledger_serve(env, free_port(), wait=30) as url:
        yield url


def test_swagger_ui_lists_the_operations_and_expands_one_with_its_examples(server: str) -> None:
    """/docs renders the OpenAPI 3.1 document: operations listed, an example to pick and show."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            failed: list[str] = []
            page.on("requestfailed", lambda request: failed.append(request.url))
            page.goto(f"{server}/docs")
            page.locator(".opblock").first.wait_for(timeout=20_000)
            text = page.locator("body").inner_text()
            assert "Unable to render this definition" not in text
            assert "Engagement ledger" in text
            summaries = page.locator(".opblock-summary-path").all_inner_texts()
            for path in ("/v1/events", "/v1/events/batch", "/v1/accounts/{account_id}/power-map",
                         "/v1/compliance/flags", "/v1/audit/verify"):
                assert path in [s.replace("\u200b", "") for s in summaries]

            post_event = page.locator(".opblock-post").filter(
                has=page.locator('.opblock-summary-path[data-path="/v1/events"]'))
            post_event.locator(".opblock-summary").click()
            body = post_event.locator(".opblock-body")
            body.wait_for(timeout=10_000)
            assert "Record one event" in body.inner_text()
            choice = body.locator(".examples-select select").first
            options = choice.locator("option").all_inner_texts()
            assert "engagement.recorded" in options and len(options) >= 17
            choice.select_option(label="engagement.recorded")
            example = body.locator(".highlight-code").first.inner_text()
            assert '"engagement.recorded"' in example and '"participants"' in example
            assert failed == []
        finally:
            browser.close()


def test_redoc_renders_the_same_document(server: str) -> None:
    """/redoc shows the operations and the descriptions of their fields."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{server}/redoc")
            page.get_by_text("Record one event", exact=False).first.wait_for(timeout=30_000)
            text = page.locator("body").inner_text()
            assert "Something went wrong" not in text
            assert "Read Power Map" in text or "The account's stakeholders" in text
        finally:
            browser.close()
