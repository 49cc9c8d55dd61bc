"""The fast path of loading (generator/plain_yaml.py) against the composed one (generator/positions.py).

Every document the fast path takes must give exactly the values and positions composing it gives; every
document it gives up on must be loaded by the composed path with the same findings as before. The composed
path is reached here by switching the fast path off, so each test compares the two on the same text."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import load as load_stage
from generator import plain_yaml
from generator.positions import Converter, Loader, PositionIndex

from conftest import FIXTURES

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def composed(text: str, offset: int = 0):
    """Values, key positions and value positions as the composed path makes them."""
    key_pos: dict = {}
    value_pos: dict = {}
    data = Converter("", "", offset, [], key_pos, value_pos).convert(yaml.compose(text, Loader=Loader))
    return data, key_pos, value_pos


def plain(text: str, offset: int = 0):
    key_pos: dict = {}
    value_pos: dict = {}
    data = plain_yaml.load(text, offset, key_pos, value_pos)
    return data, key_pos, value_pos


def record_texts():
    """(name, YAML text, line offset) of every record file in the fixtures."""
    out = []
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix not in (".yaml", ".md") or not path.is_file() or "golden" in path.parts:
            continue
        if path.suffix == ".md" and path.parent.name != "entries":
            continue
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            continue
        offset = 0
        if path.suffix == ".md":
            lines = text.split("\n")
            ends = [i for i in range(1, len(lines)) if lines[0].rstrip() == "---" and lines[i].rstrip() in ("---", "...")]
            if not ends:
                continue
            text, offset = "\n".join(lines[1:ends[0]]), 1
        out.append((str(path.relative_to(FIXTURES)), text, offset))
    return out


def test_every_fixture_record_loads_the_same_either_way():
    taken = 0
    for name, text, offset in record_texts():
        fast = plain(text, offset)
        if fast[0] is None:
            continue
        assert fast == composed(text, offset), name
        taken += 1
    assert taken >= 80   # the fast path is the common one: it took 90 of the 92 records


def test_the_fast_path_loads_the_example(monkeypatch):
    before = dict(plain_yaml.TAKEN)
    found: list = []
    sources = load_stage.load(FIXTURES / "example", found)
    taken = plain_yaml.TAKEN["plain"] - before.get("plain", 0)
    assert taken == len([s for s in sources.all() if s.data is not None]) and taken >= 40
    # and the same Sources and findings come from the composed path alone
    monkeypatch.setattr(plain_yaml, "load", lambda *args, **kw: None)
    slow: list = []
    again = load_stage.load(FIXTURES / "example", slow)
    assert [(s.file, s.data, s.body, s.yaml_text) for s in sources.all()] == \
        [(s.file, s.data, s.body, s.yaml_text) for s in again.all()]
    assert found == slow


SCALARS = ["2026-01-04", "'2026-01-04'", "2026-02-30", "2026-01-04 10:30:00", "2026-01-04T10:30:00Z", "12", "-3",
           "0o17", "017", "0x1F", "1_000", "1:20", "3.5", ".inf", "-.Inf", ".nan", "1e3", "yes", "No", "on",
           "OFF", "true", "False", "null", "~", "", "''", "\"\"", "'yes'", "\"12\"", "=", "<<x", "n", "y",
           "Y", "plain text", "text: with 'quotes'", "\"tab\\tand \\u00e9\"", "|\n  literal\n  block\n",
           ">\n  folded\n  block\n", "0b101", "+12", "- not a list", "Trust #not a comment"]


@pytest.mark.parametrize("scalar", SCALARS)
def test_every_kind_of_scalar_is_the_same_value(scalar):
    for text in (f"k: {scalar}\n", f"k:\n- {scalar}\n- x\n", f"{{k: [a, b], m: {{n: 1}}}}\n"):
        try:
            expected = composed(text)
        except yaml.YAMLError:
            assert plain(text)[0] is None
            continue
        fast = plain(text)
        assert fast[0] is not None, text
        assert fast == expected, text


@pytest.mark.parametrize("key", ["yes", "12", "2026-01-04", "null", "''", "'<<'", "~", "a b"])
def test_keys_stay_as_written(key):
    text = f"{key}: 1\nother: 2\n"
    assert plain(text) == composed(text)


GIVE_UP = {
    "repeated key": "id: a\nname: A\nid: b\n",
    "anchor and alias": "base: &b\n  x: 1\nuse: *b\n",
    "merge key": "base: &b\n  x: 1\nuse:\n  <<: *b\n  y: 2\n",
    "merge key without an anchor": "use:\n  <<: {x: 1}\n  y: 2\n",
    "tag": "k: !!str 12\n",
    "non-specific tag": "k: ! 12\n",
    "custom tag": "k: !python/name:os.system x\n",
    "list as a key": "? [a, b]\n: 1\n",
    "mapping as a key": "? {a: 1}\n: 1\n",
    "deep nesting": "k: " + "[" * 60 + "]" * 60 + "\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "a list at the top": "- a\n- b\n",
    "a single value": "just text\n",
    "empty": "",
    "only a comment": "# nothing\n",
    "syntax error": "a: [1, 2\n",
    "tab indent": "a:\n\tb: 1\n",
    "control character": "a: b\x01c\n",
    "alias flood": "a: &a [1, 2]\nb: &b [*a, *a]\nc: [*b, *b, *b]\n",
}


@pytest.mark.parametrize("name", GIVE_UP)
def test_the_fast_path_gives_up_and_the_composed_path_reports_as_before(name, tmp_path, monkeypatch):
    text = GIVE_UP[name]
    assert plain(text) == (None, {}, {})
    path = tmp_path / "contacts" / "a.yaml"
    path.parent.mkdir()
    path.write_text(text, "utf-8")
    before = plain_yaml.TAKEN["composed"]
    found: list = []
    source = load_stage.load_file(path, tmp_path, "contact", found)
    assert plain_yaml.TAKEN["composed"] == before + bool(text.strip())   # a blank file is never parsed
    monkeypatch.setattr(plain_yaml, "load", lambda *args, **kw: None)
    slow: list = []
    again = load_stage.load_file(path, tmp_path, "contact", slow)
    assert (source.data, found) == (again.data, slow)
    if source.data is not None:
        assert (source.key_pos, source.value_pos) == (again.key_pos, again.value_pos)


def test_positions_of_a_plain_document_come_from_the_fast_path():
    text = "title: T\ndate: 2026-01-04\nactions:\n- do: x\n  due: '2026-02-01'\nvalue:\n  given: g\n"
    before = plain_yaml.TAKEN["plain"]
    index = PositionIndex(text, 1)
    assert index.key_pos[("actions", 0, "due")] == (6, 3)
    assert plain_yaml.TAKEN["plain"] == before + 1
    assert (index.key_pos, index.value_pos) == composed(text, 1)[1:]


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_scalar = st.one_of(_text, st.integers(), st.floats(allow_nan=False), st.booleans(), st.none(), st.dates())
_values = st.recursive(_scalar, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(_text, inner, max_size=4)), max_leaves=12)


@SETTINGS
@given(data=st.dictionaries(_text, _values, max_size=6), flow=st.sampled_from([False, None, True]),
       style=st.sampled_from([None, "'", '"']), width=st.sampled_from([20, 80]))
def test_any_dumped_document_loads_the_same_either_way(data, flow, style, width):
    text = yaml.safe_dump(data, default_flow_style=flow, default_style=style, width=width, allow_unicode=True)
    try:
        expected = composed(text)
    except yaml.YAMLError:
        assert plain(text)[0] is None
        return
    fast = plain(text)
    if fast[0] is not None:
        assert fast == expected, text


@SETTINGS
@given(lines=st.lists(st.sampled_from(["a: 1", "b: x y", "- z", "  c: 2", "  - 3", "d:", "  e: '4'", "f: >",
                                       "  folded", "g: [1, {h: i}]", "  # note", "j: k: l", "'m': n", "o: ~",
                                       "p: 2026-01-04", "  q: yes", "r: |", "    s", "t: \"u\\n\"", "v: w #c",
                                       ": x", "y:z", "? a", "- - b", "c: -", "dup: 1", "dup: 2"]), max_size=8))
def test_any_arrangement_of_lines_loads_the_same_either_way(lines):
    text = "\n".join(lines) + "\n"
    try:
        expected = composed(text)
    except (yaml.YAMLError, Exception):   # noqa: BLE001 - not a document the composed path loads either
        assert plain(text)[0] is None
        return
    fast = plain(text)
    if fast[0] is not None:
        assert fast == expected, text
