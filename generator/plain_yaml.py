"""A plain YAML document straight from libyaml's events to values: the fast path of loading (issue 14, item 3).

Composing a document (generator/positions.py) makes a Python node object for every key and value, calls the
Python resolver, path resolvers and node constructor for each, and then walks the nodes again to make the
values. A record file almost always is a plain block mapping — no anchor, alias, tag or merge key, no
repeated or non-scalar key, shallow — and for such a document the parser's events hold everything the walk
would read: `load` builds the values from them in one loop, at about two thirds of the cost.

Anything else makes `load` give up (None), and the caller composes the document as before: that path alone
reports repeated keys, refuses non-scalar keys, alias floods, aliases to their own parent and deep nesting,
expands merge keys and gives syntax errors their wording. Giving up is always safe, so this path gives up at
the first sign of any of it, and at any error. For the documents it does take, the values (and, when asked,
the positions) are exactly the ones the composed path makes: the same resolver decides each plain scalar's
type and the same constructor makes its value (`positions.scalar_value`); tests/test_plain_yaml.py holds the
two paths to each other on every record file of the fixtures and on documents made to fall back.
"""
from __future__ import annotations

from collections import Counter

import yaml
from yaml.events import (DocumentEndEvent, DocumentStartEvent, MappingEndEvent, MappingStartEvent, ScalarEvent,
                         SequenceEndEvent, SequenceStartEvent, StreamEndEvent, StreamStartEvent)

from .positions import MAX_DEPTH, Loader, scalar_value

try:   # libyaml's parser on its own; without it there is no fast path (the composed one is used)
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - depends on the platform's PyYAML build
    CParser = None

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"

# Documents this path made values for, and documents it gave up on: tests count the work here
TAKEN: Counter = Counter()


class _GiveUp(Exception):
    pass


def _resolver():
    """The resolver a composed document uses: its `resolve` decides a plain scalar's tag."""
    if CParser is None or Loader.yaml_path_resolvers or None in Loader.yaml_implicit_resolvers:
        return None   # path or first-character-less resolvers: every scalar would need the full resolve
    return Loader("")


_RESOLVER = _resolver()


def load(text: str, offset: int = 0, key_pos: dict | None = None, value_pos: dict | None = None):
    """The document's mapping as plain values, or None when it is not a plain document (then compose it).
    With `key_pos` and `value_pos`, every path's position is recorded in them as positions.Converter does."""
    if _RESOLVER is None:
        return None
    try:
        data = _build(text, offset, key_pos, value_pos)
    except Exception:   # noqa: BLE001 - any trouble at all: the composed path decides and reports it
        data = None
    TAKEN["plain" if data is not None else "composed"] += 1
    if data is None and key_pos is not None:
        key_pos.clear()
        value_pos.clear()
    return data


def _build(text: str, offset: int, key_pos, value_pos):
    implicit_first = Loader.yaml_implicit_resolvers   # the first characters that may make a plain scalar typed
    resolve = _RESOLVER.resolve
    scalar_node = yaml.ScalarNode
    get = CParser(text).get_event
    if type(get()) is not StreamStartEvent or type(get()) is not DocumentStartEvent:
        return None
    event = get()
    if type(event) is not MappingStartEvent or event.anchor is not None or event.tag is not None:
        return None   # an empty document, a list or a single value at the top: the composed path says so
    positions = key_pos is not None
    root: dict = {}
    if positions:
        value_pos[()] = (event.start_mark.line + 1 + offset, event.start_mark.column + 1)
    stack: list = []          # the enclosing (container, key awaiting its value, path) of `current`
    current, key, path = root, None, ()
    while True:
        event = get()
        kind = type(event)
        if kind is ScalarEvent:
            if event.anchor is not None or event.tag is not None:
                return None
            value = event.value
            if key is None and type(current) is dict:   # a key: as written, but `<<` (a merge) and repeats
                if event.implicit[0] and (value == "" or value[0] in implicit_first) \
                        and resolve(scalar_node, value, (True, False)) == _MERGE:
                    return None
                if value in current:
                    return None
                key = value
                if positions:
                    key_pos[path + (key,)] = (event.start_mark.line + 1 + offset, event.start_mark.column + 1)
                continue
            if event.implicit[0] and (value == "" or value[0] in implicit_first):
                tag = resolve(scalar_node, value, (True, False))
                if tag != _STR:
                    value = scalar_value(scalar_node(tag, value, None, None))
            if type(current) is dict:
                if positions:
                    value_pos[path + (key,)] = (event.start_mark.line + 1 + offset, event.start_mark.column + 1)
                current[key] = value
                key = None
            else:
                if positions:
                    value_pos[path + (len(current),)] = (event.start_mark.line + 1 + offset,
                                                         event.start_mark.column + 1)
                current.append(value)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None or event.tag is not None:
                return None
            if type(current) is dict:
                if key is None:
                    return None   # a list or mapping as a key
                child_path = path + (key,)
            else:
                child_path = path + (len(current),)
            if len(child_path) >= MAX_DEPTH:
                return None
            if positions:
                value_pos[child_path] = (event.start_mark.line + 1 + offset, event.start_mark.column + 1)
            stack.append((current, key, path))
            current, key, path = ({} if kind is MappingStartEvent else []), None, child_path
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            if not stack:
                break
            done = current
            current, key, path = stack.pop()
            if type(current) is dict:
                current[key] = done
                key = None
            else:
                current.append(done)
        else:   # an alias (or anything unforeseen)
            return None
    if type(get()) is not DocumentEndEvent or type(get()) is not StreamEndEvent:
        return None   # a second document: the composed path reports it
    return root
