"""Evidence rules: unevidenced-criterion, credit-rules, unmapped-entry, outside-qualification-dates."""
from __future__ import annotations

import datetime as dt

from rules_helpers import Folio, brief


def test_baseline_portfolio_has_no_findings(tmp_path):
    result = Folio(tmp_path).check()
    assert result.diagnostics == []
    assert result.coverage["percent"] == 100


# ---- unevidenced-criterion

def test_unevidenced_criterion_points_at_the_unit_ref_in_portfolio_yaml(tmp_path):
    f = Folio(tmp_path)
    f.entry("2026-02-05-call-bob")["criteria"] = ["A/2:1.1"]     # A/1:1.2 loses its only entry
    found = f.findings("unevidenced-criterion")
    line = f.line_of("portfolio.yaml", "- A/1")
    assert brief(found) == [("unevidenced-criterion", "portfolio.yaml", line, "A/1:1.2")]
    assert "0 entries of the 1 needed" in found[0].message
    assert found[0].severity == "warning"


def test_unevidenced_criterion_respects_min_evidence_per_criterion(tmp_path):
    f = Folio(tmp_path)
    f.portfolio["checks"] = {"min_evidence_per_criterion": 2}
    found = f.findings("unevidenced-criterion")
    # A/1:1.1 has two entries (the meeting and the email); every other criterion has one
    assert sorted(d.subject for d in found) == ["A/1:1.2", "A/2:1.1", "B/1:1.1", "C/1:1.1"]
    result = f.check()
    assert result.coverage["evidenced"] == 1 and result.coverage["total"] == 5


def test_criteria_of_units_not_chosen_are_not_flagged(tmp_path):
    f = Folio(tmp_path)
    # B/2 and C/2 have no evidence at all, and are not chosen: silent
    assert f.findings("unevidenced-criterion") == []


def test_auto_criterion_is_met_by_its_rule_not_by_entries(tmp_path):
    f = Folio(tmp_path)
    f.portfolio["frameworks"] = ["marks"]
    f.frameworks["marks"] = {"title": "Marks", "units": [{"ref": "MK", "title": "Marking points", "outcomes": [
        {"id": "1", "text": "Points", "criteria": [
            {"id": "1.1", "text": "Two methods", "auto": {"rule": "few-methods", "min_methods": 2}},
            {"id": "1.2", "text": "Four methods", "auto": {"rule": "few-methods", "min_methods": 4}},
            {"id": "1.3", "text": "Judged by the assessor"}]}]}]}
    f.entry("2026-01-10-meeting-ann")["criteria"].append("MK:1.3")
    result = f.check()
    crit = result.model.criteria
    facts = result.analysis.criterion
    assert facts(crit["MK:1.1"]).auto.met is True
    assert facts(crit["MK:1.2"]).auto.met is False
    found = [d for d in result.diagnostics if d.rule == "unevidenced-criterion"]
    assert brief(found) == [("unevidenced-criterion", "criteria/marks.yaml",
                             f.line_of("criteria/marks.yaml", "auto:", after="Four methods"), "MK:1.2")]
    assert "3 networking methods" in found[0].message and "at least 4" in found[0].message
    # coverage counts the auto result, each framework on its own: the qualification's 5 of 5, and
    # MK:1.1 (by its rule) and MK:1.3 (by its entry) of the 3 marking points — never 7 of 8 mixed
    assert (result.coverage["evidenced"], result.coverage["total"]) == (5, 5)
    marks = [fw for fw in result.coverage["frameworks"] if fw["framework"] == "marks"]
    assert [(fw["evidenced"], fw["total"], fw["units"]) for fw in marks] == [(2, 3, 1)]
    # the portfolio-wide few-methods rule (default 2) is silent: only the criterion's stricter parameter fails
    assert [d for d in result.diagnostics if d.rule == "few-methods"] == []


# ---- credit-rules

def test_credit_rules_mandatory_unit_missing_is_named(tmp_path):
    f = Folio(tmp_path)
    f.portfolio["qualification"]["units"] = ["A/1", "B/1", "B/2", "C/1"]
    found = f.findings("credit-rules")
    line = f.line_of("portfolio.yaml", "units:")
    messages = {d.subject: d.message for d in found}
    assert all((d.file, d.line) == ("portfolio.yaml", line) for d in found)
    assert "A/2 (Unit A/2)" in messages["group A"]
    assert "group A (Mandatory units) gives 3 credits, 2 short of the 5 required" in [d.message for d in found]


def test_credit_rules_group_minimum_and_total(tmp_path):
    f = Folio(tmp_path)
    f.portfolio["qualification"]["units"] = ["A/1", "A/2", "B/2", "C/1"]    # B gives 3 of 4, total 11 of 12
    msgs = [d.message for d in f.findings("credit-rules")]
    assert "group B (Optional units) gives 3 credits, 1 short of the 4 required" in msgs
    assert "the chosen units give 11 credits, 1 short of the 12 required" in msgs


def test_credit_rules_group_maximum_caps_the_total(tmp_path):
    f = Folio(tmp_path)
    f.portfolio["qualification"]["units"] = ["A/1", "A/2", "B/1", "C/1", "C/2"]    # C gives 5, max 3
    for ref in ("C/2:1.1",):
        f.entry("2026-03-01-reflection")["criteria"].append(ref)
    msgs = [d.message for d in f.findings("credit-rules")]
    assert any(m.startswith("group C (Optional units) gives 5 credits, 2 over the maximum of 3") for m in msgs)
    assert not any("short" in m for m in msgs)   # 5 + 4 + 3 (capped) = 12: enough


