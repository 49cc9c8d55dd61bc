"""The personal-data check (issue 11.1): every way a detail or a name was slipped past the old
redaction is now an error at the place it was written. Expected positions are counted by hand
from the texts written here, not taken from the code under test."""
from __future__ import annotations

import pytest

from factory import CONTACT, ENTRY, PORTFOLIO, check

ENTRY_FILE = "entries/2026-09-10-breakfast.md"
BODY_LINE = ENTRY.count("\n") + 1 - 1   # the body's single line ("We talked about hiring.") is the last one


def entry_with_body(body: str) -> dict:
    return {ENTRY_FILE: ENTRY.replace("We talked about hiring.\n", body)}


def found(result, rule="personal-data"):
    return [d for d in result.diagnostics if d.rule == rule]


def one(result):
    ds = found(result)
    assert len(ds) == 1, [(d.file, d.line, d.column, d.message) for d in ds]
    assert ds[0].severity == "error"
    return ds[0]


def test_the_base_portfolio_has_no_personal_data(tmp_path):
    assert found(check(tmp_path)) == []


# -- contact details however written ------------------------------------------------------------
@pytest.mark.parametrize("text, column, what", [
    ("Write to _priya.shah@northgate.example.com_ for it.", 11, "an e-mail address"),   # inside emphasis
    ("Write to bob@elsewhere.org today.", 10, "an e-mail address"),                     # not a channel at all
    ("Call 07700900123ext 4 after nine.", 6, "a phone number"),                         # followed by text
    ("Call 07700 900123 (mobile).", 6, "a phone number"),
    ("Call 0117/496/0123 in the morning.", 6, "a phone number"),                        # slashes
    ("Call 0117-496-0123 in the morning.", 6, "a phone number"),                        # dashes
    ("Call 0117.496.0123 in the morning.", 6, "a phone number"),                        # dots
    ("Call +44 (0)117 496 0123 now.", 6, "a phone number"),                             # international
    ("Call 0044 117 496 0123 now.", 6, "a phone number"),
    ("See linkedin.com/in/someone-else for more.", 5, "a profile URL"),
    ("See https://x.com/someone and reply.", 5, "a profile URL"),
    ("Mail priya&#46;shah&#64;northgate&#46;example&#46;com please.", 6, "an e-mail address"),   # entities
    ("Mail priya%2Eshah%40northgate.example.com please.", 6, "an e-mail address"),       # percent-encoding
    ("Mail priya\\.shah\\@northgate.example.com please.", 6, "an e-mail address"),        # Markdown escapes
    ("Mail priya.shah\u200b@northgate.example.com please.", 6, "an e-mail address"),     # zero-width space
    ("Mail ｐｒｉｙａ@northgate.example.com please.", 6, "an e-mail address"),             # full-width (NFKC)
])
def test_contact_details_are_errors_however_written(tmp_path, text, column, what):
    d = one(check(tmp_path, entry_with_body(text + "\n")))
    assert (d.file, d.line, d.column) == (ENTRY_FILE, BODY_LINE, column)
    assert what in d.message and "channels" in d.hint


@pytest.mark.parametrize("text", [
    "Pick accuracy rose from 99.2% to 99.5% on 2026-09-10; £20,000 budget; 3,000 members.",
    "Candidate PQ-2025-048817 evidences J/506/1949:3.3 and L/506/1953 (ref 12345678).",
    "Met @priya-shah at 07:30; room 0117; version 1.2.3; ISBN 978-0-306-40615-7.",
    "The company page is linkedin.com/company/acme and the site https://acme.example.org/about.",
])
def test_ordinary_numbers_dates_references_and_mentions_are_not_personal_data(tmp_path, text):
    assert found(check(tmp_path, entry_with_body(text + "\n"))) == []


def test_an_allowed_detail_is_not_an_error_however_written(tmp_path):
    portfolio = PORTFOLIO + "checks:\n  allow_personal_data: ['0117 496 0000', info@acme.example.org]\n"
    body = "Switchboard 0117-496-0000, or INFO@ACME.EXAMPLE.ORG. Not 0117 496 0001.\n"
    d = one(check(tmp_path, {"portfolio.yaml": portfolio, **entry_with_body(body)}))
    assert d.column == len("Switchboard 0117-496-0000, or INFO@ACME.EXAMPLE.ORG. Not ") + 1


def test_a_channel_stored_with_a_label_is_found_in_any_spacing(tmp_path):
    contact = CONTACT.replace('phone: "+44 20 7946 0001"', 'phone: "Mobile: 7700 900 123 (evenings)"')
    # written without its leading 0, so it is not a phone number by shape: only the channel matches it
    d = one(check(tmp_path, {"contacts/priya-shah.yaml": contact, **entry_with_body("Ring 7700-900-123.\n")}))
    assert d.column == 6 and "priya-shah" in d.message and d.subject == "priya-shah"


