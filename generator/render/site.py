"""Render every page: the model and findings → {site path: bytes}, nothing written yet.

Templates see only the model and the shared `SiteData`; they never read files or raw YAML.
One Jinja environment serves the whole build, and each page is rendered on its own.
"""
from __future__ import annotations

import itertools
from collections import Counter

from ..objects import BodyReads
from ..registry import RULES
from . import paths
from ..failures import Failure, template_failure
from .environment import DEFAULT_THEME, environment, theme_dirs
from .frame import Frame
from .bodystore import BodyStore
from .fragments import Fragments
from . import skeleton
from .outputs import encoded, matrix_csv, portfolio_json, search_index_js
from .csvs import claims_csv
from .mahara import matrix_bytes
from .netmap import network_map
from .pages import Page, pages  # noqa: F401  (Page is part of this module's interface)
from .parallel import map_ordered

# Pages rendered (not kept by the page cache), by site path, counted in this process whichever process
# rendered them: tests count the work here (speed is never asserted by timing)
RENDERED: Counter = Counter()

# yielded by render_site as (FIRST_DONE, None) once the pages asked for `first` are made: `serve` publishes
# the browser's open pages then, before the rest of the site is looked at (generator/live.py)
FIRST_DONE = "\0first pages made"

_HREF = {
    "Entry": paths.entry, "Contact": paths.contact, "Unit": paths.unit, "Criterion": paths.criterion,
    "Network": paths.network, "Goal": paths.goal,
}


def href_path(obj) -> str | None:
    f = _HREF.get(type(obj).__name__)
    return f(obj) if f else None


def label(obj) -> str:
    """How an object is named in a link: the public name only (an entry's with its evidence reference)."""
    if type(obj).__name__ == "Entry":
        return f"{obj.ref} {obj.title}"
    for attr in ("display_name", "title", "statement", "name", "ref"):
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            return value
    return str(obj)


def _history_of(model):
    from ..assessment.rules import history_of
    return history_of(model)


def template_context(model, site, analysis, as_of) -> dict:
    """What every template is given (docs/themes.md): the model (positions, no raw records, no real
    names), the analysis (every fact decided), the shared SiteData, the rules, and a few settings."""
    return {"rules": RULES, "model": model, "site": site, "analysis": analysis, "as_of": as_of,
            "assessment": analysis.assessment,
            "assessment_of_entry": analysis.assessment.judging if analysis.assessment else (lambda e: []),
            "first_recorded": lambda e: _history_of(model).get(e.file),
            "assessor_name": lambda pid: getattr(model.assessment.person(pid), "name", pid),
            "site_title": (model.site or {}).get("title") or f"{model.learner.get('name')} — portfolio",
            "language": (model.site or {}).get("language") or "en"}


def render_site(model, findings, analysis, as_of, redactor=None, cache=None, bodies=None, sink=None,
                first=None):
    """Yield (site path, bytes) for every page, in a stable order, rendering lazily so a large site is
    never held in memory whole. With a `cache` (generator.cache.PageCache), a page whose published
    copy is still right is not rendered: its bytes are None, and write.publish keeps the published
    file. `bodies` (render/bodystore.py `BodyStore`, HTML by Markdown digest) saves re-rendering unchanged
    entry bodies; without it they are rendered into a temporary store.
    `analysis` holds every fact the pages display; `redactor` (kept from templates) makes the findings public.
    With a `sink` ((site path, chunks) -> record), each page is handed to it as a stream of byte chunks
    where it is rendered (in the worker), and its record is yielded instead of its bytes:
    pipeline.publish_checked writes and scans pages there as they are made, so no page is held whole
    and none crosses to the parent process.
    With `first` (a set of site paths: the pages a browser has open in `serve`), those pages are checked and
    made before any other page is, and then (FIRST_DONE, None) is yielded; the rest follow as usual."""
    from .data import SiteData

    env = environment(theme_dirs(model))
    site = SiteData(model, findings, analysis, as_of, redactor, getattr(cache, "public", None))
    own = bodies is None      # no cache: the bodies go to a temporary store for this render alone
    store = BodyStore() if own else bodies
    site.prepare_bodies(store)
    common = template_context(model, site, analysis, as_of)
    frame = frame_of(env, common)
    if sink is None:
        def make(page):
            return _counted(env, page, common, site, frame, cache)
    else:
        def make(page):   # the sink consumes the page's stream of chunks: the page is made as it is written
            before = BodyReads.count
            placed = sink(page.path, page_chunks(env, page, common, site, frame, cache))
            return placed, BodyReads.count != before
    try:
        listed = pages(model, findings, analysis)
        if first is not None:   # the list is made only as far as the last of them
            listed, passed, left = iter(listed), [], set(first)
            for page in listed:
                if page.path not in left:
                    passed.append(page)
                    continue
                left.discard(page.path)
                if cache is not None and cache.fresh(page):
                    yield page.path, None
                else:
                    yield from _made([page], make, cache)
                if not left:
                    break
            yield FIRST_DONE, None
            listed = itertools.chain(passed, listed)
        todo = []
        for page in listed:
            if cache is not None and cache.fresh(page):
                yield page.path, None
            else:
                todo.append(page)
        # pages that read every record (indexes, print view, search index, portfolio.json) are the costly
        # ones: start them first, one to a worker; the output does not depend on the order
        todo.sort(key=lambda page: page.deps is not None)
        yield from _made(todo, make, cache, sum(1 for page in todo if page.deps is None))
    finally:
        if own:
            store.close()


