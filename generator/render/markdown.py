"""Markdown → HTML with raw HTML disabled, so a record can never inject script into the site.

markdown-it's validateLink refuses javascript:, vbscript:, file: and non-image data: URLs, and
with `html` off every tag a learner types is shown as text. Images from other sites are turned
into plain links: the site makes no external requests.
"""
from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markupsafe import Markup
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

from . import markdown_rs

_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
_HEADING = re.compile(r"<(/?)h([1-6])>")


def _no_external_images(state):
    for tok in state.tokens:
        for i, child in enumerate(tok.children or []):
            if child.type == "image" and _EXTERNAL.match(child.attrGet("src") or "") \
                    and not (child.attrGet("src") or "").lower().startswith("data:image/"):
                alt = "".join(c.content for c in child.children or []) or child.attrGet("src")
                link_open = Token("link_open", "a", 1)
                link_open.attrSet("href", child.attrGet("src"))
                text = Token("text", "", 0)
                text.content = f"image: {alt}"
                tok.children[i:i + 1] = [link_open, text, Token("link_close", "a", -1)]


def _mentions(state):
    """`[P.S.](mention:KEY)` (what privacy/mentions.py makes of `@contact-id`) links to the contact's page.
    Bodies are shown on pages one folder down (entries/, contacts/); `at_root` adjusts them for the others."""
    for tok in state.tokens:
        for child in tok.children or []:
            href = child.attrGet("href") if child.type == "link_open" else None
            if href and href.startswith("mention:"):
                key = href[len("mention:"):]
                child.attrSet("href", f"../contacts/{key}.html")
                child.attrSet("class", "mention")


def at_root(html) -> Markup:
    """Rendered Markdown moved to a page at the site's root (print view, networks): mention links go one up less."""
    return Markup(str(html).replace('href="../contacts/', 'href="contacts/'))


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    md = (MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
          .enable(["table", "strikethrough"])
          .use(footnote_plugin).use(deflist_plugin))
    # no task-list plugin: it renders unlabelled checkboxes (an axe violation); `[ ] item` stays readable text
    md.core.ruler.push("no_external_images", _no_external_images)
    md.core.ruler.push("mentions", _mentions)
    return md


def markdown(text: str | None, base: int = 2) -> Markup:
    """Render Markdown. Headings are renumbered so the highest one is `base` and none skips a level,
    keeping the page's heading outline in order whatever levels the learner used."""
    if not text:
        return Markup("")
    fast = markdown_rs.render(text, base)   # the Rust renderer, where its HTML is the same (markdown_rs.py)
    if fast is not None:
        return Markup(fast)
    return Markup(_render_py(text, base))


def _render_py(text: str, base: int) -> str:
    md = _md()
    tokens = md.parse(text)
    levels = sorted({int(t.tag[1]) for t in tokens if t.type == "heading_open"})
    if levels:
        new = {lvl: min(6, base + i) for i, lvl in enumerate(levels)}
        for tok in tokens:
            if tok.type in ("heading_open", "heading_close"):
                tok.tag = f"h{new[int(tok.tag[1])]}"
    return md.renderer.render(tokens, md.options, {})


def shift_headings(html, by: int = 1) -> Markup:
    """Move every heading of already rendered Markdown down `by` levels (for the print view)."""
    return Markup(_HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + by)}>", str(html)))


def plain(text: str | None) -> str:
    return escapeHtml(text or "")
