"""serve's check of a save that changed only entries' Markdown bodies: the last check's model kept.

`pipeline.check` builds the model (generator/model.py), scans every published text for personal data and
analyses the model on every run. In a `serve` session (generator/live.py) most saves change one entry's
body. `Kept` remembers the last check that built a model; when the next check's load and validate show
that nothing the model or the analysis reads changed but entries' bodies, it patches those entries in the
kept model instead of building a new one, scans as the full check does (its memo reads only the changed
files again), and keeps the analysis unless what the rules read of a body changed. The result equals a
full check's (tests/test_keep_model.py, tests/test_live.py); any other save takes the full path.

What the model and the analysis read, and how each is known unchanged (else: the full path):
- every record file: the same files in every folder, in the same order, each with the same digest but
  entries whose front matter (`Source.yaml_text`, its offset and parsed data) is as it was, which were and
  are schema-valid and in the model;
- what load and validate found (the cross-file checks: references, attachments' existence and place, the
  theme's folder, the evidence ledger's readability): the same findings in the same order, the same
  valid files;
- the evidence-reference ledger (model.ref_ledger, read by the model): read again;
- the content hash of every piece of evidence a decision judged (assessment/records.py `Judged.current`;
  an entry's hash covers its body): read again, and set in the kept model where it changed (the
  analysis is then run again: a decision whose evidence changed is stale);
- the checked-out commit (the rules and pages read the entries' first commits, assessment/history.py),
  read before anything else, and `as_of`.

What a body makes in the model: `Entry.body` (redacted as redact.redact_model does, with its memo by file
digest), `Entry.body_line`, and the digest of the entry's `Origin`; what the rules read of a body:
rules/diary.py `body_facts` (the analysis is run again, on the kept model, when that changed for an
edited entry). The personal-data scan of the records is run whole: its memo (cache.privacy) reads only
the changed files and the text attachments, as in every check.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from . import pipeline
from .analyse import analyse
from .assessment.hashing import content_hash
from .diagnostics import Diagnostic
from .evidence_refs import read_ledger
from .privacy.scan import scan as personal_data
from .redact import _entry_memo
from .rules.diary import body_facts
from .uptodate import git_head


@dataclass
class _Basis:
    """The last check that built a model, and what it was built from."""
    result: pipeline.Result
    read: list           # what load and validate found, in order
    valid: set           # the schema-valid files
    as_of: dt.date
    head: str            # the checked-out commit ('' outside git), read before the check
    files: list          # each kind's files, in order
    sources: dict        # file -> Source
    entries: dict        # file -> the model's Entry


def _files(sources) -> list:
    groups = ([sources.portfolio] if sources.portfolio else [], sources.frameworks, sources.contacts, sources.entries,
              sources.assessments, sources.iqa)
    return [[s.file for s in group] for group in groups]


class Kept:
    """One `serve` session's checks (generator/live.py): each save's check through `check`."""

    def __init__(self):
        self._last: _Basis | None = None
        self._head = ""
        self.taken = False   # the last check kept the model

    def check(self, source: Path, as_of: dt.date, cache) -> pipeline.Result:
        """`pipeline.check` with the build cache: the kept model when only bodies changed."""
        self.taken = False
        self._head = git_head(Path(source))   # before anything is read: a commit during the check shows next time
        return pipeline.check(source, as_of, cache, keep=self)

    # -- called by pipeline.check ----------------------------------------------------------------
    def remember(self, result: pipeline.Result, read: list, valid: set, as_of: dt.date) -> None:
        """A full check's result (`read`: what load and validate found)."""
        self._last = None if result.model is None else _Basis(
            result, read, set(valid), as_of, self._head, _files(result.sources),
            {s.file: s for s in result.sources.all()}, {e.file: e for e in result.model.entries})

    def reuse(self, sources, valid: set, diagnostics: list, as_of: dt.date, cache, clock) -> pipeline.Result | None:
        """The check's result from the kept model, or None: build it (the full path). `diagnostics` holds
        what load and validate found; the result's findings are added to it."""
        last, self._last = self._last, None   # taken: a check that stops half way leaves nothing kept
        if last is None or cache is None:
            return None
        read = list(diagnostics)
        with clock.stage("model"):
            edited = _edited(last, sources, valid, read, as_of, self._head)
            if edited is None:
                return None
            model, redactor = last.result.model, last.result.redactor
            before = [body_facts(e) for e, _ in edited]
            judged = _judged(model)
            for j, current in judged:   # a decision whose evidence changed is stale: the analysis says so
                j.current = current
            _patch(model, edited, redactor, cache.redactions)
            if model.assessment is not None:
                model.assessment._history = None   # the entries' first commits: read again when asked, as by a new model
        with clock.stage("scan"):
            diagnostics.extend(personal_data(sources, model.checks, cache.privacy))
        analysis = last.result.analysis
        if judged or [body_facts(e) for e, _ in edited] != before:
            with clock.stage("analyse"):
                if model.assessment is not None:
                    model.assessment._state = None   # the assessment state reads the analysis's facts
                analysis = analyse(model, as_of)
        diagnostics.extend(analysis.findings)
        diagnostics.sort(key=Diagnostic.sort_key)
        result = pipeline.Result(sources, model, diagnostics, analysis, redactor, stages=clock.stages)
        self._last = _Basis(result, read, last.valid, as_of, last.head, last.files,
                            {s.file: s for s in sources.all()}, last.entries)
        self.taken = True
        return result


