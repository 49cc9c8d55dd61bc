"""Incremental builds: a persistent cache keyed by content hashes, never by modification times.

The cache does no stage's work itself: the stages ask it. `load.load` asks it for a file whose bytes
are unchanged (`recall`) and tells it each file parsed (`remember`); `validate.validate` does the same
for each file's schema check (`recall_checked`, `remember_checked`); `render_site` asks a `PageCache`
(generator/pagecache.py) whether each page's published copy is still right. Rendered entry bodies
(in a file of their own, `bodies`: render/bodystore.py) and redacted entry text are kept by digest for
the render and model stages.

The cache is data, never code: one file, `state.v2`, holding a header line naming the format and its
version, a JSON line (the generator's code digest, the payload's length and sha256), then the payload
as `marshal` of plain values only (str, int, bool, None, tuples, lists, dicts). Unmarshalling such
data runs no code, unlike pickle. Records are rebuilt from it field by field into named types
(`FileRecord`, `write.OutputRecord`, `load.Source`, `diagnostics.Diagnostic`). A cache written by
other code (another version of the generator) is dropped silently; a corrupt, foreign or unreadable
one is ignored with one line of notice on stderr. It only ever makes builds faster, never different.

The cache lives in SOURCE/.cache/portfolio (or `--cache DIR`), never in the record folders.
"""
from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import json
import marshal
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import __version__
from .diagnostics import Diagnostic
from .load import Source
from .outdir import default_dir  # noqa: F401  (where it has always been imported from)
from .pagecache import RACY_NS, PageCache
from .render.bodystore import BodyStore
from .write import OutputRecord

STATE_FILE = "state.v2"
MAGIC = b"portfolio-generator build cache\n"
FORMAT = 3                   # bump when the payload's layout changes (3: a Source keeps its YAML text, not positions)
OLD_STATE_FILES = ("state.pickle",)   # earlier formats: removed, never read
OLD_STATE_FOLDERS = ("templates",)    # Jinja's bytecode cache (marshalled code, run as loaded): removed


@dataclass
class FileRecord:
    """What the cache knows about one record file, valid while its bytes hash to `digest`."""

    kind: str
    digest: str                       # sha256 of the file's bytes
    status: tuple                     # (size, mtime_ns, ctime_ns, inode) when it was hashed
    source: Source
    diagnostics: list                 # what loading it found
    checked: tuple | None = None      # (schema diagnostics, valid) once validated


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


