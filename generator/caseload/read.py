"""Reading learners' portfolio.json files for the caseload: only their head, each validated.

A portfolio.json of a full portfolio is hundreds of kilobytes, but a caseload needs only its head
(`$schema`, `format`, `version`, `as_of`, `learner`, `overview`: docs/interchange.md), which the
generator writes first. So the file is decoded one top-level member at a time with the standard
library's own JSON decoder (`raw_decode`) and reading stops after `overview`: a thousand learners
are read in well under a second. The members read are validated against the schema's own
definitions of them; the rest of the file is not parsed (a reader that needs it reads it whole).

An input is a site folder (holding portfolio.json), a portfolio.json file (any name ending .json), a
`portfolio export` archive (.zip: its top-level portfolio.json), or a folder of those: each
subfolder holding portfolio.json, and each .json and .zip file directly inside it, in name order.
Whatever cannot be read is a `Skipped` with one line saying why; nothing here raises for bad input.
"""
from __future__ import annotations

import codecs
import copy
import json
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import fastjsonschema
from jsonschema import Draft202012Validator

from ..render.outputs import FORMAT, SCHEMA, VERSION
from ..validate import _is_date, schema

HEAD = ("$schema", "format", "version", "as_of", "learner", "overview")
MAJOR, MINOR = (int(x) for x in VERSION.split("."))
_VERSION = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
CHUNK = 1 << 16


@dataclass(frozen=True)
class Input:
    label: str          # how the input is named to the user: the path given, or path!member for an archive
    head: dict          # the head members, validated


@dataclass(frozen=True)
class Skipped:
    label: str
    why: str

    def line(self) -> str:
        return f"{self.label}: skipped: {self.why}"


class _Bad(Exception):
    """The input cannot be used; the message says why, in a user's words."""


def locate(paths: list[Path]) -> list[tuple[str, object]]:
    """(label, path or (archive, member)) for every input the paths name, in the order given."""
    found = []
    for p in paths:
        p = Path(p)
        if p.is_dir() and not (p / "portfolio.json").is_file():
            try:
                children = sorted(p.iterdir(), key=lambda c: c.name)
            except OSError as exc:
                found.append((str(p), exc))
                continue
            inner = [c for c in children if (c.is_dir() and (c / "portfolio.json").is_file())
                     or (c.is_file() and c.suffix.lower() in (".json", ".zip"))]
            if not inner:
                found.append((str(p), _Bad("a folder with no portfolio.json, and no site folders, .json or .zip "
                                           "files in it")))
            found += [_one(c) for c in inner]
        else:
            found.append(_one(p))
    return found


def _one(p: Path):
    if p.is_dir():
        return (str(p / "portfolio.json"), p / "portfolio.json")
    return (str(p), p)


def read_all(paths: list[Path]) -> tuple[list[Input], list[Skipped]]:
    good, skipped = [], []
    for label, where in locate(paths):
        if isinstance(where, Exception):
            why = where.strerror if isinstance(where, OSError) and where.strerror else str(where)
            skipped.append(Skipped(label, why))
            continue
        try:
            good.append(Input(label, read_one(where)))
        except _Bad as exc:
            skipped.append(Skipped(label, str(exc)))
    return good, skipped


def read_one(path: Path) -> dict:
    """The validated head of one portfolio.json (a file, or an export archive); raises _Bad."""
    try:
        if path.suffix.lower() == ".zip":
            return _from_archive(path)
        if not path.exists():
            raise _Bad("no such file or folder")
        with open(path, "rb") as f:
            return check(head(f))
    except OSError as exc:
        raise _Bad(f"cannot read it: {exc.strerror or exc}") from None


def _from_archive(path: Path) -> dict:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            member = next((n for n in ("portfolio.json", "site/portfolio.json") if n in names), None)
            if member is None:
                raise _Bad("an archive without portfolio.json (not a `portfolio export` archive)")
            with zf.open(member) as f:
                return check(head(f))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise _Bad(f"not a readable zip archive ({exc})") from None


