"""The registry is the one source of every rule's parameters: the settings schema, the default settings,
`auto` parameter checks and every default quoted in the docs follow it, and a new rule needs nothing else."""
from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from generator import docs, rules  # noqa: F401  (registers every rule)

import factory
from generator.model import default_checks
from generator.registry import (AUTO_RULES, RULES, Param, Rule, RuleSettings, checks_schema_properties, count,
                                general_settings, gap_rules, setting_param)

ROOT = Path(__file__).resolve().parents[1]


def _all_params():
    return [p for r in [*RULES.values(), *AUTO_RULES.values()] for p in r.params] + general_settings()


def test_every_default_is_valid_under_its_own_schema():
    for p in _all_params():
        if p.default is not None:
            assert Draft202012Validator(p.schema).is_valid(p.default), p.name


def test_the_shipped_settings_schema_says_what_the_registry_says():
    checks = json.loads((ROOT / "generator" / "schemas" / "portfolio.schema.json").read_text())["properties"]["checks"]
    props = checks["properties"]
    settings = [p for r in RULES.values() for p in r.params if p.setting] + general_settings()   # validation rules too (personal-data)
    assert list(props) == [p.name for p in settings]
    for p in settings:
        assert {k: props[p.name][k] for k in p.schema} == p.schema, p.name
        if p.default not in ([], {}):
            assert f"(default {json.dumps(p.default)})" in props[p.name]["description"], p.name
    gap_names = sorted(r.name for r in gap_rules())
    assert props["ignore"]["items"]["enum"] == gap_names
    assert props["severity"]["propertyNames"]["enum"] == gap_names


def test_default_checks_come_from_the_rules():
    expected = {p.name: p.default for r in RULES.values() for p in r.params if p.setting}
    expected.update({"ignore": [], "severity": {}, "group_over": 10})
    assert default_checks() == expected


# "`review_interval_days` ... (default 90)", "checks.min_value_given (default 3)": any default the prose quotes
QUOTED = re.compile(r"`(?:checks\.)?([a-z_]+)`[^`\n]{0,120}?\(default:? ([^)]+)\)")


def _quoted_defaults():
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for lineno, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            for m in QUOTED.finditer(line):
                yield path.relative_to(ROOT), lineno, m.group(1), m.group(2)


def test_every_default_quoted_in_the_docs_is_the_registrys():
    found = 0
    for path, lineno, name, said in _quoted_defaults():
        p = setting_param(name)
        if p is None:
            continue
        found += 1
        assert said.strip() == str(p.default), f"{path}:{lineno}: `{name}` quoted with default {said}, is {p.default}"
    assert found >= len(default_checks()) - 3   # the records and checks references quote each setting


@pytest.fixture
def scratch_rules():
    """Rules registered by a test are gone after it."""
    before = dict(RULES)
    yield
    RULES.clear()
    RULES.update(before)


def _documented_example() -> str:
    """The code block of docs/checks.md's "Adding a rule" section."""
    text = (ROOT / "docs" / "checks.md").read_text("utf-8").split("## Adding a rule", 1)[1]
    return textwrap.dedent(text.split("```python\n", 1)[1].split("```", 1)[0])


def test_the_documented_new_rule_is_one_function_and_reaches_everything(scratch_rules, tmp_path):
    """What docs/checks.md ("Adding a rule") promises: its example, pasted into a family module, is a working
    rule with a setting, in the settings schema, the defaults and the reference, with nothing else edited."""
    from generator.rules import diary
    namespace = dict(vars(diary))
    exec(_documented_example(), namespace)   # as if written at the end of generator/rules/diary.py

    from generator import registry
    assert RULES["few-introductions"].check is namespace["few_introductions"]
    assert registry.default_checks()["min_introductions"] == 1
    props = checks_schema_properties()
    assert props["min_introductions"]["type"] == "integer" and "(default 1)" in props["min_introductions"]["description"]
    assert "few-introductions" in props["ignore"]["items"]["enum"]
    text = docs.render()
    assert "#### `few-introductions`" in text and "`min_introductions` (`checks` setting and `auto` parameter)" in text

    # it runs: fires on a diary with no introduction, and not once one is logged
    fired = [d for d in factory.check(tmp_path / "a").diagnostics if d.rule == "few-introductions"]
    assert [(d.severity, d.message) for d in fired] == [("warning", "0 introductions; at least 1 expected")]
    intro = factory.ENTRY.replace("kind: meeting", "kind: introduction")
    quiet = factory.check(tmp_path / "b", {"entries/2026-09-10-breakfast.md": intro})
    assert not [d for d in quiet.diagnostics if d.rule == "few-introductions"]


def test_rule_settings_layer_auto_parameters_over_checks_over_defaults():
    rule = Rule("r", "warning", "gap", "s", None, params=(
        count("a", 1, "A", "a"), Param("b", "x", {"type": "string"}, "B", "b", setting=False)))

    class S:
        a = 5
    view = RuleSettings(rule, S())
    assert (view.a, view.b) == (5, "x")
    assert RuleSettings(rule, S(), {"a": 7, "b": "y"}).a == 7
    with pytest.raises(AttributeError):
        view.c
