"""The yardstick itself: the oracle's facts for a small portfolio worked out by hand, and proof that the
consistency tests fail when a page says something the records do not."""
from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pytest

import test_consistency as tc
import test_consistency_entries as tce
from consistency_builds import TOTAL, build
import portfolio_shapes
from oracle import Oracle

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "site"
FORUM, TALK = "2026-01-20-forum-meeting-zara-quill", "2026-02-02-staff-club-talk"


def test_oracle_facts_worked_by_hand():
    """tests/fixtures/site as of 2026-04-30, read by eye: see the fixture's files."""
    o = Oracle(FIXTURE, dt.date(2026, 4, 30))
    assert {ref: c.evidence for ref, c in o.criteria.items()} == {
        "U/1:1.1": [FORUM], "U/1:1.2": [TALK], "U/2:1.1": [FORUM], "U/3:1.1": []}
    assert [u.ref for u in o.chosen_units("mini")] == ["U/1", "U/2"]
    assert [o.met(c) for c in o.criteria.values()] == [True, True, True, False]
    assert o.coverage("mini") == (3, 3)
    assert o.unit_count(o.units["U/3"]) == (0, 1)
    # 6 credits: A (U/1, 3) mandatory and at least 3; B (U/2, 3) at most 6; total at least 6
    assert o.credit_rules() == [("total", None, True), ("mandatory", "A", True), ("min", "A", True),
                                ("max", "B", True)]
    assert o.chosen_credits() == 6
    pat, zara = o.contacts["pat-public"], o.contacts["zara-quill"]
    assert o.next_review(pat) == dt.date(2025, 8, 30)      # met 2025-06-01, never reviewed, + 90 days
    assert o.next_review(zara) == dt.date(2026, 6, 30)     # reviewed 2026-04-01 + 90 days
    assert (o.review_due(pat), o.review_due(zara)) == (True, False)
    states = o.actions_by_status()
    assert [(a.entry, a.do) for a in states["done"]] == [(FORUM, "Send Zara our handover format")]
    assert [(a.entry, a.do) for a in states["overdue"]] == [(FORUM, "Visit Northwind Foods")]
    assert states["open"] == []


def test_oracle_rules_fire_and_do_not(tmp_path):
    """The oracle's own thresholds, each way: two entries needed; credits one short; a review due tomorrow."""
    src = tmp_path / "p"
    shutil.copytree(FIXTURE, src)
    text = (src / "portfolio.yaml").read_text(encoding="utf-8")
    text = text.replace("review_interval_days: 90", "review_interval_days: 90\n  min_evidence_per_criterion: 2")
    (src / "portfolio.yaml").write_text(text.replace("units: [U/1, U/2]", "units: [U/1]"), encoding="utf-8")
    o = Oracle(src, dt.date(2026, 6, 30))
    assert [o.met(c) for c in o.criteria.values()] == [False, False, False, False]
    assert o.credit_rules() == [("total", None, False), ("mandatory", "A", True), ("min", "A", True),
                                ("max", "B", True)]
    assert o.review_due(o.contacts["zara-quill"]) is False   # due on 2026-06-30 itself: not yet overdue
    assert Oracle(src, dt.date(2026, 7, 1)).review_due(o.contacts["zara-quill"]) is True


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory):
    return build("site-fixture", tmp_path_factory.mktemp("tamper-src"))


def tampered(built, tmp_path, page: str, old: str, new: str):
    """A copy of the built site with one page's text changed."""
    site = tmp_path / "site"
    shutil.copytree(built.site, site)
    path = site / page
    text = path.read_text(encoding="utf-8-sig" if page.endswith(".csv") else "utf-8")
    assert old in text, f"{page} no longer holds {old!r}: update this test's tampering"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return dataclasses.replace(built, site=site, pages={})


