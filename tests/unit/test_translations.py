"""Two languages: the Chinese catalog covers every UI string, and formats follow the locale."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from api.render import format as fmt
from api.render import i18n

ROOT = Path(__file__).resolve().parents[2]
METHODS = [("api/**.py", "python"), ("api/ui/templates/**.html", "jinja2")]
OPTIONS = {"api/ui/templates/**.html": {"trim_blocks": "True", "lstrip_blocks": "True"}}


def extracted() -> set[str | tuple[str, ...]]:
    """Every message the UI and renderers mark for translation, as Babel extracts it."""
    found: set[str | tuple[str, ...]] = set()
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT, METHODS, OPTIONS, keywords=keywords):
        found.add(message)
    return found


def test_every_ui_string_has_a_chinese_translation() -> None:
    """A string marked in a template or module but missing (or empty) in zh_CN fails."""
    with i18n.catalog_path("zh_CN").open("rb") as po:
        catalog = read_po(po)
    messages = extracted()
    assert len(messages) > 250  # the extraction itself found the UI
    untranslated = []
    for message in messages:
        entry = catalog.get(message)
        strings = () if entry is None else (
            entry.string if isinstance(entry.string, tuple) else (entry.string,))
        if not strings or not all(strings) or entry.fuzzy:
            untranslated.append(message)
    assert not untranslated, f"no zh_CN translation for {sorted(map(str, untranslated))}"


def test_translations_keep_every_placeholder_of_the_english() -> None:
    """``%(name)s`` placeholders survive translation (Babel's python-format check)."""
    with i18n.catalog_path("zh_CN").open("rb") as po:
        catalog = read_po(po)
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalog.check()]
    assert not problems


@pytest.mark.parametrize(("code", "english", "chinese"), [
    ("approver", "Approver", "批准者"), ("decision_maker", "Decision maker", "决策者"),
    ("decision_supporter", "Decision supporter", "决策支持者"),
    ("evaluator", "Evaluator", "评估者"), ("influencer", "Influencer", "影响者"),
])
def test_roles_read_in_the_practice_s_own_words(code: str, english: str, chinese: str) -> None:
    """The five roles of the power map (SPEC §2.2) in both languages."""
    assert fmt.role(code) == english
    with i18n.language("zh_CN"):
        assert fmt.role(code) == chinese


def test_attitudes_and_the_ladder_read_in_chinese() -> None:
    """反对 … 教练, and the ladder from 办公室拜访 to 家访."""
    with i18n.language("zh_CN"):
        assert [fmt.attitude_short(a) for a in range(-1, 4)] == [
            "反对", "中立", "支持", "独家支持", "教练"]
        assert fmt.humanize("office_visit") == "办公室拜访"
        assert fmt.humanize("home_visit") == "家访"
        assert fmt.label(fmt.FLAGS, "gift_over_limit") == "礼品超限"


def test_dates_and_money_follow_the_locale() -> None:
    """Babel formats dates per locale; money keeps its decimals in both."""
    assert fmt.day("2026-03-01T19:30:00Z") == "1 Mar 2026"
    assert fmt.money("13810.50") == "13,810.50" and fmt.money("150.00") == "150.00"
    with i18n.language("zh_CN"):
        assert fmt.day("2026-03-01T19:30:00Z") == "2026年3月1日"
        assert fmt.moment("2026-03-01T23:59:59.999999Z") == "2026年3月1日 结束时（UTC）"
        assert fmt.money("13810.50") == "13,810.50"


@pytest.mark.parametrize(("header", "chosen", "locale"), [
    ("zh-CN,zh;q=0.9,en;q=0.8", None, "zh_CN"),
    ("en-GB,en;q=0.9,zh-CN;q=0.5", None, "en"),
    ("de-DE,zh;q=0.7", None, "zh_CN"),
    ("zh-CN;q=0,en", None, "en"),
    ("fr", None, "en"),
    (None, None, "en"),
    ("zh-CN", "en", "en"),
    ("en", "zh_CN", "zh_CN"),
    ("en", "klingon", "en"),
])
def test_the_remembered_choice_wins_then_accept_language(header: str | None,
                                                        chosen: str | None,
                                                        locale: str) -> None:
    """Quality values rank the header; q=0 excludes; anything unknown reads English."""
    assert i18n.negotiate(header, chosen) == locale