def test_a_handle_channel_is_found(tmp_path):
    contact = CONTACT.replace("channels: {", "channels: {twitter: '@priya_s_99', ")
    d = one(check(tmp_path, {"contacts/priya-shah.yaml": contact, **entry_with_body("Ask @Priya_S_99.\n")}))
    assert d.column == 5


# -- names --------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, column", [
    ("We met Priya Shah at the forum.", 8),
    ("We met PRIYA at the forum.", 8),                  # first name alone, any case
    ("We met Ms Shah at the forum.", 11),               # surname alone
    ("We met _Priya_ at the forum.", 9),                # emphasis: the name's first letter
    ("We met **Pri**ya at the forum.", 10),
    ("We met Pri\u200bya at the forum.", 8),            # zero-width space
    ("We met Pri&#121;a at the forum.", 8),             # an entity
    ("We met Priya%20Shah at the forum.", 8),           # percent-encoding
    ("We met priya_shah at the forum.", 8),             # written like a file name
    ("We met Ｐｒｉｙａ at the forum.", 8),                  # full-width letters (NFKC)
])
def test_an_unconsented_name_is_an_error_however_written(tmp_path, text, column):
    d = one(check(tmp_path, entry_with_body(text + "\n")))
    assert (d.line, d.column) == (BODY_LINE, column)
    assert "priya-shah" in d.message and "@priya-shah" in d.hint


@pytest.mark.parametrize("recorded, written", [
    ("Chloé Baptiste", "Chloe\u0301 Baptiste"),          # the record NFC, the text NFD
    ("Chloe\u0301 Baptiste", "Chloé Baptiste"),          # and the other way round
    ("Chloé Baptiste", "CHLOE BAPTISTE"),                # accents dropped, upper case
    ("İpek Yılmaz", "ipek yilmaz"),                      # dotted capital I folds to i
    ("Anna Straße", "ANNA STRASSE"),                     # ß folds to ss
    ("Anna Strasse", "Anna Straße"),
])
def test_names_match_across_unicode_forms_and_case_folding(tmp_path, recorded, written):
    contact = CONTACT.replace("name: Priya Shah", f"name: {recorded}")
    d = one(check(tmp_path, {"contacts/priya-shah.yaml": contact, **entry_with_body(f"I met {written} today.\n")}))
    assert d.column == 7


def test_a_consented_name_and_the_learners_own_are_fine(tmp_path):
    contact = CONTACT.replace("privacy_notice: 2026-09-02}", "privacy_notice: 2026-09-02, publish: true}")
    result = check(tmp_path, {"contacts/priya-shah.yaml": contact,
                              **entry_with_body("Priya Shah and Sam Learner agreed.\n")})
    assert found(result) == []


def test_words_that_only_look_like_names_can_be_allowed(tmp_path):
    contact = CONTACT.replace("name: Priya Shah", "name: Owen Price")
    body = "The price of backhaul fell.\n"
    assert len(found(check(tmp_path, {"contacts/priya-shah.yaml": contact, **entry_with_body(body)}))) == 1
    allowed = PORTFOLIO + "checks:\n  allow_names: [Price]\n"
    files = {"portfolio.yaml": allowed, "contacts/priya-shah.yaml": contact}
    assert found(check(tmp_path, {**files, **entry_with_body(body)})) == []
    d = one(check(tmp_path, {**files, **entry_with_body("I met Owen Price.\n")}))   # the full name still is
    assert d.column == 7


# -- everything published, identifiers too --------------------------------------------------------
def test_an_attachment_file_name_without_a_caption(tmp_path):
    entry = ENTRY.replace("value: {", "attachments:\n  - path: evidence/notes_priya-shah.pdf\nvalue: {")
    d = one(check(tmp_path, {ENTRY_FILE: entry, "evidence/notes_priya-shah.pdf": b"%PDF-1.4\n"}))
    line = entry.split("\n").index("  - path: evidence/notes_priya-shah.pdf") + 1
    assert (d.line, d.column) == (line, len("  - path: evidence/notes_") + 1)


def test_a_text_attachment_is_read(tmp_path):
    entry = ENTRY.replace("value: {", "attachments:\n  - {path: evidence/list.csv, caption: Attendance}\nvalue: {")
    d = one(check(tmp_path, {ENTRY_FILE: entry, "evidence/list.csv": "name,org\nA. Person,Acme\nPriya Shah,Northgate\n"}))
    assert (d.file, d.line, d.column) == ("evidence/list.csv", 3, 1)
    assert "initials" in d.hint   # a mention would not be rendered inside a copied file


