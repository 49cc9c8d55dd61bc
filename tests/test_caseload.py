"""`portfolio caseload`: a dashboard across learners, end to end through the CLI.

Four learners' sites are built from differing records (the example, with decisions and an IQA sample, and
three seeded shapes of tests/portfolio_shapes.py given names, candidate numbers, assessors and IQAs); one of
them reaches the caseload as a `portfolio export` archive. Beside them lie a broken file, a foreign JSON
file, one from a newer major version, one from before the format was versioned and a copy of a learner
already read. Every number of the dashboard (its CSV, its table, each assessor's and IQA's page) is compared
with tests/oracle.py's reading of that learner's records, never with the learner's portfolio.json.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest
import yaml

import published as pub
from consistency_builds import _source
from generator.caseload import read
from generator.cli import main
from oracle import Oracle, as_date

AS_OF = dt.date(2026, 10, 15)          # the caseload's day: later than every learner's build
SHAPES = {   # shape -> what the test adds to its learner (none of the shapes names an assessor)
    "actions-every-state": {"name": "Quill Abernathy", "candidate_number": "C-0001", "centre": "North Centre",
                            "assessor": "Ann Assessor", "iqa": "Leonie Marsh"},
    "reviews-and-met-dates": {"name": "Rowan Bexley", "candidate_number": "C-0002", "centre": "North Centre",
                              "assessor": "Graham Pike"},
    "random-3": {"name": "Saffron Caddick", "centre": "South Centre"},
}
STATES = ("not-started", "claimed", "met", "not-yet", "referred", "stale")


def _run(*args) -> int:
    return main(["caseload", *map(str, args)])


@pytest.fixture(scope="module")
def centre(tmp_path_factory):
    """The learners' records, their published files, and the caseload built from them."""
    root = tmp_path_factory.mktemp("centre")
    learners, inputs = {}, root / "collected"
    inputs.mkdir()
    src, as_of = _source("example", root / "example")
    assert main(["build", "--source", str(src), "--out", str(inputs / "dana"), "--as-of", as_of.isoformat()]) == 0
    learners["PQ-2025-048817"] = Oracle(src, as_of)
    for i, (shape, who) in enumerate(SHAPES.items()):
        src, as_of = _source(shape, root / shape)
        p = yaml.safe_load((src / "portfolio.yaml").read_text("utf-8"))
        p["learner"].update(who)
        (src / "portfolio.yaml").write_text(yaml.safe_dump(p, sort_keys=False), "utf-8")
        if i == 2:   # this one arrives as its export archive
            assert main(["export", "--source", str(src), "--out", str(root / "export"), "--as-of",
                         as_of.isoformat()]) == 0
            shutil.copy(next((root / "export").glob("*.zip")), inputs / "saffron.zip")
        else:
            assert main(["build", "--source", str(src), "--out", str(inputs / shape), "--as-of",
                         as_of.isoformat()]) == 0
        learners[who.get("candidate_number") or who["name"]] = Oracle(src, as_of)
    good = json.loads((inputs / "dana" / "portfolio.json").read_text("utf-8"))
    odd = root / "odd"
    odd.mkdir()
    (odd / "broken.json").write_text('{"$schema": "https://portfolio-generator.example.org/sch', "utf-8")
    (odd / "foreign.json").write_text(json.dumps({"name": "package.json", "version": "1.0.0"}), "utf-8")
    (odd / "newer.json").write_text(json.dumps({**good, "version": "2.0"}), "utf-8")
    old = {k: v for k, v in good.items() if k not in ("format", "version")}
    (odd / "unversioned.json").write_text(json.dumps(old), "utf-8")
    shutil.copy(inputs / "dana" / "portfolio.json", odd / "dana-again.json")
    out = root / "dashboard"
    return root, inputs, odd, out, learners


@pytest.fixture(scope="module")
def dashboard(centre):
    root, inputs, odd, out, learners = centre
    capture = io.StringIO()
    import contextlib
    with contextlib.redirect_stderr(capture):
        status = _run(inputs, odd, "--out", out, "--as-of", AS_OF.isoformat())
    return status, capture.getvalue(), out, learners


