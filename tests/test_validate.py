"""The validate stage: schema errors in a learner's words, references across files, attachments."""
import os

import pytest

from factory import ENTRY, by_rule, check

ENTRY_FILE = "entries/2026-09-10-breakfast.md"


def entry(**replace):
    text = ENTRY
    for old, new in replace.items():
        text = text.replace(old.replace("_", " ") if False else old, new)
    return text


def errors(result):
    return [d for d in result.diagnostics if d.severity == "error"]


def test_the_base_portfolio_is_valid(tmp_path):
    assert errors(check(tmp_path)) == []


def test_unknown_key_with_did_you_mean_points_at_the_key(tmp_path):
    result = check(tmp_path, {ENTRY_FILE: ENTRY.replace("title:", "titel:")})
    msgs = {d.message: d for d in by_rule(result, "schema")}
    d = msgs["unknown field 'titel' (did you mean 'title'?)"]
    assert (d.line, d.column) == (2, 1)
    assert "missing required field 'title'" in msgs


def test_enum_value_with_did_you_mean_points_at_the_value(tmp_path):
    result = check(tmp_path, {ENTRY_FILE: ENTRY.replace("kind: meeting", "kind: meetting")})
    [d] = by_rule(result, "schema")
    assert (d.line, d.column) == (4, 7)
    assert d.message == "'kind' cannot be 'meetting' (did you mean 'meeting'?)"
    assert "allowed values" in d.hint


def test_nested_key_errors_name_the_item(tmp_path):
    result = check(tmp_path, {ENTRY_FILE: ENTRY.replace("{do: Send the article,", "{doo: Send the article,")})
    messages = sorted(d.message for d in by_rule(result, "schema"))
    assert messages == ["missing required field 'do' in actions[1]",
                        "unknown field 'doo' in actions[1] (did you mean 'do'?)"]


def test_wrong_type(tmp_path):
    result = check(tmp_path, {ENTRY_FILE: ENTRY.replace("methods: [face-to-face]", "methods: face-to-face")})
    [d] = by_rule(result, "schema")
    assert d.message == "'methods' should be a list, found 'face-to-face'" and d.line == 5


def test_score_out_of_range_and_bad_slug(tmp_path):
    contact = ("name: P\nreviews:\n  - {date: 2026-01-01, value: 7}\ngoals: [Grow]\n")
    result = check(tmp_path, {"contacts/priya-shah.yaml": contact})
    messages = sorted(d.message for d in by_rule(result, "schema"))
    assert "'reviews[1].value' must be at most 5, found 7" in messages
    assert any("'goals[1]' 'Grow' is not a valid id" in m for m in messages)


def test_file_names_must_be_ids(tmp_path):
    result = check(tmp_path, {"contacts/Priya Shah.yaml": "name: P\n", "entries/breakfast.md": ENTRY})
    names = sorted(d.file for d in by_rule(result, "schema") if "file name" in d.message)
    assert names == ["contacts/Priya Shah.yaml", "entries/breakfast.md"]


@pytest.mark.parametrize("old, new, rule, subject, message", [
    ("contacts: [priya-shah]", "contacts: [priya-sha]", "unknown-contact", "priya-sha",
     "no contact 'priya-sha' (did you mean 'priya-shah'?)"),
    ("networks: [outside]", "networks: [outsde]", "unknown-network", "outsde",
     "no network 'outsde' (did you mean 'outside'?)"),
    ("goals: [grow]", "goals: [grwo]", "unknown-goal", "grwo", "no goal 'grwo' (did you mean 'grow'?)"),
    ('criteria: ["A/000/0001:1.1"]', 'criteria: ["A/000/0001:1.3"]', "unknown-criterion", "A/000/0001:1.3",
     "unit A/000/0001 has no criterion '1.3' (did you mean '1.2'?)"),
    ('criteria: ["A/000/0001:1.1"]', 'criteria: ["A/000/0011:1.1"]', "unknown-criterion", "A/000/0011:1.1",
     "no unit 'A/000/0011' in your frameworks (did you mean 'A/000/0001'?)"),
])
def test_unknown_references_in_entries(tmp_path, old, new, rule, subject, message):
    result = check(tmp_path, {ENTRY_FILE: ENTRY.replace(old, new)})
    [d] = errors(result)
    assert (d.rule, d.subject, d.message, d.file) == (rule, subject, message, ENTRY_FILE)
    assert d.line == next(i for i, l in enumerate(ENTRY.replace(old, new).splitlines(), 1) if new in l)


