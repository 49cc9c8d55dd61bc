"""The analysis: every fact about the records, decided once, as typed values.

`Facts` computes each fact on first use and keeps it, for one set of settings; the analyse stage
gathers them into an `Analysis`, and the gap rules read the same `Facts` (through
`settings.facts`), so a page and a finding can never disagree: the review date a contact's page
shows is the one `review-due` counts from, the credit rules the qualification page lists are the
ones `credit-rules` reports. Render, export, portfolio.json, the CSVs and the CLI summary only
display these values; nothing after this stage decides whether something is met, due or overdue.

An `auto` criterion's rule may itself be overridden (its parameters laid over the settings): that
evaluation gets its own `Facts`, so every fact is still computed by the one function that defines it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .model import Goal, add_days

# Criterion states. The assessment stage may add more (claimed, not yet met, referred, stale...):
# `state` is the one field pages show; `met` says whether it counts towards coverage.
MET, GAP = "met", "gap"


@dataclass(eq=False)
class CriterionFacts:
    criterion: object
    evidence: list                 # the entries that cite it, by date
    met: bool
    state: str                     # MET or GAP (see above)
    auto: object = None            # auto.AutoResult for an `auto` criterion: the rule, result, reasons, records
    minimum: int = 1               # entries needed when it is not `auto`

    @property
    def shortfall(self) -> int:
        return 0 if self.auto is not None else max(0, self.minimum - len(self.evidence))


@dataclass(eq=False)
class UnitFacts:
    unit: object
    criteria: list                 # CriterionFacts, in the unit's order
    met: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.met / self.total) if self.total else 0


@dataclass(eq=False)
class CreditRule:
    label: str                     # how the qualification page names it
    met: bool
    detail: str                    # the figures behind the result
    message: str = ""              # the finding's wording when not met
    subject: str = ""


@dataclass(eq=False)
class FrameworkFacts:
    """Coverage of one framework's chosen units (every unit, for a framework beside the qualification)."""

    framework: object
    units: list                    # UnitFacts of the chosen units
    credit_rules: list             # CreditRule, total first, then per group

    @property
    def met(self) -> int:
        return sum(u.met for u in self.units)

    @property
    def total(self) -> int:
        return sum(u.total for u in self.units)

    @property
    def percent(self) -> int:
        return round(100 * self.met / self.total) if self.total else 0

    @property
    def credits_chosen(self) -> int:
        return _credits(u.unit for u in self.units)

    @property
    def credits_met(self) -> bool:
        return all(r.met for r in self.credit_rules)

    def as_dict(self) -> dict:
        return {"framework": self.framework.id, "evidenced": self.met, "total": self.total, "percent": self.percent,
                "units": len(self.units),
                "per_unit": [{"ref": u.unit.ref, "title": u.unit.title, "framework": self.framework.id,
                              "evidenced": u.met, "total": u.total, "percent": u.percent} for u in self.units]}


@dataclass(eq=False)
class ContactFacts:
    contact: object
    last_interaction: dt.date | None
    last_review: object            # model.Review or None
    review_base: dt.date | None    # what the review interval counts from: last review, else met, else first entry
    review_since: str              # how that date is worded: "last reviewed on ..."
    next_review: dt.date | None    # None: not a current or potential contact, or nothing to count from
    review_due: bool               # a current contact whose next_review is before --as-of
    quiet_since: dt.date | None    # last entry, else the meeting: what dormancy counts from
    quiet_days: int | None
    dormant: bool                  # current, and quiet for longer than dormant_after_days


@dataclass(eq=False)
class ActionFacts:
    action: object
    status: str                    # done | overdue | open
    days_overdue: int = 0


@dataclass(eq=False)
class GoalFacts:
    goal: object
    missing_smart: list            # SMART parts not filled in
    overdue: bool                  # past time_bound and neither achieved nor dropped


SMART = Goal.SMART


