"""Markdown → HTML with raw HTML disabled, so a record can never inject script into the site."""
from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

# markdown-it's validateLink already refuses javascript:, vbscript:, file: and non-image data: URLs.


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    md = (MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
          .enable(["table", "strikethrough"])
          .use(footnote_plugin).use(deflist_plugin).use(tasklists_plugin))
    return md


def markdown(text: str | None, shift_headings: int = 1) -> Markup:
    """Render Markdown; headings move down `shift_headings` levels so the page's h1 stays unique."""
    if not text:
        return Markup("")
    md = _md()
    tokens = md.parse(text)
    if shift_headings:
        for tok in tokens:
            if tok.type in ("heading_open", "heading_close"):
                level = min(6, int(tok.tag[1]) + shift_headings)
                tok.tag = f"h{level}"
    return Markup(md.renderer.render(tokens, md.options, {}))


def plain(text: str | None) -> str:
    return escapeHtml(text or "")
