"""Shapes of personal data in normalised text: e-mail addresses, phone numbers, profile URLs, names.

Every detector works on `normalise.normalise(text).text` (folded, decoded) and yields
(start, end, kind, what) spans of it. Shapes are generic — any e-mail address, any phone number —
so a detail the learner never recorded as a channel is caught too; the learner's allow-list
(`checks.allow_personal_data`) exempts public details such as a switchboard.
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from ahocorasick_rs import AhoCorasick, MatchKind

from .normalise import skeleton

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?![\w-])")
# A phone number: international (+44 ..., 0044 ...) or national (0...) with any spaces, dashes,
# dots, slashes or brackets between its digits, and anything (letters too) after it; or the North
# American 555-123-4567 shape. Digit counts are checked afterwards (`_phone_ok`).
PHONE = re.compile(r"(?<![\w+/.])(?<!\d-)(?:\+\s?\d|\(\s?0|0)[\d \t\n\-./()]{7,26}\d(?!\d)"
                   r"|(?<![\w/.-])(?:\(\d{3}\)\s?|\d{3}[-.\s])\d{3}[-.\s]\d{4}(?![\d])")
# Any run that could hold a phone number: used with known numbers only (the contacts' own channels)
LOOSE_PHONE = re.compile(r"(?<![\w+])\+?\d[\d\s\-./()]{5,}\d(?!\d)")
PROFILE_HOSTS = (r"linkedin\.com/(?:in|pub|profile)/", r"(?:twitter|x)\.com/", r"(?:facebook|fb)\.com/",
                 r"instagram\.com/", r"tiktok\.com/@", r"github\.com/", r"threads\.net/@", r"bsky\.app/profile/",
                 r"wa\.me/", r"t\.me/", r"medium\.com/@", r"youtube\.com/@", r"[\w-]+(?:\.[\w-]+)+/@")
PROFILE = re.compile(r"(?:https?://)?(?:[\w-]+\.)*(?:" + "|".join(PROFILE_HOSTS) + r")[^\s<>()\[\]\"'`|]+")
URL = re.compile(r"(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)+/[^\s<>()\[\]\"'`]*")
_TRAIL = ".,;:!?_'"


_NOT_DIGIT = bytes(b for b in range(256) if not 0x30 <= b <= 0x39)


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def phone_core(text: str) -> str:
    """The last nine digits, after any international or trunk prefix: +44 7700 900999 = 07700 900999."""
    return digits(text)[-9:]


def _phone_ok(found: str) -> bool:
    d = digits(found)
    if found.startswith("+"):
        return 10 <= len(d) <= 15
    if d.startswith("00"):
        return 11 <= len(d) <= 15
    if d.startswith("0"):
        return 10 <= len(d) <= 11
    return len(d) == 10   # 555-123-4567


def bare_url(text: str) -> str:
    return re.sub(r"^(?:https?://)?(?:www\.)?", "", text).rstrip("/").rstrip(_TRAIL).lower()


def _trim(text: str, start: int, end: int, lead: str = "_.'", tail: str = _TRAIL) -> tuple[int, int]:
    while start < end and text[start] in lead:
        start += 1
    while end > start and text[end - 1] in tail:
        end -= 1
    return start, end


def shapes(text: str):
    """(start, end, kind, value) of every e-mail address, phone number and profile URL in `text`."""
    taken = []
    if "@" in text:
        for m in EMAIL.finditer(text):
            s, e = _trim(text, m.start(), m.end())
            if "@" in text[s:e] and not text[s:e].startswith("@"):
                taken.append((s, e, "email", text[s:e]))
    if "/" in text:
        for m in PROFILE.finditer(text):
            s, e = _trim(text, m.start(), m.end(), lead="")
            if not _inside(taken, s, e):
                taken.append((s, e, "profile", bare_url(text[s:e])))
    for m in phone_matches(text):
        s, e = _trim(text, m.start(), m.end(), lead="", tail=" \t\n-./(")
        if _phone_ok(text[s:e]) and not _inside(taken, s, e):
            taken.append((s, e, "phone", phone_core(text[s:e])))
    return taken


_DIGIT = re.compile(r"\d")
# where a PHONE match can start: its first character (`+`, `(` or a digit) after none of the characters
# both its look-behinds refuse (a letter, digit or `_`, `/`, `.`): in a date only the year's first digit
# and those after a `-`
_PHONE_START = re.compile(r"(?<![\w/.])[+(\d]")


def phone_matches(text: str) -> list:
    """`PHONE.finditer(text)`, several times faster. The engine tries PHONE's look-behinds at every
    character; here it is tried only where a match can start (`+`, `(` or a digit, found by a fast
    scan), and the scan goes on after a match as `finditer` does. A look-behind still sees the text
    before the place tried. A text without a digit holds no phone number at all."""
    out: list = []
    if not has_digit(text):
        return out
    search, match, at = _PHONE_START.search, PHONE.match, 0
    while (c := search(text, at)) is not None:
        m = match(text, c.start())
        if m is None:
            at = c.start() + 1
        else:
            out.append(m)
            at = m.end()
    return out


def has_digit(text: str) -> bool:
    """Does `text` hold a digit (`\\d`, any script)? An ASCII text is asked ten times in C, which is
    dozens of times faster than the regular expression's scan (or PHONE's, with its look-behinds)."""
    if text.isascii():
        return any(d in text for d in "0123456789")
    return _DIGIT.search(text) is not None


def _inside(taken, s, e) -> bool:
    return any(a < e and s < b for a, b, _, _ in taken)


def value_key(kind: str, value: str) -> str:
    """How two values of a kind compare: e-mails and URLs folded, phones by their last nine digits."""
    if kind == "phone":
        return phone_core(value)
    if kind == "profile":
        return bare_url(value)
    return value.strip().lower()


def channel_values(channels):
    """Every scalar inside a contact's `channels`, whatever its shape: a mapping's values, a list's items, a
    lone value, nested to any depth. The schema reports a wrong shape, but the privacy checks still seek
    every value in it (fail closed: `channels: [alex@example.org]` is still a channel)."""
    if isinstance(channels, dict):
        for v in channels.values():
            yield from channel_values(v)
    elif isinstance(channels, (list, tuple)):
        for v in channels:
            yield from channel_values(v)
    elif channels is not None:
        yield channels


@lru_cache(maxsize=1 << 14)
def _parsed(value: str) -> tuple | None:
    """What one channel value adds to a `Known` (emails, phones, URLs, literals), or None for a blank one.
    A function of the text alone, kept: every check and every output guard of a `serve` session reads
    the same contacts' channels again (600 values parsed per save at 1,000 entries)."""
    text = skeleton(value).strip()
    if not text:
        return None
    found = {"email": set(), "phone": set(), "profile": set()}
    literals = set()
    hit = False
    for s, e, kind, v in shapes(text):
        hit = True
        found[kind].add(v)
    for m in URL.finditer(text):
        hit = True
        found["profile"].add(bare_url(m.group(0)))
    for m in LOOSE_PHONE.finditer(text):   # a number however labelled: `Mobile: 7700 900123 (evenings)`
        if len(digits(m.group(0))) >= 7:
            found["phone"].add(phone_core(m.group(0)))
            hit = True
    if not hit and len(text) >= 5 and re.search(r"[@/.\d_]", text):
        literals.add(text)   # a handle such as @priya_s; `Teams` alone would only hide ordinary words
    return (frozenset(found["email"]), frozenset(found["phone"]), frozenset(found["profile"]), frozenset(literals))


