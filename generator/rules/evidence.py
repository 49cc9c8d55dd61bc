"""Evidence and qualification rules: criteria evidenced, credit rules, entries mapped and dated."""
from __future__ import annotations

import re

from ..model import date
from ..registry import count, finding, gap_rule
from .common import plural, short, unit_ref_pos


@gap_rule(
    "unevidenced-criterion",
    "a criterion of a chosen unit with fewer than `min_evidence_per_criterion` entries "
    "(or, for a criterion with an `auto` rule, one the records do not meet)",
    "map diary entries to it with `criteria: [UNIT:CRITERION]`, or do what the automatic rule asks",
    why="The portfolio must demonstrate \"achievement of all of the learning outcomes and assessment criteria "
        "for each unit\" (003, Assessment); an unevidenced criterion means the unit cannot be signed off.",
    params=[count("min_evidence_per_criterion", 1, "Minimum evidence per criterion",
                  "Entries each criterion needs before it counts as evidenced")])
def unevidenced_criterion(model, settings):
    facts = settings.facts
    for unit in model.chosen_units:
        for crit in unit.criteria:
            f = facts.criterion(crit)
            if f.met:
                continue
            if f.auto is not None:
                reasons = "; ".join(f.auto.reasons) or "the records do not meet it"
                message = f"{crit.ref} is not met ({f.auto.rule}): {reasons}"
            else:
                message = (f"{crit.ref} has {plural(len(f.evidence), 'entry', 'entries')} of the {f.minimum} needed: "
                           f"{short(crit.text)}")
            if unit.framework.is_qualification:
                file, pos = unit_ref_pos(model, unit.ref)
            else:
                file, pos = crit.at("auto") if crit.auto else crit.at("id")
            yield finding("unevidenced-criterion", file, pos, message, subject=crit.ref)


@gap_rule(
    "credit-rules",
    "chosen units that do not satisfy the framework's credit rules (minimum total, group minima and maxima, "
    "mandatory groups complete)",
    "add or swap units in portfolio.yaml `qualification.units`; the qualification page lists each group's units",
    why="A certificate is claimed only for candidates who \"achieved the required number of credits\" "
        "(003, Certification); the shipped qualification needs 53 credits: all of group A, at least 20 from "
        "group B and at most 16 from group C (003, Qualification Structure).")
def credit_rules(model, settings):
    """The rules and their results are the analysis's (the qualification page lists the same ones)."""
    fw = model.qualification
    if fw is None:
        return
    file, pos = model.at("qualification", "units")
    for rule in settings.facts.framework(fw).credit_rules:
        if not rule.met:
            yield finding("credit-rules", file, pos, rule.message, subject=rule.subject)


@gap_rule(
    "unmapped-entry",
    "an entry that evidences no criterion",
    "add `criteria: [UNIT:CRITERION, ...]` for what the entry demonstrates, or leave it as context",
    why="Assessors look for evidence linked to \"specific unit criteria\" (001, Exam Tips & Revision "
        "Strategies); an entry mapped to nothing is context, not evidence.",
    severity="info")
def unmapped_entry(model, settings):
    for e in model.entries:
        if e.criteria or e.cited:
            continue  # unknown refs are reported by validation (unknown-criterion)
        file, pos = e.at("title")
        yield finding("unmapped-entry", file, pos, f"'{short(e.title)}' is not mapped to any criterion",
                      subject=e.id)


@gap_rule(
    "missing-ref",
    "an entry with no evidence reference (`ref: E012`) in its front matter, or evidence-refs.yaml missing or "
    "behind the highest reference pinned",
    "run `portfolio check --fix`: it pins the next unused references (the ones the site already shows) and "
    "records the last one issued in evidence-refs.yaml",
    why="Assessors, IQAs and the awarding body cite evidence by a reference that must not change (003, Internal "
        "Quality Assurance: decisions \"recorded accurately\"); a reference only the site computes would move "
        "when an earlier entry is added.")
def missing_ref(model, settings):
    from ..evidence_refs import LEDGER, fmt, number
    for e in model.entries:
        if not e.ref_pinned:
            file, pos = e.source.file, (1, 1)
            yield finding("missing-ref", file, pos, f"'{short(e.title)}' has no evidence reference pinned "
                          f"(the site shows it as {e.ref})", subject=e.id)
    ledger = model.ref_ledger
    if ledger is None or ledger.problem:
        return   # malformed-ref reports it
    top = max((n for n in (number(e.ref) for e in model.entries if e.ref_pinned) if n is not None), default=0)
    if top > ledger.last:
        message = (f"{LEDGER} records {fmt(ledger.last)} as the last reference issued, but an entry carries "
                   f"{fmt(top)}" if ledger.exists else
                   f"no {LEDGER}: nothing records the references issued, so a deleted entry's could be reused")
        yield finding("missing-ref", LEDGER, (1, 1), message, subject=fmt(top))


