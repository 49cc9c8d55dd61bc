"""Each criterion's and unit's assessment state, computed once from the records (templates only show it).

A criterion is, in this order of precedence:
- **stale** when the decision it rests on (its latest) judged evidence that has changed since;
- **met**, **not yet met** or **referred** as that latest decision says;
- **claimed** when the learner maps evidence to it (or its automatic rule is met) and no assessor has decided;
- **not started** otherwise.
"Sampled by IQA" is shown on top when an IQA sample includes the decision it rests on.
A unit is **signed off** when every criterion is met and its latest unit decision is met (and not stale).
"""
from __future__ import annotations

from dataclasses import dataclass, field

STATES = ("not-started", "claimed", "met", "not-yet", "referred", "stale")
# (label, icon): the icon is decoration beside the text, never the only signal (and never colour alone)
LABELS = {"not-started": ("Not started", "○"), "claimed": ("Claimed", "◔"), "met": ("Met", "✔"),
          "not-yet": ("Not yet met", "✘"), "referred": ("Referred", "↩"), "stale": ("Stale", "⚠")}
SAMPLED = ("Sampled by IQA", "◈")


@dataclass
class CriterionState:
    criterion: object
    state: str
    decision: object = None          # the latest decision on it (None: not decided)
    decisions: list = field(default_factory=list)
    sampled: bool = False
    claimed_since: object = None     # date of the earliest entry mapped to it

    @property
    def label(self) -> str:
        return LABELS[self.state][0]

    @property
    def icon(self) -> str:
        return LABELS[self.state][1]

    def as_dict(self) -> dict:
        return {"state": self.state, "label": self.label, "sampled": self.sampled,
                "decision": self.decision.id if self.decision else None,
                "decided": self.decision.date.isoformat() if self.decision and self.decision.date else None}


@dataclass
class UnitState:
    unit: object
    signed_off: bool
    decision: object = None          # the latest decision on the unit as a whole
    counts: dict = field(default_factory=dict)    # state -> number of criteria
    total: int = 0

    @property
    def met(self) -> int:
        return self.counts.get("met", 0)

    def as_dict(self) -> dict:
        return {"signed_off": self.signed_off, "met": self.met, "total": self.total,
                "counts": {s: self.counts.get(s, 0) for s in STATES},
                "decision": self.decision.id if self.decision else None,
                "decision_outcome": self.decision.outcome if self.decision else None,
                "decision_stale": bool(self.decision and self.decision.stale)}


@dataclass
class AssessmentState:
    criteria: dict                  # criterion ref -> CriterionState
    units: dict                     # unit ref -> UnitState
    current: list                   # decisions some criterion or unit rests on, by date
    stale: list                     # of those, the ones whose evidence changed
    judged: dict = field(default_factory=dict)   # id(entry) -> [(decision, changed)]: what judged it, oldest first

    def judging(self, entry) -> list:
        """The decisions that judged an entry (itself or one of its attachments), and whether what they
        judged of it has changed since."""
        return self.judged.get(id(entry), [])

    def of(self, criterion) -> CriterionState:
        return self.criteria[criterion.ref]

    def unit(self, unit) -> UnitState:
        return self.units[unit.ref]

    @property
    def open_claims(self) -> list:
        return sorted((s for s in self.criteria.values() if s.state == "claimed" and assessed(s.criterion.unit)),
                      key=lambda s: (s.claimed_since is None, s.claimed_since, s.criterion.ref))

    def credits(self, framework) -> tuple[int, int]:
        """(credits chosen, credits signed off) over the framework's chosen units."""
        chosen = [u for u in framework.units if u.chosen]
        return (sum(u.credits or 0 for u in chosen),
                sum(u.credits or 0 for u in chosen if self.units[u.ref].signed_off))

    in_use: bool = False            # the portfolio lists an assessor or holds a decision

    def summary(self, qualification) -> dict:
        """For the CLI summary and the check report: criteria per state, credits chosen and signed off."""
        chosen, signed = self.credits(qualification) if qualification is not None else (0, 0)
        return {"counts": self.counts(), "credits_chosen": chosen, "credits_signed_off": signed}

    def counts(self) -> dict:
        out = {s: 0 for s in STATES}
        for s in self.criteria.values():
            if assessed(s.criterion.unit):
                out[s.state] += 1
        return out


def assessed(unit) -> bool:
    """Units an assessor decides on: the qualification's chosen units (further frameworks, such as the
    examiners' marking points, show states too, but are not the assessor's caseload)."""
    return unit.chosen and unit.framework.is_qualification


def _claimed(criterion, facts) -> bool:
    auto = facts.criterion(criterion).auto if facts is not None else None
    if auto is not None and auto.met:
        return True
    return bool(criterion.evidence)


def compute(model, facts=None) -> AssessmentState:
    """The state of every criterion and unit of `model` (automatic rules must have been evaluated)."""
    records = model.assessment
    decisions = records.decisions if records else []
    on_criterion: dict = {}
    on_unit: dict = {}
    for d in decisions:                       # by date, then id: the last one wins
        for c in d.criteria:
            on_criterion.setdefault(c.ref, []).append(d)
        for u in d.units:
            on_unit.setdefault(u.ref, []).append(d)
    criteria = {}
    for ref, c in model.criteria.items():
        decided = on_criterion.get(ref, [])
        latest = decided[-1] if decided else None
        if latest is not None:
            state = "stale" if latest.stale else latest.outcome
        else:
            state = "claimed" if _claimed(c, facts) else "not-started"
        dates = [e.date for e in c.evidence if e.date]
        criteria[ref] = CriterionState(c, state, latest, decided, bool(latest and latest.samples),
                                       min(dates) if dates else None)
    units = {}
    for ref, u in model.units.items():
        counts = {}
        for c in u.criteria:
            st = criteria[c.ref].state
            counts[st] = counts.get(st, 0) + 1
        decided = on_unit.get(ref, [])
        latest = decided[-1] if decided else None
        total = len(u.criteria)
        signed = bool(latest and latest.outcome == "met" and not latest.stale and counts.get("met", 0) == total)
        units[ref] = UnitState(u, signed, latest, counts, total)
    current_ids = {id(s.decision) for s in criteria.values() if s.decision} | \
                  {id(s.decision) for s in units.values() if s.decision}
    current = [d for d in decisions if id(d) in current_ids]
    judged: dict = {}
    for d in decisions:
        mine: dict = {}
        for j in d.evidence:
            if j.entry is not None:
                mine[id(j.entry)] = mine.get(id(j.entry), False) or j.changed
        for eid, changed in mine.items():
            judged.setdefault(eid, []).append((d, changed))
    return AssessmentState(criteria, units, current, [d for d in current if d.stale], judged,
                           bool(decisions or (records and records.assessors)))
