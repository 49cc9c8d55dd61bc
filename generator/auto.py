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
    if name in AUTO_RULES:
        return AUTO_RULES[name][1](model, merged)
    rule = RULES.get(name)
    if rule is None or rule.kind != "gap":
        return AutoResult(str(name), False, [f"unknown automatic rule '{name}'"], params=params)
    findings = list(rule.check(model, merged))
    evidence = list(getattr(rule.check, "evidence", lambda m, s: [])(model, merged))
    return AutoResult(name, not findings, [f.message for f in findings], evidence, params)


def known_auto_rules() -> list:
    return sorted(set(AUTO_RULES) | {r.name for r in RULES.values() if r.kind == "gap"})
