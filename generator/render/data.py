"""Everything the pages share, computed once per build: lookups, rendered bodies, attachment
facts, git dates, follow-ups, credit rules, diary filters and public diagnostics.

Templates read only the model and this object; nothing here is per page, so every page is
rendered independently of the others and the whole build stays linear in the records.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, replace

from markupsafe import Markup

from ..objects import BodyReads
from . import paths
from .history import entry_history
from .markdown import markdown
from .pages import _filters
from .parallel import map_ordered

def body_digest(text: str) -> str:
    return hashlib.sha256(b"md3\0" + text.encode("utf-8")).hexdigest()


# each body's digest by its text, as the last build made them: a serve session keeps the bodies between saves
# (a digest of every body on every save was 20-30 ms at 10,000 entries)
_DIGESTS: dict = {}


def body_digests(entries) -> dict:
    """id(entry) -> its body's digest."""
    global _DIGESTS
    known, now = _DIGESTS, {}
    for e in entries:
        d = known.get(e.body)
        now[e.body] = d if d is not None else body_digest(e.body)
    _DIGESTS = now   # only the bodies there are now
    return {id(e): now[e.body] for e in entries}


DIMENSIONS = (("kind", "Kind"), ("method", "Method"), ("contact", "Contact"), ("network", "Network"))


@dataclass
class AttachmentInfo:
    path: str          # the site path of the copy
    source: str        # the record's path (redacted) for the page
    caption: str
    size: int | None
    sha256: str | None


def public_diagnostic(d, redactor):
    """A diagnostic as the site may show it: hidden names and private ids replaced in every field."""
    return replace(d, file=redactor(d.file), message=redactor(d.message), subject=redactor(d.subject),
                   hint=redactor(d.hint))


class PublicFindings:
    """`serve`'s session of the findings' public forms (generator/live.py): each finding redacted once, kept
    by the finding (a frozen value: every field) and the redactor's fingerprint (everything that decides
    what it does to a text), so a save redacts only the findings it has not seen. Only the last build's
    are kept: the memo does not grow with the session."""

    def __init__(self):
        self._kept: dict = {}
        self._fingerprint = None
        self.made = 0          # findings redacted by the last build: tests count them

    def of(self, findings, redactor) -> list:
        fingerprint = redactor.fingerprint()
        old = self._kept if fingerprint == self._fingerprint else {}
        kept, out, made = {}, [], 0
        for d in findings:
            public = kept.get(d) or old.get(d)
            if public is None:
                public, made = public_diagnostic(d, redactor), made + 1
            kept[d] = public
            out.append(public)
        self._kept, self._fingerprint, self.made = kept, fingerprint, made
        return out


def _file_facts(path):
    try:
        h = hashlib.sha256()
        size = 0
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
                size += len(block)
        return size, h.hexdigest()
    except OSError:
        return None, None


