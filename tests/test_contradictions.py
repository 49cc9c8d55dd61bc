"""The contradictions issue 10 found, each pinned through the real CLI on a real folder.

Every expected value is worked out here from the records as written (the YAML this test writes),
never from the generator: a page and a finding must both say what the records say.
"""
from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
import subprocess
import sys

from rules_helpers import Folio

AS_OF = "2026-04-01"


def cli(*args):
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, timeout=120)


def build(f: Folio, tmp_path, as_of=AS_OF):
    src = f.write()
    out = tmp_path / "site"
    r = cli("build", "--source", str(src), "--out", str(out), "--as-of", as_of, "--no-cache", "--format", "json")
    assert r.returncode == 0, r.stderr
    return out, json.loads(r.stdout)["diagnostics"]


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


# ---- credit rules: "1 short of the 13 required" beside "At least 13 credits in total: Met"

def test_credit_rules_page_says_what_the_finding_says(tmp_path):
    f = Folio(tmp_path / "src")
    f.frameworks["tiny"]["rules"]["min_total"] = 13
    f.portfolio["qualification"]["units"] = ["A/1", "A/2", "B/1", "C/1", "C/2"]
    out, diags = build(f, tmp_path)

    # from the records: group C's 3 + 2 credits are capped at its maximum of 3
    units = {u["ref"]: u for u in f.frameworks["tiny"]["units"]}
    chosen = [units[r] for r in f.portfolio["qualification"]["units"]]
    by_group = {g: sum(u["credits"] for u in chosen if u["group"] == g) for g in "ABC"}
    counted = by_group["A"] + by_group["B"] + min(by_group["C"], 3)
    assert (sum(by_group.values()), counted) == (14, 12)

    page = (out / "qualification.html").read_text("utf-8")
    items = [text(li) for li in re.findall(r"<li>(.*?)</li>", page.split('id="credit-rules"')[1].split("</ul>")[0])]
    total = [i for i in items if "credits in total" in i]
    assert total == [f"✘ Not met At least 13 credits in total: {counted} credits count (14 chosen, but some exceed a "
                     f"group maximum)"]
    over = [i for i in items if "at most 3 credits" in i]
    assert over and over[0].startswith("✘ Not met")
    messages = [d["message"] for d in diags if d["rule"] == "credit-rules"]
    assert any(f"give {counted} credits" in m and "1 short of the 13 required" in m for m in messages)
    # the dashboard says the same
    index = (out / "index.html").read_text("utf-8")
    assert "not all met" in text(index.split("Credit rules:")[1][:200])


def test_credit_rules_met_shows_met_and_no_finding(tmp_path):
    f = Folio(tmp_path / "src")
    out, diags = build(f, tmp_path)
    page = (out / "qualification.html").read_text("utf-8")
    items = [text(li) for li in re.findall(r"<li>(.*?)</li>", page.split('id="credit-rules"')[1].split("</ul>")[0])]
    assert items and all(i.startswith("✔ Met") for i in items)
    assert [d for d in diags if d["rule"] == "credit-rules"] == []


# ---- review due: a finding while the page said "Next review due —"

def test_review_due_page_shows_the_date_the_finding_counts_from(tmp_path):
    f = Folio(tmp_path / "src")
    bob = f.contacts["bob-roe"]
    del bob["met"], bob["reviews"]          # current, with entries, never met-dated nor reviewed
    as_of = "2026-06-01"
    out, diags = build(f, tmp_path, as_of)

    first = min(dt.date.fromisoformat(str(fm["date"])) for fm, _ in f.entries.values() if "bob-roe" in fm["contacts"])
    due = first + dt.timedelta(days=90)
    assert due < dt.date.fromisoformat(as_of)
    found = [d for d in diags if d["rule"] == "review-due" and d["file"] == "contacts/bob-roe.yaml"]
    assert len(found) == 1 and f"due since {due}" in found[0]["message"]
    page = (out / "contacts" / f"{found[0]['subject']}.html").read_text("utf-8")
    assert "<h1>B.R.</h1>" in page and "Director" in page and "Elsewhere Ltd" in page   # the pseudonym; role beside it
    row = text(page.split("Next review due")[1].split("</dd>")[0])
    assert row == f"{due.day} {due:%B %Y} ⚠ overdue"
    listed = text((out / "contacts.html").read_text("utf-8").split(">B.R.<")[1].split("</tr>")[0])
    assert listed.endswith(f"{due.day} {due:%B %Y} ⚠ overdue")


def test_a_contact_reviewed_in_time_shows_its_next_date_and_no_finding(tmp_path):
    f = Folio(tmp_path / "src")
    out, diags = build(f, tmp_path)
    reviewed = dt.date.fromisoformat(f.contacts["ann-lee"]["reviews"][0]["date"])
    due = reviewed + dt.timedelta(days=90)
    assert [d for d in diags if d["rule"] == "review-due"] == []
    page = next(p for p in (out / "contacts").glob("*.html") if "A.L." in p.read_text("utf-8")
                or "Ann Lee" in p.read_text("utf-8"))
    row = text(page.read_text("utf-8").split("Next review due")[1].split("</dd>")[0])
    assert row == f"{due.day} {due:%B %Y}"


# ---- the dashboard headline mixed the qualification with the marking points; the CLI counted their units

