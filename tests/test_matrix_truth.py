"""The matrix pages say what the entry files say.

Expected cells come from reading the entries' YAML front matter directly (yaml.safe_load), not from
the generator: for every matrix page, the rows (entry date + the criteria marked ●) must be exactly
the entries that cite a criterion of that unit, each marked under the criteria it cites and no other.
"""
from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import yaml


def raw_entries(root: Path) -> list[dict]:
    out = []
    for f in sorted((root / "entries").glob("*.md")):
        text = f.read_text(encoding="utf-8")
        _, front, _ = text.split("---\n", 2)
        out.append(yaml.safe_load(front) or {})
    return out


class MatrixPage(HTMLParser):
    """The unit ref (from the heading), the criterion ids across, and each row: (date, {ids marked})."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.heading, self.columns, self.rows = "", [], []
        self._in = None          # "h1", "thead-a", "td"
        self._section = None     # thead / tbody / tfoot
        self._row = None
        self._cell = -1

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "h1":
            self._in = "h1"
        elif tag in ("thead", "tbody", "tfoot"):
            self._section = tag
        elif self._section == "thead" and tag == "a":
            self._in = "thead-a"
        elif self._section == "tbody" and tag == "tr":
            self._row, self._cell = [None, set()], -1
        elif self._section == "tbody" and tag == "time" and self._row is not None:
            self._row[0] = a.get("datetime")
        elif self._section == "tbody" and tag == "td":
            self._cell += 1
            self._in = "td"

    def handle_endtag(self, tag):
        if tag in ("h1", "a", "td"):
            self._in = None
        if tag in ("thead", "tbody", "tfoot"):
            self._section = None
        if tag == "tr" and self._section == "tbody" and self._row is not None:
            self.rows.append((self._row[0], frozenset(self._row[1])))
            self._row = None

    def handle_data(self, data):
        if self._in == "h1":
            self.heading += data
        elif self._in == "thead-a":
            self.columns.append(data.strip())
        elif self._in == "td" and ("●" in data or "evidences" in data):   # the dot, or the words under a state icon
            self._row[1].add(self.columns[self._cell])


def read_matrix(path: Path) -> MatrixPage:
    page = MatrixPage()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def expected_rows(entries: list[dict], unit_ref: str) -> Counter:
    rows = Counter()
    for e in entries:
        ids = {ref.split(":", 1)[1] for ref in e.get("criteria") or [] if ref.startswith(unit_ref + ":")}
        if ids:
            rows[(str(e["date"]), frozenset(ids))] += 1
    return rows


def check_matrices(site: Path, records: Path) -> int:
    entries = raw_entries(records)
    pages = sorted((site / "matrix").glob("*.html"))
    assert pages
    compared = 0
    for path in pages:
        page = read_matrix(path)
        unit_ref = page.heading.removeprefix("Matrix:").split()[0]
        got = Counter(page.rows)
        assert got == expected_rows(entries, unit_ref), path.name
        compared += len(page.rows) * len(page.columns)
    return compared


def test_fixture_matrix_cells_follow_the_entries(built_site, site_source):
    assert check_matrices(built_site, site_source) > 0


def test_example_matrix_cells_follow_the_entries(example_site, example_source):
    # before the fix every cell of every row was marked: 1,512 of them wrongly on the example
    assert check_matrices(example_site, example_source) > 100


def test_rows_in_date_order(example_site, example_source):
    """Rows run oldest first on every grid, whatever order the criteria (and so the citations) come in."""
    dates = {str(e["date"]) for e in raw_entries(example_source)}
    checked = 0
    for path in sorted((example_site / "matrix").glob("*.html")):
        got = [d for d, _ in read_matrix(path).rows]
        assert set(got) <= dates and got == sorted(got), path.name
        checked += len(got) > 1
    assert checked > 5


def test_a_row_is_not_marked_under_every_criterion(built_site):
    """The fixture's forum entry cites U/1:1.1 only, the staff-club talk U/1:1.2 only."""
    page = read_matrix(built_site / "matrix" / "u-1.html")
    assert sorted(page.rows) == [("2026-01-20", frozenset({"1.1"})), ("2026-02-02", frozenset({"1.2"}))]
