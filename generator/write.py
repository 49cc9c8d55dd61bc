"""Stage 6 — write: publish rendered pages and assets atomically.

Everything is written to a temporary folder beside the output and swapped into place only
when complete (generator/swap.py), so a failed or killed build leaves the previous site whole.
The output folder must be one the tool may replace (generator/outdir.py): absent, empty, or a
site it published, which it recognises by the marker file written into every publish.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, NamedTuple

from .failures import reading, writing
from .outdir import MARKER, UnsafeOutput, check_output, marker_text, tree  # noqa: F401  (part of this interface)
from .swap import new_folder, recover, swap


@dataclass(frozen=True)
class OutputRecord:
    """What the last publish wrote at one site path: the page's render-cache key ('' for files the
    cache does not key), the bytes' sha256, and the file's status when written (to see hand edits)."""

    key: str
    sha256: str
    size: int
    mtime_ns: int
    inode: int

    def stat(self) -> tuple:
        return (self.size, self.mtime_ns, self.inode)


class PublishRefused(Exception):
    """The last look at the finished site (the `inspect` hook of `publish`) found what must not be
    published; the previous site stays. `problems` are the hook's diagnostics."""

    def __init__(self, problems: list):
        super().__init__(f"{len(problems)} problem(s) in the finished site")
        self.problems = problems


def intact(path: Path, rec: OutputRecord) -> bool:
    """Is the file at `path` still the one a manifest record describes (same inode, size and mtime)?"""
    try:
        return _stat(path) == rec.stat()
    except OSError:
        return False


class Placed(NamedTuple):
    """A file `Staging.put` placed in the new tree (possibly in a render worker: only this crosses back)."""

    sha256: str
    size: int
    mtime_ns: int
    inode: int
    wrote: bool          # new bytes written (False: hard-linked unchanged from the published site)
    scanned: bool = False   # the output scan read these very bytes and found nothing (pipeline sets it)

    def stat(self) -> tuple:
        return (self.size, self.mtime_ns, self.inode)


class Staging:
    """The folder `publish` assembles the new site in. `put` places one file's bytes there; it runs in
    the forked render workers as each page is made (pipeline.publish_checked), so a page goes straight
    to disk and only its `Placed` record crosses back: no process holds the rendered site. The folder
    is made by `publish` before the first page is asked for, hence before the workers are forked."""

    def __init__(self):
        self.out = self.folder = None   # set by `publish`, with the last publish's manifest
        self.previous: dict = {}
        self._made: set = set()

    def put(self, rel: str, data) -> Placed:
        """Write `data` at `rel` — or hard-link the published file when its bytes are the same (or
        `data` is None: "unchanged, keep it"), so only changed files get new bytes and mtimes. `data` is
        bytes, or an iterable of byte chunks (a page as it is rendered): written and hashed chunk by
        chunk, so no process holds the page whole; when its hash then matches the published file, the
        new file gives way to a link."""
        if self.folder is None:
            raise RuntimeError("Staging.put before publish made the folder")
        rec = self.previous.get(rel)
        if data is None and not (rec and intact(self.out / rel, rec)):
            raise ValueError(f"{rel}: asked to keep a published file that is not there")
        target = self.folder / rel
        if target.parent not in self._made:
            target.parent.mkdir(parents=True, exist_ok=True)   # exist_ok: the other worker may make it too
            self._made.add(target.parent)
        if data is None:
            sha = rec.sha256
        elif isinstance(data, (bytes, bytearray)):
            sha = hashlib.sha256(data).hexdigest()
            if rec and rec.sha256 == sha and intact(self.out / rel, rec):
                data = None
            else:
                target.write_bytes(data)
        else:
            sha = _stream(target, data)
            if rec and rec.sha256 == sha and intact(self.out / rel, rec):
                os.unlink(target)
                data = None
        if data is None:
            try:
                os.link(self.out / rel, target)
            except OSError:   # a file system without hard links
                shutil.copy2(self.out / rel, target)
        st = os.stat(target)
        return Placed(sha, st.st_size, st.st_mtime_ns, st.st_ino, data is not None)


# files written as a stream of chunks and the chunks, in this process: tests count the work here
STREAMED: Counter = Counter()


