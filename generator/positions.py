"""YAML nodes → plain data, and the positions of keys and values, recorded only when asked for.

Loading (generator/load.py) makes a plain document's values straight from libyaml's events
(generator/plain_yaml.py, which gives up on anything below); any other document is composed with PyYAML's
C parser here and its nodes converted to plain JSON-like data (dict, list, str, int, float, bool, None;
dates become ISO strings) *without* recording where anything is: most files never need a position, and recording one for every key and value was a
third of the load. A finding that needs one asks its `Source` (or the model's `Origin`), whose
`PositionIndex` composes the same text again the first time and records, for every path into the data,
where its key and its value sit. The conversion is the same code both times, so a path's position is
exactly what it would have been had it been recorded while loading.

What loading still checks on the nodes, where they are at hand: repeated keys (YAML would silently keep
the last one), keys that are not scalars, aliases to their own parent, alias floods and deep nesting.
"""
from __future__ import annotations

import datetime as dt
import re

import yaml

from .registry import finding

try:  # the C parser is several times faster; fall back silently where libyaml is absent
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover - depends on the platform's PyYAML build
    from yaml import SafeLoader as Loader

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_constructor = yaml.constructor.SafeConstructor()

MAX_DEPTH = 50          # records nest about 8 deep; far deeper is a mistake (and would exhaust the stack)
MAX_ALIAS_VALUES = 10_000   # values copied by aliases: a few small anchors are fine, a "billion laughs" is not


def scalar_value(node):
    """The value of a scalar node whose tag is not str (a date, number, bool, null ...), as loading keeps it."""
    try:
        value = _constructor.construct_object(node)
    except (ValueError, yaml.constructor.ConstructorError, OverflowError):
        return node.value  # e.g. 2026-02-30: keep the text; the schema's date format flags it
    finally:   # the constructor remembers every node it made; these are made once: forget them
        _constructor.constructed_objects.pop(node, None)
        _constructor.recursive_objects.pop(node, None)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return node.value
    return value


class Unreadable(Exception):
    """The document's shape cannot be turned into data: reported once, as yaml-syntax, at `pos`."""

    def __init__(self, pos, message):
        super().__init__(message)
        self.pos, self.message = pos, message


