"""The site built from tests/fixtures/site: every page of SPEC §5.1 exists, links resolve both ways,
the output is deterministic, and portfolio.json, CSV and the search index hold what they should."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest

from conftest import AS_OF, build_site
from site_helpers import check_site, parse

PAGES = ["index.html", "qualification.html", "units/u-1.html", "units/u-1/1-1.html", "matrix.html",
         "matrix/u-1.html", "matrix/u-1.csv", "diary.html", "diary/kind/meeting.html",
         "diary/method/face-to-face.html", "diary/network/peer-forum.html", "diary/contact/pat-public.html",
         "entries/2026-02-02-staff-club-talk.html", "contacts.html", "contacts/pat-public.html",
         "networks.html", "plan.html", "gaps.html", "follow-ups.html", "search.html", "search-index.js",
         "print.html", "portfolio.json", "assets/style.css", "assets/search.js", "assets/diary.js"]


@pytest.mark.parametrize("path", PAGES)
def test_page_exists(built_site, path):
    assert (built_site / path).is_file()


def test_links_anchors_and_html(built_site):
    assert check_site(built_site) == []


def test_link_checker_catches_a_broken_link(built_site, tmp_path):
    import shutil
    copy = tmp_path / "site"
    shutil.copytree(built_site, copy)
    (copy / "plan.html").unlink()
    (copy / "extra.html").write_text('<p><a href="/abs.html">x</a><a href="index.html#nowhere">y</a></p>')
    problems = "\n".join(check_site(copy))
    assert "broken link ../plan.html" in problems or "broken link plan.html" in problems
    assert "absolute href /abs.html" in problems and "missing anchor index.html#nowhere" in problems


def read(site, path):
    return (site / path).read_text(encoding="utf-8")


def test_every_page_has_breadcrumbs_except_the_dashboard(built_site):
    for f in built_site.rglob("*.html"):
        text = f.read_text(encoding="utf-8")
        rel = f.relative_to(built_site).as_posix()
        assert ('aria-label="Breadcrumb"' in text) == (rel != "index.html"), rel


def test_links_both_ways(built_site):
    entry = read(built_site, "entries/2026-02-02-staff-club-talk.html")
    assert 'href="../units/u-1/1-2.html"' in entry          # entry -> criterion
    assert 'href="../contacts/pat-public.html"' in entry    # entry -> contact
    assert 'href="../networks.html#network-staff-club"' in entry
    crit = read(built_site, "units/u-1/1-2.html")
    assert 'href="../../entries/2026-02-02-staff-club-talk.html"' in crit   # criterion -> entry
    contact = read(built_site, "contacts/pat-public.html")
    assert 'href="../entries/2026-02-02-staff-club-talk.html"' in contact   # contact -> entry
    plan = read(built_site, "plan.html")
    assert 'id="goal-grow"' in plan and "entries/2026-03-01-reflection.html" in plan   # goal -> entry
    networks = read(built_site, "networks.html")
    assert 'href="contacts/pat-public.html"' in networks    # network -> contact
    assert 'href="diary/network/peer-forum.html"' in networks


def test_unit_page_marks_gaps_and_evidence(built_site):
    unit = read(built_site, "units/u-1.html")
    assert unit.count("status-ok") >= 2 and "status-gap" not in unit
    not_chosen = read(built_site, "units/u-3.html")
    assert "Gap: no evidence yet" in not_chosen and "✘" in not_chosen


def test_qualification_credit_rules(built_site):
    q = read(built_site, "qualification.html")
    assert "At least 6 credits in total: 6 credits chosen" in q
    assert "Group A (Mandatory): every unit is mandatory: all chosen" in q


def test_follow_ups_split_by_status(built_site):
    f = read(built_site, "follow-ups.html")
    overdue, rest = f.split('id="open"')
    assert "Visit Northwind Foods" in overdue and "status-overdue" in overdue
    assert "our handover format" in rest.split('id="done"')[1]


def test_diary_filter_pages_list_only_matching_entries(built_site):
    page = read(built_site, "diary/kind/reflection.html")
    assert "Reflection on the first quarter" in page and "Staff Club talk" not in page
    full = read(built_site, "diary.html")
    assert full.count('<li data-kind=') == 3
    assert 'href="diary/kind/event.html"' in full


def test_gaps_grouped_by_rule_with_fix(built_site):
    gaps = read(built_site, "gaps.html")
    assert 'id="rule-overdue-action"' in gaps and "How to fix:" in gaps
    # a finding's subject links to the page it is about
    assert re.search(r'href="entries/2026-02-02-staff-club-talk.html"', gaps)


def test_portfolio_json(built_site):
    doc = json.loads(read(built_site, "portfolio.json"))
    assert doc["as_of"] == AS_OF.isoformat()
    assert {e["id"] for e in doc["entries"]} == {"2026-01-20-forum-meeting-z-q", "2026-02-02-staff-club-talk",
                                                 "2026-03-01-reflection"}
    units = {u["ref"]: u for fw in doc["frameworks"] for u in fw["units"]}
    crit = units["U/1"]["outcomes"][0]["criteria"][0]
    assert crit["ref"] == "U/1:1.1" and crit["met"] and crit["evidence"] == ["2026-01-20-forum-meeting-z-q"]
    att = doc["entries"][0]["attachments"][0]
    assert att["size"] == len(b"Notes from the meeting.\n") and len(att["sha256"]) == 64
    assert any(d["rule"] == "overdue-action" for d in doc["diagnostics"])
    assert all("channels" not in c for c in doc["contacts"])


def test_matrix_csv(built_site):
    rows = list(csv.reader(io.StringIO(read(built_site, "matrix/u-1.csv"))))
    assert rows[0] == ["date", "ref", "entry", "title", "U/1:1.1", "U/1:1.2"]
    # the fixture's first entry by date; its reference is the first one issued (no entry pins one)
    assert rows[1][:3] == ["2026-01-20", "E001", "2026-01-20-forum-meeting-z-q"] and rows[1][4:] == ["x", ""]
    assert rows[-1][4:] == ["yes", "yes"]


def test_search_index_is_a_script(built_site):
    js = read(built_site, "search-index.js")
    assert js.startswith("window.PORTFOLIO_SEARCH = [")
    docs = json.loads(js[len("window.PORTFOLIO_SEARCH = "):].rstrip().rstrip(";"))
    assert ["E002 Staff Club talk with Pat Public", "entries/2026-02-02-staff-club-talk.html"] in [d[:2] for d in docs]
    search = read(built_site, "search.html")
    assert '<script src="search-index.js"></script>' in search and "fetch(" not in read(built_site, "assets/search.js")


def test_attachment_copied_with_size_and_hash(built_site):
    copy = built_site / "files/2026-01-20-forum-meeting-z-q/1-notes-z-q.txt"
    assert copy.read_bytes() == b"Notes from the meeting.\n"
    page = read(built_site, "entries/2026-01-20-forum-meeting-z-q.html")
    assert 'href="../files/2026-01-20-forum-meeting-z-q/1-notes-z-q.txt"' in page and "24 bytes" in page
    import hashlib
    assert hashlib.sha256(copy.read_bytes()).hexdigest() in page


def test_markdown_headings_stay_in_order(built_site):
    page = read(built_site, "entries/2026-03-01-reflection.html")
    # the body's "# Description" and "### Feelings" sit under the page's h2 "Account" as h3 and h4
    assert "<h3>Description</h3>" in page and "<h4>Feelings</h4>" in page
    levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", page)]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:]))


def test_network_map_is_svg_with_text_alternative(built_site):
    page = read(built_site, "networks.html")
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert 'aria-labelledby="map-title map-desc"' in svg and "<title" in svg and "<desc" in svg
    assert "Peer Forum" in svg and "Pat Public" in svg and 'class="map-intro"' in svg
    assert "introduced" in page[page.index('id="map-text"'):]


def test_same_records_same_bytes(site_source, built_site, tmp_path):
    out = tmp_path / "again"
    assert build_site(site_source, out).published
    first = {p.relative_to(built_site): p.read_bytes() for p in built_site.rglob("*") if p.is_file()}
    second = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert first == second


def test_every_html_page_has_one_h1_and_landmarks(built_site):
    for f in built_site.rglob("*.html"):
        text = f.read_text(encoding="utf-8")
        assert text.count("<h1") == 1, f
        assert '<main id="main"' in text and "<header" in text and "<footer" in text and '<html lang="en-GB">' in text
        assert not parse(f).errors


def test_page_deps():
    from generator import pipeline
    from generator.render.pages import pages
    from conftest import FIXTURES
    result = pipeline.check(FIXTURES / "site", AS_OF)
    by_path = {p.path: p for p in pages(result.model, result.diagnostics, result.coverage)}
    assert by_path["index.html"].deps is None and by_path["portfolio.json"].deps is None
    entry = by_path["entries/2026-01-20-forum-meeting-z-q.html"]
    kinds = sorted(type(d).__name__ for d in entry.deps)
    assert kinds == ["Contact", "Entry", "Goal", "Network", "Unit", "Unit"]
    contact = by_path["contacts/pat-public.html"]
    assert {type(d).__name__ for d in contact.deps} == {"Contact", "Entry"}
    assert len({p.path for p in by_path.values()}) == len(by_path)


def test_network_map_labels_wrap_on_words_rather_than_cut():
    from generator.render.netmap import _lines
    assert _lines("Harbourline Green Team") == ["Harbourline Green", "Team"]
    assert _lines("Peer Forum") == ["Peer Forum"]
    assert _lines("Wessex University alumni business network") == ["Wessex University", "alumni business net…"]
