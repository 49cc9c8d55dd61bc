"""`serve`'s output scan of a large file, a segment at a time, each segment's pass remembered by digest.

A save in `serve` changes one entry's part of print.html and portfolio.json (10 MB at 1,000 entries),
and the output guard read both whole on every save. Here a file is cut into segments whose bounds depend
only on the bytes near them (content-defined, so the segments of every part a save left alone are the
same bytes as before, wherever the part now sits in the file), and a segment that passed under the same
guard fingerprint (`OutputGuard.fingerprint`: what the guard looks for) is not scanned again.

Why the verdict is the whole file's. A cut is made just after a '>' or '"' byte (and only there):

* Decoding: an ASCII byte is never part of a UTF-8 sequence, so each segment decodes to its part of the
  whole text.
* Normalising (privacy/normalise.py) joins nothing across the cut: it strips no tags and no
  characters but zero-width ones and the emphasis markers '*', '~' and '`' (each alone, by its own
  class), folds runs of non-ASCII characters (the ASCII '>' or '"' ends a run) and case (character by
  character), and substitutes three patterns, none of which holds '>' or '"' except as its last
  character: an entity `&...;` (letters, digits, '#', ';'), a percent run `%XX` (hex digits) and a
  backslash escape `\\>` (which ends at the cut: the whole match is in the segment before it). So no
  substitution reaches across the cut, on either decoding pass, the barrier character stays where it
  is, and the whole text normalises to the join of its segments' normalised texts.
* Finding (`OutputGuard._found`): a hidden full name is letters, apostrophes and runs of spaces, '_',
  '-' or '.'; an e-mail address `[\\w.+'-]` around '@' and a domain; a URL and a phone number stop
  before '<', '>' and '"' (privacy/detect.py EMAIL, URL, LOOSE_PHONE). None holds the character
  before the cut and the one after it, so every finding of the whole text lies within one segment.
  At a segment's edges the matchers see what they see there in the whole text: on the left the text's
  start stands for '>' or '"', and the look-behinds (`(?<![\\w+])`, a name's "no letter or digit
  before") and the name prefilter (which reads what is not a letter or digit as a space) accept both
  alike; on the right the segment ends with the barrier itself, as in the whole text.
* A channel value kept as a literal (a handle) may hold any character, so one that holds '>' or '"'
  could reach across a cut: then (fail closed) the file is scanned whole.

tests/test_outputs_segments.py checks the verdict against the whole file's scan (hypothesis) and
counts the segments scanned; tests/test_live.py spells a hidden name across two entries' parts.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

from .outputs import TEXT_SUFFIXES, OutputGuard

SEGMENTED_FROM = 1 << 16    # bytes: a smaller file is scanned whole (its scan costs less than the digests)
# Where a file is cut: just after the '>' of a block's closing tag at a line's end (an entry's part of the
# print view ends with '</article>'); in compact JSON after the '"' that ends the last string of an object
# in a list (an entry's record in portfolio.json ends '"body":"..."}'); in the search index after the '"'
# that ends a document ('"],['). Found by the bytes around them alone, so a part's cuts do not move when a
# part before it grows or shrinks; sparse (a few per entry), so a segment's digest costs little beside its
# bytes. Each rule is a literal the regular expression engine skips to (an alternation of the three
# was ten times slower: tried at every byte). Any cut just after '>' or '"' gives the same verdict.
_HTML = (re.compile(rb'</(?:article|section|table|div|ul|ol|dl|nav|blockquote|pre)>\n'), 1)
_CUTS = {".json": (re.compile(rb'"\}[,\]]'), 2), ".js": (re.compile(rb'"\],\['), 3)}   # (rule, bytes after the cut)
_UNSAFE = ('>', '"')         # the characters at a cut: a literal holding one could span it

# segments looked at in this process: "scanned" (read by the guard) and "kept" (passed before, by digest):
# tests count the work here (speed is never asserted by timing)
SEGMENTS: Counter = Counter()


def cuts(data: bytes, suffix: str = ".html") -> list[int]:
    """Offsets just after a barrier byte where `data` (a file with this suffix) is cut into segments."""
    rule, after = _CUTS.get(suffix, _HTML)
    return [m.end() - after for m in rule.finditer(data)]


class SegmentMemo:
    """The digests of the segments that passed the guard under `fingerprint`, kept for the segments of
    each file's last scanned version only (so the memo does not grow with the session)."""

    def __init__(self):
        self.fingerprint = None
        self.files: dict[str, set] = {}
        self.passed: set = set()

    def under(self, fingerprint: str) -> "SegmentMemo":
        if fingerprint != self.fingerprint:
            self.fingerprint, self.files, self.passed = fingerprint, {}, set()
        return self

    def keep(self, rel: str, digests: set) -> None:
        self.files[rel] = digests
        self.passed = set().union(*self.files.values())


def check(guard: OutputGuard, rel: str, data: bytes | None, memo: SegmentMemo) -> None:
    """`guard.check(rel, data)`: the same verdict and message, scanning only the segments of a large text
    file that did not pass before under the guard's fingerprint."""
    literals = guard.channels.literals if guard.channels else ()
    suffix = Path(rel).suffix.lower()
    if data is None or len(data) < SEGMENTED_FROM or suffix not in TEXT_SUFFIXES \
            or any(c in lit for lit in literals for c in _UNSAFE):
        guard.check(rel, data)
        return
    guard._text(rel, rel, "its file name")
    memo = memo.under(guard.fingerprint)
    view = memoryview(data)
    channel = name = False
    digests, fresh = set(), set()
    start = 0
    for end in cuts(data, suffix) + [len(data)]:
        if end == start:
            continue
        digest = hashlib.sha256(view[start:end]).digest()
        digests.add(digest)
        if digest in memo.passed or digest in fresh:
            SEGMENTS["kept"] += 1
        else:
            SEGMENTS["scanned"] += 1
            c, n = guard.verdict(bytes(view[start:end]))
            channel, name = channel or c, name or n
            if not (c or n):
                fresh.add(digest)
        start = end
    if not (channel or name):
        memo.keep(rel, digests)
    guard._raise(rel, "its text", channel, name)