class Facts:
    """Each fact about the model under one set of settings, computed on first use and kept."""

    def __init__(self, model, settings):
        self.model, self.settings = model, settings
        self._memo: dict = {}
        self._evaluating: set = set()

    def _get(self, kind, obj, make):
        key = (kind, obj)
        if key not in self._memo:
            self._memo[key] = make(obj)
        return self._memo[key]

    # -- criteria, units, frameworks --------------------------------------------------------------
    def criterion(self, c) -> CriterionFacts:
        return self._get("criterion", c, self._criterion)

    def _criterion(self, c) -> CriterionFacts:
        from .auto import evaluate_auto    # auto runs rules, which read these facts
        minimum = int(self.settings.min_evidence_per_criterion)
        result = None
        if c.auto and c not in self._evaluating:
            # a rule that reads criteria (unevidenced-criterion) as an auto rule would ask about this very
            # criterion again: for that inner look it counts by its entries
            self._evaluating.add(c)
            try:
                result = evaluate_auto(c.auto, self.model, self.settings)
            finally:
                self._evaluating.discard(c)
        met = result.met if result is not None else len(c.evidence) >= minimum
        return CriterionFacts(c, list(c.evidence), met, MET if met else GAP, result, minimum)

    def unit(self, u) -> UnitFacts:
        return self._get("unit", u, self._unit)

    def _unit(self, u) -> UnitFacts:
        crits = [self.criterion(c) for c in u.criteria]
        return UnitFacts(u, crits, sum(1 for c in crits if c.met), len(crits))

    def framework(self, fw) -> FrameworkFacts:
        return self._get("framework", fw, self._framework)

    def _framework(self, fw) -> FrameworkFacts:
        return FrameworkFacts(fw, [self.unit(u) for u in fw.units if u.chosen], credit_rules(fw))

    # -- contacts, actions, goals -------------------------------------------------------------------
    def contact(self, c) -> ContactFacts:
        return self._get("contact", c, self._contact)

    def _contact(self, c) -> ContactFacts:
        as_of = self.settings.as_of
        dates = [e.date for e in c.entries if e.date]
        last = max(dates) if dates else None
        reviews = [r for r in c.reviews if r.date]
        last_review = max(reviews, key=lambda r: r.date) if reviews else None
        if last_review:
            base, since = last_review.date, f"last reviewed on {last_review.date}"
        elif c.met_date:
            base, since = c.met_date, f"never reviewed since meeting on {c.met_date}"
        elif dates:
            base, since = min(dates), f"never reviewed since the first entry on {min(dates)}"
        else:
            base, since = None, ""
        current = c.status == "current"
        # current and potential relationships are reviewed; only a current one's review can be overdue
        # (review-due flags current contacts), so a potential contact's date is shown, never "overdue"
        reviewed = c.status in ("current", "potential")
        nxt = add_days(base, self.settings.review_interval_days) if reviewed and base else None
        quiet = last or c.met_date
        quiet_days = (as_of - quiet).days if quiet else None
        dormant = bool(current and quiet_days is not None and quiet_days > int(self.settings.dormant_after_days))
        return ContactFacts(c, last, last_review, base, since, nxt, bool(current and nxt and nxt < as_of), quiet,
                            quiet_days, dormant)

    def action(self, a) -> ActionFacts:
        return self._get("action", a, self._action)

    def _action(self, a) -> ActionFacts:
        if a.done is not None:
            return ActionFacts(a, "done")
        as_of = self.settings.as_of
        if a.due is not None and a.due < as_of:
            return ActionFacts(a, "overdue", (as_of - a.due).days)
        return ActionFacts(a, "open")

    def goal(self, g) -> GoalFacts:
        return self._get("goal", g, self._goal)

    def _goal(self, g) -> GoalFacts:
        missing = [p for p in SMART if not (g.time_bound if p == "time_bound" else str(getattr(g, p) or "").strip())]
        overdue = bool(g.time_bound and g.status not in ("achieved", "dropped") and g.time_bound < self.settings.as_of)
        return GoalFacts(g, missing, overdue)


def _credits(units) -> int:
    return sum(u.credits or 0 for u in units)


def _plural(n: int, word: str, words: str) -> str:
    return f"{n} {word if n == 1 else words}"


