"""Consistency, continued: entry pages, the gaps page and the matrix index against the records.

The portfolios, their builds and the oracle are those of tests/test_consistency.py (built once per run).
"""
from __future__ import annotations

import re
from collections import Counter

import published as pub
from consistency_builds import Tally
from test_consistency import built, cases, gap_counts, norm  # noqa: F401  (built is the shared fixture)


@cases
def test_entry_pages(built):
    """Each entry page lists the criteria the entry cites, each linked to its page, and its actions in the
    state the records give them (done, overdue or open as of the build date)."""
    b, o, t = built, built.oracle, Tally()
    for stem, data in o.entries.items():
        rel = f"entries/{b.entry_id[stem]}.html"
        sections = pub.heading_sections(b.page(rel))
        cited = list(dict.fromkeys(data.get("criteria") or []))
        links = [a for n in sections.get("Criteria evidenced", []) for a in n.iter("a") if a.words() in o.criteria]
        t.same(f"{rel}: criteria", Counter(a.words() for a in links), Counter(cited))
        for a in links:
            target = norm(rel, a.attrs.get("href", ""))
            t.same(f"{rel}: link to {a.words()}", target, b.criterion_path(o.criteria[a.words()]))
        items = [li for n in sections.get("Actions and outcomes", []) for li in n.find_all("li")]
        want = [o.action_status(a) for a in o.actions if a.entry == stem]
        t.same(f"{rel}: actions", [pub.status_words(li)[0] if pub.status_words(li) else None for li in items], want)
    t.check()


@cases
def test_gaps_page(built):
    """The gaps page lists as many findings of each rule as the records call for."""
    b, o, t = built, built.oracle, Tally()
    body = pub.main(b.page("gaps.html"))
    for rule, n in gap_counts(o, b.published_auto).items():
        section = body.find("section", id=f"rule-{rule}")
        listed = len(section.find("ul", class_="diagnostics").find_all("li")) if section is not None else 0
        t.same(f"gaps.html: findings of {rule}", listed, n)
    t.check()


@cases
def test_matrix_index(built):
    """The matrix index lists every chosen unit of every framework with its criteria met."""
    b, o, t = built, built.oracle, Tally()
    listed = {}
    for li in pub.main(b.page("matrix.html")).find_all("li"):
        ref = li.find("a").words().split(" ")[0] if li.find("a") else None
        if ref in o.units:
            listed[ref] = pub.counts(re.sub(r"\(.*?\)", "", li.words()))
    want = {u.ref: [o.unit_count(u, b.published_auto)] for fid in [o.qualification, *o.extra]
            for u in o.chosen_units(fid)}
    t.same("matrix.html: units listed", sorted(listed), sorted(want))
    for ref, counts in want.items():
        t.same(f"matrix.html: {ref} met", listed.get(ref), counts)
    t.check()
