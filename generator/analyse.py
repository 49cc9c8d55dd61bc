"""Stage 4 — analyse: decide every fact once (generator/analysis.py) and run every gap rule over the model.

Rules live in `generator/rules/` and register themselves in the one registry; they read the same
`Facts` the pages display (`settings.facts`), so a finding and a page cannot disagree.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from . import rules as _rules  # noqa: F401  (importing registers every rule)
from .analysis import Analysis, Facts
from .assessment.rules import state_of
from .registry import RuleSettings, gap_rules


@dataclass
class Settings:
    as_of: dt.date
    checks: dict
    model: object = field(default=None, repr=False)

    def __getattr__(self, name):
        if name == "facts":   # made on first use: the facts under exactly these settings
            self.facts = Facts(self.model, self)
            return self.facts
        try:
            return self.checks[name]
        except KeyError:
            raise AttributeError(name) from None


def analyse(model, as_of: dt.date) -> Analysis:
    """Every fact about the model, and the gap findings (after `checks.ignore` and `checks.severity`)."""
    settings = Settings(as_of, model.checks, model)
    facts = settings.facts
    analysis = Analysis(as_of, facts)
    analysis.frameworks = [facts.framework(fw) for fw in model.frameworks]
    for c in model.criteria.values():   # every auto criterion is evaluated, chosen unit or not
        facts.criterion(c)
    analysis.actions = [facts.action(a) for a in model.actions]
    # the assessment state reads the same facts (an auto criterion met by its rule counts as claimed)
    analysis.assessment = state_of(model, facts)
    ignore = set(model.checks.get("ignore") or [])
    severity = model.checks.get("severity") or {}
    for rule in gap_rules():
        if rule.name in ignore:
            continue
        for d in rule.check(model, RuleSettings(rule, settings)):
            analysis.findings.append(d.with_severity(severity[rule.name]) if rule.name in severity else d)
    return analysis
