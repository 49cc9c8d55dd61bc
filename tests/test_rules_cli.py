"""End to end: the real `portfolio check` command on a fixture folder, its exit statuses and formats.

tests/fixtures/rules/e2e is the baseline of rules_helpers with one warning (Ann has no `why`)
and one info (the email entry maps to no criterion).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "rules" / "e2e"


def run(*args, source=FIXTURE):
    # --no-cache: the fixture is in the repository, and tests never write into it
    cmd = [sys.executable, "-m", "generator", "check", "--source", str(source), "--no-cache", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def test_warnings_pass_unless_strict():
    plain = run("--as-of", "2026-04-01")
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.splitlines()[-1] == \
        "0 errors, 1 warning, 1 info; criteria evidenced 5/5 (100%) across 4 units of tiny"
    assert "contacts/ann-lee.yaml:1:1: warning[unjustified-contact]: " in plain.stdout
    assert run("--as-of", "2026-04-01", "--strict").returncode == 1


def test_json_carries_diagnostics_and_coverage():
    out = run("--as-of", "2026-04-01", "--format", "json")
    doc = json.loads(out.stdout)
    assert [(d["rule"], d["file"], d["line"], d["severity"]) for d in doc["diagnostics"]] == [
        ("unjustified-contact", "contacts/ann-lee.yaml", 1, "warning"),
        ("unmapped-entry", "entries/2026-03-20-email-both.md", 2, "info")]
    assert doc["summary"]["warning"] == 1
    assert doc["summary"]["coverage"]["evidenced"] == 5 and doc["summary"]["coverage"]["percent"] == 100


def test_github_format_annotates_each_line():
    lines = run("--as-of", "2026-04-01", "--format", "github").stdout.splitlines()
    assert lines[0].startswith("::warning file=contacts/ann-lee.yaml,line=1,col=1,title=unjustified-contact::")
    assert lines[1].startswith("::notice file=entries/2026-03-20-email-both.md,line=2,col=1,title=unmapped-entry::")
    assert lines[2].startswith("0 errors, 1 warning, 1 info")


def test_date_rules_follow_as_of():
    # a year on, goals, reviews and contacts are all overdue: still warnings, so exit 0 without --strict
    later = run("--as-of", "2027-04-01", "--format", "json")
    rules = {d["rule"] for d in json.loads(later.stdout)["diagnostics"]}
    assert {"review-due", "dormant-contact", "goal-overdue"} <= rules
    assert later.returncode == 0


def test_errors_fail(tmp_path):
    broken = tmp_path / "p"
    shutil.copytree(FIXTURE, broken)
    entry = broken / "entries" / "2026-03-20-email-both.md"
    entry.write_text(entry.read_text("utf-8").replace("- bob-roe", "- bob-rowe"), "utf-8")
    out = run("--as-of", "2026-04-01", source=broken)
    assert out.returncode == 1
    assert "error[unknown-contact]: no contact 'bob-rowe' (did you mean 'bob-roe'?)" in out.stdout


def test_bad_usage_exits_2(tmp_path):
    assert run("--as-of", "2026-13-01").returncode == 2
    assert run("--format", "xml").returncode == 2
    assert run(source=tmp_path / "missing").returncode == 2
