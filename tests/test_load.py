"""The load stage: positions, and one clear diagnostic per unreadable file — never a traceback."""
from pathlib import Path

import pytest

from factory import AS_OF, by_rule, check, write_portfolio
from generator.load import load


def _load(root: Path):
    diags = []
    return load(root, diags), diags


def test_values_keep_their_positions(tmp_path):
    write_portfolio(tmp_path)
    sources, diags = _load(tmp_path)
    assert diags == []
    entry = sources.entries[0]
    # front matter starts on line 2 of the file; 'contacts' is its 5th key
    assert entry.key_pos[("contacts",)] == (6, 1)
    assert entry.value_pos[("contacts", 0)] == (6, 12)
    assert entry.body.strip() == "We talked about hiring."
    assert entry.body_line == 14
    assert entry.data["date"] == "2026-09-10"


def test_duplicate_key_is_reported_not_collapsed(tmp_path):
    result = check(tmp_path, {"contacts/priya-shah.yaml": "name: A\nrole: x\nname: B\n"})
    [d] = by_rule(result, "duplicate-key")
    assert (d.file, d.line, d.column, d.severity) == ("contacts/priya-shah.yaml", 3, 1, "error")
    assert "first at line 1" in d.message


def test_duplicate_key_in_nested_mapping_of_front_matter(tmp_path):
    entry = "---\ntitle: T\ndate: 2026-09-10\nkind: email\nvalue:\n  given: a\n  given: b\n---\nbody\n"
    result = check(tmp_path, {"entries/2026-09-10-breakfast.md": entry})
    [d] = by_rule(result, "duplicate-key")
    assert (d.file, d.line, d.column) == ("entries/2026-09-10-breakfast.md", 7, 3)


@pytest.mark.parametrize("text, line, words", [
    ("name: [unclosed\nrole: x\n", 2, "invalid YAML"),
    ("name: a\n  role: b\n", 2, "invalid YAML"),
    ("", 1, "file is empty"),
    ("   \n\n", 1, "file is empty"),
])
def test_unreadable_contact_is_one_diagnostic_and_the_rest_is_checked(tmp_path, text, line, words):
    result = check(tmp_path, {"contacts/priya-shah.yaml": text,
                              "contacts/tom-okafor.yaml": "name: Tom\nstatuss: current\n"})
    [d] = by_rule(result, "yaml-syntax")
    assert d.file == "contacts/priya-shah.yaml" and d.line == line and words in d.message
    # the other contact is still validated
    assert any(x.rule == "schema" and x.file == "contacts/tom-okafor.yaml" for x in result.diagnostics)


def test_non_utf8_file(tmp_path):
    result = check(tmp_path, {"contacts/priya-shah.yaml": b"name: Zo\xe9\nrole: x\n"})
    [d] = by_rule(result, "yaml-syntax")
    assert (d.line, d.column) == (1, 9) and "not UTF-8" in d.message


def test_utf8_bom_is_accepted(tmp_path):
    result = check(tmp_path, {"contacts/priya-shah.yaml": "\ufeffname: Priya Shah\n"})
    assert not [d for d in result.diagnostics if d.severity == "error"]


def test_list_instead_of_mapping(tmp_path):
    result = check(tmp_path, {"contacts/priya-shah.yaml": "- name: Priya\n"})
    [d] = [d for d in result.diagnostics if d.file == "contacts/priya-shah.yaml"]
    assert d.rule == "schema" and "found a list" in d.message


@pytest.mark.parametrize("text, message", [
    ("title: T\n", "must start with a '---'"),
    ("---\ntitle: T\ndate: 2026-09-10\n", "never closed"),
    ("---\n---\nbody\n", "front matter is empty"),
    ("---\ntitle: [x\n---\nbody\n", "invalid YAML"),
])
def test_entry_front_matter_problems(tmp_path, text, message):
    result = check(tmp_path, {"entries/2026-09-10-breakfast.md": text})
    [d] = [d for d in result.diagnostics if d.file.startswith("entries/") and d.severity == "error"]
    assert message in d.message


def test_invalid_date_is_a_schema_error_at_the_value(tmp_path):
    entry = "---\ntitle: T\ndate: 2026-02-30\nkind: email\n---\n"
    result = check(tmp_path, {"entries/2026-09-10-breakfast.md": entry})
    [d] = by_rule(result, "schema")
    assert (d.line, d.column) == (3, 7) and "not a valid date" in d.message


def test_missing_portfolio_yaml(tmp_path):
    result = check(tmp_path, {"portfolio.yaml": None})
    assert any(d.file == "portfolio.yaml" and "no portfolio.yaml" in d.message for d in result.diagnostics)
    assert result.model is None


def test_merge_keys_are_expanded(tmp_path):
    text = "base: &b {role: Head, organisation: Org}\n"
    result = check(tmp_path, {"contacts/priya-shah.yaml": "name: P\n<<: {role: Head, organisation: Org}\n"})
    assert not [d for d in result.diagnostics if d.severity == "error"], text


@pytest.mark.parametrize("name, expected", [
    ("contacts/tom-okafor.yml", "contacts/tom-okafor.yml is not read: contact files in contacts/ end in '.yaml'"),
    ("entries/2026-09-11-call.markdown",
     "entries/2026-09-11-call.markdown is not read: entry files in entries/ end in '.md'"),
    ("entries/2026-09-11-call.MD", "entries/2026-09-11-call.MD is not read: entry files in entries/ end in '.md'"),
])
def test_a_misnamed_record_is_reported_not_skipped(tmp_path, name, expected):
    for cached in (False, True):
        root = tmp_path / str(cached)
        write_portfolio(root, {name: "name: Tom\n"})
        from generator import pipeline
        from generator.cache import Cache
        result = pipeline.check(root, AS_OF, Cache(root / ".cache") if cached else None)
        [d] = [d for d in result.diagnostics if d.file == name]
        assert (d.rule, d.severity, d.message) == ("schema", "error", expected)
        assert d.hint.startswith("rename it to ")


