"""The CI files learners' repositories use: the GitHub workflow and the pre-commit hook."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]   # the CI files, not the records


def test_workflow_checks_with_github_annotations_on_push_and_pull_request():
    wf = yaml.safe_load((REPO / ".github" / "workflows" / "portfolio.yml").read_text("utf-8"))
    assert set(wf[True]) == {"push", "pull_request"}          # YAML 1.1 reads the key `on` as True
    steps = wf["jobs"]["check"]["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    assert steps[1]["uses"].startswith("actions/setup-python@") and steps[1]["with"]["python-version"] == "3.11"
    runs = [s["run"] for s in steps if "run" in s]
    assert runs == ['make check ARGS="--format github"', "make build"]   # tests/test_release.py runs them
    assert steps[-1]["uses"].startswith("actions/upload-artifact@") and steps[-1]["with"]["path"] == "site/"


def test_pre_commit_hook_runs_the_check_on_record_changes_only():
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert (hook["id"], hook["entry"], hook["language"], hook["pass_filenames"]) == \
        ("portfolio-check", "portfolio check", "python", False)
    files = re.compile(hook["files"])
    for path in ("portfolio.yaml", "contacts/priya-shah.yaml", "entries/2026-03-14-x.md", "criteria/x.yaml"):
        assert files.search(path), path
    for path in ("generator/cli.py", "docs/checks.md", "my-portfolio.yaml", "evidence/contacts/x.pdf"):
        assert not files.search(path), path
