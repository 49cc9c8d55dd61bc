"""Assessors, IQAs, decisions and IQA samples as model objects, every reference resolved.

Built by the model stage from records that passed validation; references that do not resolve have
already been reported by `check_references` (below), which the validate stage calls.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Located, Origin, date
from ..registry import finding
from .hashing import content_hash, is_entry_path


@dataclass(eq=False)
class Person(Located):
    id: str = ""
    name: str = ""
    role: str = ""            # "assessor" or "iqa"


@dataclass(eq=False)
class Judged(Located):
    """One piece of evidence a decision judged: the hash as judged and as it is now."""
    path: str = ""
    sha256: str = ""
    current: str | None = None     # None: the file is gone or unreadable
    entry: object = None           # the Entry, when the path is one (or the entry that attaches the file)

    @property
    def changed(self) -> bool:
        return self.current != self.sha256

    @property
    def is_entry(self) -> bool:
        return is_entry_path(self.path)


@dataclass(eq=False)
class Decision(Located):
    id: str = ""
    date: dt.date | None = None
    assessor: Person | None = None
    criteria: list = field(default_factory=list)     # Criterion objects decided
    units: list = field(default_factory=list)        # Unit objects decided as a whole
    outcome: str = ""                                # met | not-yet | referred
    methods: list = field(default_factory=list)
    evidence: list = field(default_factory=list)     # Judged
    feedback: str = ""
    reply: str = ""
    reply_date: dt.date | None = None
    location: str = ""
    samples: list = field(default_factory=list)      # IQA samples that include this decision

    @property
    def stale(self) -> bool:
        return any(j.changed for j in self.evidence)

    @property
    def changed(self) -> list:
        return [j for j in self.evidence if j.changed]

    @property
    def sort_key(self):
        return (self.date or dt.date.min, self.id)


@dataclass(eq=False)
class Sample(Located):
    id: str = ""
    date: dt.date | None = None
    iqa: Person | None = None
    stage: str = ""
    decisions: list = field(default_factory=list)
    outcome: str = ""                                # agree | disagree | action
    feedback: str = ""
    action: str = ""
    closed: dt.date | None = None

    @property
    def action_open(self) -> bool:
        return self.outcome == "action" and self.closed is None


@dataclass
class Records:
    assessors: list = field(default_factory=list)
    iqas: list = field(default_factory=list)
    decisions: list = field(default_factory=list)    # by date, then id
    samples: list = field(default_factory=list)      # by date, then id
    declaration_text: str = ""
    declaration_date: dt.date | None = None
    sampling: dict = field(default_factory=dict)

    def person(self, pid):
        return next((p for p in self.assessors + self.iqas if p.id == pid), None)


def _people(psrc, key, role):
    data = psrc.data.get("assessment") or {}
    return [Person(Origin.of(psrc), ("assessment", key, i), id=p["id"], name=p["name"], role=role)
            for i, p in enumerate(data.get(key) or [])]


def build(model, sources, valid: set) -> Records:
    """The assessment records of `model` (called by the model stage, after entries are built)."""
    psrc = sources.portfolio     # the raw record: the model keeps only positions
    pdata = psrc.data
    assessment = pdata.get("assessment") or {}
    declaration = pdata.get("declaration") or {}
    records = Records(assessors=_people(psrc, "assessors", "assessor"), iqas=_people(psrc, "iqas", "iqa"),
                      declaration_text=declaration.get("text") or "", declaration_date=date(declaration.get("date")),
                      sampling=dict(assessment.get("sampling") or {}))
    assessors = {p.id: p for p in records.assessors}
    iqas = {p.id: p for p in records.iqas}
    entries_by_file = {e.file: e for e in model.entries}
    attached_by = {}
    for e in model.entries:
        for a in e.attachments:
            attached_by.setdefault(a.path, e)
    root = Path(model.root)
    for s in (s for s in sources.assessments if s.file in valid):
        d = s.data
        decision = Decision(Origin.of(s), (), id=s.id, date=date(d["date"]), assessor=assessors.get(d["assessor"]),
                            outcome=d["outcome"], methods=list(d.get("methods") or []),
                            feedback=d.get("feedback") or "", location=d.get("location") or "")
        decision.criteria = [model.criteria[r] for r in d.get("criteria") or [] if r in model.criteria]
        decision.units = [model.units[r] for r in d.get("units") or [] if r in model.units]
        reply = d.get("reply") or {}
        decision.reply, decision.reply_date = reply.get("text") or "", date(reply.get("date"))
        decision.evidence = [
            Judged(Origin.of(s), ("evidence", i), path=ev["path"], sha256=ev["sha256"], current=content_hash(root, ev["path"]),
                   entry=entries_by_file.get(ev["path"]) or attached_by.get(ev["path"]))
            for i, ev in enumerate(d.get("evidence") or [])]
        records.decisions.append(decision)
    records.decisions.sort(key=lambda x: x.sort_key)
    by_id = {x.id: x for x in records.decisions}
    for s in (s for s in sources.iqa if s.file in valid):
        d = s.data
        sample = Sample(Origin.of(s), (), id=s.id, date=date(d["date"]), iqa=iqas.get(d["iqa"]), stage=d.get("stage") or "",
                        decisions=[by_id[x] for x in d["sampled"] if x in by_id], outcome=d["outcome"],
                        feedback=d.get("feedback") or "", action=d.get("action") or "", closed=date(d.get("closed")))
        for x in sample.decisions:
            x.samples.append(sample)
        records.samples.append(sample)
    records.samples.sort(key=lambda x: (x.date or dt.date.min, x.id))
    return records


def redact(records: Records, redactor, entries=()) -> None:
    """Assessors write about the learner's contacts too: hide unpublished names as in entries."""
    if redactor is None:
        return
    for e in entries:
        if e.witness_verified:
            e.witness_verified["how"] = redactor(e.witness_verified["how"])
    for x in records.decisions:
        x.feedback, x.reply = redactor(x.feedback), redactor(x.reply)
    for x in records.samples:
        x.feedback, x.action = redactor(x.feedback), redactor(x.action)
    records.declaration_text = redactor(records.declaration_text)
