"""Charts and pages read right in Chromium: judged by the text a person sees on screen
(labels, their order, whether they fit), not by markup."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.test_browser import ACCOUNT, ARGS, CHROMIUM, demo_server

CLIPPED = """svg => {
  const box = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).filter(t => {
    const r = t.getBoundingClientRect();
    return r.left < box.left - 1 || r.right > box.right + 1;
  }).map(t => t.textContent);
}"""
"""The texts of an SVG chart that stick out of its box (cut off on screen)."""

TOP_DOWN = """(svg, selector) => [...svg.querySelectorAll(selector)]
  .filter(t => t.textContent.trim())
  .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
  .map(t => t.textContent.trim())"""
"""The texts matching ``selector`` in an SVG, from top to bottom as shown."""

LEFT_RIGHT = """(svg, selector) => [...svg.querySelectorAll(selector)]
  .filter(t => t.textContent.trim())
  .sort((a, b) => a.getBoundingClientRect().left - b.getBoundingClientRect().left)
  .map(t => t.textContent.trim())"""


@pytest.fixture(scope="module")
def served_once(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """One `ledger serve` over the demo for the whole module (the pages only read)."""
    with demo_server(tmp_path_factory.mktemp("readings")) as served:
        yield served


@pytest.fixture
def page(served_once: tuple[str, str]) -> Iterator[Any]:
    """A Chromium page signed in to the served UI."""
    from playwright.sync_api import sync_playwright

    url, token = served_once
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1280, "height": 900})
            tab.goto(f"{url}/ui/login")
            tab.get_by_label("API token").fill(token)
            tab.get_by_role("button", name="Sign in").click()
            tab.wait_for_url("**/ui/")
            tab.base = url
            yield tab
        finally:
            browser.close()


def chart(page: Any, name: str) -> Any:
    return page.locator(f'figure[data-chart="{name}"] svg').first


def test_no_chart_label_is_cut_off_on_the_handover_page(page: Any) -> None:
    """The score chart's last value and every attitude chart's last month show whole."""
    page.goto(f"{page.base}/ui/accounts/{ACCOUNT}")
    charts = page.locator("figure.chart svg")
    assert charts.count() >= 5
    for index in range(charts.count()):
        assert charts.nth(index).evaluate(CLIPPED) == [], index
    last_value = chart(page, "score-history").evaluate(LEFT_RIGHT, ".value")[-1]
    assert last_value.replace(".", "").replace("-", "").isdigit() and "." in last_value


def test_count_axes_tick_whole_numbers_once_each(page: Any) -> None:
    """One flag of a kind: the axis reads 0 1, not 0 0 0 0 0 1."""
    page.goto(f"{page.base}/ui/compliance?status=all&flag=fx_rate_missing")
    ticks = chart(page, "flags-by-kind").evaluate(LEFT_RIGHT, ".axis.x text")
    assert ticks and len(ticks) == len(set(ticks))
    assert [int(t) for t in ticks] == sorted(int(t) for t in ticks)


def test_short_bars_keep_their_values_clear_of_the_labels(page: Any) -> None:
    """Spend by kind: no printed value overlaps a category label."""
    page.goto(f"{page.base}/ui/accounts/{ACCOUNT}")
    overlaps = chart(page, "spend-by-kind").evaluate("""svg => {
      const boxes = q => [...svg.querySelectorAll(q)].filter(t => t.textContent.trim())
        .map(t => t.getBoundingClientRect());
      const labels = boxes('.axis.y text'), values = boxes('.value');
      return values.filter(v => labels.some(l => v.left < l.right && l.left < v.right
        && v.top < l.bottom && l.top < v.bottom)).length;
    }""")
    assert overlaps == 0
    assert chart(page, "spend-by-kind").evaluate(TOP_DOWN, ".axis.y text")  # labels exist


def test_the_accounts_chart_runs_in_the_order_of_its_table(page: Any) -> None:
    """Top to bottom, the bars name the accounts in the table's order."""
    page.goto(f"{page.base}/ui/")
    names = chart(page, "account-scores").evaluate(TOP_DOWN, ".axis.y text")
    shown = page.locator('table[data-list="accounts"] tbody th a').all_inner_texts()
    assert len(names) == 6 and names == [name.strip() for name in shown]


def test_the_stakeholder_timeline_reads_as_text_with_names_and_one_time_axis(page: Any) -> None:
    """Corrections read as names and amounts (no Python dicts), dates stay on one line,
    and the attitude and spend charts cover the same months."""
    page.goto(f"{page.base}/ui/stakeholders/nt-anja-lorenz")
    text = page.locator("main").inner_text()
    assert "{'" not in text and "['" not in text
    date_cell = page.locator("table.timeline tbody tr td").first
    lines = date_cell.evaluate("td => { const r = document.createRange(); "
                               "r.selectNodeContents(td); return new Set([...r.getClientRects()]"
                               ".map(b => Math.round(b.top))).size; }")
    assert lines == 1
    attitude = chart(page, "attitude").evaluate(LEFT_RIGHT, ".axis.x text")
    spend = chart(page, "running-spend").evaluate(LEFT_RIGHT, ".axis.x text")
    assert attitude[0] == spend[0] and attitude[-1] == spend[-1]
