"""What each page shows of the assessment: the facts its key holds (generator/pagecache.py).

The shipped templates show the assessment on few pages that read only some records (`Page.deps`):
- a criterion's page: its state and every decision on it in full (assessment-macros.html `decision`: the
  record's fields, the criteria and units it decides, whether an IQA sample includes it, and each piece of
  evidence it judged by the entry's reference and title and whether it changed since);
- a unit's page: its sign-off, its latest unit decision in brief (`Shown.brief`: date, outcome, stale,
  sampled, what it decides, the assessor), and each of its criteria's state and the date of the decision it
  rests on; its matrix (HTML and CSV): whether assessment is in use, and each criterion's state;
- an entry's page: the decisions that judged it, in brief, and whether it changed since each; its fragments
  (the print view's entry, print-entry.html) also the state of each criterion it evidences.
The frame, contacts' pages, the diary's filter pages and the frameworks' downloads show none of it; the
pages that read every record show all of it (`every`).

Each page's facts are what those values are made of: a decision's own record (file and digest) and what it
resolves from other records, and a criterion's state as computed (so whatever decides a state — a later
decision, evidence that changed, a claim — reaches the keys of the pages that show it and no other). Made once
per build: a decision's facts are shared by every page that shows it.
"""
from __future__ import annotations


def named(e) -> tuple | None:
    """How a page names an entry (its link and `ui.entry_name`), or None: a file no longer in the portfolio."""
    return None if e is None else (e.id, e.slug, e.ref, e.title)


def every(model) -> list:
    """What the assessment shown on the pages that read every record rests on, beside the record files those
    pages' keys hold: the decision and sample records, whether each judged file has changed since it was
    judged, or is gone (its new hash is shown nowhere), and how each judged entry is named."""
    records = getattr(model, "assessment", None)
    if records is None:
        return []
    return [(x.source.file, x.source.digest, [(j.path, j.changed, j.current is None, named(getattr(j, "entry", None)))
                                              for j in getattr(x, "evidence", ())])
            for x in records.decisions + records.samples]


class Shown:
    """The assessment facts of each kind of page, from the build's `AssessmentState` (None: no assessment)."""

    def __init__(self, state):
        self.state = state
        self._decisions: dict = {}
        self._criteria: dict = {}

    def decision(self, d) -> tuple:
        """Everything a page shows of one decision: its record (date, assessor, outcome, methods, feedback,
        reply, location), the criteria and units it decides that exist, whether a sample includes it, and of
        each piece of evidence its path, whether it changed since judged or is gone, and the entry it names."""
        facts = self._decisions.get(id(d))
        if facts is None:
            facts = self._decisions[id(d)] = (
                d.source.file, d.source.digest, tuple(c.ref for c in d.criteria), tuple(u.ref for u in d.units),
                bool(d.samples), tuple((j.path, j.changed, j.current is None, named(j.entry)) for j in d.evidence))
        return facts

    @staticmethod
    def brief(d) -> tuple:
        """A decision as an entry's or a unit's page shows it (assessment-macros.html `outcome`, `decided`): its
        id, date, outcome, whether it is stale or sampled, what it decides and by whom."""
        return (d.id, d.date, d.outcome, d.stale, bool(d.samples), tuple(c.ref for c in d.criteria),
                tuple(u.ref for u in d.units), d.assessor.id if d.assessor else None)

    def _state(self, c) -> tuple:
        """A criterion's state as the unit, matrix and print pages show it: the state, sampled, and the date of
        the decision it rests on."""
        facts = self._criteria.get(c.ref)
        if facts is None:
            s = self.state.of(c)
            facts = self._criteria[c.ref] = (c.ref, s.state, s.sampled, s.decision.date if s.decision else None)
        return facts

    def criterion(self, c) -> tuple:
        if self.state is None:
            return ()
        return ("assessed", self._state(c), tuple(self.decision(d) for d in self.state.of(c).decisions))

    def unit(self, u) -> tuple:
        if self.state is None:
            return ()
        us = self.state.unit(u)
        return ("assessed", us.signed_off, self.brief(us.decision) if us.decision else None,
                tuple(self._state(c) for c in u.criteria))

    def matrix(self, u) -> tuple:
        if self.state is None:
            return ()
        return ("assessed", self.state.in_use, tuple(self._state(c) for c in u.criteria))

    def entry(self, e) -> tuple:
        """An entry's page: the decisions that judged it, and whether it changed since each."""
        if self.state is None:
            return ()
        judged = self.state.judging(e)
        return ("assessed", tuple((self.brief(d), changed) for d, changed in judged)) if judged else ()

    def record(self, e) -> tuple:
        """An entry's fragments (print-entry.html): its page's facts and the state of each criterion it evidences."""
        if self.state is None:
            return ()
        return (self.entry(e), tuple(self._state(c) for c in e.criteria))