class Known:
    """Contact details to recognise however written: the contacts' channel values (a value may carry a
    label, `Mobile: 07700 900123`), or the learner's allow-list."""

    def __init__(self, values=()):
        self.emails, self.phones, self.urls, self.literals = set(), set(), set(), set()
        self._ready = None   # the prefilter (`_could_hold`), made on the first `find`
        for v in values:
            self.add(v)

    def add(self, value) -> None:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return
        parsed = _parsed(str(value))
        if parsed is None:
            return
        self._ready = None
        emails, phones, urls, literals = parsed
        self.emails.update(emails)
        self.phones.update(phones)
        self.urls.update(urls)
        self.literals.update(literals)

    def __bool__(self):
        return bool(self.emails or self.phones or self.urls or self.literals)

    def discard(self, other: "Known") -> None:
        """Forget the values `other` holds (the learner's allow-list)."""
        self.emails -= other.emails
        self.phones -= other.phones
        self.urls -= other.urls
        self._ready = None

    def fingerprint(self) -> str:
        """What `find` looks for (a digest: no values in clear)."""
        return _digest([sorted(self.emails), sorted(self.phones), sorted(self.urls), sorted(self.literals)])

    def allows(self, kind: str, value: str) -> bool:
        if kind == "email":
            return value in self.emails
        if kind == "phone":
            return value in self.phones
        return value in self.urls

    def _could_hold(self, text: str) -> bool:
        """Could `find` find anything in `text`? Every value it finds is in the text as written (an
        e-mail address, a URL without its scheme, a handle), or is a phone number whose last nine digits
        follow one another among the text's digits: one automaton pass over the text and one over its
        digits answer, so the shapes are only parsed out of a text that holds some value."""
        if self._ready is None:
            values = sorted(self.emails | self.urls | self.literals)
            phones = sorted(self.phones)
            self._ready = (AhoCorasick(values) if values else None, AhoCorasick(phones) if phones else None,
                           all(p.isascii() for p in phones))
        values, phones, ascii_phones = self._ready
        if values is not None and (self.literals or (self.emails and "@" in text) or (self.urls and "/" in text)) \
                and _matches(values, text):
            return True
        if phones is None:
            return False
        if ascii_phones:   # UTF-8 puts no byte of a non-ASCII character in 0-9: the ASCII digits, in order
            found = text.encode("utf-8", "surrogatepass").translate(None, _NOT_DIGIT).decode("ascii")
        else:
            found = digits(text)
        return bool(_matches(phones, found))

    def find(self, text: str):
        """(start, end, kind, value) of every known value in normalised `text`, however spaced."""
        out = []
        if not self._could_hold(text):
            return out
        if self.emails and "@" in text:
            out += [(s, e, k, v) for s, e, k, v in shapes(text) if k == "email" and v in self.emails]
        if self.urls and "/" in text:
            for m in URL.finditer(text):
                if bare_url(m.group(0)) in self.urls:
                    out.append((m.start(), m.end(), "profile", bare_url(m.group(0))))
        if self.phones:
            for m in LOOSE_PHONE.finditer(text):
                if phone_core(m.group(0)) in self.phones and len(digits(m.group(0))) >= 7:
                    out.append((m.start(), m.end(), "phone", phone_core(m.group(0))))
        for lit in self.literals:
            at = text.find(lit)
            while at != -1:
                out.append((at, at + len(lit), "channel", lit))
                at = text.find(lit, at + 1)
        return out


