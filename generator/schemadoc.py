"""Renders the field references from the JSON Schemas, so docs and schemas cannot drift: the records'
in docs/records.md, and portfolio.json's (the interchange format) in docs/interchange.md.

    python -m generator.schemadoc          # rewrite the generated regions of both
"""
from __future__ import annotations

import sys
from pathlib import Path

from .validate import schema

START, END = "<!-- fields:start -->", "<!-- fields:end -->"
KINDS = [("portfolio", "portfolio.yaml"), ("contact", "contacts/<id>.yaml"),
         ("entry", "entries/<id>.md front matter"), ("framework", "criteria/<id>.yaml"),
         ("assessment", "assessments/<id>.yaml"), ("iqa", "iqa/<id>.yaml")]


def _type(prop: dict) -> str:
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    if "const" in prop:
        return f"`{prop['const']}`"
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    if "anyOf" in prop:
        return " or ".join(_type(p) for p in prop["anyOf"])
    t = prop.get("type", "")
    if t == "array":
        return f"list of {_type(prop.get('items', {}))}"
    if t == "string" and prop.get("format") == "date":
        return "date"
    if t == "object" and "properties" in prop:
        return "mapping"
    return t if isinstance(t, str) else " or ".join(t)


def _rows(props: dict, required, prefix="", defs=None):
    for name, prop in props.items():
        key = f"{prefix}{name}"
        req = " (required)" if name in required else ""
        desc = (prop.get("description") or _deref(prop, defs).get("description", "")).replace("\n", " ")
        yield f"| `{key}`{req} | {_type(prop)} | {desc.replace('|', chr(92) + '|')} |"
        array = prop.get("type") == "array"
        inner = _deref(prop.get("items", {}) if array else prop, defs)
        if "properties" not in inner:   # an object or null: describe the object
            inner = next((_deref(b, defs) for b in inner.get("anyOf", []) if "properties" in _deref(b, defs)), inner)
        if "properties" in inner:
            yield from _rows(inner["properties"], inner.get("required", []), key + ("[]." if array else "."), defs)


def _deref(prop: dict, defs) -> dict:
    """A property's own schema, or the definition its $ref names (within the same schema)."""
    ref = prop.get("$ref", "") if isinstance(prop, dict) else ""
    return defs.get(ref.rsplit("/", 1)[-1], prop) if defs and ref.startswith("#/$defs/") else prop


def render() -> str:
    out = []
    for kind, where in KINDS:
        s = schema(kind)
        out += [f"### {s['title']} — `{where}`", "", s["description"], "",
                f"Schema: `generator/schemas/{kind}.schema.json` (`$id` {s['$id']})", "",
                "| field | type | what it holds |", "|---|---|---|", *_rows(s["properties"], s.get("required", [])), ""]
    return "\n".join(out)


def render_interchange() -> str:
    """portfolio.json's members, every level, from generator/schemas/portfolio-site.schema.json."""
    s = schema("portfolio-site")
    defs = s.get("$defs", {})
    out = [f"Schema: `generator/schemas/portfolio-site.schema.json` (`$id` {s['$id']})", "",
           "| member | type | what it holds |", "|---|---|---|",
           *_rows(s["properties"], s.get("required", []), defs=defs), "",
           "Named types (`$defs`):", "", "| type | what it is |", "|---|---|",
           *(f"| `{name}` | {d.get('description', '')} |" for name, d in defs.items()), ""]
    return "\n".join(out)


def rewrite(path: Path, render=render) -> bool:
    text = path.read_text("utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{render()}{END}{tail}"
    changed = new != text
    path.write_text(new, "utf-8")
    return changed


if __name__ == "__main__":
    targets = [(Path("docs/records.md"), render), (Path("docs/interchange.md"), render_interchange)]
    if len(sys.argv) > 1:
        targets = [(Path(sys.argv[1]), render)]
    for target, renderer in targets:
        print(f"{target}: {'updated' if rewrite(target, renderer) else 'up to date'}")
