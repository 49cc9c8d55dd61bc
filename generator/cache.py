"""Incremental builds: a persistent cache keyed by content hashes, never by modification times.

Two stages are cached, each under a key that includes the generator's own code, so a new
generator (or an edited one) never reuses stale results:

1. per record file: the parsed `Source`, its load and schema diagnostics and whether it is
   schema-valid, keyed by the sha256 of the file's bytes. A warm `check` re-parses nothing;
   the cross-file reference checks are cheap and always re-run.
2. per page: a fingerprint of everything the page reads (its `deps`' source digests, or every
   source when `deps` is None; the templates; the findings about those files; `--as-of`).
   A page whose fingerprint matches the last publish into the same output folder, and whose
   file there is still the one we wrote, is not rendered again: `render_site` gives None for
   it and `write.publish` keeps the existing file.

The cache lives in SOURCE/.cache/portfolio (or `--cache DIR`), never in the record folders.
A cache that cannot be read is ignored; one that cannot be written is skipped silently —
it only ever makes builds faster, never different.
"""
from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path

from . import __version__
from .load import KINDS, Sources, load_file, record_files, record_name, sources_of
from .write import intact
from . import validate as validate_stage

STATE_FILE = "state.pickle"
RACY_NS = 2_000_000_000      # a file changed this close to the last save may share its recorded status: re-hash
_PARALLEL_MIN = 400          # below this many changed files a second process costs more than it saves


def default_dir(source: Path) -> Path:
    return Path(source) / ".cache" / "portfolio"


