"""Themes and frameworks ship with the generator; a portfolio's own themes/ and criteria/ override them by path."""
import re
import shutil
from pathlib import Path

from generator import load, shipped
from generator.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"
AS_OF = ["--as-of", "2026-04-30"]


def portfolio(tmp_path: Path, site_lines: str = "") -> Path:
    """A copy of tests/fixtures/site with extra lines under its `site:` key."""
    from conftest import site_fixture_without_leaks
    src = site_fixture_without_leaks(tmp_path / "portfolio")   # the fixture leaks names on purpose (LEAKS.md)
    if site_lines:
        p = src / "portfolio.yaml"
        p.write_text(p.read_text("utf-8").replace("\nsite:\n", "\nsite:\n" + site_lines, 1), "utf-8")
    return src


def build(src: Path, capsys) -> tuple[int, str]:
    code = main(["build", "--source", str(src), "--out", str(src / "site"), "--no-cache", *AS_OF])
    out = capsys.readouterr()
    return code, out.out + out.err


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def test_site_theme_overrides_one_template_and_extends_the_default_it_replaces(tmp_path, capsys):
    src = portfolio(tmp_path, "  theme: themes/mine\n")
    write(src / "themes/mine/templates/base.html",
          '{% extends "!default/base.html" %}\n'
          '{% block head %}<meta name="theme" content="mine">{% endblock %}\n')
    code, out = build(src, capsys)
    assert code == 0, out
    page = (src / "site" / "index.html").read_text("utf-8")
    assert '<meta name="theme" content="mine">' in page          # the learner's block
    assert "<title>" in page and "</nav>" in page                # and everything else from the default base
    default = portfolio(tmp_path / "plain")
    assert build(default, capsys)[0] == 0
    assert 'content="mine"' not in (default / "site" / "index.html").read_text("utf-8")


def test_themes_default_in_the_portfolio_overrides_the_shipped_one_by_path(tmp_path, capsys):
    src = portfolio(tmp_path)
    write(src / "themes/default/templates/search.html", "my search page\n")
    write(src / "themes/default/static/style.css", "body { color: teal }\n")
    code, out = build(src, capsys)
    assert code == 0, out
    assert (src / "site" / "search.html").read_text("utf-8") == "my search page\n"
    assert (src / "site" / "assets" / "style.css").read_text("utf-8") == "body { color: teal }\n"
    shipped_js = (shipped.default_theme() / "static" / "search.js").read_bytes()
    assert (src / "site" / "assets" / "search.js").read_bytes() == shipped_js   # not overridden: the shipped one
    assert "my search page" not in (src / "site" / "index.html").read_text("utf-8")


def test_a_site_theme_that_is_not_a_folder_is_an_error_at_its_key(tmp_path, capsys):
    src = portfolio(tmp_path, "  theme: themes/missing\n")
    lines = (src / "portfolio.yaml").read_text("utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.strip().startswith("theme:"))
    col = lines[line - 1].index("theme:") + 1
    code, out = build(src, capsys)
    assert code == 1 and "Traceback" not in out
    assert re.search(rf"portfolio\.yaml:{line}:{col}: error\[unknown-theme\]: .*themes/missing", out), out
    assert not (src / "site").exists()
    (src / "themes/missing/templates").mkdir(parents=True)   # the folder exists: no finding
    code, out = build(src, capsys)
    assert code == 0 and "unknown-theme" not in out, out


def test_a_shipped_framework_is_read_only_when_named_and_not_overridden(tmp_path):
    src = portfolio(tmp_path)   # names its own framework, mini, only
    assert [s.id for s in load.load(src, []).frameworks] == ["mini"]
    named = shipped.framework_ids()[0]
    p = src / "portfolio.yaml"
    p.write_text(p.read_text("utf-8").replace("site:\n", f"frameworks: [{named}]\nsite:\n", 1), "utf-8")
    frameworks = {s.id: s for s in load.load(src, []).frameworks}
    assert set(frameworks) == {"mini", named}
    # named where a copy would sit, never by where the package is installed
    assert frameworks[named].file == f"criteria/{named}.yaml"
    assert frameworks[named].data == load.load_file(shipped.criteria() / f"{named}.yaml", shipped.criteria().parent,
                                                    "framework", []).data
    # the portfolio's own criteria/<same name>.yaml replaces the shipped file
    write(src / "criteria" / f"{named}.yaml", "title: Mine\nawarding_body: Me\nunits: []\n")
    assert {s.id: s for s in load.load(src, []).frameworks}[named].data["title"] == "Mine"


def test_a_misspelt_shipped_framework_gets_a_suggestion(tmp_path, capsys):
    src = portfolio(tmp_path)
    named = shipped.framework_ids()[0]
    p = src / "portfolio.yaml"
    p.write_text(p.read_text("utf-8").replace("site:\n", f"frameworks: [{named[:-1]}]\nsite:\n", 1), "utf-8")
    code = main(["check", "--source", str(src), "--no-cache", *AS_OF])
    out = capsys.readouterr().out
    assert code == 1 and f"error[unknown-framework]: no framework '{named[:-1]}' (did you mean '{named}'?)" in out
