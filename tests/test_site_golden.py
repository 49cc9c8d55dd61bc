"""Golden pages: key pages of tests/fixtures/site compared byte for byte with tests/golden/site/.

After an intended change to the templates, regenerate them and review the diff:

    UPDATE_GOLDEN=1 make test ARGS=tests/test_site_golden.py

JSON goldens are kept pretty-printed (two-space indent, keys in the file's own order) so that their diffs can be
reviewed line by line; the built file is pretty-printed the same way before the comparison. A golden is never
the only test of a fact: tests/test_consistency.py checks the same pages against the records.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden" / "site"
KEY_PAGES = ["index.html", "qualification.html", "units/u-1.html", "units/u-1/1-1.html", "matrix/u-1.html",
             "matrix/u-1.csv", "matrix.html", "diary.html", "diary/kind/meeting.html", "entries/2026-01-20-forum-meeting-z-q.html",
             "contacts.html", "contacts/pat-public.html", "networks.html", "plan.html", "gaps.html",
             "follow-ups.html", "search.html", "print.html", "portfolio.json", "search-index.js"]


@pytest.mark.parametrize("page", KEY_PAGES)
def test_golden(built_site, page):
    got = (built_site / page).read_bytes()
    if page.endswith(".json"):
        got = pretty_json(got)
    expected = GOLDEN / page
    if os.environ.get("UPDATE_GOLDEN"):
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_bytes(got)
    assert expected.is_file(), f"no golden file for {page}: run UPDATE_GOLDEN=1 make test ARGS={__file__}"
    assert got.decode("utf-8") == expected.read_bytes().decode("utf-8"), \
        f"{page} differs from tests/golden/site/{page}; if intended, regenerate (see this module's docstring)"


def pretty_json(data: bytes) -> bytes:
    return (json.dumps(json.loads(data), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
