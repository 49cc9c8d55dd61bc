"""Pages are written and scanned where they are rendered (issue 14): in the forked render workers, each
page goes into the new tree and through the output guard there, and the last look at the finished
folder skips only files the guard passed as they were written. A name a theme prints on a single page
must still stop the build, naming that page, as the whole-folder scan did; serial and parallel builds
publish the same bytes and scan every file once."""
from __future__ import annotations

import pytest

from conftest import AS_OF, site_fixture_without_leaks
from generator import pipeline
from generator.render import parallel

HIDDEN = "Zara Quill"   # tests/fixtures/site/contacts/zara-quill.yaml: has not consented
LEAKY = "entries/2026-03-01-reflection.html"


def _errors(result):
    return [(d.rule, d.file, d.message) for d in result.errors]


def _tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(params=["parallel", "serial"])
def mode(request, monkeypatch):
    if request.param == "parallel":
        monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)   # fork the workers however small the site
        monkeypatch.setattr(parallel, "workers", lambda: 2)
    else:
        monkeypatch.setattr(parallel, "workers", lambda: 1)
    return request.param


def test_a_hidden_name_a_theme_prints_on_one_page_stops_the_build_and_names_that_page(tmp_path, mode):
    src = site_fixture_without_leaks(tmp_path / "portfolio")
    out = tmp_path / "site"
    assert pipeline.build(src, out, AS_OF).published
    before = _tree(out)
    assert LEAKY in before
    theme = src / "themes" / "default" / "templates"
    theme.mkdir(parents=True)
    (theme / "entry.html").write_text(
        '{% include "!default/entry.html" %}'
        '{% if page.path == "' + LEAKY + '" %}<p>With thanks to ' + HIDDEN + '</p>{% endif %}\n', "utf-8")
    result = pipeline.build(src, out, AS_OF)
    assert not result.published
    assert _errors(result) == [("personal-data", f"site/{LEAKY}",
                                "the built site would publish personal data: its text holds the name of a "
                                "contact who has not consented; nothing was published")]
    assert _tree(out) == before                                   # the previous site stays whole
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site")]   # and nothing is left aside


def test_parallel_and_serial_builds_publish_the_same_bytes_and_scan_every_file_once(tmp_path, monkeypatch):
    src = site_fixture_without_leaks(tmp_path / "portfolio")
    guards = []
    real = pipeline.OutputGuard

    def spy(*args):
        guards.append(real(*args))
        return guards[-1]
    monkeypatch.setattr(pipeline, "OutputGuard", spy)
    trees = {}
    for mode, workers, least in (("serial", 1, 10 ** 9), ("parallel", 2, 1)):
        monkeypatch.setattr(parallel, "workers", lambda n=workers: n)
        monkeypatch.setattr(parallel, "MIN_PARALLEL", least)
        out = tmp_path / f"site-{mode}"
        assert pipeline.build(src, out, AS_OF).published
        trees[mode] = _tree(out)
        assert guards[-1].scanned == len(trees[mode])   # pages in the workers, the rest by the last look
    assert trees["serial"] == trees["parallel"]


def test_a_page_that_fails_in_a_worker_leaves_the_previous_site_and_no_half_made_folder(tmp_path, mode):
    from generator.failures import Failure
    src = site_fixture_without_leaks(tmp_path / "portfolio")
    out = tmp_path / "site"
    assert pipeline.build(src, out, AS_OF).published
    before = _tree(out)
    theme = src / "themes" / "default" / "templates"
    theme.mkdir(parents=True)
    (theme / "entry.html").write_text(
        '{% include "!default/entry.html" %}'
        '{% if page.path == "' + LEAKY + '" %}{{ no_such_thing.at_all }}{% endif %}\n', "utf-8")
    with pytest.raises(Failure) as failed:
        pipeline.build(src, out, AS_OF)
    assert "entry.html" in failed.value.render()
    assert _tree(out) == before                                   # the previous site stays whole
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site")]   # the workers' folder is gone
