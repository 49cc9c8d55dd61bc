"""Whole-site checks on the example portfolio (tests/fixtures/example): every internal link and anchor
resolves, nothing is absolute, the HTML is well formed, and no channel, hidden name or private
contact id appears anywhere in the output (file names included). Tolerant of the example's
content — it is skipped, with the reason, while the example has errors — never of the site's."""
from __future__ import annotations

import re

import pytest
import yaml

from conftest import EXAMPLE
from site_helpers import all_text, check_site, contact_secrets, leaks


def _contacts():
    for f in sorted((EXAMPLE / "contacts").glob("*.yaml")):
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        yield f.stem, data


def test_links_anchors_html(example_site):
    assert check_site(example_site) == []


def test_no_channel_hidden_name_or_private_id_in_any_path_or_byte(example_site):
    secrets = contact_secrets(EXAMPLE)
    assert leaks(example_site, secrets) == []


def test_private_ids_never_stand_as_words(example_site):
    text = all_text(example_site)
    for cid, data in _contacts():
        if (data.get("consent") or {}).get("publish") is not True:
            assert not re.search(rf"(?<![\w-]){re.escape(cid)}(?![\w-])", text), f"private id {cid} is in the site"


def test_findings_about_hidden_contacts_show_their_public_key(example_site):
    import json
    data = json.loads((example_site / "portfolio.json").read_text(encoding="utf-8"))
    files = {d["file"] for d in data["diagnostics"]}
    gaps = (example_site / "gaps.html").read_text(encoding="utf-8")
    hidden = {cid for cid, d in _contacts() if (d.get("consent") or {}).get("publish") is not True}
    for cid in hidden:
        assert f"contacts/{cid}.yaml" not in files and f"contacts/{cid}.yaml" not in gaps
    keys = {c["id"] for c in data["contacts"] if not c["published"]}
    about_hidden = {f for f in files if f.startswith("contacts/") and f[len("contacts/"):-len(".yaml")] in keys}
    if about_hidden:   # the example has such findings today; keep the check meaningful while it does
        assert any(f in gaps for f in about_hidden)


def test_every_unpublished_contact_has_a_page_under_its_key(example_site):
    pages = {p.stem for p in (example_site / "contacts").glob("*.html")}
    for cid, data in _contacts():
        if (data.get("consent") or {}).get("publish") is True:
            assert cid in pages
        elif not (data.get("consent") or {}).get("erasure_requested"):
            assert cid not in pages and any(p.startswith("c-") for p in pages)
