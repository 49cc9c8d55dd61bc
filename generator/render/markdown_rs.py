"""The optional accelerator for render/markdown.py: markdown-it-pyrs (markdown-it.rs, in Rust), used only
where it gives byte for byte the HTML that markdown-it-py gives.

markdown-it.rs follows the same design and mostly the same output, but not everywhere: differential
fuzzing against markdown-it-py (tests/test_markdown_accel.py) found differences in footnotes, strikethrough
and `~~~` fences, unclosed code fences, definition lists, tables that follow a list, emphasis next to
non-ASCII characters (Unicode punctuation and symbols are classed differently), empty block quotes, and
inputs on which it panics. So a body goes to Rust only when `fast_path_ok` finds none of the characters
those constructs need (a plain-text test, before any parsing: a document it lets through cannot contain
them), and everything else, a small minority of real records, is rendered by markdown-it-py as before.

What the Python renderer does with tokens is done here on the finished HTML, which is safe because with
raw HTML off every `<` the learner typed is escaped: the only tags in the output are the renderer's own.
- headings are renumbered (the same mapping as markdown.markdown);
- `mention:KEY` links become contact links with class="mention";
- an image from another site has to become a plain link: such a body is handed back to Python
  (rare, and the link text rules are Python's).

PORTFOLIO_MARKDOWN=py in the environment turns the accelerator off (docs/performance.md).
"""
from __future__ import annotations

import os
import re

try:
    import markdown_it_pyrs
except ImportError:   # not installed: markdown-it-py renders everything
    markdown_it_pyrs = None

# markdown-it-py's "commonmark" preset with html off, plus table, strikethrough, footnote and deflist
# (render/markdown.py `_md`). html_block / html_inline are left out, so tags are escaped as text.
_RULES = ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
          "autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline",
          "strikethrough", "table", "footnote", "deflist"]

# What markdown-it.rs renders differently (see the module docstring), in three cheap tests (a regex of
# many alternatives, tried at every position, cost more than the Rust renderer itself):
# - a character: `~` (strikethrough, ~~~ fences), `|` (tables), a tab, a control character, a lone CR
#   is looked for below, Unicode whitespace other than the space (Python's strip() removes it, Rust's
#   does not), and anything outside the Basic Multilingual Plane;
_SLOW_CHAR = re.compile("[~|\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f"
                        "\u205f\u3000\U00010000-\U0010ffff]")
# - a substring: footnotes `[^`, reference definitions `]:`, backtick fences, `-:` (a delimiter row
#   without pipes), emphasis runs of three or mixed `*_` (the "multiple of 3" rule), and code spans of
#   spaces only;
_SLOW_TEXT = ("[^", "]:", "```", "-:", "***", "___", "*_", "_*", "` `", "`  ", "` \n", "` \r", "`\n", "`\r")
# - a shape at a line start (the text is searched with a newline put in front): a `:` (definition
#   lists), deep nesting (the renderers' depth limits differ), a block quote line followed by a line
#   that is neither a quote nor blank (lazy continuation), a line ending in `>` (empty quotes), and
#   five `[` open at once.
_SLOW_SHAPE = re.compile(
    r"\n(?:[ >]*:|[ ]{12}|(?:[ ]*(?:>|[-+*][ ]|\d{1,9}[.)][ ])){4}"
    r"|[ ]*(?:(?:[-+*]|\d{1,9}[.)])[ ]+)*>[^\n]*\n(?![ ]*(?:>|\r?\n|\r?\Z)))"
    r"|>[ \r]*(?:\n|\Z)|\[(?:[^\[\]]*\[){4}")
_NEXT_TO_EMPHASIS = re.compile(r"[*_][^\x00-\x7f]|[^\x00-\x7f][*_]")   # Unicode punctuation is classed apart
_LONE_CR = re.compile(r"\r(?!\n)")

_HEADING = re.compile(r"<(/?)h([1-6])>")
_MENTION = re.compile(r'<a href="mention:([^"]*)"((?: title="[^"]*")?)>')
_IMG_SRC = re.compile(r'<img src="([^"]*)"')
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)

_parser = None


def enabled() -> bool:
    return markdown_it_pyrs is not None and os.environ.get("PORTFOLIO_MARKDOWN", "").lower() != "py"


def fast_path_ok(text: str) -> bool:
    """True when the body uses only constructs both renderers give identically."""
    if _SLOW_CHAR.search(text) or any(t in text for t in _SLOW_TEXT):
        return False
    if "\r" in text and _LONE_CR.search(text):
        return False
    if not text.isascii() and _NEXT_TO_EMPHASIS.search(text):
        return False
    return _SLOW_SHAPE.search("\n" + text) is None


def render(text: str, base: int) -> str | None:
    """The HTML markdown.markdown gives for `text`, or None when Python must render it."""
    global _parser
    if not enabled() or not fast_path_ok(text):
        return None
    if _parser is None:
        _parser = markdown_it_pyrs.MarkdownIt("zero").enable_many(_RULES)
    try:
        html = _parser.render(text)
    except BaseException as exc:   # a Rust panic arrives as pyo3's PanicException, a BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        return None
    for src in _IMG_SRC.findall(html):
        if _EXTERNAL.match(src) and not src.lower().startswith("data:image/"):
            return None
    levels = sorted({int(m) for m in re.findall(r"<h([1-6])>", html)})
    if levels:
        new = {lvl: min(6, base + i) for i, lvl in enumerate(levels)}
        html = _HEADING.sub(lambda m: f"<{m.group(1)}h{new[int(m.group(2))]}>", html)
    if 'href="mention:' in html:
        html = _MENTION.sub(r'<a href="../contacts/\1.html"\2 class="mention">', html)
    return html
