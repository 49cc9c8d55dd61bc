"""The real CLI on real folders: exit statuses, formats, atomic publishing, safety, determinism."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from factory import CONTACT, ENTRY, write_portfolio

AS_OF = ["--as-of", "2026-09-30"]


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})


def tree(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_check_clean_portfolio_exits_0_and_prints_summary(tmp_path):
    write_portfolio(tmp_path)
    r = run("check", "--source", str(tmp_path), *AS_OF)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 errors" in r.stdout.splitlines()[-1]
    assert "criteria evidenced" in r.stdout.splitlines()[-1]


def test_check_errors_exit_1_text_format(tmp_path):
    write_portfolio(tmp_path, {"entries/2026-09-10-breakfast.md": ENTRY.replace("[priya-shah]", "[priya-sha]")})
    r = run("check", "--source", str(tmp_path), *AS_OF)
    assert r.returncode == 1
    assert ("entries/2026-09-10-breakfast.md:6:12: error[unknown-contact]: "
            "no contact 'priya-sha' (did you mean 'priya-shah'?)") in r.stdout
    assert "  hint: " in r.stdout


def test_json_and_github_formats(tmp_path):
    write_portfolio(tmp_path, {"entries/2026-09-10-breakfast.md": ENTRY.replace("[priya-shah]", "[priya-sha]")})
    r = run("check", "--source", str(tmp_path), "--format", "json", *AS_OF)
    doc = json.loads(r.stdout)
    [d] = [d for d in doc["diagnostics"] if d["rule"] == "unknown-contact"]
    assert (d["file"], d["line"], d["column"], d["subject"]) == ("entries/2026-09-10-breakfast.md", 6, 12, "priya-sha")
    assert doc["summary"]["error"] == 1 and "coverage" in doc["summary"]
    r = run("check", "--source", str(tmp_path), "--format", "github", *AS_OF)
    assert "::error file=entries/2026-09-10-breakfast.md,line=6,col=12,title=unknown-contact::" in r.stdout


def test_strict_fails_on_warnings(tmp_path):
    write_portfolio(tmp_path, {"contacts/priya-shah.yaml": CONTACT.replace("why: She knows the sector.\n", "")})
    assert run("check", "--source", str(tmp_path), *AS_OF).returncode == 0
    assert run("check", "--source", str(tmp_path), "--strict", *AS_OF).returncode == 1


@pytest.mark.parametrize("args", [["check", "--format", "xml"], ["check", "--as-of", "30/09/2026"],
                                  ["check", "--source", "/no/such/folder"], ["frobnicate"], []])
def test_wrong_usage_exits_2(tmp_path, args):
    write_portfolio(tmp_path)
    r = run(*args, cwd=tmp_path)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr


def test_build_writes_site_and_is_deterministic(tmp_path):
    write_portfolio(tmp_path)
    assert run("build", "--source", str(tmp_path), "--out", str(tmp_path / "a"), *AS_OF).returncode == 0
    assert run("build", "--source", str(tmp_path), "--out", str(tmp_path / "b"), *AS_OF).returncode == 0
    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert "index.html" in a and a == b


def test_failed_build_leaves_previous_site_untouched(tmp_path):
    write_portfolio(tmp_path)
    out = tmp_path / "site"
    assert run("build", "--source", str(tmp_path), *AS_OF).returncode == 0
    before = tree(out)
    write_portfolio(tmp_path, {"contacts/priya-shah.yaml": "name: [broken\n"})
    r = run("build", "--source", str(tmp_path), *AS_OF)
    assert r.returncode == 1 and "yaml-syntax" in r.stderr and "not published" in r.stderr
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site")) == []


@pytest.mark.parametrize("out", [".", "entries", "contacts/x", "evidence"])
def test_build_never_writes_into_record_folders(tmp_path, out):
    write_portfolio(tmp_path)
    before = tree(tmp_path)
    r = run("build", "--source", str(tmp_path), "--out", str(tmp_path / out), *AS_OF)
    assert r.returncode == 2 and "refusing" in r.stderr
    assert tree(tmp_path) == before


def test_no_channels_and_no_hidden_names_in_the_site(tmp_path):
    write_portfolio(tmp_path)
    assert run("build", "--source", str(tmp_path), *AS_OF).returncode == 0
    for rel, data in tree(tmp_path / "site").items():
        text = data.decode("utf-8", "replace")
        for secret in ("priya@example.com", "7946", "Priya Shah", "priya-shah"):
            assert secret not in text and secret not in rel, (secret, rel)


def test_markdown_cannot_inject_script(tmp_path):
    body = ('<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror="alert(1)">\n\n'
            '[y](JAVASCRIPT:alert(2))\n')
    write_portfolio(tmp_path, {"entries/2026-09-10-breakfast.md": ENTRY.replace("We talked about hiring.\n", body)})
    assert run("build", "--source", str(tmp_path), *AS_OF).returncode == 0
    html = (tmp_path / "site" / "entries" / "2026-09-10-breakfast.html").read_text()
    assert "<script>alert" not in html and "<img" not in html and 'href="javascript' not in html.lower()


def test_json_output_matches_its_documented_schema(tmp_path):
    from jsonschema import Draft202012Validator
    root = Path(__file__).resolve().parents[1]
    schema = json.loads((root / "generator" / "schemas" / "check-report.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    broken = ENTRY.replace("[priya-shah]", "[priya-sha]").replace("kind: meeting", "kind: meetting")
    for folder, files in (("clean", {}), ("broken", {"entries/2026-09-10-breakfast.md": broken}),
                          ("no-model", {"portfolio.yaml": "learner: [x]\n"})):
        write_portfolio(tmp_path / folder, files)
        r = run("check", "--source", str(tmp_path / folder), "--format", "json", *AS_OF)
        doc = json.loads(r.stdout)
        errors = sorted(e.message for e in Draft202012Validator(schema).iter_errors(doc))
        assert errors == [], (folder, errors)
    example = str(root / "tests" / "fixtures" / "example")
    for rel, d in [("example", json.loads(run("check", "--source", example, "--no-cache", "--format", "json",
                                              *AS_OF).stdout))]:
        assert not list(Draft202012Validator(schema).iter_errors(d)), rel


def test_a_portfolio_full_of_mistakes_reports_each_at_its_line(tmp_path):
    """tests/fixtures/mistakes holds one of almost every mistake; the whole report is pinned, line by line.
    Refresh after a deliberate change: portfolio check --source tests/fixtures/mistakes --as-of 2026-09-30
    --no-cache > tests/golden/check/mistakes.txt (and read the diff)."""
    import shutil
    root = Path(__file__).resolve().parent
    src = tmp_path / "mistakes"
    shutil.copytree(root / "fixtures" / "mistakes", src)
    r = run("check", "--source", str(src), "--no-cache", *AS_OF)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stdout == (root / "golden" / "check" / "mistakes.txt").read_text()


def _build(root):
    r = run("build", "--source", str(root), "--out", str(root / "out"), *AS_OF)
    assert "Traceback" not in r.stderr, r.stderr
    return r


def test_build_a_learner_with_only_a_name(tmp_path):
    # every learner field but the name is optional: the site must not need them
    from factory import PORTFOLIO
    write_portfolio(tmp_path, {"portfolio.yaml": PORTFOLIO.replace(", role: Manager, organisation: Acme Ltd", "")})
    r = _build(tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Sam Learner" in (tmp_path / "out" / "index.html").read_text("utf-8")


def test_build_a_self_assessment_area_without_evidence(tmp_path):
    from factory import PORTFOLIO
    write_portfolio(tmp_path, {"portfolio.yaml": PORTFOLIO + "self_assessment: {tool: SWOT, areas: [{area: Listening, rating: 3}]}\n"})
    r = _build(tmp_path)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("make", ["file", "empty"])
def test_source_that_is_a_file_or_an_empty_folder(tmp_path, make):
    if make == "file":
        source = tmp_path / "portfolio.yaml"
        source.write_text("learner: {name: X}\n")
    else:
        source = tmp_path / "empty"
        source.mkdir()
    r = run("check", "--source", str(source), *AS_OF)
    assert "Traceback" not in r.stderr
    assert r.returncode == (2 if make == "file" else 1)
    assert f"source folder '{source}' is a file, not a folder" in r.stderr if make == "file" else \
        "no portfolio.yaml in the source folder" in r.stdout


def test_stage_times_account_for_the_whole_build_and_its_output_still_arrives(tmp_path):
    """PORTFOLIO_STAGE_TIMES: the stages (imports and report included) add up to the process's own total,
    so no second is outside them; the process ends without tearing its heap down, its output flushed."""
    write_portfolio(tmp_path)
    r = subprocess.run([sys.executable, "-m", "generator", "build", "--source", str(tmp_path), *AS_OF],
                       capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
                            "PORTFOLIO_STAGE_TIMES": "1"})
    assert r.returncode == 0, r.stderr
    assert "criteria evidenced" in r.stdout + r.stderr
    assert r.stderr.splitlines()[-1].startswith("portfolio: site written to")
    stages = {}
    for line in r.stderr.splitlines():
        if line.startswith("portfolio: stage "):
            name, _, seconds = line[len("portfolio: stage "):].partition(": ")
            stages[name] = float(seconds.split()[0])
    assert list(stages)[:2] == ["start", "load"] and list(stages)[-2:] == ["report", "total"]
    assert {"render", "output scan", "write"} <= set(stages)
    named = sum(seconds for name, seconds in stages.items() if name != "total")
    assert named <= stages["total"] + 0.01
    assert stages["total"] - named < max(0.25, 0.1 * stages["total"])   # only a few statements between stages