def _csv(out: Path) -> dict:
    rows = list(csv.DictReader(io.StringIO((out / "caseload.csv").read_text("utf-8"))))
    return {r["candidate_number"] or r["learner"]: r for r in rows}


def _expected(o: Oracle) -> dict:
    """A learner's dashboard figures, from their records (and the caseload's as-of for the days)."""
    states = Counter(o.assessment_states().values())
    qual = o.portfolio["qualification"]
    ends = as_date(qual.get("registration_ends"))
    dates = [as_date(e.get("date")) for e in o.entries.values() if e.get("date")]
    last = max(dates) if dates else None
    actions = o.actions_by_status()
    evidenced, total = o.coverage(o.qualification)
    iqa = o.iqa_summary()
    learner = o.portfolio["learner"]
    assessors = [learner["assessor"]] if learner.get("assessor") else [
        p["name"] for p in (o.portfolio.get("assessment") or {}).get("assessors") or []]
    iqas = [learner["iqa"]] if learner.get("iqa") else [
        p["name"] for p in (o.portfolio.get("assessment") or {}).get("iqas") or []]
    return {
        "learner": learner["name"], "centre": learner.get("centre", ""), "assessor": "; ".join(assessors),
        "iqa": "; ".join(iqas), "as_of": o.as_of.isoformat(),
        "criteria_evidenced": str(evidenced), "criteria_total": str(total),
        "percent": str(round(100 * evidenced / total) if total else 0),
        **{k.replace("-", "_") if k != "claimed" else "claimed_awaiting": str(states.get(k, 0)) for k in STATES},
        "decisions": str(len(o.decisions())),
        "last_activity": last.isoformat() if last else "",
        "days_since_activity": str((AS_OF - last).days) if last else "",
        "reviews_overdue": str(sum(o.review_due(c) for c in o.contacts.values())),
        "actions_overdue": str(len(actions["overdue"])), "actions_open": str(len(actions["open"])),
        "registration_ends": ends.isoformat() if ends else "",
        "days_left": str((ends - AS_OF).days) if ends else "",
        "iqa_decisions_sampled": str(iqa["decisions_sampled"]), "iqa_samples": str(iqa["samples"]),
        "iqa_last_sample": iqa["last_sample"] or "", "iqa_actions_open": str(iqa["actions_open"]),
    }


def test_every_learner_row_says_what_their_records_say(dashboard):
    status, err, out, learners = dashboard
    assert status == 0, err
    rows = _csv(out)
    assert set(rows) == set(learners)
    wrong = []
    for key, o in learners.items():
        for field, want in _expected(o).items():
            if rows[key][field] != want:
                wrong.append(f"{key} {field}: dashboard {rows[key][field]!r}, records {want!r}")
    assert wrong == []
    # the figures differ between learners, so a row cannot pass by repeating another's
    assert len({(r["criteria_evidenced"], r["actions_overdue"], r["last_activity"]) for r in rows.values()}) == 4


def test_the_table_shows_the_same_figures(dashboard):
    status, err, out, learners = dashboard
    shown = {cells[0]: cells for cells in _rows(pub.parse(out / "index.html"), "learners-table")}
    assert len(shown) == len(learners)
    for key, o in learners.items():
        want = _expected(o)
        cells = next(c for name, c in shown.items() if name.startswith(want["learner"]))
        assert cells[3] == f"{want['criteria_evidenced']} of {want['criteria_total']} ({want['percent']}%)"
        assert cells[4].split(" ")[0] == want["claimed_awaiting"]
        assert cells[5] == f"{want['met']} / {want['not_yet']} / {want['referred']}"
        assert cells[6] == want["stale"]
        assert cells[8] == want["reviews_overdue"] and cells[9] == want["actions_overdue"]
        days = want["days_left"]
        assert cells[10] == ("not recorded" if days == "" else days if int(days) > 0 else
                             "last day" if int(days) == 0 else f"ended {-int(days)} ago")


