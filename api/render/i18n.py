"""Two languages for people: English and Simplified Chinese, through gettext and Babel.

Pages and the Markdown / HTML handover are written in English and marked for translation
(``_()`` in Python, ``{{ _() }}`` and ``{% trans %}`` in templates). The Chinese catalog
is ``api/locale/zh_CN/LC_MESSAGES/messages.po``, compiled in memory by Babel when first
used, so there is no build step and no ``.mo`` file to forget. The language of one
rendering is a context variable set around it (:func:`language`), so the same template
environment and the same format functions serve both languages. Dates and numbers are
formatted per locale by Babel. The JSON API never goes through here: it stays
language-neutral.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = {"en": "English", "zh_CN": "中文"}
"""The languages offered, with the name each calls itself."""
DEFAULT = "en"
CATALOGS = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"

_current: ContextVar[str] = ContextVar("ledger_locale", default=DEFAULT)


def catalog_path(locale: str) -> Path:
    """The ``.po`` catalog of a locale."""
    return CATALOGS / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(locale: str) -> gettext_module.NullTranslations:
    """The locale's catalog, compiled from its ``.po`` at first use (English: none)."""
    if locale == DEFAULT:
        return gettext_module.NullTranslations()
    with catalog_path(locale).open("rb") as po:
        catalog = read_po(po, locale=locale)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@contextmanager
def language(locale: str) -> Iterator[None]:
    """Render in ``locale`` inside the block (an unknown locale means English)."""
    token = _current.set(locale if locale in LOCALES else DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> str:
    """The locale of the rendering under way."""
    return _current.get()


def gettext(message: str) -> str:
    """``message`` in the current language."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural of a message in the current language."""
    return translations(_current.get()).ngettext(singular, plural, count)


_ = gettext


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    """Mark a message for extraction without translating it yet (module-level tables)."""
    return message


def negotiate(accept_language: str | None, chosen: str | None = None) -> str:
    """The reader's language: the remembered choice, else the best of ``Accept-Language``
    (any ``zh`` tag reads Simplified Chinese, ``en`` English), else English."""
    if chosen in LOCALES:
        return chosen
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, index, tag.strip().lower().replace("_", "-")))
    for negative, _index, tag in sorted(ranked):
        if negative >= 0:
            continue  # q=0: "not this one"
        if tag.startswith("zh"):
            return "zh_CN"
        if tag.startswith("en") or tag == "*":
            return DEFAULT
    return DEFAULT
