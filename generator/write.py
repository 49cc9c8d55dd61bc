"""Stage 6 — write: publish rendered pages and assets atomically.

Everything is written to a temporary folder beside the output and swapped into place only
when complete, so a failed build leaves the previous site untouched. The generator refuses
to write into the learner's record folders.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

RECORD_FOLDERS = ("entries", "contacts", "criteria", "evidence", "generator", "themes", "tests")


class UnsafeOutput(ValueError):
    pass


def check_output(out: Path, source: Path) -> None:
    """Refuse an output folder that is, contains or lies inside a record folder (or the source itself)."""
    out, source = out.resolve(), source.resolve()
    protected = [source] + [source / f for f in RECORD_FOLDERS]
    for folder in protected:
        if out == folder or folder.is_relative_to(out) or (folder != source and out.is_relative_to(folder)):
            raise UnsafeOutput(f"refusing to write the site to {out}: it would overwrite records in {folder}")


def intact(path: Path, rec) -> bool:
    """Is the file at `path` still the one a manifest record describes (same inode, size and mtime)?"""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return (st.st_size, st.st_mtime_ns, st.st_ino) == tuple(rec[2:5])


def publish(files, copies: dict[str, Path], out: Path, source: Path,
            previous: dict | None = None, keys: dict | None = None) -> dict:
    """Make `out` hold exactly `files` (site path -> bytes, as a mapping or an iterable of pairs,
    consumed lazily so a large site is never held in memory) and `copies` (site path -> file to copy).

    `previous` is the manifest the last publish into `out` returned (site path -> (key, sha256, size,
    mtime_ns, inode)); `keys` are the render cache's page keys to remember. A file whose bytes are
    unchanged — or whose value is None, meaning "unchanged, keep it" — is hard-linked from the current
    site rather than rewritten, so only changed files get new bytes and mtimes. The new tree is
    assembled aside and swapped in whole; when nothing at all changed, the published site is not touched.
    Returns the manifest of what is now published.
    """
    check_output(out, source)
    out = out.resolve()
    previous = previous or {}
    keys = {} if keys is None else keys   # filled while `files` is consumed: keep the same dict
    pairs = files.items() if isinstance(files, dict) else files
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    manifest: dict = {}
    changed = False
    made: set = set()

    def place(rel: str, data: bytes | None) -> None:
        nonlocal changed
        rec = previous.get(rel)
        if data is None:
            if not rec or not intact(out / rel, rec):
                raise ValueError(f"{rel}: asked to keep a published file that is not there")
            sha = rec[1]
        else:
            sha = hashlib.sha256(data).hexdigest()
            if not (rec and rec[1] == sha and intact(out / rel, rec)):
                data_to_write = data
            else:
                data_to_write = None
            data = data_to_write
        target = tmp / rel
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if data is None:
            try:
                os.link(out / rel, target)
            except OSError:   # a file system without hard links
                shutil.copy2(out / rel, target)
        else:
            target.write_bytes(data)
            changed = True
        st = os.stat(target)
        manifest[rel] = (keys.get(rel, ""), sha, st.st_size, st.st_mtime_ns, st.st_ino)

    try:
        for rel, data in pairs:
            place(rel, data)
        for rel, src in copies.items():
            place(rel, Path(src).read_bytes())
        if not changed and set(manifest) == set(previous) == _tree(out):
            shutil.rmtree(tmp, ignore_errors=True)
            return {rel: (keys.get(rel, previous[rel][0]),) + tuple(previous[rel][1:]) for rel in manifest}
        os.chmod(tmp, 0o755)
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    # a hard-linked file keeps its inode through the swap; a copied one was written in `tmp`
    return {rel: (rec[0], rec[1]) + _stat(out / rel) for rel, rec in manifest.items()}


def _stat(path: Path) -> tuple:
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _tree(out: Path) -> set:
    """Every file under `out`, as site paths (empty when `out` does not exist)."""
    found = set()
    if not out.is_dir():
        return found
    stack = [(out, "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as it:
            for e in it:
                if e.is_dir(follow_symlinks=False):
                    stack.append((Path(e.path), prefix + e.name + "/"))
                else:
                    found.add(prefix + e.name)
    return found


def _swap(new: Path, out: Path) -> None:
    if not out.exists():
        os.replace(new, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rmdir(old)
    os.replace(out, old)
    try:
        os.replace(new, out)
    except BaseException:
        os.replace(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)
