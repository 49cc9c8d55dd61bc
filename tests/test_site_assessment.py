"""The assessment states on the site, read back from the built pages and compared with what the records
written here say (an independent reading: the expected values are worked out in the test from the records)."""
from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import yaml

import published
from assess_helpers import AFolio, sha
from generator import pipeline

A1 = "2026-01-10-meeting-ann"      # maps A/1:1.1
B2 = "2026-02-05-call-bob"         # maps A/1:1.2, A/2:1.1
R3 = "2026-03-01-reflection"       # maps B/1:1.1, C/1:1.1
REPO = Path(__file__).resolve().parents[1]


def text_of(path: Path) -> str:
    s = path.read_text("utf-8")
    s = s[s.index("<main"):]
    s = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", s)).split())
    return re.sub(r"\( ", "(", re.sub(r" ([:.,;)])", r"\1", s))   # a tag boundary is not a space before punctuation


def build(f, tmp_path):
    root = f.write()
    out = tmp_path / "site"
    result = pipeline.build(root, out, dt.date(2026, 4, 1))
    assert result.published, result.errors
    return out


def every_state(tmp_path):
    f = AFolio(tmp_path / "src")
    f.decide("d1", ["A/1:1.1"], [A1], date="2026-03-20", feedback="Well evidenced.")
    f.decide("d2", ["A/1:1.2"], [B2], outcome="not-yet", date="2026-03-21", feedback="Say what you did next.",
             reply={"date": "2026-03-24", "text": "I will add the follow-up."})
    f.decide("d3", ["A/2:1.1"], [B2], outcome="referred", date="2026-03-22")
    f.decide("d4", ["C/1:1.1"], [R3], date="2026-03-23")
    f.iqa["s1"] = {"date": "2026-03-30", "iqa": "lm", "stage": "interim", "sampled": ["d1"], "outcome": "action",
                   "action": "Record the questions asked."}
    f.portfolio["declaration"] = {"text": "All my own work.", "date": "2026-03-01"}
    root = f.write()
    # the learner edits the reflection after d4 judged it: d4 is stale
    (root / "entries" / f"{R3}.md").write_text(f.entry_text(R3) + "\nA later thought.\n", "utf-8")
    return f, root


def test_assessment_page_lists_decisions_states_claims_and_the_iqa_sample(tmp_path):
    f, root = every_state(tmp_path)
    out = tmp_path / "site"
    assert pipeline.build(root, out, dt.date(2026, 4, 1)).published
    page = text_of(out / "assessment.html")
    # criteria of the chosen units A/1 (1.1, 1.2), A/2 (1.1), B/1 (1.1), C/1 (1.1): one in each state but
    # not started; B/1:1.1 is mapped by the reflection and never decided, so it is claimed
    for word, n in (("Met", 1), ("Not yet met", 1), ("Referred", 1), ("Stale", 1), ("Claimed", 1),
                    ("Not started", 0)):
        assert f"{word}: {n} criteri" in page, word
    assert "12 credits chosen, 0 signed off." in page
    assert "Stale decisions (1)" in page and re.search(r"C/1:1\.1 — changed since: E\d{3} Reflecting ⚠ changed since judged", page)
    assert "Open claims (1)" in page and "B/1:1.1 1 March 2026 31" in page
    assert "Graham Pike: 4 decisions" in page
    assert "Say what you did next." in page and "The learner's reply, 24 March 2026 I will add the follow-up." in page
    assert "IQA samples (1)" in page and "Record the questions asked. — ⚠ open" in page
    assert "Declared by the learner on 1 March 2026" in page
    # the newest decision first
    assert page.index("23 March 2026: ✔ Met ⚠ Stale — C/1:1.1") < page.index("20 March 2026: ✔ Met ◈ Sampled by IQA — A/1:1.1")


def test_example_assessment_page_agrees_with_the_example_records(example_site):
    """Read the example's assessments/ and iqa/ with YAML and hash the judged files here, independently."""
    decisions = {p.stem: yaml.safe_load(p.read_text("utf-8")) for p in sorted((REPO / "assessments").glob("*.yaml"))}
    samples = [yaml.safe_load(p.read_text("utf-8")) for p in sorted((REPO / "iqa").glob("*.yaml"))]
    latest: dict = {}
    for did, d in sorted(decisions.items(), key=lambda kv: (str(kv[1]["date"]), kv[0])):
        for ref in d.get("criteria", []):
            latest[ref] = did

    def stale(d):
        for ev in d.get("evidence", []):
            raw = (REPO / ev["path"]).read_bytes()
            now = sha(raw.decode("utf-8")) if ev["path"].startswith("entries/") else __import__("hashlib").sha256(raw).hexdigest()
            if now != ev["sha256"]:
                return True
        return False

    states = {}
    for ref, did in latest.items():
        d = decisions[did]
        states[ref] = "Stale" if stale(d) else {"met": "Met", "not-yet": "Not yet met", "referred": "Referred"}[d["outcome"]]
    page = text_of(example_site / "assessment.html")
    for word in ("Met", "Not yet met", "Referred", "Stale"):
        n = sum(1 for s in states.values() if s == word)
        assert f"{word}: {n} criteri" in page, (word, n)
    assert f"Decisions by date ({len(decisions)})" in page and f"IQA samples ({len(samples)})" in page
    assert f"Stale decisions ({sum(1 for did in set(latest.values()) if stale(decisions[did]))})" in page


