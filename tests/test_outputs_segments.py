"""serve's output scan of a large file a segment at a time, each passing segment remembered by digest
(privacy/segments.py): the verdict and message must be the whole file's, whatever the cuts, and a
segment that passed under the same guard fingerprint is not scanned again."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from hypothesis import given, settings, strategies as st

from generator.privacy import segments
from generator.privacy.outputs import OutputGuard, PersonalDataInOutput
from test_outputs_stream_scan import CONTACTS, PIECES, _whole


def _guard(contacts=CONTACTS) -> OutputGuard:
    return OutputGuard(SimpleNamespace(contacts=[SimpleNamespace(id=f"c{i}", data=d)
                                                 for i, d in enumerate(contacts)]), {})


GUARD = _guard()


EVERY = (re.compile(rb'[>"]'), 0)   # a cut after every barrier byte: any such cut must give the whole verdict


@pytest.fixture(autouse=True)
def small(monkeypatch):
    """Every file is segmented."""
    monkeypatch.setattr(segments, "SEGMENTED_FROM", 0)


def _segmented(data: bytes, memo=None, guard=GUARD, rel="page.html"):
    try:
        segments.check(guard, rel, data, memo if memo is not None else segments.SegmentMemo())
        return None
    except PersonalDataInOutput as exc:
        return exc.what


def _counted(data: bytes, memo, guard=GUARD, rel="page.html"):
    before = dict(segments.SEGMENTS)
    what = _segmented(data, memo, guard, rel)
    return what, {k: segments.SEGMENTS[k] - before.get(k, 0) for k in ("scanned", "kept")}


# cuts where the module makes them, and what normalisation decodes into a barrier or joins across one
CUTS = ["</ul>\n", "</article>\n", '"},{', '"}]', '"],[', '"\n', "\\>\n", "&gt;\n", "&quot;},", "%3E\n", "\\",
        "zara</dl>\n", "</ul>\nquill", '"}]zq@', "&", "#62;", "%", "3E"]


@settings(max_examples=500, deadline=None)
@given(pieces=st.lists(st.sampled_from(PIECES + CUTS), max_size=60), every=st.booleans())
def test_a_segmented_scan_gives_the_whole_files_verdict(pieces, every):
    data = "".join(pieces).encode("utf-8")
    saved = segments._HTML, segments._CUTS
    if every:
        segments._HTML, segments._CUTS = EVERY, {}
    try:
        for rel in ("page.html", "portfolio.json", "search-index.js"):
            memo = segments.SegmentMemo()
            assert _segmented(data, memo, rel=rel) == _whole(data)
            assert _segmented(data, memo, rel=rel) == _whole(data)   # again, from the memo
    finally:
        segments._HTML, segments._CUTS = saved


@settings(max_examples=200, deadline=None)
@given(first=st.lists(st.sampled_from(PIECES + CUTS), max_size=40),
       second=st.lists(st.sampled_from(PIECES + CUTS), max_size=40))
def test_the_memo_never_changes_a_verdict(first, second):
    """A file scanned after another (its segments partly in the memo) gets its own whole verdict."""
    memo = segments.SegmentMemo()
    a, b = "".join(first).encode(), "".join(second).encode()
    saved, segments._HTML = segments._HTML, EVERY
    try:
        _segmented(a, memo)
        assert _segmented(a + b, memo) == _whole(a + b)
        assert _segmented(b + a, memo) == _whole(b + a)
    finally:
        segments._HTML = saved


def _page(parts) -> bytes:
    return ("<html>\n" + "".join(f'<article id="e{i}">\n<p>{p}</p>\n</article>\n' for i, p in enumerate(parts))
            + "</html>\n").encode()


def test_the_memo_scans_only_new_segments():
    memo = segments.SegmentMemo()
    parts = [f"Entry {i}: a meeting about rotas." for i in range(50)]
    page = _page(parts)
    what, work = _counted(page, memo)
    assert what is None and work["scanned"] >= 50
    what, work = _counted(page, memo)            # the same bytes: nothing scanned
    assert what is None and work["scanned"] == 0
    parts[20] += " One more sentence."
    what, work = _counted(_page(parts), memo)    # one part edited: its segment only
    assert what is None and work["scanned"] == 1
    parts[30] = "Lunch with Zara Quill."
    what, work = _counted(_page(parts), memo)    # the memo never hides a find in a new segment
    assert what == "its text holds the name of a contact who has not consented" and work["scanned"] == 1
    parts[30] = "Lunch."
    other = _guard(CONTACTS[1:])                 # what the guard seeks changed: every segment again
    what, work = _counted(_page(parts), memo, other)
    assert what is None and work["scanned"] >= 50


def test_cuts_follow_the_content_not_the_offset():
    """A part's cuts do not move when the part before it grows; the print view and compact JSON are cut
    between records."""
    body = b"".join(b'<article id="e%d">\n<p>entry %d</p>\n</article>\n' % (i, i) for i in range(40))
    a, b = segments.cuts(body), segments.cuts(b"<p>grown</p>\n" * 7 + body)
    assert len(a) == 40 and [c + 7 * 13 for c in a] == b
    records = b'{"entries":[' + b",".join(b'{"id":"e%d","body":"text %d"}' % (i, i) for i in range(40)) + b"]}"
    assert [records[c - 8:c] for c in segments.cuts(records, ".json")][:2] == [b'"text 0"', b'"text 1"']
    assert len(segments.cuts(records, ".json")) == 40
    index = b"window.X = [" + b",".join(b'["E%d","entries/e%d.html","text"]' % (i, i) for i in range(40)) + b"];\n"
    assert len(segments.cuts(index, ".js")) == 39 and all(index[c - 1:c + 3] == b'"],[' for c in segments.cuts(index, ".js"))


def test_a_literal_that_holds_a_barrier_means_a_whole_scan():
    """A handle holding '"' could reach across a cut: the file is scanned whole (fail closed)."""
    page = b'{"a":"write to zq"},{"b":"x9"},' + b'{"c":"more"},' * 20 + b"{}]"   # a cut after zq"
    guard = _guard([{"name": "Zara Quill", "consent": {"publish": False}, "channels": {"handle": 'zq"},{"b":"x9'}}])
    assert segments.cuts(page, ".json")[0] == page.index(b'"},') + 1
    what, work = _counted(page, segments.SegmentMemo(), guard, rel="portfolio.json")
    assert what == "its text holds a contact's channel value" and work == {"scanned": 0, "kept": 0}


def test_the_file_name_is_checked_first():
    assert _segmented(b"<p>fine</p>\n" * 10, rel="zara-quill.html") == \
        "its file name holds the name of a contact who has not consented"
