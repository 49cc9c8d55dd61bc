"""The frame (header, navigation, footer) is rendered once per folder depth and top-level page, not per page,
and a theme can still override it by path (docs/themes.md, "The frame")."""
import re
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.render import frame, parallel

EXAMPLE = Path(__file__).resolve().parent / "fixtures" / "example"
AS_OF = ["--as-of", "2026-04-30"]
NAV = re.compile(r'<nav class="site-nav".*?</nav>', re.S)


def _build(src: Path, out: Path, monkeypatch) -> None:
    monkeypatch.setattr(parallel, "workers", lambda: 1)   # counts are kept per process: render in this one
    frame.RENDERED.clear()
    assert main(["build", "--source", str(src), "--out", str(out), "--no-cache", *AS_OF]) == 0


def _pages(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))


def test_each_frame_part_is_rendered_once_per_depth_and_top_level_page(tmp_path, monkeypatch, capsys):
    out = tmp_path / "site"
    _build(EXAMPLE, out, monkeypatch)
    pages = _pages(out)
    top = [p for p in pages if "/" not in p]
    depths = {p.count("/") for p in pages if "/" in p}
    assert len(pages) > 3 * (len(top) + len(depths))        # so "once per page" would be told apart
    assert frame.RENDERED["frame-header.html"] == len(top) + len(depths)
    assert frame.RENDERED["frame-footer.html"] == len(top) + len(depths)
    for rel in pages:      # every page still has its frame, with links right for where it sits
        html = (out / rel).read_text("utf-8")
        assert html.count('<header class="site-header">') == 1 and html.count('<footer class="site-footer">') == 1
        up = "../" * rel.count("/")
        nav = NAV.search(html).group(0)
        assert f'href="{up}diary.html"' in nav and f'href="{up}print.html"' in nav
        current = re.findall(r'<a href="([^"]+)" aria-current="page">', nav)
        # the navigation marks the top-level page it is on, and nothing on a page further down
        assert current == ([rel] if rel in re.findall(r'href="([^"]+)"', nav) and "/" not in rel else []), rel


def test_a_theme_overrides_a_frame_part_by_path_and_it_reaches_every_page(tmp_path, monkeypatch, capsys):
    src = tmp_path / "portfolio"
    shutil.copytree(EXAMPLE, src)
    part = src / "themes" / "default" / "templates" / "frame-footer.html"
    part.parent.mkdir(parents=True)
    part.write_text('<footer class="site-footer">mine, at {{ url("index.html") }}{% if current %},'
                    ' on {{ current }}{% endif %}</footer>\n', "utf-8")
    out = tmp_path / "site"
    _build(src, out, monkeypatch)
    for rel in _pages(out):
        html = (out / rel).read_text("utf-8")
        on = f", on {rel}" if "/" not in rel else ""
        assert f'<footer class="site-footer">mine, at {"../" * rel.count("/")}index.html{on}</footer>' in html, rel
        assert "Built from" not in html


def test_a_frame_part_does_not_see_the_page(tmp_path, monkeypatch, capsys):
    """A part that reads the page would be wrong on every page but the first: it is an error instead."""
    src = tmp_path / "portfolio"
    shutil.copytree(EXAMPLE, src)
    part = src / "themes" / "default" / "templates" / "frame-header.html"
    part.parent.mkdir(parents=True)
    part.write_text("<header>{{ page.title }}</header>\n", "utf-8")
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    code = main(["build", "--source", str(src), "--out", str(tmp_path / "site"), "--no-cache", *AS_OF])
    err = capsys.readouterr().err
    assert code == 1 and "frame-header.html:1: error: template error" in err and "Traceback" not in err, err
    assert not (tmp_path / "site").exists()


def test_a_part_that_shows_a_body_counts_as_read_on_every_page_it_goes_into():
    """The page cache keys a page that read no entry's body without the bodies (pagecache.py): a frame
    part rendered once and reused must count its body reads again on each page it goes into."""
    import jinja2

    from generator.objects import BodyReads, Entry, Origin
    entry = Entry(Origin("entries/x.md"), (), title="x", body="words of the body")
    env = jinja2.Environment(loader=jinja2.DictLoader({
        "shows.html": "{{ entries|map(attribute='body')|join }}", "plain.html": "{{ entries|length }}"}))
    parts = frame.Frame(env, {"entries": [entry]})
    for page in ("a/one.html", "a/two.html", "a/three.html"):   # one depth: one render, reused twice
        before = BodyReads.count
        assert parts.part("shows.html", page) == "words of the body"
        assert BodyReads.count > before, page
        before = BodyReads.count
        assert parts.part("plain.html", page) == "1"
        assert BodyReads.count == before, page
