"""The Jinja2 environment: a learner's theme overrides any single template of the default theme."""
from __future__ import annotations

import posixpath
from pathlib import Path

import jinja2

from .markdown import markdown

DEFAULT_THEME = Path(__file__).resolve().parents[2] / "themes" / "default"


def theme_dirs(model) -> list[Path]:
    """Theme folders, most specific first: the learner's `site.theme`, then the default."""
    dirs = []
    theme = (model.site or {}).get("theme") if model else None
    if theme:
        dirs.append((model.root / theme).resolve())
    dirs.append(DEFAULT_THEME)
    return dirs


def relative(target: str, page: str) -> str:
    """A link from site path `page` to site path `target`, relative so the site works anywhere."""
    base = posixpath.dirname(page)
    anchor = ""
    if "#" in target:
        target, anchor = target.split("#", 1)
        anchor = "#" + anchor
    if not target:
        return anchor or "#"
    rel = posixpath.relpath(target, base or ".")
    return rel + anchor


def environment(dirs: list[Path]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d / "templates")) for d in dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["markdown"] = markdown
    env.filters["date"] = lambda d, fmt="%-d %B %Y": d.strftime(fmt) if d else ""
    return env
