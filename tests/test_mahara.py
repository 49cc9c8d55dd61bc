"""The frameworks as Mahara SmartEvidence `.matrix` files (docs/exports.md).

Each published file is checked three ways: against the documented JSON Schema
(generator/schemas/mahara-matrix.schema.json); against the rules Mahara's importer applies that a
schema cannot say (restated here from htdocs/module/framework/lib.php, see `mahara_import_problems`);
and against an independent reading of criteria/*.yaml: every unit once as a standard, every learning
outcome once and every criterion once as an element under its outcome, in the framework's order.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import re
import types
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import REPO, build_site
from rules_helpers import Folio

SCHEMA = json.loads((REPO / "generator" / "schemas" / "mahara-matrix.schema.json").read_text("utf-8"))
FRAMEWORKS = ["proqual-l4-nvq-diploma-management", "networking-marking-points"]


def _numeric(s: str) -> bool:
    return re.fullmatch(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*", s) is not None


def php_eq(a: str, b: str) -> bool:
    """PHP 8's loose `==` between two strings (what array_search uses): as numbers when both are numeric."""
    return float(a) == float(b) if _numeric(a) and _numeric(b) else a == b


def mahara_import_problems(doc: dict) -> list[str]:
    """What Mahara's import would get wrong, following its code: matrix_is_valid_json needs framework.name
    and files each element under the standard whose standardid is === its own; Framework::commit finds a
    parent by array_search (loose ==) over the elementids of the elements inserted before it, across the
    whole framework. Plus what a centre needs to tell the rows apart: unique short names."""
    problems = []
    fw = doc.get("framework") or {}
    if not fw.get("name"):
        problems.append("no framework name (jsonmissingvars)")
    sids = [s["standardid"] for s in fw.get("standards", [])]
    if any(type(i) is not int for i in sids) or len(set(sids)) != len(sids):
        problems.append("standardids must be distinct integers")
    seen: list[dict] = []
    for el in fw.get("standardelements", []):
        if type(el["standardid"]) is not int or el["standardid"] not in sids:
            problems.append(f"{el['elementid']}: standardid {el['standardid']!r} names no standard (===)")
        if not el["elementid"].startswith(f"{el['standardid']}."):
            problems.append(f"{el['elementid']}: not numbered under its standard {el['standardid']}")
        if any(php_eq(el["elementid"], s["elementid"]) for s in seen):
            problems.append(f"{el['elementid']}: loosely equal to an earlier elementid")
        if "parentelementid" in el:
            match = next((s for s in seen if php_eq(el["parentelementid"], s["elementid"])), None)
            if match is None:
                problems.append(f"{el['elementid']}: parent {el['parentelementid']} is not an earlier element")
            elif match["elementid"] != el["parentelementid"] or match["standardid"] != el["standardid"]:
                problems.append(f"{el['elementid']}: parent {el['parentelementid']} finds {match['elementid']}")
            elif not el["elementid"].startswith(el["parentelementid"] + "."):
                problems.append(f"{el['elementid']}: not numbered under its parent {el['parentelementid']}")
        seen.append(el)
    for kind in ("standards", "standardelements"):
        dupes = [n for n, k in Counter(x.get("shortname") for x in fw.get(kind, [])).items() if k > 1]
        if dupes:
            problems.append(f"{kind}: short names used twice: {dupes[:3]}")
    return problems


def problems(doc: dict) -> list[str]:
    found = [f"schema: {'/'.join(map(str, e.path))}: {e.message}"
             for e in jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc)]
    return found + mahara_import_problems(doc)


def expected(fid: str) -> tuple[list, list]:
    """From the framework file alone: (units as (ref, title)), (outcome or criterion rows in order)."""
    data = yaml.safe_load((REPO / "criteria" / f"{fid}.yaml").read_text("utf-8"))
    units, rows = [], []
    for u in data["units"]:
        units.append((u["ref"], u["title"]))
        for o in u["outcomes"]:
            rows.append(("outcome", u["ref"], str(o["id"]), o["text"]))
            for c in o["criteria"]:
                rows.append(("criterion", u["ref"], str(c["id"]), " ".join(c["text"].split())))
    return units, rows


