"""The portfolios the consistency tests build, through the real CLI, and how their pages name things.

A case is the example portfolio (copied first: tests never write into the repository), the site fixture,
or one of the seeded shapes of tests/portfolio_shapes.py. Each is built once per test session.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import portfolio_shapes
from generator import shipped
import published
from oracle import Oracle

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CASES = ["example", "site-fixture"] + [name for name, _, _ in portfolio_shapes.all_shapes()]


@dataclass
class Tally:
    """Every page fact compared with the oracle, and the ones that disagreed."""
    compared: int = 0
    wrong: list = field(default_factory=list)

    def same(self, what: str, page, records) -> None:
        self.compared += 1
        TOTAL["compared"] += 1
        if page != records:
            TOTAL["wrong"] += 1
            self.wrong.append(f"{what}: the site says {page!r}, the records say {records!r}")

    def check(self) -> None:
        assert not self.wrong, (f"{len(self.wrong)} of {self.compared} page facts disagree with the records:\n  "
                                + "\n  ".join(self.wrong[:60]))


TOTAL = Counter()   # over the whole session, reported in the terminal summary (tests/conftest.py)


@dataclass
class Built:
    case: str
    oracle: Oracle
    site: Path
    output: str                     # what the CLI printed
    entry_id: dict                  # oracle entry id (file stem) -> published id
    contact_key: dict               # oracle contact id -> published key (page name)
    unit_page: dict                 # unit ref -> site path of its page
    published_auto: dict            # criterion ref -> what its page says of its automatic rule
    pages: dict = field(default_factory=dict)

    def page(self, rel: str) -> published.Node:
        """A page of the site, parsed once (pages are only read)."""
        key = os.path.normpath(rel)
        if key not in self.pages:
            self.pages[key] = published.parse(self.site / key)
        return self.pages[key]

    def criterion_path(self, c) -> str:
        return os.path.normpath(criterion_page(self, c))

    def pub_entries(self, stems) -> Counter:
        return Counter(self.entry_id[s] for s in stems)


def _source(case: str, root: Path) -> tuple[Path, dt.date]:
    src = root / "src"
    if case == "example":
        # the suite's copy of the example (the root's records are the learner's), with the shipped frameworks
        # beside it so the oracle reads them as raw files too
        shutil.copytree(FIXTURES / "example", src)
        shutil.copytree(shipped.criteria(), src / "criteria", ignore=shutil.ignore_patterns("*.md"))
        return src, dt.date(2026, 9, 30)
    if case == "site-fixture":
        shutil.copytree(FIXTURES / "site", src)
        return src, dt.date(2026, 4, 30)
    name, seed, knobs = next(s for s in portfolio_shapes.all_shapes() if s[0] == case)
    return portfolio_shapes.write(src, seed, **knobs), portfolio_shapes.AS_OF


def _entry_ids(oracle: Oracle, site: Path) -> dict:
    """The published id of each entry: its file name, unless that held a hidden name (then the one page of
    the same date that no other entry claims)."""
    pages = sorted(p.stem for p in (site / "entries").glob("*.html"))
    out = {s: s for s in oracle.entries if s in pages}
    for stem in oracle.entries:
        if stem not in out:
            left = [p for p in pages if p[:10] == stem[:10] and p not in out.values()]
            assert len(left) == 1, f"cannot tell which page is entry {stem}: {left}"
            out[stem] = left[0]
    return out


def _contact_keys(oracle: Oracle, site: Path) -> dict:
    """Contacts are published under a key (a pseudonym's hash unless they consented); a contact page is
    recognised by the role and organisation it shows, which the records give."""
    by_role = {(c.data.get("role"), c.data.get("organisation")): cid for cid, c in oracle.contacts.items()}
    assert len(by_role) == len(oracle.contacts), "the consistency tests need contacts told apart by role"
    out = {}
    for p in (site / "contacts").glob("*.html"):
        meta = published.meta(published.parse(p))
        key = (meta["Role"].words() if "Role" in meta else None,
               meta["Organisation"].words() if "Organisation" in meta else None)
        out[by_role[key]] = p.stem
    return out


def _unit_pages(site: Path) -> dict:
    doc = published.parse(site / "qualification.html")
    out = {}
    for a in published.main(doc).iter("a"):
        href = a.attrs.get("href", "")
        if href.startswith("units/") and href.count("/") == 1:
            out.setdefault(a.words(), href)
    return out


def _auto_statements(oracle: Oracle, b: Built) -> dict:
    out = {}
    for ref, c in oracle.criteria.items():
        if c.auto:
            doc = b.page(criterion_page(b, c))
            words = published.status_words(published.main(doc).find("div", class_="auto"))
            out[ref] = published.is_met(words[0])
    return out


def criterion_page(b: Built, c) -> str:
    """The site path of a criterion's page, from the link on its unit's page."""
    unit_rel = b.unit_page[c.unit.ref]
    doc = b.page(unit_rel)
    for art in published.main(doc).find_all("article"):
        h = art.find("h3") or art.find("h2")
        link = h.find("a") if h else None
        if link is not None and link.words() == c.id:
            return str(Path(unit_rel).parent / link.attrs["href"])
    raise AssertionError(f"{unit_rel} has no article for criterion {c.ref}")


def build(case: str, root: Path) -> Built:
    src, as_of = _source(case, root)
    out = root / "site"
    args = ["build", "--source", str(src), "--out", str(out), "--as-of", as_of.isoformat(), "--no-cache"]
    command = [sys.executable, "-m", "generator", *args]
    if (src / "LEAKS.md").exists():   # leaks names on purpose: built past the personal-data check (conftest.build_site)
        command = [sys.executable, "-c", "import sys; from unittest import mock; import generator.pipeline as p; "
                   "from generator.cli import main; "
                   "mock.patch.object(p, 'personal_data', lambda *a: []).start(); sys.exit(main(sys.argv[1:]))", *args]
    run = subprocess.run(command, cwd=root, capture_output=True, text=True)
    assert run.returncode == 0, f"{case} did not build:\n{run.stdout}\n{run.stderr}"
    oracle = Oracle(src, as_of)
    b = Built(case, oracle, out, run.stdout + run.stderr, _entry_ids(oracle, out), _contact_keys(oracle, out),
              _unit_pages(out), {})
    b.published_auto = _auto_statements(oracle, b)
    return b
