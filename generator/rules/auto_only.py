"""Automatic rules with no gap-rule counterpart: evaluated only for framework criteria with `auto`."""
from __future__ import annotations

from ..auto import AutoResult
from ..registry import auto_only_rule, count
from .common import plural


def _params(settings, *names) -> dict:
    """The parameters in force (the criterion's own, else the rule's defaults), shown on the site."""
    return {name: getattr(settings, name) for name in names}


def _months_between(a, b) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month) - (1 if b.day < a.day else 0)


@auto_only_rule(
    "log-over-time", "the diary holds at least `min_entries` entries spanning at least `min_months` months",
    why="Assessors look for \"a detailed log or diary showing consistent, planned engagement\" "
        "(000, Examiner Marking Points), not \"a one-off activity\" (001, Common Misconceptions).",
    params=[count("min_entries", 12, "Minimum entries", "Entries needed", setting=False, minimum=0),
            count("min_months", 6, "Minimum months", "Months between the first and last entry", setting=False,
                  minimum=0)])
def log_over_time(model, settings):
    p = _params(settings, "min_entries", "min_months")
    dated = [e for e in model.entries if e.date and e.date <= settings.as_of]
    reasons = []
    if len(dated) < p["min_entries"]:
        reasons.append(f"{plural(len(dated), 'entry', 'entries')} in the diary; at least {p['min_entries']} expected")
    span = _months_between(dated[0].date, dated[-1].date) if dated else 0
    if span < p["min_months"]:
        reasons.append(f"the diary spans {plural(span, 'month')}; at least {p['min_months']} expected")
    return AutoResult("log-over-time", not reasons, reasons, dated, p)


@auto_only_rule(
    "feedback-acted-on", "at least `min` feedback entries with an action done",
    why="Credit for a plan \"revised in response to feedback\"; overlooking feedback is a named "
        "mistake (004, Examiner Marking Points; Common Misconceptions).",
    params=[count("min", 1, "Minimum", "Feedback entries with an action done", setting=False, minimum=0)])
def feedback_acted_on(model, settings):
    p = _params(settings, "min")
    acted = [e for e in model.entries if e.kind == "feedback" and any(a.done for a in e.actions)]
    reasons = [] if len(acted) >= p["min"] else [
        f"{plural(len(acted), 'feedback entry', 'feedback entries')} with an action done; at least {p['min']} expected"]
    return AutoResult("feedback-acted-on", not reasons, reasons, acted, p)


@auto_only_rule(
    "plan-revised", "at least `min` goals revised (`revisions` recorded)",
    why="The plan is \"a dynamic tool that requires regular review and adjustment\" "
        "(004, Common Misconceptions & Mistakes to Avoid; Examiner Marking Points).",
    params=[count("min", 1, "Minimum", "Goals with a recorded revision", setting=False, minimum=0)])
def plan_revised(model, settings):
    p = _params(settings, "min")
    revised = [g for g in model.goals if g.revisions]
    reasons = [] if len(revised) >= p["min"] else [
        f"{plural(len(revised), 'goal')} with a recorded revision; at least {p['min']} expected"]
    return AutoResult("plan-revised", not reasons, reasons, revised, p)


@auto_only_rule(
    "self-assessment", "a dated self-assessment with a diagnostic tool and at least `min_areas` rated areas",
    why="Credit for \"a thorough self-assessment of current skills, knowledge, and competences ... "
        "using appropriate diagnostic tools\" (004, Examiner Marking Points).",
    params=[count("min_areas", 3, "Minimum areas", "Rated areas needed", setting=False, minimum=0)])
def self_assessment(model, settings):
    p = _params(settings, "min_areas")
    sa = model.self_assessment if isinstance(model.self_assessment, dict) else {}
    areas = [a for a in sa.get("areas") or [] if isinstance(a, dict) and a.get("rating") is not None]
    reasons = []
    if not sa:
        reasons.append("no self_assessment in portfolio.yaml")
    else:
        if not sa.get("date"):
            reasons.append("the self-assessment has no date")
        if len(areas) < p["min_areas"]:
            reasons.append(f"{plural(len(areas), 'area')} rated; at least {p['min_areas']} expected")
    return AutoResult("self-assessment", not reasons, reasons, [], p)


@auto_only_rule(
    "witness-testimony", "at least `min` testimony entries naming a witness",
    why="\"Include witness testimonies from contacts or managers to corroborate your networking "
        "activities\" (001, Exam Tips & Revision Strategies).",
    params=[count("min", 1, "Minimum", "Testimony entries with a witness", setting=False, minimum=0)])
def witness_testimony(model, settings):
    p = _params(settings, "min")
    found = [e for e in model.entries if e.kind == "testimony" and e.witness is not None]
    reasons = [] if len(found) >= p["min"] else [
        f"{plural(len(found), 'testimony entry', 'testimony entries')} with a witness; at least {p['min']} expected"]
    return AutoResult("witness-testimony", not reasons, reasons, found, p)
