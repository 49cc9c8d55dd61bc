"""`serve`'s build session: the site kept in memory between saves, each save applied as a delta.

`pipeline.build` makes a whole new site folder and swaps it in: right for `portfolio build`, where a
killed build must leave the previous site whole, but it links every file of the site again and scans
every one of them for personal data on every save. `Live` keeps what the last build knew — the
build cache's Sources and validated state (generator/cache.py), the published manifest with every
page's key (generator/pagecache.py: a digest of everything the page may show) — and on a save:

1. runs the check (load and validate only the files whose bytes changed; the model, the personal-data
   check and the analysis are recomputed in memory, or, when only entries' bodies changed, the last
   model is patched and its analysis kept: generator/delta_check.py);
2. renders only the pages whose key changed, and compares each one's bytes with what is served;
3. scans only the changed files with the output guard — or every file, when what the guard looks for
   (the contacts' channels, the names without consent, `checks.allow_personal_data`) changed; a large
   file (the print view, portfolio.json) only in its segments that did not pass before (privacy/segments.py);
4. writes only the changed files into the served folder, each replaced atomically, and removes the
   files the site no longer has.

Errors (in the records or found by the guard) leave the served folder as it was. The first build of a
session, and the one after a failed write, go through `pipeline.publish_checked` (a whole new folder,
swapped in). The result is byte-identical to a clean `portfolio build`: tests/test_live.py applies
random edits of every field kind through a session and compares the served folder with a clean build.
"""
from __future__ import annotations

import datetime as dt
import gc
import hashlib
import os
import tempfile
import time
from pathlib import Path

from . import delta_check, pipeline
from .diagnostics import Diagnostic
from .failures import writing
from .outdir import MARKER, UnsafeOutput, check_output, marker_text
from .pagecache import KeyMemo, file_facts
from .privacy.outputs import OutputGuard, PersonalDataInOutput
from .privacy import segments
from .render import render_site
from .render.site import FIRST_DONE
from .render.assets import site_copies
from .render import fragments
from .render.data import PublicFindings
from .render.environment import theme_dirs
from .write import OutputRecord, intact


