"""Stage 6 — write: publish rendered pages and assets atomically.

Everything is written to a temporary folder beside the output and swapped into place only
when complete, so a failed build leaves the previous site untouched. The generator refuses
to write into the learner's record folders.
"""
from __future__ import annotations

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


def publish(files: dict[str, bytes], copies: dict[str, Path], out: Path, source: Path) -> None:
    """Write `files` (site path -> bytes) and `copies` (site path -> file to copy) as the new `out`."""
    check_output(out, source)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        for rel, data in files.items():
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        for rel, src in copies.items():
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
        os.chmod(tmp, 0o755)
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


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
