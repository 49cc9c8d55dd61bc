"""Development plan and network rules: SMART goals, goals past their date, breadth of networks."""
from __future__ import annotations

from ..registry import finding, gap_rule

SMART_WORDS = {"specific": "specific", "measurable": "measurable", "achievable": "achievable",
               "relevant": "relevant", "time_bound": "time_bound (a target date)"}
ACTIVE_NETWORK = ("joined", "shortlisted")


def _active(model, settings) -> list:
    return [n for n in model.networks if n.status in ACTIVE_NETWORK]


@gap_rule(
    "goal-not-smart",
    "a goal (not dropped) missing a SMART part: specific, measurable, achievable, relevant or time_bound",
    "fill in each SMART part of the goal in portfolio.yaml; time_bound is a target date (YYYY-MM-DD)",
    why="Examiners \"look for evidence that personal work objectives are SMART (Specific, Measurable, "
        "Achievable, Relevant, Time-bound)\" (004, Examiner Marking Points); vague objectives are a named "
        "mistake (004, Common Misconceptions & Mistakes to Avoid).",
    evidence=lambda m, s: [g for g in m.goals if g.status != "dropped" and not s.facts.goal(g).missing_smart])
def goal_not_smart(model, settings):
    for g in model.goals:
        if g.status == "dropped":
            continue
        missing = settings.facts.goal(g).missing_smart
        if missing:
            file, pos = g.at("id")
            yield finding("goal-not-smart", file, pos,
                          f"goal '{g.id}' is not SMART: no {', '.join(SMART_WORDS[m] for m in missing)}",
                          subject=g.id)



@gap_rule(
    "goal-overdue",
    "a goal past its target date (`time_bound`) and not achieved or dropped",
    "mark it `status: achieved` (with `achieved:` date), or revise it: new `time_bound` and a `revisions` entry "
    "saying why",
    why="The plan must be \"implemented, monitored, and revised in response to feedback, changing "
        "circumstances, or reflective insights\" (004, Examiner Marking Points); a plan left to lapse is "
        "\"a one-off document rather than a dynamic tool\" (004, Common Misconceptions).")
def goal_overdue(model, settings):
    for g in model.goals:
        if not settings.facts.goal(g).overdue:
            continue
        file, pos = g.at("time_bound")
        yield finding("goal-overdue", file, pos,
                      f"goal '{g.id}' was due on {g.time_bound} and is {g.status or 'not achieved'}",
                      subject=g.id)


@gap_rule(
    "narrow-networks",
    "the networks joined or shortlisted are not both internal and external",
    "identify (and shortlist or join) at least one internal and one external network in portfolio.yaml `networks`",
    why="Examiners look for \"a range of internal and external networks relevant to their role and "
        "development goals, such as industry bodies, alumni groups, or online communities\" "
        "(000, Examiner Marking Points).",
    evidence=lambda m, s: _active(m, s))
def narrow_networks(model, settings):
    active = _active(model, settings)
    kinds = {n.kind for n in active}
    missing = [k for k in ("internal", "external") if k not in kinds]
    if not missing:
        return
    file, pos = model.at("networks") if model.networks else (model.source.file, (1, 1))
    if not active:
        message = "no network is joined or shortlisted; identify internal and external networks"
    else:
        message = f"every network joined or shortlisted is {kinds.pop()}; none is {missing[0]}"
    yield finding("narrow-networks", file, pos, message, subject="networks")

