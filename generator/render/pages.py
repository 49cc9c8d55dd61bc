"""The page list: which pages exist, what each is given, and which records each depends on.

`pages()` yields `Page`s; rendering one needs only the page and the shared `SiteData`, never
another page. `deps` names the model objects whose records a page reads (None: it reads
everything), so an incremental build can skip pages whose records did not change.
"""
from __future__ import annotations

from ..assessment.shown import Shown
from . import grid, paths

HOME = ("Dashboard", "index.html")
QUAL = ("Qualification", "qualification.html")
DIARY = ("Diary", "diary.html")


class Page:
    __slots__ = ("path", "template", "title", "deps", "crumbs", "facts", "context")

    def __init__(self, path: str, template: str | None, title: str, deps=None, crumbs=(), facts=(), **context):
        self.path, self.template, self.title = path, template, title
        self.deps = tuple(deps) if deps is not None else None
        self.crumbs = tuple(crumbs)    # (label, site path) of the pages above this one
        self.facts = tuple(facts)      # what a page with `deps` shows of the other records (pagecache.py)
        self.context = context

    def __repr__(self):
        return f"Page({self.path!r})"


def _uniq(objs):
    seen, out = set(), []
    for o in objs:
        if o is not None and id(o) not in seen:
            seen.add(id(o))
            out.append(o)
    return out


def entry_deps(e):
    return _uniq([e, *e.contacts, *(c.unit for c in e.criteria), *e.goals, *e.networks, e.witness])


def contact_deps(c):
    return _uniq([c, *c.entries, c.introduced_by, *c.introduced])


def record_deps(obj):
    """The model objects whose records one record's part of a page may show (as on its own page); None: all."""
    kind = type(obj).__name__
    if kind == "Entry":
        return entry_deps(obj)
    if kind == "Contact":
        return contact_deps(obj)
    return None


def _auto(criteria) -> bool:
    return any(c.auto for c in criteria)


def _matrix_deps(unit, evidence, analysis, shown):
    """A unit's matrix reads the unit and the entries that evidence it, and shows whether each criterion is
    evidenced (and so, undecided, claimed): an automatically checked criterion's result is its rule's, which
    reads records the matrix does not (every contact's `why`, every entry's methods). Those results are the
    page's facts; the finding that reports an unmet one is not enough, since a learner may switch its rule off.
    So is each criterion's assessment state (assessment/shown.py)."""
    if not _auto(unit.criteria):
        return [unit, *evidence], shown.matrix(unit)
    if analysis is None:
        return None, ()
    return [unit, *evidence], [*((c.ref, analysis.criterion(c).met) for c in unit.criteria if c.auto),
                               shown.matrix(unit)]


def matrix_rows(model) -> dict:
    """unit ref -> the entries that evidence one of its criteria, in date order (the model keeps its entries
    sorted by date, then id): a matrix reads as a timeline, oldest first, whatever order criteria are in."""
    out: dict = {}
    for e in model.entries:
        for u in _uniq(c.unit for c in e.criteria):
            out.setdefault(u.ref, []).append(e)
    return out


