"""Diary rules: overdue-action, no-follow-up, one-sided, few-methods, no-reflection."""
from __future__ import annotations

import datetime as dt

from rules_helpers import Folio, brief

MEET = "2026-01-10-meeting-ann"
MEET_FILE = f"entries/{MEET}.md"
REFL_FILE = "entries/2026-03-01-reflection.md"


def test_overdue_action_points_at_due(tmp_path):
    f = Folio(tmp_path)
    del f.entry(MEET)["actions"][0]["done"]
    assert f.findings("overdue-action") == []                   # due 2026-05-01, checked 2026-04-01
    found = f.findings("overdue-action", as_of=dt.date(2026, 5, 11))
    assert brief(found) == [("overdue-action", MEET_FILE, f.line_of(MEET_FILE, "due:"), MEET)]
    assert "'Send the notes' was due on 2026-05-01" in found[0].message and "10 days overdue" in found[0].message


def test_done_or_undated_actions_are_not_overdue(tmp_path):
    f = Folio(tmp_path)
    f.entry(MEET)["actions"].append({"do": "Someday"})
    assert f.findings("overdue-action", as_of=dt.date(2027, 1, 1)) == []


def test_no_follow_up_for_a_meeting_with_contacts_and_no_actions(tmp_path):
    f = Folio(tmp_path)
    del f.entry(MEET)["actions"]
    f.entries.pop("2026-03-20-email-both")         # no later entry with Ann either
    f.entry("2026-02-05-call-bob")["criteria"].append("A/1:1.1")
    found = f.findings("no-follow-up")
    # it points at the entry's date: the follow-up window counts from it
    assert brief(found) == [("no-follow-up", MEET_FILE, f.line_of(MEET_FILE, "date:"), MEET)]


def test_no_follow_up_waits_until_its_days_have_passed(tmp_path):
    f = Folio(tmp_path)
    del f.entry(MEET)["actions"]
    f.entries.pop("2026-03-20-email-both")
    f.entry("2026-02-05-call-bob")["criteria"].append("A/1:1.1")
    meeting = dt.date(2026, 1, 10)
    # the day of the meeting, and every day of the 14 that follow, the learner can still follow up
    for days in (0, 1, 14):
        assert f.findings("no-follow-up", as_of=meeting + dt.timedelta(days=days)) == [], days
    assert [d.subject for d in f.findings("no-follow-up", as_of=meeting + dt.timedelta(days=15))] == [MEET]
    f.portfolio["checks"] = {"follow_up_within_days": 30}
    assert f.findings("no-follow-up", as_of=meeting + dt.timedelta(days=30)) == []
    assert [d.subject for d in f.findings("no-follow-up", as_of=meeting + dt.timedelta(days=31))] == [MEET]


def test_no_follow_up_silent_for_a_logged_follow_up_or_other_kinds(tmp_path):
    f = Folio(tmp_path)
    del f.entry(MEET)["actions"]
    f.portfolio["checks"] = {"follow_up_within_days": 70}       # the email to Ann on 03-20 is 69 days later
    assert f.findings("no-follow-up") == []
    f.portfolio["checks"] = {"follow_up_within_days": 14}
    assert [d.subject for d in f.findings("no-follow-up")] == [MEET]
    f.entry(MEET)["kind"] = "online"                             # not a meeting, event, call or introduction
    assert f.findings("no-follow-up") == []
    f.entry(MEET)["kind"] = "meeting"
    f.entry(MEET)["contacts"] = []                               # nobody to follow up with
    assert f.findings("no-follow-up") == []


def test_one_sided_counts_entries_with_value_given(tmp_path):
    f = Folio(tmp_path)
    del f.entry(MEET)["value"]["given"]
    found = f.findings("one-sided")
    assert brief(found) == [("one-sided", "portfolio.yaml", 1, "entries")]
    assert found[0].message == "2 entries record value given to others; at least 3 should"
    f.portfolio["checks"] = {"min_value_given": 2}
    assert f.findings("one-sided") == []


def test_one_sided_points_at_the_learners_own_threshold(tmp_path):
    f = Folio(tmp_path)
    f.portfolio["checks"] = {"min_value_given": 4}
    assert brief(f.findings("one-sided")) == [
        ("one-sided", "portfolio.yaml", f.line_of("portfolio.yaml", "min_value_given"), "entries")]


def test_few_methods(tmp_path):
    f = Folio(tmp_path)
    f.entry("2026-02-05-call-bob")["methods"] = ["face-to-face"]
    f.entry("2026-03-20-email-both")["methods"] = ["face-to-face"]
    found = f.findings("few-methods")
    assert brief(found) == [("few-methods", "portfolio.yaml", 1, "entries")]
    assert "1 networking method (face-to-face); at least 2" in found[0].message
    f.entry("2026-03-20-email-both")["methods"] = ["linkedin"]
    assert f.findings("few-methods") == []


def test_few_methods_with_no_methods_at_all(tmp_path):
    f = Folio(tmp_path)
    for eid in list(f.entries):
        f.entry(eid).pop("methods", None)
    assert "0 networking methods (none recorded)" in f.findings("few-methods")[0].message


def test_no_reflection_names_missing_stages_at_the_reflection_key(tmp_path):
    f = Folio(tmp_path)
    front, _ = f.entries["2026-03-01-reflection"]
    f.entries["2026-03-01-reflection"] = (front, "## Description\n\nx\n\n## Feelings\n\n## Evaluation\n\n"
                                                 "## Analysis\n\n```\n## Conclusion\n```\n")
    found = f.findings("no-reflection")
    assert brief(found) == [("no-reflection", REFL_FILE, f.line_of(REFL_FILE, "reflection: gibbs"),
                             "2026-03-01-reflection")]
    assert found[0].message == "gibbs reflection lacks 2 stages as headings: Conclusion, Action plan"


def test_no_reflection_tolerates_case_numbering_and_spelling(tmp_path):
    f = Folio(tmp_path)
    front, _ = f.entries["2026-03-01-reflection"]
    f.entries["2026-03-01-reflection"] = (
        dict(front, reflection="kolb"),
        "# 1. CONCRETE EXPERIENCE\n\nx\n\nStage 2: Reflective observation\n---\n\n### Abstract conceptualization\n\n"
        "## Active Experimentation — what next\n")
    assert f.findings("no-reflection") == []
    front, _ = f.entries["2026-03-01-reflection"]
    f.entries["2026-03-01-reflection"] = (dict(front, reflection="gibbs"),
                                          "## description\n## FEELINGS\n## Evaluation\n## Analyse\n"
                                          "## Conclusions\n## Action Plan\n")
    assert f.findings("no-reflection") == []


def test_no_reflection_without_any_reflective_account(tmp_path):
    f = Folio(tmp_path)
    del f.entry("2026-03-01-reflection")["reflection"]
    found = f.findings("no-reflection")
    assert brief(found) == [("no-reflection", "portfolio.yaml", 1, "entries")]
    assert "0 reflective accounts using gibbs or kolb" in found[0].message
