"""The one-pass matchers of the privacy scan (privacy/detect.py) find exactly what the earlier ones did.

The oracles below are the algorithms the scan used before (kept here, not in the generator): one
regular-expression alternation of every name, longest first; one `Known` per contact, each parsing
the shapes out of every text. Hypothesis writes the names, the contact details and the texts, from
pieces chosen to collide: names that share words or start alike, apostrophes, digits and letters
touching a name, every separator the scan accepts between parts, accents, non-BMP characters.
"""
from __future__ import annotations

import re
import types
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.privacy.detect import PHONE, Known, Names, has_digit, name_parts, phone_matches
from generator.privacy.normalise import _tracked, normalise, skeleton
from generator.privacy.scan import Scanner

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_SEP = r"[\s_\-.]+"


class OracleNames:
    """The scan's name matcher before it was made one pass: one alternation of every word."""

    def __init__(self, people, keep=(), allow=()):
        keep_parts = {p for n in keep for p in name_parts(n)}
        allow = {skeleton(str(w)).strip() for w in allow if isinstance(w, str)}
        self.owner, self.full, single = {}, set(), set()
        for label, name in people:
            parts = name_parts(name)
            if not parts:
                continue
            key = " ".join(parts)
            self.full.add(key)
            self.owner.setdefault(key, set()).add(label)
            for p in parts if len(parts) > 1 else ():
                if p not in keep_parts and p not in allow and len(p) >= 2:
                    single.add(p)
                    self.owner.setdefault(p, set()).add(label)
        words = sorted(self.full | single, key=len, reverse=True)
        self.pattern = None
        if words:
            alts = "|".join(_SEP.join(re.escape(w) for w in word.split(" ")) for word in words)
            self.pattern = re.compile(rf"(?<![^\W_])(?:{alts})(?![^\W_])")

    def find(self, text, parts=True):
        if self.pattern is None:
            return []
        out = []
        for m in self.pattern.finditer(text):
            key = " ".join(re.split(_SEP, m.group(0)))
            if not parts and key not in self.full:
                continue
            out.append((m.start(), m.end(), "name", sorted(self.owner.get(key, ()))))
        return out


class OracleKnown(Known):
    """`Known.find` without its prefilter: the shapes parsed out of every text."""

    def _could_hold(self, text):
        return True


WORDS = ["ann", "anne", "annette", "o'neil", "neil", "bo", "bob", "zoë", "zoe", "smith", "smithson", "de",
         "la", "de la", "ng", "price", "sam", "samuel", "İlker", "straße", "ǆemal", "jo", "ho"]
GLUE = [" ", "  ", "-", "_", ".", "\n", "'", "’", ", ", "x", "1", "é", "😀", "/", "@", "", "\u0301", ": "]


def names():
    part = st.sampled_from(WORDS)
    return st.lists(part, min_size=1, max_size=3).map(lambda ps: " ".join(p.title() for p in ps))


def texts():
    piece = st.one_of(st.sampled_from(WORDS), st.sampled_from(GLUE), st.text(max_size=3))
    return st.lists(piece, max_size=30).map("".join)


@SETTINGS
@given(people=st.lists(names(), min_size=1, max_size=5), keep=st.lists(names(), max_size=2),
       allow=st.lists(st.sampled_from(WORDS), max_size=2), text=texts(), raw=st.booleans())
def test_names_are_found_as_one_alternation_of_every_name_finds_them(people, keep, allow, text, raw):
    people = [(f"c{i}", n) for i, n in enumerate(people)]
    t = normalise(text).text if raw else text.lower()
    new, old = Names(people, keep, allow), OracleNames(people, keep, allow)
    assert new.find(t) == old.find(t)
    # full names only: as the alternation of the full names alone finds them (every part kept)
    whole = OracleNames(people, keep=[n for _, n in people])
    assert new.find(t, parts=False) == whole.find(t, parts=False)
    # ... which is never less than the full names the alternation of everything let through (a part
    # it matched first could hide a full name starting inside it: "o'neil smith" hid "neil smith")
    assert {f[:2] for f in old.find(t, parts=False)} <= {f[:2] for f in new.find(t, parts=False)}


ASCII_WORDS = [w for w in WORDS if w.isascii()]
ASCII_GLUE = [g for g in GLUE if g.isascii()]


@SETTINGS
@given(people=st.lists(names(), min_size=1, max_size=5), keep=st.lists(names(), max_size=2),
       allow=st.lists(st.sampled_from(WORDS), max_size=2),
       pieces=st.lists(st.one_of(st.sampled_from(ASCII_WORDS), st.sampled_from(ASCII_GLUE),
                                 st.text(st.characters(max_codepoint=127), max_size=3)), max_size=30))