@contextlib.contextmanager
def _no_gc():
    """Pause the cyclic garbage collector: (un)marshalling a large state allocates millions of small
    objects, and the collections that triggers cost more than the load itself."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# -- records <-> plain values ---------------------------------------------------------------------
_SOURCE_FIELDS = tuple(f.name for f in dataclasses.fields(Source))
_DIAG_FIELDS = tuple(f.name for f in dataclasses.fields(Diagnostic))


def _plain_diags(diags) -> list:
    return [tuple(getattr(d, n) for n in _DIAG_FIELDS) for d in diags]


def _diags(rows) -> list:
    return [Diagnostic(*row) for row in rows]


def _plain_file(rec: FileRecord) -> tuple:
    checked = None if rec.checked is None else (_plain_diags(rec.checked[0]), bool(rec.checked[1]))
    return (rec.kind, rec.digest, tuple(rec.status), tuple(getattr(rec.source, n) for n in _SOURCE_FIELDS),
            _plain_diags(rec.diagnostics), checked)


def _file(row) -> FileRecord:
    kind, digest, status, source, diags, checked = row
    if not (isinstance(kind, str) and isinstance(digest, str) and len(source) == len(_SOURCE_FIELDS)):
        raise ValueError("a file record of the wrong shape")
    src = Source(**dict(zip(_SOURCE_FIELDS, source)))
    return FileRecord(kind, digest, tuple(status), src, _diags(diags),
                      None if checked is None else (_diags(checked[0]), bool(checked[1])))


def _plain_outputs(outputs: dict) -> dict:
    return {out: {rel: dataclasses.astuple(rec) for rel, rec in m.items()} for out, m in outputs.items()}


def _outputs(plain: dict) -> dict:
    return {str(out): {str(rel): OutputRecord(*rec) for rel, rec in m.items()} for out, m in plain.items()}


class Cache:
    """The persistent cache of one portfolio; keep one instance alive (as `serve` does) to skip reloads."""

    def __init__(self, folder: Path | None, quiet: bool = False):
        self.folder = Path(folder) if folder else None
        self.quiet = quiet
        self.files: dict[str, FileRecord] = {}       # path relative to the portfolio -> record
        self.outputs: dict = {}     # resolved out folder -> {site path: OutputRecord}
        # rendered entry bodies by digest (render.data.body_digest), on disk beside the state: a file of
        # records read one at a time (render/bodystore.py), never marshalled into the state
        self.bodies = BodyStore(self.folder / BodyStore.FILE if self.folder else None)
        self.redactions: dict = {}  # redact.redact_model's memo: redacted entry text by file digest
        self.attachments: dict = {}  # attached file -> (status, size, sha256, when hashed): pagecache.file_facts
        self.privacy: dict = {}     # privacy/scan.py's memo: record file -> (key, findings, fixes)
        self.scanned: dict = {}     # resolved out folder -> fingerprint of the output scan its site passed
        # validate.validate_references' memo, in memory only (a serve session's): entry file -> (digest, what
        # the other records it is checked against were, its findings)
        self.references: dict = {}
        self.saved_at = 0           # time.time_ns() when the state was saved
        self.dirty = False
        self.stats = {"parsed": 0, "reused": 0, "rendered": 0, "kept": 0}
        self._status: dict = {}     # path -> status seen by recall() this run, for remember()
        self._read()

    # -- persistence -------------------------------------------------------------------------
    def _notice(self, why: str) -> None:
        if not self.quiet:
            print(f"portfolio: note: ignoring the build cache {self.folder / STATE_FILE}: {why}; "
                  "everything is read afresh", file=sys.stderr)

    def _read(self) -> None:
        if not self.folder:
            return
        path = self.folder / STATE_FILE
        try:
            with open(path, "rb") as f:
                magic = f.read(len(MAGIC))
                version = f.readline(16)
                header = f.readline(4096)
                payload = f.read()
        except FileNotFoundError:
            return
        except OSError as exc:
            return self._notice(f"it cannot be read ({exc.strerror or exc})")
        if magic != MAGIC:
            return self._notice("it is not a portfolio build cache")
        if version.strip() != str(FORMAT).encode():
            return self._notice(f"it is in another format ({version.strip().decode('ascii', 'replace')!r})")
        try:
            head = json.loads(header)
            if head["code"] != code_digest():
                return   # written by another version of the generator: expected after an upgrade
            if len(payload) != head["size"] or hashlib.sha256(payload).hexdigest() != head["sha256"]:
                return self._notice("it is damaged (its checksum does not match)")
            with _no_gc():
                state = marshal.loads(payload)
                self._load(state)
        except (ValueError, TypeError, KeyError, IndexError, EOFError, AttributeError) as exc:
            self.files, self.outputs, self.redactions, self.attachments = {}, {}, {}, {}
            self.privacy, self.scanned = {}, {}
            return self._notice(f"it is damaged ({type(exc).__name__})")

    def _load(self, state) -> None:
        if not isinstance(state, dict):
            raise ValueError("not a mapping")
        self.files = {str(rel): _file(row) for rel, row in state["files"].items()}
        self.outputs = _outputs(state["outputs"])
        self.redactions = dict(state["redactions"])
        self.attachments = dict(state["attachments"])
        self.privacy = dict(state.get("privacy", {}))
        self.scanned = {str(k): str(v) for k, v in state.get("scanned", {}).items()}
        self.saved_at = int(state["saved_at"])

    def save(self) -> None:
        """Write the state if anything changed; a cache that cannot be written is skipped, never fatal."""
        if not self.folder or not self.dirty:
            return
        import time
        tmp = None
        now = time.time_ns()
        try:
            with _no_gc():
                payload = marshal.dumps({
                    "files": {rel: _plain_file(rec) for rel, rec in self.files.items()},
                    "outputs": _plain_outputs(self.outputs), "redactions": self.redactions,
                    "attachments": self.attachments, "privacy": self.privacy, "scanned": self.scanned,
                    "saved_at": now}, 4)
            head = json.dumps({"code": code_digest(), "size": len(payload),
                               "sha256": hashlib.sha256(payload).hexdigest()}).encode()
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".state-", dir=self.folder)
            with os.fdopen(fd, "wb") as f:
                f.write(MAGIC + str(FORMAT).encode() + b"\n" + head + b"\n" + payload)
            os.replace(tmp, self.folder / STATE_FILE)
            tmp = None
            # as a new process reading this file would: `serve` keeps this instance, and without it every
            # file would count as racy (read and hashed on every rebuild) for as long as it runs
            self.saved_at = now
            for old in OLD_STATE_FILES:
                (self.folder / old).unlink(missing_ok=True)
            for old in OLD_STATE_FOLDERS:
                shutil.rmtree(self.folder / old, ignore_errors=True)
            self.dirty = False
        except (OSError, ValueError):   # a read-only or full disk, a value marshal cannot hold
            pass
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    # -- stage 1: load (asked by load.load) ---------------------------------------------------
    def recall(self, kind: str, path: str, rel: str):
        """The (Source, load diagnostics) of a file whose bytes are as recorded, or None."""
        rec = self.files.get(rel)
        try:
            st = os.stat(path)
        except OSError:
            return None
        status = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        self._status[rel] = status
        if rec is None or rec.kind != kind:
            return None
        # git's rule: a file whose status is exactly as recorded, and was last changed well before the
        # record was made, still has the recorded bytes; anything else is read and hashed
        if not (rec.status == status and st.st_ctime_ns < self.saved_at - RACY_NS):
            try:
                digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            except OSError:
                return None
            if digest != rec.digest:
                return None
            rec.status = status
            self.dirty = True
        self.stats["reused"] += 1
        return rec.source, rec.diagnostics

    def remember(self, kind: str, source: Source, diagnostics: list) -> None:
        status = self._status.pop(source.file, (0, 0, 0, 0))
        self.files[source.file] = FileRecord(kind, source.digest, status, source, list(diagnostics))
        self.stats["parsed"] += 1
        self.dirty = True

    def keep_only(self, rels: set) -> None:
        """Forget files that are gone, so the cache does not grow without end."""
        if set(self.files) - rels:
            self.files = {rel: rec for rel, rec in self.files.items() if rel in rels}
            self.dirty = True
        self._status.clear()

    # -- stage 2: validate (asked by validate.validate) ----------------------------------------
    def recall_checked(self, source: Source):
        rec = self.files.get(source.file)
        if rec is None or rec.checked is None or rec.digest != source.digest or rec.source is not source:
            return None
        return rec.checked

    def remember_checked(self, source: Source, diagnostics: list, valid: bool) -> None:
        rec = self.files.get(source.file)
        if rec is not None and rec.source is source:
            rec.checked = (list(diagnostics), valid)
            self.dirty = True

    # -- stage 3: pages ----------------------------------------------------------------------
    def pages(self, model, findings, as_of, out: Path, templates: list[Path], redactor=None, memo=None) -> PageCache:
        """`redactor`: the build's (pipeline.Result.redactor); what it hides is part of every page's key.
        `memo`: serve's session of keys (pagecache.KeyMemo), so a save makes only the keys that changed."""
        return PageCache(self, model, findings, as_of, Path(out).resolve(), templates, code_digest(), redactor,
                         memo)

    def manifest(self, out: Path) -> dict:
        return self.outputs.get(str(Path(out).resolve()), {})

    def keep_bodies(self, model) -> None:
        """Forget rendered bodies no entry has any more, so the cache does not grow without end."""
        from .render.data import body_digests
        self.bodies.keep(set(body_digests(model.entries).values()))

    def published(self, out: Path, manifest: dict, scanned: str | None = None) -> None:
        """`scanned`: the fingerprint of the output scan the site passed (privacy/outputs.py)."""
        key = str(Path(out).resolve())
        if self.outputs.get(key) != manifest:
            self.outputs[key] = manifest
            self.dirty = True
        if self.scanned.get(key) != scanned:
            if scanned is None:
                self.scanned.pop(key, None)
            else:
                self.scanned[key] = scanned
            self.dirty = True