def _edited(last: _Basis, sources, valid: set, read: list, as_of: dt.date, head: str) -> list | None:
    """[(the model's Entry, its new Source)] for each record file whose bytes changed, when each is an entry
    whose front matter is as it was and nothing else the model or analysis reads changed; else None."""
    if as_of != last.as_of or head != last.head or Path(sources.root) != Path(last.result.sources.root):
        return None
    if valid != last.valid or read != last.read or _files(sources) != last.files:
        return None
    edited = []
    for s in sources.all():
        old = last.sources[s.file]
        if s.digest == old.digest:
            continue
        entry = last.entries.get(s.file)
        if s.kind != "entry" or entry is None or s.file not in valid or not isinstance(s.data, dict) \
                or (s.yaml_text, s.yaml_offset, s.yaml_keys) != (old.yaml_text, old.yaml_offset, old.yaml_keys) \
                or s.data != old.data:
            return None
        edited.append((entry, s))
    model = last.result.model
    ledger = read_ledger(model.root)
    was = model.ref_ledger
    if (ledger.last, ledger.exists, ledger.problem) != (was.last, was.exists, was.problem):
        return None
    return edited


def _judged(model) -> list:
    """[(Judged, its content hash now)] for each piece of judged evidence whose hash is not the one the model
    holds (assessment/records.py reads every one when it builds the model: an edited entry's among them)."""
    now = []
    for decision in model.assessment.decisions if model.assessment is not None else []:
        for judged in decision.evidence:
            current = content_hash(Path(model.root), judged.path)
            if current != judged.current:
                now.append((judged, current))
    return now


def _patch(model, edited: list, redactor, memo: dict) -> None:
    """Give each edited entry its new body, as model.build and redact.redact_model would."""
    done = _entry_memo(memo, redactor)
    gone = set()
    for e, s in edited:
        old = e.source.digest
        # the Origin is shared by the entry, its actions and attachments (model._entries): changed in place,
        # every holder sees the new digest (its positions are the same: the front matter is unchanged)
        object.__setattr__(e.source, "digest", s.digest)
        object.__setattr__(e.source, "index", s.index)
        e.body_line = s.body_line
        held = done.get(s.digest)
        if held is None:   # redact.py `_redacted_entry`: the entry's other texts are as they were redacted
            body = s.body if redactor.quiet([s.body]) else redactor(s.body, markdown=True)
            held = done[s.digest] = (e.title, body, e.discussion, e.value_given, e.value_received,
                                     e.witness_confirmed, [(a.do, a.outcome) for a in e.actions],
                                     [a.caption for a in e.attachments])
        e.body = held[1]
        gone.add(old)
    for digest in gone - {e.source.digest for e in model.entries}:   # as redact_model forgets them
        done.pop(digest, None)
