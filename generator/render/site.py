"""The page list: which pages exist, and what each template is given."""
from __future__ import annotations

import json

from .environment import environment, relative, theme_dirs


class Page:
    def __init__(self, path: str, template: str, title: str, **context):
        self.path, self.template, self.title, self.context = path, template, title, context


def entry_path(entry) -> str:
    return f"entries/{entry.id}.html"


def pages(model, findings, coverage):
    yield Page("index.html", "index.html", "Dashboard")
    for entry in model.entries:
        yield Page(entry_path(entry), "entry.html", entry.title, entry=entry)


def render_site(model, findings, coverage, as_of) -> dict[str, bytes]:
    env = environment(theme_dirs(model))
    out: dict[str, bytes] = {}
    common = {"model": model, "findings": findings, "coverage": coverage, "as_of": as_of,
              "site_title": (model.site or {}).get("title") or f"{model.learner.get('name')} — portfolio",
              "language": (model.site or {}).get("language") or "en"}
    for page in pages(model, findings, coverage):
        def url(target, _page=page.path):
            return relative(target, _page)
        html = env.get_template(page.template).render(
            **common, **page.context, page=page, url=url, entry_url=lambda e, _u=url: _u(entry_path(e)))
        out[page.path] = html.encode("utf-8")
    return out
