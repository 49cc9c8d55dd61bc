"""docs/checks.md's rule reference is generated from the registry: it must match, and cover every rule."""
from __future__ import annotations

import re

import pytest

from generator import docs
from generator.auto import AUTO_RULES
from generator.registry import RULES


def test_committed_rule_reference_is_up_to_date():
    current = docs.DOC.read_text("utf-8")
    assert docs.update(current) == current, "run: make docs (python -m generator.docs)"


def test_reference_documents_every_rule_with_a_cited_why():
    text = docs.render()
    for rule in RULES.values():
        assert f"#### `{rule.name}`" in text
        assert re.search(r"\((000|001|003|004)\b[^)]*, [A-Z]", rule.why), f"{rule.name}: its `why` cites no seed section"
    for name, rule in AUTO_RULES.items():
        assert f"| `{name}` |" in text and re.search(r"\((000|001|003|004)\b[^)]*, [A-Z]", rule.why), name


def test_every_gap_rule_of_the_spec_is_registered():
    spec = {"unevidenced-criterion", "credit-rules", "overdue-action", "no-follow-up", "missing-consent",
            "review-due", "unjustified-contact", "dormant-contact", "one-sided", "few-methods", "narrow-networks",
            "no-reflection", "goal-not-smart", "goal-overdue", "outside-qualification-dates", "unmapped-entry"}
    issue_12 = {"criterion-unit-not-chosen", "date-mismatch", "contact-file-name"}
    issue_15 = {"stale-assessment", "unassessed-claim", "assessment-evidence-unmapped", "decision-before-evidence",
                "iqa-action-open", "missing-declaration", "late-record"}
    issue_13 = {"missing-ref"}
    assert {r.name for r in RULES.values() if r.kind == "gap"} == spec | issue_12 | issue_15 | issue_13
    assert RULES["contact-file-name"].severity == "info" and RULES["criterion-unit-not-chosen"].severity == "warning"
    assert RULES["unmapped-entry"].severity == "info"


def test_splice_replaces_only_the_region_and_refuses_without_markers(tmp_path):
    doc = f"before\n{docs.START}\nold\n{docs.END}\nafter\n"
    assert docs.splice(doc, "new\n") == f"before\n{docs.START}\nnew\n{docs.END}\nafter\n"
    with pytest.raises(ValueError):
        docs.splice("no markers", "x")
    stale = tmp_path / "checks.md"
    stale.write_text(doc + f"{docs.SETTINGS_START}\n{docs.SETTINGS_END}\n", "utf-8")
    assert docs.main(["--check", "--file", str(stale)]) == 1
    assert docs.main(["--file", str(stale)]) == 0
    assert docs.main(["--check", "--file", str(stale)]) == 0