def _with_marks(f: Folio):
    f.portfolio["frameworks"] = ["marks"]
    f.frameworks["marks"] = {"title": "Marking points", "units": [{"ref": "MK", "title": "Marks", "outcomes": [
        {"id": "1", "text": "Points", "criteria": [
            {"id": "1.1", "text": "Judged", "auto": {"rule": "few-methods", "min_methods": 9}},
            {"id": "1.2", "text": "Mapped"}, {"id": "1.3", "text": "Unmapped"}]}]}]}
    f.entry("2026-01-10-meeting-ann")["criteria"].append("MK:1.2")


def test_dashboard_and_cli_report_the_qualification_and_the_marking_points_apart(tmp_path):
    f = Folio(tmp_path / "src")
    _with_marks(f)
    out, _ = build(f, tmp_path)

    chosen = f.portfolio["qualification"]["units"]
    cited = {r for fm, _ in f.entries.values() for r in fm.get("criteria") or []}
    q_refs = [f"{u['ref']}:{c['id']}" for u in f.frameworks["tiny"]["units"] if u["ref"] in chosen
              for o in u["outcomes"] for c in o["criteria"]]
    q_met = sum(1 for r in q_refs if r in cited)
    index = text((out / "index.html").read_text("utf-8"))
    pct = round(100 * q_met / len(q_refs))
    assert f"Criteria evidenced across the chosen units: {q_met} of {len(q_refs)} ({pct}%)" in index
    # the marking points: 1.2 by its entry; 1.1's rule wants 9 methods, the diary has fewer; 1.3 nothing
    assert "Marking points: 1 of 3 (33%)" in index

    r = cli("check", "--source", str(f.root), "--as-of", AS_OF)
    last = r.stdout.splitlines()[-1]
    assert f"criteria evidenced {q_met}/{len(q_refs)} ({pct}%) across {len(chosen)} units of tiny" in last
    assert "and 1/3 (33%) across 1 unit of marks" in last


# ---- "met" decided in three places: every output says the same as the entries' count

def test_every_output_says_met_as_the_entries_do(tmp_path):
    f = Folio(tmp_path / "src")
    f.portfolio["checks"] = {"min_evidence_per_criterion": 2}
    out, diags = build(f, tmp_path)

    counts: dict = {}
    for fm, _ in f.entries.values():
        for r in fm.get("criteria") or []:
            counts[r] = counts.get(r, 0) + 1
    chosen = f.portfolio["qualification"]["units"]
    expected = {f"{u['ref']}:{c['id']}": counts.get(f"{u['ref']}:{c['id']}", 0) >= 2
                for u in f.frameworks["tiny"]["units"] if u["ref"] in chosen for o in u["outcomes"] for c in o["criteria"]}
    assert sorted(expected.values()) == [False, False, False, False, True]

    doc = json.loads((out / "portfolio.json").read_text("utf-8"))
    got_json = {c["ref"]: c["met"] for fw in doc["frameworks"] for u in fw["units"] if u["chosen"]
                for o in u["outcomes"] for c in o["criteria"]}
    assert got_json == expected
    unevidenced = {d["subject"] for d in diags if d["rule"] == "unevidenced-criterion"}
    assert unevidenced == {r for r, ok in expected.items() if not ok}
    for ref, ok in expected.items():
        unit, cid = ref.split(":")
        slug = unit.lower().replace("/", "-")
        page = text((out / "units" / slug / f"{cid.replace('.', '-')}.html").read_text("utf-8"))
        assert ("Evidence ✔ Evidenced" in page) == ok and ("Evidence ✘ Gap" in page) == (not ok), ref
        rows = list(csv.reader(io.StringIO((out / "matrix" / f"{slug}.csv").read_text("utf-8"))))
        met_row = dict(zip(rows[0][3:], rows[-1][3:]))
        assert met_row[ref] == ("yes" if ok else "no"), ref

    r = cli("export", "--source", str(f.root), "--out", str(tmp_path / "export"), "--as-of", AS_OF, "--no-cache")
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(io.StringIO((tmp_path / "export" / "matrix.csv").read_text("utf-8-sig"))))
    status = {f"{row[1]}:{row[3]}": row[5] for row in rows[1:]}
    assert status == {ref: "evidenced" if ok else "gap" for ref, ok in expected.items()}


# ---- overdue actions decided in two places

def test_overdue_actions_agree_with_the_records_everywhere(tmp_path):
    f = Folio(tmp_path / "src")
    f.entries["2026-02-05-call-bob"] = (dict(f.entry("2026-02-05-call-bob"), actions=[
        {"do": "Send the plan", "due": "2026-03-01"},                       # overdue
        {"do": "Call again", "due": "2026-04-01"},                          # due today: not overdue
        {"do": "Thank @bob-roe", "due": "2026-02-10", "done": "2026-02-09"}]),   # done
        f.entries["2026-02-05-call-bob"][1])
    out, diags = build(f, tmp_path)
    as_of = dt.date.fromisoformat(AS_OF)
    actions = [a for fm, _ in f.entries.values() for a in fm.get("actions") or []]
    overdue = sorted(a["do"] for a in actions if "done" not in a and dt.date.fromisoformat(str(a["due"])) < as_of)
    assert overdue == ["Send the plan"]
    assert len([d for d in diags if d["rule"] == "overdue-action"]) == len(overdue)
    page = (out / "follow-ups.html").read_text("utf-8")
    assert f"Overdue ({len(overdue)})" in page
    section = page.split('id="overdue"')[1].split('id="open"')[0]
    assert sorted(re.findall(r"</span> ([^<]+?)(?: — due| <span)", section)) == overdue
    index = (out / "index.html").read_text("utf-8").split('id="overdue"')[1].split("</section>")[0]
    assert [a for a in overdue if a in index] == overdue and "Call again" not in index
