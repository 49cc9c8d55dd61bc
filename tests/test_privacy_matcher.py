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

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.privacy.detect import Known, Names, name_parts
from generator.privacy.normalise import normalise, skeleton
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
