"""An entry's redaction decided for all its texts at once (generator/redact.py, `Redactor.quiet`): when the
redactor says an entry's texts are quiet, each of them is exactly what redacting it alone would give.
Hypothesis writes names with the letters Python's re folds in surprising ways, ids, mentions and every
kind of secret, and texts that hold them, parts of them, or them split across two texts."""
from __future__ import annotations

from types import SimpleNamespace as NS
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.privacy.mentions import Mentions
from generator.redact import Redactor, _redacted_entry

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PARTS = ["Sam", "Smith", "ılker", "Kai", "\u212aim", "ſam", "O'Neil", "Zoë", "Jo", "De La", "Aab"]
IDS = ["c-0", "sam-smith", "2021-01-e", "Kai", "jo_x", "aab"]
SECRETS = ["sam@x.org", "07700 900123", "https://example.org/sam", "@sam_s", "x.org/kai", "Teams"]
GLUE = [" ", "-", "_", "\n", "'", ".", "/", "@", "x", "1", "i", "k", "Ms ", "@c-0", "c-0", "2021 01 e", "x.org",
        "07700", " 900123", "example.org/sam", "sam_s", "a", "b", "customer", "aabb", "\u00e9"]


def names():
    return st.lists(st.sampled_from(PARTS), min_size=1, max_size=3).map(" ".join)


def texts():
    piece = st.one_of(st.sampled_from(PARTS), st.sampled_from(GLUE), st.sampled_from(IDS + SECRETS),
                      st.sampled_from([p.lower() for p in PARTS + IDS]), st.text("abkms -_@/0\n", max_size=3))
    return st.lists(st.lists(piece, max_size=8).map("".join), max_size=6)


def redactor(hidden, keep, ids, secrets, mentioned):
    people = [NS(name=n, display_name=f"P{i}.") for i, n in enumerate(hidden)]
    contacts = [NS(id=c, display_name=f"M{i}.", key=f"c-m-{i}") for i, c in enumerate(mentioned)]
    return Redactor(people, keep, {i: f"k{n}" for n, i in enumerate(ids)}, secrets, Mentions(contacts))


@SETTINGS
@given(hidden=st.lists(names(), max_size=4), keep=st.lists(names(), max_size=1),
       ids=st.lists(st.sampled_from(IDS), max_size=3), secrets=st.lists(st.sampled_from(SECRETS), max_size=3),
       mentioned=st.lists(st.sampled_from(IDS), max_size=2), values=texts())
def test_quiet_texts_are_what_redacting_each_gives(hidden, keep, ids, secrets, mentioned, values):
    r = redactor(hidden, keep, ids, secrets, mentioned)
    if r.quiet(values):
        assert [r(v) for v in values] == values


@SETTINGS
@given(hidden=st.lists(names(), min_size=1, max_size=4), ids=st.lists(st.sampled_from(IDS), max_size=3),
       secrets=st.lists(st.sampled_from(SECRETS), max_size=2), values=texts(), more=texts())
def test_an_entry_is_redacted_the_same_at_once_or_text_by_text(hidden, ids, secrets, values, more):
    r = redactor(hidden, (), ids, secrets, ())
    values = (values + [""] * 6)[:6]
    entry = NS(title=values[0], body=values[1], discussion=more[:2], value_given=values[2], value_received=values[3],
               witness_confirmed=values[4], actions=[NS(do=values[5], outcome=t) for t in more[2:4]],
               attachments=[NS(caption=t) for t in more[4:]])
    quick = _redacted_entry(entry, r)
    with mock.patch.object(Redactor, "quiet", lambda self, texts: False):
        assert _redacted_entry(entry, r) == quick


def test_a_quiet_entry_is_not_redacted_text_by_text():
    r = Redactor([NS(name="Priya Shah Aab", display_name="P.S.A.")], ["Learner Name"], {"priya-shah-aab": "c-p-s-a"},
                 ["priya@example.com"])
    entry = NS(title="Coffee with the team", body="We agreed the **plan**.\n\nNext: the rota.", discussion=["Shifts."],
               value_given="Advice", value_received="", witness_confirmed="",
               actions=[NS(do="Send the rota", outcome="Done.")], attachments=[NS(caption="Minutes")])
    with mock.patch.object(Redactor, "__call__", side_effect=AssertionError("asked text by text")):
        assert _redacted_entry(entry, r) == ("Coffee with the team", entry.body, ["Shifts."], "Advice", "", "",
                                             [("Send the rota", "Done.")], ["Minutes"])
    for named in ("Met Priya.", "see priya-shah-aab", "PRIYA's idea", "mail priya@example.com", "Ms Aab said"):
        assert not r.quiet([entry.title, named]), named
    assert r(entry.title + " and Priya") == "Coffee with the team and P.S.A."