def _made(todo: list, make, cache, alone: int = 0):
    """(site path, bytes or sink record) of each page in `todo`, made in order (across workers when it pays)."""
    for page, (data, read_bodies) in zip(todo, map_ordered(make, todo, alone)):
        RENDERED[page.path] += 1
        if cache is not None:
            cache.rendered(page, read_bodies)
        yield page.path, data


def _counted(env, page, common, site, frame, cache) -> tuple[bytes, bool]:
    """A page's bytes, and whether rendering it read any entry's body (objects.BodyReads; the page
    cache keys a page that did not by the entries' front matter only). The Python-made files that read
    bodies read them through the same attribute, so they count too."""
    before = BodyReads.count
    data = render_page(env, page, common, site, frame, cache)
    return data, BodyReads.count != before


def frame_of(env, common) -> Frame:
    """The build's frame parts: given what every page shares and nothing about any one page."""
    return Frame(env, {**common, "paths": paths, "label": label, "href_path_of": href_path})


def render_page(env, page, common, site, frame=None, cache=None) -> bytes:
    """One page's bytes (`page_chunks` joined)."""
    return b"".join(page_chunks(env, page, common, site, frame, cache))


def page_chunks(env, page, common, site, frame=None, cache=None):
    """One page's bytes as a stream of chunks, made as they are asked for; a theme template that fails
    becomes one Failure at its file and line. With a `cache` (PageCache), the page's per-record
    fragments are kept in it and reused."""
    fragments = cache.fragments(page.path) if cache is not None else Fragments()
    # serve keeps the print view's frame (render/skeleton.py) under the page's keys without and with bodies
    keys = (cache.key(page, bodies=False), cache.key(page)) if getattr(cache, "split", False) else None
    try:
        yield from _render_page(env, page, common, site, frame or frame_of(env, common), fragments, keys)
        fragments.save()
    except Failure:
        raise
    except Exception as exc:
        if page.template is None:
            raise
        roots = [site.model.root, DEFAULT_THEME.parents[1]]
        raise template_failure(exc, roots, page.path) from None
    finally:   # a page cut short (a failure, or its writing stopped) leaves no half-made store
        fragments.close()


def _render_page(env, page, common, site, frame, fragments, keys=None):
    """A page's byte chunks (an iterable: the large files are streams, the small ones one chunk)."""
    fmt = page.context.get("format")
    if fmt == "json":
        # serve: each entry's record kept as a fragment (not in `portfolio build`, whose peak memory it would add to)
        return portfolio_json(site, fragments if keys is not None else None, keys)
    if fmt == "search-index":
        return search_index_js(site, fragments)
    if fmt == "claims":
        return [claims_csv(site.model, site.analysis)]
    if fmt == "mahara":
        return [matrix_bytes(page.context["framework"])]
    if fmt == "csv":
        return [matrix_csv(page.context["unit"], page.context["rows"], site)]

    here = page.path

    def url(target: str) -> str:
        return paths.relative(target, here)

    def href(obj) -> str:
        return paths.relative(href_path(obj), here)

    shared = {**common, "url": url, "href": href, "paths": paths, "label": label, "href_path_of": href_path}

    def fragment(name: str, record, **extra):
        return fragments.template(env, name, record, extra, shared)

    def generate(fragment):
        return env.get_template(page.template).generate(
            **common, **page.context, page=page, url=url, href=href, paths=paths, label=label,
            href_path_of=href_path, network_map=lambda: network_map(site.model, url),
            frame=lambda name: frame.part(name, here), fragment=fragment)

    if keys is not None and skeleton.applies(env, page.template):
        data = skeleton.join(page.template, generate, fragment, fragments, site.model.entries, keys)
        if data is not None:
            return [data]
    return encoded(generate(fragment))
