"""The cross-file checks of assessment and IQA records, called by the validate stage: every criterion,
unit, evidence path, assessor, IQA and decision they name must exist. Reads the data defensively
(records with schema errors are checked too, so every problem shows in one run)."""
from __future__ import annotations

from pathlib import PurePosixPath

from ..registry import finding
from . import rules as _rules  # noqa: F401  (registers this family's rules)


def _list(data, key):
    items = data.get(key) if isinstance(data, dict) else None
    return list(enumerate(items)) if isinstance(items, list) else []


def people(pdata) -> tuple[list, list]:
    """(assessor ids, IQA ids) declared in portfolio.yaml."""
    section = pdata.get("assessment") if isinstance(pdata, dict) and isinstance(pdata.get("assessment"), dict) else {}
    ids = lambda key: [p["id"] for _, p in _list(section, key) if isinstance(p, dict) and isinstance(p.get("id"), str)]  # noqa: E731
    return ids("assessors"), ids("iqas")


def evidence_paths(sources) -> set:
    """Paths an assessment may name as evidence: every entry file, and every file an entry attaches."""
    out = {s.file for s in sources.entries}
    for s in sources.entries:
        for _, att in _list(s.data, "attachments"):
            if isinstance(att, dict) and isinstance(att.get("path"), str):
                out.add(PurePosixPath(att["path"]).as_posix())
    return out


class AssessmentRefs:
    def __init__(self, sources, refs):
        from ..validate import _unknown, did_you_mean, _clip
        self.unknown, self.did_you_mean, self.clip = _unknown, did_you_mean, _clip
        self.refs = refs
        self.assessors, self.iqas = people(refs.portfolio)
        self.evidence = evidence_paths(sources)
        self.decisions = [s.id for s in sources.assessments]

    def person(self, source, path, pid, known, what):
        if isinstance(pid, str) and self.refs.plan_known and pid not in known:
            hint = (f"add it to portfolio.yaml under assessment.{'assessors' if what == 'assessor' else 'iqas'}"
                    f" (id and name)" if not known else None)
            source_pos = source.value_at(path)
            from ..registry import RULES
            message = f"no {what} '{self.clip(pid)}' in portfolio.yaml{self.did_you_mean(pid, known)}"
            return finding("unknown-assessor", source.file, source_pos, message, subject=pid,
                           hint=hint or RULES["unknown-assessor"].hint)
        return None


def check_assessment(source, ar, diagnostics) -> None:
    refs = ar.refs
    data = source.data
    if (d := ar.person(source, ("assessor",), data.get("assessor"), ar.assessors, "assessor")):
        diagnostics.append(d)
    for i, ref in _list(data, "criteria") if refs.units_known else []:
        if not isinstance(ref, str):
            continue
        unit, _, crit = ref.rpartition(":")
        if not unit:
            continue   # the schema's pattern reports the shape
        if unit not in refs.units:
            diagnostics.append(finding("unknown-criterion", source.file, source.value_at(("criteria", i)),
                                       f"no unit '{ar.clip(unit)}' in your frameworks{ar.did_you_mean(unit, refs.units)}",
                                       subject=ref))
        elif crit not in refs.units[unit]:
            diagnostics.append(finding("unknown-criterion", source.file, source.value_at(("criteria", i)),
                                       f"unit {unit} has no criterion '{ar.clip(crit)}'"
                                       f"{ar.did_you_mean(crit, refs.units[unit])}", subject=ref))
    for i, ref in _list(data, "units") if refs.units_known else []:
        if isinstance(ref, str) and ref not in refs.units:
            diagnostics.append(finding("unknown-unit", source.file, source.value_at(("units", i)),
                                       f"no unit '{ar.clip(ref)}' in your frameworks{ar.did_you_mean(ref, refs.units)}",
                                       subject=ref))
    if not _list(data, "criteria") and not _list(data, "units") and isinstance(data, dict):
        diagnostics.append(finding("schema", source.file, (1, 1), "a decision must name the criteria or units it decides",
                                   subject=source.id, hint="add criteria: [UNIT:CRITERION, ...] or units: [UNIT, ...]"))
    for i, ev in _list(data, "evidence"):
        path = ev.get("path") if isinstance(ev, dict) else None
        if not isinstance(path, str):
            continue
        where = source.value_at(("evidence", i, "path"))
        norm = PurePosixPath(path)
        if norm.is_absolute() or ".." in norm.parts:
            diagnostics.append(finding("unknown-evidence", source.file, where,
                                       f"evidence '{ar.clip(path)}' is outside the portfolio", subject=path))
        elif norm.as_posix() not in ar.evidence:
            diagnostics.append(finding("unknown-evidence", source.file, where,
                                       f"evidence '{ar.clip(path)}' is neither an entry nor a file an entry attaches"
                                       f"{ar.did_you_mean(path, sorted(ar.evidence))}", subject=path))


def check_iqa(source, ar, diagnostics) -> None:
    data = source.data
    if (d := ar.person(source, ("iqa",), data.get("iqa"), ar.iqas, "IQA")):
        diagnostics.append(d)
    for i, did in _list(data, "sampled"):
        if isinstance(did, str) and did not in ar.decisions:
            diagnostics.append(finding("unknown-assessment", source.file, source.value_at(("sampled", i)),
                                       f"no assessment record '{ar.clip(did)}' in assessments/"
                                       f"{ar.did_you_mean(did, ar.decisions)}", subject=did))


def check_entry(source, ar, diagnostics) -> None:
    """An entry's witness verification names an assessor."""
    witness = source.data.get("witness") if isinstance(source.data.get("witness"), dict) else {}
    verified = witness.get("verified") if isinstance(witness.get("verified"), dict) else {}
    if isinstance(verified.get("by"), str):
        if (d := ar.person(source, ("witness", "verified", "by"), verified["by"], ar.assessors, "assessor")):
            diagnostics.append(d)


def check_portfolio(source, diagnostics) -> None:
    """Assessor and IQA ids are unique (one person may be both, under one id in each list)."""
    section = source.data.get("assessment") if isinstance(source.data.get("assessment"), dict) else {}
    for key, what in (("assessors", "assessor"), ("iqas", "IQA")):
        seen = set()
        for i, p in _list(section, key):
            pid = p.get("id") if isinstance(p, dict) else None
            if isinstance(pid, str):
                if pid in seen:
                    diagnostics.append(finding("duplicate-id", source.file, source.value_at(("assessment", key, i, "id")),
                                               f"{what} '{pid}' is listed twice", subject=pid))
                seen.add(pid)
