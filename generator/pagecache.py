"""Which pages need rendering again: each page's key is a digest of everything it may show.

A page's key covers, whatever its `deps`: the generator's code, the templates, `--as-of`, the site
settings (portfolio.yaml), the git commit (entry pages show when they were first recorded), every
contact's public name (pseudonyms are numbered across contacts) and the redaction in force (what is
hidden depends on every contact's name, consent and channels: a detail that has just become private
must leave every page that shows it). Then, per page: the records it reads
(its `deps`' file digests, every file when `deps` is None), what its records have from other files
(an unpinned entry's evidence reference is numbered among the others and after the ledger's last one:
every unpinned entry's, when `deps` is None), the findings about those files, the size and sha256 of the
files their entries attach (pages show them), and the few facts about the rest it shows (`Page.facts`:
the count of entries a diary filter page shows, the automatic criteria's results on a unit's matrix, what
it shows of the assessment: assessment/shown.py). A page that reads every record holds all of the
assessment records (`every_assessed`): whether each judged file changed since it was judged, or is gone, and
how each judged entry is named are in no record file.
No fact may reach a key only through a finding: `checks.ignore` switches any finding off.

A page with `deps` shows nothing else of the other records: the shipped templates are written so, and
tests/test_local_edits.py edits the front matter of a full portfolio at random to hold them to it. So
an entry's title, date, kind or links, the counts of findings and the assessment's facts are only in the
keys of the pages that show them (tests/test_judged_edits.py counts those of the assessment). A learner's
template may show anything it can reach (another entry's title through a contact, the count of warnings, a
criterion's state): with one in the theme, every entry's index facts, the counts of findings and the
assessment records are in every page's key, as they were before for all.

A page whose key matches the last publish into the same folder, and whose file there is still the one
written, is kept. A page whose last render read no entry's body (counted by objects.BodyReads, however
the template reached it) is keyed by the entries' front matter, and what the rules read of their bodies
(rules/diary.py `body_facts`), instead of their whole files: a body edit leaves it alone.

`tests/test_incremental.py` edits every field kind at random and demands the cached build equal a
clean one byte for byte: a fact a page shows that is missing here fails it.
"""
from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from .assessment.shown import Shown, every as every_assessed
from .render.environment import shipped_only
from .rules.diary import body_facts
from .uptodate import git_head
from .write import intact

RACY_NS = 2_000_000_000      # a file changed this close to the last look may share its recorded status


