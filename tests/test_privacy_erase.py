"""`portfolio erase` (issue 11.4): the contact's file and every reference go, a tombstone of hashes stays,
and a later mention of the person fails the check. Facts are read back from the files independently."""
from __future__ import annotations

import io
from pathlib import Path

import yaml

from factory import CONTACT, ENTRY, write_portfolio
from generator import pipeline
from generator.cli import main
from generator.privacy import tombstone
from generator.privacy.erase import erase

ENTRY_FILE = "entries/2026-09-10-breakfast.md"
TESTIMONY = """\
---
title: Statement from @priya-shah
date: 2026-09-12
kind: testimony
contacts:
  - bob-roe
  - priya-shah
witness:
  contact: priya-shah
  confirmed: by email
---
@priya-shah confirmed that Priya Shah's team took our checklist. Ms Shah signed it.
"""
BOB = CONTACT.replace("name: Priya Shah", "name: Bob Roe").replace("priya@example.com", "bob@example.com") \
    .replace('"+44 20 7946 0001"', '"+44 20 7946 0002"') + "introduced_by: priya-shah\n"


def portfolio(tmp_path) -> Path:
    return write_portfolio(tmp_path / "p", {"entries/2026-09-12-statement.md": TESTIMONY, "contacts/bob-roe.yaml": BOB})


def front(path: Path) -> dict:
    return yaml.safe_load(path.read_text("utf-8").split("---")[1])


def personal(src) -> list:
    return [d for d in pipeline.check(src, dt_as_of()).diagnostics if d.rule == "personal-data"]


def dt_as_of():
    from factory import AS_OF
    return AS_OF


def test_erase_removes_the_file_and_every_reference_and_keeps_only_hashes(tmp_path, capsys):
    src = portfolio(tmp_path)
    assert main(["erase", "priya-shah", "--source", str(src)]) == 0
    said = capsys.readouterr().out
    assert not (src / "contacts" / "priya-shah.yaml").exists()
    assert "contacts/priya-shah.yaml: deleted" in said and "entries/2026-09-12-statement.md" in said
    statement = front(src / "entries" / "2026-09-12-statement.md")
    assert statement["contacts"] == ["bob-roe"] and "witness" not in statement
    assert front(src / ENTRY_FILE)["contacts"] == []
    assert "introduced_by" not in yaml.safe_load((src / "contacts" / "bob-roe.yaml").read_text("utf-8"))
    every = "".join(p.read_text("utf-8") for p in src.rglob("*") if p.is_file()).lower()
    assert "priya" not in every and "shah" not in every and "7946 0001" not in every
    body = (src / "entries" / "2026-09-12-statement.md").read_text("utf-8").split("---")[2]
    assert body.strip() == ("a former contact confirmed that a former contact's team took our checklist. "
                            "Ms a former contact signed it.")
    stone = yaml.safe_load((src / tombstone.FILE).read_text("utf-8"))
    assert stone["version"] == 1 and len(stone["erased"]) == 1 and stone["erased"][0]["hashes"]
    assert not [d for d in pipeline.check(src, dt_as_of()).diagnostics if d.severity == "error"]


def test_erase_is_idempotent(tmp_path, capsys):
    src = portfolio(tmp_path)
    main(["erase", "priya-shah", "--source", str(src)])
    before = {p: p.read_bytes() for p in src.rglob("*") if p.is_file()}
    capsys.readouterr()
    assert main(["erase", "priya-shah", "--source", str(src)]) == 0
    assert "nothing to erase" in capsys.readouterr().out
    assert {p: p.read_bytes() for p in src.rglob("*") if p.is_file()} == before


def test_after_erase_a_sentence_naming_the_person_fails_the_check(tmp_path):
    src = portfolio(tmp_path)
    erase(src, "priya-shah", io.StringIO())
    entry = src / ENTRY_FILE
    clean = entry.read_text("utf-8")
    for sentence, column in [("I saw Priya Shah again.", 7), ("I saw PRIYA again.", 7), ("Ms Shah called.", 4),
                             ("Mail priya@example.com now.", 6), ("Ring +44 20 7946 0001.", 6),
                             ("I saw Pri&#121;a Shah.", 7)]:
        entry.write_text(clean + sentence + "\n", "utf-8")
        ds = personal(src)
        assert ds, sentence
        line = (clean + sentence).count("\n") + 1
        assert (ds[0].file, ds[0].line, ds[0].column) == (ENTRY_FILE, line, column), sentence
        assert "erased" in ds[0].message or "phone" in ds[0].message or "e-mail" in ds[0].message
    entry.write_text(clean + "I saw Bob Roe's colleague.\n", "utf-8")
    assert [d.subject for d in personal(src)] == ["bob-roe"]          # someone else, caught as before


def test_a_broken_tombstone_file_is_an_error_not_silence(tmp_path):
    src = portfolio(tmp_path)
    (src / tombstone.FILE).write_text("version: 1\nsalt: nothex\n", "utf-8")
    [d] = [d for d in personal(src) if d.file == tombstone.FILE]
    assert d.severity == "error" and "cannot be read" in d.message


def test_an_unknown_id_changes_nothing(tmp_path, capsys):
    src = portfolio(tmp_path)
    before = {p: p.read_bytes() for p in src.rglob("*") if p.is_file()}
    assert main(["erase", "nobody", "--source", str(src)]) == 2     # a typo is an error, not a quiet success
    assert "no contact 'nobody' to erase" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in src.rglob("*") if p.is_file()} == before


def test_channels_of_any_shape_are_remembered_in_the_tombstone(tmp_path, capsys):
    """Fail closed: `channels` written as a list (a schema error) still has each value hashed, as a mapping's."""
    counts = {}
    for shape in ("mapping", "list"):
        src = portfolio(tmp_path / shape)
        path = src / "contacts" / "priya-shah.yaml"
        record = yaml.safe_load(path.read_text("utf-8"))
        if shape == "list":
            record["channels"] = list(record["channels"].values())
        path.write_text(yaml.safe_dump(record), "utf-8")
        assert main(["erase", "priya-shah", "--source", str(src)]) == 0
        said = capsys.readouterr().out
        stone = yaml.safe_load((src / tombstone.FILE).read_text("utf-8"))
        counts[shape] = (len(stone["erased"][0]["hashes"]), said.split("hashes of the name and ")[1].split(";")[0])
    assert counts["list"] == counts["mapping"] and counts["list"][1] == "2 contact details", counts
