"""CSV cells never reach a spreadsheet as formulas (OWASP CSV injection), in every CSV the tool writes."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from generator.cli import main
from generator.csvsafe import cell, csv_bytes

FIXTURE = Path(__file__).parent / "fixtures" / "authoring"
PACKAGE = Path(__file__).resolve().parents[1] / "generator"


@pytest.mark.parametrize("text", ["=1+1", "+44 20 7946 0000", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1", "\n=1",
                                  '=HYPERLINK("http://x.example","go")', " =1+1", "\uff1d1+1", "-", "+", "@"])
def test_a_cell_a_spreadsheet_would_run_is_quoted(text):
    assert cell(text) == "'" + text


@pytest.mark.parametrize("text", ["", "plain", "x", "1.1", "-3", "+1.5", "2e3", "-.5", "a=b", "U/000/0001:1.1",
                                  "2026-02-03", "yes", "Bea's plan"])
def test_a_harmless_cell_or_a_plain_number_is_left_alone(text):
    assert cell(text) == text


def test_csv_bytes_round_trips_through_a_reader():
    rows = [["title", "n"], ['=cmd|"/c calc"!A1', "-3"], ["a,b", 'say "hi"']]
    text = csv_bytes(rows).decode("utf-8")
    assert list(csv.reader(io.StringIO(text))) == [["title", "n"], ["'=cmd|\"/c calc\"!A1", "-3"],
                                                   ["a,b", 'say "hi"']]
    assert csv_bytes(rows, bom=True).startswith(b"\xef\xbb\xbf")


def test_every_csv_writer_goes_through_the_one_helper():
    """A new CSV writer that bypasses csvsafe would reopen the hole: only csvsafe.py may call csv.writer."""
    writers = [p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
               if re.search(r"\bcsv\.(writer|DictWriter)\b", p.read_text(encoding="utf-8"))]
    assert writers == ["csvsafe.py"]


@pytest.fixture
def hostile(tmp_path):
    """The fixture with an entry title, a unit title and a criterion text that spreadsheets would run."""
    root = tmp_path / "p"
    shutil.copytree(FIXTURE, root)
    e = root / "entries" / "2026-02-20-council-chat.md"
    e.write_text(e.read_text().replace("title: Chat with Bea at staff council", "title: '=HYPERLINK(\"http://x.example\")'"))
    c = root / "criteria" / "mini.yaml"
    text = c.read_text()
    assert "title:" in text
    c.write_text(re.sub(r"(\n  - ref: U/000/0001\n    title: )([^\n]*)", r"\1'@SUM(1+1)'", text, count=1))
    return root


def _cells(text: str) -> set[str]:
    return {v for row in csv.reader(io.StringIO(text)) for v in row}


def _dangerous(cells: set[str]) -> set[str]:
    return {v for v in cells if v and v[0] in "=+-@\t\r" and not re.fullmatch(r"[+-]?[\d.]+", v)}


def test_site_and_export_csvs_quote_formulas(hostile, tmp_path):
    assert main(["build", "--source", str(hostile), "--out", str(tmp_path / "site"), "--as-of", "2026-03-15",
                 "--no-cache"]) == 0
    site_csvs = sorted((tmp_path / "site").rglob("*.csv"))
    assert site_csvs
    cells = set().union(*(_cells(p.read_text("utf-8")) for p in site_csvs))
    assert "'=HYPERLINK(\"http://x.example\")" in cells and not _dangerous(cells)
    claims = _cells((tmp_path / "site" / "matrix" / "claims.csv").read_text("utf-8"))   # the long format too
    assert "'=HYPERLINK(\"http://x.example\")" in claims and not _dangerous(claims)

    assert main(["export", "--source", str(hostile), "--out", str(tmp_path / "out"), "--as-of", "2026-03-15",
                 "--no-cache"]) == 0
    matrix = (tmp_path / "out" / "matrix.csv").read_text("utf-8-sig")
    cells = _cells(matrix)
    assert "'=HYPERLINK(\"http://x.example\")" not in cells   # the export's matrix names entries by id
    assert "'@SUM(1+1)" in cells and not _dangerous(cells)
    archive = next((tmp_path / "out").glob("*.zip"))
    with zipfile.ZipFile(archive) as zf:
        for name in zf.namelist():
            if name.endswith(".csv"):
                assert not _dangerous(_cells(zf.read(name).decode("utf-8-sig")))