_SEP = r"[\s_\-.]+"
_PART = re.compile(r"[^\W\d_](?:[^\W\d_]|['’])*[^\W\d_]")


def name_parts(name: str) -> list[str]:
    """A name's parts, folded: `Chloé Baptiste-Ngata` -> [chloe, baptiste, ngata]."""
    return [p for p in re.split(r"[\s_\-]+", skeleton(name or "")) if _PART.fullmatch(p)]


class Names:
    """Recognise people's names in normalised text: each full name, and each part of it on its own
    (first name or surname), except parts shared with people who may be named and allowed words.

    One pass per text, whatever the number of names: an Aho–Corasick automaton finds where any name
    can start (the first word of a name, as a whole word), and only there is the name itself tried,
    with a small regular expression of the names that start with that word (longest first, any run
    of spaces, underscores, hyphens or dots between the parts). Matches are the ones a single
    alternation of every name, longest first, would find (tests/test_privacy_matcher.py)."""

    def __init__(self, people, keep=(), allow=()):
        """`people`: (label, name) pairs of people who may not be named; `keep`: names that may be shown
        (their parts are not flagged on their own); `allow`: words that only look like names."""
        keep_parts = {p for n in keep for p in name_parts(n)}
        allow = {skeleton(str(w)).strip() for w in allow if isinstance(w, str)}
        self.owner: dict[str, set] = {}
        self.full: dict[str, set] = {}   # full name -> whose it is
        full, single = self.full, set()
        for label, name in people:
            parts = name_parts(name)
            if not parts:
                continue
            key = " ".join(parts)
            full.setdefault(key, set()).add(label)
            self.owner.setdefault(key, set()).add(label)
            for p in parts if len(parts) > 1 else ():
                if p not in keep_parts and p not in allow and len(p) >= 2:
                    single.add(p)
                    self.owner.setdefault(p, set()).add(label)
        words = sorted(full.keys() | single, key=len, reverse=True)
        self.words = words
        self._every = _Starts(words)                            # names and their parts
        self._whole = _Starts([w for w in words if w in full])  # full names only

    def fingerprint(self) -> str:
        """What this matcher looks for (a digest: no names in clear)."""
        return _digest(sorted((w, sorted(self.owner[w]), w in self.full) for w in self.words))

    def find(self, text: str, parts: bool = True):
        """(start, end, "name", [labels]) of every name in normalised `text`. With `parts` False only
        full names are sought (a first name or surname alone is no find, and hides nothing), each
        labelled with the people whose full name it is."""
        out = []
        owner = self.owner if parts else self.full
        for start, end, matched in (self._every if parts else self._whole).find(text):
            key = " ".join(re.split(_SEP, matched))
            out.append((start, end, "name", sorted(owner.get(key, ()))))
        return out