# expected per criterion, from the records every_state() writes
EXPECTED = {"A/1:1.1": ("Met", True), "A/1:1.2": ("Not yet met", False), "A/2:1.1": ("Referred", False),
            "C/1:1.1": ("Stale", False), "B/1:1.1": ("Claimed", False), "B/2:1.1": ("Not started", False)}


EXPECTED_ICON = {"Met": "✔", "Not yet met": "✘", "Referred": "↩", "Stale": "⚠", "Claimed": "◔", "Not started": "○"}


def plain(path: Path) -> str:
    """The page's text without the state icons (they are decoration beside the words)."""
    return " ".join(re.sub("[✔✘↩⚠◔○◈]", " ", text_of(path)).split())


def test_every_state_on_criterion_unit_matrix_print_csv_and_json(tmp_path):
    import csv
    import io
    import json
    f, root = every_state(tmp_path)
    out = tmp_path / "site"
    assert pipeline.build(root, out, dt.date(2026, 4, 1)).published
    doc = json.loads((out / "portfolio.json").read_text("utf-8"))
    crits = {c["ref"]: c for fw in doc["frameworks"] for u in fw["units"] for o in u["outcomes"] for c in o["criteria"]}
    printed = plain(out / "print.html")
    for ref, (label, sampled) in EXPECTED.items():
        unit, cid = ref.split(":")
        slug = unit.lower().replace("/", "-")
        page = plain(out / "units" / slug / f"{cid.replace('.', '-')}.html")
        assert f"Assessment {label}" in page, (ref, label)
        assert ("Sampled by IQA" in page) is sampled
        assert f"Assessment: {label}" in plain(out / "units" / f"{slug}.html")
        assert crits[ref]["assessment"]["label"] == label and crits[ref]["assessment"]["sampled"] is sampled
        if unit != "B/2":   # the print view holds the chosen units (A/1, A/2, B/1, C/1)
            assert f"{cid} Do part {cid.split('.')[1]} of {unit} — {label}" in printed
        rows = list(csv.reader(io.StringIO((out / "matrix" / f"{slug}.csv").read_text("utf-8"))))
        cells = dict(zip(rows[0], rows[-2]))   # the assessment row, above the evidence ('met') row
        assert cells[ref] == label + (" (sampled by IQA)" if sampled else ""), (ref, cells)
    assert "Assessment Met Sampled by IQA Not yet met" in plain(out / "matrix" / "a-1.html")
    # each grid cell where an entry evidences a criterion says the criterion's state (icons with words)
    cites = {A1: ["A/1:1.1"], B2: ["A/1:1.2", "A/2:1.1"], R3: ["B/1:1.1", "C/1:1.1"]}
    for eid, refs in cites.items():
        for ref in refs:
            unit, cid = ref.split(":")
            label, sampled = EXPECTED[ref]
            grid = published.parse(out / "matrix" / f"{unit.lower().replace('/', '-')}.html")
            row = next(tr for tr in grid.find("tbody").find_all("tr") 
                       if published.entry_ids(tr.find("th"))[0][:10] == eid[:10])   # the date: names are cut
            said = [td.words() for td in row.find_all("td") if "evidences" in td.words()]
            assert said == [f"{EXPECTED_ICON[label]}{'◈' if sampled else ''}evidences {cid}; {cid} is {label}"
                            + (", sampled by IQA" if sampled else "")], (ref, said)
    # the whole-qualification grid: criteria assessed met per chosen unit (A/1: 1.1 met, 1.2 not yet; A/2 referred;
    # B/1 claimed; C/1 stale), none signed off
    grid = published.parse(out / "matrix.html").find("table", class_="matrix-units")
    units = [th.words() for th in grid.find("thead").find_all("th")][1:-1]
    foot = {tr.find("th").words(): [td.words() for td in tr.find_all("td")] for tr in grid.find("tfoot").find_all("tr")}
    assert dict(zip(units, foot["Assessed met"])) == {"A/1": "1 of 2", "A/2": "0 of 1", "B/1": "0 of 1", "C/1": "0 of 1"}
    assert doc["assessment"]["credits"] == {"chosen": 12, "signed_off": 0}
    assert [d["id"] for d in doc["assessment"]["decisions"] if d["stale"]] == ["d4"]
    assert doc["assessment"]["samples"][0]["decisions"] == ["d1"]
    # the entry the stale decision judged says so; the one never judged says that too
    reflection = next(p for p in (out / "entries").glob("*.html") if "reflection" in p.name)
    assert "this entry changed after the decision" in text_of(reflection)
    assert "No version history is available" in text_of(reflection)
    dash = plain(out / "index.html")
    assert "12 credits chosen, 0 signed off." in dash and "Met: 1" in dash and "Stale: 1" in dash


def test_a_signed_off_unit_shows_on_its_page_and_counts_its_credits(tmp_path):
    f = AFolio(tmp_path / "src")
    f.decide("d1", ["A/1:1.1", "A/1:1.2"], [A1, B2])
    f.decide("d2", ["A/1"], [], date="2026-03-26")
    del f.assessments["d2"]["evidence"]
    f.portfolio["declaration"] = {"text": "Mine.", "date": "2026-03-20"}
    out = build(f, tmp_path)
    assert "Sign-off Signed off" in plain(out / "units" / "a-1.html")
    assert "Sign-off Not signed off" in plain(out / "units" / "a-2.html")
    assert "12 credits chosen, 3 signed off." in text_of(out / "assessment.html")   # A/1 is worth 3 credits