def test_an_ascii_text_is_matched_as_the_alternation_does(people, keep, allow, pieces):
    """ASCII texts take the other path (heads sought after a space, in the text with every character
    that is not a letter or digit made a space): the same finds."""
    people = [(f"c{i}", n) for i, n in enumerate(people)]
    t = "".join(pieces).lower()
    assert t.isascii()
    new, old = Names(people, keep, allow), OracleNames(people, keep, allow)
    assert new.find(t) == old.find(t)
    whole = OracleNames(people, keep=[n for _, n in people])
    assert new.find(t, parts=False) == whole.find(t, parts=False)


SPELLED = st.lists(st.one_of(st.sampled_from(["&amp;", "&#64;", "&#x40;", "%40", "%2540", "%C3%A9", "%ff", "\\_",
                                              "**", "~~", "`", "\u200b", "é", "e\u0301", "İ", "ß", "ﬁ", "Zoë"]),
                             st.sampled_from(WORDS), st.sampled_from(GLUE), st.text(max_size=3)), max_size=20)


@SETTINGS
@given(pieces=SPELLED)
def test_the_map_back_made_when_first_asked_is_the_one_made_while_normalising(pieces):
    text = "".join(pieces)
    lazy, eager = normalise(text), _tracked(text)
    assert lazy.text == eager.text == normalise(text, track=False).text
    assert (lazy.origin, lazy.ends) == (eager.origin, eager.ends)
    n = len(lazy.text)
    for a in range(n + 1):
        for b in range(a, min(n, a + 4) + 1):
            if a < n:
                assert normalise(text).span(a, b) == eager.span(a, b)


CHANNELS = ["priya.shah@northgate.example.com", "p@x.io", "07700 900123", "+44 7700 900123", "0117 496 0123",
            "linkedin.com/in/priya-shah", "https://www.example.org/people/ps", "@priya_s", "Mobile: 7700 900 124",
            "٠٧٧٠٠٩٠٠١٢٣"]
SPELLINGS = ["priya.shah@northgate.example.com", "PRIYA.SHAH@northgate.example.com", "07700-900-123",
             "(0)7700 900123", "+447700900123", "0117/496/0123", "https://linkedin.com/in/priya-shah/",
             "www.example.org/people/ps.", "@priya_s", "7700 900 124", "٠٧٧٠٠٩٠٠١٢٣", "x07700900123",
             "p@x.io", "p@x.iox", "linkedin.com/in/priya-shahx"]


@SETTINGS
@given(values=st.lists(st.sampled_from(CHANNELS), min_size=1, max_size=4),
       pieces=st.lists(st.one_of(st.sampled_from(SPELLINGS), st.sampled_from(GLUE), st.text(max_size=4)),
                       max_size=12))
def test_known_values_are_found_as_parsing_every_text_finds_them(values, pieces):
    t = normalise("".join(pieces)).text
    assert Known(values).find(t) == OracleKnown(values).find(t)


@SETTINGS
@given(contacts=st.lists(st.lists(st.sampled_from(CHANNELS), max_size=2), min_size=1, max_size=4),
       allowed=st.lists(st.sampled_from(CHANNELS), max_size=1),
       pieces=st.lists(st.one_of(st.sampled_from(SPELLINGS), st.sampled_from(GLUE)), max_size=10))
def test_every_contacts_channels_in_one_matcher_name_the_contacts_one_per_contact_did(contacts, allowed, pieces):
    t = normalise("".join(pieces)).text
    sources = types.SimpleNamespace(root=".", portfolio=None, contacts=[
        types.SimpleNamespace(id=f"c{i}", data={"name": "A B", "channels": {str(j): v for j, v in enumerate(vs)}})
        for i, vs in enumerate(contacts)])
    scanner = Scanner(sources, {"allow_personal_data": allowed})
    # the oracle: one Known per contact, asked in turn (as spans() did), then sorted as spans() sorts
    per_contact = {}
    for i, vs in enumerate(contacts):
        for v in vs:
            k = OracleKnown([v])
            if k:
                mine = per_contact.setdefault(f"c{i}", OracleKnown())
                for attr in ("emails", "phones", "urls", "literals"):
                    getattr(mine, attr).update(getattr(k, attr))
    allowed_known = Known(allowed)
    expected = [(s, e, "channel", cid) for cid, known in per_contact.items() for s, e, kind, value in known.find(t)
                if not allowed_known.allows(kind, value)]
    got = scanner.channel_finds(t)
    key = lambda f: (f[0], -f[1])   # noqa: E731
    assert sorted(got, key=key) == sorted(expected, key=key)


def test_a_lone_surrogate_does_not_stop_the_scan():
    text = "\ud800bob zoe\udfff bob\ud800zoe"   # the surrogate parts the second "bob" and "zoe"
    assert [f[:2] for f in Names([("c1", "Bob Zoe")]).find(text)] == [(1, 8), (10, 13), (14, 17)]
    assert Names([("c1", "Bob Zoe")]).find(text) == OracleNames([("c1", "Bob Zoe")]).find(text)
    assert Known(["07700 900123"]).find("\ud800 07700 900123") != []


@SETTINGS
@given(pieces=st.lists(st.one_of(st.sampled_from(SPELLINGS), st.sampled_from(GLUE), st.text(max_size=4)),
                       max_size=12))
