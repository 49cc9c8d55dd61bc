"""Privacy in the output: channels never appear, unpublished names are replaced everywhere (text,
titles, file names, search index, portfolio.json, map), and Markdown cannot inject script."""
from __future__ import annotations

import re
from types import SimpleNamespace as NS

import pytest

from generator.redact import Redactor, trie_pattern
from site_helpers import all_text, contact_secrets, leaks


def contact(name, display):
    return NS(name=name, display_name=display)


ZARA = contact("Zara Quill", "Z.Q.")


def test_full_name_any_case_becomes_pseudonym():
    r = Redactor([ZARA])
    assert r("I met ZARA quill and zara  Quill.") == f"I met {ZARA.display_name} and {ZARA.display_name}."


def test_first_name_only_when_written_as_a_name():
    r = Redactor([ZARA])
    assert r("Zara said so; Zara's plan.") == "Z.Q. said so; Z.Q.'s plan."
    assert r("the zara brand") == "the zara brand"              # not capitalised: not a name
    assert r("Zarathustra spoke") == "Zarathustra spoke"        # a longer word is not the name


def test_surname_only_after_a_title():
    r = Redactor([ZARA])
    assert r("Ms Quill agreed; Dr. Quill too.") == "Ms Z.Q. agreed; Dr. Z.Q. too."
    assert r("Quill pens") == "Quill pens"


def test_names_shared_with_people_who_may_be_named_are_kept():
    r = Redactor([contact("Ada Stone", "A.S., Buyer")], keep_names=["Ada Learner"])
    assert r("Ada wrote to Ada Stone") == "Ada wrote to A.S., Buyer"


def test_first_name_shared_by_two_hidden_contacts_gives_only_its_initial():
    r = Redactor([contact("Sam One", "S.O."), contact("Sam Two", "S.T.")])
    assert r("Sam called") == "S. called"
    assert r("Sam Two called") == "S.T. called"


def test_private_ids_and_slugs():
    r = Redactor([ZARA], ids={"zara-quill": "c-123"})
    assert r("contacts/zara-quill.yaml: see zara-quill") == "contacts/c-123.yaml: see c-123"
    # not an id, but it spells the name: the name goes, as it would in any other text
    assert "zara" not in r("not-zara-quill-x").lower()
    assert r.slug("2026-01-20-call-zara-quill") == "2026-01-20-call-z-q"
    assert r.slug("2026-01-20-quilting") == "2026-01-20-quilting"


def test_trie_pattern_prefers_the_longest_match():
    pat = re.compile(rf"(?:{trie_pattern(['ann', 'ann lee', 'anna'])})")
    assert [m.group(0) for m in pat.finditer("ann lee, anna, ann")] == ["ann lee", "anna", "ann"]


def test_no_hidden_name_channel_or_private_id_anywhere(built_site):
    text = all_text(built_site)
    lower = text.lower()
    for secret in ("zara", "quill", "zara-quill", "zara.secret", "pat.secret", "7700 900999", "quill.example"):
        assert secret not in lower, secret
    assert "Pat Public" in text                      # published with consent
    assert "Z.Q." in text


