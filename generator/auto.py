"""`auto` criteria: a framework criterion met by the records themselves, through a named rule.

A criterion's `auto: {rule: NAME, param: value}` runs the gap rule NAME with its settings
overridden by the parameters. The criterion is met when the rule finds nothing; the result
keeps the reasons (the rule's messages) and the records that bear on it. Rules that have no
gap-rule counterpart (`log-over-time`, ...) are evaluators registered with `@auto_rule`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .registry import RULES

AUTO_RULES: dict = {}   # name -> fn(model, settings) -> AutoResult, for rules that are not gap rules


@dataclass
class AutoResult:
    rule: str
    met: bool
    reasons: list = field(default_factory=list)     # why not met (or notes), learner-worded
    evidence: list = field(default_factory=list)    # entries/contacts/goals that meet it
    params: dict = field(default_factory=dict)


def auto_rule(name, summary):
    def wrap(fn):
        AUTO_RULES[name] = (summary, fn)
        return fn
    return wrap


class _Overridden:
    """Settings with an auto rule's parameters laid over them."""

    def __init__(self, settings, params):
        self._settings, self._params = settings, params

    def __getattr__(self, name):
        if name in self._params:
            return self._params[name]
        return getattr(self._settings, name)


def evaluate_auto(auto: dict, model, settings) -> AutoResult:
    name = auto.get("rule")
    params = {k: v for k, v in auto.items() if k != "rule"}
    merged = _Overridden(settings, params)
    problems = param_problems(name, params)
    if problems:   # validation reports them as errors; here the criterion simply stays unmet
        return AutoResult(str(name), False, [message for _, message in problems], params=params)
    if name in AUTO_RULES:
        return AUTO_RULES[name][1](model, merged)
    rule = RULES[name]
    findings = list(rule.check(model, merged))
    evidence = list(getattr(rule.check, "evidence", lambda m, s: [])(model, merged))
    return AutoResult(name, not findings, [f.message for f in findings], evidence, params)


def _rule_fn(name):
    if name in AUTO_RULES:
        return AUTO_RULES[name][1]
    rule = RULES.get(name)
    return rule.check if rule is not None and rule.kind == "gap" else None


def _type_problem(key, value) -> str | None:
    """Parameters are counts, day spans, switches or model lists; their names say which."""
    if key == "models":
        ok = isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
        return None if ok else "should be a model name or a list of them, e.g. [gibbs, kolb]"
    if key.startswith("require_"):
        return None if isinstance(value, bool) else "should be true or false"
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return "should be a whole number, 0 or more"
    return None


def param_problems(name, params: dict) -> list:
    """(parameter, message) for each parameter the named rule does not take or cannot use."""
    fn = _rule_fn(name)
    if fn is None:
        return [("rule", f"unknown automatic rule '{name}'")]
    known = list(getattr(fn, "params", None) or {})
    out = []
    for key, value in params.items():
        if key not in known:
            takes = f"it takes {', '.join(known)}" if known else "it takes no parameters"
            out.append((key, f"rule '{name}' has no parameter '{key}' ({takes})"))
        elif (problem := _type_problem(key, value)) is not None:
            out.append((key, f"parameter '{key}' of rule '{name}' {problem}"))
    return out


def known_auto_rules() -> list:
    return sorted(set(AUTO_RULES) | {r.name for r in RULES.values() if r.kind == "gap"})