class SiteData:
    def __init__(self, model, findings, analysis, as_of, redactor=None, public: PublicFindings | None = None):
        # the redactor is used here and not kept: it holds the real names templates must never reach
        self.model, self.analysis, self.as_of = model, analysis, as_of
        if redactor and public is not None:
            self.findings = public.of(findings, redactor)
        else:
            self.findings = [public_diagnostic(d, redactor) for d in findings] if redactor else list(findings)
        self._store, self._digests = None, {}     # render/bodystore.py, and each entry's body digest
        self._history = None
        self._subjects = None

        self.by_rule: dict[str, list] = defaultdict(list)
        for d in self.findings:
            self.by_rule[d.rule].append(d)
        self.counts = {s: sum(1 for d in self.findings if d.severity == s) for s in ("error", "warning", "info")}

        self._attachments: dict = {}
        for e in model.entries:
            self._attachments[id(e)] = [
                AttachmentInfo(paths.attachment(e, i, a, redactor), redactor.path(a.path) if redactor else a.path,
                               a.caption, *_file_facts(model.root / a.path))
                for i, a in enumerate(e.attachments)]

        # diary filters: dimension -> [(value, label, path, entries, deps)], in a stable order
        self.filters = dict(_filters(model))
        self.criteria_used = [c for c in model.criteria.values() if c.evidence]

    # -- per entry -----------------------------------------------------------------------------
    def prepare_bodies(self, store) -> None:
        """Render every entry body not in `store` (render/bodystore.py: HTML on disk by digest, kept
        across builds with the cache) before pages are rendered, across both cores when there are many.
        Only each entry's digest is held here; a page reads the HTML from the store (forked page workers
        read the same file), so no process holds every body's HTML at once."""
        digests = body_digests(self.model.entries)
        bodies = {digests[id(e)]: e for e in self.model.entries}
        missing = sorted((d, e.body) for d, e in bodies.items() if not store.readable(d))
        for (digest, _), html in zip(missing, map_ordered(lambda item: str(markdown(item[1], 3)), missing)):
            store.add(digest, html)
        self._store, self._digests = store, digests

    def body(self, entry) -> Markup:
        BodyReads.count += 1     # the page shows a body: the page cache keys it by the bodies too
        html = self._store.get(self._digests.get(id(entry))) if self._store is not None else None
        # not prepared, or its record damaged (or not written: a store that cannot be written)
        return Markup(html) if html is not None else markdown(entry.body, 3)

    def unit_entries(self, unit) -> list:
        """The entries that evidence any criterion of `unit`, by date (the print view's matrix rows)."""
        crits = set(map(id, unit.criteria))
        return [e for e in self.model.entries if any(id(c) in crits for c in e.criteria)]

    def attachments(self, entry) -> list:
        return self._attachments[id(entry)]

    def history(self, entry):
        """(first recorded, last changed) from git, or None."""
        if self._history is None:
            self._history = entry_history(self.model.root)
        return self._history.get(entry.file)

    def timeline(self, contact):
        """(date, kind, item), oldest first: first meeting, entries and relationship reviews."""
        items = []
        if contact.met_date:
            items.append((contact.met_date, 0, "met", contact.met_how))
        items += [(e.date, 1, "entry", e) for e in contact.entries if e.date]
        items += [(r.date, 2, "review", r) for r in contact.reviews if r.date]
        items.sort(key=lambda t: (t[0], t[1]))
        return [(d, k, item) for d, _, k, item in items]

    def goals_of(self, criterion):
        seen, out = set(), []
        for e in criterion.evidence:
            for g in e.goals:
                if id(g) not in seen:
                    seen.add(id(g))
                    out.append(g)
        return out

    @staticmethod
    def score_keys(networks):
        keys: dict = {}
        for n in networks:
            for k in n.data.get("scores") or {}:
                keys.setdefault(k, None)
        return list(keys)

    def subject_link(self, subject):
        """(site path, link text) of the page a diagnostic's subject (a public id or ref) is about, or None."""
        if self._subjects is None:
            m = self.model
            self._subjects = {}
            for u in m.units.values():
                self._subjects[u.ref] = (paths.unit(u), f"unit {u.ref}")
            for c in m.criteria.values():
                self._subjects[c.ref] = (paths.criterion(c), f"criterion {c.ref}")
            for n in m.networks:
                self._subjects[n.id] = (paths.network(n), f"network {n.name}")
            for g in m.goals:
                self._subjects[g.id] = (paths.goal(g), f"goal {g.id}")
            for c in m.contacts:
                self._subjects[c.key] = (paths.contact(c), c.display_name)
            for e in m.entries:
                self._subjects[e.slug] = (paths.entry(e), f"entry {e.ref}" + (f" of {e.date.isoformat()}" if e.date else ""))
        return self._subjects.get(subject) if subject else None

    def groups(self, framework):
        """[(group, heading, [units])] in the framework's order."""
        titles = {g.get("group"): g.get("title") for g in framework.rules.get("groups") or []}
        order: dict = {}
        for u in framework.units:
            order.setdefault(u.group or "", []).append(u)
        return [(g, (f"Group {g}" + (f": {titles[g]}" if titles.get(g) else "")) if g else "Units", units)
                for g, units in order.items()]
