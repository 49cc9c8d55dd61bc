"""The assessor's voice: records, binding by hash, states and the rules of issue 15 — each rule fires and
stays silent, with expectations read from the records written here, not from the code under test."""
from __future__ import annotations

import datetime as dt
import os
import subprocess

import pytest

from assess_helpers import AFolio, sha
from rules_helpers import brief

A1 = "2026-01-10-meeting-ann"      # maps A/1:1.1
B2 = "2026-02-05-call-bob"         # maps A/1:1.2, A/2:1.1


def state(f, ref, as_of=dt.date(2026, 4, 1)):
    from generator.assessment.rules import state_of
    return state_of(f.check(as_of).model).criteria[ref].state


def test_records_load_and_every_state_follows_the_records(tmp_path):
    f = AFolio(tmp_path)
    f.decide("d1", ["A/1:1.1"], [A1])
    f.decide("d2", ["A/1:1.2"], [B2], outcome="not-yet", feedback="Say what you did next.")
    f.decide("d3", ["A/2:1.1"], [B2], outcome="referred")
    result = f.check()
    assert result.errors == []
    from generator.assessment.rules import state_of
    st = state_of(result.model)
    assert {r: st.criteria[r].state for r in ("A/1:1.1", "A/1:1.2", "A/2:1.1", "B/1:1.1", "B/2:1.1")} == {
        "A/1:1.1": "met", "A/1:1.2": "not-yet", "A/2:1.1": "referred",
        "B/1:1.1": "claimed",          # mapped by the reflection entry, never decided
        "B/2:1.1": "not-started"}      # nothing maps it
    assert st.criteria["A/1:1.2"].decision.feedback == "Say what you did next."


def test_a_later_decision_supersedes_an_earlier_one(tmp_path):
    f = AFolio(tmp_path)
    f.decide("d1", ["A/1:1.2"], [B2], outcome="not-yet", date="2026-03-01")
    f.decide("d2", ["A/1:1.2"], [B2], outcome="met", date="2026-03-20")
    assert state(f, "A/1:1.2") == "met"


def test_stale_assessment_fires_at_the_changed_file_naming_the_decision(tmp_path):
    f = AFolio(tmp_path)
    f.decide("d1", ["A/1:1.1"], [A1], date="2026-03-25")
    assert f.findings("stale-assessment") == []
    assert state(f, "A/1:1.1") == "met"
    f.entries[A1] = (f.entries[A1][0], "Account, improved after the decision.\n")
    found = f.findings("stale-assessment")
    slug = next(e.slug for e in f.check().model.entries if e.id == A1)   # the entry's public id (names hidden)
    assert brief(found) == [("stale-assessment", f"entries/{A1}.md", 1, slug)]
    assert "decision 'd1' of 2026-03-25" in found[0].message and found[0].severity == "warning"
    assert state(f, "A/1:1.1") == "stale"


def test_line_endings_do_not_make_a_decision_stale(tmp_path):
    f = AFolio(tmp_path)
    f.decide("d1", ["A/1:1.1"], [A1])
    root = f.write()
    path = root / "entries" / f"{A1}.md"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    from generator import pipeline
    result = pipeline.check(root, dt.date(2026, 4, 1))
    assert [d for d in result.diagnostics if d.rule == "stale-assessment"] == []


def test_a_changed_attachment_makes_the_decision_stale(tmp_path):
    f = AFolio(tmp_path)
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "notes.txt").write_bytes(b"minutes v1")
    f.entry(A1)["attachments"] = [{"path": "evidence/notes.txt"}]
    import hashlib
    f.decide("d1", ["A/1:1.1"], [])
    f.assessments["d1"]["evidence"] = [{"path": "evidence/notes.txt", "sha256": hashlib.sha256(b"minutes v1").hexdigest()}]
    assert f.findings("stale-assessment") == []
    (tmp_path / "evidence" / "notes.txt").write_bytes(b"minutes v2")
    assert brief(f.findings("stale-assessment")) == [("stale-assessment", "evidence/notes.txt", 1, "d1")]