def test_credit_rules_silent_when_rules_met_or_absent(tmp_path):
    f = Folio(tmp_path)
    f.portfolio["qualification"]["units"] = ["A/1", "A/2", "B/1", "B/2"]      # 5 + 7 = 12, no C
    for ref in ("B/2:1.1",):
        f.entry("2026-03-01-reflection")["criteria"].append(ref)
    assert f.findings("credit-rules") == []
    f.frameworks["tiny"].pop("rules")
    f.portfolio["qualification"]["units"] = ["A/1"]
    assert f.findings("credit-rules") == []


# ---- unmapped-entry

def test_unmapped_entry_is_info_at_the_title(tmp_path):
    f = Folio(tmp_path)
    f.entry("2026-03-20-email-both")["criteria"] = []
    found = f.findings("unmapped-entry")
    file = "entries/2026-03-20-email-both.md"
    assert brief(found) == [("unmapped-entry", file, f.line_of(file, "title:"), "2026-03-20-email-both")]
    assert found[0].severity == "info"


def test_entry_with_only_unknown_criteria_is_not_also_unmapped(tmp_path):
    f = Folio(tmp_path)
    f.entry("2026-03-20-email-both")["criteria"] = ["A/1:9.9"]
    rules = {d.rule for d in f.findings()}
    assert "unknown-criterion" in rules and "unmapped-entry" not in rules


# ---- outside-qualification-dates

def test_entry_before_registration_or_after_as_of_is_flagged_at_its_date(tmp_path):
    f = Folio(tmp_path)
    f.portfolio["qualification"]["registered"] = "2026-01-20"      # after the meeting with Ann
    found = f.findings("outside-qualification-dates")
    file = "entries/2026-01-10-meeting-ann.md"
    assert brief(found) == [("outside-qualification-dates", file, f.line_of(file, "date:"), "2026-01-10-meeting-ann")]
    assert "before registration on 2026-01-20" in found[0].message
    future = f.findings("outside-qualification-dates", as_of=dt.date(2026, 3, 10))
    assert "2026-03-20-email-both" in {d.subject for d in future}


def test_prior_learning_before_registration_and_absent_dates_are_not_flagged(tmp_path):
    f = Folio(tmp_path)
    f.portfolio["qualification"]["registered"] = "2026-01-20"
    f.entry("2026-01-10-meeting-ann")["evidence_type"] = ["prior-learning"]
    assert f.findings("outside-qualification-dates") == []
    del f.portfolio["qualification"]["registered"]
    del f.frameworks["tiny"]["valid_from"], f.frameworks["tiny"]["valid_until"]
    assert f.findings("outside-qualification-dates") == []


def test_registration_outside_the_framework_dates(tmp_path):
    f = Folio(tmp_path)
    f.frameworks["tiny"]["valid_until"] = "2025-12-31"
    found = f.findings("outside-qualification-dates")
    assert brief(found) == [("outside-qualification-dates", "portfolio.yaml",
                             f.line_of("portfolio.yaml", "registered:"), "tiny")]
    assert "closed to registrations on 2025-12-31" in found[0].message
    f.frameworks["tiny"]["valid_until"] = "2026-01-01"     # the end date itself is still open
    assert f.findings("outside-qualification-dates") == []
    f.frameworks["tiny"]["valid_from"] = "2026-02-01"
    assert "before Tiny qualification opened" in f.findings("outside-qualification-dates")[0].message



def test_criterion_of_an_unchosen_unit_is_flagged_at_the_reference(tmp_path):
    f = Folio(tmp_path)
    f.entry("2026-02-05-call-bob")["criteria"].append("B/2:1.1")      # B/2 is not among the chosen units
    found = f.findings("criterion-unit-not-chosen")
    path = "entries/2026-02-05-call-bob.md"
    assert [(d.severity, d.file, d.line, d.subject) for d in found] == [
        ("warning", path, f.line_of(path, "- B/2:1.1"), "2026-02-05-call-bob")]
    assert "unit B/2 (Unit B/2)" in found[0].message and "not chosen" in found[0].message
    assert "add B/2 to `qualification.units`" in found[0].hint


def test_criteria_of_chosen_units_and_further_frameworks_are_not_flagged(tmp_path):
    f = Folio(tmp_path)
    assert f.findings("criterion-unit-not-chosen") == []                 # every baseline criterion is chosen
    f.entry("2026-02-05-call-bob")["criteria"].append("B/2:1.1")
    f.portfolio["qualification"]["units"].append("B/2")                 # choosing the unit settles it
    assert f.findings("criterion-unit-not-chosen") == []


def test_date_mismatch_between_file_name_and_date(tmp_path):
    f = Folio(tmp_path)
    f.entry("2026-02-05-call-bob")["date"] = "2026-02-06"
    found = f.findings("date-mismatch")
    path = "entries/2026-02-05-call-bob.md"
    assert [(d.severity, d.line, d.subject, d.message) for d in found] == [
        ("warning", f.line_of(path, "date:"), "2026-02-05-call-bob", "dated 2026-02-06, but the file name says 2026-02-05")]


def test_date_mismatch_silent_when_they_agree_or_the_name_has_no_date(tmp_path):
    f = Folio(tmp_path)
    assert f.findings("date-mismatch") == []
    f.entries["coffee-with-bob"] = f.entries.pop("2026-02-05-call-bob")   # a name without a date: nothing to compare
    assert f.findings("date-mismatch") == []