def _stream(target: Path, chunks) -> str:
    """Write the byte `chunks` to `target` as they come; their sha256."""
    h = hashlib.sha256()
    STREAMED["files"] += 1
    with open(target, "wb") as f:
        for chunk in chunks:
            STREAMED["chunks"] += 1
            h.update(chunk)
            f.write(chunk)
    return h.hexdigest()


def publish(files, copies: dict[str, Path], out: Path, source: Path,
            previous: dict | None = None, keys: dict | None = None,
            inspect: Callable[[Path], list] | None = None, staging: Staging | None = None) -> dict:
    """Make `out` hold exactly `files` (site path -> bytes, as a mapping or an iterable of pairs,
    consumed lazily so a large site is never held in memory) and `copies` (site path -> file to copy),
    plus the marker file that lets the next publish replace it.

    `previous` is the manifest the last publish into `out` returned (site path -> OutputRecord);
    `keys` are the render cache's page keys to remember. A file whose bytes are unchanged — or whose
    value is None, meaning "unchanged, keep it" — is hard-linked from the current site rather than
    rewritten, so only changed files get new bytes and mtimes. The new tree is assembled aside and
    swapped in whole; when nothing at all changed, the published site is not touched. With a `staging`
    (a `Staging` it fills in before asking for the first file), a value may also be the `Placed`
    record of a file another process already put there.

    `inspect` is the last look before the swap: called with the finished folder, it returns the
    problems (diagnostics) that forbid publishing it — the privacy engineer's scan of every output
    file plugs in here (pipeline.build passes it). Any problem raises PublishRefused and the
    previous site stays. Returns the manifest of what is now published.
    """
    out = check_output(out, source)
    previous = previous or {}
    keys = {} if keys is None else keys   # filled while `files` is consumed: keep the same dict
    pairs = files.items() if isinstance(files, dict) else files
    staging = staging or Staging()
    staging.out, staging.previous = out, previous
    try:
        recover(out)          # a swap a crash cut short, and folders killed builds left behind
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = staging.folder = new_folder(out)
    except OSError as exc:
        raise writing(exc, out, "the site", "nothing was changed") from None
    manifest: dict[str, OutputRecord] = {}
    changed = False

    def place(rel: str, data) -> None:
        nonlocal changed
        placed = data if isinstance(data, Placed) else staging.put(rel, data)
        changed = changed or placed.wrote
        manifest[rel] = OutputRecord(keys.get(rel, ""), placed.sha256, placed.size, placed.mtime_ns, placed.inode)

    try:
        for rel, data in pairs:
            place(rel, data)
        for rel, src in copies.items():
            try:
                data = Path(src).read_bytes()
            except OSError as exc:
                raise reading(exc, _shown(src, source), "an attached file") from None
            place(rel, data)
        place(MARKER, marker_text(manifest))
        # the last look comes first even when nothing changed: what it looks for may have (a consent
        # withdrawn), and a site it would refuse must fail the build as a clean build would
        problems = inspect(tmp) if inspect is not None else []
        if problems:
            raise PublishRefused(problems)
        if not changed and set(manifest) == set(previous) == tree(out):
            shutil.rmtree(tmp, ignore_errors=True)
            return {rel: replace(previous[rel], key=keys.get(rel, previous[rel].key)) for rel in manifest}
        os.chmod(tmp, 0o755)
        swap(tmp, out)
    except OSError as exc:
        _abandon(pairs, tmp)
        raise writing(exc, out, "the site", "the previous site is untouched") from None
    except BaseException:
        _abandon(pairs, tmp)
        raise
    # a hard-linked file keeps its inode through the swap; a copied one was written in `tmp`
    return {rel: OutputRecord(rec.key, rec.sha256, *_stat(out / rel)) for rel, rec in manifest.items()}


def _abandon(pairs, tmp: Path) -> None:
    """A publish that cannot finish: stop whatever still makes files (closing the page iterator ends the
    render workers, which write into `tmp`), then remove the folder."""
    close = getattr(pairs, "close", None)
    if close is not None:
        try:
            close()
        except Exception:   # the failure being reported matters more than one in closing
            pass
    shutil.rmtree(tmp, ignore_errors=True)


def _stat(path: Path) -> tuple:
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _shown(path, source: Path) -> str:
    """A record-side path as the learner knows it: relative to the portfolio when inside it."""
    try:
        return Path(path).resolve().relative_to(Path(source).resolve()).as_posix()
    except ValueError:
        return str(path)