def test_a_text_without_a_digit_holds_no_phone_number(pieces):
    text = normalise("".join(pieces)).text
    assert has_digit(text) == (re.search(r"\d", text) is not None)
    if not has_digit(text):
        assert list(PHONE.finditer(text)) == []


PHONEISH = st.text(st.sampled_from("0123456789 +()-./\tx\na_٣"), max_size=40)


@SETTINGS
@given(text=st.one_of(PHONEISH, st.lists(st.one_of(PHONEISH, st.sampled_from(SPELLINGS), st.text(max_size=3)),
                                         max_size=6).map("".join)))
def test_phone_numbers_are_found_where_the_regular_expression_finds_them(text):
    assert [m.span() for m in phone_matches(text)] == [m.span() for m in PHONE.finditer(text)]


PIECES = ["Ann Smith", "ann", "SMITH", "o'neil", "p@x.io", "07700 900123", "+44 7700 900123", "linkedin.com/in/priya-shah",
          "@c0", "@c9", "<", "\n<\n", "&lt;", "&amp;", "%3C", "\\", "*", "2021-04-05", "zoë", "https://x.org/a/"]


@SETTINGS
@given(texts=st.lists(st.lists(st.one_of(st.sampled_from(PIECES), st.sampled_from(GLUE)), max_size=8).map("".join),
                      min_size=1, max_size=6),
       literal=st.sampled_from(["@priya_s", "x\n<\ny9", "teams"]))
def test_a_record_read_at_once_gives_the_findings_its_texts_read_one_by_one_give(texts, literal):
    """Scanner.quiet reads a record's texts joined: only a shortcut, never a finding more or less."""
    from unittest import mock

    from generator.load import Source, Sources
    from generator.privacy import scan
    contacts = [Source("contact", "contacts/c0.yaml", "c0", {"name": "Ann Smith", "consent": {"publish": False},
                                                              "channels": {"email": "p@x.io", "phone": "07700 900123",
                                                                           "handle": literal},
                                                              "why": texts[0], "notes": texts[-1]}),
                Source("contact", "contacts/c1.yaml", "c1", {"name": "Bo Price", "consent": {"publish": True}})]
    entry = Source("entry", "entries/e.md", "e", {"title": texts[0], "discussion": texts[1:], "contacts": ["c0"],
                                                   "value": {"given": texts[-1]}}, body="")
    sources = Sources(root=Path("/nonexistent"), portfolio=None, contacts=contacts, entries=[entry], frameworks=[])
    quick = [vars(d) for d in scan.scan(sources, {})]
    with mock.patch.object(scan.Scanner, "quiet", lambda self, values: False):
        slow = [vars(d) for d in scan.scan(sources, {})]
    assert quick == slow


ENCODED = ["%40", "%2E", "%2540", "%e2%80%8b", "%c3%a9", "%ZZ", "%4", "%", "&amp;", "&#64;", "&#x40;", "&amp;#64;",
           "&eacute;", "&nosuch;", "\\.", "\\@", "\\\\", "*", "**", "~~", "`", "\u200b", "\u00ad", "\ufeff", "é",
           "e\u0301", "İ", "ß", "Ａ", "—", "\n"]


@SETTINGS
@given(pieces=st.lists(st.one_of(st.sampled_from(ENCODED), st.sampled_from(WORDS), st.text(max_size=3)),
                       max_size=30))
def test_the_untracked_normalisation_of_the_output_scan_reads_text_as_the_tracked_one_does(pieces):
    # the output scan takes the fast path (no map back, whole-text substitutions); a span asked for
    # takes the tracked one, match by match (_tracked): both must read the same text
    from generator.privacy.normalise import _tracked
    text = "".join(pieces)
    assert normalise(text, track=False).text == _tracked(text, True).text


RAW = [b"\xe2\x82", b"\xc3", b"\xff", b"\x80", b"\xf0\x9f\x98", b" ", b"\n", b"\t", b"\r\n", b"\\", b"&", b"#", b";",
       b"%", b"4", b"0", b"a"]


@SETTINGS
@given(pieces=st.lists(st.one_of(st.sampled_from(ENCODED).map(lambda s: s.encode("utf-8")), st.sampled_from(RAW),
                                 st.sampled_from(WORDS).map(lambda s: s.encode("utf-8")), st.binary(max_size=3)),
                       max_size=40),
       block=st.integers(min_value=0, max_value=12))
def test_a_large_file_normalised_a_block_at_a_time_reads_as_the_whole_text(pieces, block):
    # the output scan normalises a large file in blocks cut before a space or a line break (to bound its
    # memory): the text must be the whole file's, whatever the cut and however broken the bytes
    from generator.privacy import outputs
    data = b"".join(pieces)
    whole = normalise(data.decode("utf-8", errors="replace"), track=False).text
    saved = outputs.BLOCK
    outputs.BLOCK = block
    try:
        assert outputs.normalised_text(data) == whole
    finally:
        outputs.BLOCK = saved
