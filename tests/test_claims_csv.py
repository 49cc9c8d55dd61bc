"""The long-format CSV (matrix/claims.csv; docs/exports.md): one row per (entry, criterion) claim.

Every row is compared with an independent reading of the records (tests/oracle.py: the entries' front
matter, the frameworks, assessments/ and iqa/), on a portfolio with a decision in every state and on every
consistency case (the example, the site fixture, the seeded shapes).
"""
from __future__ import annotations

import datetime as dt
import html
import re
import zipfile

import pytest
import yaml

import published as pub
from consistency_builds import Tally, _entry_ids
from generator.cli import main
from oracle import Oracle
from test_consistency import built, cases  # noqa: F401  (the consistency builds, made once per session)
from test_site_assessment import every_state

HEADER = ["entry", "ref", "date", "title", "framework", "unit", "criterion", "evidenced", "state", "sampled by IQA",
          "decision", "outcome", "decision date", "decision judged this entry"]


def expected_rows(o: Oracle, entry_id: dict, published_auto: dict) -> list[list[str]]:
    """The claims as the records state them, in the order the CSV promises: entries by date, then file
    name; each entry's criteria as it cites them (once each)."""
    sampled = o.sampled()
    refs = o.evidence_refs()
    rows = []
    for stem, front in sorted(o.entries.items(), key=lambda kv: (str(kv[1].get("date")), kv[0])):
        files = {f"entries/{stem}.md"} | {a["path"] for a in front.get("attachments") or []}
        for ref in dict.fromkeys(front.get("criteria") or []):
            c = o.criteria[ref]
            d = o.latest_decision(c)
            rows.append([entry_id[stem], refs[stem], str(front["date"]), c.unit.framework, c.unit.ref, ref,
                         "yes" if o.met(c, published_auto) else "no",
                         o.assessment_state(c, claimed=True), "yes" if d and d["id"] in sampled else "",
                         d["id"] if d else "", d["outcome"] if d else "", str(d["date"]) if d else "",
                         ("yes" if files & {ev["path"] for ev in d.get("evidence") or []} else "no") if d else ""])
    return rows


def without_title(rows):
    return [r[:3] + r[4:] for r in rows]


def test_every_state_against_the_records(tmp_path):
    f, root = every_state(tmp_path)
    assert main(["build", "--source", str(root), "--out", str(tmp_path / "site"), "--as-of", "2026-04-01",
                 "--no-cache"]) == 0
    rows = pub.read_csv(tmp_path / "site" / "matrix" / "claims.csv")
    assert rows[0] == HEADER
    o = Oracle(root, dt.date(2026, 4, 1))
    want = expected_rows(o, _entry_ids(o, tmp_path / "site"), {})
    assert without_title(rows[1:]) == want
    for r in rows[1:]:   # the title as the entry's page shows it (a hidden name in it is cut on both)
        page = (tmp_path / "site" / "entries" / f"{r[0]}.html").read_text("utf-8")
        h1 = re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1))
        assert html.unescape(h1).strip() == f"{r[1]} {r[3]}"
    states = {r[6]: r[8] for r in rows[1:]}
    # the test portfolio holds every state a claim can be in, so each column is exercised
    assert {"Met", "Not yet met", "Referred", "Stale", "Claimed"} <= set(states.values())
    assert any(r[9] == "yes" for r in rows[1:]) and any(r[13] == "no" for r in rows[1:])


@cases
def test_claims_agree_with_the_records(built):  # noqa: F811
    b, o, t = built, built.oracle, Tally()
    rows = pub.read_csv(b.site / "matrix" / "claims.csv")
    t.same("header", rows[0], HEADER)
    want = expected_rows(o, b.entry_id, b.published_auto)
    got = without_title(rows[1:])
    t.same("number of claims", len(got), len(want))
    for i, (g, w) in enumerate(zip(got, want)):
        t.same(f"claims.csv row {i + 2}", g, w)
    t.check()


def test_no_channel_value_or_unconsented_name(example_source, example_site):
    """The example's hidden contacts (no publish consent) and every channel value, from the raw records."""
    text = (example_site / "matrix" / "claims.csv").read_text("utf-8")
    assert len(text.splitlines()) > 10
    for p in sorted((example_source / "contacts").glob("*.yaml")):
        data = yaml.safe_load(p.read_text("utf-8"))
        for value in (data.get("channels") or {}).values():
            assert str(value) not in text, p.name
        if not (data.get("consent") or {}).get("publish"):
            assert data["name"] not in text, p.name


def test_the_export_archive_holds_claims_and_keeps_matrix_csv(tmp_path):
    f, root = every_state(tmp_path)
    assert main(["export", "--source", str(root), "--out", str(tmp_path / "out"), "--as-of", "2026-04-01",
                 "--no-cache"]) == 0
    with zipfile.ZipFile(next((tmp_path / "out").glob("*.zip"))) as zf:
        names = set(zf.namelist())
        assert {"matrix.csv", "claims.csv", "site/matrix/claims.csv"} <= names
        top = zf.read("claims.csv")
        assert top.startswith(b"\xef\xbb\xbf")    # opened by hand: the BOM makes a spreadsheet read UTF-8
        assert top[3:] == zf.read("site/matrix/claims.csv")


@pytest.mark.parametrize("page", ["matrix.html"])
def test_the_matrix_index_links_the_claims_csv(example_site, page):
    links = pub.main(pub.parse(example_site / page)).links()
    assert "matrix/claims.csv" in links
