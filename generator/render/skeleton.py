"""The print view joined from a kept frame and per-entry fragments: a body edit renders one fragment.

print.html is the whole portfolio: a cover, contents, a matrix per unit, units and decisions, then every
entry (one fragment each, print-entry.html, kept by content key: render/fragments.py), then contacts,
networks, plan and gaps. Everything but the entries — its frame, front and back — shows no entry's body,
so it is rendered once with a mark in place of the entries, cut at the marks, and kept in the page's
fragment store under the key a page that reads no body has (`PageCache.key(page, bodies=False)`: every
record's front matter, the findings and the facts every page's key covers; under the full key if the
frame did read a body). A save that edits a body joins the kept front, the fragments (all kept but the
edited entry's) and the kept back: the same bytes as rendering the template whole, since the template
prints each fragment as it is given and nothing else reads it.

That last point holds for the shipped print.html and base.html (which prints the content block once).
A theme that overrides either (docs/themes.md) could do anything with the content (count its words,
print it twice): then the page is rendered whole, as before. A frame render that does not come out as
front, one mark per entry in order, and back is also rendered whole.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from markupsafe import Markup

from ..objects import BodyReads
from .environment import DEFAULT_THEME

MARK = "\x00entry\x00"          # never in a page: a NUL in a record would fail the shape check (whole render)
SPLIT = {"print.html": "print-entry.html"}   # page template -> the fragment it shows for each entry, in order
FRAME_OF = ("base.html",)       # templates the page's content passes through, which must be the shipped ones
# frames rendered in this process, by page template: tests count the work here (never by timing)
RENDERED: Counter = Counter()


def applies(env, template: str | None) -> bool:
    """Is the page made by a shipped template that is split here (and not overridden by a theme)?"""
    return template in SPLIT and all(_shipped(env, name) for name in (template, *FRAME_OF))


def _shipped(env, name: str) -> bool:
    try:
        filename = env.get_template(name).filename
    except Exception:   # a theme template that fails to load: the whole render reports it
        return False
    return bool(filename) and Path(filename).resolve() == (DEFAULT_THEME / "templates" / name).resolve()


def join(template: str, generate, fragment, fragments, entries: list, keys: tuple) -> bytes | None:
    """The page's bytes: the frame kept in `fragments` under `keys` (no-body key, full key) or rendered
    now by `generate(fragment_function)` (Jinja's pieces) and kept, with each entry's fragment between
    its front and back. None when the frame is not in the expected shape: the caller renders whole."""
    name = SPLIT[template]
    if not entries:
        return None
    frame = fragments.frame(keys)
    if frame is None:
        calls = []

        def mark(called: str, record, **extra):
            calls.append((called, id(record), extra))
            return Markup(MARK)

        RENDERED[template] += 1
        before = BodyReads.count
        text = "".join(generate(mark))
        read = BodyReads.count != before
        front, found, back = text.partition(MARK * len(entries))
        # a NUL in the frame (from a record) could be taken for a mark or for the kept frame's cut
        if not found or "\x00" in front or "\x00" in back or calls != [(name, id(e), {}) for e in entries]:
            return None
        fragments.keep_frame(keys, read, front, back)
    else:
        front, back = frame
    out = bytearray(front.encode("utf-8"))
    for e in entries:
        out += str(fragment(name, e)).encode("utf-8")
    out += back.encode("utf-8")
    return bytes(out)