def test_bad_foreign_newer_unversioned_and_repeated_inputs_are_reported_and_skipped(dashboard, centre):
    status, err, out, learners = dashboard
    odd = centre[2]
    lines = [l for l in err.splitlines() if "skipped" in l]
    why = {Path(l.split(": skipped: ")[0]).name: l.split(": skipped: ")[1] for l in lines}
    assert set(why) == {"broken.json", "foreign.json", "newer.json", "unversioned.json", "dana-again.json"}
    assert "not valid JSON" in why["broken.json"]
    assert "not a learner's portfolio.json" in why["foreign.json"]
    assert "newer than this generator reads" in why["newer.json"]
    assert "before portfolio.json was versioned" in why["unversioned.json"]
    assert "the same learner as" in why["dana-again.json"]
    assert str(odd) in err and "Traceback" not in err
    assert "5 input(s) left out" in err


def test_strict_fails_when_an_input_was_left_out_but_still_writes(centre, tmp_path):
    root, inputs, odd, out, learners = centre
    assert _run(inputs, "--out", tmp_path / "a", "--as-of", AS_OF, "--strict") == 0
    assert _run(inputs, odd / "foreign.json", "--out", tmp_path / "b", "--as-of", AS_OF, "--strict") == 1
    assert (tmp_path / "b" / "index.html").is_file()
    assert _run(odd / "foreign.json", "--out", tmp_path / "c", "--as-of", AS_OF) == 1
    assert not (tmp_path / "c").exists()


def test_output_safety(centre, tmp_path, capsys):
    root, inputs, odd, out, learners = centre
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    assert _run(inputs, "--out", mine, "--as-of", AS_OF) == 2
    assert (mine / "notes.txt").read_text() == "keep me"
    site = inputs / "dana"
    before = (site / "portfolio.json").read_bytes()
    assert _run(site, "--out", site, "--as-of", AS_OF) == 2          # the dashboard never replaces an input
    assert _run(inputs, "--out", inputs / "dana", "--as-of", AS_OF) == 2
    assert (site / "portfolio.json").read_bytes() == before
    assert "refusing to write" in capsys.readouterr().err


def test_deterministic_and_rebuilt_in_place(centre, tmp_path):
    root, inputs, odd, out, learners = centre
    for name in ("one", "two"):
        assert _run(inputs, odd, "--out", tmp_path / name, "--as-of", AS_OF) == 0
    assert _run(inputs, odd, "--out", tmp_path / "two", "--as-of", AS_OF) == 0   # over its own earlier output
    files = lambda d: {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}  # noqa: E731
    assert files(tmp_path / "one") == files(tmp_path / "two")


def test_workload_and_filter_pages_per_assessor_and_iqa(dashboard):
    status, err, out, learners = dashboard
    expected = {key: _expected(o) for key, o in learners.items()}
    for kind, field, folder in (("assessor", "assessor", "assessors"), ("iqa", "iqa", "iqas")):
        groups: dict = {}
        for e in expected.values():
            for name in (e[field].split("; ") if e[field] else ["Not assigned"]):
                groups.setdefault(name, []).append(e)
        pages = sorted(p.name for p in (out / folder).glob("*.html"))
        assert len(pages) == len(groups)
        for name, members in groups.items():
            page = out / folder / (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + ".html")
            doc = pub.parse(page)
            heads = [th.words() for th in pub.main(doc).find_all("th") if th.attrs.get("scope") == "row"]
            listed = sorted(h for h in heads if any(h.startswith(m["learner"]) for m in members))
            assert len(listed) == len(members), (page, heads)
            assert not any(h.startswith(e["learner"]) for e in expected.values() if e not in members for h in heads)
            total = lambda f: sum(int(m[f]) for m in members)   # noqa: E731
            if kind == "assessor":
                row = _rows(doc, "workload-table")[0]
                assert row[:3] == [name, str(len(members)), str(total("claimed_awaiting"))]
                assert row[4:] == [str(total("stale")), str(total("decisions"))]
                claims = [m["learner"] for m in members]
                assert row[3] == ("—" if not total("claimed_awaiting") else row[3]) and claims
            else:
                row = _rows(doc, "sampling-table")[0]
                decisions, sampled = total("decisions"), total("iqa_decisions_sampled")
                unsampled = sum(1 for m in members if int(m["decisions"]) and not int(m["iqa_decisions_sampled"]))
                assert row[:8] == [name, str(len(members)), str(decisions), str(sampled),
                                   f"{round(100 * sampled / decisions)}%" if decisions else "—", str(unsampled),
                                   str(total("iqa_samples")), str(total("iqa_actions_open"))]
    # the index's workload for every assessor, and its IQA picture across everyone (the table's foot)
    doc = pub.parse(out / "index.html")
    assert sorted(r[0] for r in _rows(doc, "workload-table")) == sorted(
        {n for e in expected.values() for n in (e["assessor"].split("; ") if e["assessor"] else ["Not assigned"])})
    foot = _rows(doc, "sampling-table", "tfoot")[0]
    decisions = sum(int(e["decisions"]) for e in expected.values())
    sampled = sum(int(e["iqa_decisions_sampled"]) for e in expected.values())
    assert foot[:4] == ["All learners", str(len(expected)), str(decisions), str(sampled)]