@pytest.mark.parametrize("old, new, where", [
    ("  - id: grow\n", "  - id: call-priya\n", "goals"),                                    # a goal id
    ("{id: outside, name: Outside body,", "{id: priya-shah-circle, name: Outside body,", "networks"),
    ("status: joined}\ngoals:", "status: joined, scores: {priya: 3}}\ngoals:", "key"),      # a score key
    ("organisation: Acme Ltd}", "organisation: Acme Ltd, centre: Priya Shah Training}", "learner"),
    ("purpose: To learn.", "purpose: To learn.\nsite: {title: Portfolio for priya}", "site"),
    ("statement: Grow my network", "statement: Grow my network with Priya", "goals"),
])
def test_identifiers_and_portfolio_fields(tmp_path, old, new, where):
    portfolio = PORTFOLIO.replace(old, new)
    portfolio = portfolio.replace("[outside]", "[priya-shah-circle]") if "circle" in new else portfolio
    files = {"portfolio.yaml": portfolio}
    if "circle" in new:
        files["contacts/priya-shah.yaml"] = CONTACT.replace("networks: [outside]", "networks: [priya-shah-circle]")
        files[ENTRY_FILE] = ENTRY.replace("networks: [outside]", "networks: [priya-shah-circle]")
    if "call-priya" in new:
        files["contacts/priya-shah.yaml"] = CONTACT.replace("goals: [grow]", "goals: [call-priya]")
        files[ENTRY_FILE] = ENTRY.replace("goals: [grow]", "goals: [call-priya]")
    d = one(check(tmp_path, files))
    assert d.file == "portfolio.yaml"
    lines = portfolio.split("\n")
    assert "priya" in lines[d.line - 1].lower()[d.column - 1:d.column + 5]


@pytest.mark.parametrize("field, value", [
    ("role", "Priya's deputy"),                       # a role copied into the pseudonym's line
    ("role", "Head of Talent, call 07700 900123"),
    ("organisation", "Northgate (priya@example.com)"),
    ("why", "Priya knows the sector."),
])
def test_published_contact_fields(tmp_path, field, value):
    contact = CONTACT.replace(f"\n{field}: ", f"\n{field}: {value!r} #was: ", 1) if field != "why" \
        else CONTACT.replace("why: She knows the sector.", f"why: {value}")
    d = one(check(tmp_path, {"contacts/priya-shah.yaml": contact}))
    assert d.file == "contacts/priya-shah.yaml" and d.line == contact.split("\n").index(
        next(l for l in contact.split("\n") if l.startswith(f"{field}:"))) + 1


def test_private_fields_of_an_unconsented_contact_are_not_published_so_not_errors(tmp_path):
    contact = CONTACT + "notes: Priya's mobile is 07700 900123.\n"
    assert found(check(tmp_path, {"contacts/priya-shah.yaml": contact})) == []
    published = contact.replace("privacy_notice: 2026-09-02}", "privacy_notice: 2026-09-02, publish: true}")
    assert len(found(check(tmp_path, {"contacts/priya-shah.yaml": published}))) == 1   # the phone, now published


def test_every_entry_field(tmp_path):
    entry = (ENTRY.replace("title: Breakfast with @priya-shah", "title: Breakfast with Priya")
             .replace("{do: Send the article,", "{do: Send Priya the article,")
             .replace("received: Advice}", "received: Priya's advice}")
             .replace("value: {", "discussion: [Hiring with Priya]\nvalue: {"))
    ds = found(check(tmp_path, {ENTRY_FILE: entry}))
    lines = entry.split("\n")
    assert sorted((d.line, lines[d.line - 1][d.column - 1:d.column + 4]) for d in ds) == sorted(
        (i + 1, "Priya") for i, l in enumerate(lines) for _ in range(l.count("Priya")))


# -- the build ------------------------------------------------------------------------------------
def test_the_build_refuses_to_publish(tmp_path):
    from generator.cli import main
    from factory import write_portfolio
    write_portfolio(tmp_path / "p", entry_with_body("Priya said yes.\n"))
    assert main(["build", "--source", str(tmp_path / "p"), "--out", str(tmp_path / "site"),
                 "--as-of", "2026-09-30", "--no-cache"]) == 1
    assert not (tmp_path / "site").exists()


def test_assessment_records_are_read_too(tmp_path):
    from generator.load import load
    from generator.privacy.scan import scan
    src = tmp_path / "p"
    from factory import write_portfolio
    write_portfolio(src, {"assessments/2026-09-20-a.yaml": "date: 2026-09-20\nassessor: ann\n"
                          "feedback: Good work with Priya; call 0117 496 0123.\n"
                          "sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"})
    sources = load(src, [])
    if not getattr(sources, "assessments", None):
        pytest.skip("this build has no assessment records")
    ds = [d for d in scan(sources, {}) if d.file == "assessments/2026-09-20-a.yaml"]
    assert sorted((d.line, d.column) for d in ds) == [(3, 26), (3, 38)]   # the name, the phone; not the hash