def test_criterion_reference_needs_unit_and_criterion(tmp_path):
    result = check(tmp_path, {ENTRY_FILE: ENTRY.replace('"A/000/0001:1.1"', '"1.1"')})
    [d] = errors(result)
    assert d.rule == "schema" and "UNIT:CRITERION" in d.message


def test_unknown_unit_and_framework_in_portfolio(tmp_path):
    from factory import PORTFOLIO
    text = PORTFOLIO.replace("B/000/0002]", "B/000/0003]") + "frameworks: [marking-points]\n"
    result = check(tmp_path, {"portfolio.yaml": text})
    assert [(d.rule, d.subject) for d in errors(result)] == [
        ("unknown-unit", "B/000/0003"), ("unknown-framework", "marking-points")]


def test_duplicate_goal_id(tmp_path):
    from factory import PORTFOLIO
    extra = "  - {id: grow, statement: Again, status: planned}\n"
    result = check(tmp_path, {"portfolio.yaml": PORTFOLIO + extra})
    [d] = by_rule(result, "duplicate-id")
    assert d.subject == "grow" and d.line == PORTFOLIO.count("\n") + 1


def test_contact_references(tmp_path):
    contact = "name: P\nnetworks: [nowhere]\ngoals: [grow]\nintroduced_by: nobody\n"
    result = check(tmp_path, {"contacts/priya-shah.yaml": contact})
    assert sorted(d.rule for d in errors(result)) == ["unknown-contact", "unknown-network"]


def test_attachments(tmp_path):
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "agenda.md").write_text("agenda")
    (tmp_path.parent / "secret.txt").write_text("secret")
    os.symlink(tmp_path.parent / "secret.txt", tmp_path / "evidence" / "link.txt")
    atts = ("attachments:\n  - {path: evidence/agenda.md}\n  - {path: evidence/missing.pdf}\n"
            "  - {path: ../secret.txt}\n  - {path: /etc/passwd}\n  - {path: evidence/link.txt}\n---\n")
    result = check(tmp_path, {ENTRY_FILE: ENTRY.replace("---\nWe", atts + "We", 1).replace("\n---\n" + atts, "\n" + atts)})
    found = sorted((d.rule, d.subject) for d in errors(result))
    assert found == [("attachment-outside-repository", "../secret.txt"),
                     ("attachment-outside-repository", "/etc/passwd"),
                     ("attachment-outside-repository", "evidence/link.txt"),
                     ("missing-attachment", "evidence/missing.pdf")]


def test_erased_contact_on_file_and_referenced(tmp_path):
    from factory import CONTACT
    contact = CONTACT.replace("privacy_notice: 2026-09-02}", "privacy_notice: 2026-09-02, erasure_requested: 2026-09-20}")
    result = check(tmp_path, {"contacts/priya-shah.yaml": contact})
    found = sorted((d.file, d.rule) for d in errors(result))
    assert found == [("contacts/priya-shah.yaml", "erased-contact"), (ENTRY_FILE, "erased-contact")]
    # an erased contact never reaches the model
    assert all(c.id != "priya-shah" for c in result.model.contacts)


def _with_attachments(*paths):
    listed = "".join(f"  - {{path: \"{p}\"}}\n" for p in paths)
    return ENTRY.replace("value:", "attachments:\n" + listed + "value:")


def test_attachments_that_would_publish_private_files(tmp_path):
    # a record or a hidden file copied into the site as it is would publish contacts' channels,
    # unredacted names or git's configuration
    files = {".git/config": "[remote]\n", "evidence/ok.txt": "ok"}
    result = check(tmp_path, {ENTRY_FILE: _with_attachments("contacts/priya-shah.yaml", ENTRY_FILE, "portfolio.yaml",
                                                            ".git/config", "evidence/ok.txt"), **files})
    found = sorted((d.rule, d.subject, d.line) for d in errors(result))
    assert found == [("attachment-outside-repository", ".git/config", 16),
                     ("attachment-outside-repository", "contacts/priya-shah.yaml", 13),
                     ("attachment-outside-repository", ENTRY_FILE, 14),
                     ("attachment-outside-repository", "portfolio.yaml", 15)]
    assert "one of your record files" in by_rule(result, "attachment-outside-repository")[1].message


def test_attachment_paths_the_system_cannot_look_up(tmp_path):
    (tmp_path / "evidence").mkdir(parents=True)
    result = check(tmp_path, {ENTRY_FILE: _with_attachments("evidence/" + "a" * 5000, "evidence/a\\0b", "evidence")})
    long, nul, folder = [d.message for d in sorted(errors(result), key=lambda d: d.line)]
    assert all(d.rule == "missing-attachment" for d in errors(result))
    assert folder == "attachment 'evidence' is a folder, not a file"
    assert long.endswith("… (5,009 characters)' is not a usable file path: file name too long")
    assert nul == "attachment 'evidence/a\\x00b' is not a usable file path: it contains a NUL character"


