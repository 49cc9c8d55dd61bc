"""`portfolio assess` and `portfolio assess --status`: an assessor records a decision, bound by hash to the
evidence judged, as one readable YAML file under assessments/ — the only thing these commands write.

Refusals (exit 2) say why: an unknown criterion, unit, method or assessor; evidence outside the portfolio,
not an entry nor an attachment of one, or not mapped to what is decided.
"""
from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path, PurePosixPath

import yaml

from .hashing import content_hash, is_entry_path
from .rules import state_of

METHODS = ("observation", "professional-discussion", "product", "witness-testimony", "questioning",
           "recognition-of-prior-learning")
OUTCOMES = ("met", "not-yet", "referred")


class Refused(Exception):
    """The command was used wrongly: the message says how (exit status 2)."""


def _did_you_mean(word, candidates) -> str:
    from ..validate import did_you_mean
    return did_you_mean(word, candidates)


def _model(source: Path, as_of: dt.date):
    from .. import pipeline
    result = pipeline.check(source, as_of)
    if result.model is None or result.errors:
        first = result.errors[0] if result.errors else None
        where = f": first, {first.file}:{first.line}:{first.column}: {first.message}" if first else ""
        raise Refused(f"the portfolio has {len(result.errors)} error(s); run `portfolio check` and fix them first{where}")
    return result.model


def _assessor(model, wanted: str | None):
    people = model.assessment.assessors
    ids = [p.id for p in people]
    if wanted:
        if wanted not in ids:
            raise Refused(f"no assessor '{wanted}' in portfolio.yaml{_did_you_mean(wanted, ids)}"
                          + (f"; assessors: {', '.join(ids)}" if ids else ""))
        return wanted
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise Refused("portfolio.yaml lists no assessor: add `assessment: {assessors: [{id: ..., name: ...}]}`")
    raise Refused(f"portfolio.yaml lists {len(ids)} assessors: say which with --assessor ({', '.join(ids)})")


def _targets(model, refs):
    criteria, units = [], []
    for ref in refs:
        if ref in model.criteria:
            criteria.append(model.criteria[ref])
        elif ref in model.units:
            units.append(model.units[ref])
        else:
            raise Refused(f"'{ref}' is neither a criterion (UNIT:CRITERION) nor a unit of this portfolio"
                          f"{_did_you_mean(ref, list(model.criteria) + list(model.units))}")
    return criteria, units


def _evidence_path(model, text: str) -> str:
    """The portfolio-relative POSIX path of evidence given on the command line (relative to the portfolio
    folder, or to the current folder)."""
    root = Path(model.root).resolve()
    given = Path(text)
    candidates = [given] if given.is_absolute() else [root / given, Path.cwd() / given]
    for p in candidates:
        try:
            resolved = p.resolve()
        except (OSError, RuntimeError):
            continue
        if resolved.is_file():
            if not resolved.is_relative_to(root):
                raise Refused(f"evidence '{text}' is outside the portfolio ({root})")
            return resolved.relative_to(root).as_posix()
    raise Refused(f"evidence '{text}' does not exist (give a path in the portfolio, e.g. entries/<id>.md)")


def _judged(model, paths, criteria, units):
    wanted = {c.ref for c in criteria} | {c.ref for u in units for c in u.criteria}
    by_file = {e.file: e for e in model.entries}
    attached = {}
    for e in model.entries:
        for a in e.attachments:
            attached.setdefault(PurePosixPath(a.path).as_posix(), []).append(e)
    out = []
    for text in paths:
        rel = _evidence_path(model, text)
        entries = [by_file[rel]] if rel in by_file else attached.get(rel, [])
        if not entries:
            raise Refused(f"evidence '{rel}' is neither an entry nor a file an entry attaches")
        if not any(wanted & {c.ref for c in e.criteria} for e in entries):
            what = "entry" if is_entry_path(rel) else f"entry that attaches it ({entries[0].file})"
            raise Refused(f"evidence '{rel}' is not mapped to {', '.join(sorted(wanted)[:5])}: "
                          f"add the criterion to the {what}'s `criteria`, or name other evidence")
        out.append({"path": rel, "sha256": content_hash(model.root, rel)})
    return out


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "decision"


class _Literal(str):
    pass


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Literal, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|"))

HEADER = ("# yaml-language-server: $schema=../generator/schemas/assessment.schema.json\n"
          "# Written by `portfolio assess`. Each sha256 binds this decision to the evidence as judged: if the\n"
          "# evidence changes, the decision shows as stale (docs/assessment.md). Feedback and the learner's\n"
          "# reply may be edited; the hashes may not.\n")


def record(source: Path, refs, outcome, methods, evidence, feedback=None, assessor=None, day=None,
           location=None) -> Path:
    """Write one decision under SOURCE/assessments/ and return its path. Raises Refused."""
    day = day or dt.date.today()
    if outcome not in OUTCOMES:
        raise Refused(f"--outcome must be one of {', '.join(OUTCOMES)}")
    if not refs:
        raise Refused("name the criteria (UNIT:CRITERION) or units decided")
    bad = [m for m in methods if m not in METHODS]
    if bad:
        raise Refused(f"unknown method '{bad[0]}'{_did_you_mean(bad[0], METHODS)}; methods: {', '.join(METHODS)}")
    if not methods:
        raise Refused(f"say how it was assessed with --method ({', '.join(METHODS)})")
    model = _model(source, day)
    who = _assessor(model, assessor)
    criteria, units = _targets(model, refs)
    if criteria and not evidence:
        raise Refused("name the evidence judged with --evidence PATH[,PATH]")
    judged = _judged(model, evidence, criteria, units)
    data = {"date": day, "assessor": who}
    if criteria:
        data["criteria"] = [c.ref for c in criteria]
    if units:
        data["units"] = [u.ref for u in units]
    data["outcome"] = outcome
    data["methods"] = list(dict.fromkeys(methods))
    if judged:
        data["evidence"] = judged
    if feedback:
        data["feedback"] = _Literal(feedback.rstrip("\n") + "\n") if "\n" in feedback else feedback
    if location:
        data["location"] = location
    folder = Path(source) / "assessments"
    folder.mkdir(exist_ok=True)
    first = refs[0] + (f" and {len(refs) - 1} more" if len(refs) > 1 else "")
    base = f"{day.isoformat()}-{_slug(first)}"
    path, n = folder / f"{base}.yaml", 1
    while path.exists():
        n += 1
        path = folder / f"{base}-{n}.yaml"
    text = HEADER + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    with open(path, "x", encoding="utf-8") as f:    # never replaces a file
        f.write(text)
    return path


def status(source: Path, as_of: dt.date, out=sys.stdout) -> int:
    """Claims awaiting a decision (with their age) and stale decisions."""
    model = _model(source, as_of)
    state = state_of(model)
    claims = state.open_claims
    out.write(f"Claims awaiting a decision: {len(claims)}\n")
    for s in claims:
        age = f"{(as_of - s.claimed_since).days} days" if s.claimed_since else "undated"
        entries = ", ".join(e.file for e in s.criterion.evidence[:3]) or "its automatic rule"
        out.write(f"  {s.criterion.ref}  claimed since {s.claimed_since or '-'} ({age}): {entries}\n")
    out.write(f"Stale decisions: {len(state.stale)}\n")
    for d in state.stale:
        changed = ", ".join(j.path for j in d.changed)
        refs = ", ".join([c.ref for c in d.criteria] + [u.ref for u in d.units])
        out.write(f"  {d.source.file} ({d.date}, {d.outcome} on {refs}): changed since: {changed}\n")
    return 0