@pytest.mark.parametrize("check, page, old, new, what", [
    (tc.test_matrix_html_cells, "matrix/u-1.html", "<td></td></tr>", "<td>●</td></tr>", "cell"),
    (tc.test_matrix_csv_cells, "matrix/u-1.csv", "Pat Public,,x", "Pat Public,x,x", "cell"),
    (tc.test_matrix_csv_cells, "matrix/u-1.csv", ",met,yes,", ",met,no,", "status of 1.1"),
    (tc.test_unit_pages, "units/u-1.html", "1 entry", "2 entries", "count"),
    (tc.test_criterion_pages, "units/u-1/1-1.html", "Evidenced</span>", "Gap</span>", "status"),
    (tc.test_contacts_next_review, "contacts.html", 'datetime="2026-06-30"', 'datetime="2026-07-01"', "next review"),
    (tc.test_follow_ups, "follow-ups.html", "Overdue (1)", "Overdue (0)", "count"),
    (tc.test_portfolio_json, "portfolio.json", '"status":"overdue"', '"status":"open"', "action states"),
    (tce.test_entry_pages, "entries/2026-01-20-forum-meeting-z-q.html", "</span> done</span>", "</span> open</span>",
     "actions"),
    (tce.test_gaps_page, "gaps.html", 'id="rule-overdue-action"', 'id="rule-something-else"', "overdue-action"),
    (tce.test_matrix_index, "matrix.html", "2 of 2 evidenced", "1 of 2 evidenced", "U/1 met"),
    (tc.test_qualification_units, "qualification.html", "<td>3</td>", "<td>4</td>", "credits"),
])
def test_a_page_that_disagrees_is_caught(fixture_build, tmp_path, check, page, old, new, what):
    """Each reader fails when its page states something else than the records."""
    before = TOTAL.copy()   # these deliberate disagreements stay out of the run's tally
    check(fixture_build)   # the honest site passes
    with pytest.raises(AssertionError, match=what):
        check(tampered(fixture_build, tmp_path, page, old, new))
    TOTAL.clear()
    TOTAL.update(before)


def test_the_shapes_are_what_they_say(tmp_path):
    """Each named shape of tests/portfolio_shapes.py really has the feature it is named for, and the shapes
    together cover every kind of record the consistency tests need (so a change to the generator of shapes
    cannot quietly make them all alike)."""
    oracles = {name: Oracle(portfolio_shapes.write(tmp_path / name, seed, **knobs), portfolio_shapes.AS_OF)
               for name, seed, knobs in portfolio_shapes.all_shapes()}
    o = oracles
    qual = lambda x: [u for u in x.units.values() if u.framework == x.qualification]   # noqa: E731
    assert not o["no-entries"].entries
    assert len(o["one-unit"].chosen_units("gen-qual")) == 1
    assert all(u.chosen for u in qual(o["every-unit"]))
    assert any(not x.unit.chosen and x.evidence for x in o["unchosen-criteria"].criteria.values())
    autos = [o["auto-criteria"].auto_met(c) for c in o["auto-criteria"].criteria.values() if c.auto]
    assert True in autos and False in autos and None in autos
    assert not any(k.data.get("consent") for k in o["no-consent"].contacts.values())
    assert all(k.data.get("consent") for k in o["all-consent"].contacts.values())
    assert all(ok for _, _, ok in o["credits-met"].credit_rules())
    assert [r for r in o["credits-one-short"].credit_rules() if not r[2]] == [("total", None, False)]
    over = o["credits-over-maximum"]
    failed = {kind for kind, _, ok in over.credit_rules() if not ok}
    assert failed == {"total", "max"}
    assert over.chosen_credits() >= over.frameworks["gen-qual"]["rules"]["min_total"]   # met only if uncapped
    undated = o["contact-without-dates"].contacts
    assert any(k.status == "current" and not k.data.get("met") and not k.data.get("reviews")
               and o["contact-without-dates"].next_review(k) for k in undated.values())
    assert all(o["actions-every-state"].actions_by_status().values())
    two = o["two-entries-needed"]
    assert two.minimum == 2 and any(len(c.evidence) == 1 for c in two.criteria.values())
    everything = [k for x in oracles.values() for k in x.contacts.values()]
    assert {k.status for k in everything} == {"current", "potential", "dormant", "ended"}
    assert {bool((k.data.get("consent") or {}).get("publish")) for k in everything} == {True, False}
    assert {bool(k.data.get("reviews")) for k in everything} == {True, False}
    assert {bool(k.data.get("met")) for k in everything} == {True, False}
    assert {x.minimum for x in oracles.values()} == {1, 2} and {bool(x.extra) for x in oracles.values()} == {True, False}
