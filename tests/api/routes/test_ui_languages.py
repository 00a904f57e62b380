"""The web UI in English and Simplified Chinese; the JSON API has no language."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.render import render_brief
from tests.api.conftest import Api
from tests.api.routes.conftest import ACCOUNT
from tests.api.routes.test_ui_forms import sign_in

ROLES_ZH = ("批准者", "决策者", "决策支持者", "评估者", "影响者")
ATTITUDES_ZH = ("反对", "中立", "支持", "独家支持", "教练")


def test_a_chinese_browser_reads_the_power_map_in_chinese(demo: Api) -> None:
    """Accept-Language zh-CN: roles, attitudes, dates and headings in Chinese."""
    client = sign_in(demo, demo.auditor)
    html = client.get(f"/ui/accounts/{ACCOUNT}",
                      headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).text
    assert '<html lang="zh-CN">' in html
    for word in (*ROLES_ZH, *ATTITUDES_ZH, "权力地图", "交接简报"):
        assert word in html, word
    assert "Decision maker" not in html and "Power map" not in html
    assert "年" in html and "月" in html


def test_the_language_switch_is_remembered_over_accept_language(demo: Api) -> None:
    """Choosing 中文 sets a cookie; later pages are Chinese whatever the header says."""
    client = sign_in(demo, demo.auditor)
    english = client.get("/ui/", headers={"Accept-Language": "en"}).text
    assert "Accounts" in english and "/ui/language?to=zh_CN" in english
    switched = client.get("/ui/language", params={"to": "zh_CN", "next": "/ui/compliance"},
                          follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/ui/compliance"
    assert "ledger_lang=zh_CN" in switched.headers["set-cookie"]
    page = client.get("/ui/compliance", headers={"Accept-Language": "en"}).text
    assert "合规标记" in page and "Compliance flags" not in page
    back = client.get("/ui/language", params={"to": "en", "next": "https://evil.example/"},
                      follow_redirects=False)
    assert back.headers["location"] == "/ui/"


def test_forms_and_their_errors_read_in_chinese(demo: Api) -> None:
    """The record form's labels and kinds are Chinese; the ladder level is shown."""
    client: TestClient = sign_in(demo, demo.recorder)
    client.cookies.set("ledger_lang", "zh_CN")
    html = client.get(f"/ui/accounts/{ACCOUNT}/engagements/new").text
    assert "记录交往" in html and "家访（阶梯 5 级）" in html and "办公室拜访（阶梯 1 级）" in html


def test_the_json_api_is_the_same_in_every_language(demo: Api) -> None:
    """Accept-Language does not touch the JSON reads."""
    path = f"/v1/accounts/{ACCOUNT}/power-map?as_of=2026-06-01&known_at=2026-06-01"
    english = demo.client.get(path, headers={**demo.auditor, "Accept-Language": "en"})
    chinese = demo.client.get(path, headers={**demo.auditor, "Accept-Language": "zh-CN"})
    assert english.json() == chinese.json()
    assert "Content-Language" not in chinese.headers


def test_the_handover_renders_in_chinese_as_markdown_and_html(demo: Api) -> None:
    """The Markdown and standalone HTML brief speak the practice's Chinese."""
    brief = demo.get(f"/v1/accounts/{ACCOUNT}/handover").json()
    markdown = render_brief(brief, "md", locale="zh_CN")
    assert markdown.startswith("# 交接简报: ") and "## 权力地图（角色 × 态度）" in markdown
    assert all(word in markdown for word in ROLES_ZH)
    page = render_brief(brief, "html", locale="zh_CN")
    assert '<html lang="zh-CN">' in page and "薄弱的关键人物及应对" in page
    assert render_brief(brief, "md").startswith("# Handover brief: ")
