"""Renders the field reference of docs/records.md from the JSON Schemas, so docs and schemas cannot drift.

    python -m generator.schemadoc          # rewrite the generated region of docs/records.md
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


def _rows(props: dict, required, prefix=""):
    for name, prop in props.items():
        key = f"{prefix}{name}"
        req = " (required)" if name in required else ""
        desc = prop.get("description", "").replace("\n", " ").replace("|", "\\|")
        yield f"| `{key}`{req} | {_type(prop)} | {desc} |"
        inner = prop.get("items", prop) if prop.get("type") == "array" else prop
        if isinstance(inner, dict) and "properties" in inner:
            sep = "[]." if prop.get("type") == "array" else "."
            yield from _rows(inner["properties"], inner.get("required", []), key + sep)


def render() -> str:
    out = []
    for kind, where in KINDS:
        s = schema(kind)
        out += [f"### {s['title']} — `{where}`", "", s["description"], "",
                f"Schema: `generator/schemas/{kind}.schema.json` (`$id` {s['$id']})", "",
                "| field | type | what it holds |", "|---|---|---|", *_rows(s["properties"], s.get("required", [])), ""]
    return "\n".join(out)


def rewrite(path: Path) -> bool:
    text = path.read_text("utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{render()}{END}{tail}"
    changed = new != text
    path.write_text(new, "utf-8")
    return changed


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/records.md")
    print(f"{target}: {'updated' if rewrite(target) else 'up to date'}")
