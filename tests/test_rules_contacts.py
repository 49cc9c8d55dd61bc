"""Contact rules: missing-consent, unjustified-contact, review-due, dormant-contact."""
from __future__ import annotations

import datetime as dt

from rules_helpers import Folio, brief

# an unpublished contact's key is "c-" and its initials as a slug (Ann Lee -> A.L. -> c-a-l)

ANN = "contacts/ann-lee.yaml"


def test_missing_consent_fires_at_consent_and_never_names_an_unpublished_contact(tmp_path):
    f = Folio(tmp_path)
    del f.contacts["ann-lee"]["consent"]["recorded"]
    found = f.findings("missing-consent")
    assert brief(found) == [("missing-consent", ANN, f.line_of(ANN, "consent:"), "c-a-l")]
    assert "consent.recorded" in found[0].message
    assert "Ann Lee" not in found[0].message and "ann-lee" not in found[0].message
    assert "A.L." in found[0].message


def test_missing_consent_without_any_consent_points_at_the_name(tmp_path):
    f = Folio(tmp_path)
    del f.contacts["ann-lee"]["consent"]
    f.contacts["ann-lee"]["consent"] = {"publish": True}
    found = f.findings("missing-consent")
    assert brief(found) == [("missing-consent", ANN, f.line_of(ANN, "consent:"), "ann-lee")]
    assert found[0].message == "no consent record for Ann Lee"
    del f.contacts["ann-lee"]["consent"]
    assert [(d.line, d.message) for d in f.findings("missing-consent")] == [
        (f.line_of(ANN, "name:"), "no consent record for A.L.")]


def test_missing_consent_silent_with_basis_and_date_and_privacy_notice_optional(tmp_path):
    f = Folio(tmp_path)
    del f.contacts["ann-lee"]["consent"]["privacy_notice"]
    assert f.findings("missing-consent") == []


def test_unjustified_contact(tmp_path):
    f = Folio(tmp_path)
    f.contacts["ann-lee"]["why"] = "  "
    found = f.findings("unjustified-contact")
    assert brief(found) == [("unjustified-contact", ANN, f.line_of(ANN, "name:"), "c-a-l")]
    f.contacts["ann-lee"]["status"] = "ended"      # an ended relationship needs no justification now
    assert f.findings("unjustified-contact") == []


def test_review_due_counts_from_the_last_review(tmp_path):
    f = Folio(tmp_path)
    found = f.findings("review-due", as_of=dt.date(2026, 6, 1))   # Ann reviewed 03-01, Bob 02-20: both > 90 days
    assert brief(found) == [
        ("review-due", ANN, f.line_of(ANN, "reviews:"), "c-a-l"),
        ("review-due", "contacts/bob-roe.yaml", f.line_of("contacts/bob-roe.yaml", "reviews:"), "c-b-r")]
    assert "due since 2026-05-30" in found[0].message
    # the day the interval ends is not yet late
    assert f.findings("review-due", as_of=dt.date(2026, 5, 30)) == [d for d in found if d.subject == "c-b-r"]


def test_review_due_never_reviewed_counts_from_met_date_or_first_entry(tmp_path):
    f = Folio(tmp_path)
    del f.contacts["ann-lee"]["reviews"]
    assert f.findings("review-due") == []           # met 2026-01-10: 81 days before AS_OF, not yet due
    found = f.findings("review-due", as_of=dt.date(2026, 4, 15))
    assert brief(found) == [("review-due", ANN, f.line_of(ANN, "met:"), "c-a-l")]
    assert "never reviewed since meeting on 2026-01-10" in found[0].message
    del f.contacts["ann-lee"]["met"]
    found = f.findings("review-due", as_of=dt.date(2026, 4, 15))    # first entry with Ann: 2026-01-10
    assert "since the first entry on 2026-01-10" in found[0].message


def test_review_due_only_for_current_contacts_and_never_crashes_without_dates(tmp_path):
    f = Folio(tmp_path)
    f.contacts["ann-lee"]["status"] = "dormant"
    f.contacts["cy-new"] = {"name": "Cy New", "status": "current", "why": "x",
                            "consent": {"basis": "consent", "recorded": "2026-03-30"}}
    subjects = [d.subject for d in f.findings("review-due", as_of=dt.date(2027, 1, 1))]
    assert subjects == ["c-b-r"]     # Ann is dormant; Cy has no date to count from


def test_dormant_contact(tmp_path):
    f = Folio(tmp_path)
    found = f.findings("dormant-contact", as_of=dt.date(2026, 7, 20))   # last entry 2026-03-20: 122 days
    assert brief(found) == [
        ("dormant-contact", ANN, f.line_of(ANN, "status:"), "c-a-l"),
        ("dormant-contact", "contacts/bob-roe.yaml", f.line_of("contacts/bob-roe.yaml", "status:"),
         "c-b-r")]
    assert "last entry on 2026-03-20, 122 days ago (dormant after 120)" in found[0].message
    assert f.findings("dormant-contact", as_of=dt.date(2026, 7, 18)) == []      # 120 days: not yet


def test_dormant_contact_with_no_entries_counts_from_met_date_and_respects_settings(tmp_path):
    f = Folio(tmp_path)
    f.contacts["cy-new"] = {"name": "Cy New", "status": "current", "why": "x", "met": {"date": "2026-03-01"},
                            "consent": {"basis": "consent", "recorded": "2026-03-01"}}
    assert f.findings("dormant-contact") == []
    f.portfolio["checks"] = {"dormant_after_days": 20}
    subjects = {d.subject for d in f.findings("dormant-contact")}
    assert "c-c-n" in subjects
    f.contacts["cy-new"]["status"] = "potential"
    assert "c-c-n" not in {d.subject for d in f.findings("dormant-contact")}
    del f.contacts["cy-new"]["met"]
    f.contacts["cy-new"]["status"] = "current"
    assert "c-c-n" not in {d.subject for d in f.findings("dormant-contact")}


def test_ignore_and_severity_settings_apply(tmp_path):
    f = Folio(tmp_path)
    f.contacts["ann-lee"]["why"] = ""
    f.portfolio["checks"] = {"severity": {"unjustified-contact": "error"}}
    assert [d.severity for d in f.findings("unjustified-contact")] == ["error"]
    f.portfolio["checks"] = {"ignore": ["unjustified-contact"]}
    assert f.findings("unjustified-contact") == []


def test_contact_file_name_not_the_slug_of_the_name(tmp_path):
    f = Folio(tmp_path)
    f.contacts["ann-lee"]["name"] = "Anne Lee"
    found = f.findings("contact-file-name")
    assert [(d.severity, d.file, d.line) for d in found] == [("info", "contacts/ann-lee.yaml", 1)]
    # the name is not published, so the message does not spell it (not even as a slug)
    assert "anne" not in found[0].message.lower() and "Anne Lee" not in found[0].hint
    f.contacts["ann-lee"]["consent"]["publish"] = True
    assert f.findings("contact-file-name")[0].message.endswith(": expected anne-lee.yaml")


def test_contact_file_name_matching_the_slug_is_quiet(tmp_path):
    f = Folio(tmp_path)
    f.contacts["ann-lee"]["name"] = "Ann  Lée"          # accents and spacing fold into the same slug
    assert f.findings("contact-file-name") == []
