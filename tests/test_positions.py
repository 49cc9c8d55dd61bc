"""Positions on demand (generator/positions.py): loading records none, and the ones found later are exactly
where the YAML puts each key and value.

The expected positions are read here independently of the generator: each file's YAML is composed with
PyYAML and walked by the small reading of the YAML rules below (the first of repeated keys counts; a key
written in a mapping beats a merged one, an earlier merged mapping a later one)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from generator import load as load_stage
from generator import pipeline
from generator.diagnostics import Diagnostic

from conftest import FIXTURES

PORTFOLIOS = [FIXTURES / name for name in ("example", "mistakes", "authoring", "site", "rules/e2e")]
AS_OF = dt.date(2026, 4, 30)
MERGE = "tag:yaml.org,2002:merge"


def expected_positions(text: str, offset: int) -> tuple[dict, dict]:
    key_pos: dict = {}
    value_pos: dict = {}

    def mark(node):
        return node.start_mark.line + 1 + offset, node.start_mark.column + 1

    def effective(mapping) -> dict:
        pairs: dict = {}
        for k, v in mapping.value:
            if k.tag != MERGE:
                pairs.setdefault(k.value, (k, v))
        for k, v in mapping.value:
            if k.tag == MERGE:
                for merged in (v.value if isinstance(v, yaml.SequenceNode) else [v]):
                    for key, kv in effective(merged).items():
                        pairs.setdefault(key, kv)
        return pairs

    def walk(node, path):
        value_pos[path] = mark(node)
        if isinstance(node, yaml.MappingNode):
            for key, (k, v) in effective(node).items():
                key_pos[path + (key,)] = mark(k)
                walk(v, path + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, path + (i,))

    walk(yaml.compose(text, Loader=yaml.SafeLoader), ())
    return key_pos, value_pos


def yaml_of(source, root: Path) -> tuple[str, int]:
    """The YAML text of a record file and the lines before it, split here from the file itself."""
    path = root / source.file if (root / source.file).exists() else None
    if path is None:   # a shipped framework
        from generator import shipped
        path = shipped.criteria() / Path(source.file).name
    text = path.read_bytes().decode("utf-8-sig")
    if source.kind != "entry":
        return text, 0
    lines = text.split("\n")
    end = next(i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "..."))
    return "\n".join(lines[1:end]), 1


@pytest.mark.parametrize("root", PORTFOLIOS, ids=lambda p: p.name)
def test_every_position_is_where_the_yaml_puts_it(root):
    sources = load_stage.load(root, [])
    checked = 0
    for source in sources.all():
        if source.data is None:
            continue
        key_pos, value_pos = expected_positions(*yaml_of(source, root))
        assert source.key_pos == key_pos, source.file
        assert source.value_pos == value_pos, source.file
        checked += 1
    assert checked >= 5


def test_loading_records_no_positions():
    sources = load_stage.load(FIXTURES / "example", [])
    assert all("_index" not in s.__dict__ for s in sources.all())
    entry = sources.entries[0]
    assert entry.key_pos[("title",)][1] == 1 and "_index" in entry.__dict__   # built when asked


def _eager(monkeypatch):
    """Positions found while loading, as before they were made lazy."""
    real = load_stage.parse_yaml

    def parse_yaml(text, source, diagnostics, line_offset=0):
        real(text, source, diagnostics, line_offset)
        source.key_pos   # noqa: B018 - builds the index now
    monkeypatch.setattr(load_stage, "parse_yaml", parse_yaml)


def _diagnostics(root) -> list:
    return [(d.file, d.line, d.column, d.rule, d.message) for d in pipeline.check(root, AS_OF).diagnostics]


@pytest.mark.parametrize("root", [FIXTURES / "mistakes", FIXTURES / "site", FIXTURES / "rules/e2e"],
                         ids=lambda p: p.name)
def test_diagnostics_the_same_found_lazily_or_while_loading(root, monkeypatch):
    lazy = _diagnostics(root)
    _eager(monkeypatch)
    assert _diagnostics(root) == lazy and lazy


def test_repeated_keys_reported_at_both(tmp_path):
    (tmp_path / "contacts").mkdir()
    (tmp_path / "contacts" / "a.yaml").write_text("id: a\nname: A\nid: b\nrole: x\n", "utf-8")
    found: list[Diagnostic] = []
    source = load_stage.load_file(tmp_path / "contacts" / "a.yaml", tmp_path, "contact", found)
    assert [(d.rule, d.line, d.column) for d in found] == [("duplicate-key", 3, 1)]
    assert "first at line 1" in found[0].message
    assert source.data == {"id": "a", "name": "A", "role": "x"}
    assert source.key_pos[("id",)] == (1, 1) and source.value_pos[("role",)] == (4, 7)


def test_merged_and_aliased_positions(tmp_path):
    text = "base: &b\n  x: 1\n  y: 2\nuse:\n  <<: *b\n  y: 3\nlist:\n  - *b\n"
    (tmp_path / "p.yaml").write_text(text, "utf-8")
    source = load_stage.load_file(tmp_path / "p.yaml", tmp_path, "contact", [])
    assert source.data["use"] == {"x": 1, "y": 3}
    assert (source.key_pos, source.value_pos) == expected_positions(text, 0)
    assert source.value_pos[("use", "x")] == (2, 6) and source.value_pos[("use", "y")] == (6, 6)


# -- a top-level key's place read by a line scan (PositionIndex.top_key) ------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from generator import plain_yaml  # noqa: E402
from generator.positions import PositionIndex  # noqa: E402


def _top_keys_agree(text: str, offset: int = 0) -> int:
    """Every top-level key the scan places is where the YAML puts it; returns how many it placed."""
    data = plain_yaml.load(text, offset)
    if data is None:
        return 0
    expected = expected_positions(text, offset)[0]
    index = PositionIndex(text, offset, len(data))
    placed = 0
    for key in data:
        at = index.top_key(key)
        assert at is None or at == expected[(key,)], (text, key)
        placed += at is not None
    assert not index.built   # the scan parses nothing
    return placed


@pytest.mark.parametrize("root", PORTFOLIOS, ids=lambda p: p.name)
def test_top_keys_by_line_scan_are_where_the_yaml_puts_them(root):
    sources = load_stage.load(root, [])
    contacts = 0
    for source in sources.all():
        if source.data is None:
            continue
        text, offset = yaml_of(source, root)
        placed = _top_keys_agree(text, offset)
        contacts += source.kind == "contact" and placed == len(source.data)
    assert contacts >= 1 or not sources.contacts


def test_a_contact_finding_places_its_key_without_parsing_again(tmp_path):
    # review-due and dormant-contact ask one top-level key's place of thousands of contacts
    (tmp_path / "a.yaml").write_text("# a contact\nname: A B\nstatus: current\nreviews:\n- date: 2021-06-01\n",
                                     "utf-8")
    source = load_stage.load_file(tmp_path / "a.yaml", tmp_path, "contact", [])
    before = dict(plain_yaml.TAKEN)
    assert source.pos(("status",)) == (3, 1) and source.pos(("reviews",)) == (4, 1)
    assert dict(plain_yaml.TAKEN) == before and not source.index.built
    assert source.pos(("reviews", 0, "date")) == (5, 3)   # deeper: parsed as before
    assert source.index.built


@pytest.mark.parametrize("text", [
    'a: "x\nb: y\nc: z"\nb: 1\n',              # a quoted scalar runs on at column 1
    'a: "x\nb: y"\n',                           # ... and its lines look like the one key missing
    "  a: \"x\nb: y\nc: z\"\n  c: 1\n",         # the document indented: its keys are not at column 1
    "a: [1,\nb: 2]\nb: 3\n",                    # a flow collection runs on at column 1
    "a: 1\r\nb: 2\r\n",                         # \r breaks lines too
    "---\na: 1\nb: 2\n",                        # a document start
    "'a': 1\nb: 2\n",                           # a quoted key
    "a: |\n  b: 1\nc: 2\n",                     # a block scalar's lines are indented
    "# c\n\na: 1\n# b: 2\nb: 2\n",              # comments
])
def test_top_keys_by_line_scan_refuse_what_they_cannot_read(text):
    _top_keys_agree(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(st.sampled_from(["a: 1", "b: x y", "- z", "  c: 2", "  - 3", "d:", "  e: '4'", "f: >",
                                       "  folded", "g: [1,", "h: 2]", "  # note", "# b: 2", "'m': n", "o: ~",
                                       "p: \"q", "b: r\"", "  b: s", "r: |", "    s", "t: \"u\\n\"", "v: w #c",
                                       ": x", "y:z", "? a", "a", "c: -", "", "  ", "---", "a: {x: 1,", "b: 2}"]),
                  max_size=9))
def test_top_keys_by_line_scan_agree_with_the_yaml_on_any_lines(lines):
    _top_keys_agree("\n".join(lines) + "\n")
    _top_keys_agree("\n".join(lines), 3)
