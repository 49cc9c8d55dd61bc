"""An edit is local: the pages that show every entry (the diary and its filter pages, the search index) are
joined from per-entry fragments kept by content key, so one edited entry re-renders that entry's fragments
only, the pages that show no body are not rendered at all, and the joined pages are byte-identical to a
clean build."""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

from generator import pipeline
from generator.cache import Cache
from generator.render import fragments, parallel, site

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
AS_OF = dt.date(2026, 4, 30)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def build(src: Path, out: Path, cache: bool) -> dict:
    fragments.RENDERED.clear()
    result = pipeline.build(src, out, AS_OF, cache=Cache(src / ".cache" / "portfolio") if cache else None)
    assert result.published, result.errors
    return tree(out)


def slug_of(site: dict, title: str) -> str:
    """The edited entry's public id, read from the built diary: the link whose text ends with its title
    (after its evidence reference)."""
    found = re.search(rb'<a href="entries/([^"]+)\.html">(?:<span class="evref">E\d+</span> )?'
                      + re.escape(title.encode()) + rb"</a>", site["diary.html"])
    assert found, title
    return found.group(1).decode()


def test_one_edited_entry_renders_only_its_own_fragments(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "workers", lambda: 1)   # counts are kept per process: render in this one
    src = tmp_path / "p"
    shutil.copytree(EXAMPLE, src)
    out = tmp_path / "site"
    first = build(src, out, cache=True)
    entries = sorted((src / "entries").glob("*.md"))
    assert len(entries) >= 5
    # the first build renders every entry's fragments (a row on the diary, one per filter page it is on,
    # a search document and its part of the print view)
    made = {name for name, _ in fragments.RENDERED}
    assert made == {"diary-row.html", "search-entry", "print-entry.html"}
    assert {rid for _, rid in fragments.RENDERED} == {m.group(1).decode() for m in
                                                      re.finditer(rb'<a href="entries/([^"]+)\.html">', first["diary.html"])}

    assert build(src, out, cache=True) == first and not fragments.RENDERED    # nothing changed: nothing rendered

    edited = entries[len(entries) // 2]
    text = edited.read_text("utf-8")
    title = re.search(r"^title: (.*)$", text, re.M).group(1).strip().strip("'\"")
    # a change to the front matter (a comment: the model is the same) makes the entry's key new: every page
    # listing it is joined again, from its own fresh fragments and every other entry's stored ones
    edited.write_text(text.replace("\n", "\n# a note to self, in the front matter\n", 1), "utf-8")
    cached = build(src, out, cache=True)
    slug = slug_of(cached, title)
    rendered = dict(fragments.RENDERED)
    assert rendered, "the edited entry's fragments were rendered"
    assert {rid for _, rid in rendered} == {slug}, rendered       # no other entry's fragment
    assert rendered[("search-entry", slug)] == 1
    assert rendered[("print-entry.html", slug)] == 1
    # one diary row per diary page listing the entry: the full diary and each of its filter pages
    listing = [p for p, data in cached.items() if p.startswith("diary") and f'entries/{slug}.html"'.encode() in data]
    assert rendered[("diary-row.html", slug)] == len(listing) > 1

    # a body edit: the diary rows show no body, so their pages are kept whole (render/site.py, pagecache.py:
    # a page that read no entry's body is keyed by the front matter); the search document shows it
    site.RENDERED.clear()
    edited.write_text(edited.read_text("utf-8").rstrip("\n") + "\n\nA sentence added to the body, nowhere else.\n",
                      "utf-8")
    cached = build(src, out, cache=True)
    assert dict(fragments.RENDERED) == {("search-entry", slug): 1, ("print-entry.html", slug): 1}
    assert not [p for p in site.RENDERED if p.startswith("diary")], site.RENDERED
    assert b"A sentence added to the body" in cached["search-index.js"]
    assert b"A sentence added to the body" in cached["print.html"]

    clean = build(src, tmp_path / "clean", cache=False)
    assert cached == clean                                            # joined output = a clean build, byte for byte


def test_a_damaged_fragment_store_costs_renders_never_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    src = tmp_path / "p"
    shutil.copytree(EXAMPLE, src)
    out = tmp_path / "site"
    build(src, out, cache=True)
    stores = sorted((src / ".cache" / "portfolio" / "fragments").iterdir())
    assert stores
    for i, f in enumerate(stores):      # truncated, flipped and foreign stores
        data = f.read_bytes()
        f.write_bytes(data[: len(data) // 2] if i % 3 == 0 else data[:-3] + b"xyz" if i % 3 == 1 else b"junk\n")
    (src / "entries" / sorted(p.name for p in (src / "entries").glob("*.md"))[0]).write_text(
        (src / "entries" / sorted(p.name for p in (src / "entries").glob("*.md"))[0]).read_text("utf-8") + "\nMore.\n",
        "utf-8")
    cached = build(src, out, cache=True)
    assert len({rid for _, rid in fragments.RENDERED}) > 1           # every damaged store was made again
    assert cached == build(src, tmp_path / "clean", cache=False)
