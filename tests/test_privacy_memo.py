"""The privacy scans remember what they passed (issue 14): only changed files are scanned again, and a
change to what the scans look for (a consent withdrawn, a name or a detail added) makes a warm build
fail exactly as a clean one. Every expectation compares a build with the cache against one without it
on the same records; the leak is planted by hand (a theme file thanking a contact by name)."""
from __future__ import annotations

import shutil

import yaml

from conftest import AS_OF, site_fixture_without_leaks
from generator import pipeline
from generator.cache import Cache, default_dir

NAME = "Pat Public"   # tests/fixtures/site/contacts/pat-public.yaml: published, until the test withdraws it


def _portfolio(tmp_path):
    src = site_fixture_without_leaks(tmp_path / "portfolio")
    data = yaml.safe_load((src / "portfolio.yaml").read_text("utf-8"))
    data["site"]["theme"] = "mytheme"
    (src / "portfolio.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    static = src / "mytheme" / "static"
    static.mkdir(parents=True)
    (static / "thanks.txt").write_text(f"With thanks to {NAME} for the staff club.\n", "utf-8")
    return src


def _withdraw(src):
    path = src / "contacts" / "pat-public.yaml"
    path.write_text(path.read_text("utf-8").replace("publish: true", "publish: false"), "utf-8")


def _errors(result):
    return [(d.rule, d.file, d.line, d.column, d.message) for d in result.errors]


def _clean(src, tmp_path, name):
    """The same records built without any cache into a fresh folder."""
    copy = tmp_path / name
    shutil.copytree(src, copy, ignore=shutil.ignore_patterns(".cache", "site"))
    return pipeline.build(copy, tmp_path / f"{name}-site", AS_OF)


def test_a_withdrawn_consent_fails_the_warm_build_as_it_fails_a_clean_one(tmp_path):
    src = _portfolio(tmp_path)
    out = tmp_path / "site"
    first = pipeline.build(src, out, AS_OF, cache=Cache(default_dir(src)))
    assert first.published and _errors(first) == []
    before = (out / "assets" / "thanks.txt").read_bytes()
    _withdraw(src)
    warm = pipeline.build(src, out, AS_OF, cache=Cache(default_dir(src)))
    clean = _clean(src, tmp_path, "clean")
    assert not warm.published and not clean.published
    assert _errors(warm) == _errors(clean) != []
    assert (out / "assets" / "thanks.txt").read_bytes() == before   # the previous site stays whole


def test_the_output_scan_fails_a_warm_build_when_only_the_theme_names_the_contact(tmp_path):
    """The records say nothing of the person any more: only the output scan can see the theme's file."""
    src = _portfolio(tmp_path)
    entry = src / "entries" / "2026-02-02-staff-club-talk.md"
    out = tmp_path / "site"
    cache = Cache(default_dir(src))   # one cache object throughout, as `serve` keeps it
    assert pipeline.build(src, out, AS_OF, cache=cache).published
    entry.write_text(entry.read_text("utf-8").replace(NAME, "@pat-public"), "utf-8")
    assert pipeline.build(src, out, AS_OF, cache=cache).published
    _withdraw(src)
    warm = pipeline.build(src, out, AS_OF, cache=cache)
    clean = _clean(src, tmp_path, "clean")
    assert [e[:2] for e in _errors(warm)] == [e[:2] for e in _errors(clean)] == [("personal-data", "site/assets/thanks.txt")]
    assert not warm.published


def test_an_unchanged_site_is_not_scanned_again_but_a_new_name_scans_it_all(tmp_path, monkeypatch):
    src = _portfolio(tmp_path)
    out = tmp_path / "site"
    guards = []
    real = pipeline.OutputGuard

    def spy(*args):
        guards.append(real(*args))
        return guards[-1]
    monkeypatch.setattr(pipeline, "OutputGuard", spy)
    assert pipeline.build(src, out, AS_OF, cache=Cache(default_dir(src))).published
    files = sum(1 for p in out.rglob("*") if p.is_file())
    assert guards[-1].scanned == files                 # the first publish: every file
    entry = src / "entries" / "2026-03-01-reflection.md"
    entry.write_text(entry.read_text("utf-8") + "\nOne more thought.\n", "utf-8")
    assert pipeline.build(src, out, AS_OF, cache=Cache(default_dir(src))).published
    assert 0 < guards[-1].scanned < files / 2          # the files the edit changed, not the rest
    assert pipeline.build(src, out, AS_OF, cache=Cache(default_dir(src))).published
    assert guards[-1].scanned == 0                     # nothing changed: nothing to scan
    # a new contact who has not consented: the scan looks for one more name, so it reads every file
    (src / "contacts" / "kim-new.yaml").write_text(
        (src / "contacts" / "pat-public.yaml").read_text("utf-8").replace("Pat Public", "Kim Newcomb")
        .replace("publish: true", "publish: false").replace("pat.secret@", "kim.secret@"), "utf-8")
    result = pipeline.build(src, out, AS_OF, cache=Cache(default_dir(src)))
    assert result.published, _errors(result)
    assert guards[-1].scanned == sum(1 for p in out.rglob("*") if p.is_file())


def test_the_personal_data_check_with_its_memo_finds_what_it_finds_without(tmp_path):
    src = _portfolio(tmp_path)
    cache = Cache(default_dir(src))
    entry = src / "entries" / "2026-03-01-reflection.md"
    portfolio = src / "portfolio.yaml"
    steps = [
        lambda: None,
        lambda: entry.write_text(entry.read_text("utf-8") + "\nI asked Pat Public again.\n", "utf-8"),
        lambda: _withdraw(src),                                           # the same text is now a finding
        lambda: portfolio.write_text(portfolio.read_text("utf-8") + "checks:\n  allow_names: [public]\n", "utf-8"),
        lambda: entry.write_text(entry.read_text("utf-8") + "\nMail pat.secret@example.org.\n", "utf-8"),
        lambda: (src / "evidence" / "notes.txt").write_text("Pat Public said so.\n", "utf-8"),
        lambda: entry.write_text(entry.read_text("utf-8").replace("Pat Public", "@pat-public"), "utf-8"),
    ]
    seen = set()
    for i, step in enumerate(steps):
        step()
        warm = pipeline.check(src, AS_OF, cache=cache)
        cold = pipeline.check(src, AS_OF)
        assert warm.diagnostics == cold.diagnostics, i
        seen |= {(d.rule, d.file) for d in cold.diagnostics if d.rule == "personal-data"}
    assert ("personal-data", "entries/2026-03-01-reflection.md") in seen   # the steps did find something
    assert ("personal-data", "evidence/notes.txt") in seen
