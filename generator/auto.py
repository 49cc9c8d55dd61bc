"""`auto` criteria: a framework criterion met by the records themselves, through a named rule.

A criterion's `auto: {rule: NAME, param: value}` runs the gap rule NAME with its settings
overridden by the parameters. The criterion is met when the rule finds nothing; the result
keeps the reasons (the rule's messages) and the records that bear on it. Rules that have no
gap-rule counterpart (`log-over-time`, ...) are registered with `@auto_only_rule` and return an
`AutoResult` themselves. Parameters are checked against the schemas their rule declares.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from jsonschema import Draft202012Validator

from .registry import AUTO_RULES, RULES, RuleSettings


@dataclass
class AutoResult:
    rule: str
    met: bool
    reasons: list = field(default_factory=list)     # why not met (or notes), learner-worded
    evidence: list = field(default_factory=list)    # entries/contacts/goals that meet it
    params: dict = field(default_factory=dict)


def evaluate_auto(auto: dict, model, settings) -> AutoResult:
    name = auto.get("rule")
    params = {k: v for k, v in auto.items() if k != "rule"}
    problems = param_problems(name, params)
    if problems:   # validation reports them as errors; here the criterion simply stays unmet
        return AutoResult(str(name), False, [message for _, message in problems], params=params)
    rule = _rule(name)
    merged = RuleSettings(rule, settings, params)
    if rule.kind == "auto":
        return rule.check(model, merged)
    findings = list(rule.check(model, merged))
    evidence = list(rule.evidence(model, merged)) if rule.evidence else []
    return AutoResult(name, not findings, [f.message for f in findings], evidence, params)


def _rule(name):
    if name in AUTO_RULES:
        return AUTO_RULES[name]
    rule = RULES.get(name) if isinstance(name, str) else None
    return rule if rule is not None and rule.kind == "gap" else None


def _expected(schema: dict) -> str:
    """What a parameter's schema asks for, in the learner's words."""
    if schema.get("type") == "boolean":
        return "true or false"
    if schema.get("type") == "integer":
        return f"a whole number, {schema.get('minimum', 0)} or more"
    if "anyOf" in schema:
        names = next((s["enum"] for s in schema["anyOf"] if "enum" in s), [])
        return f"one of {', '.join(names)}, or a list of them, e.g. [{', '.join(names)}]"
    return "a value of type " + str(schema.get("type"))


def param_problems(name, params: dict) -> list:
    """(parameter, message) for each parameter the named rule does not take or cannot use."""
    rule = _rule(name)
    if rule is None:
        return [("rule", f"unknown automatic rule '{name}'")]
    known = [p.name for p in rule.params]
    out = []
    for key, value in params.items():
        param = rule.param(key)
        if param is None:
            takes = f"it takes {', '.join(known)}" if known else "it takes no parameters"
            out.append((key, f"rule '{name}' has no parameter '{key}' ({takes})"))
        elif not Draft202012Validator(param.schema).is_valid(value):
            out.append((key, f"parameter '{key}' of rule '{name}' should be {_expected(param.schema)}"))
    return out


def known_auto_rules() -> list:
    return sorted(set(AUTO_RULES) | {r.name for r in RULES.values() if r.kind == "gap"})
