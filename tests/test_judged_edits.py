"""An edit to judged evidence, a judged entry's title or an assessment record renders only the pages that show
what changed (issue 14 item 1): the assessment's facts are in the keys of the pages that show them
(generator/assessment/shown.py), no longer in every page's.

Which pages show what is read from the records by tests/oracle.py (which imports nothing of the generator),
before and after the edit, by what the shipped templates show of the assessment:
- a criterion's page shows every decision on it in full, and its state;
- a unit's page shows each of its criteria's state (and its decision's date) and its latest unit decision in
  brief (date, outcome, stale, sampled, what it decides, the assessor); its matrix (HTML, CSV) the states;
- an entry's page shows each decision that judged it, in brief, and whether the entry changed since;
- the pages that read every record show all of it.
Then every page must equal a clean build's bytes."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from generator import pipeline, shipped
from generator.render import parallel, paths, site
from generator.render.pages import pages

from oracle import Oracle
from test_local_edits import AS_OF, EXAMPLE, build, clean, front, learner_entry_template, same, tree, write_front


@pytest.fixture
def src(tmp_path):
    root = tmp_path / "p"
    shutil.copytree(EXAMPLE, root)
    # the shipped frameworks beside the records, so the oracle reads them as raw files too (the same bytes)
    shutil.copytree(shipped.criteria(), root / "criteria", ignore=shutil.ignore_patterns("*.md"))
    return root


# -- what the records say each page shows of the assessment ----------------------------------------------------

def _decisions(o: Oracle) -> dict:
    sampled = o.sampled()
    out = {}
    for d in o.decisions():
        ev = d.get("evidence") or []
        changed = [(j["path"], o.hash_now(j["path"]) != j["sha256"]) for j in ev]
        out[d["id"]] = {
            "record": (o.root / "assessments" / f"{d['id']}.yaml").read_bytes(),
            "brief": (d["date"], d["outcome"], any(c for _, c in changed), d["id"] in sampled,
                      tuple(d.get("criteria") or []), tuple(d.get("units") or []), d.get("assessor")),
            # every piece of evidence, whether it changed, and how the entry it is (or attaches it) is named
            "evidence": [(p, c, _named(o, p)) for p, c in changed],
            "criteria": set(d.get("criteria") or []), "units": set(d.get("units") or []),
            "entries": {_entry_of(o, j["path"]) for j in ev} - {None}}
    return out


def _entry_of(o: Oracle, path: str) -> str | None:
    """The entry (file stem) a judged path is, or attaches it."""
    stem = Path(path).stem
    if path.startswith("entries/") and stem in o.entries:
        return stem
    return next((s for s, e in o.entries.items() if any(a.get("path") == path for a in e.get("attachments") or [])),
                None)


def _named(o: Oracle, path: str):
    e = _entry_of(o, path)
    return None if e is None else (e, o.evidence_refs()[e], o.entries[e].get("title"))


def _states(o: Oracle) -> dict:
    """Each criterion's state as the unit, matrix and print pages show it: label, sampled, decision date."""
    sampled = o.sampled()
    out = {}
    for ref, c in o.criteria.items():
        d = o.latest_decision(c)
        out[ref] = (o.assessment_state(c, bool(c.evidence)) if not c.auto or d else "auto",
                    bool(d and d["id"] in sampled), d and d["date"])
    return out


def _latest_on_unit(o: Oracle, unit: str):
    on = [d for d in o.decisions() if unit in (d.get("units") or [])]
    return on[-1]["id"] if on else None


def reading(src: Path) -> dict:
    """What the records say the pages show of the assessment, read now (a judged file's hash is read here)."""
    o = Oracle(src, AS_OF)
    decisions = _decisions(o)
    return {"decisions": decisions, "states": _states(o), "units": {u: _latest_on_unit(o, u) for u in o.units}}


def showing(before: dict, after: dict) -> dict:
    """What changed between two readings, by the kind of page that shows it: {'criteria', 'units', 'matrices',
    'entries'} (criterion refs, unit refs, entry stems)."""
    was, now = before["decisions"], after["decisions"]
    s0, s1 = before["states"], after["states"]
    ids = set(was) | set(now)
    one = lambda side, i, key: side.get(i, {}).get(key)   # noqa: E731
    brief = {i for i in ids if one(was, i, "brief") != one(now, i, "brief")}
    full = brief | {i for i in ids if one(was, i, "record") != one(now, i, "record")
                    or one(was, i, "evidence") != one(now, i, "evidence")}
    states = {r for r in s0 if s0[r] != s1.get(r)}
    units = {r.split(":")[0] for r in states}
    # a unit's page shows its latest unit decision in brief
    units |= {u for u, d in before["units"].items() if d != after["units"].get(u) or d in brief}
    v0, v1 = _entry_view(was), _entry_view(now)
    return {"criteria": states | {c for i in full for side in (was, now) for c in one(side, i, "criteria") or ()},
            "units": units, "matrices": {r.split(":")[0] for r in states},
            "entries": {e for e in set(v0) | set(v1) if v0.get(e) != v1.get(e)}}