def test_blank_required_text_is_an_error(tmp_path):
    result = check(tmp_path, {ENTRY_FILE: ENTRY.replace("title: Breakfast with @priya-shah", "title: '   '")})
    [d] = errors(result)
    assert (d.rule, d.line, d.message) == ("schema", 2, "'title' is blank: write something here")
    [d] = errors(check(tmp_path, {ENTRY_FILE: ENTRY.replace("title: Breakfast with @priya-shah", "title: ''")}))
    assert d.message == "'title' must not be empty"     # said once, not twice


def test_long_and_invisible_values_are_shown_readably(tmp_path):
    from factory import CONTACT
    result = check(tmp_path, {ENTRY_FILE: ENTRY.replace("kind: meeting", "kind: " + "x" * 100_000)
                              .replace("[priya-shah]", "[\"priya\u200b-shah\"]"),
                              "contacts/priya-shah.yaml": CONTACT.replace("name: Priya Shah", "name: " + "P" * 5000)})
    messages = sorted(d.message for d in errors(result))
    assert all(len(m) < 300 for m in messages)
    assert "'contacts[1]' 'priya\\u200b-shah' is not a valid id" in " ".join(messages)
    assert "'name' must be at most 200 characters, found 5,000" in messages


@pytest.mark.parametrize("broken", ["portfolio.yaml", "criteria/test-qual.yaml"])
def test_an_unreadable_file_does_not_make_every_reference_unknown(tmp_path, broken):
    result = check(tmp_path, {broken: "title: [unclosed\n"})
    assert [(d.file, d.rule) for d in errors(result)] == [(broken, "yaml-syntax")]


@pytest.mark.parametrize("checks, message", [
    ("{ignore: [schema]}", "'schema' is a validation rule: it cannot be ignored or given another severity"),
    ("{severity: {unknown-contact: info}}",
     "'unknown-contact' is a validation rule: it cannot be ignored or given another severity"),
    ("{severity: {few-method: info}}",
     "'checks.severity' names 'few-method', which is not a gap rule (did you mean 'few-methods'?)"),
])
def test_checks_naming_a_rule_they_cannot_tune(tmp_path, checks, message):
    from factory import PORTFOLIO
    [d] = errors(check(tmp_path, {"portfolio.yaml": PORTFOLIO + f"checks: {checks}\n"}))
    assert (d.rule, d.line, d.message) == ("schema", 19, message)


def test_a_serve_session_checks_again_the_references_of_the_entries_and_records_that_changed(tmp_path, monkeypatch):
    """validate_references keeps each entry's findings while its file and the records it names things in are
    as they were (the cache's `references`): a body save checks one entry; a contact gone checks them all."""
    import datetime as dt
    import shutil
    from pathlib import Path

    from generator import pipeline, validate
    from generator.cache import Cache
    src = tmp_path / "p"
    shutil.copytree(Path(__file__).parent / "fixtures" / "authoring", src)
    checked: list = []
    real = validate.check_entry
    monkeypatch.setattr(validate, "check_entry", lambda source, *a: (checked.append(source.file), real(source, *a))[1])
    cache, day = Cache(tmp_path / "cache"), dt.date(2026, 3, 15)

    def findings(**kw):
        return [str(d) for d in pipeline.check(src, day, **kw).diagnostics]
    findings(cache=cache)
    assert len(checked) == 2
    entry = src / "entries" / "2026-02-03-first-forum.md"   # (it attaches a file: checked every time)
    entry.write_text(entry.read_text() + "\nOne more sentence.\n")
    checked.clear()
    kept = findings(cache=cache)
    assert checked == ["entries/2026-02-03-first-forum.md"]   # the other entry's findings were kept ...
    assert kept == findings()                                    # ... and are a fresh check's
    (src / "contacts" / "bea-khan.yaml").unlink()
    checked.clear()
    now = findings(cache=cache)
    assert len(checked) == 2 and now == findings()               # a contact gone: every entry again
    assert any("no contact 'bea-khan'" in f for f in now)
    (src / "evidence" / "forum-agenda.txt").unlink()             # no record changed, a file it attaches did
    now = findings(cache=cache)
    assert now == findings() and any("forum-agenda.txt' does not exist" in f for f in now)
