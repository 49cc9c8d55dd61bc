"""The rules of the assessor's voice: references in assessment records (validation) and what an assessor,
IQA or learner still has to do (gap rules). Each rule is a small generator of findings."""
from __future__ import annotations

from ..registry import count, finding, gap_rule, validation_rule
from .history import first_recorded
from .state import compute

validation_rule("unknown-assessor", "an assessor or IQA id (in an assessment, IQA sample or witness verification) "
                "not listed in portfolio.yaml `assessment`",
                "use the id of a person in portfolio.yaml assessment.assessors (or assessment.iqas for IQA samples)",
                why="A decision must be attributable to a named, qualified assessor: the centre's records show "
                    "\"who\" assessed \"what\" and \"when\" (003, Internal Quality Assurance: assessment decisions "
                    "\"recorded accurately\").")
validation_rule("unknown-evidence", "an assessment names evidence that is neither an entry nor a file an entry "
                "attaches (or that lies outside the portfolio)",
                "name an entry (entries/<id>.md) or an attachment path exactly as the entry gives it",
                why="A decision is bound to the evidence it judged; evidence the portfolio does not hold cannot be "
                    "shown to the IQA or the EQA (003, Support for Candidates: \"authenticate evidence\").")
validation_rule("unknown-assessment", "an IQA sample names an assessment record that does not exist",
                "use the file name (without .yaml) of a record in assessments/",
                why="An IQA sample is a record of which decisions were checked; a sample of nothing assures nothing "
                    "(003, Internal Quality Assurance).")


def state_of(model, facts=None):
    """The assessment state, computed once per model: the analyse stage computes it first, with the
    analysis's facts (an `auto` criterion met by its rule counts as claimed)."""
    records = model.assessment
    if records is None:
        return None
    if getattr(records, "_state", None) is None:
        records._state = compute(model, facts)
    return records._state


def history_of(model) -> dict:
    records = model.assessment
    if records is None:
        return {}
    if getattr(records, "_history", None) is None:
        records._history = first_recorded(model.root)
    return records._history


def _days(settings, name, default):
    value = getattr(settings, name, None)
    return default if value is None else int(value)   # an `auto` use may leave it unset


def _refs(decision) -> str:
    refs = [c.ref for c in decision.criteria] + [f"unit {u.ref}" for u in decision.units]
    return ", ".join(refs[:4]) + (f" and {len(refs) - 4} more" if len(refs) > 4 else "")


@gap_rule(
    "stale-assessment",
    "evidence an assessor judged has changed since the decision (its content hash no longer matches)",
    "ask the assessor to judge the evidence again and record a new decision (portfolio assess); "
    "or undo the change if it was a mistake",
    why="A decision stands for the evidence as it was judged; an edit after sign-off could otherwise ride on "
        "an old decision, and assessment decisions must be \"valid, authentic, current and sufficient\" "
        "(003, Internal Quality Assurance).")
def stale_assessment(model, settings):
    state = state_of(model)
    for decision in state.stale if state else []:
        for j in decision.changed:
            what = "has been deleted or cannot be read" if j.current is None else "has changed"
            yield finding("stale-assessment", j.path, (1, 1),
                          f"{j.path} {what} since decision '{decision.id}' of {decision.date} judged it "
                          f"({decision.outcome} on {_refs(decision)}): the decision is stale",
                          subject=j.entry.slug if j.entry is not None and j.is_entry else decision.id)


@gap_rule(
    "unassessed-claim",
    "a criterion of a chosen unit claimed by evidence (mapped entries) with no assessor's decision after "
    "`unassessed_after_days` (only once portfolio.yaml lists an assessor)",
    "ask the assessor to judge it (portfolio assess --status lists what awaits a decision)",
    why="Mapping evidence is the learner's claim, not an assessment: candidates need \"regular\" feedback and "
        "assessment \"planned and reviewed\" (003, Support for Candidates).", severity="info",
    params=[count("unassessed_after_days", 30, "Unassessed after",
                  "Days after the entry's date after which a claimed criterion with no decision is flagged", minimum=0)])
def unassessed_claim(model, settings):
    state = state_of(model)
    if not model.assessment.assessors:
        return    # no assessor listed yet: nobody to ask (the dashboard still shows every claim)
    after = _days(settings, "unassessed_after_days", 30)
    for s in state.open_claims if state else []:
        if s.claimed_since is None or (settings.as_of - s.claimed_since).days <= after:
            continue
        first = next(e for e in s.criterion.evidence if e.date == s.claimed_since)
        refs = [c.ref for c in first.criteria]
        file, pos = first.at("criteria", refs.index(s.criterion.ref)) if s.criterion.ref in refs else first.at("criteria")
        yield finding("unassessed-claim", file, pos,
                      f"criterion {s.criterion.ref} has been claimed since {s.claimed_since} "
                      f"({(settings.as_of - s.claimed_since).days} days) and awaits an assessor's decision",
                      subject=s.criterion.ref)


