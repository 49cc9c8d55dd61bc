"""`portfolio new`: a correctly named file from the schema, valid as it stands, never overwriting."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from generator import pipeline
from generator.cli import main
from generator.new import create, slug
from generator.validate import schema

FIXTURE = Path(__file__).parent / "fixtures" / "authoring"
AS_OF = dt.date(2026, 3, 15)


@pytest.fixture
def src(tmp_path):
    root = tmp_path / "p"
    shutil.copytree(FIXTURE, root)
    return root


def test_new_entry_is_named_dated_complete_and_valid(src):
    path = create(src, "entry", "Coffee with Priya: 'next steps'", dt.date(2026, 3, 2))
    assert path == src / "entries" / "2026-03-02-coffee-with-priya-next-steps.md"
    text = path.read_text()
    assert text.startswith("---\n# yaml-language-server: $schema=")
    assert "date: 2026-03-02" in text
    for field, prop in schema("entry")["properties"].items():   # every field, with its description
        assert f"{field}:" in text and prop["description"] in text, field
    result = pipeline.check(src, AS_OF)
    assert not [d for d in result.errors if d.file == "entries/" + path.name]
    entry = next(e for e in result.model.entries if e.id == path.stem)
    assert entry.title == "Coffee with Priya: 'next steps'"


def test_new_contact_is_valid_and_schema_line_resolves(src):
    path = create(src, "contact", "Zoë O'Neil", dt.date(2026, 3, 2))
    assert path == src / "contacts" / "zoe-o-neil.yaml"
    first = path.read_text().splitlines()[0]
    ref = first.split("$schema=", 1)[1]
    assert (path.parent / ref).resolve().is_file()
    for field in schema("contact")["properties"]:
        assert f"{field}:" in path.read_text(), field
    result = pipeline.check(src, AS_OF)
    assert not [d for d in result.errors if d.file == "contacts/zoe-o-neil.yaml"]
    assert any(c.id == "zoe-o-neil" for c in result.model.contacts)


def test_new_defaults_to_today(src):
    path = create(src, "entry", "Today")
    assert path.name.startswith(dt.date.today().isoformat())


def test_new_refuses_to_overwrite(src, capsys):
    target = src / "contacts" / "alex-morgan.yaml"
    before = target.read_bytes()
    assert main(["new", "contact", "Alex Morgan", "--source", str(src)]) == 2   # a usage error, as docs/ci.md says
    assert "already exists" in capsys.readouterr().err
    assert target.read_bytes() == before


def test_new_cli_prints_the_path(src, capsys):
    assert main(["new", "entry", "Forum again", "--source", str(src), "--date", "2026-03-05"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.endswith("entries/2026-03-05-forum-again.md") and Path(out).is_file()


@pytest.mark.parametrize("text,expected", [("Café  Déjà-vu!", "cafe-deja-vu"), ("  --  ", "untitled"),
                                           ("ISC Breakfast #3", "isc-breakfast-3")])
def test_slug(text, expected):
    assert slug(text) == expected
