"""`auto` criteria: gap rules with parameters, the auto-only evaluators, and validation of rule names."""
from __future__ import annotations

import pytest
import yaml

from generator.auto import known_auto_rules
from rules_helpers import Folio



def autos(f: Folio, *rules: dict) -> list:
    """Evaluate each auto spec as a criterion of a further framework; return their AutoResults."""
    f.portfolio["frameworks"] = ["marks"]
    f.frameworks["marks"] = {"title": "Marks", "units": [{"ref": "MK", "title": "Marks", "outcomes": [
        {"id": "1", "text": "Points", "criteria": [
            {"id": f"1.{i}", "text": f"Point {i}", "auto": auto} for i, auto in enumerate(rules, 1)]}]}]}
    result = f.check()
    assert not [d for d in result.diagnostics if d.severity == "error"], result.diagnostics
    return [result.analysis.criterion(result.model.criteria[f"MK:1.{i}"]).auto for i in range(1, len(rules) + 1)]


def test_gap_rules_as_auto_rules_take_parameters(tmp_path):
    f = Folio(tmp_path)
    del f.contacts["ann-lee"]["consent"]["privacy_notice"]
    r = autos(f, {"rule": "one-sided", "min_given": 3}, {"rule": "one-sided", "min_given": 4},
              {"rule": "missing-consent", "require_privacy_notice": False},
              {"rule": "missing-consent", "require_privacy_notice": True},
              {"rule": "review-due", "review_interval_days": 90}, {"rule": "review-due", "review_interval_days": 30},
              {"rule": "no-reflection", "models": ["gibbs", "kolb"], "min": 1},
              {"rule": "no-reflection", "models": ["kolb"], "min": 1},
              {"rule": "narrow-networks"}, {"rule": "unjustified-contact"}, {"rule": "goal-not-smart"},
              {"rule": "no-follow-up"}, {"rule": "few-methods", "min_methods": 3})
    assert [x.met for x in r] == [True, False, True, False, True, False, True, False, True, True, True, True, True]
    assert r[1].reasons == ["3 entries record value given to others; at least 4 should"]
    assert r[1].params == {"min_given": 4}
    assert len(r[0].evidence) == 3                       # the entries that record value given
    assert [c.id for c in r[3].evidence] == ["bob-roe"]   # Ann has no privacy notice
    assert r[5].reasons and all("due since" in x for x in r[5].reasons)
    assert [e.id for e in r[6].evidence] == ["2026-03-01-reflection"]
    assert [n.id for n in r[8].evidence] == ["inside", "outside"]


def test_auto_only_rules(tmp_path):
    f = Folio(tmp_path)
    f.portfolio["goals"][0]["revisions"] = [{"date": "2026-02-01", "change": "Eight, not ten.", "why": "Depth."}]
    f.portfolio["self_assessment"] = {"date": "2026-01-02", "tool": "skills audit", "areas": [
        {"area": "Networking", "rating": 2}, {"area": "Chairing", "rating": 3}]}
    f.entries["2026-03-25-feedback"] = ({"title": "Feedback from my manager", "date": "2026-03-25", "kind": "feedback",
                                         "criteria": ["A/1:1.1"],
                                         "actions": [{"do": "Timed agenda", "due": "2026-03-30", "done": "2026-03-28"}]},
                                        "Body.\n")
    f.entries["2026-03-26-testimony"] = ({"title": "@ann-lee's statement", "date": "2026-03-26", "kind": "testimony",
                                          "criteria": ["A/1:1.1"], "contacts": ["ann-lee"],
                                          "witness": {"contact": "ann-lee", "confirmed": "by email"}}, "Body.\n")
    r = autos(f, {"rule": "log-over-time", "min_entries": 6, "min_months": 2},
              {"rule": "log-over-time", "min_entries": 7, "min_months": 3},
              {"rule": "feedback-acted-on", "min": 1}, {"rule": "feedback-acted-on", "min": 2},
              {"rule": "plan-revised", "min": 1}, {"rule": "plan-revised", "min": 2},
              {"rule": "self-assessment", "min_areas": 2}, {"rule": "self-assessment", "min_areas": 3},
              {"rule": "witness-testimony", "min": 1}, {"rule": "witness-testimony", "min": 2})
    assert [x.met for x in r] == [True, False] * 5
    assert r[1].reasons == ["6 entries in the diary; at least 7 expected",
                            "the diary spans 2 months; at least 3 expected"]
    assert [e.id for e in r[2].evidence] == ["2026-03-25-feedback"]
    assert r[7].reasons == ["2 areas rated; at least 3 expected"]
    assert [e.id for e in r[8].evidence] == ["2026-03-26-testimony"]


