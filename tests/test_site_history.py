"""First-recorded and last-changed dates come from git when the portfolio is a repository."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from conftest import FIXTURES, build_site

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(cwd, *args, date):
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_NAME": "L",
           "GIT_AUTHOR_EMAIL": "l@example.invalid", "GIT_COMMITTER_NAME": "L", "GIT_COMMITTER_EMAIL": "l@example.invalid"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def test_dates_from_git(tmp_path):
    src = tmp_path / "p"
    shutil.copytree(FIXTURES / "site", src)
    git(src, "init", "-q", date="2026-01-01T00:00:00+00:00")
    git(src, "add", ".", date="2026-01-21T09:00:00+00:00")
    git(src, "commit", "-q", "-m", "first", date="2026-01-21T09:00:00+00:00")
    talk = src / "entries/2026-02-02-staff-club-talk.md"
    talk.write_text(talk.read_text() + "\nAdded later.\n")
    git(src, "commit", "-q", "-am", "edit", date="2026-02-03T10:30:00+00:00")
    out = tmp_path / "site"
    assert build_site(src, out).published
    page = (out / "entries/2026-02-02-staff-club-talk.html").read_text()
    assert "First recorded</dt><dd><time datetime=\"2026-01-21T09:00:00+00:00\"" in page
    assert "Last changed</dt><dd><time datetime=\"2026-02-03T10:30:00+00:00\"" in page
    other = (out / "entries/2026-03-01-reflection.html").read_text()
    assert other.count("2026-01-21T09:00:00+00:00") == 2   # first and last, as the machine-readable attribute
    assert other.count(">2026-01-21 09:00</time> (from the version history)") == 2   # and as readable text


def test_no_git_no_dates(built_site):
    # the session fixture is a plain copy, not a repository of its own... unless it sits inside one
    page = (built_site / "entries/2026-02-02-staff-club-talk.html").read_text()
    from generator.render.history import entry_history
    from conftest import REPO
    assert entry_history(REPO / "does-not-exist") == {}
    if "First recorded" in page:
        pytest.skip("the temporary folder is inside a git repository")
    assert "Last changed" not in page


def test_the_log_is_read_once_per_commit_checked_out_and_again_after_a_commit(tmp_path, monkeypatch):
    """`serve` renders entry pages on every save: the two logs (entry dates, first records) are kept by the
    commit checked out, read again when a commit moves it, and never started outside a repository."""
    from generator.assessment.history import first_recorded
    from generator.render.history import entry_history
    src = tmp_path / "p"
    shutil.copytree(FIXTURES / "site", src)
    runs = []
    real = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: (runs.append(a[0][3]) if "log" in a[0] else None,
                                                            real(*a, **k))[1])
    from generator.uptodate import git_head
    if git_head(src):
        pytest.skip("the temporary folder is inside a git repository")
    assert entry_history(src) == {} and first_recorded(src) == {}
    assert runs == []
    git(src, "init", "-q", date="2026-01-01T00:00:00+00:00")
    git(src, "add", ".", date="2026-01-21T09:00:00+00:00")
    git(src, "commit", "-q", "-m", "first", date="2026-01-21T09:00:00+00:00")
    talk = "entries/2026-02-02-staff-club-talk.md"
    runs.clear()
    for _ in range(3):
        assert entry_history(src)[talk] == ("2026-01-21T09:00:00+00:00",) * 2
        assert first_recorded(src)[talk].when == "2026-01-21T09:00:00+00:00"
    assert len(runs) == 2, runs          # one git log each
    (src / talk).write_text((src / talk).read_text() + "\nAdded later.\n")
    git(src, "commit", "-q", "-am", "edit", date="2026-02-03T10:30:00+00:00")
    assert entry_history(src)[talk] == ("2026-01-21T09:00:00+00:00", "2026-02-03T10:30:00+00:00")
    assert len(runs) == 3, runs
