"""Evidence references (E001 ...): pinned in the records, issued once, shown wherever an entry is named.

The expected references are read here from the entries' front matter with PyYAML, never from the generator.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import published as pub
from assess_helpers import sha
from generator import pipeline
from generator.assessment.hashing import entry_hash
from rules_helpers import Folio, brief

AS_OF = dt.date(2026, 4, 1)


def front(path: Path) -> dict:
    return yaml.safe_load(path.read_text("utf-8").split("\n---", 1)[0][3:])


def refs_in(folder: Path) -> dict:
    """{entry file stem: ref} read from the front matter."""
    return {p.stem: front(p).get("ref") for p in sorted((folder / "entries").glob("*.md"))}


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, cwd=cwd)


# -- the example: every page that names an entry names it by its reference ------------------------------------

def test_every_example_entry_has_a_pinned_unique_reference(example_source):
    refs = refs_in(example_source)
    assert refs and all(re.fullmatch(r"E\d{3}", r or "") for r in refs.values()), refs
    assert len(set(refs.values())) == len(refs)
    ledger = yaml.safe_load((example_source / "evidence-refs.yaml").read_text("utf-8"))
    assert int(ledger["last_issued"][1:]) >= max(int(r[1:]) for r in refs.values())


def test_every_link_to_an_entry_carries_its_reference(example_source, example_site):
    refs = refs_in(example_source)
    titles = {stem: front(example_source / "entries" / f"{stem}.md")["title"] for stem in refs}
    seen = 0
    for page in sorted(example_site.rglob("*.html")):
        doc = pub.main(pub.parse(page))
        for a in doc.iter("a"):
            m = pub.ENTRY_LINK.search(a.attrs.get("href", ""))
            if not m or m.group(1) not in refs:
                continue
            words = a.words()
            if words.startswith(("Previous", "Next", "←", "→")) or not words:
                continue
            stem = m.group(1)
            if page.name == "gaps.html":   # a finding's "open entry E012 of 2026-06-04"
                assert words.startswith(f"open entry {refs[stem]} "), words
                continue
            assert words.startswith(refs[stem] + " "), (page.name, words, refs[stem])
            seen += 1
        if page.parent.name == "entries" and page.stem in refs:
            h1 = doc.find("h1").words()
            assert h1 == f"{refs[page.stem]} {titles[page.stem]}", (page.name, h1)
            assert pub.parse(page).find("title").words().startswith(refs[page.stem] + " ")
    assert seen > 3 * len(refs)   # diary, unit, criterion, matrix, contact pages ...


def test_matrix_pages_print_view_search_json_and_csvs_carry_the_references(example_source, example_site):
    refs = refs_in(example_source)
    data = json.loads((example_site / "portfolio.json").read_text("utf-8"))
    assert {e["id"]: e["ref"] for e in data["entries"]} == {stem: refs[stem] for stem in refs if stem in
                                                            {e["id"] for e in data["entries"]}}
    assert len(data["entries"]) == len(refs)
    printed = pub.main(pub.parse(example_site / "print.html"))
    headings = [h.words() for h in printed.iter("h3") if h.attrs.get("id", "").startswith("e-")]
    for stem, ref in refs.items():
        assert any(h.startswith(ref + " ") for h in headings), ref
    search = (example_site / "assets" / "search-index.js") if (example_site / "assets" / "search-index.js").exists() \
        else next(example_site.rglob("search*.js"))
    text = search.read_text("utf-8")
    for ref in refs.values():
        assert f'"{ref} ' in text
    for csv_path in sorted((example_site / "matrix").glob("*.csv")):
        rows = pub.read_csv(csv_path)
        col_ref, col_entry = rows[0].index("ref"), rows[0].index("entry")
        for row in rows[1:]:
            if row[col_entry]:
                assert row[col_ref] == refs[row[col_entry]], (csv_path.name, row[:4])


# -- the rules: each fires, and does not when the records are right ------------------------------------------

def _bare(folio: Folio) -> Folio:
    """The baseline as a learner has it before any reference is pinned: no `ref:`, no evidence-refs.yaml."""
    for eid in folio.entries:
        folio.entry(eid).pop("ref", None)
    folio.ledger = False
    return folio


def _pinned(folio: Folio) -> Folio:
    folio.ledger = False   # this test's own ledger, below
    for i, eid in enumerate(sorted(folio.entries), 1):
        folio.entry(eid)["ref"] = f"E{i:03d}"
    (folio.root / "evidence-refs.yaml").parent.mkdir(parents=True, exist_ok=True)
    (folio.root / "evidence-refs.yaml").write_text(f"last_issued: E{len(folio.entries):03d}\n", "utf-8")
    return folio


def test_pinned_references_raise_no_finding(tmp_path):
    f = _pinned(Folio(tmp_path))
    found = [d for d in f.findings() if d.rule in ("missing-ref", "duplicate-ref", "malformed-ref", "schema")]
    assert found == []


def test_missing_reference_is_a_warning_and_the_site_shows_the_one_fix_would_pin(tmp_path):
    f = _bare(Folio(tmp_path))
    result = f.check()
    missing = [d for d in result.diagnostics if d.rule == "missing-ref"]
    assert sorted(d.file for d in missing) == sorted(f"entries/{e}.md" for e in f.entries)
    assert {d.severity for d in missing} == {"warning"} and all("check --fix" in d.hint for d in missing)
    # date order, from E001: the dates are the file names' here, read independently
    shown = {e.source.file: e.ref for e in result.model.entries}
    assert shown == {f"entries/{e}.md": f"E{i:03d}" for i, e in enumerate(sorted(f.entries), 1)}


def test_duplicate_reference_is_an_error_at_the_second(tmp_path):
    f = _pinned(Folio(tmp_path))
    first, second = sorted(f.entries)[:2]
    f.entry(second)["ref"] = f.entry(first)["ref"]
    found = f.findings("duplicate-ref")
    assert brief(found) == [("duplicate-ref", f"entries/{second}.md", f.line_of(f"entries/{second}.md", "ref:"),
                             f.entry(first)["ref"])]
    assert found[0].severity == "error"
    assert not pipeline.build(f.root, tmp_path / "site", AS_OF).published


@pytest.mark.parametrize("bad", ["E12", "e012", "12", "E01a"])
def test_malformed_reference_is_a_schema_error(tmp_path, bad):
    f = _pinned(Folio(tmp_path))
    eid = sorted(f.entries)[0]
    f.entry(eid)["ref"] = bad
    found = [d for d in f.findings("schema") if d.file == f"entries/{eid}.md"]
    assert found and found[0].line == f.line_of(f"entries/{eid}.md", "ref:")


def test_ledger_missing_behind_or_unreadable(tmp_path):
    f = _pinned(Folio(tmp_path))
    f.write()
    (f.root / "evidence-refs.yaml").unlink()
    assert [d.file for d in f.findings("missing-ref")] == ["evidence-refs.yaml"]
    (f.root / "evidence-refs.yaml").write_text("last_issued: E002\n", "utf-8")
    found = f.findings("missing-ref")
    assert [d.file for d in found] == ["evidence-refs.yaml"] and "E002" in found[0].message
    (f.root / "evidence-refs.yaml").write_text("last_issued: 7\n", "utf-8")
    assert [(d.rule, d.severity) for d in f.findings("malformed-ref")] == [("malformed-ref", "error")]


# -- the commands that issue references ------------------------------------------------------------------------

def test_check_fix_pins_in_date_order_records_the_ledger_and_never_reuses_a_number(tmp_path):
    f = _bare(Folio(tmp_path))
    f.write()
    proc = cli("check", "--fix", "--source", str(f.root), "--as-of", AS_OF.isoformat())
    assert "+ref: E001" in proc.stdout, proc.stdout + proc.stderr
    stems = sorted(f.entries)
    assert refs_in(f.root) == {s: f"E{i:03d}" for i, s in enumerate(stems, 1)}
    assert yaml.safe_load((f.root / "evidence-refs.yaml").read_text("utf-8")) == {"last_issued": f"E{len(stems):03d}"}
    assert "missing-ref" not in proc.stdout
    # delete the newest entry: its number is retired, the next entry gets a new one
    (f.root / "entries" / f"{stems[-1]}.md").unlink()
    proc = cli("new", "entry", "Another meeting", "--source", str(f.root), "--date", "2026-03-30")
    assert proc.returncode == 0, proc.stderr
    new = Path(proc.stdout.strip())
    assert front(new)["ref"] == f"E{len(stems) + 1:03d}"
    assert yaml.safe_load((f.root / "evidence-refs.yaml").read_text("utf-8"))["last_issued"] == f"E{len(stems) + 1:03d}"
    # a second run changes nothing
    again = cli("check", "--fix", "--source", str(f.root), "--as-of", AS_OF.isoformat())
    assert "+ref:" not in again.stdout


def test_fix_keeps_a_rename_and_an_edit_from_changing_the_reference(tmp_path):
    f = _bare(Folio(tmp_path))
    f.write()
    cli("check", "--fix", "--source", str(f.root), "--as-of", AS_OF.isoformat())
    before = refs_in(f.root)
    stem = sorted(f.entries)[0]
    old = f.root / "entries" / f"{stem}.md"
    renamed = f.root / "entries" / "2026-01-10-a-new-name.md"
    old.rename(renamed)
    renamed.write_text(renamed.read_text("utf-8").replace("title: Met @ann-lee", "title: A new title"), "utf-8")
    result = pipeline.check(f.root, AS_OF)
    shown = {e.source.file: e.ref for e in result.model.entries}
    assert shown["entries/2026-01-10-a-new-name.md"] == before[stem]
    assert not [d for d in result.diagnostics if d.rule == "missing-ref"]


def test_new_entry_refuses_while_the_ledger_is_unreadable(tmp_path):
    (tmp_path / "evidence-refs.yaml").write_text("last_issued: [\n", "utf-8")
    proc = cli("new", "entry", "A meeting", "--source", str(tmp_path))
    assert proc.returncode == 1 and "evidence-refs.yaml" in proc.stderr and "Traceback" not in proc.stderr
    assert not list((tmp_path / "entries").glob("*.md")) if (tmp_path / "entries").exists() else True


def test_pinning_a_reference_does_not_change_the_entry_hash_but_an_edit_does():
    text = "---\ntitle: A\ndate: 2026-01-01\nkind: meeting\n---\nBody.\n"
    pinned = text.replace("---\n", "---\nref: E007\n", 1)
    assert entry_hash(pinned.encode()) == entry_hash(text.encode()) == sha(text) == sha(pinned)
    assert entry_hash(pinned.replace("Body.", "Body!").encode()) != entry_hash(text.encode())
    # only the front matter's own key: the same words in the body count
    body_ref = text + "ref: E007\n"
    assert entry_hash(body_ref.encode()) != entry_hash(text.encode())
