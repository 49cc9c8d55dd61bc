"""An edit is local: the pages that show every entry (the diary and its filter pages, the search index) are
joined from per-entry fragments kept by content key, so one edited entry re-renders that entry's fragments
only, the pages that show no body are not rendered at all, and the joined pages are byte-identical to a
clean build."""
from __future__ import annotations

import datetime as dt
import re
import shutil
from collections import Counter
from pathlib import Path

import yaml

from generator import pipeline
from generator.cache import Cache
from generator.render import fragments, parallel, site

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
AS_OF = dt.date(2026, 4, 30)
LATE = dt.date(2027, 6, 30)     # actions due before it and not done are overdue: the dashboard lists them
ENTRY_PARTS = {"diary-row.html", "search-entry", "print-entry.html"}
ROWS = ("gaps-row.html", "follow-up-row.html", "overdue-row.html")    # a finding's, an action's, an overdue action's


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def build(src: Path, out: Path, cache: bool, as_of: dt.date = AS_OF) -> dict:
    fragments.RENDERED.clear()
    site.RENDERED.clear()
    result = pipeline.build(src, out, as_of, cache=Cache(src / ".cache" / "portfolio") if cache else None)
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
    assert made == ENTRY_PARTS | {"gaps-row.html", "follow-up-row.html"}    # and rows of findings and actions
    assert {rid for name, rid in fragments.RENDERED if name in ENTRY_PARTS} == {
        m.group(1).decode() for m in re.finditer(rb'<a href="entries/([^"]+)\.html">', first["diary.html"])}

    assert build(src, out, cache=True) == first and not fragments.RENDERED    # nothing changed: nothing rendered

    edited = entries[len(entries) // 2]
    text = edited.read_text("utf-8")
    title = re.search(r"^title: (.*)$", text, re.M).group(1).strip().strip("'\"")
    # a change to the front matter (a comment: the model is the same) makes the entry's key new: every page
    # listing it is joined again, from its own fresh fragments and every other entry's stored ones
    edited.write_text(text.replace("\n", "\n# a note to self, in the front matter\n", 1), "utf-8")
    cached = build(src, out, cache=True)
    slug = slug_of(cached, title)
    rendered = {k: n for k, n in fragments.RENDERED.items() if k[0] in ENTRY_PARTS}
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


def overdue_entry(src: Path, first: dict) -> tuple[Path, str]:
    """An entry file with an action overdue at LATE and findings of its own on gaps.html, and the name its
    findings are shown under there."""
    for f in sorted((src / "entries").glob("*.md")):
        front = yaml.safe_load(f.read_text("utf-8").split("---\n")[1])
        shown = f"entries/{f.name}"
        if any(a.get("due") and not a.get("done") and a["due"] < LATE for a in front.get("actions") or ()) \
                and f'<span class="where">{shown}:'.encode() in first["gaps.html"]:
            return f, shown
    raise AssertionError("the example has no entry with an overdue action and a finding")


def test_gaps_follow_ups_and_the_dashboard_render_only_the_edited_entrys_rows(tmp_path, monkeypatch):
    """Issue 14, item 1: gaps.html (a row per finding), follow-ups.html (a row per action) and the dashboard's
    overdue actions are joined from per-record fragments too; an edit re-renders its own record's rows only."""
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    src = tmp_path / "p"
    shutil.copytree(EXAMPLE, src)
    out = tmp_path / "site"
    first = build(src, out, cache=True, as_of=LATE)
    made = Counter(name for name, _ in fragments.RENDERED.elements())
    assert made["gaps-row.html"] == first["gaps.html"].count(b'<span class="where">') > 0
    assert made["follow-up-row.html"] == first["follow-ups.html"].count(b'<span class="from">') > 0
    assert made["overdue-row.html"] == first["index.html"].count(b'<li><span class="status status-overdue">') > 0
    assert build(src, out, cache=True, as_of=LATE) == first and not fragments.RENDERED

    edited, shown = overdue_entry(src, first)
    text = edited.read_text("utf-8")
    front = yaml.safe_load(text.split("---\n")[1])
    actions = len(front["actions"])
    overdue = sum(1 for a in front["actions"] if a.get("due") and not a.get("done") and a["due"] < LATE)
    # an action's words change: its entry's action rows are rendered again, and the rows of the findings that
    # quote them (an overdue action is a finding too, one each); the three pages are joined again from every
    # other record's stored rows
    do = next(a["do"] for a in front["actions"] if a.get("due") and not a.get("done") and a["due"] < LATE)
    edited.write_text(text.replace(do, do + " by the end of the week", 1), "utf-8")
    cached = build(src, out, cache=True, as_of=LATE)
    slug = slug_of(cached, front["title"])
    rows = {k: n for k, n in fragments.RENDERED.items() if k[0] in ROWS}
    assert rows == {("follow-up-row.html", slug): actions, ("overdue-row.html", slug): overdue,
                    ("gaps-row.html", shown): overdue}, rows
    assert {"gaps.html", "follow-ups.html", "index.html"} <= set(site.RENDERED)
    assert b"by the end of the week" in cached["index.html"] and b"by the end of the week" in cached["follow-ups.html"]

    # a line added at the top of the front matter moves every finding about the file down a line: exactly
    # those findings' rows are rendered again (a row shows its finding's line)
    edited.write_text(edited.read_text("utf-8").replace("\n", "\n# a note to self\n", 1), "utf-8")
    cached = build(src, out, cache=True, as_of=LATE)
    rows = {k: n for k, n in fragments.RENDERED.items() if k[0] in ROWS}
    assert rows == {("gaps-row.html", shown): cached["gaps.html"].count(f'<span class="where">{shown}:'.encode()),
                    ("follow-up-row.html", slug): actions, ("overdue-row.html", slug): overdue}, rows
    assert cached == build(src, tmp_path / "clean", cache=False, as_of=LATE)    # byte for byte a clean build


def test_a_theme_overriding_a_row_template_is_used(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    src = tmp_path / "p"
    shutil.copytree(EXAMPLE, src)
    theme = src / "themes" / "default" / "templates"     # the portfolio's own theme overrides by path
    theme.mkdir(parents=True)
    for name in ROWS:
        (theme / name).write_text('{% include "!default/' + name + '" %}<!-- my ' + name + ' -->', "utf-8")
    clean = build(src, tmp_path / "clean", cache=False, as_of=LATE)
    for page, name, row in [("gaps.html", "gaps-row.html", b'<span class="where">'),
                            ("follow-ups.html", "follow-up-row.html", b'<span class="from">'),
                            ("index.html", "overdue-row.html", b'<li><span class="status status-overdue">')]:
        assert clean[page].count(f"<!-- my {name} -->".encode()) == clean[page].count(row) > 0, page
    out = tmp_path / "site"
    assert build(src, out, cache=True, as_of=LATE) == clean      # kept fragments: the same bytes
    assert build(src, out, cache=True, as_of=LATE) == clean and not fragments.RENDERED


def test_flush_writes_a_kept_store_but_never_over_one_replaced_since(tmp_path):
    """serve's deltas change a page's store in memory and `flush` writes it when the session ends; a store
    a whole rebuild replaced meanwhile (its file status is not the one kept) is newer and stays as it is."""
    from generator.render import fragments
    kept_path, replaced_path = tmp_path / "kept", tmp_path / "replaced"
    for p in (kept_path, replaced_path):
        p.write_bytes(fragments.MAGIC)
    k1, k2 = "1" * 64, "2" * 64                                     # content keys: sha256 digests
    kept = {str(kept_path): (fragments._status(kept_path), {k1: "<li>one</li>"}, {}, True),
            str(replaced_path): (fragments._status(replaced_path), {k2: "<li>stale</li>"}, {}, True)}
    replaced_path.unlink()
    replaced_path.write_bytes(fragments.MAGIC + b"newer")       # another inode: written by a rebuild
    fragments.flush(kept)
    assert replaced_path.read_bytes() == fragments.MAGIC + b"newer"
    assert str(replaced_path) not in kept
    with open(kept_path, "rb") as f:
        index = fragments._index(f)
        assert list(index) == [k1]
        assert fragments._decoded(fragments._record(f, index[k1])) == "<li>one</li>"
    assert kept[str(kept_path)][3] is False                       # written: nothing pending
