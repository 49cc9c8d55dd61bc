"""Per-record fragments of the pages that show every record, kept by content key: an edit is local.

The print view, the diary and its filter pages and the search index show something for every entry. Each
record's part of such a page is a fragment — a partial template (`{{ fragment("diary-row.html", e) }}`) or
a Python function's text — rendered per record and joined. With the build cache, each page keeps its
fragments in a file of their own under the cache folder, keyed by a digest of everything the record's part
may show (`PageCache.record_key`: the record's own files and the files it links to, the findings about
them, and the facts every page's key covers — code, templates, `--as-of`, settings, redaction). One edited
entry re-renders that entry's fragments and reuses every other record's; the page is joined again.

A fragment template is given what every page shares, `url` and `href` for the page it goes into, the
record (as `record`) and the keyword arguments given to `fragment()` (part of the key), never `page`.
The store files are data (marshal of str → str, checksummed), never code, like the cache's state; each
fragment's text is stored after one character saying whether making it read an entry's body ("b") or
not ("-"), so a page joined from stored fragments counts the reads it shows (objects.BodyReads).
A page's store holds exactly the fragments its last render used, so it does not grow without end. While
serving, the print view's store also holds its frame (render/skeleton.py), and the stores the session wrote
are read from memory while their files are the ones written.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import tempfile
from collections import Counter
from pathlib import Path

from markupsafe import Markup

from ..objects import BodyReads

MAGIC = b"portfolio-generator fragments\n"
FRAME_CUT = "\x00"   # between a kept frame's front and back (render/skeleton.py: a frame holds no NUL)

# Fragments rendered in this process, by (fragment name, record's public id): tests count them here
# (speed is never asserted by timing). Forked render workers count in their own copy.
RENDERED: Counter = Counter()


def _public_id(record) -> str:
    for attr in ("slug", "key", "ref", "id"):
        value = getattr(record, attr, None)
        if isinstance(value, str):
            return value
    return type(record).__name__


def _status(path: Path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _read(path: Path, kept: dict | None = None) -> dict:
    """The store in `path`; with `kept` (serve: path -> (file status, store) of the stores this process
    wrote), the one in memory while the file is still the one written (each write is a new inode)."""
    if kept is not None:
        status, store = kept.get(str(path), (None, None))
        if status is not None and status == _status(path):
            return store
    try:
        with open(path, "rb") as f:
            if f.read(len(MAGIC)) != MAGIC:
                return {}
            head = json.loads(f.readline(4096))
            payload = f.read()
        if len(payload) != head["size"] or hashlib.sha256(payload).hexdigest() != head["sha256"]:
            return {}
        store = marshal.loads(payload)
        if not isinstance(store, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                  for k, v in store.items()):
            return {}
        return store
    except (OSError, ValueError, TypeError, KeyError, EOFError):
        return {}     # a missing or damaged store only costs renders


def _write(path: Path, store: dict, kept: dict | None = None) -> None:
    tmp = None
    if kept is not None:
        kept.pop(str(path), None)
    try:
        payload = marshal.dumps(store, 4)
        head = json.dumps({"size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}).encode()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".fragments-", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + head + b"\n")
            f.write(payload)   # not joined to the head: a copy of the print view's ~73 MB at 10,000 entries
        os.replace(tmp, path)
        tmp = None
        if kept is not None:
            kept[str(path)] = (_status(path), store)
    except (OSError, ValueError):     # a cache that cannot be written is skipped, never fatal
        pass
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


class Fragments:
    """One page's fragments: `get` returns a record's fragment from the store when its key is there,
    else makes it. Without a store (no cache) every fragment is made."""

    def __init__(self, path: Path | None = None, record_key=None, kept: dict | None = None):
        self.path, self.record_key, self.kept = path, record_key, kept
        self._old = None
        self.used: dict = {}

    def get(self, name: str, record, make, extra=()) -> str:
        key = None
        if self.path is not None:
            if self._old is None:
                self._old = _read(self.path, self.kept)
            key = hashlib.sha256(repr((name, extra, self.record_key(record))).encode("utf-8")).hexdigest()
            kept = self.used.get(key)
            if kept is None:
                kept = self._old.get(key)
            if kept:
                self.used[key] = kept
                if kept[0] == "b":        # it showed a body when it was made: the page shows one
                    BodyReads.count += 1
                return kept[1:]
        RENDERED[(name, _public_id(record))] += 1
        before = BodyReads.count
        text = str(make())
        if key is not None:   # stored with whether it read an entry's body (objects.BodyReads)
            self.used[key] = ("b" if BodyReads.count != before else "-") + text
        return text

    def frame(self, keys: tuple) -> tuple | None:
        """(front, back) of a page's frame kept by `keep_frame` (render/skeleton.py) under one of `keys`
        (the page's key without bodies, with bodies), or None."""
        if self.path is None:
            return None
        if self._old is None:
            self._old = _read(self.path, self.kept)
        for key, flag in zip(keys, "-b"):
            at = self._frame_key(key)
            kept = self.used.get(at) or self._old.get(at)
            if kept and kept[0] == flag:
                self.used[at] = kept
                if flag == "b":       # it showed a body when it was made: the page shows one
                    BodyReads.count += 1
                front, _, back = kept[1:].partition(FRAME_CUT)
                return front, back
        return None

    def keep_frame(self, keys: tuple, read_bodies: bool, front: str, back: str) -> None:
        """Keep a page's frame under its key without bodies, or with them when making it read one."""
        if self.path is not None:
            self.used[self._frame_key(keys[read_bodies])] = ("b" if read_bodies else "-") + front + FRAME_CUT + back

    @staticmethod
    def _frame_key(key: str) -> str:
        return hashlib.sha256(repr(("frame", key)).encode("utf-8")).hexdigest()

    def template(self, env, name: str, record, extra: dict, shared: dict) -> Markup:
        args = tuple(sorted(extra.items()))
        return Markup(self.get(name, record, lambda: env.get_template(name).render(
            **shared, **extra, record=record), args))

    def save(self) -> None:
        """Keep what this render used (and only that), when it differs from what was stored."""
        if self.path is not None and self._old is not None and self.used != self._old:
            _write(self.path, self.used, self.kept)
