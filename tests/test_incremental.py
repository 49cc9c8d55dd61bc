"""Incremental builds: the cached result is always byte-identical to a clean build, and does less work."""
from __future__ import annotations

import datetime as dt
import os
import pickle
import random
import re
import shutil
from pathlib import Path

import pytest

from generator import pipeline
from generator.cache import STATE_FILE, Cache

FIXTURE = Path(__file__).parent / "fixtures" / "authoring"
AS_OF = dt.date(2026, 3, 15)


@pytest.fixture
def src(tmp_path):
    root = tmp_path / "p"
    shutil.copytree(FIXTURE, root)
    return root


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def clean_build(src: Path, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    result = pipeline.build(src, out, AS_OF)
    assert result.published, [d for d in result.errors]
    return tree(out)


def cached_build(src: Path, out: Path):
    cache = Cache(src / ".cache" / "portfolio")
    result = pipeline.build(src, out, AS_OF, cache=cache)
    assert result.published, [d for d in result.errors]
    return cache


ENTRY = """---
title: {title}
date: 2026-02-{day:02d}
kind: meeting
methods: [phone]
contacts: [{contact}]
criteria: ["U/000/0001:{crit}"]
value: {{given: Advice, received: Thanks}}
---
{body}
"""


EDITS = ["body", "title", "add", "delete", "publish", "site-title", "contact-role"]


def random_edit(src: Path, rng: random.Random, step: int, choice: str) -> str:
    entries = sorted((src / "entries").glob("*.md"))
    if choice == "delete" and len(entries) > 1:
        rng.choice(entries).unlink()
    elif choice in ("body", "title") and entries:
        e = rng.choice(entries)
        text = e.read_text()
        if choice == "body":
            text += f"\nA new paragraph {step}: *{rng.random():.6f}*.\n"
        else:
            text = re.sub(r"^title: .*$", f"title: Retitled {step}", text, count=1, flags=re.M)
        e.write_text(text)
    elif choice == "publish":
        c = src / "contacts" / "alex-morgan.yaml"
        text = c.read_text()
        c.write_text(text.replace("publish: false", "publish: true") if "publish: false" in text
                     else text.replace("publish: true", "publish: false"))
    elif choice == "site-title":
        p = src / "portfolio.yaml"
        p.write_text(re.sub(r"title: .*", f"title: Portfolio v{step}", p.read_text(), count=1))
    elif choice == "contact-role":
        c = src / "contacts" / "bea-khan.yaml"
        c.write_text(re.sub(r"^role: .*$", f"role: Role {step}", c.read_text(), count=1, flags=re.M))
    else:
        day = rng.randint(1, 28)
        (src / "entries" / f"2026-02-{day:02d}-added-{step}.md").write_text(ENTRY.format(
            title=f"Added {step}", day=day, contact=rng.choice(["alex-morgan", "bea-khan"]),
            crit=rng.choice(["1.1", "1.2", "2.1"]), body=f"Body of entry {step}."))
    return choice


def test_incremental_equals_clean_over_random_edits(src, tmp_path):
    rng = random.Random(20260315)
    inc, clean = tmp_path / "site", tmp_path / "clean"
    cached_build(src, inc)
    assert tree(inc) == clean_build(src, clean)
    done = []
    plan = EDITS * 2 + ["add", "body", "body"]
    rng.shuffle(plan)   # every kind of edit, twice, in a random order
    for step, choice in enumerate(plan):
        done.append(random_edit(src, rng, step, choice))
        cached_build(src, inc)
        assert tree(inc) == clean_build(src, clean), f"differs after edits {done}"


def test_nothing_changed_does_no_work_and_touches_nothing(src, tmp_path):
    out = tmp_path / "site"
    first = cached_build(src, out)
    assert first.stats["parsed"] > 0 and first.stats["rendered"] > 0
    before = {p: os.stat(out / p) for p in tree(out)}
    again = cached_build(src, out)
    assert again.stats["parsed"] == 0 and again.stats["rendered"] == 0
    assert again.stats["reused"] == first.stats["parsed"]
    after = {p: os.stat(out / p) for p in tree(out)}
    assert {p: (s.st_ino, s.st_mtime_ns) for p, s in before.items()} == \
           {p: (s.st_ino, s.st_mtime_ns) for p, s in after.items()}


def test_one_entry_edit_rerenders_its_pages_only(src, tmp_path):
    out = tmp_path / "site"
    first = cached_build(src, out)
    total = first.stats["rendered"]
    files = tree(out)
    edited = next(p for p in files if p.endswith("2026-02-20-council-chat.html"))
    other = next(p for p in files if p.endswith("2026-02-03-first-forum.html"))
    other_stat = os.stat(out / other)
    e = src / "entries" / "2026-02-20-council-chat.md"
    e.write_text(e.read_text() + "\nShe also mentioned the **carers' policy**.\n")
    again = cached_build(src, out)
    assert again.stats["parsed"] == 1
    assert 0 < again.stats["rendered"] < total
    assert b"carers" in (out / edited).read_bytes()
    st = os.stat(out / other)
    assert (st.st_ino, st.st_mtime_ns) == (other_stat.st_ino, other_stat.st_mtime_ns)


def test_a_hand_edited_output_file_is_repaired(src, tmp_path):
    out = tmp_path / "site"
    cached_build(src, out)
    victim = out / "index.html"
    victim.write_bytes(b"tampered")
    cached_build(src, out)
    assert tree(out) == clean_build(src, tmp_path / "clean")


def test_warm_check_reports_exactly_what_a_cold_check_does(src):
    # broken in several ways, so the per-file and the cross-file halves both have something to say
    (src / "entries" / "2026-03-01-broken.md").write_text("---\ntitle: [unclosed\n---\nBody\n")
    (src / "entries" / "2026-03-02-unknown.md").write_text(ENTRY.format(
        title="Unknown", day=2, contact="nobody-here", crit="9.9", body="x").replace("2026-02-02", "2026-03-02"))
    (src / "contacts" / "Bad Name.yaml").write_text("name: X\nstatus: maybe\n")
    cold = pipeline.check(src, AS_OF)
    cache = Cache(src / ".cache" / "portfolio")
    first = pipeline.check(src, AS_OF, cache)
    cache.save()
    warm_cache = Cache(src / ".cache" / "portfolio")
    warm = pipeline.check(src, AS_OF, warm_cache)
    assert warm_cache.stats["parsed"] == 0
    assert cold.diagnostics == first.diagnostics == warm.diagnostics
    rules = {d.rule for d in warm.diagnostics}
    assert {"yaml-syntax", "unknown-contact", "unknown-criterion", "schema"} <= rules


def test_a_reference_broken_by_another_file_is_still_found_warm(src):
    cache = Cache(src / ".cache" / "portfolio")
    assert not pipeline.check(src, AS_OF, cache).errors
    (src / "contacts" / "bea-khan.yaml").unlink()   # the entry that names her is unchanged
    result = pipeline.check(src, AS_OF, cache)
    assert [d.rule for d in result.errors] == ["unknown-contact"]


def test_a_cache_from_another_generator_or_a_corrupt_one_is_ignored(src, tmp_path):
    folder = src / ".cache" / "portfolio"
    cache = Cache(folder)
    pipeline.check(src, AS_OF, cache)
    cache.save()
    state = pickle.loads((folder / STATE_FILE).read_bytes())
    state["code"] = "another version"
    (folder / STATE_FILE).write_bytes(pickle.dumps(state))
    assert Cache(folder).files == {}
    (folder / STATE_FILE).write_bytes(b"not a pickle")
    stale = Cache(folder)
    assert stale.files == {} and not pipeline.check(src, AS_OF, stale).errors


def test_benchmark_smoke(tmp_path, capsys, monkeypatch):
    """The synthetic generator makes a valid portfolio and one tiny benchmark run (ours only) completes."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "benchmarks"))   # undone after the test
    import bench
    import synth
    portfolio = synth.generate(tmp_path / "syn", 20, seed=3)
    again = synth.generate(tmp_path / "syn2", 20, seed=3)
    assert tree(portfolio) == tree(again)                       # deterministic from the seed
    assert len(list((portfolio / "entries").glob("*.md"))) == 20
    assert len(list((portfolio / "contacts").glob("*.yaml"))) == 4
    words = len((sorted((portfolio / "entries").glob("*.md"))[0]).read_text().split("---\n", 2)[2].split())
    assert 300 <= words <= 700
    assert not pipeline.check(portfolio, AS_OF).errors
    assert bench.main(["--sizes", "20", "--ours-only", "--work", str(tmp_path / "bench")]) == 0
    out = capsys.readouterr().out
    assert "ours: cold build" in out and "ours: warm build" in out and "(failed)" not in out


def _check_titles(src: Path, cache: Cache) -> set:
    result = pipeline.check(src, AS_OF, cache)
    cache.save()
    return {e.title for e in result.model.entries}


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(src):
    """The cache trusts a file's recorded status only while its ctime is old: an edit that keeps the size
    and puts the mtime back (as some tools do) still changes the ctime, so the bytes are read again."""
    folder = src / ".cache" / "portfolio"
    assert "First forum meeting" in _check_titles(src, Cache(folder))
    entry = src / "entries" / "2026-02-03-first-forum.md"
    st = os.stat(entry)
    entry.write_text(entry.read_text().replace("First forum meeting", "Fifth forum meeting"))
    os.utime(entry, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(entry).st_size == st.st_size and os.stat(entry).st_mtime_ns == st.st_mtime_ns
    titles = _check_titles(src, Cache(folder))
    assert "Fifth forum meeting" in titles and "First forum meeting" not in titles


def test_a_file_changed_just_before_the_cache_was_saved_is_read_again(src, monkeypatch):
    """git's racy rule: a status recorded within RACY_NS of the save proves nothing, so the file is hashed."""
    folder = src / ".cache" / "portfolio"
    _check_titles(src, Cache(folder))
    reads = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self.name) or original(self))
    monkeypatch.setattr("generator.cache.RACY_NS", 10**15)   # every file counts as changed near the save
    _check_titles(src, Cache(folder))
    assert "2026-02-03-first-forum.md" in reads
    reads.clear()
    monkeypatch.setattr("generator.cache.RACY_NS", 0)        # none does: unchanged status is trusted
    _check_titles(src, Cache(folder))
    assert "2026-02-03-first-forum.md" not in reads