def pages(model, findings=None, analysis=None):
    # what a page with deps shows of the assessment (decisions, IQA samples, evidence changed since judged) is in
    # no record it reads: it is the page's facts (assessment/shown.py); the pages that read everything hold all
    shown = Shown(getattr(analysis, "assessment", None))
    yield Page("index.html", "index.html", "Dashboard")
    # the pages of one record first: the page a learner has open while editing is most often one of them, and
    # `serve` makes the list only as far as the open pages before it publishes them (render/site.py `first`)
    for e in model.entries:
        yield Page(paths.entry(e), "entry.html", f"{e.ref} {e.title}", entry_deps(e), [HOME, DIARY],
                   facts=shown.entry(e), entry=e)

    yield Page("contacts.html", "contacts.html", "Contacts", crumbs=[HOME])
    for c in model.contacts:
        deps = contact_deps(c)
        yield Page(paths.contact(c), "contact.html", c.display_name, deps, [HOME, ("Contacts", "contacts.html")],
                   contact=c)

    yield Page("qualification.html", "qualification.html", "Qualification", crumbs=[HOME])

    for u in model.units.values():
        crits = u.criteria
        evidence = _uniq(e for c in crits for e in c.evidence)
        auto = _auto(crits)
        yield Page(paths.unit(u), "unit.html", f"{u.ref} {u.title}", None if auto else [u, *evidence], [HOME, QUAL],
                   facts=() if auto else shown.unit(u), unit=u)
        for c in crits:
            yield Page(paths.criterion(c), "criterion.html", f"{c.ref} {c.text}",
                       None if c.auto else [u, *c.evidence], [HOME, QUAL, (u.ref, paths.unit(u))],
                       facts=() if c.auto else shown.criterion(c), criterion=c)

    by_unit = matrix_rows(model)
    yield Page("matrix.html", "matrix-index.html", "Matrix", crumbs=[HOME], grids=grid.grids(model))
    for u in model.units.values():
        evidence = by_unit.get(u.ref, [])
        crumbs = [HOME, ("Matrix", "matrix.html")]
        deps, facts = _matrix_deps(u, evidence, analysis, shown)
        yield Page(paths.matrix(u), "matrix.html", f"Matrix: {u.ref} {u.title}", deps, crumbs, facts=facts,
                   unit=u, rows=evidence)
        yield Page(paths.matrix_csv(u), None, f"{u.ref} matrix (CSV)", deps, crumbs, facts=facts,
                   format="csv", unit=u, rows=evidence)

    for fw in model.frameworks:   # the framework alone (no learner data): it changes only with its file
        yield Page(paths.mahara(fw), None, f"{fw.title} (Mahara SmartEvidence)", [fw], format="mahara", framework=fw)

    yield Page(paths.claims_csv(), None, "Claims (CSV)", crumbs=[HOME, ("Matrix", "matrix.html")], format="claims")

    yield Page("diary.html", "diary.html", "Diary", crumbs=[HOME], entries=model.entries, filter=None)
    for dim, values in _filters(model):
        for value, label, path, entries, deps in values:   # "3 of 40 entries, where ..."
            yield Page(path, "diary.html", f"Diary: {label}", deps, [HOME, DIARY], facts=[len(model.entries)],
                       entries=entries, filter=(dim, value, label))

    yield Page("networks.html", "networks.html", "Networks", crumbs=[HOME])
    yield Page("plan.html", "plan.html", "Development plan", crumbs=[HOME])
    yield Page("gaps.html", "gaps.html", "Gaps", crumbs=[HOME])
    yield Page("follow-ups.html", "follow-ups.html", "Follow-ups", crumbs=[HOME])
    yield Page("assessment.html", "assessment.html", "Assessment", crumbs=[HOME], records=model.assessment,
               units=[u for u in model.chosen_units if u.framework.is_qualification])
    yield Page("search.html", "search.html", "Search", crumbs=[HOME])
    yield Page("search-index.js", None, "Search index", format="search-index")
    yield Page("print.html", "print.html", "Whole portfolio (print)", crumbs=[HOME])
    yield Page("portfolio.json", None, "portfolio.json", format="json")


def _filters(model):
    """The diary's filter pages, one per value: (dimension, [(value, label, path, entries, deps)])."""
    kinds, methods = {}, {}
    for e in model.entries:
        kinds.setdefault(e.kind, []).append(e)
        for m in e.methods:
            methods.setdefault(m, []).append(e)
    # a filter page shows its entries' rows, its value's label (a contact's public name and a network's name
    # are in every page's key) and the count of all entries (its Page.facts): it depends on its entries
    yield "kind", [(k, k, paths.diary("kind", k), kinds[k], kinds[k]) for k in sorted(kinds)]
    yield "method", [(m, m, paths.diary("method", m), methods[m], methods[m]) for m in sorted(methods)]
    yield "contact", [(c.key, c.display_name, paths.diary("contact", c.key), c.entries, [c, *c.entries])
                      for c in model.contacts if c.entries]
    yield "network", [(n.id, n.name, paths.diary("network", n.id), n.entries, n.entries)
                      for n in model.networks if n.entries]
