"""The last line of defence: scan every output file before the publish.

Whatever the check and the redaction missed, no file of the new site (HTML, JSON, JS, CSV, SVG,
copied attachments) and no file name may hold a contact's channel value or the full name of a
contact who has not consented. `inspector` is write.publish's `inspect` hook: it reads the finished
folder before the swap, and a find refuses the publish (the previous site stays whole). The export
checks its members with `check`, which raises `PersonalDataInOutput`.

Only what changed is read again: a file of the new site that is the very file the last publish
wrote into the same folder (hard-linked: same inode, size and mtime as its manifest record), when
that publish was scanned for exactly what this scan looks for (`fingerprint`), passed then and
would pass now. A name or a detail added, a consent withdrawn or a new allow-list changes the
fingerprint, and every file is scanned again.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from pathlib import Path

from .detect import Known, channel_values, names
from .normalise import normalise

TEXT_SUFFIXES = {".html", ".htm", ".json", ".js", ".csv", ".svg", ".txt", ".md", ".xml", ".css", ".tsv",
                 ".yaml", ".yml", ".ics", ".vcf", ".rtf", ".log", ".matrix", ""}


BLOCK = 1 << 18   # bytes of a large file normalised and scanned at a time (normalised_blocks, Scan)
# files scanned as a stream ("files"), the pieces they were scanned in ("pieces") and the chunks text files
# came in ("chunks"), in this process: tests count the work here (speed is never asserted by timing)
STREAMED: Counter = Counter()
_GAP = re.compile(rb"[ \t\n\r\f\v]")


def normalised_text(data: bytes) -> str:
    """`normalise(data.decode("utf-8", errors="replace"), track=False).text`, a block at a time (the
    blocks of `normalised_blocks`, joined)."""
    return "".join(normalised_blocks(data))


def normalised_blocks(data: bytes):
    """The normalised text of `data` in pieces whose join is `normalise(data.decode("utf-8",
    errors="replace"), track=False).text`, so a large page never has several full-size copies of
    itself alive at once (a 5 MB page took 80 MB).

    Blocks are cut just before an ASCII space or line break, and each normalised alone: the same text,
    because nothing reaches across such a cut. Decoding: an ASCII byte is never part of a UTF-8
    sequence, valid or not. `normalise`: the character after the cut is no part of any pattern it
    substitutes — not of an entity, a percent run or a backslash escape (which take letters, digits,
    '#', ';', '%' or punctuation after their first character, even on a second decoding pass over
    what the block before decoded to), nor of a run of non-ASCII characters — and the rest (deleting
    characters, folding case) goes character by character. tests/test_privacy_matcher.py checks this
    against the whole text."""
    blocks = _Blocks()
    yield from blocks.feed(data)
    yield blocks.close()


def _normal(raw: bytes) -> str:
    return normalise(raw.decode("utf-8", errors="replace"), track=False).text


class _Blocks:
    """`normalised_blocks` of bytes that come a chunk at a time (a page as it is rendered): `feed` yields
    each block completed so far, `close` the last. The cuts are the whole file's (the first gap at least
    BLOCK bytes into a block), so only the bytes after the last cut are held between chunks."""

    def __init__(self):
        self.head, self.searched = b"", 0   # bytes not yet cut off; where the search for a gap may resume

    def feed(self, chunk: bytes):
        head = self.head + chunk if self.head else chunk
        step, start = max(BLOCK, 1), 0   # every block holds at least one byte
        while len(head) - start > step:
            gap = _GAP.search(head, max(start + step, self.searched))
            if gap is None:   # no cut yet: the next chunk may bring the gap (searching on from here)
                self.searched = len(head)
                break
            yield _normal(head[start:gap.start()])
            start = self.searched = gap.start()
        self.head, self.searched = head[start:], self.searched - start

    def close(self) -> str:
        return _normal(self.head)


# Characters no finding of `_seek`'s matchers can hold, in normalised text: a hidden name is letters,
# apostrophes and runs of spaces, '_', '-' or '.'; an e-mail address [\w.+'-] around '@'; a URL or a
# phone number stops before '<', '>' and '"' (detect.URL, detect.LOOSE_PHONE, detect.EMAIL). Only a
# channel value kept as a literal (a handle: any characters) can hold one: see `_Seeker`.
_BARRIER = re.compile('[<>"]')


def _last_barrier(text: str) -> int:
    return max(text.rfind("<"), text.rfind(">"), text.rfind('"'))
class PersonalDataInOutput(Exception):
    def __init__(self, path: str, what: str):
        super().__init__(f"{path}: {what}")
        self.path, self.what = path, what


class OutputGuard:
    def __init__(self, sources, checks: dict):
        allowed = Known(checks.get("allow_personal_data") or [])
        self.channels = Known()
        hidden = []
        for s in sources.contacts:
            if not isinstance(s.data, dict):
                continue
            for v in channel_values(s.data.get("channels")):
                self.channels.add(v)
            consent = s.data.get("consent") if isinstance(s.data.get("consent"), dict) else {}
            if not (consent.get("publish") is True and not consent.get("erasure_requested")):
                if isinstance(s.data.get("name"), str):
                    hidden.append((s.id, s.data["name"]))
        # a detail the learner allowed (a switchboard that is also a contact's channel) may appear
        self.channels.discard(allowed)
        self.names = names(hidden)
        self.fingerprint = hashlib.sha256(repr(("outputs", 1, self.names.fingerprint(), self.channels.fingerprint(),
                                                sorted(TEXT_SUFFIXES))).encode()).hexdigest()
        self.trusted: dict = {}   # site path -> (size, mtime_ns, inode) of a file scanned under this fingerprint
        self.scanned = 0          # files scanned for this publish: as they were made (`screen`) or by `folder`

    def check(self, rel: str, data: bytes | None) -> None:
        self._text(rel, rel, "its file name")
        if data is None or Path(rel).suffix.lower() not in TEXT_SUFFIXES:
            # binary files: their bytes are searched for channel values written as UTF-8 text
            if data is not None and self.channels:
                self._text(rel, data.decode("latin-1"), "its bytes")
            return
        self._raise(rel, "its text", *self.verdict(data))

    def verdict(self, data: bytes) -> tuple[bool, bool]:
        """(holds a channel value, holds a hidden full name) of a text file's bytes: `_seek`'s answer
        for the whole normalised text, a large one scanned as a stream (`_stream`)."""
        if len(data) <= BLOCK:
            return self._found(_normal(data))
        return self._stream(normalised_blocks(data))

    def check_document(self, rel: str, data: bytes, text: str) -> None:
        """A document the tool made (the submission PDF): its bytes as any binary file's, then its text as
        extracted from the document itself (compressed in its bytes, so the byte search cannot see it)."""
        self.check(rel, data)
        self._text(rel, text, "its text")

    def _text(self, rel: str, text: str, where: str) -> None:
        self._seek(rel, normalise(text, track=False).text, where)

    def _seek(self, rel: str, t: str, where: str) -> None:
        self._raise(rel, where, *self._found(t))

    def _found(self, t: str) -> tuple[bool, bool]:
        return bool(self.channels and self.channels.find(t)), bool(self.names.find(t, parts=False))

    @staticmethod
    def _raise(rel: str, where: str, channel: bool, name: bool) -> None:
        """A channel value is reported before a name, wherever each is in the text."""
        if channel:
            raise PersonalDataInOutput(rel, f"{where} holds a contact's channel value")
        if name:
            raise PersonalDataInOutput(rel, f"{where} holds the name of a contact who has not consented")

    def _stream(self, blocks) -> tuple[bool, bool]:
        """`_found` of the text the `blocks` join to (its verdict), holding about one block at a time
        (`_Seeker`)."""
        seeker = _Seeker(self)
        for block in blocks:
            seeker.feed(block)
        return seeker.close()

    def trust(self, manifest: dict | None, fingerprint: str | None) -> "OutputGuard":
        """The last publish's manifest (site path -> write.OutputRecord) and the fingerprint it was
        scanned under: its files, hard-linked unchanged into the new site, need no second scan."""
        if manifest and fingerprint == self.fingerprint:
            self.trusted = {rel: rec.stat() for rel, rec in manifest.items()}
        return self

    def screen(self, rel: str, data, placed) -> bool:
        """Scan a page as it is made (in a render worker), once `placed` (write.Placed) holds `data` in
        the new tree: True when these bytes pass. `data` is the bytes, or the `Scan` that saw them go by
        as a stream of chunks (pipeline.publish_checked: the page is never held whole). The parent then
        `vouch`es for the placed file, and `folder` skips it while its status is still the one it had
        when written. A find is not raised here: the file stays unvouched, and `folder` reports it in the
        order a whole scan would."""
        if self.trusted.get(rel) == placed.stat():
            return False   # the last publish's file, linked unchanged: `folder` already trusts it
        try:
            data.close() if isinstance(data, Scan) else self.check(rel, data)
        except PersonalDataInOutput:
            return False
        return True

    def vouch(self, rel: str, placed) -> None:
        """`rel` is a file `screen` passed: trust it as placed (its size, mtime and inode)."""
        self.trusted[rel] = placed.stat()
        self.scanned += 1

    def folder(self, root: Path) -> list:
        """Diagnostics for the first file under `root` (the finished site) that holds personal data."""
        from ..registry import finding
        root = Path(root)
        try:
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                rel = path.relative_to(root).as_posix()
                if rel in self.trusted:
                    st = os.stat(path)
                    if (st.st_size, st.st_mtime_ns, st.st_ino) == self.trusted[rel]:
                        continue
                self.scanned += 1
                self.check(rel, path.read_bytes())
        except PersonalDataInOutput as exc:
            return [finding("personal-data", f"site/{exc.path}", (1, 1),
                            f"the built site would publish personal data: {exc.what}; nothing was published",
                            hint="a theme or template may print it: remove it there")]
        return []

    def inspector(self, then=None):
        """The `inspect` hook for write.publish: this scan, then `then` (another look) if it finds nothing."""
        def inspect(root: Path) -> list:
            return self.folder(root) or (then(root) if then is not None else [])
        return inspect


class Scan:
    """`OutputGuard.check` of one file whose bytes come a chunk at a time (a page as it is rendered and
    written): `through` passes the chunks on while it scans them, `close` raises what `check` would
    raise on the whole bytes. A text file is normalised in the blocks of `normalised_blocks` (the same
    cuts, whatever the chunks) and sought by `_Seeker` as they complete, so about a block of it is held;
    a file that fits one block is sought whole, as `verdict` would. A file that is not text (no page the
    generator renders) is gathered and checked whole."""

    def __init__(self, guard: OutputGuard, rel: str):
        self.guard, self.rel = guard, rel
        self.is_text = Path(rel).suffix.lower() in TEXT_SUFFIXES
        self.blocks, self.seeker, self.held = _Blocks(), None, []

    def through(self, chunks):
        for chunk in chunks:
            self.feed(chunk)
            yield chunk

    def feed(self, chunk: bytes) -> None:
        if not self.is_text:
            self.held.append(chunk)
            return
        STREAMED["chunks"] += 1
        for block in self.blocks.feed(chunk):
            if self.seeker is None:
                self.seeker = _Seeker(self.guard)
            self.seeker.feed(block)

    def close(self) -> None:
        if not self.is_text:
            self.guard.check(self.rel, b"".join(self.held))
            return
        self.guard._text(self.rel, self.rel, "its file name")   # first, as `check` looks
        last = self.blocks.close()
        if self.seeker is None:
            verdict = self.guard._found(last)
        else:
            self.seeker.feed(last)
            verdict = self.seeker.close()
        self.guard._raise(self.rel, "its text", *verdict)


class _Seeker:
    """`OutputGuard._found` of the text the blocks given to `feed` join to, holding about one block at a
    time; `close` gives the verdict. The text is scanned in pieces cut just before a barrier character
    (`_BARRIER`): no name, address, URL or phone number reaches across one, and each matcher's
    look-arounds see at a piece's edge what they see there in the whole text (the barrier itself, which
    is no letter, digit or part of any pattern, or the text's end), so a piece's findings are exactly the
    whole text's findings within it. A literal channel value may hold any character: it is sought again
    in a window of the last `longest - 1` characters before each piece and the piece, which holds every
    occurrence that ends in the piece. Text without a barrier is carried into the next piece (so a
    finding is never cut, however long). Both kinds are looked for to the end, as in the whole text, so
    the message (`OutputGuard._raise`) is the whole text's."""

    def __init__(self, guard: OutputGuard):
        self.guard = guard
        self.literals = guard.channels.literals if guard.channels else ()
        self.reach = max(map(len, self.literals), default=1) - 1
        self.channel = self.name = False
        self.carry = self.tail = ""
        STREAMED["files"] += 1

    def _look(self, piece: str) -> None:
        STREAMED["pieces"] += 1
        guard, reach = self.guard, self.reach
        self.channel = self.channel or bool(guard.channels and guard.channels.find(piece))
        self.name = self.name or bool(guard.names.find(piece, parts=False))
        if self.literals and not self.channel:
            window = self.tail + piece[:reach]
            self.channel = any(lit in window for lit in self.literals)
        self.tail = (self.tail + piece)[-reach:] if reach else ""

    def feed(self, block: str) -> None:
        text = self.carry + block
        cut = _last_barrier(text)
        if cut > 0:
            self._look(text[:cut])
            self.carry = text[cut:]
        else:
            self.carry = text

    def close(self) -> tuple[bool, bool]:
        self._look(self.carry)
        return self.channel, self.name
