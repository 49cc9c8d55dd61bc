"""`check`'s text output puts errors first: repeated under the summary, alone with --quiet, filtered with
--only and --min-severity, and a rule that fires often folded into one line with a count.

The goldens (tests/golden/check/*.txt) pin the whole text format; refresh after a deliberate change with
UPDATE_GOLDEN=1 make test ARGS=tests/test_check_output.py, and read the diff. Facts are also asserted here
from the records the test writes, not only through the goldens.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
GOLDEN = TESTS / "golden" / "check"
AS_OF = ["--as-of", "2026-04-30", "--no-cache"]
NOTE = "---\ntitle: Note {n}\ndate: 2026-03-0{n}\nkind: learning\nref: E10{n}\n---\nRead a chapter.\n"
TYPO = "---\ntitle: Emailed Pat\ndate: 2026-03-10\nkind: email\ncontacts: [pat-publik]\nref: E110\n---\nSent the slides.\n"


@pytest.fixture
def folio(tmp_path) -> Path:
    """tests/fixtures/site plus three unmapped notes and an unmapped e-mail with a typo: 5 unmapped-entry infos
    in all (the fixture has one) and one error."""
    from conftest import site_fixture_without_leaks
    src = site_fixture_without_leaks(tmp_path / "portfolio")   # the fixture leaks names on purpose (LEAKS.md)
    for n in (5, 6, 7):
        (src / "entries" / f"2026-03-0{n}-note.md").write_text(NOTE.format(n=n), "utf-8")
    (src / "entries" / "2026-03-10-emailed-pat.md").write_text(TYPO, "utf-8")
    (src / "evidence-refs.yaml").write_text("last_issued: E110\n", "utf-8")   # the notes' references issued
    text = (src / "portfolio.yaml").read_text("utf-8").replace("checks:\n", "checks:\n  group_over: 3\n", 1)
    (src / "portfolio.yaml").write_text(text, "utf-8")
    return src


def run(src, *args):
    return subprocess.run([sys.executable, "-m", "generator", "check", "--source", str(src), *AS_OF, *args],
                          capture_output=True, text=True, cwd=src)


def golden(name: str, got: str) -> str:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(got, "utf-8")
    return path.read_text("utf-8")


ERROR = ("entries/2026-03-10-emailed-pat.md:5:12: error[unknown-contact]: no contact 'pat-publik' "
         "(did you mean 'pat-public'?)")


@pytest.mark.parametrize("name, args", [("errors-first.txt", []), ("quiet.txt", ["--quiet"]),
                                        ("only.txt", ["--only", "unmapped-entry,review-due"]),
                                        ("min-severity.txt", ["--min-severity", "warning"])])
def test_text_format_golden(folio, name, args):
    r = run(folio, *args)
    assert r.returncode == 1 and r.stderr == ""           # the typo is an error, whatever is shown
    assert r.stdout == golden(name, r.stdout)


def test_the_errors_come_last_under_the_summary(folio):
    lines = run(folio).stdout.splitlines()
    summary = lines.index("1 error, 5 warnings, 5 info; criteria evidenced 3/3 (100%) across 2 units of mini")
    assert lines[summary + 1:] == ["", "1 error to fix first:", ERROR, "  hint: use the contact's file name without "
                                   ".yaml, or add the contact"]
    assert lines.count(ERROR) == 2                         # once in its file's group, once at the end


def test_a_rule_over_the_threshold_is_one_line_with_a_count(folio):
    out = run(folio).stdout
    assert "unmapped-entry: 5 info (see `portfolio check --only unmapped-entry`)" in out
    assert "info[unmapped-entry]" not in out
    assert "warning[review-due]" in out                  # one finding: listed as usual
    # at the threshold (5 findings, group_over: 5) nothing is folded; 0 never folds
    for before, after in (("group_over: 3", "group_over: 5"), ("group_over: 5", "group_over: 0")):
        text = (folio / "portfolio.yaml").read_text("utf-8")
        (folio / "portfolio.yaml").write_text(text.replace(before, after), "utf-8")
        out = run(folio).stdout
        assert out.count("info[unmapped-entry]") == 5 and "--only unmapped-entry`)" not in out


def test_quiet_prints_errors_and_summary_only(folio):
    assert run(folio, "--quiet").stdout.splitlines() == [
        ERROR, "  hint: use the contact's file name without .yaml, or add the contact", "",
        "1 error, 5 warnings, 5 info; criteria evidenced 3/3 (100%) across 2 units of mini (10 not shown)"]


def test_only_and_min_severity_filter_every_format_but_not_the_exit_status(folio):
    r = run(folio, "--only", "review-due", "--format", "json")
    doc = json.loads(r.stdout)
    assert r.returncode == 1                              # the hidden error still fails the run
    assert [d["rule"] for d in doc["diagnostics"]] == ["review-due"]
    assert (doc["summary"]["error"], doc["summary"]["warning"], doc["summary"]["info"]) == (1, 5, 5)
    r = run(folio, "--min-severity", "error", "--format", "github")
    assert [line.split(" ")[0] for line in r.stdout.splitlines()[:-1]] == ["::error"]
    assert "--only unmapped-entry" not in run(folio, "--only", "unmapped-entry").stdout  # asked for: listed


@pytest.mark.parametrize("value, said", [("unmaped-entry", "did you mean 'unmapped-entry'?"),
                                         ("log-over-time", "automatic rule"), (",", "name at least one rule")])
def test_only_an_unknown_rule_is_a_usage_error(folio, value, said):
    r = run(folio, "--only", value)
    assert r.returncode == 2 and said in r.stderr and "Traceback" not in r.stderr


def test_without_errors_nothing_follows_the_summary(tmp_path):
    from conftest import site_fixture_without_leaks
    src = site_fixture_without_leaks(tmp_path / "portfolio")   # the fixture leaks names on purpose (LEAKS.md)
    lines = run(src).stdout.splitlines()
    assert lines[-1].startswith("0 errors, 5 warnings, 1 info")


def test_make_check_with_json_prints_only_json(folio):
    root = TESTS.parent
    if shutil.which("make") is None or not (root / ".venv" / "bin" / "portfolio").exists():
        pytest.skip("needs make and the project's .venv (make test sets both up)")
    r = subprocess.run(["make", "-C", str(root), "--no-print-directory", "check", f"SOURCE={folio}",
                        "ARGS=--format json --as-of 2026-04-30 --no-cache"], capture_output=True, text=True)
    assert r.returncode != 0                               # the typo fails the check; make says so on stderr
    assert json.loads(r.stdout)["summary"]["error"] == 1   # the whole of stdout is one JSON document
