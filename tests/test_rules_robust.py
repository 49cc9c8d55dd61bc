"""Sparse portfolios: missing optional sections, empty lists and contacts with no entries never crash a rule."""
from __future__ import annotations

import datetime as dt

from rules_helpers import Folio


def test_a_portfolio_with_only_the_required_sections(tmp_path):
    f = Folio(tmp_path)
    f.portfolio = {"learner": {"name": "Sam"}, "qualification": {"framework": "tiny", "units": ["A/1"]}}
    f.contacts.clear()
    f.entries.clear()
    result = f.check()
    rules = sorted({d.rule for d in result.diagnostics})
    assert rules == ["credit-rules", "few-methods", "narrow-networks", "no-reflection", "one-sided",
                     "unevidenced-criterion"]
    assert all(d.severity == "warning" for d in result.diagnostics)
    assert (result.coverage["evidenced"], result.coverage["total"]) == (0, 2)


def test_empty_lists_and_bare_records(tmp_path):
    f = Folio(tmp_path)
    f.portfolio.update({"networks": [], "goals": [{"id": "bare", "statement": "Something.", "status": "planned"}],
                        "frameworks": [], "checks": {"ignore": [], "severity": {}}})
    f.contacts["bare"] = {"name": "B", "reviews": [], "networks": [], "goals": [], "consent": {}}
    f.entries["2026-03-02-bare"] = ({"title": "Bare", "date": "2026-03-02", "kind": "meeting", "contacts": [],
                                     "actions": [], "methods": [], "criteria": [], "discussion": []}, "")
    found = {(d.rule, d.subject) for d in f.findings(as_of=dt.date(2030, 1, 1))}
    assert ("goal-not-smart", "bare") in found
    assert ("unmapped-entry", "2026-03-02-bare") in found
    assert ("narrow-networks", "networks") in found
    assert not {r for r, _ in found} & {"goal-overdue"}        # no target date: cannot be overdue


def test_dates_at_the_ends_of_the_calendar_never_crash_a_rule(tmp_path):
    # 9999-12-31 plus a review interval or a follow-up window is past the calendar's end
    f = Folio(tmp_path)
    f.contacts["ann-lee"]["met"]["date"] = "9999-12-31"
    f.contacts["ann-lee"]["reviews"] = [{"date": "9999-12-31"}]
    f.contacts["bob-roe"]["reviews"] = [{"date": "0001-01-01"}]
    f.entries["9999-12-31-late"] = ({"title": "Late", "date": "9999-12-31", "kind": "meeting",
                                     "contacts": ["ann-lee"]}, "")
    findings = f.findings()
    found = {(d.rule, d.subject) for d in findings}
    assert ("no-follow-up", "9999-12-31-late") not in found     # its follow-up window has not passed (nor can it)
    assert ("outside-qualification-dates", "9999-12-31-late") in found
    [due] = [d for d in findings if d.rule == "review-due"]      # Bob, reviewed in year 1; not Ann
    assert "last reviewed on 0001-01-01" in due.message


def test_a_huge_interval_is_never_due(tmp_path):
    f = Folio(tmp_path)
    f.portfolio["checks"] = {"review_interval_days": 10 ** 12, "follow_up_within_days": 10 ** 12}
    f.contacts["ann-lee"]["reviews"] = [{"date": "2020-01-01"}]
    assert not [d for d in f.findings(as_of=dt.date(2030, 1, 1)) if d.rule == "review-due"]