def test_no_script_injection(built_site):
    page = (built_site / "entries/2026-01-20-forum-meeting-z-q.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "<img src=x" not in page and "onerror" not in page.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    assert 'href="javascript:' not in page.lower()
    assert "tracker.example.com/pixel.png" not in re.findall(r'src="([^"]*)"', page)
    networks = (built_site / "networks.html").read_text(encoding="utf-8")
    assert '<script>alert("purpose")' not in networks
    for f in built_site.rglob("*.html"):
        scripts = re.findall(r"<script[^>]*>", f.read_text(encoding="utf-8"))
        assert all(re.fullmatch(r'<script src="[^"]+\.js">', s) for s in scripts), (f, scripts)


def test_no_external_requests(built_site):
    for f in built_site.rglob("*"):
        if f.suffix in (".html", ".css", ".js"):
            text = f.read_text(encoding="utf-8")
            assert not re.search(r'(src|@import|url\()\s*=?\s*["\']?(https?:)?//', text), f
            assert "<link" not in text or re.findall(r'<link[^>]*href="(?!\.\./|assets/)', text) == []


@pytest.mark.parametrize("field", ["title", "body", "why", "revision", "value"])
def test_redaction_reaches_every_text_field(site_source, field):
    from generator import pipeline
    from conftest import AS_OF
    m = pipeline.check(site_source, AS_OF).model
    zara = next(c for c in m.contacts if not c.published)
    entry = m.entries[0]
    text = {"title": entry.title, "body": entry.body, "why": zara.why, "notes": zara.notes,
            "review": zara.reviews[0].note, "revision": m.goals[0].revisions[0].why,
            "value": entry.value_received}[field]
    assert "Zara" not in text and "Quill" not in text and "Z.Q." in text


def test_private_notes_and_ratings_of_a_contact_without_consent_never_enter_the_model(site_source):
    # the fixture's record has notes, a review note and 1-5 ratings (read independently here)
    import yaml
    from generator import pipeline
    from conftest import AS_OF
    record = yaml.safe_load((site_source / "contacts" / "zara-quill.yaml").read_text("utf-8"))
    assert record["notes"] and record["reviews"][0]["note"] and record["reviews"][0]["value"]
    zara = next(c for c in pipeline.check(site_source, AS_OF).model.contacts if not c.published)
    assert zara.notes == "" and zara.reviews[0].note == ""
    assert (zara.reviews[0].value, zara.reviews[0].activity, zara.reviews[0].potential) == (None, None, None)
    assert zara.reviews[0].date.isoformat() == str(record["reviews"][0]["date"])     # dates and decisions stay
    assert zara.reviews[0].decision == record["reviews"][0]["decision"]


@pytest.fixture(scope="module")
def late_site(site_source, tmp_path_factory):
    """The fixture built late enough (2026-09-30) that the hidden contact has findings of its own."""
    import datetime as dt
    from conftest import build_site
    out = tmp_path_factory.mktemp("late") / "site"
    assert build_site(site_source, out, dt.date(2026, 9, 30)).published
    return out


def test_no_secret_from_the_contact_records_in_any_path_or_byte(site_source, late_site):
    secrets = contact_secrets(site_source)
    assert {"Zara Quill", "zara-quill", "zara.secret@quill.example.org", "pat.secret@example.org"} <= set(secrets)
    assert leaks(late_site, secrets + ["zara", "quill"]) == []


def test_findings_about_a_hidden_contact_name_its_public_key_not_its_file(late_site):
    import json
    data = json.loads((late_site / "portfolio.json").read_text(encoding="utf-8"))
    files = {f["file"] for f in data["diagnostics"]}
    key = next(c["id"] for c in data["contacts"] if c["name"].startswith("Z.Q."))
    assert f"contacts/{key}.yaml" in files                 # the finding is there, under the public key
    assert not any("zara" in f or "quill" in f for f in files)
    gaps = (late_site / "gaps.html").read_text(encoding="utf-8")
    assert f"contacts/{key}.yaml" in gaps and "contacts/zara-quill" not in gaps


LEAKY_ENTRY = """---
title: Call with Zara
date: 2026-02-10
kind: meeting
methods: [phone]
contacts: [zara-quill]
criteria: ["U/1:1.1"]
---
"""


def _build_with_leaky_entry(site_source, tmp_path, sentence):
    """The fixture plus one entry that ends with `sentence`, built; returns (source, output) folders."""
    import datetime as dt
    import shutil
    from conftest import build_site
    src = tmp_path / "p"
    shutil.copytree(site_source, src)
    (src / "entries" / "2026-02-10-call.md").write_text(LEAKY_ENTRY + sentence + "\n", encoding="utf-8")
    assert build_site(src, tmp_path / "out", dt.date(2026, 9, 30)).published
    return src, tmp_path / "out"


def test_a_channel_written_into_an_entry_is_not_published(site_source, tmp_path):
    src, out = _build_with_leaky_entry(site_source, tmp_path,
                                       "Her mail is zara.secret@quill.example.org, phone +44 7700 900999.")
    assert leaks(out, contact_secrets(src)) == []


def test_a_name_joined_by_underscores_is_redacted(site_source, tmp_path):
    _, out = _build_with_leaky_entry(site_source, tmp_path, "Her notes are in Zara_Quill_notes.docx on the shared drive.")
    assert leaks(out, ["zara_quill", "zara quill"]) == []


def test_channel_values_are_removed_however_they_are_retyped():
    r = Redactor([], secrets=["zara@quill.example.org", "+44 7700 900999", "https://www.linkedin.com/in/example-zq",
                              "Teams"])
    text = ("Mail ZARA@quill.example.org, ring 07700 900999 or +447700900999, see linkedin.com/in/example-zq; "
            "we use Teams.")
    out = r(text)
    assert "quill.example" not in out.lower() and "900999" not in out and "example-zq" not in out
    assert out.count("[contact details removed]") == 4 and "Teams" in out