def head(stream, stop: str = "overview") -> dict:
    """The head members of the JSON object in `stream` (bytes), reading up to and including `stop`."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    text, eof = "", False

    def more() -> None:
        nonlocal text, eof
        data = stream.read(CHUNK)
        try:
            text += decoder.decode(data, final=not data)
        except UnicodeDecodeError:
            raise _Bad("not UTF-8 text") from None
        eof = not data

    more()
    if text.startswith("\ufeff"):
        text = text[1:]
    pos = _WS.match(text).end()
    while pos >= len(text) and not eof:
        more()
        pos = _WS.match(text, pos).end()
    if text[pos:pos + 1] != "{":
        raise _Bad("not a JSON object" if text.strip() else "an empty file")
    pos += 1
    out: dict = {}
    seen = 0
    while True:
        try:
            key, value, end = _member(text, pos, eof, first=not seen)
        except _Short:
            if eof:
                raise _Bad(f"not valid JSON: it ends early (after {seen} members)") from None
            more()
            continue
        if key is None:              # the object closed
            return out
        seen += 1
        if key in HEAD:
            out[key] = value
        pos = end
        if key == stop:
            return out


class _Short(Exception):
    """More text is needed to decide."""


def _member(text: str, pos: int, eof: bool, first: bool):
    """(key, value, position after it) of the member at `pos`, or (None, None, pos) at the object's end."""
    pos = _WS.match(text, pos).end()
    if pos >= len(text):
        raise _Short
    if text[pos] == "}":
        return None, None, pos + 1
    if not first:
        if text[pos] != ",":
            raise _Bad(f"not valid JSON: expected ',' or '}}' at character {pos}")
        pos = _WS.match(text, pos + 1).end()
    try:
        key, pos = _DECODER.raw_decode(text, pos)
        pos = _WS.match(text, pos).end()
        if pos >= len(text):
            raise _Short
        if not isinstance(key, str) or text[pos] != ":":
            raise _Bad(f"not valid JSON: expected a member name at character {pos}")
        value, end = _DECODER.raw_decode(text, _WS.match(text, pos + 1).end())
    except json.JSONDecodeError as exc:
        if not eof:   # perhaps only cut off where this chunk ends: read on, and decide at the end
            raise _Short from None
        if exc.msg.startswith("Unterminated") or exc.pos >= len(text.rstrip()):
            raise _Bad("not valid JSON: it ends early (cut off?)") from None
        raise _Bad(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    # a number at the very end of what was read may go on in the next chunk
    if end >= len(text) and not eof:
        raise _Short
    return key, value, end


def check(doc: dict) -> dict:
    """Identify the format and version, then validate the head; raises _Bad saying why not."""
    if doc.get("format") != FORMAT:
        if doc.get("$schema") == SCHEMA and "format" not in doc:
            raise _Bad("published before portfolio.json was versioned: rebuild the learner's site with a current "
                       "generator")
        named = doc.get("$schema") or doc.get("format")
        raise _Bad("not a learner's portfolio.json" + (f" (it names {str(named)[:80]!r})" if named else
                                                       " (no format 'portfolio-site')"))
    version = doc.get("version")
    match = _VERSION.fullmatch(version) if isinstance(version, str) else None
    if match is None:
        raise _Bad(f"its version {version!r} is not MAJOR.MINOR")
    major, minor = int(match[1]), int(match[2])
    if major > MAJOR:
        raise _Bad(f"format version {version} is newer than this generator reads ({MAJOR}.x): upgrade the generator")
    if major < MAJOR:
        raise _Bad(f"format version {version} is older than this generator reads ({MAJOR}.x): rebuild the site")
    if _fast(minor > MINOR)(doc):
        return doc
    errors = sorted(_validator(minor > MINOR).iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        e = errors[0]
        where = "/".join(map(str, e.absolute_path)) or "(top)"
        raise _Bad(f"does not match the portfolio.json {MAJOR}.{MINOR} schema at {where}: {e.message[:160]}")
    return doc


@lru_cache(maxsize=2)
def _head_schema(newer_minor: bool) -> dict:
    """The schema's own definitions of the head members. For a newer minor version, unknown members are
    let through (a minor version only adds: docs/interchange.md)."""
    full = schema("portfolio-site")
    # the definitions a member names by $ref are written in place: the same schema, and a compiled
    # validator then makes no call (and formats no error path) per reference
    sub = {"$schema": full["$schema"], "type": "object", "required": list(HEAD),
           "properties": {k: _inline(full["properties"][k], full["$defs"]) for k in HEAD}}
    if newer_minor:
        sub = _open(copy.deepcopy(sub))
        sub["properties"]["version"] = {"type": "string"}
    return sub


@lru_cache(maxsize=2)
def _validator(newer_minor: bool) -> Draft202012Validator:
    """jsonschema: the reference, whose errors say what is wrong (used for the files _fast rejects)."""
    return Draft202012Validator(_head_schema(newer_minor), format_checker=Draft202012Validator.FORMAT_CHECKER)


@lru_cache(maxsize=2)
def _fast(newer_minor: bool):
    """A compiled validator (fastjsonschema, as validate.fast_validator does for the records: the head's
    schema uses only keywords that mean the same in draft-07), about a hundred times faster: a thousand
    learners are validated in a fraction of a second. A file it rejects is validated again by jsonschema,
    which says why; tests/test_caseload.py checks that the two agree."""
    compiled = fastjsonschema.compile(dict(_head_schema(newer_minor), **{"$schema": "http://json-schema.org/draft-07/schema#"}),
                                      formats={"date": _is_date})

    def valid(doc) -> bool:
        try:
            compiled(doc)
        except fastjsonschema.JsonSchemaException:
            return False
        return True
    return valid


def _inline(node, defs: dict):
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/"):
            target = defs[ref[len("#/$defs/"):]]
            return _inline({**target, **{k: v for k, v in node.items() if k != "$ref"}}, defs)
        return {k: _inline(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def _open(node):
    if isinstance(node, dict):
        if node.get("additionalProperties") is False:
            del node["additionalProperties"]
        for v in node.values():
            _open(v)
    elif isinstance(node, list):
        for v in node:
            _open(v)
    return node
