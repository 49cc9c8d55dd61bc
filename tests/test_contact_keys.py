"""An unpublished contact's public key (page address, JSON id, finding subject) is made from its
pseudonym alone, and clash numbering follows when contacts entered the portfolio, so that:
- nothing on the site can be hashed back to a name (the old key, sha256 of the file name, could:
  file names are name slugs), and
- adding a contact later leaves the pseudonyms and addresses of the others as they were."""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLE
from generator import pipeline
from generator.cli import main
from rules_helpers import CONTACTS, Folio


def _key_from_shown_name(name: str) -> str:
    """The rule as docs/privacy.md states it, read independently: "c-" and the pseudonym as a slug."""
    return "c-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _build(folio: Folio, out: Path) -> dict:
    folio.write()
    assert main(["build", "--source", str(folio.root), "--out", str(out), "--as-of", "2026-04-01", "--no-cache"]) == 0
    return {c["name"]: c for c in json.loads((out / "portfolio.json").read_text("utf-8"))["contacts"]}


def test_no_hash_of_a_contact_id_reaches_the_site_and_keys_come_from_pseudonyms(example_site):
    ids = [p.stem for p in (EXAMPLE / "contacts").glob("*.yaml")]
    assert ids
    hashes = {cid: hashlib.sha256(cid.encode("utf-8")).hexdigest()[:10] for cid in ids}
    for path in example_site.rglob("*"):
        rel = path.relative_to(example_site).as_posix()
        text = path.read_bytes().decode("utf-8", "replace") if path.is_file() else ""
        for cid, h in hashes.items():
            assert h not in rel and h not in text, f"{rel} holds the hash of {cid}"
    contacts = json.loads((example_site / "portfolio.json").read_text("utf-8"))["contacts"]
    hidden = [c for c in contacts if not c["published"]]
    assert hidden
    for c in hidden:
        assert c["id"] == _key_from_shown_name(c["name"])
        assert (example_site / "contacts" / f"{c['id']}.html").is_file()
    published = {c["id"] for c in contacts if c["published"]}
    assert len({c["id"] for c in contacts}) == len(contacts) and not published & {c["id"] for c in hidden}


def test_the_key_does_not_depend_on_the_file_name(tmp_path):
    first = _build(Folio(tmp_path / "a"), tmp_path / "a-site")
    renamed = Folio(tmp_path / "b")
    renamed.contacts["contact-one"] = renamed.contacts.pop("ann-lee")
    for eid, (front, body) in renamed.entries.items():   # every reference: lists and @mentions
        front = json.loads(json.dumps(front).replace('"ann-lee"', '"contact-one"').replace("@ann-lee", "@contact-one"))
        renamed.entries[eid] = (front, body.replace("@ann-lee", "@contact-one"))
    second = _build(renamed, tmp_path / "b-site")
    assert first["A.L."]["id"] == second["A.L."]["id"] == "c-a-l"


def _with(folio: Folio, cid: str, name: str, met: str) -> None:
    c = copy.deepcopy(CONTACTS["ann-lee"])
    c["name"] = name
    c["met"]["date"] = c["consent"]["recorded"] = c["consent"]["privacy_notice"] = met
    folio.contacts[cid] = c


# both orders: file-name order (tara-orr first) and the old hash order (tom-oak first) would each
# renumber the earlier contact in one of them
@pytest.mark.parametrize("earlier, later", [(("tara-orr", "Tara Orr"), ("tom-oak", "Tom Oak")),
                                            (("tom-oak", "Tom Oak"), ("tara-orr", "Tara Orr"))])
def test_a_contact_met_later_with_the_same_initials_renumbers_no_one(tmp_path, earlier, later):
    folio = Folio(tmp_path / "src")
    _with(folio, *earlier, "2026-01-02")
    before = _build(folio, tmp_path / "before")
    assert before["T.O."]["id"] == "c-t-o"
    _with(folio, *later, "2026-03-01")
    after = _build(folio, tmp_path / "after")
    assert after["T.O."]["id"] == "c-t-o" and after["T.O. (2)"]["id"] == "c-t-o-2"
    assert {n: c["id"] for n, c in before.items()} == {n: c["id"] for n, c in after.items() if n != "T.O. (2)"}
    earlier_page = (tmp_path / "after" / "contacts" / "c-t-o.html").read_text("utf-8")
    assert "2026-01-02" in earlier_page    # the page at the old address is still the earlier contact's


def test_numbering_order_met_then_consent_then_first_entry_then_undated(tmp_path):
    folio = Folio(tmp_path / "src")
    _with(folio, "aaa-undated", "Tia Ord", "2026-01-01")     # no date at all: numbered last
    del folio.contacts["aaa-undated"]["met"], folio.contacts["aaa-undated"]["consent"]["recorded"]
    _with(folio, "bbb-entry", "Ted Oss", "2026-01-01")       # dated by their first entry only
    del folio.contacts["bbb-entry"]["met"], folio.contacts["bbb-entry"]["consent"]["recorded"]
    front, body = copy.deepcopy(next(iter(folio.entries.values())))
    front["contacts"], front["date"] = ["bbb-entry"], "2026-02-01"
    folio.entries["2026-02-01-with-ted"] = (front, body)
    _with(folio, "ccc-consent", "Tim Orr", "2026-03-01")     # consent recorded, not met
    del folio.contacts["ccc-consent"]["met"]
    _with(folio, "zzz-met", "Tom Oak", "2026-01-15")         # met first, though last by file name
    model = pipeline.check(folio.write(), dt.date(2026, 4, 1)).model
    shown = {c.id: (c.display_name, c.key) for c in model.contacts}
    assert shown["zzz-met"] == ("T.O.", "c-t-o")
    assert shown["bbb-entry"] == ("T.O. (2)", "c-t-o-2")
    assert shown["ccc-consent"] == ("T.O. (3)", "c-t-o-3")
    assert shown["aaa-undated"] == ("T.O. (4)", "c-t-o-4")