def load(site: Path, fid: str) -> tuple[bytes, dict]:
    raw = (site / "downloads" / f"{fid}.matrix").read_bytes()
    return raw, json.loads(raw)


@pytest.mark.parametrize("fid", FRAMEWORKS)
def test_each_framework_is_a_valid_mahara_matrix(example_site, fid):
    raw, doc = load(example_site, fid)
    assert problems(doc) == []
    assert raw.endswith(b"}\n") and raw.decode("utf-8")    # UTF-8, as json_decode needs
    fw = doc["framework"]   # what this tool always writes, though Mahara would default it
    assert (fw["institution"], fw["selfassess"]) == ("all", False)
    assert [list(s) for s in fw["evidencestatuses"]] == [["begun"], ["incomplete"], ["partialcomplete"], ["completed"]]
    assert all(x["description"] for x in fw["standards"] + fw["standardelements"])


@pytest.mark.parametrize("fid", FRAMEWORKS)
def test_every_unit_outcome_and_criterion_appears_once_in_order(example_site, fid):
    _, doc = load(example_site, fid)
    fw = doc["framework"]
    units, rows = expected(fid)
    assert fw["name"] == yaml.safe_load((REPO / "criteria" / f"{fid}.yaml").read_text("utf-8"))["title"]
    assert [(s["shortname"], s["name"]) for s in fw["standards"]] == units
    sid_of = {s["standardid"]: s["shortname"] for s in fw["standards"]}
    got = []
    for el in fw["standardelements"]:
        unit = sid_of[el["standardid"]]
        if "parentelementid" in el:     # a criterion: UNIT:ID, as entries cite it
            ref_unit, _, cid = el["shortname"].rpartition(":")
            assert ref_unit == unit
            got.append(("criterion", unit, cid, el))
        else:                           # a learning outcome: "UNIT LO<id>"
            prefix = f"{unit} LO"
            assert el["shortname"].startswith(prefix)
            got.append(("outcome", unit, el["shortname"][len(prefix):], el))
    assert [g[:3] for g in got] == [r[:3] for r in rows]
    assert Counter(r[:3] for r in rows if r[0] == "criterion").most_common(1)[0][1] == 1
    for (kind, unit, cid, el), (_, _, _, text) in zip(got, rows):
        name = el["name"]
        assert name == text or (len(name) == 255 and name.endswith("…") and text.startswith(name[:-1]))
        assert html.escape(text, quote=False) in el["description"]    # the full wording, escaped as HTML
    parents = {el["elementid"]: (unit, kind) for kind, unit, _, el in got}
    for kind, unit, _, el in got:   # every criterion hangs from an outcome of its own unit
        if kind == "criterion":
            assert parents[el["parentelementid"]] == (unit, "outcome")


def test_the_schema_takes_mahara_s_own_shape():
    """As in Mahara's test/behat/upload_files/example.matrix: defaults left out, elements without a description."""
    doc = {"framework": {"name": "Example", "standards": [{"shortname": "1", "name": "1 - Title", "standardid": 1}],
                         "standardelements": [
                             {"shortname": "1.3", "name": "1.3 - Sub level", "standardid": 1, "elementid": "1.3"},
                             {"shortname": "1.3.1", "name": "1.3.1 - Sub", "standardid": 1, "elementid": "1.3.1",
                              "parentelementid": "1.3"}]}}
    assert problems(doc) == []


