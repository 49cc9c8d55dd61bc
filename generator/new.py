"""`portfolio new entry|contact`: a new record file from a template, ready to fill in.

Every field of the record's schema is in the file, each with the schema's own description as
its comment (so the template cannot drift from the schema): fields that may be empty are
present and empty; fields that must not be empty are written commented out, with an example.
A `# yaml-language-server: $schema=...` line makes editors validate and autocomplete.
An existing file is never overwritten.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from pathlib import Path

from . import evidence_refs
from .validate import schema

# field -> (YAML value written when the field is active, or None to write it commented out; example when commented)
ENTRY_FIELDS = {
    "ref": ("{ref}", None),
    "title": ("{title}", None),
    "date": ("{date}", None),
    "kind": ("meeting", None),
    "methods": ("[]", None),
    "contacts": ("[]", None),
    "networks": ("[]", None),
    "goals": ("[]", None),
    "criteria": ("[]", None),
    "evidence_type": (None, "reflective-account"),
    "discussion": ("[]", None),
    "actions": ("[]", None),
    "value": (None, "{{given: What you offered., received: What you got.}}"),
    "attachments": ("[]", None),
    "reflection": (None, "gibbs"),
    "witness": (None, "{{contact: contact-id, confirmed: how the statement was confirmed}}"),
}
CONTACT_FIELDS = {
    "name": ("{title}", None),
    "role": (None, "Head of Talent"),
    "organisation": (None, "Northgate Logistics"),
    "networks": ("[]", None),
    "relationship": (None, "external"),
    "strength": (None, "moderate"),
    "status": ("potential", None),
    "met": ("{{date: {date}, how: ''}}", None),
    "why": (None, "why this person matters for your objectives"),
    "goals": ("[]", None),
    "introduced_by": (None, "contact-id"),
    "channels": (None, "{{email: name@example.com}}"),
    "consent": (None, "{{basis: consent, recorded: {date}, privacy_notice: {date}, publish: false}}"),
    "reviews": ("[]", None),
    "notes": (None, "Anything else, in Markdown."),
}
KINDS = {"entry": ("entries", ".md", ENTRY_FIELDS), "contact": ("contacts", ".yaml", CONTACT_FIELDS)}


class Exists(FileExistsError):
    pass


class BadLedger(ValueError):
    pass


def slug(text: str) -> str:
    """'Café catch-up with Priya!' -> 'cafe-catch-up-with-priya'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "untitled"


def _schema_ref(source: Path, target: Path, kind: str) -> str:
    """The schema's path relative to the new file: the repository's copy when there is one."""
    local = source / "generator" / "schemas" / f"{kind}.schema.json"
    shipped = Path(__file__).resolve().parent / "schemas" / f"{kind}.schema.json"
    path = local if local.is_file() else shipped
    try:
        return Path(os.path.relpath(path.resolve(), target.parent.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return path.resolve().as_uri()


def _yaml_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def render(kind: str, title: str, day: dt.date, schema_ref: str, ref: str = "") -> str:
    _, _, fields = KINDS[kind]
    props = schema(kind)["properties"]
    required = set(schema(kind).get("required", []))
    lines = [f"# yaml-language-server: $schema={schema_ref}"]
    for name, prop in props.items():
        active, example = fields.get(name, (None, "..."))
        comment = prop.get("description", "").replace("\n", " ")
        if "enum" in prop:
            comment += " One of: " + ", ".join(prop["enum"]) + "."
        elif prop.get("type") == "array" and "enum" in prop.get("items", {}):
            comment += " Any of: " + ", ".join(prop["items"]["enum"]) + "."
        if name in required:
            comment += " Required."
        lines.append(f"# {comment}")
        if active is not None:
            value = active.format(title=_yaml_str(title), date=day.isoformat(), ref=ref)
            lines.append(f"{name}: {value}")
        else:
            lines.append(f"# {name}: {example.format(date=day.isoformat())}")
    text = "\n".join(lines) + "\n"
    if kind == "entry":
        return ("---\n" + text + "---\n"
                "What happened, who was there, and what you discussed.\n\n"
                "## Reflection\n\nWhat went well, what you would do differently, and what you will do next.\n")
    return text


def create(source: Path, kind: str, title: str, day: dt.date | None = None) -> Path:
    """Write the new file and return its path; raise `Exists` rather than overwrite."""
    day = day or dt.date.today()
    folder, suffix, _ = KINDS[kind]
    name = (f"{day.isoformat()}-{slug(title)}" if kind == "entry" else slug(title)) + suffix
    target = Path(source) / folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    ref = 0
    if kind == "entry":
        # the next evidence reference, never one issued before (evidence_refs.py); recorded as issued only
        # once the file is written
        ledger = evidence_refs.read_ledger(source)
        if ledger.problem:
            raise BadLedger(f"{ledger.problem}: restore it from version control (a reference could be reused)")
        ref = max([ledger.last] + evidence_refs.scan_folder(source)) + 1
    text = render(kind, title, day, _schema_ref(Path(source), target, kind), evidence_refs.fmt(ref) if ref else "")
    try:
        with open(target, "x", encoding="utf-8") as f:   # "x": never overwrite, even in a race
            f.write(text)
    except FileExistsError:
        raise Exists(f"{target} already exists: choose another title, or edit that file") from None
    if ref:
        evidence_refs.write_ledger(source, ref)
    return target
