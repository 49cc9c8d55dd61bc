"""Names of contacts who did not consent to publication never reach the site.

Learners write their contacts' names in titles, bodies, notes and file names. After the model is
built, every piece of learner text is passed through a `Redactor`:

- an unpublished contact's full name (any case) becomes their `display_name` pseudonym;
- their first name alone, written as a name (capitalised), becomes their initials, and so does
  their surname after a title (``Ms Shah``); a name part shared with the learner, a published
  contact or the assessors is left alone, since it cannot be told apart;
- their private contact id (the file name) becomes their public key, and an entry id that
  carries a name becomes the entry's public slug.

Entry ids and file names are redacted token by token (``call-tom-okafor`` → ``call-t-o``).
Matching uses one trie-shaped regular expression per pass, so the cost is linear in the text
and does not grow with the number of contacts.
"""
from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

from ahocorasick_rs import AhoCorasick

from .privacy.mentions import Mentions

TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof")
_TITLED = re.compile(rf"(?<![^\W_])(?:{'|'.join(TITLES)})\.?\s+$", re.IGNORECASE)   # "Ms " just before a surname


def fold(text: str) -> str:
    """Lowercase ASCII form of a name part, as it appears in slugs (Chloé → chloe)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


_SEP = r"[\s_\-]+"   # between the parts of a name as learners write it: spaces, hyphens, underscores
_NAMEISH = re.compile(r"^[^\W\d_](?:[^\W\d_]|['’])*[^\W\d_]$")   # letters (and apostrophes), two or more


def _parts(name: str) -> list[str]:
    return [p for p in re.split(_SEP, name.strip()) if p]


def initials(name: str) -> str:
    return "".join(p[0].upper() + "." for p in _parts(name) if p[0].isalpha()) or "A contact"


def trie_pattern(words) -> str:
    """A regex alternation of `words` shaped as a trie (one branch per next character), longest first.

    A space in a word matches any run of whitespace, hyphens or underscores, so names broken across
    lines, or written into a file name (Zara_Quill_notes), still match."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def walk(node) -> str:
        end = "" in node
        branches = []
        for ch in sorted(k for k in node if k):
            branches.append((_SEP if ch == " " else re.escape(ch)) + walk(node[ch]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return "(?:" + body + ")?"
        return body

    return walk(trie)


REMOVED = "[contact details removed]"

# Shapes of contact details in running text. Each is matched generically (one pass, linear in the
# text) and replaced only when it is one of the contacts' own values, so the cost does not grow
# with the number of contacts the way one alternation of every value would.
_PHONE = re.compile(r"(?<![\w+])\+?\d[\d\s\-().]{5,}\d(?!\d)")
_URL = re.compile(r"(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+/[^\s<>()\[\]\"'`]*", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TAIL = ".,;:!?"


def _phone_core(text: str) -> str:
    """The last nine digits, after any international or trunk prefix: +44 7700 900999 = 07700 900999."""
    return re.sub(r"\D", "", text)[-9:]


def _bare_url(text: str) -> str:
    return re.sub(r"^(?:https?://)?(?:www\.)?", "", text, flags=re.IGNORECASE).rstrip("/").lower()


class _Secrets:
    """The contacts' channel values, by shape, and a `sub` that removes them from text."""

    def __init__(self, values):
        self.phones, self.urls, self.emails, others = set(), set(), set(), set()
        for v in values:
            if not isinstance(v, (str, int, float)) or isinstance(v, bool):
                continue
            v = str(v).strip()
            digits = re.sub(r"\D", "", v)
            if len(digits) >= 7 and re.fullmatch(r"[\d\s+\-().]+", v):
                self.phones.add(_phone_core(v))
            elif _EMAIL.fullmatch(v):
                self.emails.add(v.lower())
            elif _URL.fullmatch(v):
                self.urls.add(_bare_url(v))
            elif len(v) >= 5 and re.search(r"[@/.\d]", v):
                others.add(v.casefold())   # e.g. a handle; `messaging: Teams` would only hide ordinary words
        self.others = re.compile(trie_pattern(sorted(others)), re.IGNORECASE) if others else None

    def __bool__(self):
        return bool(self.phones or self.urls or self.emails or self.others)

    def sub(self, text: str) -> str:
        if self.emails and "@" in text:
            text = _EMAIL.sub(lambda m: REMOVED if m.group(0).lower() in self.emails else m.group(0), text)
        if self.urls and "/" in text:
            text = _URL.sub(self._url, text)
        if self.phones:
            text = _PHONE.sub(lambda m: REMOVED if _phone_core(m.group(0)) in self.phones else m.group(0), text)
        if self.others is not None:
            text = self.others.sub(REMOVED, text)
        return text

    def _url(self, m: re.Match) -> str:
        found = m.group(0)
        body = found.rstrip(_TAIL)
        return REMOVED + found[len(body):] if _bare_url(body) in self.urls else found


class Redactor:
    def __init__(self, hidden, keep_names=(), ids=None, secrets=(), mentions=None):
        """`hidden`: contacts not to be named (with .name, .display_name); `keep_names`: people who
        may be named (the learner, published contacts, assessors); `ids`: private id -> public id;
        `secrets`: every contact's channel values (email, phone, ...), never published whoever it is."""
        self._secrets = _Secrets(secrets)
        self.mentions = mentions   # privacy.mentions.Mentions: `@contact-id` -> name or pseudonym, first
        keep = {p for n in keep_names if n for p in _parts(n)}
        keep_folded = {fold(p) for p in keep}
        self.full: dict[str, str] = {}
        firsts: dict[str, set] = {}
        lasts: dict[str, set] = {}
        for c in hidden:
            parts = _parts(c.name)
            if not parts:
                continue
            self.full[" ".join(parts).casefold()] = c.display_name
            if len(parts) > 1:
                # a part alone is taken for the person only if it reads as a name: "Sam", not "2" or "III"
                if _NAMEISH.match(parts[0]):
                    firsts.setdefault(parts[0], set()).add(initials(c.name))
                if _NAMEISH.match(parts[-1]):
                    lasts.setdefault(parts[-1], set()).add(initials(c.name))
        # a part shared by two hidden people stands for neither: keep only its first letter
        self.firsts = {p: (i.pop() if len(i) == 1 else p[0] + ".") for p, i in firsts.items() if p not in keep}
        self.lasts = {p: (i.pop() if len(i) == 1 else p[0] + ".") for p, i in lasts.items() if p not in keep}
        words = set(self.full) | {p.casefold() for p in self.firsts} | {p.casefold() for p in self.lasts}
        self._names = None
        self._name_heads = None
        if words:
            # a name ends at anything but a letter or digit: `_` counts as a separator, as in file names.
            # The title before a surname is looked at only when one is found: scanning for it costs a third.
            self._names = re.compile(rf"(?<![^\W_])(?P<name>{trie_pattern(words)})(?![^\W_])", re.IGNORECASE)
            self._name_heads = _ascii_heads(words)
        self.ids = dict(ids or {})
        self.compile_ids()
        self.tokens = {fold(p) for c in hidden for p in _parts(c.name) if len(fold(p)) >= 3} - keep_folded

    def compile_ids(self) -> None:
        """The matcher of `ids` (again, after ids were added)."""
        self._ids = re.compile(rf"(?<![\w-])(?:{trie_pattern(self.ids)})(?![\w-])") if self.ids else None
        # a match of _ids is an id as written up to its first space (which the pattern reads as any run
        # of separators): a text holding none of these is left alone
        heads = {i.split(" ")[0] for i in self.ids}
        self._id_words = AhoCorasick(sorted(heads)) if self.ids and "" not in heads else None
        self._quiet = None   # `quiet`'s automaton, made again from the new ids when first asked

    def _has_name(self, text: str) -> bool:
        """Could `_names` match in `text`? Scanning a long text with it costs far more than this: an ASCII
        text is asked whether, lowered, it holds the first part of a name where a word starts
        (`_ascii_heads`). Any other text is given to the pattern."""
        if self._name_heads is None or not text.isascii():
            return True
        return bool(self._name_heads) and self._name_heads.in_text(text)

    def quiet(self, texts) -> bool:
        """True when `self(t)` is `t` for every string in `texts`, decided on them all at once: an entry's
        dozen texts (its body most of the characters) are lowered, spelled as `_Heads` reads them and
        searched once, for a name's first part and an id together, instead of each text by itself twice.
        False means only "ask each text" (a text may still come back unchanged).

        Each step of `__call__` must leave every text alone: no `@` (mentions and e-mail addresses), no
        `/` while URLs are secret, no digit while phone numbers are, no other secret found by its pattern,
        and — the texts all ASCII — in the texts joined by a line break (which `_Heads` reads as the space
        it pads a text with, so each text's own reading is inside the whole's) neither a name's first part
        as `_has_name` seeks it nor an id's first word as written, lowered and spelled the same way
        (ASCII: each character lowered and spelled alone, so an id in a text is there in the whole)."""
        texts = [t for t in texts if t and isinstance(t, str)]
        if not texts:
            return True
        whole = "\n".join(texts)
        if not whole.isascii() or "@" in whole:
            return False
        secrets = self._secrets
        if (secrets.urls and "/" in whole) or (secrets.phones and any(d in whole for d in "0123456789")) \
                or (secrets.others is not None and secrets.others.search(whole)):
            return False
        if self._quiet is None:
            self._quiet = self._quiet_automaton()
        if self._quiet is False:
            return False
        return self._quiet is True or not self._quiet.in_text(whole)

    def _quiet_automaton(self):
        """What `quiet` seeks: `_Heads` of the names' first parts that also finds each id's first word (as a
        plain substring: an ASCII text holding the id holds it lowered and spelled), True when there is
        nothing to seek, False when `quiet` cannot decide (an id or a name `_has_name` cannot prefilter)."""
        if self._ids is not None and self._id_words is None:
            return False
        heads = ()
        if self._names is not None:
            if self._name_heads is None:
                return False
            heads = self._name_heads.heads if self._name_heads else ()
        ids = sorted({i.split(" ")[0].lower() for i in self.ids if i.split(" ")[0].isascii()}) \
            if self._ids is not None else []
        if not heads and not ids:
            return True
        found = _Heads(heads, ids)
        return found if found.table.get(ord("\n")) == " " else False

    def _name(self, m: re.Match) -> str:
        name = m.group("name")
        key = " ".join(re.split(_SEP, name)).casefold()
        if key in self.full:
            return self.full[key]
        if name in self.firsts:
            return self.firsts[name]
        if name in self.lasts and _TITLED.search(m.string, max(0, m.start() - 12), m.start()):
            return self.lasts[name]
        return name

    def __call__(self, text, markdown: bool = False):
        if not text or not isinstance(text, str):
            return text
        if self.mentions:
            text = self.mentions.markdown(text) if markdown else self.mentions.plain(text)
        if self._secrets:
            text = self._secrets.sub(text)
        # ids first: a private id (zara-quill) would otherwise be taken for the name it spells
        if self._ids is not None and (self._id_words is None or _finds(self._id_words, text)):
            text = self._ids.sub(lambda m: self.ids[m.group(0)], text)
        if self._names is not None and self._has_name(text):
            text = self._names.sub(self._name, text)
        return text

    def fingerprint(self) -> str:
        """A digest of everything that decides what this redactor does to a text."""
        parts = (sorted(self.full.items()), sorted(self.firsts.items()), sorted(self.lasts.items()),
                 sorted(self.ids.items()), sorted(self._secrets.phones), sorted(self._secrets.urls),
                 sorted(self._secrets.emails), self._secrets.others.pattern if self._secrets.others else "",
                 self.mentions.fingerprint() if self.mentions else [])
        return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()

    def slug(self, slug: str) -> str:
        """A slug with every token that is part of a hidden name cut to its first letter."""
        if not self.tokens:
            return slug
        return "-".join(t[0] if t in self.tokens else t for t in slug.split("-"))

    def path(self, path: str) -> str:
        """A record's path as a page may show it: every word that is part of a hidden name cut to its first
        letter, whatever separates the words (`evidence/notes-zara-quill.txt`, `Zara_Quill.pdf`)."""
        if not self.tokens:
            return path
        return re.sub(r"[^\W_]+", lambda m: m[0][0] if fold(m[0]) in self.tokens else m[0], path)

    def deep(self, value):
        """Redact every string inside nested dicts and lists (network data, self-assessment)."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, list):
            return [self.deep(v) for v in value]
        if isinstance(value, dict):
            return {k: self.deep(v) for k, v in value.items()}
        return value


def _finds(automaton, text: str) -> bool:
    try:
        return bool(automaton.find_matches_as_indexes(text))
    except UnicodeEncodeError:   # a lone surrogate cannot go to the automaton: let the pattern look
        return True


def _ascii_heads(words):
    """What an ASCII text must hold for the IGNORECASE name pattern to match in it (`_Heads`), or None
    when that cannot be said (then every text goes to the pattern). The pattern's match starts with a
    name's first part (up to the first space, which it reads as any run of separators), each character
    matching in any case: each is spelled as the one ASCII character, lowered, that the pattern lets
    stand for it (`ı` is `i`: Python's re takes them as one letter in any case). A part with a character
    no ASCII character stands for cannot match an ASCII text and is left out; one that stands for two
    or more ASCII characters gives None."""
    heads = set()
    for w in words:
        head, spelled = w.split(" ")[0], []
        for ch in head:
            same = _ascii_like(ch)
            if len(same) > 1:
                return None
            spelled.append(same[0] if same else None)
        if head and None not in spelled:
            heads.add("".join(spelled))
    return _Heads(heads) if heads else _NO_HEADS


class _Heads:
    """Whether a lowered ASCII text holds one of `heads` as a whole word: after a character that is not a
    letter or digit (or the start), as the pattern's look-behind demands, and before one (or the end): a
    name of one part ends there, and a longer name's first part is followed by a separator. The text's
    other characters become spaces and each head is sought between spaces, or the few other characters
    heads hold (an apostrophe), which are kept. In a text of short words, heads inside words ("tom" in
    "customer", "ask" in "asked") are most of the substrings."""

    def __init__(self, heads, substrings=()):
        """`substrings` (ASCII, lowered): also found anywhere, spelled as the text is (Redactor.quiet's ids)."""
        self.heads = frozenset(heads)
        kept = sorted({c for h in heads for c in h if not c.isalnum()})
        self.table = {c: " " for c in range(128) if not chr(c).isalnum() and chr(c) not in kept}
        edges = [" ", *kept]
        self.automaton = AhoCorasick(sorted({before + h + after for h in heads for before in edges for after in edges}
                                            | {s.translate(self.table) for s in substrings}))

    def __bool__(self):
        return True

    def in_text(self, text: str) -> bool:
        return bool(self.automaton.find_matches_as_indexes(" " + text.lower().translate(self.table) + " "))


_NO_HEADS: tuple = ()   # no name can match an ASCII text


@functools.lru_cache(maxsize=None)
def _ascii_like(ch: str) -> tuple:
    """The ASCII characters, lowered, that `ch` matches in an IGNORECASE pattern (asked for every letter of
    every hidden name's first part: a few dozen letters, each tried against 128 characters once)."""
    pattern = re.compile(re.escape(ch), re.IGNORECASE)
    return tuple(sorted({chr(a).lower() for a in range(128) if pattern.fullmatch(chr(a))}))


def _redacted_entry(e, r) -> tuple:
    if r.quiet([e.title, e.body, *e.discussion, e.value_given, e.value_received, e.witness_confirmed,
                *(t for a in e.actions for t in (a.do, a.outcome)), *(a.caption for a in e.attachments)]):
        # what the line below gives when the redactor leaves every text alone (tests/test_redact_quiet.py)
        return (e.title, e.body, list(e.discussion), e.value_given, e.value_received, e.witness_confirmed,
                [(a.do, a.outcome) for a in e.actions], [a.caption for a in e.attachments])
    return (r(e.title), r(e.body, markdown=True), [r(d) for d in e.discussion], r(e.value_given), r(e.value_received),
            r(e.witness_confirmed), [(r(a.do), r(a.outcome)) for a in e.actions], [r(a.caption) for a in e.attachments])


def _entry_memo(memo: dict | None, r: Redactor) -> dict:
    """The per-entry results in `memo` that `r` would give again (same names, ids and secrets), or a new dict."""
    if memo is None:
        return {}
    fingerprint = r.fingerprint()
    if memo.get("fingerprint") != fingerprint:
        memo.clear()
        memo["fingerprint"] = fingerprint
        memo["entries"] = {}
    return memo["entries"]


def redact_model(model, people, secrets=(), memo: dict | None = None) -> Redactor:
    """Redact all learner text in the model in place; give each entry its public `slug`. `people` are the
    contacts' real names beside their public ones (model.Person, in model.contacts' order: the model itself
    keeps no real name); `secrets` are the contacts' channel values: the model never holds them, but a
    learner may have typed one into text.

    `memo` (kept by the build cache between runs) holds each entry's redacted text by the entry file's
    digest, valid while the redactor's inputs (names, ids, secrets) are unchanged: scanning every body
    is the largest part of a warm `check`."""
    hidden = [p for p in people if not p.published]
    learner = model.learner or {}
    keep = [learner.get(k) for k in ("name", "assessor", "iqa")] + [p.name for p in people if p.published]
    ids = {c.id: c.key for c in model.contacts if not c.published}
    r = Redactor(hidden, keep, ids, secrets, Mentions(model.contacts))
    taken: set = set()
    for e in model.entries:
        slug = r.slug(e.id)
        if slug in taken:   # two entries whose ids differ only in a hidden name
            n = 2
            while f"{slug}-{n}" in taken:
                n += 1
            slug = f"{slug}-{n}"
        taken.add(slug)
        e.slug = slug
        if slug != e.id:
            r.ids[e.id] = slug
    if r.ids:
        r.compile_ids()

    memo = _entry_memo(memo, r)
    for e in model.entries:
        done = memo.get(e.source.digest)
        if done is None:
            done = memo[e.source.digest] = _redacted_entry(e, r)
        (e.title, e.body, e.discussion, e.value_given, e.value_received, e.witness_confirmed,
         actions, captions) = done
        for a, (do, outcome) in zip(e.actions, actions):
            a.do, a.outcome = do, outcome
        for a, caption in zip(e.attachments, captions):
            a.caption = caption
    live = {e.source.digest for e in model.entries}
    for gone in [d for d in memo if d not in live]:
        del memo[gone]
    for c in model.contacts:
        c.why, c.notes, c.met_how = r(c.why, markdown=True), r(c.notes, markdown=True), r(c.met_how)
        for rev in c.reviews:
            rev.note = r(rev.note)
    for g in model.goals:
        g.statement = r(g.statement)
        for k in ("specific", "measurable", "achievable", "relevant"):
            setattr(g, k, r(getattr(g, k)))
        g.activities = [r(a) if isinstance(a, str) else a for a in g.activities]
        for rev in g.revisions:
            rev.change, rev.why = r(rev.change), r(rev.why)
    for n in model.networks:
        n.name, n.data = r(n.name), r.deep(n.data)
    model.purpose = r(model.purpose, markdown=True)
    model.self_assessment = r.deep(model.self_assessment)
    return r
