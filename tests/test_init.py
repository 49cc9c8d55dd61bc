"""`portfolio init`: a new learner's skeleton that passes `check`, and in a fork the example records replaced
(only when asked) with nothing else touched. Every test works in its own tmp folder."""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator import init, pipeline

TESTS = Path(__file__).resolve().parent
SITE = TESTS / "fixtures" / "site"           # a small example portfolio: framework `mini`, units U/1 and U/2
AS_OF = dt.date(2026, 9, 30)


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "generator", "init", *map(str, args)], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, cwd=cwd)


def errors(root: Path) -> list:
    return [d for d in pipeline.check(root, AS_OF).diagnostics if d.severity == "error"]


def tree(root: Path, *names) -> dict:
    """path -> content digest of every file under the named folders."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for name in names for p in sorted((root / name).rglob("*")) if p.is_file()}


@pytest.fixture
def fork(tmp_path) -> Path:
    """A fork as a learner has it: the generator's folders beside the example learner's records."""
    root = tmp_path / "fork"
    shutil.copytree(SITE, root)
    for name in ("generator", "tests", "docs", "themes"):
        (root / name).mkdir()
        (root / name / "keep.txt").write_text(f"{name} belongs to the generator\n")
    (root / "Makefile").write_text("check:\n\tportfolio check\n")
    (root / ".gitignore").write_text("/site/\n")
    (root / "assessments").mkdir()
    (root / "assessments" / "2026-05-01-u-1.yaml").write_text("decision: met\n")
    return root


def test_a_new_folder_gets_a_valid_skeleton(tmp_path):
    root = tmp_path / "mine"
    r = run(root, "--name", "Sam  O'Neil", "--registered", "2026-01-05", "--role", "Team leader")
    assert r.returncode == 0, r.stderr
    data = yaml.safe_load((root / "portfolio.yaml").read_text("utf-8"))
    assert data["learner"] == {"name": "Sam O'Neil", "role": "Team leader"}
    assert data["qualification"]["framework"] == "proqual-l4-nvq-diploma-management"
    # by default the mandatory units: group A of the shipped qualification, read here from its own file
    shipped = yaml.safe_load((init.SHIPPED_CRITERIA / "proqual-l4-nvq-diploma-management.yaml").read_text("utf-8"))
    assert data["qualification"]["units"] == [u["ref"] for u in shipped["units"] if u["group"] == "A"]
    assert data["qualification"]["registered"] == dt.date(2026, 1, 5)
    for rel in ("entries/.gitkeep", "contacts/.gitkeep", ".gitignore", ".github/workflows/portfolio.yml",
                ".pre-commit-config.yaml", "criteria/proqual-l4-nvq-diploma-management.yaml"):
        assert (root / rel).is_file(), rel
        assert f"wrote   {rel}" in r.stdout
    assert yaml.safe_load((root / ".github" / "workflows" / "portfolio.yml").read_text())["jobs"]["check"]
    assert yaml.safe_load((root / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"][0]["id"] == \
        "portfolio-check"
    # the $schema modeline names a schema file that exists, relative to portfolio.yaml
    first = (root / "portfolio.yaml").read_text("utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    assert (root / first.split("=", 1)[1]).resolve().is_file()
    assert errors(root) == []


def test_units_and_framework_given_as_options(tmp_path):
    root = tmp_path / "mine"
    shutil.copytree(SITE / "criteria", root / "criteria")
    r = run(root, "--name", "Ada", "--framework", "mini", "--units", "U/2, U/1")
    assert r.returncode == 0, r.stderr
    data = yaml.safe_load((root / "portfolio.yaml").read_text("utf-8"))
    assert data["qualification"] == {"framework": "mini", "units": ["U/2", "U/1"]}
    assert "criteria/mini.yaml" not in r.stdout                  # already there: not copied over itself
    assert errors(root) == []


@pytest.mark.parametrize("args, said", [
    (["--name", "Ada", "--units", "J/506/1948"], "no unit 'J/506/1948'"),
    (["--name", "Ada", "--framework", "proqual-l4"], "did you mean 'proqual-l4-nvq-diploma-management'?"),
    (["--units", "J/506/1949"], "give the learner's name"),
    (["--name", "Ada", "--registered", "15/01/2026"], "is not a date"),
])
def test_bad_options_are_usage_errors_and_write_nothing(tmp_path, args, said):
    root = tmp_path / "mine"
    r = run(root, *args)
    assert r.returncode == 2 and said in r.stderr and "Traceback" not in r.stderr
    assert not root.exists()


def test_in_a_fork_it_refuses_without_a_terminal_or_force(fork):
    before = tree(fork, ".")
    r = run(fork, "--name", "Sam Learner", "--framework", "mini", "--units", "U/1")
    assert r.returncode == 2
    assert "already holds records" in r.stderr and "--force" in r.stderr
    assert tree(fork, ".") == before                               # nothing removed, nothing written


def test_in_a_fork_force_replaces_only_the_example_records(fork):
    kept = tree(fork, "generator", "tests", "docs", "themes", "criteria")
    records = tree(fork, "entries", "contacts", "evidence", "assessments")
    r = run(fork, "--name", "Sam Learner", "--framework", "mini", "--units", "U/1,U/2", "--force")
    assert r.returncode == 0, r.stderr
    assert tree(fork, "generator", "tests", "docs", "themes", "criteria") == kept
    assert (fork / "Makefile").read_text() == "check:\n\tportfolio check\n"
    assert (fork / ".gitignore").read_text() == "/site/\n"        # the fork's own: kept
    counts = {name: sum(1 for p in (SITE / name).rglob("*") if p.is_file()) for name in ("entries", "contacts")}
    backups = list((fork / ".portfolio-backup").iterdir())
    assert len(backups) == 1
    moved_to = f".portfolio-backup/{backups[0].name}/"
    for moved in (f"entries/ ({counts['entries']} files)", f"contacts/ ({counts['contacts']} files)",
                  "evidence/", "assessments/ (1 file)", "portfolio.yaml"):
        assert any(line.startswith(f"moved   {moved}") and line.endswith(f" to {moved_to}")
                   for line in r.stdout.splitlines()), moved
    # nothing lost: every record the example had is in the backup, byte for byte
    assert tree(backups[0], "entries", "contacts", "evidence", "assessments") == records
    assert (backups[0] / "portfolio.yaml").read_bytes() == (SITE / "portfolio.yaml").read_bytes()
    assert "kept    .gitignore (already there)" in r.stdout
    assert sorted(p.name for p in (fork / "entries").iterdir()) == [".gitkeep"]
    assert sorted(p.name for p in (fork / "contacts").iterdir()) == [".gitkeep"]
    assert not (fork / "evidence").exists() and not (fork / "assessments").exists()
    assert yaml.safe_load((fork / "portfolio.yaml").read_text())["learner"] == {"name": "Sam Learner"}
    # a fork's workflow and hook run the fork's own Makefile
    assert "make check" in (fork / ".github" / "workflows" / "portfolio.yml").read_text()
    assert "entry: make check" in (fork / ".pre-commit-config.yaml").read_text()
    assert errors(fork) == []


def test_interactive_answers_fill_the_gaps(fork, monkeypatch, capsys):
    answers = iter(["Priya Learner", "mini", "U/2", "2026-02-30", "2026-02-03", "y"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    from generator.cli import main
    assert main(["init", str(fork)]) == 0
    data = yaml.safe_load((fork / "portfolio.yaml").read_text())
    assert data["learner"]["name"] == "Priya Learner"
    assert data["qualification"] == {"framework": "mini", "units": ["U/2"], "registered": dt.date(2026, 2, 3)}
    assert "write the date as YYYY-MM-DD" in capsys.readouterr().out   # 2026-02-30 asked again
    assert errors(fork) == []


def test_interactive_no_changes_nothing(fork, monkeypatch):
    before = tree(fork, ".")
    answers = iter(["n"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    from generator.cli import main
    assert main(["init", str(fork), "--name", "Sam", "--framework", "mini", "--units", "U/1",
                 "--registered", "2026-01-01"]) == 1
    assert tree(fork, ".") == before


def test_force_twice_keeps_both_backups_and_a_learners_own_entry(fork):
    """`--force` never destroys a record a learner wrote: a second init moves it aside too."""
    assert run(fork, "--name", "Sam Learner", "--framework", "mini", "--units", "U/1", "--force").returncode == 0
    mine = fork / "entries" / "2026-02-01-my-own.md"
    mine.write_text("---\ntitle: Mine\n---\nWritten by the learner.\n", "utf-8")
    r = run(fork, "--name", "Sam Learner", "--framework", "mini", "--units", "U/1", "--force")
    assert r.returncode == 0, r.stderr
    backups = sorted((fork / ".portfolio-backup").iterdir())
    assert len(backups) == 2
    kept = [b / "entries" / mine.name for b in backups if (b / "entries" / mine.name).exists()]
    assert len(kept) == 1 and kept[0].read_text("utf-8").endswith("Written by the learner.\n")
    assert not mine.exists()


def test_init_in_an_empty_folder_makes_no_backup(tmp_path):
    root = tmp_path / "mine"
    r = run(root, "--name", "Sam Learner")
    assert r.returncode == 0, r.stderr
    assert not (root / ".portfolio-backup").exists() and "moved" not in r.stdout
    assert "/.portfolio-backup/" in (root / ".gitignore").read_text("utf-8")
