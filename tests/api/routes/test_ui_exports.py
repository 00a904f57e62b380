"""The compliance page as an auditor works it, and the UI's downloads with the sign-in cookie."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from api.ui.exports import neutralised
from tests.api.conftest import Api
from tests.api.routes.conftest import ACCOUNT
from tests.api.routes.test_ui import sign_in


@pytest.fixture
def browser(demo: Api) -> TestClient:
    """The demo's test client, signed in to the UI with the auditor's token."""
    token = demo.auditor["Authorization"].removeprefix("Bearer ")
    sign_in(demo.client, token)
    return demo.client


def rows_of(html: str) -> list[str]:
    """The engagement ids of the flag rows on a compliance page, in order."""
    return re.findall(r'<tr data-flag="[a-z_]+" data-engagement="([^"]+)"', html)


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_handover_downloads_work_with_the_sign_in_cookie(browser: TestClient) -> None:
    """Markdown as a file, HTML as a standalone page with the score chart; no cookie, no file."""
    markdown = browser.get(f"/ui/accounts/{ACCOUNT}/handover.md", params={"as_of": "2026-06-01"})
    assert markdown.status_code == 200
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "attachment" in markdown.headers["content-disposition"]
    assert markdown.text.startswith("# ") and "Nordlicht Telekom AG" in markdown.text
    page = browser.get(f"/ui/accounts/{ACCOUNT}/handover.html")
    assert page.headers["content-type"].startswith("text/html")
    assert 'data-chart="score-history"' in page.text and "<svg" in page.text
    handover = browser.get(f"/ui/accounts/{ACCOUNT}").text
    assert f"/ui/accounts/{ACCOUNT}/handover.md" in handover
    browser.cookies.clear()
    anonymous = browser.get(f"/ui/accounts/{ACCOUNT}/handover.md", follow_redirects=False)
    assert anonymous.status_code == 303 and "/ui/login" in anonymous.headers["location"]


def test_the_api_handover_page_draws_the_score_chart_too(demo: Api) -> None:
    """GET …/handover?format=html is the same standalone page, score chart included."""
    page = demo.get(f"/v1/accounts/{ACCOUNT}/handover", format="html")
    assert page.status_code == 200 and 'data-chart="score-history"' in page.text


def test_the_compliance_page_shows_names_original_money_and_sums(browser: TestClient,
                                                                  demo: Api) -> None:
    """Names beside ids, the SEK cost beside the missing base amount, and per-kind sums
    that equal the API's amounts added up."""
    html = browser.get("/ui/compliance", params={"status": "all"}).text
    assert "Nordlicht Telekom AG</a>" in html and "Anja Lorenz" in html
    row = re.search(r'<tr data-flag="fx_rate_missing" data-engagement.*?</tr>', html, re.S)
    assert row is not None and "4,206.90 SEK" in row.group(0)
    flags = demo.get("/v1/compliance/flags").json()["flags"]
    for kind in {f["flag"] for f in flags}:
        amounts = [Decimal(f["amount"]) for f in flags if f["flag"] == kind and f["amount"]]
        sums = re.search(rf'<tr data-flag="{kind}"><td>[^<]+</td><td class="num">(\d+)</td>'
                         r'<td class="num">([^<]*)</td>', html)
        assert sums is not None, kind
        assert int(sums.group(1)) == sum(1 for f in flags if f["flag"] == kind)
        shown = sums.group(2).replace(",", "")
        assert (Decimal(shown) if amounts else shown) == (sum(amounts) if amounts else "–")


def test_the_compliance_page_filters_by_date_sorts_and_pages(browser: TestClient,
                                                             demo: Api) -> None:
    """from/to narrow like the API's window; amount sorts descending; pages of ten join up."""
    window = {"from": "2026-01-01", "to": "2026-03-31"}
    expected = {f["engagement_id"] for f in demo.get("/v1/compliance/flags",
                                                        **window).json()["flags"]}
    html = browser.get("/ui/compliance", params={"status": "all", **window}).text
    assert set(rows_of(html)) == expected and expected
    open_flags = demo.get("/v1/compliance/flags", open="true").json()["flags"]
    by_amount = browser.get("/ui/compliance", params={"sort": "-amount"}).text
    shown = [Decimal(a.replace(",", "")) if a != "–" else Decimal(-1) for a in re.findall(
        r'<tr data-flag="[a-z_]+" data-engagement="[^"]+">.*?<td class="num">([^<]*)</td>',
        by_amount, re.S)]
    assert shown == sorted(shown, reverse=True) and len(shown) == len(open_flags)
    pages, page = [], 1
    while True:
        html = browser.get("/ui/compliance", params={"size": 10, "page": page}).text
        pages.append(rows_of(html))
        if 'rel="next"' not in html:
            break
        page += 1
    assert len(pages) > 2 and all(len(p) == 10 for p in pages[:-1])
    assert [e for p in pages for e in p] == rows_of(browser.get("/ui/compliance").text)


def test_the_csv_download_holds_exactly_the_rows_on_screen(browser: TestClient) -> None:
    """Same filters, sort and page: the CSV's rows are the page's rows, names included."""
    params = {"status": "all", "sort": "-occurred_at", "size": 10, "page": 2}
    html = browser.get("/ui/compliance", params=params).text
    link = re.search(r'href="(/ui/compliance\.csv[^"]*)"', html)
    assert link is not None
    download = browser.get(link.group(1).replace("&amp;", "&"))
    assert download.headers["content-type"].startswith("text/csv")
    rows = csv_rows(download.text)
    assert [r["engagement_id"] for r in rows] == rows_of(html) and len(rows) == 10
    assert all(r["account_name"] for r in rows)


def test_csv_cells_cannot_run_as_spreadsheet_formulas(demo: Api, browser: TestClient) -> None:
    """A name written as a formula arrives as text; amounts stay numbers."""
    assert neutralised("=1+1") == "'=1+1" and neutralised("@SUM(A1)") == "'@SUM(A1)"
    assert neutralised("+49 40 123") == "'+49 40 123" and neutralised("\tx") == "'\tx"
    assert neutralised("-12.50") == "-12.50" and neutralised(None) == ""
    evil = '=HYPERLINK("http://evil.example","click")'
    events = [
        {"type": "stakeholder.registered", "occurred_at": "2026-06-01T10:00:00Z",
         "data": {"stakeholder_id": "nt-evil", "account_id": ACCOUNT, "name": evil}},
        {"type": "engagement.recorded", "occurred_at": "2026-06-02T10:00:00Z",
         "data": {"engagement_id": "nt-evil-gift", "account_id": ACCOUNT, "kind": "gift",
                  "participants": ["nt-evil"], "owner": "Laura Brenner",
                  "cost": {"amount": "900.00", "currency": "EUR"}}}]
    assert demo.post("/v1/events/batch", {"events": events}).status_code == 201
    rows = csv_rows(browser.get("/ui/compliance.csv", params={"status": "all"}).text)
    mine = [r for r in rows if r["engagement_id"] == "nt-evil-gift"]
    assert mine and all(r["stakeholder_name"] in ("'" + evil, "") for r in mine)
    assert any(r["stakeholder_name"] == "'" + evil for r in mine)
    assert all(r["amount"] == "" or not r["amount"].startswith("'") for r in rows)