def credit_rules(fw) -> list:
    """The framework's credit rules over its chosen units, each with its result: the minimum total first,
    then each group's. Credits above a group's maximum do not count towards the total."""
    rules = fw.rules
    if not rules:
        return []
    chosen = [u for u in fw.units if u.chosen]
    out, counted, grouped = [], 0, set()
    for g in rules.get("groups") or []:
        name = g.get("group")
        grouped.add(name)
        heading = f"Group {name}" + (f" ({g['title']})" if g.get("title") else "")
        label = f"group {name}" + (f" ({g['title']})" if g.get("title") else "")
        got = _credits(u for u in chosen if u.group == name)
        if g.get("mandatory"):
            missing = [u for u in fw.units if u.group == name and not u.chosen]
            names = ", ".join(f"{u.ref} ({u.title})" for u in missing)
            out.append(CreditRule(f"{heading}: every unit is mandatory", not missing,
                                  "all chosen" if not missing else "missing " + ", ".join(u.ref for u in missing),
                                  f"{label} is mandatory but {_plural(len(missing), 'unit is', 'units are')} "
                                  f"not chosen: {names}", f"group {name}"))
        if g.get("min") is not None:
            out.append(CreditRule(f"{heading}: at least {g['min']} credits", got >= g["min"], f"{got} credits chosen",
                                  f"{label} gives {got} credits, {g['min'] - got} short of the {g['min']} required",
                                  f"group {name}"))
        if g.get("max") is not None:
            out.append(CreditRule(f"{heading}: at most {g['max']} credits", got <= g["max"], f"{got} credits chosen",
                                  f"{label} gives {got} credits, {got - g['max']} over the maximum of {g['max']} "
                                  f"(the extra credits do not count towards the total)", f"group {name}"))
            got = min(got, g["max"])
        counted += got
    counted += _credits(u for u in chosen if u.group not in grouped)
    need = rules.get("min_total")
    if need is not None:
        total = _credits(chosen)
        extra = f" ({total} chosen, but some exceed a group maximum)" if total != counted else ""
        detail = f"{counted} credits count" + extra if extra else f"{total} credits chosen"
        out.insert(0, CreditRule(f"At least {need} credits in total", counted >= need, detail,
                                 f"the chosen units give {counted} credits{extra}, {need - counted} short of the "
                                 f"{need} required", fw.id))
    return out


@dataclass
class Analysis:
    """Everything the analyse stage decided: what later stages display."""

    as_of: dt.date
    facts: Facts
    findings: list = field(default_factory=list)      # the gap findings, after checks.ignore / severity
    frameworks: list = field(default_factory=list)    # FrameworkFacts, qualification first
    actions: list = field(default_factory=list)       # ActionFacts of every action, in diary order
    assessment: object = None   # assessment.state.AssessmentState: each criterion's and unit's assessment state

    # the one place templates and outputs look facts up
    def criterion(self, c) -> CriterionFacts:
        return self.facts.criterion(c)

    def unit(self, u) -> UnitFacts:
        return self.facts.unit(u)

    def framework(self, fw) -> FrameworkFacts:
        return self.facts.framework(fw)

    def contact(self, c) -> ContactFacts:
        return self.facts.contact(c)

    def action(self, a) -> ActionFacts:
        return self.facts.action(a)

    def goal(self, g) -> GoalFacts:
        return self.facts.goal(g)

    @property
    def qualification(self) -> FrameworkFacts | None:
        return next((f for f in self.frameworks if f.framework.is_qualification), None)

    @property
    def others(self) -> list:
        """Frameworks evidenced beside the qualification (e.g. the marking points)."""
        return [f for f in self.frameworks if not f.framework.is_qualification]

    @property
    def overdue(self) -> list:
        """Overdue actions, longest overdue first."""
        return sorted((a for a in self.actions if a.status == "overdue"),
                      key=lambda f: (f.action.due, f.action.entry.slug, f.action.index))

    @property
    def open(self) -> list:
        return sorted((a for a in self.actions if a.status == "open"),
                      key=lambda f: (f.action.due or dt.date.max, f.action.entry.slug, f.action.index))

    @property
    def done(self) -> list:
        """Done actions, most recent first."""
        return sorted((a for a in self.actions if a.status == "done"),
                      key=lambda f: (f.action.done, f.action.entry.slug, f.action.index), reverse=True)

    # -- the headline figures a caseload reads (portfolio.json's `overview`, the dashboard page) --------
    @property
    def days_left(self) -> int | None:
        """Days from as-of to the last day of the registration (0 on that day, negative once it has
        passed); None when portfolio.yaml gives no `qualification.registration_ends`."""
        ends = self.facts.model.registration_ends
        return (ends - self.as_of).days if ends else None

    @property
    def last_activity(self) -> dt.date | None:
        """The latest diary entry's date: the diary is the record of the learner's activity."""
        return max((e.date for e in self.facts.model.entries if e.date), default=None)

    @property
    def reviews_overdue(self) -> list:
        """ContactFacts of the contacts whose review is overdue (what `review-due` flags)."""
        return [f for f in (self.contact(c) for c in self.facts.model.contacts) if f.review_due]

    def summary(self) -> dict | None:
        """Coverage for the reporters: the qualification's figures, and each framework's separately."""
        q = self.qualification
        if q is None and not self.frameworks:
            return None
        head = (q or self.frameworks[0]).as_dict()
        return {**head, "frameworks": [f.as_dict() for f in self.frameworks]}