@gap_rule(
    "outside-qualification-dates",
    "evidence dated before the learner's registration or after `--as-of`; a registration outside the "
    "framework's validity dates (the end date is the last date for registration)",
    "check the date; evidence from before registration belongs under `evidence_type: prior-learning`",
    why="Centres may claim certificates only for candidates \"registered with ProQual\" (003, Claiming "
        "certificates) within the qualification's start and end dates (003, Qualification Profile), and "
        "authenticated evidence needs a credible date (003, Support for Candidates).")
def outside_qualification_dates(model, settings):
    registered = model.registered
    for e in model.entries:
        if e.date is None:
            continue
        # a position is asked for only with a finding: the first one parses the file's YAML again
        if e.date > settings.as_of:
            file, pos = e.at("date")
            yield finding("outside-qualification-dates", file, pos,
                          f"dated {e.date}, after the check date {settings.as_of}", subject=e.id,
                          hint="fix the date, or run with --as-of a later date")
        elif registered and e.date < registered and "prior-learning" not in e.evidence_types:
            file, pos = e.at("date")
            yield finding("outside-qualification-dates", file, pos,
                          f"dated {e.date}, before registration on {registered}", subject=e.id)
    fw = model.qualification
    if fw is None or registered is None:
        return
    start, end = date(fw.data.get("valid_from")), date(fw.data.get("valid_until"))
    file, pos = model.at("qualification", "registered")
    if start and registered < start:
        yield finding("outside-qualification-dates", file, pos,
                      f"registered on {registered}, before {fw.title} opened on {start}", subject=fw.id,
                      hint="check the registration date with your centre")
    if end and registered > end:
        yield finding("outside-qualification-dates", file, pos,
                      f"registered on {registered}, after {fw.title} closed to registrations on {end}",
                      subject=fw.id, hint="check the registration date, or move to the successor qualification")



@gap_rule(
    "criterion-unit-not-chosen",
    "an entry mapped to a criterion of a unit that is not among the chosen units (`qualification.units`)",
    "choose the unit (add its ref to `qualification.units` in portfolio.yaml) or map the entry to a criterion "
    "of a unit you have chosen",
    why="The certificate lists \"all units achieved with their related credit value\" (003, Certification): only "
        "chosen units are assessed, so evidence mapped to an unchosen unit silently counts towards nothing.")
def criterion_unit_not_chosen(model, settings):
    for e in model.entries:
        refs = e.cited
        for crit in e.criteria:
            if crit.unit.chosen:
                continue
            unit = crit.unit
            index = refs.index(crit.ref) if crit.ref in refs else None
            file, pos = (e.file, e.source.value_at(("criteria", index))) if index is not None else e.at("criteria")
            yield finding("criterion-unit-not-chosen", file, pos,
                          f"{crit.ref} belongs to unit {unit.ref} ({unit.title}), which is not chosen: "
                          "this entry evidences it for nothing", subject=e.id,
                          hint=f"to choose the unit, add {unit.ref} to `qualification.units` in portfolio.yaml "
                               f"(the qualification page lists its group and credits); otherwise remove {crit.ref} "
                               "from this entry's `criteria`")


FILE_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})-")


@gap_rule(
    "date-mismatch",
    "an entry whose `date` differs from the date its file name starts with (entries/YYYY-MM-DD-slug.md)",
    "make the file name and `date` agree: correct `date`, or rename the file (then update links to its id)",
    why="Assessors must be able to \"authenticate evidence\" (003, Support for Candidates): when was it recorded? "
        "Two different dates on one entry leave the question open, and the diary sorts by one while the file "
        "list sorts by the other.")
def date_mismatch(model, settings):
    for e in model.entries:
        m = FILE_DATE.match(e.id)
        named = date(m.group(1)) if m else None
        if named is None or e.date is None or named == e.date:
            continue
        file, pos = e.at("date")
        yield finding("date-mismatch", file, pos,
                      f"dated {e.date}, but the file name says {named}", subject=e.id)
