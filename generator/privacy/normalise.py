"""Text as a reader sees it, with a map back to where each character came from.

Personal data hides behind spelling: `Zo&#233;`, `priya%2Eshah%40x.com`, `_Priya_`, `P\\riya`,
a zero-width space inside a name, the decomposed (NFD) é, `İ` and `ß` whose case folding changes
their length. `normalise` undoes all of these and folds case and accents, so one comparison catches
every spelling; `Normalised.span` maps a match back to the original text for its line and column.
"""
from __future__ import annotations

import functools
import html
import re
import unicodedata
from urllib.parse import unquote

ZERO_WIDTH = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# the same runs as (?:%XX)+, written to start with its literal '%' so the engine can skip to each '%'
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}(?:%[0-9A-Fa-f]{2})*")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")          # a Markdown backslash escape of ASCII punctuation
_EMPHASIS = re.compile(r"[*~`]+")                      # emphasis, strike-through and code markers
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def skeleton(text: str) -> str:
    """NFKC, full case folding (İ, ß), then accents dropped: `Zoë`, `ZOE` and `zoe` are one word."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=4096)
def _skeleton_of(run: str) -> str:
    """`skeleton` of a run of non-ASCII characters: the same few (dashes, arrows, accented letters) recur."""
    return skeleton(run)


class Normalised:
    """`text` normalised; normalised character i came from original[origin[i]:ends[i]].

    The map back (`origin`, `ends`) costs several times the normalising itself (two lists the length
    of the text, built a piece at a time), and most texts have nothing to map back: it is made the
    first time a span is asked for, by normalising `original` again with the map kept (`_tracked`),
    which gives the same text."""

    __slots__ = ("original", "text", "_origin", "_ends", "_pending")

    def __init__(self, original: str, text: str, origin: list | None, ends: list | None = None,
                 pending: bool = False):
        self.original, self.text, self._origin, self._ends = original, text, origin, ends
        self._pending = pending

    def _maps(self) -> tuple:
        if self._pending:
            tracked = _tracked(self.original)
            self._origin, self._ends, self._pending = tracked._origin, tracked._ends, False
        return self._origin, self._ends

    @property
    def origin(self) -> list | None:
        return self._maps()[0]

    @property
    def ends(self) -> list | None:
        return self._maps()[1]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original text's span that normalised text[start:end] came from."""
        origin, ends = self._maps()
        if origin is None:
            return start, end
        if end <= start:
            return origin[start], origin[start]
        return origin[start], ends[end - 1]


def _substitute(text: str, maps, pattern: re.Pattern, replace):
    """Replace every match of `pattern` by `replace(match)` (a string, or None to keep it), keeping the
    maps (starts, ends): each character of a replacement spans everything the match came from."""
    if maps is False:   # no map wanted: the plain substitution is several times faster
        return pattern.sub(lambda m: m.group(0) if (r := replace(m)) is None else r, text), False
    pieces, starts, ends, at, changed = [], [], [], 0, False
    if maps is None:
        o_start, o_end = range(len(text)), range(1, len(text) + 1)
    else:
        o_start, o_end = maps
    for m in pattern.finditer(text):
        new = replace(m)
        if new is None or new == m.group(0):
            continue
        changed = True
        pieces.append(text[at:m.start()])
        starts.extend(o_start[at:m.start()])
        ends.extend(o_end[at:m.start()])
        pieces.append(new)
        starts.extend([o_start[m.start()]] * len(new))
        ends.extend([o_end[m.end() - 1]] * len(new))
        at = m.end()
    if not changed:
        return text, maps
    pieces.append(text[at:])
    starts.extend(o_start[at:])
    ends.extend(o_end[at:])
    return "".join(pieces), (starts, ends)


def _drop(text: str, maps, pattern: re.Pattern):
    """Remove every match of `pattern`; without a map, by the engine's own substitution (no call per match)."""
    if maps is False:
        return pattern.sub("", text), False
    return _substitute(text, maps, pattern, lambda m: "")


def _entity(m):
    return html.unescape(m.group(0))


def _percent(m):
    raw = m.group(0)
    decoded = unquote(raw, errors="strict") if _utf8(raw) else None
    return decoded


def _utf8(raw: str) -> bool:
    try:
        bytes(int(h, 16) for h in raw.split("%")[1:]).decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def normalise(text: str, track: bool = True) -> Normalised:
    """`track=False`: no map back to the original (for a yes/no scan of large files); otherwise the map
    is made when a span is first asked for (`Normalised.span`)."""
    if not text:
        return Normalised(text or "", text or "", None)
    plain = _tracked(text, False)
    if not track:
        return plain
    # nothing that changes a character's place (only ASCII, no entity, escape or marker): no map needed
    simple = text.isascii() and not any(c in text for c in "&%\\*~`")
    return Normalised(text, plain.text, None, None, pending=not simple)


def _tracked(text: str, track: bool = True) -> Normalised:
    s, maps = text, (None if track else False)
    if not s.isascii():   # each step below first asks (in C) whether its characters are there at all
        s, maps = _drop(s, maps, ZERO_WIDTH)
    for _ in range(2):   # `&amp;#64;` and `%2540` are encoded twice
        if "&" in s:
            s, maps = _substitute(s, maps, _ENTITY, _entity)
        if "%" in s:
            s, maps = _substitute(s, maps, _PERCENT, _percent)
    if "\\" in s:
        s, maps = _substitute(s, maps, _ESCAPE, lambda m: m.group(1))
    if "*" in s or "~" in s or "`" in s:
        if maps is False:   # dropping every marker character is dropping every run of them
            s = s.replace("*", "").replace("~", "").replace("`", "")
        else:
            s, maps = _substitute(s, maps, _EMPHASIS, lambda m: "")
    if not s.isascii():
        s, maps = _drop(s, maps, ZERO_WIDTH)   # decoded from an entity
        # fold what is not ASCII; a combining mark alone folds to nothing, leaving its base letter
        s, maps = _substitute(s, maps, _NON_ASCII, lambda m: _skeleton_of(m.group(0)))
    low = s.lower()
    if len(low) == len(s):
        s = low
    else:   # pragma: no cover - lower() after casefold keeps the length for every known character
        s, maps = _substitute(s, maps, re.compile(r"[A-Z]+"), lambda m: m.group(0).lower())
    if not maps:
        return Normalised(text, s, None)
    return Normalised(text, s, list(maps[0]), list(maps[1]))


def line_col(text: str, offset: int, first_line: int = 1, first_col: int = 1) -> tuple[int, int]:
    """(line, column) of `offset` in `text`, given where `text` starts in its file."""
    line = text.count("\n", 0, offset)
    if line == 0:
        return first_line, first_col + offset
    return first_line + line, offset - text.rfind("\n", 0, offset)