class Converter:
    """Walks a composed node tree into plain data, reporting duplicate keys; with `key_pos` and
    `value_pos` dicts it also records every path's position in them."""

    def __init__(self, file: str, sid: str, line_offset: int, diagnostics: list,
                 key_pos: dict | None = None, value_pos: dict | None = None):
        self.file, self.sid = file, sid
        self.offset = line_offset
        self.diagnostics = diagnostics
        self.key_pos, self.value_pos = key_pos, value_pos
        self.open: set = set()      # nodes being converted: meeting one again is an alias to its own parent
        self.seen: set = set()      # nodes converted once: meeting one again is an alias
        self.aliased = 0

    def mark(self, node) -> tuple[int, int]:
        return (node.start_mark.line + 1 + self.offset, node.start_mark.column + 1)

    def convert(self, node, path=()):
        if self.value_pos is not None:
            self.value_pos[path] = self.mark(node)
        if isinstance(node, yaml.ScalarNode):
            self.aliased += id(node) in self.seen
            self.seen.add(id(node))
            return self._scalar(node)
        if id(node) in self.open:
            raise Unreadable(self.mark(node), "an alias (*name) refers to the value that contains it")
        if len(path) >= MAX_DEPTH:
            raise Unreadable(self.mark(node), f"values are nested more than {MAX_DEPTH} levels deep")
        if id(node) in self.seen:
            self.aliased += 1
        if self.aliased > MAX_ALIAS_VALUES:
            raise Unreadable(self.mark(node), f"aliases (*name) copy more than {MAX_ALIAS_VALUES:,} values")
        self.seen.add(id(node))
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            return [self.convert(item, path + (i,)) for i, item in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def _scalar(self, node):
        if node.tag == _STR:   # most values: no need for the constructor
            return node.value
        return scalar_value(node)

    def _mapping(self, node, path):
        out: dict = {}
        for key_node, value_node in self._pairs(node):
            if not isinstance(key_node, yaml.ScalarNode):
                raise Unreadable(self.mark(key_node), "a key must be a single word or phrase, not a list or mapping")
            key = key_node.value   # as written: 'yes' stays 'yes', '1' stays '1' (keys are names, never values)
            child = path + (key,)
            if key in out:
                # the first of equal keys is always one written in the mapping itself (merged keys never
                # repeat one), so it is found among the mapping's own
                first = next(k for k, _ in node.value if isinstance(k, yaml.ScalarNode) and k.value == key)
                self.diagnostics.append(finding(
                    "duplicate-key", self.file, self.mark(key_node),
                    f"key '{key}' appears twice in this mapping (first at line {self.mark(first)[0]}); "
                    "YAML would silently keep only the last one",
                    subject=self.sid))
                continue
            if self.key_pos is not None:
                self.key_pos[child] = self.mark(key_node)
            out[key] = self.convert(value_node, child)
        return out

    def _pairs(self, node, merging=()):
        """Key/value node pairs, with YAML merge keys (`<<: *anchor`) expanded as YAML defines them: a key
        written in the mapping itself overrides a merged one, and an earlier merged mapping a later one."""
        own = [(k, v) for k, v in node.value if k.tag != _MERGE]
        taken = {k.value for k, _ in own if isinstance(k, yaml.ScalarNode)}
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE:
                yield key_node, value_node
                continue
            sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            for src in sources:
                if not isinstance(src, yaml.MappingNode):
                    raise Unreadable(self.mark(src), "a merge key (<<) must name a mapping, e.g. <<: *defaults")
                if id(src) in merging or src is node:
                    raise Unreadable(self.mark(src), "a merge key (<<) merges the mapping that contains it")
                for k, v in self._pairs(src, merging + (id(node),)):
                    if isinstance(k, yaml.ScalarNode) and k.value not in taken:
                        taken.add(k.value)
                        yield k, v


class PositionIndex:
    """The positions of one YAML text's keys and values, by path, found the first time they are asked for.
    `text` is a document that loaded without error ("" for none: then there are no positions); `keys`, for
    a document loaded as plain (generator/plain_yaml.py), the number of its top-level keys, else -1."""

    __slots__ = ("text", "offset", "keys", "_key_pos", "_value_pos", "_top")

    def __init__(self, text: str = "", offset: int = 0, keys: int = -1):
        self.text, self.offset, self.keys = text, offset, keys
        self._key_pos = self._value_pos = self._top = None

    @property
    def built(self) -> bool:
        return self._key_pos is not None

    @property
    def key_pos(self) -> dict:
        if self._key_pos is None:
            self._build()
        return self._key_pos

    @property
    def value_pos(self) -> dict:
        if self._value_pos is None:
            self._build()
        return self._value_pos

    def top_key(self, key) -> tuple[int, int] | None:
        """`key_pos[(key,)]` read from the text line by line, or None when a line scan cannot say it exactly
        (then ask `key_pos`). The contact rules ask one top-level key's place for each of thousands of
        contacts; parsing each file again for it was most of analyse at 10,000 entries."""
        if self._top is None:
            self._top = _top_keys(self.text, self.offset, self.keys) or {}
        return self._top.get(key)

    def _build(self) -> None:
        key_pos: dict = {}
        value_pos: dict = {}
        if self.text and plain_yaml.load(self.text, self.offset, key_pos, value_pos) is None:
            try:
                node = yaml.compose(self.text, Loader=Loader)
                if node is not None:
                    Converter("", "", self.offset, [], key_pos, value_pos).convert(node)
            except (yaml.YAMLError, Unreadable, RecursionError, ValueError):
                key_pos.clear()   # cannot happen for a text that loaded; positions then fall back to (1, 1)
                value_pos.clear()
        self._key_pos, self._value_pos = key_pos, value_pos


_TOP_KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.-]*):(?:[ \t]|$)")   # a plain key at column 1: ours are all so
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")   # line breaks to libyaml besides \n


def _top_keys(text: str, offset: int, count: int) -> dict | None:
    """{key: (line, col)} of the top-level keys of a plain document (`count` of them), read by a line scan,
    or None when the scan cannot be sure. Sure means: the first line holding anything but a comment starts
    with a plain key at column 1, so the document is a block mapping indented 0 and every one of its keys
    starts a line at column 1; and exactly `count` lines start with something at column 1 (not a space,
    a tab, # or a sequence's `- `), each a plain key. Then those lines are the keys' lines, one each: a line that only looks
    like a key (inside a quoted scalar or a flow collection, which may run on at column 1) would make
    one line too many. Only \n breaks lines (libyaml counts \r, NEL, LS and PS too)."""
    if count < 1 or not text or any(b in text for b in _OTHER_BREAKS):
        return None
    found: dict = {}
    for i, line in enumerate(text.split("\n")):
        if not line or line[0] in " \t#" or line[0] == "-" and line[1:2] in ("", " ", "\t"):
            if not found and line.strip() and not line.lstrip(" \t").startswith("#"):
                return None   # something before the first key that is not a comment: not ours to read
            continue   # a sequence's item at column 1 (`goals:` then `- a`) is no key: a key cannot start so
        m = _TOP_KEY.match(line)
        if m is None or m.group(1) in found or len(found) == count:
            return None
        found[m.group(1)] = (i + 1 + offset, 1)
    return found if len(found) == count else None


from . import plain_yaml   # noqa: E402 - it builds on this module's scalar_value
