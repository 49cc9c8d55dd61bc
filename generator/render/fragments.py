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
The store files are data, never code, like the cache's state: a record per fragment (a head line with its
key, size and sha256, then its UTF-8 text), read and written a record at a time; each fragment's text is
stored after one character saying whether making it read an entry's body ("b") or not ("-"), so a page
joined from stored fragments counts the reads it shows (objects.BodyReads). A damaged record costs its
fragment's render, never bytes.
A page's store holds exactly the fragments its last render used, so it does not grow without end. While
serving, the print view's store also holds its frame (render/skeleton.py), and the stores the session wrote
are read from memory while their files are the ones written; a delta changes them in memory only (writing
the print view's 7 MB store again for one entry cost more than joining it), and they are written when the
session ends (`flush`).
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections import Counter
from pathlib import Path

from markupsafe import Markup

from ..objects import BodyReads

MAGIC = b"portfolio-generator fragments 2\n"
_HEAD = re.compile(rb"([0-9a-f]{64}) ([0-9]{1,12}) ([0-9a-f]{64})\n")


def _head(key: str, size: int, sha: str) -> bytes:
    """A record's head line, as `_HEAD` reads it (the fragment stores and render/bodystore.py)."""
    return f"{key} {size} {sha}\n".encode()

FRAME_CUT = "\x00"   # between a kept frame's front and back (render/skeleton.py: a frame holds no NUL)

# Fragments rendered in this process, by (fragment name, record's public id): tests count them here
# (speed is never asserted by timing). Forked render workers count in their own copy.
RENDERED: Counter = Counter()


def _public_id(record) -> str:
    kind = type(record).__name__
    if kind == "Action":          # counted under its entry: an edit to the entry re-renders its actions' rows
        return _public_id(record.entry)
    if kind == "Diagnostic":      # counted under the file it was found in, as its row shows it
        return record.file
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


def _index(f) -> dict:
    """key -> (offset, size, sha256) of each record of an open store, read from the record heads alone
    (the texts stay on disk until asked for). A foreign file, or a head that is not one, ends the index:
    the records after damage only cost renders."""
    found: dict = {}
    if f.read(len(MAGIC)) != MAGIC:
        return found
    while True:
        head = _HEAD.fullmatch(f.readline(200))
        if head is None:
            return found
        found[head.group(1).decode()] = (f.tell(), int(head.group(2)), head.group(3).decode())
        f.seek(int(head.group(2)), os.SEEK_CUR)


def _record(f, where) -> bytes | None:
    """A record's bytes (a fragment's begin with its body-read flag), or None when they are not as its
    head says. `f`: an open file, or a descriptor read with `os.pread` (render/bodystore.py: forked
    workers share it, and so would share a file position)."""
    offset, size, sha = where
    try:
        if isinstance(f, int):
            data = os.pread(f, size, offset)
        else:
            f.seek(offset)
            data = f.read(size)
    except OSError:
        return None
    return data if len(data) == size and hashlib.sha256(data).hexdigest() == sha else None


def _decoded(data: bytes | None) -> str | None:
    try:
        return None if data is None else data.decode("utf-8", errors="surrogatepass")
    except UnicodeDecodeError:
        return None


class Fragments:
    """One page's fragments: `get` returns a record's fragment from the store when its key is there,
    else makes it. Without a store (no cache) every fragment is made.

    The store is read and written a record at a time, as the page is made: the old store is indexed
    by its record heads and a kept fragment is read when the page reaches it; each fragment the page
    uses is appended to a new store beside it, which replaces the old one when the page is whole
    (`save`). No process holds a page's fragments together (73 MB for the print view at 10,000
    entries: marshalled whole, they were twice that) — but serve, which keeps the stores it wrote."""

    def __init__(self, path: Path | None = None, record_key=None, kept: dict | None = None, defer: bool = False):
        self.path, self.record_key = path, record_key
        # serve's delta: a store kept in memory is changed there and written when the session ends (`flush`)
        self.defer, self._deferred = defer and kept is not None, False
        # serve: path -> (file status, key -> text, key -> sha256 of the text's bytes) of the stores this
        # process wrote, read from memory while the file is the one written (each write is a new inode);
        # `_texts` and `_sums` are this page's (the digests: a kept fragment is written again, not hashed again)
        self.kept, self._texts = kept, ({} if kept is not None else None)
        self._sums: dict | None = {} if kept is not None else None
        self._kept_sums: dict = {}
        self._old = self._new = self._tmp = None   # the stored file, the one being written and its name
        self._kept: dict = {}    # key -> where the old store holds it (or its text, from memory)
        self.used: dict = {}     # key -> where the new store holds it, in the order the page used them
        self._made = False       # a fragment was made, not kept: the new store differs from the old

    def get(self, name: str, record, make, extra=()) -> str:
        key = None
        if self.path is not None:
            self._open()
            key = hashlib.sha256(repr((name, extra, self.record_key(record))).encode("utf-8")).hexdigest()
            kept = self._text(key)
            if kept is not None:
                if kept[0] == "b":        # it showed a body when it was made: the page shows one
                    BodyReads.count += 1
                return kept[1:]
        RENDERED[(name, _public_id(record))] += 1
        before = BodyReads.count
        text = str(make())
        if key is not None:   # stored with whether it read an entry's body (objects.BodyReads)
            self._made = True
            self._keep(key, ("b" if BodyReads.count != before else "-") + text)
        return text

    def frame(self, keys: tuple) -> tuple | None:
        """(front, back) of a page's frame kept by `keep_frame` (render/skeleton.py) under one of `keys`
        (the page's key without bodies, with bodies), or None."""
        if self.path is None:
            return None
        self._open()
        for key, flag in zip(keys, "-b"):
            kept = self._text(self._frame_key(key), flag)
            if kept is not None:
                if flag == "b":       # it showed a body when it was made: the page shows one
                    BodyReads.count += 1
                front, _, back = kept[1:].partition(FRAME_CUT)
                return front, back
        return None

    def keep_frame(self, keys: tuple, read_bodies: bool, front: str, back: str) -> None:
        """Keep a page's frame under its key without bodies, or with them when making it read one."""
        if self.path is not None:
            self._made = True
            self._keep(self._frame_key(keys[read_bodies]), ("b" if read_bodies else "-") + front + FRAME_CUT + back)

    @staticmethod
    def _frame_key(key: str) -> str:
        return hashlib.sha256(repr(("frame", key)).encode("utf-8")).hexdigest()

    def _open(self) -> None:
        if self._old is not None:
            return
        self._old = False
        status, store, sums, _ = self.kept.get(str(self.path), (None,) * 4) if self.kept is not None \
            else (None,) * 4
        if status is not None and status == _status(self.path):
            self._kept, self._kept_sums = store, sums
            if self.defer:     # no new store on disk: `save` keeps the page's fragments in memory
                self._deferred = True
                return
        else:
            with contextlib.suppress(OSError):     # a missing or damaged store only costs renders
                f = open(self.path, "rb")
                try:
                    self._kept, self._old = _index(f), f
                except OSError:
                    f.close()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, self._tmp = tempfile.mkstemp(prefix=".fragments-", dir=self.path.parent)
            self._new = os.fdopen(fd, "w+b")
            self._new.write(MAGIC)
        except OSError:     # a cache that cannot be written is skipped, never fatal
            self._drop_new()

    def _text(self, key: str, flag: str | None = None) -> str | None:
        """A fragment's text (its body-read flag first), kept in the new store; with `flag`, only if its
        flag is that one."""
        if key in self.used:          # used again on the same page: read back from the new store
            if self._texts is not None:
                text = self._texts.get(key)
            elif not self._new:
                return None
            else:
                self._new.flush()
                text = _decoded(_record(self._new, self.used[key]))
                self._new.seek(0, os.SEEK_END)
            return text if text is not None and (flag is None or text[0] == flag) else None
        where = self._kept.get(key)
        if isinstance(where, str):    # from memory
            text, data, sha = where, None, self._kept_sums.get(key)
        else:
            data = _record(self._old, where) if where and self._old else None
            text, sha = _decoded(data), where[2] if where else None
        if text is None or (flag is not None and text[0] != flag):
            return None
        self._keep(key, text, data, sha)
        return text

    def _keep(self, key: str, text: str, data: bytes | None = None, sha: str | None = None) -> None:
        """Append a record to the new store (`data`, `sha`: its bytes and their digest, when known)."""
        if self._deferred:
            self.used[key] = None
            self._texts[key], self._sums[key] = text, sha
            return
        if not self._new:
            return
        if data is None:   # with `sha` only from memory: the digest of these very bytes, when first kept
            data = text.encode("utf-8", errors="surrogatepass")
        sha = sha or hashlib.sha256(data).hexdigest()
        try:
            self._new.write(_head(key, len(data), sha))
            self.used[key] = (self._new.tell(), len(data), sha)
            self._new.write(data)
        except OSError:
            self._drop_new()
            return
        if self._texts is not None:
            self._texts[key], self._sums[key] = text, sha

    def template(self, env, name: str, record, extra: dict, shared: dict) -> Markup:
        args = tuple(sorted(extra.items()))
        return Markup(self.get(name, record, lambda: env.get_template(name).render(
            **shared, **extra, record=record), args))

    def save(self) -> None:
        """Keep what this render used (and only that), when it differs from what was stored."""
        if self._deferred:
            if self._made or set(self.used) != set(self._kept):   # the file stays as it is, until `flush`
                self.kept[str(self.path)] = (_status(self.path), self._texts, self._sums, True)
            return
        if not self._new:
            return
        if not self._made and set(self.used) == set(self._kept):
            return                    # the same records: `close` drops the copy
        if self.kept is not None:
            self.kept.pop(str(self.path), None)
        try:
            self._new.close()
            os.replace(self._tmp, self.path)
            self._new = self._tmp = None
            if self.kept is not None:
                self.kept[str(self.path)] = (_status(self.path), self._texts, self._sums, False)
        except OSError:
            pass

    def close(self) -> None:
        """Let go of the files; a new store not saved is removed."""
        if self._old:
            self._old.close()
        self._old = False
        self._drop_new()

    def _drop_new(self) -> None:
        if self._new:
            with contextlib.suppress(OSError):
                self._new.close()
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._tmp)
        self._new = self._tmp = None


def flush(kept: dict) -> None:
    """Write the stores serve's deltas changed in memory (`Fragments(defer=True)`), each replaced atomically:
    when the session ends, as the build cache's state is saved then. A store not written (serve killed) is
    stale, never wrong: fragments are kept by content key, and a missing one only costs its render."""
    for path, (status, texts, sums, pending) in list(kept.items()):
        if not pending:
            continue
        kept.pop(path)
        if status != _status(Path(path)):   # replaced since (a whole rebuild's render worker): that one stays
            continue
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(prefix=".fragments-", dir=os.path.dirname(path))
            with os.fdopen(fd, "wb") as f:
                f.write(MAGIC)
                for key, text in texts.items():
                    data = text.encode("utf-8", errors="surrogatepass")
                    sha = sums.get(key) or hashlib.sha256(data).hexdigest()
                    f.write(_head(key, len(data), sha) + data)
            os.replace(tmp, path)
            tmp = None
            kept[path] = (_status(Path(path)), texts, sums, False)
        except OSError:     # a cache that cannot be written is skipped, never fatal
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
