"""The caseload as a reduce over the learners' heads: one row per learner, each assessor's workload and the
IQA's sampling picture. Every figure is a learner's published overview figure, or a sum of them; the only
arithmetic of its own is on dates, counted from the caseload's `--as-of` so that learners whose sites were
built on different days are compared on one day (docs/centre.md)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..render.paths import slugify

STATES = ("not-started", "claimed", "met", "not-yet", "referred", "stale")
NOBODY = "Not assigned"


def _date(text) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


@dataclass(eq=False)
class Row:
    """One learner, as their portfolio.json's head states it."""
    label: str                      # the input it came from (only printed, never published)
    name: str
    candidate_number: str
    centre: str
    assessors: list                 # names: the learner's assessor, else the assessors listed
    iqas: list
    qualification: str
    as_of: dt.date
    evidenced: int
    total: int
    percent: int
    units: list                     # dicts: ref, title, evidenced, total
    counts: dict                    # criteria per assessment state
    decisions: int
    awaiting_since: dt.date | None
    last_activity: dt.date | None
    idle_days: int | None           # days from last activity to the caseload's as-of
    reviews_overdue: int
    actions_overdue: int
    actions_open: int
    registration_ends: dt.date | None
    days_left: int | None           # to the end of registration, from the caseload's as-of
    iqa_sampled: int
    iqa_samples: int
    iqa_last_sample: dt.date | None
    iqa_actions_open: int
    assessor_keys: list = field(default_factory=list)
    iqa_keys: list = field(default_factory=list)

    @property
    def awaiting(self) -> int:
        return self.counts["claimed"]

    @property
    def stale(self) -> int:
        return self.counts["stale"]

    def view(self) -> dict:
        """What the templates are given: the row's values as a plain mapping (a thousand rows are shown
        three times each, and the sandbox checks every attribute it reads on an object, not a key)."""
        return {**{k: v for k, v in vars(self).items() if k != "label"}, "awaiting": self.awaiting,
                "stale": self.stale}


@dataclass(eq=False)
class Group:
    """The learners of one assessor or one IQA, and their sums."""
    kind: str                       # "assessor" or "iqa"
    name: str
    key: str                        # the page's file name
    rows: list = field(default_factory=list)

    def total(self, attr: str) -> int:
        return sum(getattr(r, attr) for r in self.rows)

    @property
    def oldest_claim(self) -> dt.date | None:
        return min((r.awaiting_since for r in self.rows if r.awaiting_since), default=None)

    @property
    def unsampled(self) -> int:
        """Learners with decisions but none sampled yet."""
        return sum(1 for r in self.rows if r.decisions and not r.iqa_sampled)

    @property
    def sample_rate(self) -> int | None:
        decisions = self.total("decisions")
        return round(100 * self.total("iqa_sampled") / decisions) if decisions else None

    @property
    def last_sample(self) -> dt.date | None:
        return max((r.iqa_last_sample for r in self.rows if r.iqa_last_sample), default=None)

    def view(self) -> dict:
        """The group as the templates see it: sums precomputed, rows as their views."""
        sums = ("awaiting", "stale", "decisions", "iqa_sampled", "iqa_samples", "iqa_actions_open")
        return {"kind": self.kind, "name": self.name, "key": self.key, "rows": [r.view() for r in self.rows],
                "learners": len(self.rows), **{k: self.total(k) for k in sums}, "oldest_claim": self.oldest_claim,
                "unsampled": self.unsampled, "sample_rate": self.sample_rate, "last_sample": self.last_sample}


@dataclass
class Caseload:
    as_of: dt.date
    rows: list
    assessors: list                 # Group, by name (Not assigned last)
    iqas: list
    everyone: Group
    skipped: int

    def view(self) -> dict:
        everyone = self.everyone.view()
        return {"as_of": self.as_of, "rows": everyone["rows"], "assessors": [g.view() for g in self.assessors],
                "iqas": [g.view() for g in self.iqas], "everyone": everyone, "skipped": self.skipped}


def row(label: str, doc: dict, as_of: dt.date) -> Row:
    learner, ov = doc["learner"], doc["overview"]
    crit = ov["criteria"] or {"evidenced": 0, "total": 0, "percent": 0}
    last = _date(ov["last_activity"])
    ends = _date(ov["registration_ends"])
    return Row(
        label=label, name=learner.get("name", ""), candidate_number=learner.get("candidate_number", ""),
        centre=learner.get("centre", ""),
        assessors=[learner["assessor"]] if learner.get("assessor") else list(ov["assessors"]),
        iqas=[learner["iqa"]] if learner.get("iqa") else list(ov["iqas"]),
        qualification=(ov["qualification"] or {}).get("title", ""), as_of=_date(doc["as_of"]),
        evidenced=crit["evidenced"], total=crit["total"], percent=crit["percent"], units=ov["units"],
        counts={s: ov["assessment"]["counts"][s] for s in STATES}, decisions=ov["assessment"]["decisions"],
        awaiting_since=_date(ov["assessment"]["awaiting_since"]), last_activity=last,
        idle_days=(as_of - last).days if last else None, reviews_overdue=ov["reviews_overdue"],
        actions_overdue=ov["actions"]["overdue"], actions_open=ov["actions"]["open"], registration_ends=ends,
        days_left=(ends - as_of).days if ends else None, iqa_sampled=ov["iqa"]["decisions_sampled"],
        iqa_samples=ov["iqa"]["samples"], iqa_last_sample=_date(ov["iqa"]["last_sample"]),
        iqa_actions_open=ov["iqa"]["actions_open"])


def _groups(kind: str, rows: list, names_of) -> list:
    by_name: dict = {}
    for r in rows:
        for name in names_of(r) or [NOBODY]:
            by_name.setdefault(name, []).append(r)
    groups, taken = [], set()
    for name in sorted(by_name, key=lambda n: (n == NOBODY, n.casefold(), n)):
        base = slugify(name) or kind
        key, n = base, 1
        while key in taken:
            n += 1
            key = f"{base}-{n}"
        taken.add(key)
        groups.append(Group(kind, name, key, by_name[name]))
    return groups


def caseload(inputs: list, as_of: dt.date, skipped: int = 0) -> Caseload:
    rows = sorted((row(i.label, i.head, as_of) for i in inputs),
                  key=lambda r: (r.name.casefold(), r.name, r.candidate_number, r.label))
    assessors = _groups("assessor", rows, lambda r: r.assessors)
    iqas = _groups("iqa", rows, lambda r: r.iqas)
    for groups, attr in ((assessors, "assessor_keys"), (iqas, "iqa_keys")):
        for g in groups:
            for r in g.rows:
                getattr(r, attr).append(g.key)
    return Caseload(as_of, rows, assessors, iqas, Group("all", "All learners", "index", rows), skipped)