def test_unknown_references_in_assessment_records_are_errors_at_their_value(tmp_path):
    f = AFolio(tmp_path)
    rec = f.decide("d1", ["A/1:9.9", "Z/9"], [A1])
    rec["assessor"] = "gpp"
    rec["evidence"].append({"path": "entries/nope.md", "sha256": "0" * 64})
    rec["evidence"].append({"path": "../outside.md", "sha256": "0" * 64})
    f.iqa["s1"] = {"date": "2026-03-30", "iqa": "lmm", "sampled": ["d1", "d9"], "outcome": "agree"}
    found = {(d.rule, d.file, d.subject) for d in f.check().errors}
    assert found == {("unknown-criterion", "assessments/d1.yaml", "A/1:9.9"),
                     ("unknown-unit", "assessments/d1.yaml", "Z/9"),
                     ("unknown-assessor", "assessments/d1.yaml", "gpp"),
                     ("unknown-evidence", "assessments/d1.yaml", "entries/nope.md"),
                     ("unknown-evidence", "assessments/d1.yaml", "../outside.md"),
                     ("unknown-assessor", "iqa/s1.yaml", "lmm"),
                     ("unknown-assessment", "iqa/s1.yaml", "d9")}
    gpp = next(d for d in f.check().errors if d.subject == "gpp")
    assert (gpp.line, gpp.column) == (f.line_of("assessments/d1.yaml", "assessor: gpp"), len("assessor: ") + 1)
    assert "did you mean 'gp'" in gpp.message


def test_known_references_are_not_errors(tmp_path):
    f = AFolio(tmp_path)
    f.decide("d1", ["A/1:1.1", "A/1"], [A1])
    f.iqa["s1"] = {"date": "2026-03-30", "iqa": "lm", "sampled": ["d1"], "outcome": "agree"}
    assert f.check().errors == []


def test_schema_errors_in_an_assessment_point_at_the_key(tmp_path):
    f = AFolio(tmp_path)
    rec = f.decide("d1", ["A/1:1.1"], [A1])
    rec["outcome"] = "passed"
    errs = [d for d in f.check().errors if d.rule == "schema"]
    assert [(d.file, d.line) for d in errs] == [("assessments/d1.yaml", f.line_of("assessments/d1.yaml", "outcome:"))]
    assert "'outcome' cannot be 'passed'" in errs[0].message


def test_witness_verification_names_a_known_assessor(tmp_path):
    f = AFolio(tmp_path)
    f.entry(A1)["witness"] = {"contact": "ann-lee", "verified": {"by": "gp", "how": "phone call", "date": "2026-02-01"}}
    result = f.check()
    assert result.errors == []
    entry = next(e for e in result.model.entries if e.id == A1)
    assert entry.witness_verified == {"by": "gp", "how": "phone call", "date": dt.date(2026, 2, 1)}
    f.entry(A1)["witness"]["verified"]["by"] = "someone"
    assert brief(f.check().errors) == [("unknown-assessor", f"entries/{A1}.md", f.line_of(f"entries/{A1}.md", "by: someone"), "someone")]


def test_assessment_evidence_unmapped(tmp_path):
    f = AFolio(tmp_path)
    f.decide("d1", ["A/1:1.1"], [B2])        # the call with Bob maps A/1:1.2 and A/2:1.1, not A/1:1.1
    found = f.findings("assessment-evidence-unmapped")
    assert brief(found) == [("assessment-evidence-unmapped", "assessments/d1.yaml",
                             f.line_of("assessments/d1.yaml", "path:"), "d1")]
    assert found[0].severity == "error"
    f.decide("d1", ["A/1:1.2"], [B2])
    assert f.findings("assessment-evidence-unmapped") == []
    f.decide("d1", ["A/2"], [B2])            # a unit decision: evidence mapped to any of its criteria
    assert f.findings("assessment-evidence-unmapped") == []


def test_unassessed_claim_after_the_settings_days(tmp_path):
    f = AFolio(tmp_path)
    f.portfolio["checks"] = {"unassessed_after_days": 60}
    found = f.findings("unassessed-claim", as_of=dt.date(2026, 4, 1))
    # claimed since: A/1:1.1 2026-01-10 (81 days), A/1:1.2 and A/2:1.1 2026-02-05 (55 days), B/1, C/1 2026-03-01
    assert [d.subject for d in found] == ["A/1:1.1"]
    assert found[0].severity == "info" and "since 2026-01-10 (81 days)" in found[0].message
    assert (found[0].file, found[0].line) == (f"entries/{A1}.md", f.line_of(f"entries/{A1}.md", "A/1:1.1"))
    f.decide("d1", ["A/1:1.1"], [A1])
    assert f.findings("unassessed-claim", as_of=dt.date(2026, 4, 1)) == []


def test_unassessed_claim_is_silent_until_an_assessor_is_listed(tmp_path):
    f = AFolio(tmp_path)
    del f.portfolio["assessment"]
    assert f.findings("unassessed-claim", as_of=dt.date(2026, 12, 1)) == []