def _rows(doc, table_id: str, part: str = "tbody") -> list[list[str]]:
    table = next(t for t in pub.main(doc).find_all("table") if t.attrs.get("id") == table_id)
    return [[c.words() for c in tr.children if isinstance(c, pub.Node) and c.tag in ("th", "td")]
            for tr in table.find(part).find_all("tr")]


def test_publishes_nothing_from_past_the_head(dashboard):
    """No contact, entry title or body reaches the dashboard: it reads only the head of each file."""
    status, err, out, learners = dashboard
    text = "\n".join(p.read_text("utf-8") for p in out.rglob("*") if p.suffix in (".html", ".csv"))
    for o in learners.values():
        for c in o.contacts.values():
            assert c.data["name"] not in text
            for value in (c.data.get("channels") or {}).values():
                assert str(value) not in text
        for e in o.entries.values():
            assert e["title"] not in text


def test_a_newer_minor_version_is_read_and_its_new_members_ignored(tmp_path, centre):
    good = json.loads((centre[1] / "dana" / "portfolio.json").read_text("utf-8"))
    newer = {**good, "version": "1.7", "overview": {**good["overview"], "something_new": {"x": 1}}}
    (tmp_path / "newer.json").write_text(json.dumps(newer), "utf-8")
    assert read.read_one(tmp_path / "newer.json")["overview"]["criteria"] == good["overview"]["criteria"]
    wrong = {**good, "overview": {**good["overview"], "reviews_overdue": -1}}
    (tmp_path / "wrong.json").write_text(json.dumps(wrong), "utf-8")
    with pytest.raises(read._Bad, match="schema at overview/reviews_overdue"):
        read.read_one(tmp_path / "wrong.json")


def test_the_head_reader_agrees_with_json_whatever_the_chunks(centre, monkeypatch):
    raw = (centre[1] / "dana" / "portfolio.json").read_bytes()
    whole = json.loads(raw)
    want = {k: whole[k] for k in read.HEAD}
    for size in (1, 7, 100, 1 << 16):
        monkeypatch.setattr(read, "CHUNK", size)
        assert read.head(io.BytesIO(raw)) == want
        pretty = json.dumps(whole, indent=2, ensure_ascii=False).encode("utf-8")
        assert read.head(io.BytesIO(pretty)) == want
    # reordered (the head last): still found, by reading on
    moved = {k: v for k, v in whole.items() if k not in read.HEAD} | want
    assert read.head(io.BytesIO(json.dumps(moved).encode())) == want
    for bad, why in ((raw[:500], "ends early"), (b"\xff\xfe{}", "not UTF-8"), (b"[1, 2]", "not a JSON object"),
                     (b"", "an empty file"), (b'{"a" 1}', "not valid JSON")):
        monkeypatch.setattr(read, "CHUNK", 64)
        with pytest.raises(read._Bad, match=why):
            read.head(io.BytesIO(bad))