_MADE: dict = {}   # the last few `Names` by what they were made from (see `names`)


def names(people, keep=(), allow=()) -> Names:
    """`Names(people, keep, allow)`, made once for the same arguments: `serve` makes the same matchers on every
    save (the scan's and the output guard's: ~5 ms at 200 contacts), and a check makes the scan's twice (where
    the entries are loaded, then for the other records). A matcher is not changed by what it finds, but for
    the patterns it compiles when they are first needed, which any later user may as well reuse."""
    key = repr((list(people), list(keep), list(allow)))   # repr: `allow` comes from YAML, maybe unhashable
    made = _MADE.pop(key, None)
    if made is None:
        made = Names(people, keep, allow)
    _MADE[key] = made                                     # the most recently used last
    while len(_MADE) > 4:
        del _MADE[next(iter(_MADE))]
    return made


_ALNUM = re.compile(r"[^\W_]")
_SPACES = {c: " " for c in range(128) if not chr(c).isalnum()}   # ASCII: what is not [^\W_] becomes a space   # a letter or digit: what may not touch a name on either side
_RUN = re.compile(r"[^\W_]+")


class _Starts:
    """Non-overlapping whole-word matches of `words` (in `Names` form: parts joined by one space),
    leftmost first, the longest word at each start."""

    def __init__(self, words):
        groups: dict[str, list] = {}
        for w in words:   # a word's first run of letters: where it can start
            groups.setdefault(_RUN.match(w).group(0), []).append(w)
        self.heads = list(groups)
        self._groups = list(groups.values())
        self._tails: dict = {}   # compiled when its head is first found: most heads never are in a check
        # leftmost-longest: a head found inside a longer word never hides one that starts a word, since
        # heads are letters only and a word start follows a character that is not
        self.automaton = AhoCorasick(self.heads, matchkind=MatchKind.LeftmostLongest) if groups else None
        # the same heads between spaces, sought (overlapping: two names may share the space between them)
        # in an ASCII text whose every character that is not a letter or digit has become a space, padded
        # with one: only heads that are a whole word are found. A text of short words holds many heads
        # that start a word ("ask" in "asked"), each of which cost a look in Python when only the space
        # before was sought. A head is letters only, so a whole word matches one head at most.
        self.spaced = AhoCorasick([" " + h + " " for h in self.heads], matchkind=MatchKind.Standard) \
            if groups else None

    def tail(self, i: int) -> re.Pattern:
        """The names that start with head `i`, longest first, as one pattern ending where a word does."""
        pattern = self._tails.get(i)
        if pattern is None:
            pattern = self._tails[i] = re.compile(
                "(?:" + "|".join(_SEP.join(re.escape(p) for p in w.split(" ")) for w in self._groups[i])
                + r")(?![^\W_])")
        return pattern

    def find(self, text: str):
        if self.automaton is None or not text:
            return
        end, size = -1, len(text)
        if text.isascii():   # a match of " head " at [s, e) of " " + text + " " is the head at [s, e - 2) of text
            found = [(i, s, e - 2) for i, s, e in
                     self.spaced.find_matches_as_indexes(" " + text.translate(_SPACES) + " ", overlapping=True)]
        else:
            found = _matches(self.automaton, text)
        for i, s, e in found:
            if s < end or (s and _ALNUM.match(text, s - 1)) or (e < size and _ALNUM.match(text, e)):
                continue   # inside a word
            m = self.tail(i).match(text, s)
            if m is not None:
                end = m.end()
                yield s, end, m.group(0)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _matches(automaton, text: str) -> list:
    """(pattern, start, end) of the automaton's matches. A lone surrogate (YAML's "\\ud800") cannot be
    handed over as UTF-8; it is no letter and in no pattern, so U+FFFD stands in for it, same length."""
    try:
        return automaton.find_matches_as_indexes(text)
    except UnicodeEncodeError:
        return automaton.find_matches_as_indexes(_SURROGATE.sub("\ufffd", text))


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()