def test_decision_before_evidence(tmp_path):
    f = AFolio(tmp_path)
    f.decide("d1", ["A/1:1.2"], [B2], date="2026-02-01")      # the call is dated 2026-02-05
    found = f.findings("decision-before-evidence")
    assert brief(found) == [("decision-before-evidence", "assessments/d1.yaml", f.line_of("assessments/d1.yaml", "date:"), "d1")]
    assert "dated 2026-02-05" in found[0].message
    f.decide("d1", ["A/1:1.2"], [B2], date="2026-02-05")
    assert f.findings("decision-before-evidence") == []


def test_iqa_action_open_until_closed(tmp_path):
    f = AFolio(tmp_path)
    f.decide("d1", ["A/1:1.1"], [A1])
    f.iqa["s1"] = {"date": "2026-03-30", "iqa": "lm", "sampled": ["d1"], "outcome": "action",
                   "action": "Record the questions asked."}
    found = f.findings("iqa-action-open")
    assert brief(found) == [("iqa-action-open", "iqa/s1.yaml", f.line_of("iqa/s1.yaml", "outcome:"), "s1")]
    f.iqa["s1"]["closed"] = "2026-03-31"
    assert f.findings("iqa-action-open") == []
    from generator.assessment.rules import state_of
    assert state_of(f.check().model).criteria["A/1:1.1"].sampled is True


def test_missing_declaration_when_a_unit_is_signed_off(tmp_path):
    f = AFolio(tmp_path)
    f.decide("d1", ["A/1:1.1", "A/1:1.2"], [A1, B2])
    assert f.findings("missing-declaration") == []          # every criterion met, but no unit decision yet
    f.decide("d2", ["A/1"], [], date="2026-03-26")
    del f.assessments["d2"]["evidence"]
    found = f.findings("missing-declaration")
    assert brief(found) == [("missing-declaration", "portfolio.yaml", 1, "declaration")]
    assert "A/1 signed off" in found[0].message
    f.portfolio["declaration"] = {"text": "This is my own work.", "date": "2026-03-20"}
    assert f.findings("missing-declaration") == []


def test_unit_signed_off_only_with_every_criterion_met_and_a_unit_decision(tmp_path):
    from generator.assessment.rules import state_of
    f = AFolio(tmp_path)
    f.decide("d2", ["A/1"], [], date="2026-03-26")
    del f.assessments["d2"]["evidence"]
    f.decide("d1", ["A/1:1.1"], [A1])
    model = f.check().model
    st = state_of(model)
    assert st.units["A/1"].signed_off is False               # A/1:1.2 is only claimed
    f.decide("d1", ["A/1:1.1", "A/1:1.2"], [A1, B2])
    st = state_of(f.check().model)
    assert st.units["A/1"].signed_off is True
    qual = f.check().model.qualification
    # chosen A/1 (3), A/2 (2), B/1 (4), C/1 (3) = 12 credits; A/1 signed off = 3
    assert state_of(f.check().model).credits(qual) == (12, 3)


def _git(root, *args, date=None):
    env = {**os.environ, "GIT_AUTHOR_NAME": "L", "GIT_AUTHOR_EMAIL": "l@example.org", "GIT_COMMITTER_NAME": "L",
           "GIT_COMMITTER_EMAIL": "l@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date}T12:00:00+00:00"
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def _committed(f, first_date):
    root = f.write()
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "records", date=first_date)
    return root


@pytest.mark.skipif(subprocess.run(["git", "--version"], capture_output=True).returncode != 0, reason="no git")
def test_late_record_from_the_first_commit_following_renames(tmp_path):
    from generator import pipeline
    f = AFolio(tmp_path)
    f.portfolio["checks"] = {"late_record_days": 40}
    root = _committed(f, "2026-03-10")   # A1 (2026-01-10) 59 days late; B2 (2026-02-05) 33 days
    late = lambda as_of: [d for d in pipeline.check(root, as_of).diagnostics if d.rule == "late-record"]  # noqa: E731
    assert [(d.file, d.severity) for d in late(dt.date(2026, 4, 1))] == [(f"entries/{A1}.md", "info")]
    assert "first recorded on 2026-03-10 (59 days later" in late(dt.date(2026, 4, 1))[0].message
    assert late(dt.date(2026, 3, 1)) == []     # history after --as-of has not happened yet for that build
    # renamed later: still first recorded on 2026-03-10
    _git(root, "mv", f"entries/{A1}.md", "entries/2026-01-10-meeting-with-ann.md")
    _git(root, "commit", "-q", "-m", "rename", date="2026-03-20")
    from generator.assessment.history import first_recorded
    first = first_recorded(root)["entries/2026-01-10-meeting-with-ann.md"]
    assert (first.date, first.signed) == (dt.date(2026, 3, 10), False)


def test_late_record_silent_without_git_history(tmp_path):
    f = AFolio(tmp_path)
    assert f.findings("late-record") == []
