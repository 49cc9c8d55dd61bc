"""serve keeps the last check's model for a save that changed only entries' bodies (generator/delta_check.py).

Each test saves through the real session (generator/live.py) on a copy of the example portfolio and
compares the session's result with a fresh `pipeline.check` (findings, the analysis's facts, the model's
body-derived state) and the served folder with a clean `portfolio build`. `live.stats["kept_model"]` says
which path the save took: each condition the kept model rests on has a case where it is broken and the full
path must be taken; each fact a body decides has a case where the kept path must follow it.

PYTEST_DONT_REWRITE: pytest's rewritten assertions print every value of a failing expression, and a
pipeline.Result holds the whole model (minutes and gigabytes to print); failures here say what differs.
"""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from generator import pipeline, shipped
from generator.live import Live
from test_incremental import tree
from test_live import session   # serve's session, as test_live makes it

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
AS_OF = dt.date(2026, 4, 30)
PLAIN = "2025-10-09-skills-audit-and-swot.md"      # judged by no decision, not reflective
GIBBS = "2025-11-20-gibbs-first-breakfast.md"      # reflection: gibbs, judged by no decision
JUDGED = "2025-10-23-mapping-my-network.md"        # evidence a decision judged (its hash is in it), as judged
MARKING = "networking-marking-points"              # a shipped framework the example names


@pytest.fixture
def src(tmp_path):
    root = tmp_path / "p"
    shutil.copytree(EXAMPLE, root)
    return root


def append(src: Path, name: str, text: str) -> Path:
    entry = src / "entries" / name
    entry.write_text(entry.read_text("utf-8") + text, "utf-8")
    return entry


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


def messages(result) -> list:
    return [(d.severity, d.rule, d.file, d.line, d.column, d.message, d.subject, d.hint) for d in result.diagnostics]


def facts(result) -> list:
    """What the analysis decided, as pages show it, and what a body makes in the model."""
    a, m = result.analysis, result.model
    out = [result.coverage]
    for c in m.criteria.values():
        f = a.criterion(c)
        auto = f.auto and (f.auto.rule, f.auto.met, list(f.auto.reasons), [getattr(x, "id", x) for x in f.auto.evidence])
        state = a.assessment.of(c) if a.assessment is not None else None
        out.append((c.ref, f.met, f.state, [e.id for e in f.evidence], auto,
                    state and (state.state, state.decision and state.decision.id)))
    out += [(d.id, d.stale, [j.current for j in d.evidence]) for d in m.assessment.decisions]
    out += [(x.id, x.title, x.body, x.body_line, x.source.digest, [a.source.digest for a in x.actions + x.attachments])
            for x in m.entries]
    return out


def agrees(live: Live, result, src: Path, tmp_path: Path, kept: int, as_of: dt.date = AS_OF, site=True) -> None:
    """The save took the path `kept` says, and its result is a fresh check's; the served folder a clean build's
    (unless not `site`: a clean build is most of a test's time)."""
    assert live.stats["kept_model"] == kept
    fresh = pipeline.check(src, as_of)   # no cache, no session
    for got, want in ((messages(result), messages(fresh)), (facts(result), facts(fresh))):
        if got != want:   # not `assert`: pytest's account of two long lists that differ takes minutes and gigabytes
            pytest.fail(repr(next(((i, a, b) for i, (a, b) in enumerate(zip(got, want)) if a != b),
                                  len(got) - len(want)))[:2000])
    if result.published and site:
        out = tmp_path / "clean"
        shutil.rmtree(out, ignore_errors=True)
        assert pipeline.build(src, out, as_of).published
        got, want = tree(live.out), tree(out)
        assert sorted(p for p in set(got) | set(want) if got.get(p) != want.get(p)) == []


def started(src: Path) -> Live:
    live = session(src)
    assert live.build(AS_OF).published and live.stats["kept_model"] == 0
    return live


def test_a_body_edit_keeps_the_model_and_the_analysis(src, tmp_path):
    live = started(src)
    first = live.build(AS_OF)
    assert live.stats["kept_model"] == 1        # nothing changed: the model is kept too
    append(src, PLAIN, "\nA sentence added in the editor.\n")
    result = live.build(AS_OF)
    assert result.published and not live.stats["full"]
    assert result.model is first.model and result.analysis is first.analysis
    agrees(live, result, src, tmp_path, kept=1)


