"""Stage 4 — analyse: run every gap rule over the model and apply the learner's settings.

Rules live in `generator/rules/` and register themselves in the one registry. Criteria that
carry `auto` are evaluated here too, and the result is stored on the criterion for the site.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from . import rules as _rules  # noqa: F401  (importing registers every rule)
from .auto import evaluate_auto
from .registry import RuleSettings, gap_rules


@dataclass
class Settings:
    as_of: dt.date
    checks: dict

    def __getattr__(self, name):
        try:
            return self.checks[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class Coverage:
    units: list = field(default_factory=list)   # per chosen unit: {ref, title, evidenced, total, percent}
    evidenced: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.evidenced / self.total) if self.total else 0

    def as_dict(self) -> dict:
        return {"evidenced": self.evidenced, "total": self.total, "percent": self.percent,
                "units": len(self.units), "per_unit": self.units}


def is_met(criterion, minimum: int) -> bool:
    """A criterion counts as evidenced by enough entries, or by its automatic rule."""
    if criterion.auto_result is not None:
        return criterion.auto_result.met
    return len(criterion.evidence) >= minimum


def coverage(model, minimum: int) -> Coverage:
    cov = Coverage()
    for unit in model.chosen_units:
        crits = unit.criteria
        done = sum(1 for c in crits if is_met(c, minimum))
        cov.units.append({"ref": unit.ref, "title": unit.title, "framework": unit.framework.id,
                          "evidenced": done, "total": len(crits),
                          "percent": round(100 * done / len(crits)) if crits else 0})
        cov.evidenced += done
        cov.total += len(crits)
    return cov


def analyse(model, as_of: dt.date) -> tuple[list, Coverage]:
    """Return the gap findings (after `checks.ignore` and `checks.severity`) and the coverage."""
    settings = Settings(as_of, model.checks)
    for criterion in model.criteria.values():
        if criterion.auto:
            criterion.auto_result = evaluate_auto(criterion.auto, model, settings)
    ignore = set(model.checks.get("ignore") or [])
    severity = model.checks.get("severity") or {}
    findings = []
    for rule in gap_rules():
        if rule.name in ignore:
            continue
        for d in rule.check(model, RuleSettings(rule, settings)):
            findings.append(d.with_severity(severity[rule.name]) if rule.name in severity else d)
    return findings, coverage(model, settings.min_evidence_per_criterion)