def test_the_checker_fires_on_what_mahara_would_get_wrong():
    good = {"framework": {"name": "F", "institution": "all", "description": "", "selfassess": False,
                          "evidencestatuses": [{"begun": "a"}, {"incomplete": "b"}, {"partialcomplete": "c"},
                                               {"completed": "d"}],
                          "standards": [{"shortname": "U1", "name": "Unit", "description": "", "standardid": 1}],
                          "standardelements": [
                              {"shortname": "LO1", "name": "o", "description": "", "standardid": 1, "elementid": "1.1"},
                              {"shortname": "U1:1.1", "name": "c", "description": "", "standardid": 1,
                               "elementid": "1.1.1", "parentelementid": "1.1"}]}}
    assert problems(good) == []

    def broken(change) -> list:
        doc = json.loads(json.dumps(good))
        change(doc["framework"])
        return problems(doc)

    assert any("jsonmissingvars" in p or "name" in p for p in broken(lambda f: f.update(name="")))
    assert any("names no standard" in p for p in broken(lambda f: f["standardelements"][0].update(standardid="1")))
    assert any("not an earlier element" in p
               for p in broken(lambda f: f["standardelements"].reverse()))
    assert any("loosely equal" in p for p in broken(lambda f: f["standardelements"].append(
        {"shortname": "LO10", "name": "o", "description": "", "standardid": 1, "elementid": "1.10"})))
    assert any("used twice" in p for p in broken(lambda f: f["standardelements"][1].update(shortname="LO1")))
    assert any("schema" in p for p in broken(lambda f: f["standards"][0].update(shortname="x" * 101)))
    assert any("schema" in p for p in broken(lambda f: f["evidencestatuses"].reverse()))
    assert any("schema" in p for p in broken(lambda f: f["standards"][0].pop("shortname")))


def test_a_wide_unit_and_long_texts_still_import(tmp_path):
    """Ten outcomes ('1.1' and '1.10' are one to PHP) and a criterion longer than Mahara's name column."""
    f = Folio(tmp_path)
    long_text = "Explain " + "the reasons in full " * 20
    f.frameworks["tiny"]["units"][0]["outcomes"] = [   # A/1 keeps the criteria the baseline cites (1.1, 1.2)
        {"id": str(k), "text": f"Outcome {k}",
         "criteria": [{"id": "1.1", "text": long_text}, {"id": "1.2", "text": "Short"}] if k == 1
         else [{"id": f"{k}.1", "text": f"C {k}"}]}
        for k in range(1, 12)]
    root = f.write()
    result = build_site(root, tmp_path / "site", dt.date(2026, 4, 1))
    assert result.published, [d.message for d in result.diagnostics if d.severity == "error"]
    raw, doc = load(tmp_path / "site", "tiny")
    assert problems(doc) == []
    els = [e for e in doc["framework"]["standardelements"] if e["standardid"] == 1]
    assert len([e for e in els if "parentelementid" not in e]) == 11
    first = next(e for e in els if e["shortname"] == "A/1:1.1")
    assert len(first["name"]) == 255 and first["name"].endswith("…")
    assert " ".join(long_text.split()) in first["description"]


def test_the_same_framework_gives_the_same_bytes_whoever_the_learner(example_site, tmp_path):
    """The file holds the framework only: another learner with other records gets the same bytes."""
    f = Folio(tmp_path / "other")
    f.portfolio["learner"]["name"] = "Robin Other"
    f.portfolio["frameworks"] = ["networking-marking-points"]    # the shipped file, as the example uses it
    result = build_site(f.write(), tmp_path / "site", dt.date(2026, 4, 1))
    assert result.published, [d.message for d in result.diagnostics if d.severity == "error"]
    fid = "networking-marking-points"
    assert (tmp_path / "site" / "downloads" / f"{fid}.matrix").read_bytes() == load(example_site, fid)[0]
    assert b"Robin" not in (tmp_path / "site" / "downloads" / "tiny.matrix").read_bytes()


def test_the_output_scan_reads_matrix_files_as_text():
    from generator.privacy.outputs import OutputGuard, PersonalDataInOutput
    contact = types.SimpleNamespace(id="c", data={"name": "Priya Shah", "channels": {"email": "priya@example.org"}})
    guard = OutputGuard(types.SimpleNamespace(contacts=[contact]), {})
    guard.check("downloads/f.matrix", json.dumps({"framework": {"name": "Negotiation"}}).encode())
    for leak in ("Meet Priya Shah", "write to priya@example.org"):
        with pytest.raises(PersonalDataInOutput):
            guard.check("downloads/f.matrix", json.dumps({"framework": {"name": leak}}).encode())
