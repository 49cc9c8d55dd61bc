"""The content hash that binds a decision to the evidence it judged (documented in docs/assessment.md).

- An **entry** (`entries/*.md`): sha256 of its text — front matter and body — as UTF-8, with a leading
  byte-order mark dropped and every line ending (CRLF or CR) written as LF. So a checkout that converts
  line endings (git's `autocrlf` on Windows) does not make a decision stale, while any change a reader
  could see does. The front matter's `ref:` line (the evidence reference, a label) is left out, so pinning
  one with `check --fix` does not make a decision stale.
- An **attachment** (any other file): sha256 of its bytes, exactly.
"""
from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath

from ..evidence_refs import without_ref_line


def is_entry_path(rel: str) -> bool:
    p = PurePosixPath(rel)
    return len(p.parts) == 2 and p.parts[0] == "entries" and p.suffix == ".md"


def entry_hash(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:   # not text: bind to the bytes (the loader reports the file itself)
        return hashlib.sha256(raw).hexdigest()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = without_ref_line(text)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(root: Path, rel: str) -> str | None:
    """The hash of `rel` (relative to the portfolio) as it is now, or None when it cannot be read."""
    try:
        raw = (Path(root) / rel).read_bytes()
    except (OSError, ValueError):
        return None
    return entry_hash(raw) if is_entry_path(rel) else hashlib.sha256(raw).hexdigest()
