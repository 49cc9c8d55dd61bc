"""The Markdown accelerator (generator/render/markdown_rs.py, markdown-it-pyrs) never changes a byte of
output: for every construct the site allows, markdown.markdown() gives what markdown-it-py alone gives.

The expected HTML always comes from markdown-it-py (`_render_py`, the renderer the site used before the
accelerator), never from the accelerator's own code."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import markdown_it_pyrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.load import load_file
from generator.render import markdown_rs
from generator.render.markdown import _render_py, markdown

from conftest import EXAMPLE, build_site

# Every construct a body may use, each in a few shapes. Those the Rust renderer gets wrong are in here
# too: they must be routed to Python, and the equality below proves they are.
CORPUS = [
    # headings, ATX and setext, every level, renumbered from `base`
    "# One\n\n## Two\n\n### Three\n\n#### Four\n\n##### Five\n\n###### Six\n",
    "## Only level two\n\ntext\n\n#### then four\n", "Title\n=====\n\nSub\n---\n\ntext", "#not a heading\n",
    "# Heading with *emphasis* and `code`\n", "### ends with hashes ###\n",
    # emphasis
    "*em* _em_ **strong** __strong__ ***both*** *nested **strong** here*", "a*b*c a_b_c snake_case_word",
    "**unclosed *mixed", "*café* _naïve_ *über*", "*😀* emoji emphasis", "***a** b*", "*a **b***",
    "un*frigging*believable", "__x__y", "*foo`*`", "\\*not em\\*",
    # lists: tight, loose, nested, ordered with starts, interrupted
    "- a\n- b\n- c\n", "- a\n\n- b\n\n- c\n", "1. one\n2. two\n3. three\n", "3) three\n4) four\n",
    "- a\n  - b\n    - c\n      - d\n- e\n", "1. a\n\n   para in item\n\n2. b\n", "- a\n1. b\n+ c\n* d\n",
    "text\n- list right after text\n", "text\n2. cannot interrupt\n", "- \n- empty items\n-\n",
    "10. ten\n11. eleven\n", "- a\n\n      indented code in item\n",
    # code: spans, indented blocks, fences with info strings, unclosed fences
    "`code` ``co`de`` ` a ` `  ` `\n", "    indented code\n    <b>escaped</b>\n", "```\nfenced\n```\n",
    "```python {.x}\nprint('<b>')\n```\n", "~~~ruby\nx\n~~~\n", "```\nunclosed fence\n", "````\n```\n````\n",
    "```\n\n\n```\n", "para\n```\ncode\n```\n",
    # block quotes, nested, lazy, empty
    "> quote\n> more\n", "> quote\nlazy continuation\n", "> > nested\n> back\n", ">\n", "> - list in quote\n",
    "> quote\n- list after\n", "> quote\n2) ordered after\n", "- > quote in list\n",
    # links, autolinks, images, references, mentions
    "[text](https://example.org \"Title\")", "<https://example.org> <mail@example.org>", "https://bare.example.org",
    "[rel](../x.html) [frag](#top) [q](?a=1&b=2)", "[x][ref]\n\n[ref]: /target \"T\"\n", "[Ref]\n\n[ref]: /u\n",
    "![alt](pic.png \"t\")", "![alt *em*](http://elsewhere.example/p.png)", "![x](//cdn.example/p.png)",
    "![ok](data:image/png;base64,iVBORw0KGgo=)", "![bad](data:text/html;base64,PGI+)",
    "[js](javascript:alert(1)) [vb](vbscript:x) [f](file:///etc/passwd)", "[P.S.](mention:priya-shah) met us",
    "[P.S.](mention:pé \"title\")", "[not](mention:) [x](MENTION:k)", "[ünï](https://ex.org/ü path)",
    "[link *em* `code`](/u)", "[a](<b c>)", "[a]( /u )",
    # tables
    "| a | b |\n|---|:-:|\n| 1 | 2 |\n", "a | b\n--|--\n1 | 2\n", "| a |\n|--:|\n", "- x\n| a |\n|---|\n",
    "text\n---:\n", "| `a|b` | c |\n|---|---|\n",
    # strikethrough
    "~~struck~~ ~single~ ~~~triple~~~", "a~~b~~c",
    # footnotes, definition lists
    "Text[^1] and again[^1].\n\n[^1]: The note.\n", "[^n]: orphan note\n", "x[^a]\n\n[^a]: - list\n  - note\n",
    "Term\n: Definition\n\nOther\n:   Loose\n", "Term\n~ tilde def\n",
    # entities and escapes
    "&amp; &copy; &#35; &#x41; &bogus; &#0; & alone", "\\# \\* \\[ \\\\ \\` \\<",
    # raw HTML (off: always escaped)
    "<b>bold?</b> <script>alert(1)</script>", "<div>\nblock\n</div>\n", "<!-- comment -->", "<a href=x>y</a>",
    "<?php ?> <![CDATA[x]]> <!DOCTYPE html>",
    # breaks
    "hard  \nbreak", "hard\\\nbreak", "soft\nbreak", "trailing spaces   ", "a\r\nb\r\n\r\nc", "a\rb",
    "***\n---\n___\n", "para\n***\npara",
    # unicode
    "Ünïcödé — “quotes” ‘single’ … ß İ ﬁ", "非常に 中文 한국어", "emoji 😀 👍🏽", "nbsp\u00a0inside\u00a0",
    "\u2028line separator", "zero\u200bwidth", "tab\tinside", "\ttab indented",
    # pathological nesting
    "> " * 60 + "deep", "- " * 40 + "deep", "*" * 200, "[" * 300 + "]" * 300, "`" * 100, "*a " * 200,
    "_" * 99 + "x" + "_" * 99, "![" * 50 + "x" + "](y)" * 50, "1. " * 30 + "x",
]


def test_the_accelerator_is_installed_and_on():
    """The lock installs it: without it the fast path silently never runs and nothing below tests it."""
    assert markdown_it_pyrs is not None and markdown_rs.enabled()


@pytest.mark.parametrize("text", CORPUS)
@pytest.mark.parametrize("base", [1, 2, 3])
def test_corpus_identical(text, base):
    assert str(markdown(text, base)) == _render_py(text, base)


def test_corpus_mostly_plain_constructs_take_the_fast_path():
    """Not vacuous: the plain constructs really are rendered by Rust (and still equal, above)."""
    fast = [t for t in CORPUS if markdown_rs.render(t, 2) is not None]
    assert len(fast) >= 40
    assert any("mention:" in t for t in fast) and any(t.startswith("# One") for t in fast)


@pytest.mark.parametrize("text", [
    "x[^1]\n\n[^1]: note\n", "~~s~~", "```\nopen", "Term\n: def\n", "- a\n|-|\n", "*😀**(", ">\n",
    "> q\n2) x\n", "a\n---:\n", "a\rb", "` `  `  `", "2) [x]: /u\\\n", "x\u00a0", "![i](http://e.org/p.png)",
])
def test_constructs_the_rust_renderer_gets_wrong_go_to_python(text):
    """Each of these once gave different HTML from markdown-it-pyrs 0.4 (or made it panic)."""
    assert markdown_rs.render(text, 2) is None


def test_a_rust_panic_falls_back_to_python():
    text = "[#```"   # panicked markdown-it-pyrs 0.4 (index out of bounds); the gate stops it first now
    assert str(markdown(text)) == _render_py(text, 2) == "<p>[#```</p>\n"


def test_forced_fallback(monkeypatch):
    monkeypatch.setenv("PORTFOLIO_MARKDOWN", "py")
    assert markdown_rs.render("plain *text*", 2) is None
    monkeypatch.setattr(markdown_rs, "markdown_it_pyrs", None)   # as where it is not installed
    monkeypatch.delenv("PORTFOLIO_MARKDOWN")
    assert markdown_rs.render("plain *text*", 2) is None
    assert str(markdown("plain *text*")) == "<p>plain <em>text</em></p>\n"


def test_example_bodies_identical_and_fast():
    bodies = [load_file(p, EXAMPLE, "entry", []).body for p in sorted((EXAMPLE / "entries").glob("*.md"))]
    assert len(bodies) >= 10
    for body in bodies:
        assert str(markdown(body, 3)) == _render_py(body, 3)
    assert sum(markdown_rs.render(b, 3) is not None for b in bodies) >= len(bodies) // 2


_ATOMS = ["a", "word", "é", "’", "—", "ß", "😀", " ", "  ", "\n", "\n\n", "\r\n", "\t", "*", "_", "**", "~~",
          "`", "```", "    ", "# ", "## ", "> ", ">", "- ", "* ", "1. ", "2) ", "[", "]", "(", ")", "![", "<", ">",
          "&", "&amp;", "&#35;", "\\", "|", "|-|", ":", "---", "===", "[^1]", "[^1]: ", "http://x.y",
          "<http://x.y>", "[P.S.](mention:k)", "![i](pic.png)", "![i](http://e.org/p.png)", "[x]: /u", "[x]",
          "<b>", "<!-- c -->", "Term\n: def", "\u00a0"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_ATOMS), max_size=40).map("".join), st.integers(1, 4))
def test_generated_markdown_identical(text, base):
    assert str(markdown(text, base)) == _render_py(text, base)


def tree(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_example_site_identical_without_the_accelerator(example_site, example_source, tmp_path, monkeypatch):
    monkeypatch.setenv("PORTFOLIO_MARKDOWN", "py")
    out = tmp_path / "site"
    assert build_site(example_source, out, dt.date(2026, 9, 30)).published
    with_rust, without = tree(example_site), tree(out)
    assert with_rust.keys() == without.keys()
    assert [f for f in with_rust if with_rust[f] != without[f]] == []