def test_auto_only_rules_on_an_empty_portfolio_do_not_crash(tmp_path):
    f = Folio(tmp_path)
    f.entries.clear()
    f.contacts.clear()
    f.portfolio.pop("goals")
    r = autos(f, {"rule": "log-over-time"}, {"rule": "feedback-acted-on"}, {"rule": "plan-revised"},
              {"rule": "self-assessment"}, {"rule": "witness-testimony"}, {"rule": "no-reflection"},
              {"rule": "few-methods"}, {"rule": "review-due"}, {"rule": "no-follow-up"})
    assert [x.met for x in r] == [False] * 7 + [True, True]
    assert r[3].reasons == ["no self_assessment in portfolio.yaml"]


def test_unknown_auto_rule_is_a_schema_error_with_did_you_mean(tmp_path):
    f = Folio(tmp_path)
    f.portfolio["frameworks"] = ["marks"]
    f.frameworks["marks"] = {"title": "Marks", "units": [{"ref": "MK", "title": "Marks", "outcomes": [
        {"id": "1", "text": "Points", "criteria": [{"id": "1.1", "text": "x", "auto": {"rule": "few-method"}}]}]}]}
    found = [d for d in f.findings() if d.rule == "schema"]
    assert [(d.file, d.line, d.severity, d.subject) for d in found] == [
        ("criteria/marks.yaml", f.line_of("criteria/marks.yaml", "rule: few-method"), "error", "MK:1.1")]
    assert found[0].message == "unknown automatic rule 'few-method' (did you mean 'few-methods'?)"
    assert found[0].column == f.root.joinpath("criteria/marks.yaml").read_text().split("\n")[
        found[0].line - 1].index("few-method") + 1


def test_known_auto_rules_cover_gap_and_auto_only_rules():
    known = known_auto_rules()
    assert {"few-methods", "one-sided", "log-over-time", "feedback-acted-on", "plan-revised",
            "self-assessment", "witness-testimony"} <= set(known)


def test_the_shipped_marking_points_use_only_known_auto_rules():
    from generator import shipped
    path = shipped.criteria() / "networking-marking-points.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    used = {c["auto"]["rule"] for u in data["units"] for o in u["outcomes"] for c in o["criteria"] if c.get("auto")}
    assert used and used <= set(known_auto_rules())


def test_auto_parameters_are_validated_and_never_crash_the_check(tmp_path):
    f = Folio(tmp_path)
    f.portfolio["frameworks"] = ["marks"]
    f.frameworks["marks"] = {"title": "Marks", "units": [{"ref": "MK", "title": "Marks", "outcomes": [
        {"id": "1", "text": "Points", "criteria": [
            {"id": "1.1", "text": "x", "auto": {"rule": "few-methods", "min_method": 2}},
            {"id": "1.2", "text": "y", "auto": {"rule": "few-methods", "min_methods": "two"}},
            {"id": "1.3", "text": "z", "auto": {"rule": "narrow-networks", "min": 1}},
            {"id": "1.4", "text": "w", "auto": {"rule": "few-methods", "min_methods": 3}}]}]}]}
    result = f.check()
    errors = [(d.rule, d.line, d.subject, d.message) for d in result.diagnostics if d.severity == "error"]
    path = "criteria/marks.yaml"
    assert errors == [
        ("schema", f.line_of(path, "min_method:"), "MK:1.1",
         "rule 'few-methods' has no parameter 'min_method' (it takes min_methods)"),
        ("schema", f.line_of(path, "min_methods: two"), "MK:1.2",
         "parameter 'min_methods' of rule 'few-methods' should be a whole number, 1 or more"),
        ("schema", f.line_of(path, "min: 1"), "MK:1.3",
         "rule 'narrow-networks' has no parameter 'min' (it takes no parameters)")]
    crit = result.model.criteria
    assert [result.analysis.criterion(crit[f"MK:1.{i}"]).auto.met for i in range(1, 5)] == [False, False, False, True]
