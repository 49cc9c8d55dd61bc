"""A minimal valid portfolio written into a temporary folder, for the gap-rule tests.

`Folio(tmp_path)` holds the baseline as plain data: it is complete (no finding at AS_OF), so
each test changes one thing and asserts exactly what that change brings. `check()` writes
the files and runs the pipeline; `line_of()` finds where a text sits, so tests can assert
the line a finding points at without counting lines by hand.
"""
from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import yaml

from generator import pipeline

AS_OF = dt.date(2026, 4, 1)

GIBBS_BODY = "\n".join(f"## {h}\n\nText.\n" for h in
                       ("Description", "Feelings", "Evaluation", "Analysis", "Conclusion", "Action plan"))


def _unit(ref, credits, group, n=1):
    return {"ref": ref, "title": f"Unit {ref}", "credits": credits, "group": group,
            "outcomes": [{"id": "1", "text": "Be able to do it",
                          "criteria": [{"id": f"1.{i}", "text": f"Do part {i} of {ref}"} for i in range(1, n + 1)]}]}


QUALIFICATION = {
    "title": "Tiny qualification",
    "valid_from": "2020-01-01",
    "valid_until": "2026-07-31",
    "rules": {"min_total": 12, "groups": [
        {"group": "A", "title": "Mandatory units", "mandatory": True, "min": 5},
        {"group": "B", "title": "Optional units", "min": 4},
        {"group": "C", "title": "Optional units", "max": 3}]},
    "units": [_unit("A/1", 3, "A", 2), _unit("A/2", 2, "A"), _unit("B/1", 4, "B"), _unit("B/2", 3, "B"),
              _unit("C/1", 3, "C"), _unit("C/2", 2, "C")],
}

PORTFOLIO = {
    "learner": {"name": "Sam Learner", "role": "Manager", "organisation": "Acme"},
    "qualification": {"framework": "tiny", "registered": "2026-01-01", "units": ["A/1", "A/2", "B/1", "C/1"]},
    "networks": [
        {"id": "inside", "name": "Inside forum", "kind": "internal", "status": "joined"},
        {"id": "outside", "name": "Outside body", "kind": "external", "status": "joined"},
    ],
    "goals": [{"id": "grow", "statement": "Grow my network.", "specific": "Meet ten peers.",
               "measurable": "Ten contacts on file.", "achievable": "Two events a month.",
               "relevant": "My role needs it.", "time_bound": "2026-12-31", "status": "in-progress"}],
}


def _contact(name, relationship, met, reviewed):
    return {"name": name, "role": "Director", "organisation": "Elsewhere Ltd", "relationship": relationship,
            "status": "current", "met": {"date": met, "how": "at an event"}, "why": "Knows the sector.",
            "consent": {"basis": "consent", "recorded": met, "privacy_notice": met},
            "reviews": [{"date": reviewed, "value": 4, "activity": 3, "potential": 4, "decision": "maintain"}]}


CONTACTS = {
    "ann-lee": _contact("Ann Lee", "external", "2026-01-10", "2026-03-01"),
    "bob-roe": _contact("Bob Roe", "internal", "2026-01-05", "2026-02-20"),
}


REFS = {"2026-01-10": "E001", "2026-02-05": "E002", "2026-03-01": "E003", "2026-03-20": "E004"}


def _entry(title, date, kind, methods, contacts, criteria, done=True, given="Shared my notes.", body="Account.\n",
           **extra):
    front = {"title": title, "date": date, "kind": kind, "methods": methods, "contacts": contacts,
             "criteria": criteria}
    if kind in ("meeting", "event", "call", "introduction"):
        front["actions"] = [{"do": "Send the notes", "due": "2026-05-01", **({"done": date} if done else {})}]
    if given:
        front["value"] = {"given": given, "received": "Advice."}
    front.update(extra)
    front["ref"] = REFS[date]   # last: the other keys keep the lines the tests know
    return front, body


ENTRIES = {   # each with its evidence reference pinned (check --fix would), and evidence-refs.yaml written
    "2026-01-10-meeting-ann": _entry("Met @ann-lee", "2026-01-10", "meeting", ["face-to-face"], ["ann-lee"], ["A/1:1.1"]),
    "2026-02-05-call-bob": _entry("Called @bob-roe", "2026-02-05", "call", ["phone"], ["bob-roe"], ["A/1:1.2", "A/2:1.1"]),
    "2026-03-01-reflection": _entry("Reflecting", "2026-03-01", "reflection", [], [], ["B/1:1.1", "C/1:1.1"],
                                    given="", body=GIBBS_BODY, reflection="gibbs"),
    "2026-03-20-email-both": _entry("Emailed both", "2026-03-20", "email", ["email"], ["ann-lee", "bob-roe"],
                                    ["A/1:1.1"]),
}


class Folio:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.portfolio = copy.deepcopy(PORTFOLIO)
        self.frameworks = {"tiny": copy.deepcopy(QUALIFICATION)}
        self.contacts = copy.deepcopy(CONTACTS)
        self.entries = copy.deepcopy(ENTRIES)    # id -> (front matter, body)
        self.ledger = True   # write evidence-refs.yaml (False: the test keeps its own, or none)

    def entry(self, eid) -> dict:
        return self.entries[eid][0]

    def write(self) -> Path:
        def dump(path: Path, data):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")

        dump(self.root / "portfolio.yaml", self.portfolio)
        for fid, data in self.frameworks.items():
            dump(self.root / "criteria" / f"{fid}.yaml", data)
        for cid, data in self.contacts.items():
            dump(self.root / "contacts" / f"{cid}.yaml", data)
        (self.root / "entries").mkdir(exist_ok=True)
        if self.ledger:
            (self.root / "evidence-refs.yaml").write_text(f"last_issued: E{len(REFS):03d}\n", "utf-8")
        for eid, (front, body) in self.entries.items():
            text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n" + body
            (self.root / "entries" / f"{eid}.md").write_text(text, "utf-8")
        return self.root

    def check(self, as_of: dt.date = AS_OF):
        self.write()
        return pipeline.check(self.root, as_of)

    def findings(self, rule=None, as_of: dt.date = AS_OF) -> list:
        result = self.check(as_of)
        return [d for d in result.diagnostics if rule is None or d.rule == rule]

    def line_of(self, file: str, text: str, after: str | None = None) -> int:
        """1-based line of the first line containing `text` (after the first containing `after`)."""
        lines = (self.root / file).read_text("utf-8").split("\n")
        start = 0
        if after is not None:
            start = next(i for i, line in enumerate(lines) if after in line) + 1
        return next(i for i in range(start, len(lines)) if text in lines[i]) + 1


def brief(diags) -> list:
    return [(d.rule, d.file, d.line, d.subject) for d in diags]