def _entry_view(decisions: dict) -> dict:
    """entry -> {decision: (the decision in brief, whether the entry changed since)}: what its page shows."""
    out: dict = {}
    for i, d in decisions.items():
        for e in d["entries"]:
            changed = any(c for _, c, named in d["evidence"] if named and named[0] == e)
            out.setdefault(e, {})[i] = (d["brief"], changed)
    return out


def expected_pages(src: Path, before: dict, edited: set[str] = frozenset(), reads: bool = False) -> set[str]:
    """The site paths a build should render after the edit: the pages that read every record, the pages that
    show the assessment's facts that changed, the edited entries' own pages and, with `reads`, every page
    that reads an edited entry's record (its front matter changed)."""
    result = pipeline.check(src, AS_OF)
    model = result.model
    listed = list(pages(model, result.diagnostics, result.analysis))
    out = {p.path for p in listed if p.deps is None}
    shown = showing(before, reading(src))
    auto = {u.ref for u in model.units.values() if any(c.auto for c in u.criteria)}
    out |= {paths.criterion(model.criteria[r]) for r in shown["criteria"] if not model.criteria[r].auto}
    out |= {paths.unit(model.units[u]) for u in shown["units"] if u not in auto}
    for u in shown["matrices"]:
        out |= {paths.matrix(model.units[u]), paths.matrix_csv(model.units[u])}
    by_stem = {Path(e.file).stem: e for e in model.entries}
    out |= {paths.entry(by_stem[s]) for s in shown["entries"] | edited}
    if reads:
        out |= {p.path for p in listed if p.deps and any(Path(d.source.file).stem in edited for d in p.deps)}
    return out


def _rendered_after(src: Path, out: Path, edit) -> tuple[set, set, int]:
    """Build, edit, build again: (pages rendered by the second build, the pages expected, pages in all)."""
    build(src, out)
    total = len(site.RENDERED)
    before = reading(src)
    expect = edit()
    build(src, out)
    return set(site.RENDERED), expect(before), total


def _judged_entry(src: Path) -> Path:
    """An entry a decision judged, none of whose decisions is stale yet (so editing it makes them stale)."""
    o = Oracle(src, AS_OF)
    decisions = _decisions(o)
    for stem in sorted(o.entries):
        mine = [d for d in decisions.values() if stem in d["entries"]]
        if mine and not any(d["brief"][2] for d in mine) and o.entries[stem].get("contacts"):
            return src / "entries" / f"{stem}.md"
    raise AssertionError("no judged entry")


def _ignore(src: Path, rules: list[str]) -> None:
    portfolio = src / "portfolio.yaml"
    portfolio.write_text(portfolio.read_text().replace("\nchecks:\n", f"\nchecks:\n  ignore: {rules}\n", 1))


@pytest.fixture(autouse=True)
def _one_process(monkeypatch):
    monkeypatch.setattr(parallel, "workers", lambda: 1)   # counts are kept per process: render in this one


def test_a_body_edit_to_judged_evidence_renders_the_pages_that_show_its_decisions(src, tmp_path):
    """The decision turns stale: on its criteria's pages, the units and matrices whose criteria it decides last,
    and the pages of the entries it judged (not on every page). Without the finding that names the edit
    (which every page that reads the entry holds: here its decision's state alone decides)."""
    _ignore(src, ["stale-assessment"])
    entry = _judged_entry(src)
    out = tmp_path / "site"

    def edit():
        entry.write_text(entry.read_text("utf-8") + "\nA first afterthought.\n", "utf-8")
        return lambda before: expected_pages(src, before, {entry.stem})
    rendered, expected, total = _rendered_after(src, out, edit)
    assert rendered == expected, (sorted(rendered - expected), sorted(expected - rendered))
    assert any(p.startswith("units/") for p in rendered) and len(rendered) < total / 10, len(rendered)
    assert b"this entry changed after the decision" in tree(out)[f"entries/{entry.stem}.html"]
    assert same(tree(out), clean(src, tmp_path / "clean"))


def _retitle(entry: Path, title: str) -> None:
    data, body = front(entry)
    data["title"] = title
    write_front(entry, data, body)


def _ledger(src: Path, step: int) -> None:
    ledger = src / "evidence-refs.yaml"
    last = int(ledger.read_text().split("E", 1)[1])
    ledger.write_text(f"last_issued: E{last + step:03d}\n")