def test_reflection_headings_in_a_body_are_followed(src, tmp_path):
    """The no-reflection rule reads a reflective account's headings (rules/diary.py body_facts): a body edit
    that removes a stage's heading gives its finding, and one that puts it back takes it away."""
    live = started(src)
    entry = src / "entries" / GIBBS
    text = entry.read_text("utf-8")

    def lacking(result):
        return [d for d in result.diagnostics if d.rule == "no-reflection" and d.file == f"entries/{GIBBS}"]
    entry.write_text(text.replace("## Feelings\n", "Feelings\n", 1), "utf-8")
    before = live.build(AS_OF)
    assert [d.message for d in lacking(before)] == ["gibbs reflection lacks 1 stage as headings: Feelings"]
    agrees(live, before, src, tmp_path, kept=1)
    entry.write_text(text + "\nA last line, no heading changed.\n", "utf-8")
    after = live.build(AS_OF)
    assert not lacking(after) and after.analysis is not before.analysis
    agrees(live, after, src, tmp_path, kept=1)


def test_personal_data_in_a_body_is_an_error_then_fixed(src, tmp_path):
    live = started(src)
    good = tree(live.out)
    entry = append(src, PLAIN, "\nCall Tom Okafor on 07700 900461 about the audit.\n")
    result = live.build(AS_OF)
    assert not result.published and tree(live.out) == good
    assert {d.message.split(" (")[0] for d in result.errors if d.file == f"entries/{PLAIN}"} == {
        "the entry's text holds a phone number", "the entry's text names a contact who has not agreed to be named"}
    agrees(live, result, src, tmp_path, kept=1)
    replace(entry, "Call Tom Okafor on 07700 900461 about the audit.", "Call @tom-okafor about the audit.")
    result = live.build(AS_OF)
    assert result.published and not result.errors
    agrees(live, result, src, tmp_path, kept=1)


def test_mentions_in_a_body_are_redacted_as_a_new_model_would(src, tmp_path):
    """@tom-okafor did not consent (his pseudonym, linked), @helen-fairbairn did (her name): the kept entry's
    body is redacted as redact.redact_model does, and the redaction memo is keyed by the new file digest."""
    live = started(src)
    entry = append(src, PLAIN, "\nI met @tom-okafor and @helen-fairbairn, see [the agenda](https://example.org/a).\n")
    result = live.build(AS_OF)
    body = next(e for e in result.model.entries if e.file == f"entries/{PLAIN}").body
    assert "@tom-okafor" not in body and "[Helen Fairbairn](mention:helen-fairbairn)" in body
    agrees(live, result, src, tmp_path, kept=1)
    assert set(live.cache.redactions["entries"]) == {e.source.digest for e in result.model.entries}


def test_a_body_edit_of_judged_evidence_makes_its_decision_stale(src, tmp_path):
    """A decision binds the entry's text by its hash (assessment/hashing.py): the kept model takes the new hash
    and the analysis is run again (stale-assessment)."""
    live = started(src)

    def stale(result):
        return [d for d in result.diagnostics if d.rule == "stale-assessment" and d.file == f"entries/{JUDGED}"]
    assert not stale(live.build(AS_OF))
    append(src, JUDGED, "\nA line added after the assessor judged it.\n")
    result = live.build(AS_OF)
    assert stale(result)
    agrees(live, result, src, tmp_path, kept=1)


def test_the_records_scan_reads_erasures_and_attachments_as_always(src, tmp_path):
    """The personal-data scan is run as in every check (its memo reads only what changed): an erasure
    recorded, and a text attachment's bytes, are seen though no record changed."""
    from generator.privacy import tombstone
    live = started(src)
    tombstone.record(src, "Rowan Ashby", [], dt.date(2026, 4, 1))
    append(src, PLAIN, "\nRowan Ashby was there.\n")
    result = live.build(AS_OF)
    assert any(d.rule == "personal-data" and "erased" in d.message for d in result.errors)
    agrees(live, result, src, tmp_path, kept=1)
    replace(src / "entries" / PLAIN, "\nRowan Ashby was there.\n", "\n")
    attachment = src / "evidence" / "2025-10-09-skills-audit.md"
    attachment.write_text(attachment.read_text("utf-8") + "\nRowan Ashby signed it.\n", "utf-8")
    result = live.build(AS_OF)
    assert [d.file for d in result.errors] == ["evidence/2025-10-09-skills-audit.md"]
    agrees(live, result, src, tmp_path, kept=1)