def _mapped(decision, judged) -> bool:
    entry = judged.entry
    if entry is None:
        return True    # unknown-evidence reports it
    wanted = {c.ref for c in decision.criteria} | {c.ref for u in decision.units for c in u.criteria}
    return not wanted or bool(wanted & {c.ref for c in entry.criteria})   # nothing known decided: reported elsewhere


@gap_rule(
    "assessment-evidence-unmapped",
    "a decision judged evidence that is not mapped to any criterion it decides",
    "map the entry to the criterion (its `criteria` list), or name the evidence that does evidence it",
    why="Evidence must be linked to \"specific unit criteria\" (001, Exam Tips & Revision Strategies): a "
        "decision resting on evidence not mapped to the criterion cannot be traced by the IQA or EQA.",
    severity="error")
def assessment_evidence_unmapped(model, settings):
    for d in model.assessment.decisions if model.assessment else []:
        for i, j in enumerate(d.evidence):
            if not _mapped(d, j):
                file, pos = d.source.file, d.source.value_at(("evidence", i, "path"))
                yield finding("assessment-evidence-unmapped", file, pos,
                              f"{j.path} is not mapped to {_refs(d)}, which decision '{d.id}' decides",
                              subject=d.id)


@gap_rule(
    "decision-before-evidence",
    "a decision dated before the evidence it judged happened or was first recorded (git)",
    "check the decision's date and the evidence: a decision cannot judge evidence that did not exist yet",
    why="Assessors must be sure evidence is authentic and current (003, Internal Quality Assurance); a decision "
        "older than its evidence is a recording error or a sign that evidence was made to fit.")
def decision_before_evidence(model, settings):
    history = None
    for d in model.assessment.decisions if model.assessment else []:
        if d.date is None:
            continue
        for j in d.evidence:
            entry_date = j.entry.date if j.entry is not None and j.is_entry else None
            if entry_date and entry_date > d.date:
                why = f"is dated {entry_date}"
            else:
                history = history if history is not None else history_of(model)
                first = history.get(j.path)
                if not (first and d.date < first.date <= settings.as_of):
                    continue
                why = f"was first recorded on {first.date} (git)"
            file, pos = d.at("date")
            yield finding("decision-before-evidence", file, pos,
                          f"decision '{d.id}' is dated {d.date}, but {j.path} {why}", subject=d.id)


@gap_rule(
    "iqa-action-open",
    "an IQA sample whose outcome is `action` and whose action is not closed",
    "do what the IQA asked, then record the date in the sample's `closed`",
    why="Internal quality assurance must lead to \"actions\" that are followed up, so that assessment decisions "
        "stay consistent (003, Internal Quality Assurance).")
def iqa_action_open(model, settings):
    for s in model.assessment.samples if model.assessment else []:
        if s.action_open:
            file, pos = s.at("outcome")
            yield finding("iqa-action-open", file, pos,
                          f"IQA sample '{s.id}' of {s.date} asks for action, not yet closed"
                          + (f": {s.action.strip().splitlines()[0]}" if s.action.strip() else ""), subject=s.id)


@gap_rule(
    "missing-declaration",
    "a unit is signed off but the learner has not declared the evidence authentic",
    "add `declaration: {text: ..., date: YYYY-MM-DD}` to portfolio.yaml",
    why="Candidates sign a declaration that the evidence is their own work before it counts towards "
        "certification (003, Support for Candidates: the centre must \"authenticate evidence\").")
def missing_declaration(model, settings):
    state = state_of(model)
    if not state or (model.assessment.declaration_text.strip() and model.assessment.declaration_date):
        return
    signed = [u.ref for u in model.chosen_units if state.unit(u).signed_off]
    if signed:
        file, pos = model.at("declaration") if model.source.has(("declaration",)) else (model.source.file, (1, 1))
        yield finding("missing-declaration", file, pos,
                      f"unit{'s' if len(signed) > 1 else ''} {', '.join(signed)} signed off without the "
                      "learner's declaration of authenticity", subject="declaration")


@gap_rule(
    "late-record",
    "an entry first recorded (its first commit) more than `late_record_days` after its date",
    "record entries as they happen; if this one was written later, say so in its body (it is still evidence)",
    why="Contemporaneous records are what assessors trust: a log kept as things happen, with \"dates\" and "
        "\"follow-up outcomes\" (000, Exam Tips & Revision Strategies).", severity="info",
    params=[count("late_record_days", 30, "Late record after",
                  "Days between an entry's date and its first commit after which it counts as recorded late", minimum=0)])
def late_record(model, settings):
    history = history_of(model)
    if not history:
        return
    days = _days(settings, "late_record_days", 30)
    for e in model.entries:
        first = history.get(e.file)
        # history after --as-of has not happened yet for this build (so a build as of a date is reproducible)
        if e.date and first and first.date <= settings.as_of and (first.date - e.date).days > days:
            file, pos = e.at("date")
            yield finding("late-record", file, pos,
                          f"entry dated {e.date} was first recorded on {first.date} "
                          f"({(first.date - e.date).days} days later; the commit's author date)", subject=e.slug)