def test_swap_backup_and_other_files_in_record_folders_are_left_alone(tmp_path):
    result = check(tmp_path, {"contacts/.priya-shah.yaml.swp": "x", "contacts/priya-shah.yaml~": "x",
                              "entries/notes.pdf": b"%PDF", "contacts/README": "about my contacts"})
    assert [d for d in result.diagnostics if d.severity == "error"] == []


def test_portfolio_yml_gets_a_rename_hint(tmp_path):
    write_portfolio(tmp_path)
    (tmp_path / "portfolio.yaml").rename(tmp_path / "portfolio.yml")
    from generator import pipeline
    [d] = [d for d in pipeline.check(tmp_path, AS_OF).diagnostics if d.file == "portfolio.yaml"]
    assert d.hint == "rename portfolio.yml to portfolio.yaml"


# --- adversarial shapes: each is one clear yaml-syntax diagnostic, never a traceback or a hang

@pytest.mark.parametrize("tail, line, words", [
    ("notes: " + "[" * 3000 + "]" * 3000 + "\n", 3, "nested more than 50 levels deep"),
    ("notes: &a [*a]\n", 3, "refers to the value that contains it"),
    ("a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
     "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n", 3, "copy more than 10,000 values"),  # at the anchor copied
    ("? [a, b]\n: c\n", 3, "a key must be a single word"),
    ("role: Head\x00 of Talent\n", 3, "control character U+0000"),
    ("---\nname: Other\n", 3, "a second document ('---') starts here"),
])
def test_pathological_yaml_is_one_diagnostic(tmp_path, tail, line, words):
    result = check(tmp_path, {"contacts/priya-shah.yaml": "name: P\nrole: x\n" + tail})
    [d] = [d for d in result.diagnostics if d.file == "contacts/priya-shah.yaml"]
    assert (d.rule, d.line) == ("yaml-syntax", line) and words in d.message, d


def test_control_character_in_front_matter_is_placed_exactly(tmp_path):
    entry = "---\ntitle: Break\x00fast\ndate: 2026-09-10\nkind: email\n---\n"
    [d] = by_rule(check(tmp_path, {"entries/2026-09-10-breakfast.md": entry}), "yaml-syntax")
    assert (d.line, d.column) == (2, 13)


def test_merge_key_yields_to_keys_written_in_the_mapping(tmp_path):
    # YAML's merge: a key written beside `<<` overrides the merged one; that is not a duplicate
    from factory import PORTFOLIO
    text = PORTFOLIO.replace("  - {id: inside", "  - &n {id: inside").replace(
        "  - {id: outside, name: Outside body, kind: external,", "  - {<<: *n, id: outside, name: Outside body, kind: external,")
    result = check(tmp_path, {"portfolio.yaml": text})
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    assert [n.id for n in result.model.networks] == ["inside", "outside"]
    assert result.model.networks[1].kind == "external"


def test_keys_are_read_as_written(tmp_path):
    [d] = by_rule(check(tmp_path, {"contacts/priya-shah.yaml": "name: P\nyes: 1\n"}), "schema")
    assert d.message.startswith("unknown field 'yes'")


def _not_read(root, setup):
    write_portfolio(root)
    setup(root)
    from generator import pipeline
    from generator.cache import Cache
    out = []
    for cache in (None, Cache(root / ".cache")):
        out.append(sorted((d.file, d.message) for d in pipeline.check(root, AS_OF, cache).diagnostics
                          if d.severity == "error"))
    assert out[0] == out[1]
    return out[0]


def test_a_folder_named_like_a_record_is_reported(tmp_path):
    found = _not_read(tmp_path, lambda r: (r / "entries/2026-09-11-call.md").mkdir())
    assert found == [("entries/2026-09-11-call.md", "entries/2026-09-11-call.md is not read: it is a folder, not a file")]


def test_a_broken_link_named_like_a_record_is_reported(tmp_path):
    found = _not_read(tmp_path, lambda r: (r / "contacts/tom.yaml").symlink_to("gone.yaml"))
    assert found == [("contacts/tom.yaml", "contacts/tom.yaml is not read: it is a link to 'gone.yaml', which does not exist")]


def test_records_in_a_subfolder_are_reported(tmp_path):
    def setup(root):
        (root / "entries/2026").mkdir()
        (root / "entries/2026/2026-09-11-call.md").write_text("---\ntitle: T\n---\n")
        (root / "entries/images").mkdir()
        (root / "entries/images/photo.png").write_bytes(b"png")   # not a record: left alone
    [(file, message)] = _not_read(tmp_path, setup)
    assert file == "entries/2026/2026-09-11-call.md"
    assert message.endswith("is not read: records sit directly in entries/, not in a subfolder")


def test_portfolio_yaml_that_is_a_folder(tmp_path):
    def setup(root):
        (root / "portfolio.yaml").unlink()
        (root / "portfolio.yaml").mkdir()
    assert ("portfolio.yaml", "portfolio.yaml is not read: it is a folder, not a file") in _not_read(tmp_path, setup)
