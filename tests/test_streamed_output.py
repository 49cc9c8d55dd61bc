"""Pages go to disk as streams of chunks (issue 14, memory): the render workers hand `Staging.put` each
page's bytes a chunk at a time, and the output guard scans them as they go by (`privacy.outputs.Scan`),
so no process holds the print view (73 MB at 10,000 entries), portfolio.json or the search index whole;
the fragment store is read and written a record at a time. Whatever the chunking, the file, its sha256
and the guard's verdict must be those of the whole bytes; the work is counted, never timed."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings, strategies as st

from generator import pipeline, write
from generator.cache import Cache
from generator.privacy import outputs
from generator.privacy.outputs import OutputGuard, PersonalDataInOutput, Scan
from generator.render import fragments, outputs as render_outputs, parallel

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
AS_OF = dt.date(2026, 4, 30)

CONTACTS = [
    {"name": "Zara Quill", "consent": {"publish": False},
     "channels": {"email": "zq@quill.example", "mobile": "07700 900123", "handle": "zq<handle_9"}},
    {"name": "Chloé Baptiste-Ngata", "consent": {"publish": False}},
]
GUARD = OutputGuard(SimpleNamespace(contacts=[SimpleNamespace(id=f"c{i}", data=d) for i, d in enumerate(CONTACTS)]),
                    {})
PIECES = ["<p>", "</p>", '"', ">", " ", "  ", "\n", "-", "&lt;", "&#60;", "%3C", "zara", "Zara", "QUILL", "quill",
          "chloé", "baptiste", "ngata", "zq", "@", "quill.example", "07700", "900123", "zq&lt;handle_9", "word",
          "é", "·"]


def _cut(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(data)) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)])]


def _verdict(run):
    try:
        run()
        return None
    except PersonalDataInOutput as exc:
        return exc.what


def _streamed(rel: str, chunks: list[bytes]):
    scan = Scan(GUARD, rel)
    assert b"".join(scan.through(iter(chunks))) == b"".join(chunks)   # the chunks pass on unchanged
    return _verdict(scan.close)


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=60), cuts=st.lists(st.integers(0, 400), max_size=12),
       block=st.integers(min_value=0, max_value=40), rel=st.sampled_from(["page.html", "zara-quill.html", "x.png"]))
def test_a_page_scanned_chunk_by_chunk_gets_the_whole_bytes_verdict(pieces, cuts, block, rel):
    data = "".join(pieces).encode("utf-8")
    saved = outputs.BLOCK
    outputs.BLOCK = block
    try:
        assert _streamed(rel, _cut(data, cuts)) == _verdict(lambda: GUARD.check(rel, data))
    finally:
        outputs.BLOCK = saved


def test_a_name_split_across_two_chunks_is_caught(monkeypatch):
    monkeypatch.setattr(outputs, "BLOCK", 16)
    page = ("<p>" + "filler text " * 30 + "Za").encode(), ("ra Quill</p>" + "<p>more</p>" * 30).encode()
    before = dict(outputs.STREAMED)
    assert _streamed("page.html", list(page)) == "its text holds the name of a contact who has not consented"
    assert outputs.STREAMED["chunks"] - before.get("chunks", 0) == 2
    assert outputs.STREAMED["pieces"] - before.get("pieces", 0) > 2     # sought in pieces, as the chunks came


def test_the_blocks_of_a_chunked_file_are_the_whole_files(monkeypatch):
    monkeypatch.setattr(outputs, "BLOCK", 8)
    data = ("<p>Zoë &amp; the&#32;team  met\n" * 20).encode()
    whole = list(outputs.normalised_blocks(data))
    blocks = outputs._Blocks()
    chunked = [text for chunk in _cut(data, list(range(0, len(data), 5))) for text in blocks.feed(chunk)]
    assert chunked + [blocks.close()] == whole and len(whole) > 10


def _staging(tmp_path: Path, previous: dict | None = None) -> write.Staging:
    staging = write.Staging()
    staging.out, staging.folder, staging.previous = tmp_path / "site", tmp_path / "new", previous or {}
    staging.folder.mkdir(exist_ok=True)
    return staging


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=3000), cuts=st.lists(st.integers(0, 3000), max_size=20))
def test_a_page_put_chunk_by_chunk_is_the_same_file_and_sha(tmp_path_factory, data, cuts):
    tmp = tmp_path_factory.mktemp("put")
    staging = _staging(tmp)
    before = dict(write.STREAMED)
    placed = staging.put("a/page.html", iter(_cut(data, cuts)))
    assert write.STREAMED["files"] - before.get("files", 0) == 1
    assert write.STREAMED["chunks"] - before.get("chunks", 0) == len(_cut(data, cuts))
    assert (staging.folder / "a/page.html").read_bytes() == data
    assert placed.sha256 == hashlib.sha256(data).hexdigest() and placed.size == len(data) and placed.wrote


def test_a_streamed_page_the_same_as_published_is_linked_not_written(tmp_path):
    (tmp_path / "site").mkdir()
    published = tmp_path / "site" / "page.html"
    published.write_bytes(b"<p>the same</p>")
    st_ = os.stat(published)
    rec = write.OutputRecord("", hashlib.sha256(b"<p>the same</p>").hexdigest(), st_.st_size, st_.st_mtime_ns,
                             st_.st_ino)
    staging = _staging(tmp_path, {"page.html": rec})
    placed = staging.put("page.html", iter([b"<p>the ", b"same</p>"]))
    assert not placed.wrote and placed.inode == st_.st_ino          # hard-linked: the old file, untouched
    changed = staging.put("other.html", iter([b"<p>new</p>"]))
    assert changed.wrote


def _tree(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_large_pages_are_written_as_streams_of_chunks_with_the_same_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "workers", lambda: 1)   # counted in this process
    monkeypatch.setattr(render_outputs, "ENCODE_AT", 512)
    chunks: dict = {}
    real = write._stream

    def spy(target, stream):
        sizes = chunks.setdefault(target.name, [])
        return real(target, (sizes.append(len(c)) or c for c in stream))
    monkeypatch.setattr(write, "_stream", spy)
    src = tmp_path / "p"
    shutil.copytree(EXAMPLE, src)
    assert pipeline.build(src, tmp_path / "site", AS_OF).published
    site = _tree(tmp_path / "site")
    for name in ("print.html", "portfolio.json", "search-index.js"):
        size = len(site[name])
        # many chunks, none more than a small part of the page: it was never handed over whole
        assert len(chunks[name]) > 20 and max(chunks[name]) < size / 10, (name, size, chunks[name][:5])
    # the same bytes as the whole file was before: compact JSON, as json.dumps writes it
    data = site["portfolio.json"].decode("utf-8")
    assert data == json.dumps(json.loads(data), ensure_ascii=False, separators=(",", ":")) + "\n"
    script = site["search-index.js"].decode("utf-8")
    docs = json.loads(script.removeprefix("window.PORTFOLIO_SEARCH = ").removesuffix(";\n"))
    assert script == "window.PORTFOLIO_SEARCH = " + json.dumps(docs, ensure_ascii=False, separators=(",", ":")) + ";\n"


def _build(src: Path, out: Path) -> dict:
    fragments.RENDERED.clear()
    assert pipeline.build(src, out, AS_OF, cache=Cache(src / ".cache" / "portfolio")).published
    return _tree(out)


def test_a_damaged_record_of_the_fragment_store_costs_that_fragment_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    src = tmp_path / "p"
    shutil.copytree(EXAMPLE, src)
    out = tmp_path / "site"
    _build(src, out)
    stores = src / ".cache" / "portfolio" / "fragments"
    [store] = [f for f in stores.iterdir() if b'<article class="print-entry"' in f.read_bytes()]
    data = store.read_bytes()
    # spoil one byte inside the third entry's text, not its head
    third = [m.start() for m in re.finditer(b'<article class="print-entry" id="e-', data)][2]
    store.write_bytes(data[:third + 3] + b"#" + data[third + 4:])
    entries = sorted((src / "entries").glob("*.md"))
    edited = entries[len(entries) // 2]
    edited.write_text(edited.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    cached = _build(src, out)
    made = [rid for name, rid in fragments.RENDERED if name == "print-entry.html"]
    assert len(made) == 2, made            # the edited entry's and the damaged record's; every other one kept
    assert pipeline.build(src, tmp_path / "clean", AS_OF).published   # no cache
    assert cached == _tree(tmp_path / "clean")          # the same bytes as a clean build's
    assert not [f for f in stores.iterdir() if f.name.startswith(".fragments-")]


def test_a_page_that_fails_half_way_leaves_no_half_written_fragment_store(tmp_path, monkeypatch):
    from generator.failures import Failure
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    src = tmp_path / "p"
    shutil.copytree(EXAMPLE, src)
    theme = src / "themes" / "default" / "templates"
    theme.mkdir(parents=True)
    # the print view's fragments are made and stored, then the template fails after them
    (theme / "print.html").write_text('{% include "!default/print.html" %}{{ no_such_thing.at_all }}\n', "utf-8")
    fragments.RENDERED.clear()
    with pytest.raises(Failure):
        pipeline.build(src, tmp_path / "site", AS_OF, cache=Cache(src / ".cache" / "portfolio"))
    assert any(name == "print-entry.html" for name, _ in fragments.RENDERED)
    left = [f.name for f in (src / ".cache" / "portfolio").rglob(".fragments-*")]
    assert not left


def test_the_render_workers_never_collect_the_objects_the_parent_made(monkeypatch):
    # a collection in a forked worker writes into every object it traverses, copying the parent's pages
    # (the memory counted in benchmarks/cold.py): the parent freezes its objects before forking, and
    # takes them back when the workers are done
    import gc
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    made_before = [object() for _ in range(10)]
    seen = list(parallel.map_ordered(lambda i: gc.get_freeze_count(), list(range(4))))
    assert all(n >= len(made_before) for n in seen), seen
    assert gc.get_freeze_count() == 0


def test_the_pages_after_the_expensive_ones_get_fresh_workers(monkeypatch):
    # a worker that rendered a page reading every record has copied much of the parent's heap (pages it
    # touched): the many small pages after those are rendered by workers forked afresh, in the same order
    import os
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    items = list(range(12))
    seen = list(parallel.map_ordered(lambda i: (i, os.getpid()), items, alone=3))
    assert [i for i, _ in seen] == items
    first, rest = {pid for i, pid in seen[:3]}, {pid for i, pid in seen[3:]}
    assert first and rest and not first & rest and os.getpid() not in first | rest
