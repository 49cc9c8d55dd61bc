"""Rendered entry bodies on disk, by digest: no process holds every body's HTML.

A build renders each entry's Markdown once, before its pages (render/data.py `SiteData.prepare_bodies`),
and every page that shows a body reads it from here. The store is one file of records in the fragment
store's format (render/fragments.py: a head line with the key — the body's digest — its size and sha256,
then the HTML as UTF-8); in memory only digest -> (offset, size, sha256) is kept, about 300 bytes a body.
Records are read with `os.pread`, so the forked render workers share the parent's descriptor without
sharing a file position. A record whose bytes are not as its head says (a damaged or truncated file)
is rendered again: a damaged store costs renders, never bytes.

With the build cache the file is `SOURCE/.cache/portfolio/bodies` and lives across builds: a body
unchanged since the last build is not rendered again; records are appended, and the file is rewritten
with the live records alone when the dead ones outweigh them (`keep`). Without a cache it is an
unnamed temporary file, gone when the build ends. `serve` keeps one store for its session.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from .fragments import MAGIC, _decoded, _head, _index, _record

FILE = "bodies"


class BodyStore:
    FILE = FILE
    SLACK = 1 << 20          # dead bytes always let stand (a rewrite of a small store is not worth it)

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path is not None else None
        self.where: dict = {}    # digest -> (offset, size, sha256) of its record
        self._fd: int | None = None
        self._end = 0            # where the next record goes
        self._dead = 0           # bytes of records no entry has any more
        self._read: dict = {}    # digest -> where its record was when `readable` read it whole

    def __len__(self) -> int:
        self._open()
        return len(self.where)

    # -- the file ----------------------------------------------------------------------------
    def _open(self) -> bool:
        """Open (and index) the store once; False when no file can be had (then every body is rendered)."""
        if self._fd is not None:
            return self._fd >= 0
        self._fd = -1
        try:
            if self.path is None:
                self._fd = os.dup((f := tempfile.TemporaryFile()).fileno())
                f.close()
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
                with os.fdopen(os.dup(self._fd), "rb") as f:
                    self.where = _index(f)
            size = os.fstat(self._fd).st_size
            # the records after the last good head (damage, or a cut-short write) are cut off, so that
            # a record appended now is found by the next index
            self._end = max((off + n for off, n, _ in self.where.values()), default=0)
            if self._end > size:      # the last record was cut short: drop it
                last = max(self.where, key=lambda d: self.where[d][0])
                off, n, sha = self.where.pop(last)
                self._end = off - len(_head(last, n, sha))
            if not self.where:
                self._end = 0
            if self._end == 0:
                os.ftruncate(self._fd, 0)
                os.pwrite(self._fd, MAGIC, 0)
                self._end = len(MAGIC)
            elif self._end < size:
                os.ftruncate(self._fd, self._end)
        except OSError:
            self._close()
            self._fd, self.where = -1, {}
        return self._fd >= 0

    def _close(self) -> None:
        if self._fd is not None and self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)
        self._fd = None

    def close(self) -> None:
        self._close()
        self.where, self._end, self._dead, self._read = {}, 0, 0, {}

    def __del__(self):     # a descriptor is no file object: it is not closed when the store is dropped
        self._close()

    # -- records -----------------------------------------------------------------------------
    def get(self, digest: str | None) -> str | None:
        """The HTML stored for `digest`, or None (not stored, or its record damaged)."""
        where = self.where.get(digest) if digest is not None and self._open() else None
        if where is None:
            return None
        return _decoded(_record(self._fd, where))

    def add(self, digest: str, html: str) -> None:
        """Append a body's HTML; a store that cannot be written keeps nothing, never fails the build."""
        if not self._open() or digest in self.where:
            return
        data = html.encode("utf-8", errors="surrogatepass")
        sha = hashlib.sha256(data).hexdigest()
        head = _head(digest, len(data), sha)
        try:
            os.pwrite(self._fd, head + data, self._end)
        except OSError:
            return
        self.where[digest] = (self._end + len(head), len(data), sha)
        self._end += len(head) + len(data)

    def readable(self, digest: str) -> bool:
        """Stored, and its record as its head says (read once: a damaged one is forgotten). A record read
        whole once is not read again here (serve asks for every body on every save): `get` checks each
        record it reads, and a page whose body it cannot read renders the Markdown itself."""
        if not self._open() or digest not in self.where:
            return False
        where = self.where[digest]
        if self._read.get(digest) == where:
            return True
        if self.get(digest) is None:
            self._dead += self.where.pop(digest)[1]
            return False
        self._read[digest] = where
        return True

    def keep(self, live: set) -> None:
        """Forget the bodies no entry has any more; rewrite the file when they outweigh the live ones."""
        gone = set(self.where) - live
        for digest in gone:
            self._dead += self.where.pop(digest)[1]
        if self._fd is None or self._fd < 0 or self.path is None:
            return
        if self._dead <= max(sum(n for _, n, _ in self.where.values()), self.SLACK):
            return
        self._rewrite()

    def _rewrite(self) -> None:
        fd = tmp = None
        try:
            fd, tmp = tempfile.mkstemp(prefix=".bodies-", dir=self.path.parent)
            where, end = {}, len(MAGIC)
            os.pwrite(fd, MAGIC, 0)
            for digest, (off, n, sha) in sorted(self.where.items(), key=lambda kv: kv[1][0]):
                data = _record(self._fd, (off, n, sha))
                if data is None:
                    continue
                head = _head(digest, n, sha)
                os.pwrite(fd, head + data, end)
                where[digest] = (end + len(head), n, sha)
                end += len(head) + n
            os.replace(tmp, self.path)
            tmp = None
        except OSError:
            if fd is not None:
                os.close(fd)
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            return
        self._close()
        self._fd, self.where, self._end, self._dead = fd, where, end, 0
