"""The redactor's shortcuts (generator/redact.py): a text is skipped by the name or id pattern only when
that pattern could not match in it. Hypothesis writes names with the letters Python's re folds in
surprising ways (ı and i, K and the Kelvin sign, ſ and s, ß), and texts ASCII or not;
the redactor must give exactly what the patterns alone give."""
from __future__ import annotations

from types import SimpleNamespace as NS
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.redact import Redactor

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PARTS = ["Sam", "Smith", "ılker", "Kai", "\u212aim", "ſam", "Straße", "O'Neil", "Zoë", "Jo", "De La"]
GLUE = [" ", "  ", "-", "_", "\n", "'", ".", "x", "1", "I", "i", "K", "k", "S", "ss", "é", "’", "Ms ", "Dr. ",
        "@c0", "c-0", "2021 01 e", "2021_01-e"]


def names():
    return st.lists(st.sampled_from(PARTS), min_size=1, max_size=3).map(" ".join)


@SETTINGS
@given(hidden=st.lists(names(), min_size=1, max_size=4), keep=st.lists(names(), max_size=1),
       ids=st.dictionaries(st.sampled_from(["c-0", "c-1", "2021-01-e", "sam-smith"]), st.sampled_from(["k1", "k2"]),
                           max_size=3),
       pieces=st.lists(st.one_of(st.sampled_from(PARTS), st.sampled_from(GLUE), st.sampled_from([p.lower() for p in PARTS]),
                                 st.sampled_from([p.upper() for p in PARTS]), st.text(max_size=2)), max_size=25))
def test_the_shortcuts_skip_only_texts_the_patterns_would_leave(hidden, keep, ids, pieces):
    people = [NS(name=n, display_name=f"P{i}.") for i, n in enumerate(hidden)]
    text = "".join(pieces)
    quick = Redactor(people, keep, ids)
    slow = Redactor(people, keep, ids)
    slow._id_words = None
    with mock.patch.object(Redactor, "_has_name", lambda self, text: True):
        expected = slow(text)
    assert quick(text) == expected
    ascii_text = text.encode("ascii", "ignore").decode()
    with mock.patch.object(Redactor, "_has_name", lambda self, text: True):
        expected = slow(ascii_text)
    assert quick(ascii_text) == expected


def test_names_next_to_the_characters_names_hold_are_still_found():
    # "'" is in a name, so the shortcut keeps it: a name after or before one is still a whole word
    people = [NS(name="O'Neil Smith", display_name="P0."), NS(name="Sam Kai", display_name="P1.")]
    r = Redactor(people)
    assert r("'O'Neil Smith'") == "'P0.'"
    assert r("'Sam Kai'") == "'P1.'"
    assert r("met 'Sam' and Kai") == "met 'S.K.' and Kai"
    assert r("customer asked") == "customer asked"
