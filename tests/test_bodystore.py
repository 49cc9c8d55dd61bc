"""Rendered entry bodies live in a file of records (render/bodystore.py), not in any process's heap: a
page reads a body's HTML from the store when it shows it; a body unchanged since the last build is not
rendered again; a damaged store costs renders, never bytes. Counted, never timed."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from generator import pipeline
from generator.cache import Cache
from generator.render import data, parallel
from generator.render.bodystore import BodyStore
from generator.render.markdown import markdown

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
AS_OF = dt.date(2026, 4, 30)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _counting(monkeypatch) -> list:
    """The bodies SiteData renders (each Markdown text), in this process: render serially."""
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    made: list = []
    real = data.markdown

    def counted(text, base=2):
        made.append(text)
        return real(text, base)
    monkeypatch.setattr(data, "markdown", counted)
    return made


def _build(src: Path, out: Path, cache: bool = True) -> dict:
    result = pipeline.build(src, out, AS_OF, cache=Cache(src / ".cache" / "portfolio") if cache else None)
    assert result.published, result.errors
    return tree(out)


def test_bodies_are_kept_across_builds_on_disk_and_a_damaged_record_costs_its_render(tmp_path, monkeypatch):
    made = _counting(monkeypatch)
    src = tmp_path / "p"
    shutil.copytree(EXAMPLE, src)
    first = _build(src, tmp_path / "one")
    n = len(set(made))
    assert n >= 5
    store = src / ".cache" / "portfolio" / BodyStore.FILE
    assert store.is_file()

    made.clear()     # a new process's cache, a new site folder (every page rendered): no body rendered again
    assert _build(src, tmp_path / "two") == first and made == []

    # the first record's HTML flipped (its sha256 no longer matches) and the file cut inside the last one
    raw = store.read_bytes()
    idx = BodyStore(store)
    assert idx._open() and len(idx) == n
    places = sorted(idx.where.values())
    idx.close()
    (off, size, _), (last, _, _) = places[0], places[-1]
    raw = raw[:off] + bytes([raw[off] ^ 0x20]) + raw[off + 1:]
    store.write_bytes(raw[:last + 3])
    made.clear()
    damaged = _build(src, tmp_path / "three")
    assert len(made) == 2                       # the two damaged bodies, and only they, rendered again
    assert damaged == first == _build(src, tmp_path / "clean", cache=False)
    made.clear()                                 # and the store was mended
    assert _build(src, tmp_path / "four") == first and made == []


def test_no_process_holds_the_bodies_html(tmp_path, monkeypatch):
    """SiteData keeps each entry's digest and the store keeps where each record is: neither holds HTML,
    and the cache's state no longer carries the bodies."""
    _counting(monkeypatch)
    seen = []
    real = data.SiteData.prepare_bodies

    def prepare(self, store):
        real(self, store)
        seen.append((self, store))
    monkeypatch.setattr(data.SiteData, "prepare_bodies", prepare)
    src = tmp_path / "p"
    shutil.copytree(EXAMPLE, src)
    _build(src, tmp_path / "site")
    (site, store), = seen
    html = {str(markdown(e.body, 3)) for e in site.model.entries} - {""}
    assert len(html) >= 5

    def held(value, depth=0):
        if isinstance(value, str):
            return value in html
        if depth < 3 and isinstance(value, dict):
            return any(held(v, depth + 1) for v in value.values())
        if depth < 3 and isinstance(value, (list, tuple, set)):
            return any(held(v, depth + 1) for v in value)
        return False
    assert not any(held(v) for v in vars(site).values())
    assert not any(held(v) for v in vars(store).values())
    assert all(isinstance(w, tuple) and len(w) == 3 for w in store.where.values())
    assert not any(h.encode() in (src / ".cache" / "portfolio" / "state.v2").read_bytes() for h in html)
    # yet every page shows them: each entry page holds its body's HTML
    pages = tree(tmp_path / "site")
    assert all(any(h.encode() in b for b in pages.values()) for h in html)


def test_the_store_drops_dead_records_when_they_outweigh_the_live(tmp_path, monkeypatch):
    monkeypatch.setattr(BodyStore, "SLACK", 0)
    store = BodyStore(tmp_path / "bodies")
    for i in range(10):
        store.add(f"{i:064x}", f"<p>body {i}</p>" * 50)
    size = (tmp_path / "bodies").stat().st_size
    store.keep({f"{i:064x}" for i in range(8)})          # 2 dead of 10: kept as they are
    assert (tmp_path / "bodies").stat().st_size == size
    store.keep({f"{i:064x}" for i in range(3)})          # 7 dead of 10: the file is rewritten
    assert (tmp_path / "bodies").stat().st_size < size / 2
    assert [store.get(f"{i:064x}") for i in range(4)] == [f"<p>body {i}</p>" * 50 for i in range(3)] + [None]
    again = BodyStore(tmp_path / "bodies")                # and the next process reads the rewritten file
    assert again.get(f"{2:064x}") == "<p>body 2</p>" * 50 and len(again) == 3


def test_without_a_cache_the_bodies_go_to_a_temporary_store(tmp_path, monkeypatch):
    made = _counting(monkeypatch)
    src = tmp_path / "p"
    shutil.copytree(EXAMPLE, src)
    _build(src, tmp_path / "site", cache=False)
    assert not (src / ".cache").exists()
    assert len(made) == len(set(made))           # each distinct body rendered once, then read from the store


def test_a_record_read_whole_once_is_not_read_again_and_damage_after_costs_only_its_render(tmp_path, monkeypatch):
    """`serve` asks whether every body is stored on every save: a record read whole (and found sound) once is
    not read again to answer; one damaged after that is caught where a page reads it, and rendered there."""
    store = BodyStore(tmp_path / BodyStore.FILE)
    store.add("d1", "<p>one</p>")
    store.add("d2", "<p>two</p>")
    reads: list = []
    real = BodyStore.get
    monkeypatch.setattr(BodyStore, "get", lambda self, d: (reads.append(d), real(self, d))[1])
    assert store.readable("d1") and store.readable("d2") and reads == ["d1", "d2"]
    assert store.readable("d1") and store.readable("d2") and reads == ["d1", "d2"]
    off, n, _ = store.where["d1"]
    with open(tmp_path / BodyStore.FILE, "r+b") as f:   # its HTML flipped behind the store's back
        f.seek(off + n - 1)
        f.write(b"X")
    assert store.readable("d1")          # not read again here ...
    assert store.get("d1") is None       # ... but the page's read finds it damaged (SiteData.body renders it)
    store.close()