def _git(src: Path, *args) -> None:
    subprocess.run(["git", "-C", str(src), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin"})


def _new_entry(src):
    text = (src / "entries" / PLAIN).read_text("utf-8").replace("ref: E001\n", "")
    (src / "entries" / "2025-10-10-added.md").write_text(text, "utf-8")


def _theme_gone(src):
    shutil.rmtree(src / "mytheme")


# Each breaks one condition the kept model rests on, beside a body edit in the same save: the full path.
REFUSED = {
    "front matter": lambda src: replace(src / "entries" / PLAIN, "\ntitle: ", "\ntitle: Retitled "),
    "entry added": _new_entry,
    "entry removed": lambda src: (src / "entries" / "2026-06-18-apprentices-start.md").unlink(),
    "contact": lambda src: replace(src / "contacts" / "tom-okafor.yaml", "\nrole: ", "\nrole: Acting "),
    "portfolio.yaml": lambda src: replace(src / "portfolio.yaml", "language: en-GB", "language: en-US"),
    "assessment": lambda src: replace(src / "assessments" / "2026-08-20-j-506-1949.yaml", "Every criterion",
                                      "Each criterion"),
    "iqa": lambda src: (src / "iqa" / "2026-09-01-interim-sample.yaml").write_text(
        (src / "iqa" / "2026-09-01-interim-sample.yaml").read_text("utf-8") + "# a comment\n", "utf-8"),
    "framework added": lambda src: (src / "criteria").mkdir() or (src / "criteria" / f"{MARKING}.yaml").write_text(
        (shipped.criteria() / f"{MARKING}.yaml").read_text("utf-8") + "# the portfolio's own copy\n", "utf-8"),
    "ledger": lambda src: replace(src / "evidence-refs.yaml", "last_issued: E040", "last_issued: E041"),
    "attachment removed": lambda src: (src / "evidence" / "2025-10-09-skills-audit.md").unlink(),
    "theme folder removed": _theme_gone,
    "git commit": lambda src: (_git(src, "add", "-A"), _git(src, "commit", "-qm", "more")),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_the_full_path_when_more_than_bodies_changed(src, tmp_path, case):
    if case == "theme folder removed":
        (src / "mytheme" / "templates").mkdir(parents=True)
        replace(src / "portfolio.yaml", "site:\n", "site:\n  theme: mytheme\n")
    if case == "git commit":
        if shutil.which("git") is None:
            pytest.skip("no git")
        _git(src, "init", "-q")
        _git(src, "add", "-A")
        _git(src, "commit", "-qm", "start")
    live = started(src)
    append(src, GIBBS, "\nFirst edit.\n")
    agrees(live, live.build(AS_OF), src, tmp_path, kept=1, site=False)
    append(src, GIBBS, "\nSecond edit.\n")
    REFUSED[case](src)
    agrees(live, live.build(AS_OF), src, tmp_path, kept=0, site=False)
    append(src, GIBBS, "\nThird edit.\n")   # kept again, from the full path's model
    agrees(live, live.build(AS_OF), src, tmp_path, kept=1)


def test_the_full_path_for_another_date(src, tmp_path):
    live = started(src)
    append(src, PLAIN, "\nOne.\n")
    agrees(live, live.build(dt.date(2026, 5, 1)), src, tmp_path, kept=0, as_of=dt.date(2026, 5, 1), site=False)
    append(src, PLAIN, "\nTwo.\n")
    agrees(live, live.build(AS_OF), src, tmp_path, kept=0)


def test_the_full_path_for_the_body_of_an_entry_not_in_the_model(src, tmp_path):
    """An entry with a schema error is not in the model: an edit of its body is not one of the model's."""
    replace(src / "entries" / GIBBS, "\nkind: reflection\n", "\nkind: reflection\nmood: tired\n")
    live = session(src)
    assert not live.build(AS_OF).published
    append(src, GIBBS, "\nOne.\n")
    agrees(live, live.build(AS_OF), src, tmp_path, kept=0)
