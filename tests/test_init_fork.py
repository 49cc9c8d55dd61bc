"""A fork after `portfolio init`: the learner's skeleton passes check, and the suite still passes on it
(its tests use their own copy of the example, never the learner's records). The whole suite takes minutes,
so this runs the modules that read the repository's records, docs and examples, in the initialised copy."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = ["tests/test_example_copy.py", "tests/test_docs_examples.py", "tests/test_docs_in_step.py",
           "tests/test_rules_docs.py", "tests/test_registry.py"]


def tracked_files() -> list[str]:
    r = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True)
    if r.returncode != 0:
        pytest.skip("not a git checkout: cannot tell the repository's files from build output")
    return [f for f in r.stdout.decode().split("\0") if f and (ROOT / f).is_file()]


def test_the_suite_passes_in_a_fork_after_init(tmp_path):
    fork = tmp_path / "fork"
    for rel in tracked_files():
        (fork / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, fork / rel)
    r = subprocess.run([sys.executable, "-m", "generator", "init", str(fork), "--name", "Sam Learner",
                        "--registered", "2026-01-15", "--force"], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    assert "moved   entries/" in r.stdout and "moved   contacts/" in r.stdout
    check = subprocess.run([sys.executable, "-m", "generator", "check", "--source", str(fork), "--no-cache",
                            "--quiet"], capture_output=True, text=True, cwd=fork)
    assert check.returncode == 0 and check.stdout.startswith("0 errors"), check.stdout
    # `python -m pytest` from the fork imports the fork's own generator package (the current folder comes first)
    suite = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *MODULES],
                           capture_output=True, text=True, cwd=fork)
    assert suite.returncode == 0, suite.stdout[-3000:]