class Live:
    """One `serve` session's builds into `out` (a folder only `serve` writes)."""

    def __init__(self, source: Path, out: Path, cache):
        self.source = Path(source).resolve()
        self.out = Path(out).resolve()
        self.cache = cache
        self.served: dict | None = None   # site path -> OutputRecord of what `out` holds; None: not known
        self.guarded = ""                 # OutputGuard.fingerprint every served file has passed
        self.base = ""                    # the part of every page's key shared by all pages (pagecache)
        self._known: dict = {}            # copied files' status and sha256 (pagecache.file_facts)
        self._segments = segments.SegmentMemo()   # the large files' segments that passed the guard
        self._stores: dict = {}           # fragment stores: path -> (file status, texts, digests, not yet written)
        self.keys = KeyMemo()             # what each page's key was made of: a save makes only the changed ones
        self.public = PublicFindings()    # each finding's public form: a save redacts only new findings
        self._sums: dict = {}             # this delta's changed pages: sha256 of their bytes
        self.kept = delta_check.Kept()    # the last check's model: a body-only save patches it (delta_check.py)
        self.stats = {"rendered": 0, "written": 0, "removed": 0, "scanned": 0, "full": 0, "first": 0, "kept_model": 0}
        self.timings: dict = {}
        self.changed: set | None = None   # the site paths the last build wrote or removed after `early`; None: all

    def build(self, as_of: dt.date, first=(), early=None) -> pipeline.Result:
        """Check and publish. `first`: site paths a browser has open; in a delta, those of them that changed are
        published before the rest of the site is looked at, and `early` (site paths -> None) is told."""
        # No collection of cycles while a save is applied: the session holds the model (every record's objects,
        # kept between saves), and a full pass over it, started by whatever allocation came at the wrong moment,
        # put 40-100 ms (1,000 entries) into a save's path to the open page. The cycles this build leaves are
        # collected after it, when the process is idle between saves.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._build(as_of, first, early)
        finally:
            if collecting:
                gc.enable()

    def _build(self, as_of: dt.date, first, early) -> pipeline.Result:
        for k in self.stats:
            self.stats[k] = 0
        self.changed = None
        t0 = time.perf_counter()
        self._t0 = t0
        # a delta writes and removes only files the manifest says it wrote, in the folder whose marker it wrote
        # (one stat; a new file it makes must not be there yet: _publish), so only a whole rebuild, which
        # replaces the folder, looks for files it did not write (a walk of the whole site, 3-5 ms a save;
        # write.publish looks too, before it renders anything)
        if self.served is not None and not intact(self.out / MARKER, self.served[MARKER]):
            self.served = None   # not the folder this session wrote (replaced, or its marker gone): rebuilt whole
        check_output(self.out, self.source, replace=self.served is None)
        result = self.kept.check(self.source, as_of, self.cache)   # its personal-data memo: cache.privacy
        self.stats["kept_model"] = int(self.kept.taken)
        t1 = time.perf_counter()
        self.timings = {"check": t1 - t0}
        if result.model is None or result.failed():
            return result
        guard = OutputGuard(result.sources, result.model.checks)   # what it seeks: its fingerprint
        fingerprint = guard.fingerprint
        model = result.model
        pages = self.cache.pages(model, result.diagnostics, as_of, self.out, theme_dirs(model), result.redactor,
                                 self.keys)
        # the print view's frame and portfolio.json's entries are kept apart (a body edit joins them again),
        # the fragment stores this session wrote are read from memory while their files are unchanged, and
        # the findings' public forms are kept
        pages.split, pages.stores, pages.public = True, self._stores, self.public
        # what every page's key holds changed (the code or a template, portfolio.yaml, the git commit, a
        # contact's public name, the redaction; with a learner's template in the theme also every entry's
        # index facts, the counts of findings and the assessment: pagecache.py): every page is rendered again,
        # and the whole new site is streamed into a new folder rather than held in memory
        if self.served is None or self.served != pages.previous or pages.base != self.base:
            self.stats["full"] = 1
            self.served = None
            result = pipeline.publish_checked(result, self.source, self.out, as_of, self.cache, pages=pages)
            if result.published:
                self.served, self.guarded, self.base = self.cache.manifest(self.out), fingerprint, pages.base
        else:
            pages.defer = True   # the fragment stores are changed in memory and written by `flush`
            self._delta(result, as_of, guard, pages, set(first) if early is not None and first else None, early)
        self.timings["publish"] = time.perf_counter() - t1
        return result

    def flush(self) -> None:
        """Write what the deltas kept in memory only (the fragment stores): when the session ends."""
        fragments.flush(self._stores)

    # -- the delta -----------------------------------------------------------------------------
    def _delta(self, result, as_of, guard: OutputGuard, pages, first: set | None, early) -> None:
        fingerprint = guard.fingerprint
        model, previous = result.model, self.served
        # the open pages first only when the guard needs to read nothing but the changed files: else every
        # served file must pass it before any is replaced
        if fingerprint != self.guarded:
            first = None
        files = render_site(model, result.diagnostics, result.analysis, as_of, result.redactor,
                            cache=pages, bodies=self.cache.bodies, first=first)
        changed: dict[str, bytes] = {}
        kept: dict[str, OutputRecord] = {}
        shown: dict[str, tuple] = {}    # the open pages published early: path -> (their record, the bytes before)
        self._sums = {}   # changed page -> sha256 of its bytes
        try:
            for rel, data in files:
                if rel == FIRST_DONE:
                    shown = self._first(changed, previous, guard, pages)
                    if shown:
                        early(sorted(shown))
                    continue
                if data is not None:
                    self.stats["rendered"] += 1
                self._sort(rel, data, previous, pages.keys.get(rel, ""), changed, kept)
            if not self._publish(result, guard, pages, previous, changed, kept, shown):
                self._restore(shown, previous)
        except BaseException:
            self._restore(shown, previous)
            raise

    def _first(self, changed: dict, previous: dict, guard: OutputGuard, pages) -> dict:
        """Write the open pages that changed (all `changed` holds yet), if each passes the guard and is a
        file the site already has (the marker, which lists every file, then needs no change). Returns each
        one's new record and its bytes before, to put back should the rest of the delta fail."""
        now = {rel: changed.pop(rel) for rel in sorted(changed) if rel in previous
               and intact(self.out / rel, previous[rel])}
        if not now or self._scan(guard, now, {}):
            changed.update(now)   # the delta's own scan finds it again, and nothing is written
            return {}
        shown = {}
        try:
            for rel, data in now.items():
                before = (self.out / rel).read_bytes()
                shown[rel] = (self._write(rel, data, pages.keys.get(rel, "")), before)
        except OSError as exc:
            self._restore(shown, previous)
            raise writing(exc, self.out, "the site", "the next save rebuilds it whole") from None
        self.stats["first"] = len(shown)
        self.timings["first"] = time.perf_counter() - self._t0
        return shown

    def _restore(self, shown: dict, previous: dict) -> None:
        """Put back the bytes of the open pages published early: the delta failed, so the site stays as it was."""
        if not shown:
            return
        try:
            for rel, (_, before) in shown.items():
                previous[rel] = self._write(rel, before, previous[rel].key)
        except OSError:
            self.served = None   # not as recorded: the next save rebuilds the site whole
        shown.clear()

    def _publish(self, result, guard: OutputGuard, pages, previous: dict, changed: dict, kept: dict,
                 shown: dict) -> bool:
        """Copy the attached files, scan and write what changed, remove what the site no longer has."""
        fingerprint = guard.fingerprint
        model = result.model
        now = time.time_ns()
        for rel, src in site_copies(model, result.redactor).items():
            size, sha = file_facts(Path(src), self._known, now)
            rec = previous.get(rel)
            if size is not None and rec and rec.sha256 == sha and intact(self.out / rel, rec):
                kept[rel] = rec
            else:
                try:
                    changed[rel] = Path(src).read_bytes()
                except OSError as exc:
                    from .failures import reading
                    raise reading(exc, str(src), "an attached file") from None
        removed = sorted(set(previous) - set(kept) - set(changed) - set(shown) - {MARKER})
        # the delta skips check_output's walk for files it did not write, so a file it is about to create must
        # not be there already: one the manifest does not list is someone else's (a stat per new file only)
        theirs = sorted(rel for rel in changed if rel not in previous and os.path.lexists(self.out / rel))
        if theirs:
            shown_names = ", ".join(theirs[:5]) + (f" and {len(theirs) - 5} more" if len(theirs) > 5 else "")
            raise UnsafeOutput(f"refusing to write to '{self.out}': it holds {len(theirs)} file(s) this tool did not "
                               f"write: {shown_names}; move them out of it or delete them")
        # the marker lists every file the site has (outdir.py: a file it does not list stops the next
        # build): while files come and go it lists both, so a write cut short leaves no file unlisted
        marker = marker_text(set(kept) | set(changed) | set(shown))
        during = marker_text(set(previous) | set(changed))
        if previous[MARKER].sha256 == hashlib.sha256(marker).hexdigest() and intact(self.out / MARKER,
                                                                                   previous[MARKER]):
            kept[MARKER], marker = previous[MARKER], None

        full = fingerprint != self.guarded   # the guard looks for something new: every file again
        scan = {**changed, MARKER: marker} if marker is not None else changed
        problem = self._scan(guard, scan, kept if full else {})
        if problem:
            result.diagnostics.extend(problem)
            result.diagnostics.sort(key=Diagnostic.sort_key)
            return False
        self.served = None        # until the folder is as recorded again: a failed write means a full build
        served = {**kept, **{rel: rec for rel, (rec, _) in shown.items()}}
        shown.clear()             # written for good: nothing to put back from here on
        try:
            if marker is not None and during != marker:
                self._write(MARKER, during, "")
            for rel, data in sorted(changed.items()):
                served[rel] = self._write(rel, data, pages.keys.get(rel, ""))
            for rel in removed:
                (self.out / rel).unlink(missing_ok=True)
                self._prune((self.out / rel).parent)
            if marker is not None:
                served[MARKER] = self._write(MARKER, marker, "")
        except OSError as exc:
            raise writing(exc, self.out, "the site", "the next save rebuilds it whole") from None
        self.stats["written"], self.stats["removed"] = len(changed), len(removed)
        self.changed = set(changed) | set(removed)
        self.cache.keep_bodies(model)
        self.cache.published(self.out, served)
        self.served, self.guarded = self.cache.manifest(self.out), fingerprint
        result.published = True
        return True

    def _sort(self, rel, data, previous, key, changed, kept) -> None:
        rec = previous.get(rel)
        if data is None:   # the page cache found the served file current (it checked the file is intact)
            kept[rel] = OutputRecord(key, rec.sha256, rec.size, rec.mtime_ns, rec.inode)
            return
        sha = hashlib.sha256(data).hexdigest()
        if rec and rec.sha256 == sha and intact(self.out / rel, rec):
            kept[rel] = OutputRecord(key, rec.sha256, rec.size, rec.mtime_ns, rec.inode)
        else:
            changed[rel] = data
            self._sums[rel] = sha   # _write records it: the bytes are not hashed twice

    def _scan(self, guard: OutputGuard, changed: dict, unchanged: dict) -> list:
        """The output guard over the changed files (and, when the guard changed, the unchanged ones)."""
        from .registry import finding
        try:
            for rel, data in changed.items():
                segments.check(guard, rel, data, self._segments)
            for rel in sorted(unchanged):
                segments.check(guard, rel, (self.out / rel).read_bytes(), self._segments)
        except PersonalDataInOutput as exc:
            return [finding("personal-data", f"site/{exc.path}", (1, 1),
                            f"the built site would publish personal data: {exc.what}; nothing was published",
                            hint="a theme or template may print it: remove it there")]
        self.stats["scanned"] += len(changed) + len(unchanged)
        return []

    def _write(self, rel: str, data: bytes, key: str) -> OutputRecord:
        """Replace one served file atomically: a page being read meanwhile is the old or the new one."""
        target = self.out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        # beside the site, not in it: a temporary file left by a kill would be a file the marker does not list
        fd, tmp = tempfile.mkstemp(prefix=".serve-write-", dir=self.out.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        st = os.stat(target)
        sha = self._sums.pop(rel, None) or hashlib.sha256(data).hexdigest()
        return OutputRecord(key, sha, st.st_size, st.st_mtime_ns, st.st_ino)

    def _prune(self, folder: Path) -> None:
        """Remove folders a removed file leaves empty (a clean build would not have them)."""
        while folder != self.out and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
