"""A large output file is scanned as a stream (issue 14, memory): normalised a block at a time and sought
in pieces cut before a barrier character (privacy/outputs.py `_Seeker`), never as one whole text.
The verdict must be the whole text's, whatever the blocks: a name, address, phone number, URL or
literal handle across a block boundary or a piece boundary is still caught, with the same message."""
from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given, settings, strategies as st

from generator.privacy import outputs
from generator.privacy.normalise import normalise
from generator.privacy.outputs import OutputGuard, PersonalDataInOutput

CONTACTS = [
    {"name": "Zara Quill", "consent": {"publish": False},
     "channels": {"email": "zq@quill.example", "mobile": "07700 900123", "site": "linkedin.com/in/zquill",
                  "handle": "zq<handle_9"}},
    {"name": "Chloé Baptiste-Ngata", "consent": {"publish": False}},
]


def _guard() -> OutputGuard:
    contacts = [SimpleNamespace(id=f"c{i}", data=d) for i, d in enumerate(CONTACTS)]
    return OutputGuard(SimpleNamespace(contacts=contacts), {})


GUARD = _guard()


def _streamed(data: bytes, block: int):
    saved = outputs.BLOCK
    outputs.BLOCK = block
    try:
        GUARD.check("page.html", data)
        return None
    except PersonalDataInOutput as exc:
        return exc.what
    finally:
        outputs.BLOCK = saved


def _whole(data: bytes):
    try:
        GUARD._seek("page.html", normalise(data.decode("utf-8", errors="replace"), track=False).text, "its text")
        return None
    except PersonalDataInOutput as exc:
        return exc.what


def test_the_guard_holds_a_literal_with_a_barrier_in_it():
    # the handle has no shape of its own: it is kept as a literal, and it holds '<', a barrier
    assert "zq<handle_9" in GUARD.channels.literals


PIECES = ["<p>", "</p>", '"', ">", "<", " ", "  ", "\n", "\t", "-", ".", "_", "&lt;", "&quot;", "&#60;", "%3C",
          "zara", "Zara", "ZARA", "quill", "Quill", "chloé", "CHLOE", "baptiste", "ngata", "Baptiste-Ngata",
          "zq", "@", "quill.example", "zq@quill.example", "07700", "900", "123", "+44 7700 900123",
          "linkedin.com/in/", "zquill", "zq&lt;handle_9", "handle_9", "zq<", "word", "·", "✔", "x", "9", "é"]


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=60), block=st.integers(min_value=1, max_value=40))
def test_a_stream_scan_gives_the_whole_texts_verdict_whatever_the_blocks(pieces, block):
    data = "".join(pieces).encode("utf-8")
    assert _streamed(data, block) == _whole(data)


def _counted(data: bytes, block: int):
    before = dict(outputs.STREAMED)
    what = _streamed(data, block)
    return what, {k: outputs.STREAMED[k] - before.get(k, 0) for k in ("files", "pieces")}


def test_a_name_spread_over_many_blocks_and_pieces_is_caught():
    page = ("<p>" + "filler " * 40 + "</p>") * 5 + "<p>Zara" + " \n" * 100 + "Quill</p>" + "<p>more</p>" * 20
    what, work = _counted(page.encode(), 16)
    assert what == "its text holds the name of a contact who has not consented"
    assert work["files"] == 1 and work["pieces"] > 5   # the streaming path ran, in several pieces


def test_a_literal_across_a_piece_boundary_is_caught():
    # cut before the '<' inside the handle: neither piece holds it whole
    page = "<p>" + "a " * 50 + "zq&lt;handle_9" + " b" * 50 + "</p>"
    what, work = _counted(page.encode(), 8)
    assert what == "its text holds a contact's channel value"
    assert work["pieces"] > 2


def test_a_channel_is_reported_before_a_name_found_earlier_in_the_file():
    page = "<p>Zara Quill</p>" + "<p>" + "text " * 200 + "</p><p>write to zq@quill.example</p>"
    assert _whole(page.encode()) == _streamed(page.encode(), 16) == "its text holds a contact's channel value"


def test_a_clean_large_page_passes():
    page = "<p>Zara met Chloe's team; the quill pen; 07700 900 is a partial number.</p>" * 400
    what, work = _counted(page.encode(), 64)
    assert what is None and work["pieces"] > 1
