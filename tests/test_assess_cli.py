"""`portfolio assess`, `portfolio assess --status` and `portfolio iqa plan`, end to end through the real CLI."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from assess_helpers import AFolio, sha

A1 = "2026-01-10-meeting-ann"      # maps A/1:1.1
B2 = "2026-02-05-call-bob"         # maps A/1:1.2, A/2:1.1


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})


def tree(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_assess_writes_one_readable_record_with_the_hashes_and_the_site_agrees(tmp_path):
    f = AFolio(tmp_path)
    root = f.write()
    before = tree(root)
    r = run("assess", "A/1:1.1", "A/1:1.2", "--outcome", "met", "--method", "product,questioning",
            "--evidence", f"entries/{A1}.md,entries/{B2}.md", "--feedback", "Clear account.\nWell done.",
            "--date", "2026-03-25", "--source", str(root))
    assert r.returncode == 0, r.stderr
    written = Path(r.stdout.strip())
    assert written.parent == root / "assessments" and written.name == "2026-03-25-a-1-1-1-and-1-more.yaml"
    after = tree(root)
    assert set(after) - set(before) == {"assessments/2026-03-25-a-1-1-1-and-1-more.yaml"}
    assert all(after[k] == v for k, v in before.items())        # nothing else written or changed
    text = written.read_text("utf-8")
    assert text.startswith("# yaml-language-server: $schema=../generator/schemas/assessment.schema.json")
    data = yaml.safe_load(text)
    assert data["assessor"] == "gp" and data["outcome"] == "met" and data["methods"] == ["product", "questioning"]
    assert data["criteria"] == ["A/1:1.1", "A/1:1.2"]
    assert data["evidence"] == [{"path": f"entries/{A1}.md", "sha256": sha(f.entry_text(A1))},
                                {"path": f"entries/{B2}.md", "sha256": sha(f.entry_text(B2))}]
    assert data["feedback"] == "Clear account.\nWell done.\n"
    assert "feedback: |" in text
    check = run("check", "--source", str(root), "--as-of", "2026-04-01", "--no-cache")
    assert check.returncode == 0 and "stale-assessment" not in check.stdout, check.stdout
    status = run("assess", "--status", "--source", str(root), "--as-of", "2026-04-01")
    assert status.returncode == 0
    lines = status.stdout.splitlines()
    # claimed and not decided: A/2:1.1 (call, 2026-02-05), B/1:1.1 and C/1:1.1 (reflection, 2026-03-01)
    assert lines[0] == "Claims awaiting a decision: 3"
    assert lines[1].startswith("  A/2:1.1  claimed since 2026-02-05 (55 days)")
    assert "Stale decisions: 0" in lines


def test_status_lists_a_stale_decision(tmp_path):
    f = AFolio(tmp_path)
    f.decide("d1", ["A/1:1.1"], [A1])
    root = f.write()
    (root / "entries" / f"{A1}.md").write_text(f.entry_text(A1) + "An afterthought.\n", "utf-8")
    out = run("assess", "--status", "--source", str(root), "--as-of", "2026-04-01").stdout
    assert "Stale decisions: 1" in out
    assert f"  assessments/d1.yaml (2026-03-25, met on A/1:1.1): changed since: entries/{A1}.md" in out


def _refused(root, *args):
    r = run("assess", *args, "--source", str(root))
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and not (root / "assessments").exists()
    return r.stderr


def test_assess_refuses_with_a_clear_message(tmp_path):
    root = AFolio(tmp_path).write()
    (tmp_path.parent / "outside.md").write_text("x")
    common = ["--outcome", "met", "--method", "product", "--date", "2026-03-25"]
    assert "'A/1:7.7' is neither a criterion" in _refused(root, "A/1:7.7", *common, "--evidence", f"entries/{A1}.md")
    assert "no assessor 'zz'" in _refused(root, "A/1:1.1", *common, "--evidence", f"entries/{A1}.md",
                                          "--assessor", "zz")
    assert "outside the portfolio" in _refused(root, "A/1:1.1", *common, "--evidence", str(tmp_path.parent / "outside.md"))
    assert "is not mapped to A/1:1.1" in _refused(root, "A/1:1.1", *common, "--evidence", f"entries/{B2}.md")
    assert "does not exist" in _refused(root, "A/1:1.1", *common, "--evidence", "entries/nope.md")
    assert "unknown method 'obs'" in _refused(root, "A/1:1.1", "--outcome", "met", "--method", "obs",
                                              "--evidence", f"entries/{A1}.md")
    assert "name the evidence judged" in _refused(root, "A/1:1.1", *common)


def test_assess_needs_an_assessor_when_several_are_listed(tmp_path):
    f = AFolio(tmp_path)
    f.portfolio["assessment"]["assessors"].append({"id": "kb", "name": "Kay Brown"})
    root = f.write()
    err = _refused(root, "A/1:1.1", "--outcome", "met", "--method", "product", "--evidence", f"entries/{A1}.md")
    assert "2 assessors: say which with --assessor (gp, kb)" in err
    r = run("assess", "A/1:1.1", "--outcome", "met", "--method", "product", "--evidence", f"entries/{A1}.md",
            "--assessor", "kb", "--date", "2026-03-25", "--source", str(root))
    assert r.returncode == 0 and yaml.safe_load(Path(r.stdout.strip()).read_text())["assessor"] == "kb"


def test_iqa_plan_is_deterministic_follows_the_policy_and_reports_compliance(tmp_path):
    f = AFolio(tmp_path)
    f.portfolio["assessment"]["sampling"] = {"decisions": 0.5, "units": 0.5, "methods": ["observation"],
                                             "interim": 0.5}
    f.decide("d1", ["A/1:1.1"], [A1], date="2026-03-20")
    f.decide("d2", ["A/1:1.2"], [B2], date="2026-03-21", methods=["questioning"])
    f.decide("d3", ["A/2:1.1"], [B2], date="2026-03-22", methods=["observation"])
    f.decide("d4", ["B/1:1.1"], ["2026-03-01-reflection"], date="2026-03-23")
    f.iqa["s1"] = {"date": "2026-03-30", "iqa": "lm", "stage": "interim", "sampled": ["d1"], "outcome": "agree"}
    root = f.write()
    one = run("iqa", "plan", "--seed", "7", "--source", str(root), "--as-of", "2026-04-01")
    again = run("iqa", "plan", "--seed", "7", "--source", str(root), "--as-of", "2026-04-01")
    assert one.returncode == 0 and one.stdout == again.stdout, one.stderr
    out = one.stdout
    proposed = [line.split()[0] for line in out.split("Proposed sample:")[1].split("Sampling recorded")[0].splitlines()[1:]]
    assert "d1" not in proposed                 # already sampled
    assert "d3" in proposed                     # the only observation: the policy requires the method
    assert "d2" in proposed                     # the only questioning decision: every method represented
    # recorded so far: 1 of 4 decisions (policy 50% -> 2), units 1 of 4 chosen (A/1; policy 50% -> 2)
    assert "✘ decisions sampled: 1 of 4" in out and "✘ units sampled: 1 of 4" in out
    assert "✘ required method observation: not sampled yet" in out
    assert "✔ interim samples: 1 of 1" in out
    assert "does not yet comply" in out
    bad = run("iqa", "plan", "--rate", "2", "--source", str(root))
    assert bad.returncode == 2 and "between 0 and 1" in bad.stderr


def test_check_summary_and_json_report_count_states_and_signed_off_credits(tmp_path):
    import json

    import jsonschema
    f = AFolio(tmp_path)
    f.decide("d1", ["A/1:1.1", "A/1:1.2"], [A1, B2])
    f.decide("d2", ["A/1"], [], date="2026-03-26")
    del f.assessments["d2"]["evidence"]
    f.decide("d3", ["A/2:1.1"], [B2], outcome="not-yet")
    root = f.write()
    text = run("check", "--source", str(root), "--as-of", "2026-04-01", "--no-cache").stdout.splitlines()[-1]
    # chosen A/1 (1.1, 1.2 met), A/2 (1.1 not yet), B/1 and C/1 (claimed by the reflection): 12 credits, A/1's 3
    assert text.endswith("assessed: 2 met, 1 not yet met, 0 referred, 0 stale, 2 awaiting a decision; "
                         "12 credits chosen, 3 signed off"), text
    doc = json.loads(run("check", "--source", str(root), "--as-of", "2026-04-01", "--no-cache",
                         "--format", "json").stdout)
    schema = json.loads((Path(__file__).resolve().parents[1] / "generator" / "schemas" /
                         "check-report.schema.json").read_text("utf-8"))
    jsonschema.validate(doc, schema)
    assert doc["summary"]["coverage"]["assessment"]["credits_signed_off"] == 3


def test_no_assessment_line_until_there_is_an_assessor(tmp_path):
    f = AFolio(tmp_path)
    del f.portfolio["assessment"]
    root = f.write()
    assert "assessed:" not in run("check", "--source", str(root), "--as-of", "2026-04-01", "--no-cache").stdout