NAME_EDITS = {
    # the first edit to it: its decisions turn stale, and it is named anew
    "title": (None, lambda src, entry: _retitle(entry, "A title nobody had before")),
    # changed since judged already: only its name changes on its decisions' pages
    "title-again": (lambda src, entry: _retitle(entry, "A first new title"),
                    lambda src, entry: _retitle(entry, "A second new title")),
    # unpinned (the `ref:` line is outside the hash a decision binds), renumbered by the ledger
    "renumbered": (lambda src, entry: entry.write_text(
        "".join(line for line in entry.read_text("utf-8").splitlines(True) if not line.startswith("ref: ")), "utf-8"),
                   lambda src, entry: _ledger(src, 5)),
}


@pytest.mark.parametrize("what", sorted(NAME_EDITS))
def test_a_judged_entrys_name_renders_its_pages_and_its_decisions_criteria(src, tmp_path, what):
    """A decision lists the entries it judged by reference and title on its criteria's pages (those its entry
    does not evidence too): those, and the pages that show the entry as any entry's name shows (the pages that
    read its record)."""
    entry = _judged_entry(src)
    out = tmp_path / "site"
    first, then = NAME_EDITS[what]
    if first is not None:
        first(src, entry)

    def edit():
        then(src, entry)
        return lambda before: expected_pages(src, before, {entry.stem}, reads=True)
    rendered, expected, total = _rendered_after(src, out, edit)
    assert rendered == expected, (sorted(rendered - expected), sorted(expected - rendered))
    # its decisions decide criteria it does not evidence: their pages name it only through the decision
    decided = {c for d in _decisions(Oracle(src, AS_OF)).values() if entry.stem in d["entries"] for c in d["criteria"]}
    assert decided - set(front(entry)[0]["criteria"])
    assert len(rendered) < total / 10, len(rendered)
    assert same(tree(out), clean(src, tmp_path / "clean"))


def _edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text("utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")


def _most_criteria(src: Path) -> Path:
    return max(sorted((src / "assessments").glob("*.yaml")),
               key=lambda p: len(yaml.safe_load(p.read_text("utf-8")).get("criteria") or []))


def _last_on_its_criterion(src: Path) -> Path:
    """A decision that is the latest on each criterion it decides (its outcome is those criteria's state)."""
    o = Oracle(src, AS_OF)
    return next(src / "assessments" / f"{d['id']}.yaml" for d in o.decisions()
                if d.get("criteria") and d.get("evidence")
                and all(o.latest_decision(o.criteria[r])["id"] == d["id"] for r in d["criteria"]))


DECISION_EDITS = {
    # what only the decision's own pages show: its criteria's pages
    "feedback": lambda src: _edit_yaml(_most_criteria(src), lambda d: d.update(feedback="Rewritten feedback.")),
    # its outcome: its criteria's state, their units and matrices, the entries it judged
    "outcome": lambda src: _edit_yaml(_last_on_its_criterion(src), lambda d: d.update(
        outcome="referred" if d["outcome"] != "referred" else "met")),
    # its date (the date the unit pages show beside a state; the order of the decisions on a criterion)
    "date": lambda src: _edit_yaml(_last_on_its_criterion(src), lambda d: d.update(date=dt.date(2026, 9, 30))),
    # an IQA sample's stage: no page with deps shows it
    "sample-stage": lambda src: _edit_yaml(sorted((src / "iqa").glob("*.yaml"))[0],
                                           lambda d: d.update(stage="summative")),
    # a decision sampled or no longer: "Sampled by IQA" beside it and its criteria's state
    "sample-decisions": lambda src: _edit_yaml(sorted((src / "iqa").glob("*.yaml"))[0], lambda d: d.update(
        sampled=d["sampled"][:1] if len(d["sampled"]) > 1 else d["sampled"] + [_last_on_its_criterion(src).stem])),
}


@pytest.mark.parametrize("what", sorted(DECISION_EDITS))
def test_an_edit_to_an_assessment_record_renders_the_pages_that_show_it(src, tmp_path, what):
    out = tmp_path / "site"

    def edit():
        DECISION_EDITS[what](src)
        return lambda before: expected_pages(src, before)
    rendered, expected, total = _rendered_after(src, out, edit)
    assert rendered == expected, (sorted(rendered - expected), sorted(expected - rendered))
    assert len(rendered) < total / 10, len(rendered)
    assert same(tree(out), clean(src, tmp_path / "clean"))


def test_with_a_learner_template_an_assessment_edit_renders_every_page(src, tmp_path):
    """A learner's template may show the assessment anywhere (here each criterion's state on an entry's page,
    which the shipped one does not show): with one in the theme every page's key holds all of it."""
    learner_entry_template(src, "<p>States: {% for c in entry.criteria %}{{ assessment.of(c).label }};{% endfor %}</p>")
    out = tmp_path / "site"

    def edit():
        DECISION_EDITS["outcome"](src)
        return lambda before: None
    rendered, _, total = _rendered_after(src, out, edit)
    assert len(rendered) == total
    assert same(tree(out), clean(src, tmp_path / "clean"))
