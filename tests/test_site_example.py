"""Whole-site checks on the example portfolio at the repository root: every internal link and anchor
resolves, nothing is absolute, the HTML is well formed, and no channel, hidden name or private
contact id appears anywhere in the output (file names included). Tolerant of the example's
content — it is skipped, with the reason, while the example has errors — never of the site's."""
from __future__ import annotations

import re

import pytest
import yaml

from conftest import REPO
from site_helpers import all_text, check_site


def _contacts():
    for f in sorted((REPO / "contacts").glob("*.yaml")):
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        yield f.stem, data


def test_links_anchors_html(example_site):
    assert check_site(example_site) == []


def test_no_channels_anywhere(example_site):
    text = all_text(example_site)
    for cid, data in _contacts():
        for value in (data.get("channels") or {}).values():
            value = str(value)
            if len(value) >= 8 and re.search(r"[@/\d]", value):
                assert value not in text, f"a channel of {cid} is in the site"


def test_no_hidden_names_or_private_ids(example_site):
    text = all_text(example_site)
    lower = text.lower()
    for cid, data in _contacts():
        if (data.get("consent") or {}).get("publish") is True:
            continue
        name = " ".join(str(data.get("name", "")).split())
        assert name and name.lower() not in lower, f"the name of unpublished contact {cid} is in the site"
        assert not re.search(rf"(?<![\w-]){re.escape(cid)}(?![\w-])", text), f"private id {cid} is in the site"


def test_every_unpublished_contact_has_a_page_under_its_key(example_site):
    pages = {p.stem for p in (example_site / "contacts").glob("*.html")}
    for cid, data in _contacts():
        if (data.get("consent") or {}).get("publish") is True:
            assert cid in pages
        elif not (data.get("consent") or {}).get("erasure_requested"):
            assert cid not in pages and any(p.startswith("c-") for p in pages)
