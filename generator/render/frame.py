"""The frame of every page — header, navigation, footer — rendered once per build and reused.

What a frame part shows does not depend on the page, only on where the page sits: links are relative,
so they differ by folder depth, and the navigation marks the top-level page it is on. So a part is
rendered once per (template, depth, top-level page) and the same text goes into every page like it:
about 25 renders instead of one per page. By construction a part cannot read anything else about the
page: its template is given what every page shares (the model, the analysis, `site` ...), `url` and
`href` for links from a page at that depth, and `current`, the page's path when it is at the top level
(else none). A theme overrides a part by path like any template (docs/themes.md, "The frame").
"""
from __future__ import annotations

from collections import Counter

from markupsafe import Markup

from ..objects import BodyReads

from . import paths

# Renders of each frame part in this process, by template name: tests count them here (speed is never
# asserted by timing). Forked render workers count in their own copy.
RENDERED: Counter = Counter()


class Frame:
    def __init__(self, env, shared: dict):
        self.env, self.shared = env, shared
        self.parts: dict = {}

    def part(self, name: str, page_path: str) -> Markup:
        depth = page_path.count("/")
        current = page_path if depth == 0 else None
        key = (name, depth, current)
        part = self.parts.get(key)
        if part is None:
            before = BodyReads.count
            text = self._render(name, depth, current)
            part = self.parts[key] = (text, BodyReads.count != before)
        elif part[1]:     # a part that showed an entry's body shows it on every page it goes into
            BodyReads.count += 1
        return part[0]

    def _render(self, name: str, depth: int, current: str | None) -> Markup:
        # links from a site path at this depth that no page has: the same as from any page there
        here = current or "_/" * depth + "_frame.html"
        from .site import href_path

        def url(target: str) -> str:
            return paths.relative(target, here)

        def href(obj) -> str:
            return paths.relative(href_path(obj), here)

        RENDERED[name] += 1
        return Markup(self.env.get_template(name).render(**self.shared, url=url, href=href, current=current))