@lru_cache(maxsize=None)
def code_digest() -> str:
    """Hash of the generator's code and schemas and the parsing libraries: any change invalidates."""
    from importlib.metadata import version as _version

    import yaml
    h = hashlib.sha256(f"{__version__}|{sys.version}|{yaml.__version__}|{_version('jsonschema')}".encode())
    pkg = Path(__file__).resolve().parent
    for f in sorted(pkg.rglob("*")):
        if f.suffix in (".py", ".json") and "__pycache__" not in f.parts:
            h.update(f.relative_to(pkg).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def _digest(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(repr(p).encode("utf-8") if not isinstance(p, bytes) else p)
        h.update(b"\x1f")
    return h.hexdigest()


def parse_one(kind: str, path: Path, root: Path) -> tuple:
    """The per-file work: load, file-name check and schema validation. Returns (source, diagnostics, valid)."""
    diagnostics: list = []
    source = load_file(path, root, kind, diagnostics)
    valid = validate_stage.validate_file(source, diagnostics)
    return source, diagnostics, valid


def _parse_many(jobs, root):
    return [parse_one(kind, path, root) for kind, path in jobs]


def _parse_parallel(jobs: list, root: Path) -> list:
    """Parse on every core: fork keeps the start cheap; order is preserved."""
    workers = min(os.cpu_count() or 1, 4)
    if workers < 2 or len(jobs) < _PARALLEL_MIN:
        return _parse_many(jobs, root)
    import concurrent.futures as cf
    import multiprocessing
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - platforms without fork
        return _parse_many(jobs, root)
    chunks = [jobs[i::workers] for i in range(workers)]
    with cf.ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        # the parent takes a share too, rather than idling while the children work
        futures = [pool.submit(_parse_many, c, root) for c in chunks[1:]]
        results = [_parse_many(chunks[0], root)] + [f.result() for f in futures]
    merged: list = [None] * len(jobs)
    for i, part in enumerate(results):
        merged[i::workers] = part
    return merged


@contextlib.contextmanager
def _no_gc():
    """Pause the cyclic garbage collector: (un)pickling a large state allocates millions of small
    objects, and the collections that triggers cost three times the load itself."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class Cache:
    """The persistent cache of one portfolio; keep one instance alive (as `serve` does) to skip reloads."""

    def __init__(self, folder: Path | None):
        self.folder = Path(folder) if folder else None
        self.files: dict = {}       # rel path -> (kind, digest, source, diagnostics, valid)
        self.outputs: dict = {}     # resolved out folder -> {site path: (key, sha, size, mtime_ns, ino)}
        self.bodies: dict = {}      # entry body digest -> rendered HTML (render.data.body_digest)
        self._saved_bodies: set = set()
        self.redactions: dict = {}  # redact.redact_model's memo: redacted entry text by file digest
        self.file_stats: dict = {}  # rel path -> (size, mtime_ns, ctime_ns, inode) when last hashed
        self.saved_at = 0           # time.time_ns() when the state was saved
        self.dirty = False
        self.stats = {"parsed": 0, "reused": 0, "rendered": 0, "kept": 0}
        self._read()

    # -- persistence -------------------------------------------------------------------------
    def _read(self) -> None:
        if not self.folder:
            return
        try:
            with open(self.folder / STATE_FILE, "rb") as f, _no_gc():
                state = pickle.load(f)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
            return
        if isinstance(state, dict) and state.get("code") == code_digest():
            self.files, self.outputs = state["files"], state["outputs"]
            self.bodies = state.get("bodies", {})
            self.redactions = state.get("redactions", {})
            self.file_stats, self.saved_at = state.get("file_stats", {}), state.get("saved_at", 0)
            self._saved_bodies = set(self.bodies)

    def save(self) -> None:
        if not self.folder or not self.dirty:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".state-", dir=self.folder)
            with os.fdopen(fd, "wb") as f, _no_gc():
                pickle.dump({"code": code_digest(), "files": self.files, "outputs": self.outputs,
                             "bodies": self.bodies, "redactions": self.redactions,
                             "file_stats": self.file_stats, "saved_at": time.time_ns()}, f,
                            protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.folder / STATE_FILE)
            self.dirty = False
        except OSError:
            pass  # a read-only folder: build uncached next time, never fail for it

    # -- stage 1: load and validate ----------------------------------------------------------
    def load_and_validate(self, root: Path, diagnostics: list) -> tuple[Sources, set]:
        """`load` + `validate`, reusing every file whose bytes are unchanged."""
        root = Path(root)
        found = record_files(root, diagnostics)
        results: dict[str, tuple] = {}
        misses = []
        stats: dict[str, tuple] = {}
        for kind, path in found:
            rel = record_name(path, root)
            hit = self.files.get(rel)
            digest = None
            try:
                st = os.stat(path)
                stats[rel] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
                # git's rule: a file whose status is exactly as recorded, and was last changed well before
                # the record was made, still has the recorded bytes; anything else is read and hashed
                if hit and self.file_stats.get(rel) == stats[rel] and st.st_ctime_ns < self.saved_at - RACY_NS:
                    digest = hit[1]
                else:
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                digest = None
            if digest and hit and hit[0] == kind and hit[1] == digest:
                results[rel] = hit
            else:
                misses.append((kind, path))
        for (kind, path), (source, diags, valid) in zip(misses, _parse_parallel(misses, root)):
            results[source.file] = (kind, source.digest, source, diags, valid)
        self.stats["parsed"] += len(misses)
        self.stats["reused"] += len(found) - len(misses)
        if misses or len(results) != len(self.files) or stats != self.file_stats:
            self.files, self.file_stats = results, stats
            self.dirty = True

        by_kind: dict[str, list] = {kind: [] for kind in KINDS}
        valid = set()
        for kind, path in found:
            _, _, source, diags, ok = results[record_name(path, root)]
            by_kind[kind].append(source)
            diagnostics.extend(diags)
            if ok:
                valid.add(source.file)
        sources = sources_of(root, by_kind)
        validate_stage.validate_references(sources, diagnostics)
        return sources, valid

    # -- stage 2: pages ----------------------------------------------------------------------
    def pages(self, model, findings, as_of, out: Path, templates: list[Path]) -> "PageCache":
        return PageCache(self, model, findings, as_of, Path(out).resolve(), templates)

    def manifest(self, out: Path) -> dict:
        return self.outputs.get(str(Path(out).resolve()), {})

    def keep_bodies(self, model) -> None:
        """Forget rendered bodies no entry has any more, so the cache does not grow without end."""
        from .render.data import body_digest
        live = {body_digest(e.body) for e in model.entries}
        if set(self.bodies) != live or not live <= self._saved_bodies:
            self.bodies = {d: html for d, html in self.bodies.items() if d in live}
            self._saved_bodies = set(self.bodies)
            self.dirty = True

    def published(self, out: Path, manifest: dict) -> None:
        key = str(Path(out).resolve())
        if self.outputs.get(key) != manifest:
            self.outputs[key] = manifest
            self.dirty = True


def astuple(d) -> tuple:
    """A diagnostic's fields, for hashing (dataclasses.asdict is an order of magnitude slower)."""
    return (d.severity, d.rule, d.file, d.line, d.column, d.message, d.subject, d.hint)


def _index_facts(e) -> tuple:
    return (e.id, e.title, str(e.date), e.kind, tuple(e.methods), tuple(c.key for c in e.contacts),
            tuple(n.id for n in e.networks), tuple(g.id for g in e.goals), tuple(c.ref for c in e.criteria))


def git_head(root) -> str:
    """The commit checked out (entry pages show dates from git history); '' outside a repository."""
    import shutil
    import subprocess
    git = shutil.which("git")
    if not git or root is None:
        return ""
    try:
        proc = subprocess.run([git, "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


def _tree_digest(folders: list[Path]) -> str:
    h = hashlib.sha256()
    for folder in folders:
        if folder.is_dir():
            for f in sorted(folder.rglob("*")):
                if f.is_file():
                    h.update(f.relative_to(folder).as_posix().encode() + b"\0" + f.read_bytes())
        h.update(b"\x1e")
    return h.hexdigest()


def _assessment_facts(model) -> list:
    """What the assessment states shown on many pages rest on: the decision and sample records, and the
    hash of every judged file as it is now (an edited attachment makes a decision stale on every page)."""
    records = getattr(model, "assessment", None)
    if records is None:
        return []
    return [(x.source.file, x.source.digest, [(j.path, j.current) for j in getattr(x, "evidence", ())])
            for x in records.decisions + records.samples]


class PageCache:
    """Asked by `render_site` for each page: is the published copy still right? Remembers each page's key."""

    def __init__(self, cache: Cache, model, findings, as_of, out: Path, templates: list[Path]):
        self.out = out
        self.previous = cache.manifest(out)
        self.keys: dict[str, str] = {}
        self.cache = cache
        sources = [model.source] + [f.source for f in model.frameworks] + \
                  [c.source for c in model.contacts] + [e.source for e in model.entries]
        everything = _digest(sorted((s.file, s.digest) for s in sources))
        self._by_file: dict[str, list] = {}
        for d in findings:
            self._by_file.setdefault(d.file, []).append(d)
        # what every page may show whatever its deps: the site settings (portfolio.yaml), the templates,
        # the generator, the date, the git commit (entry pages show when they were first recorded), the
        # counts of findings (navigation badges), every contact's public name (pseudonyms are numbered
        # across contacts), and the facts that diary indexes and filters list and count for every entry
        # (title, date, kind, methods, references): so an edit to an entry's body stays local to the
        # pages that show that entry, while adding, removing or re-filing one re-renders every page.
        counts = {}
        for d in findings:
            counts[d.severity] = counts.get(d.severity, 0) + 1
        self.base = _digest(code_digest(), _tree_digest(templates), str(as_of), model.source.digest, git_head(model.root),
                            sorted(counts.items()), [(c.key, c.display_name) for c in model.contacts],
                            [_index_facts(e) for e in model.entries], _assessment_facts(model))
        self.everything = _digest(self.base, everything, [astuple(d) for d in sorted(findings, key=lambda d: d.sort_key())])

    def key(self, page) -> str:
        deps = getattr(page, "deps", None)
        if deps is None:
            part = self.everything
        else:
            files = sorted({(d.source.file, d.source.digest) for d in deps})
            about = [astuple(d) for f, _ in files for d in self._by_file.get(f, ())]
            part = _digest(self.base, files, about)
        return _digest(part, page.path, page.template, page.title)

    def fresh(self, page) -> bool:
        """True when the file published last time for this page is still right: no need to render it."""
        key = self.keys[page.path] = self.key(page)
        rec = self.previous.get(page.path)
        ok = bool(rec) and rec.key == key and intact(self.out / page.path, rec)
        self.cache.stats["kept" if ok else "rendered"] += 1
        return ok