def digest(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(repr(p).encode("utf-8") if not isinstance(p, bytes) else p)
        h.update(b"\x1f")
    return h.hexdigest()


_NONE_ATTACHED = digest([])   # the part of an entry that attaches nothing: most entries (a digest each: 10,000)


def astuple(d) -> tuple:
    """A diagnostic's fields, for hashing (dataclasses.asdict is an order of magnitude slower)."""
    return (d.severity, d.rule, d.file, d.line, d.column, d.message, d.subject, d.hint)


def _index_facts(e) -> tuple:
    return (e.id, e.ref, e.title, str(e.date), e.kind, tuple(e.methods), tuple(c.key for c in e.contacts),
            tuple(n.id for n in e.networks), tuple(g.id for g in e.goals), tuple(c.ref for c in e.criteria))


def tree_digest(folders: list[Path]) -> str:
    h = hashlib.sha256()
    for folder in folders:
        if folder.is_dir():
            for f in sorted(folder.rglob("*")):
                if f.is_file():
                    h.update(f.relative_to(folder).as_posix().encode() + b"\0" + f.read_bytes())
        h.update(b"\x1e")
    return h.hexdigest()


def file_facts(path: Path, known: dict, now_ns: int) -> tuple:
    """(size, sha256) of a file, or (None, None) when it cannot be read. `known` maps a path to
    (status, size, sha256) from earlier builds: a file whose status is exactly as recorded, and was last
    changed well before it was recorded, is not read again (git's rule for racy files)."""
    key = str(path)
    try:
        st = os.stat(path)
    except OSError:
        known.pop(key, None)
        return (None, None)
    status = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    rec = known.get(key)
    if rec and tuple(rec[0]) == status and st.st_ctime_ns < rec[3] - RACY_NS:
        return (rec[1], rec[2])
    h = hashlib.sha256()
    size = 0
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
                size += len(block)
    except OSError:
        known.pop(key, None)
        return (None, None)
    known[key] = (status, size, h.hexdigest(), now_ns)
    return (size, h.hexdigest())


class PageCache:
    """Asked by `render_site` for each page: is the published copy still right? Remembers each page's key."""

    def __init__(self, cache, model, findings, as_of, out: Path, templates: list[Path], code: str, redactor=None,
                 memo: "KeyMemo | None" = None):
        import time
        self.out = out
        self._out = str(out)
        self.split = False      # keep the print view's frame apart from its entries (render/skeleton.py): serve
        self.stores = None      # serve: the fragment stores it wrote, kept in memory (render/fragments.py `_read`)
        self.public = None      # serve: the findings' public forms, kept per session (render/data.py PublicFindings)
        self.defer = False      # serve's delta: the stores changed in memory, written when the session ends
        self.previous = cache.manifest(out)
        self.keys: dict[str, str] = {}
        self._records: dict = {}
        self.cache = cache
        self.memo = memo
        sources = [model.source] + [f.source for f in model.frameworks] + \
                  [c.source for c in model.contacts] + [e.source for e in model.entries]
        now = time.time_ns()
        known = dict(cache.attachments)
        attached = [[(a.path, *file_facts(model.root / a.path, known, now)) for a in e.attachments]
                    for e in model.entries]
        live = {str(model.root / a.path) for e in model.entries for a in e.attachments}
        known = {k: v for k, v in known.items() if k in live}
        if known != cache.attachments:
            cache.attachments, cache.dirty = known, True
        # each entry's front matter alone, with where its body starts and what the rules read of its body: what
        # the key of a page that read no entry's body holds of the entry (the model takes nothing else from the
        # file but the body)
        fronts = memo.fronts if memo is not None else {}
        self._front = {}
        for e in model.entries:
            s = e.source
            held = fronts.get((s.file, s.digest))
            if held is None:   # the same bytes give the same front matter and body line: kept per session
                held = digest("front", s.file, s.index.text, s.index.offset, e.body_line, body_facts(e)) \
                    if s.index.text else s.digest
            self._front[s.file] = held
        # an entry's attachments by the entry's file: a page's key holds those of the entries it reads
        self._attached_part = {e.source.file: digest(facts) if facts else _NONE_ATTACHED
                               for e, facts in zip(model.entries, attached)}
        self._files: dict = {}
        self._by_file: dict[str, list] = {}
        for d in findings:
            self._by_file.setdefault(d.file, []).append(d)
        counts: dict = {}
        for d in findings:
            counts[d.severity] = counts.get(d.severity, 0) + 1
        # a learner's template may show any entry's index facts, or the counts of findings, on any page (see the
        # top of this module); the shipped ones show them only on pages that read every record
        shipped = shipped_only(templates)
        index = [] if shipped else [_index_facts(e) for e in model.entries]
        counted = [] if shipped else sorted(counts.items())
        # the assessment: each page with deps holds what it shows of it (its Page.facts; an entry's fragments, in
        # `record_key`), the pages that read every record all of it; a learner's template may show it anywhere
        self._assessed = every_assessed(model)
        records = getattr(model, "assessment", None)
        state = getattr(records, "_state", None) if records is not None else None
        # (the analysis made the state before any page is asked for; without it, an entry's fragments hold all)
        self._shown = Shown(state) if state is not None or records is None else None
        # what an entry shows that its own file does not say: the reference given to an unpinned entry
        self._derived = {e.source.file: e.ref for e in model.entries if not e.ref_pinned}
        self.base = digest(code, tree_digest(templates), str(as_of), model.source.digest, git_head(model.root),
                           counted, [(c.key, c.display_name) for c in model.contacts],
                           index, [] if shipped else self._assessed,
                           redactor.fingerprint() if redactor is not None else "")
        self._sources, self._findings, self._attached = sources, tuple(findings), attached
        if memo is not None:
            memo.begin(self, sources)

    # The keys of the pages that read every record: made when the first of them is asked for (serve publishes
    # the pages a browser has open before that, and they seldom are such pages)
    @functools.cached_property
    def everything(self) -> str:
        return self._whole(sorted((s.file, s.digest) for s in self._sources))

    @functools.cached_property
    def everything_front(self) -> str:
        return self._whole(sorted((s.file, self._front.get(s.file, s.digest)) for s in self._sources))

    def _whole(self, files: list) -> str:
        about = [astuple(d) for d in sorted(self._findings, key=lambda d: d.sort_key())]
        # every unpinned entry's reference too: it is numbered from the ledger (evidence-refs.yaml), no source's
        # digest, and the finding that names it (missing-ref) may be switched off
        derived = sorted(self._derived.items())
        return digest(self.base, digest(files, self._attached), about, derived, self._assessed)

    def _file(self, source, bodies: bool) -> str:
        """One record file's part of a key: its name, digest (or front matter) and the findings about it,
        worked out once per build (thousands of keys share each file)."""
        known = self._files.get((source.file, bodies))
        if known is None:
            held = source.digest if bodies else self._front.get(source.file, source.digest)
            known = self._files[(source.file, bodies)] = digest(
                source.file, held, [astuple(d) for d in self._by_file.get(source.file, ())],
                self._derived.get(source.file))
        return known

    def _part(self, deps, bodies: bool = True, files: tuple | None = None) -> str:
        if deps is None:
            return self.everything if bodies else self.everything_front
        if files is None:
            files = tuple([d.source.file for d in deps])
        parts = sorted({self._file(d.source, bodies) for d in deps})
        attached = [self._attached_part[f] for f in files if f in self._attached_part]
        return digest(self.base, parts, attached)

    def key(self, page, bodies: bool = True) -> str:
        """The page's key; `bodies=False`: the key of a page whose last render read no entry's body
        (objects.BodyReads), which holds each entry's front matter but not its body, and says so ("f:")."""
        deps = getattr(page, "deps", None)
        files = None if deps is None else tuple([d.source.file for d in deps])
        facts = page.facts
        key = self._remembered("keys", (page.path, bodies), (files, page.template, page.title, facts), files, bodies,
                               lambda: digest(self._part(deps, bodies, files), page.path, page.template, page.title,
                                              facts))
        return key if bodies else "f:" + key

    def _remembered(self, table: str, slot, facts, files, bodies: bool, make) -> str:
        """`make()`, or with serve's KeyMemo the key it kept for `slot` when none of `files` changed since."""
        memo = self.memo
        if memo is None or files is None:   # `deps` None: one digest, always made
            return make()
        key = memo.recall(table, slot, facts, files, bodies)
        if key is None:
            key = make()
            memo.keep(table, slot, facts, key)
        return key

    def record_key(self, record) -> str:
        """What one record's fragments may show (render/fragments.py): for an entry or contact, the same facts
        as its own page (an entry's with what its fragments show of the assessment: `_shown_by`); for an action,
        its entry's and its place in the entry (an entry's actions share the entry's files); for a finding, its
        every field (a finding is in no record file; what its row shows besides, its subject's link, is a keyword
        argument of the fragment and in its key that way); for any other record, everything. Each with the
        facts every page's key covers (`base`)."""
        from .render.pages import record_deps
        kind = type(record).__name__
        if kind == "Diagnostic":     # not kept by id: cheap, and a finding is made again for each redaction
            return digest(self.base, "finding", astuple(record))
        key = self._records.get(id(record))
        if key is None:
            if kind == "Action":
                key = digest(self.record_key(record.entry), "action", record.index)
            else:
                deps = record_deps(record)   # an entry or a contact: its files checked against the last build's
                files = None if deps is None else tuple([d.source.file for d in deps])
                shown = self._shown_by(record) if kind == "Entry" else ()
                key = self._remembered("records", (kind, record.source.file), (files, shown), files, True,
                                       lambda: digest(self._part(deps, True, files), shown) if shown
                                       else self._part(deps, True, files))
            self._records[id(record)] = key
        return key

    def _shown_by(self, entry) -> tuple:
        """What an entry's fragments show of the assessment (assessment/shown.py `Shown.record`): all of it when
        the build's assessment state is not known."""
        if self._shown is None:
            return ("every", self._assessed)
        facts = self._shown.record(entry)
        return facts if any(facts) else ()

    def fragments(self, page_path: str):
        """The store of one page's per-record fragments, or None without a cache folder."""
        from .render.fragments import Fragments
        folder = getattr(self.cache, "folder", None)
        if folder is None:
            return Fragments()
        name = hashlib.sha256(f"{self.out}\0{page_path}".encode("utf-8")).hexdigest()[:40]
        return Fragments(Path(folder) / "fragments" / name, self.record_key, self.stores, self.defer)

    def fresh(self, page) -> bool:
        """True when the file published last time for this page is still right: no need to render it.
        A page whose last render read no entry's body is compared by the key without the bodies: it would
        read the same values again (the render is deterministic and every value but the bodies is in that
        key), so a body edit leaves it as it is. Else `rendered` records its key once it is rendered."""
        rec = self.previous.get(page.path)
        key = self.key(page, bodies=not (rec and rec.key.startswith("f:")))
        ok = bool(rec) and rec.key == key and intact(os.path.join(self._out, page.path), rec)   # (a str: 2,319 paths)
        if ok:
            self.keys[page.path] = key
        self.cache.stats["kept" if ok else "rendered"] += 1
        return ok

    def rendered(self, page, read_bodies: bool) -> None:
        """Record the key of a page just rendered, by whether it read an entry's body."""
        self.keys[page.path] = self.key(page, bodies=read_bodies)


class KeyMemo:
    """`serve`'s session of page keys (generator/live.py): what each key of the last build was made of, so
    a save works out again only the keys of pages that read a record whose part changed.

    A key with `deps` is a function of the shared part (`PageCache.base`), the page's path, template and
    title, the ordered files of its deps (`files`: which entries' attachments it holds follows from them),
    and each of those files' inputs: its digest (or, keyed without bodies, an entry's front matter), the
    findings about it and its entries' attachments. `begin` compares every file's inputs with the last
    build's and notes the files whose part changed; a key kept from the last build is taken again when its
    facts are equal and none of its files changed (or is gone). Only keys the last build asked for are kept,
    so every kept key is current as of the last build's inputs. Keys of pages that read everything (`deps`
    None) are one digest each and are always made. tests/test_live.py compares every page's key with a
    fresh PageCache's after each save.
    """

    def __init__(self):
        self.fronts: dict = {}     # (entry file, digest) -> its front-matter part
        self.inputs: dict = {}     # record file -> what its part of a key was made of, at the last build
        self.base = None
        # "keys": (page path, bodies) -> (facts, key); "records": (kind, record file) -> (files, key), the
        # fragments' record keys; each as asked for by the build in progress, `_old` by the last one
        self.tables: dict = {"keys": {}, "records": {}}
        self.computed = 0          # keys made (not taken from the memo) by the last build: tests count them
        self._old: dict = {"keys": {}, "records": {}}
        self._changed: tuple = (set(), set())   # files whose part changed: (front matter, whole file)
        self._known: set = set()

    def begin(self, pages: "PageCache", sources) -> None:
        inputs, front_changed, changed = {}, set(), set()
        fronts = {}
        for s in sources:
            f = s.file
            about = tuple(astuple(d) for d in pages._by_file.get(f, ()))
            front = pages._front.get(f, s.digest)
            if front is not s.digest:
                fronts[(f, s.digest)] = front
            now = (s.digest, front, about, pages._attached_part.get(f), pages._derived.get(f))
            inputs[f] = now
            was = self.inputs.get(f)
            if was != now:
                if was is None or was[0] != now[0] or was[2:] != now[2:]:
                    changed.add(f)
                if was is None or was[1:] != now[1:]:
                    front_changed.add(f)
        self.fronts, self.inputs, self._known = fronts, inputs, set(inputs)
        self._changed = (front_changed, changed)
        # keys the last build asked for: taken again if still current, else made again; the new build's
        # keys replace them (a key this build does not ask for would miss the next build's changes)
        self._old = self.tables if self.base == pages.base else {"keys": {}, "records": {}}   # every key holds base
        self.base = pages.base
        self.tables = {"keys": {}, "records": {}}
        self.computed = 0

    def recall(self, table: str, slot, facts, files, bodies: bool):
        """The key kept for `slot` when it was made of the same `facts` and none of `files` changed, else None."""
        kept = self._old[table].get(slot)
        if kept is None or kept[0] != facts:
            return None
        if not (self._changed[bodies].isdisjoint(files) and self._known.issuperset(files)):
            return None
        self.tables[table][slot] = kept
        return kept[1]

    def keep(self, table: str, slot, facts, key: str) -> None:
        self.computed += 1
        self.tables[table][slot] = (facts, key)
