"""Renderings of the read models for people: Markdown, standalone HTML, and SVG charts."""

from __future__ import annotations

from typing import Any

MEDIA_TYPES = {"json": "application/json", "md": "text/markdown; charset=utf-8",
               "html": "text/html; charset=utf-8"}


def render_brief(brief: dict[str, Any], form: str,
                 score_history: list[tuple[str, float | None]] | None = None, *,
                 locale: str = "en") -> str:
    """The handover brief as ``md`` (Markdown) or ``html`` (a standalone page, with the
    score chart when ``score_history`` is given), in English (``en``) or Simplified
    Chinese (``zh_CN``)."""
    if form == "md":
        from api.render.markdown import brief_markdown

        return brief_markdown(brief, locale)
    if form == "html":
        from api.render.html import brief_html

        return brief_html(brief, score_history, locale)
    raise ValueError(f"no rendering {form!r}; expected 'md' or 'html'")
