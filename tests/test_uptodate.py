"""A `build` or `check` with nothing changed since the last successful run is answered from its stamp
(generator/uptodate.py); any change to what the run reads, or to the site it wrote, means a full run."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator import cli, pipeline, uptodate

FIXTURE = Path(__file__).parent / "fixtures" / "authoring"
ENTRY = "entries/2026-02-20-council-chat.md"
AS_OF = "2026-03-15"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def src(tmp_path):
    dst = tmp_path / "p"
    shutil.copytree(FIXTURE, dst)
    return dst


@pytest.fixture
def runs(monkeypatch):
    """Counts the full runs (the pipeline's check, which build and check both start with); the racy window
    is 0 so a stamp can be written at once (tests/test_uptodate.py::test_a_file_changed_just_before_* keeps
    git's 2 s)."""
    monkeypatch.setattr(uptodate, "RACY_NS", 0)
    calls = []
    real = pipeline.check

    def counted(*a, **k):
        calls.append(a)
        return real(*a, **k)
    monkeypatch.setattr(pipeline, "check", counted)
    return calls


def build(src, *extra) -> int:
    return cli.main(["build", "--source", str(src), "--as-of", AS_OF, *extra])


def test_nothing_changed_replays_the_last_run_in_a_new_process(src, tmp_path):
    """End to end through the real command: the second run prints what the first printed and exits as it
    did, without running the pipeline (PORTFOLIO_STAGE_TIMES shows which), and the site is untouched."""
    time.sleep(uptodate.RACY_NS / 1e9 + 0.1)   # git's rule: files this fresh cannot be trusted by status
    cmd = [sys.executable, "-m", "generator", "build", "--source", str(src), "--as-of", AS_OF]
    env = {**os.environ, "PORTFOLIO_STAGE_TIMES": "1", "PYTHONPATH": str(ROOT)}
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "stage render" in first.stderr
    index = src / "site" / "index.html"
    before = index.stat()
    second = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert second.returncode == 0
    assert "stage up to date" in second.stderr and "stage render" not in second.stderr

    def without_times(text):
        return [line for line in text.splitlines() if not line.startswith("portfolio: stage ")]
    assert without_times(second.stderr) == without_times(first.stderr)
    assert second.stdout == first.stdout
    assert (index.stat().st_ino, index.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def _edit_entry(src, out):
    p = src / ENTRY
    p.write_text(p.read_text() + "\nA new closing line.\n")


def _new_contact(src, out):
    shutil.copy(src / "contacts" / "bea-khan.yaml", src / "contacts" / "bea-khan-2.yaml")


def _edit_evidence(src, out):
    with open(src / "evidence" / "forum-agenda.txt", "a") as f:
        f.write("One more item.\n")


def _remove_a_page(src, out):
    (out / "index.html").unlink()


def _edit_a_page(src, out):
    page = out / "index.html"
    page.write_bytes(page.read_bytes().replace(b"</body>", b"<p>hand edit</p></body>"))


def _stray_file_in_site(src, out):
    (out / "notes.txt").write_text("mine")


@pytest.mark.parametrize("change", [_edit_entry, _new_contact, _edit_evidence, _remove_a_page, _edit_a_page,
                                    _stray_file_in_site])
def test_any_change_to_the_records_or_the_site_means_a_full_run(src, runs, change):
    assert build(src) == 0 and len(runs) == 1
    assert build(src) == 0 and len(runs) == 1          # answered from the stamp
    change(src, src / "site")
    status = build(src)
    if change is _stray_file_in_site:
        assert status == 2          # refused before any work: the tool never replaces a file it did not write
    else:
        assert len(runs) == 2, "a changed input or output was answered from the stamp"
        assert status == 0 and (src / "site" / "index.html").exists()


@pytest.mark.parametrize("options", [["--as-of", "2026-03-16"], ["--min-severity", "warning"], ["--quiet"],
                                     ["--strict"], ["--format", "json"]])
def test_another_option_means_a_full_run(src, runs, options):
    assert build(src) == 0
    cli.main(["build", "--source", str(src), *options] + ([] if "--as-of" in options else ["--as-of", AS_OF]))
    assert len(runs) == 2


def test_a_theme_outside_the_portfolio_is_part_of_the_look(src, tmp_path, runs):
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    portfolio = src / "portfolio.yaml"
    portfolio.write_text(portfolio.read_text().replace("\nsite:", f"\nsite:\n  theme: {theme}", 1)
                         if "\nsite:" in portfolio.read_text() else portfolio.read_text() + f"\nsite:\n  theme: {theme}\n")
    assert build(src) == 0 and build(src) == 0 and len(runs) == 1
    (theme / "templates" / "extra.html").write_text("{# unused #}")
    assert build(src) == 0 and len(runs) == 2


def test_a_new_commit_means_a_full_run(src, runs):
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    git = ["git", "-C", str(src), "-c", "user.name=T", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run(git + ["init", "-q"], check=True)
    (src / ".gitignore").write_text(".cache/\nsite/\n")
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "one"], check=True)
    assert build(src) == 0 and build(src) == 0 and len(runs) == 1
    subprocess.run(git + ["commit", "-q", "--allow-empty", "-m", "two"], check=True)   # .git is not walked
    assert build(src) == 0 and len(runs) == 2


def test_check_is_answered_too_but_never_check_fix(src, runs, capsys):
    assert cli.main(["check", "--source", str(src), "--as-of", AS_OF]) == 0
    first = capsys.readouterr()
    assert cli.main(["check", "--source", str(src), "--as-of", AS_OF]) == 0 and len(runs) == 1
    assert capsys.readouterr() == first
    cli.main(["check", "--source", str(src), "--as-of", AS_OF, "--fix"])
    assert len(runs) >= 2


def test_no_stamp_after_a_failed_run_or_without_the_cache(src, runs):
    entry = src / ENTRY
    entry.write_text(entry.read_text().replace("kind: meeting", "kind: meeting\nkind: call"))   # an error
    assert build(src) == 1 and build(src) == 1 and len(runs) == 2
    assert not uptodate.stamp_path(src / ".cache" / "portfolio", "build").exists()
    shutil.rmtree(src)
    shutil.copytree(FIXTURE, src)
    assert build(src, "--no-cache") == 0 and build(src, "--no-cache") == 0 and len(runs) == 4
    assert not (src / ".cache").exists()


def test_a_symbolic_link_turns_the_shortcut_off(src, runs):
    (src / "evidence" / "link.txt").symlink_to(src / "evidence" / "forum-agenda.txt")
    assert build(src) == 0 and build(src) == 0 and len(runs) == 2


def test_a_file_changed_during_the_run_leaves_no_stamp(src, runs, monkeypatch):
    real = pipeline.check

    def editing(*a, **k):
        result = real(*a, **k)
        _edit_entry(src, None)    # after the run read it: its status is newer than the run's start
        return result
    monkeypatch.setattr(pipeline, "check", editing)
    assert build(src) == 0
    assert not uptodate.stamp_path(src / ".cache" / "portfolio", "build").exists()


def test_a_file_changed_just_before_the_run_leaves_no_stamp(src):
    """git's racy rule with its real window: the fixture was copied a moment ago."""
    assert build(src) == 0
    assert not uptodate.stamp_path(src / ".cache" / "portfolio", "build").exists()


def test_a_run_that_fails_part_way_removes_the_last_stamp(src, runs, monkeypatch):
    assert build(src) == 0
    stamp = uptodate.stamp_path(src / ".cache" / "portfolio", "build")
    assert stamp.exists()
    _edit_entry(src, None)

    def broken(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(pipeline, "check", broken)
    assert build(src) != 0
    assert not stamp.exists()


# -- the checked-out commit, read from git's files ---------------------------------------------------------
def _git(repo, *args) -> str:
    git = ["git", "-C", str(repo), "-c", "user.name=T", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
    return subprocess.run(git + list(args), check=True, capture_output=True, text=True).stdout.strip()


def _rev_parse(folder) -> str:
    proc = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else ""


def test_the_commit_is_read_as_git_reads_it(tmp_path, monkeypatch):
    """Whatever shape the repository takes, the files say what `git rev-parse HEAD` says, and no process
    is started for it."""
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    for name in list(os.environ):
        if name in uptodate._GIT_PLACES:
            monkeypatch.delenv(name)
    repo = tmp_path / "repo"
    (repo / "portfolio" / "entries").mkdir(parents=True)
    (repo / "portfolio" / "portfolio.yaml").write_text("a: 1\n")
    assert uptodate._head_from_files(repo.resolve()) == ""              # no repository at all
    _git(repo, "init", "-q", "-b", "main")
    assert uptodate._head_from_files(repo.resolve()) is None            # an unborn branch: only git can say
    assert uptodate.git_head(repo) == _rev_parse(repo) == ""
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "one")
    shapes = {"a loose ref": repo, "a portfolio in a subfolder": repo / "portfolio"}
    for label, folder in shapes.items():
        assert uptodate._head_from_files(folder.resolve()) == _rev_parse(folder) != "", label
    _git(repo, "pack-refs", "--all")                                     # refs moved into packed-refs
    assert not (repo / ".git" / "refs" / "heads" / "main").exists()
    assert uptodate._head_from_files(repo.resolve()) == _rev_parse(repo)
    _git(repo, "commit", "-q", "--allow-empty", "-m", "two")            # a loose ref again, newer than the packed
    assert uptodate._head_from_files(repo.resolve()) == _rev_parse(repo)
    first = _git(repo, "rev-parse", "HEAD~1")
    _git(repo, "checkout", "-q", "--detach", first)                     # a detached HEAD
    assert uptodate._head_from_files(repo.resolve()) == first == _rev_parse(repo)
    _git(repo, "checkout", "-q", "main")
    linked = tmp_path / "linked"                                         # a linked worktree (`gitdir:` file)
    _git(repo, "worktree", "add", "-q", "-b", "side", str(linked), first)
    assert uptodate._head_from_files(linked.resolve()) == first == _rev_parse(linked)
    _git(linked, "commit", "-q", "--allow-empty", "-m", "three")
    assert uptodate._head_from_files(linked.resolve()) == _rev_parse(linked) != first
    assert uptodate._head_from_files(repo.resolve()) == _rev_parse(repo)

    started = []
    monkeypatch.setattr(uptodate, "_head_from_git", lambda root: started.append(root) or "")
    assert uptodate.git_head(repo / "portfolio") == _rev_parse(repo)
    assert started == []
    monkeypatch.setenv("GIT_DIR", str(linked / ".git"))                 # git's own variables: git decides
    uptodate.git_head(repo)
    assert started == [repo]


def test_an_unreadable_head_asks_git(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".git" / "HEAD").write_text("ref: ../../outside\n")         # not under refs/: never followed
    assert uptodate._head_from_files(repo) is None
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (repo / ".git" / "packed-refs").write_text("# pack-refs with: peeled\n")
    assert uptodate._head_from_files(repo) is None
    (repo / ".git" / "HEAD").write_bytes(b"\xff\xfe")
    monkeypatch.setattr(uptodate, "_head_from_git", lambda root: "asked")
    for name in uptodate._GIT_PLACES:
        monkeypatch.delenv(name, raising=False)
    assert uptodate.git_head(repo) == "asked"