def test_an_archive_without_portfolio_json_and_a_folder_without_inputs(tmp_path, capsys):
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as zf:
        zf.writestr("readme.txt", "hello")
    (tmp_path / "not-a-zip.zip").write_bytes(b"PK\x03\x04 broken")
    (tmp_path / "empty").mkdir()
    assert _run(tmp_path / "other.zip", tmp_path / "not-a-zip.zip", tmp_path / "empty", tmp_path / "absent.json",
                "--out", tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert "other.zip: skipped: an archive without portfolio.json" in err
    assert "not-a-zip.zip: skipped: not a readable zip archive" in err
    assert "empty: skipped: a folder with no portfolio.json" in err
    assert "absent.json: skipped: no such file or folder" in err
    assert "Traceback" not in err


def test_a_theme_overrides_a_caseload_template(centre, tmp_path):
    theme = tmp_path / "theme" / "templates" / "caseload"
    theme.mkdir(parents=True)
    (theme / "index.html").write_text('{% extends "!default/caseload/index.html" %}'
                                      '{% block content %}<p id="ours">Our centre</p>{{ super() }}{% endblock %}')
    assert _run(centre[1], "--out", tmp_path / "out", "--theme", tmp_path / "theme", "--as-of", AS_OF) == 0
    page = (tmp_path / "out" / "index.html").read_text("utf-8")
    assert '<p id="ours">Our centre</p>' in page and 'id="learners-table"' in page


def test_pages_parse_without_errors_and_ids_are_unique(dashboard):
    import html5lib
    status, err, out, learners = dashboard
    for page in sorted(out.rglob("*.html")):
        parser = html5lib.HTMLParser(strict=False)
        parser.parse(page.read_bytes())
        assert parser.errors == [], (page, parser.errors[:3])
        ids = re.findall(r'\sid="([^"]+)"', page.read_text("utf-8"))
        assert len(ids) == len(set(ids)), page


def test_nu_validator_finds_nothing(dashboard, tmp_path):
    import subprocess
    from test_site_conformance import _vnu
    cmd = _vnu()
    status, err, out, learners = dashboard
    pages = [str(p) for p in sorted(out.rglob("*.html"))]
    r = subprocess.run(cmd + ["--errors-only", *pages], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[:3000]


def test_accessible_and_fits_375px_and_filters_with_and_without_script(dashboard):
    from test_browser import _audit, serve
    status, err, out, learners = dashboard
    pytest.importorskip("playwright")
    from test_browser import CHROMIUM, ARGS
    from playwright.sync_api import sync_playwright
    pages = ["index.html"] + [p.relative_to(out).as_posix() for p in sorted(out.glob("*/*.html"))]
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        except Exception as e:  # noqa: BLE001 - any launch failure means: no browser here
            pytest.skip(f"chromium cannot start: {str(e).splitlines()[0]}")
        with serve(out) as base:
            _audit(browser, base, pages)
            page = browser.new_page()
            page.goto(base + "index.html")
            page.select_option("#f-assessor", "graham-pike")
            visible = page.locator("#learners-table tbody tr:visible").count()
            assert visible == sum(1 for o in learners.values() if "Graham Pike" in _expected(o)["assessor"])
            assert "learners shown" in page.locator("#caseload-filter-status").inner_text()
            page.close()
            ctx = browser.new_context(java_script_enabled=False)
            page = ctx.new_page()
            page.goto(base + "index.html")
            assert page.locator("#caseload-filter").is_hidden()
            page.click("text=Graham Pike")
            assert page.url.endswith("assessors/graham-pike.html")
            ctx.close()
        browser.close()


def test_a_contact_detail_in_a_name_field_stops_the_publish(centre, tmp_path, capsys):
    good = json.loads((centre[1] / "dana" / "portfolio.json").read_text("utf-8"))
    leaky = {**good, "learner": {**good["learner"], "assessor": "Graham Pike graham.pike@example.org"}}
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "leaky.json").write_text(json.dumps(leaky), "utf-8")
    assert _run(tmp_path / "in", "--out", tmp_path / "out", "--as-of", AS_OF) == 1
    err = capsys.readouterr().err
    assert "dashboard not written" in err and "e-mail address" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
