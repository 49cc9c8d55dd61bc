"""What the site publishes of a contact, field by field: the one declaration that decides it.

`minimise` applies it to the model (so no page, index, print view, JSON or export can hold a
withheld field), the personal-data check scans exactly the fields it publishes, and
docs/privacy.md's table is generated from it (`python -m generator.privacy.fields`).
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

ALWAYS, CONSENT, NEVER = "always", "with consent", "never"


@dataclass(frozen=True)
class Field:
    path: tuple          # where it sits in contacts/<id>.yaml; "*" stands for every item of a list
    policy: str          # ALWAYS, CONSENT (only when consent.publish is true) or NEVER
    shown_as: str        # what the site shows
    ref: bool = False    # ids of other records (checked where those are defined)

    @property
    def key(self) -> str:
        return ".".join("[]" if p == "*" else p for p in self.path).replace(".[]", "[]")


CONTACT_FIELDS = (
    Field(("name",), CONSENT, "the name; without consent, a pseudonym made of initials, unique in the portfolio "
                              "(T.O., T.O. (2), ...)"),
    Field(("role",), ALWAYS, "once, beside the pseudonym, on the contact's own page and line: never spliced "
                             "into sentences"),
    Field(("organisation",), ALWAYS, "as the role"),
    Field(("networks",), ALWAYS, "links to the networks", ref=True),
    Field(("relationship",), ALWAYS, "internal or external"),
    Field(("strength",), ALWAYS, "as recorded"),
    Field(("status",), ALWAYS, "as recorded"),
    Field(("met", "date"), ALWAYS, "the date"),
    Field(("met", "how"), ALWAYS, "the learner's words (checked for personal data)"),
    Field(("why",), ALWAYS, "the learner's justification, which the assessor needs (checked for personal data)"),
    Field(("goals",), ALWAYS, "links to the goals served", ref=True),
    Field(("introduced_by",), ALWAYS, "a link to the introducer, under their published name or pseudonym", ref=True),
    Field(("channels",), NEVER, "nothing: never copied into the model; a last scan of every output file "
                                "aborts the publish if a value is found"),
    Field(("consent", "basis"), ALWAYS, "the lawful basis (evidence of a compliant contact database)"),
    Field(("consent", "recorded"), ALWAYS, "the date"),
    Field(("consent", "privacy_notice"), ALWAYS, "the date"),
    Field(("consent", "publish"), ALWAYS, "whether the name is shown"),
    Field(("consent", "erasure_requested"), NEVER, "nothing: such a contact never reaches the site"),
    Field(("reviews", "*", "date"), ALWAYS, "the date"),
    Field(("reviews", "*", "decision"), ALWAYS, "strengthen, maintain, reduce or end"),
    Field(("reviews", "*", "value"), CONSENT, "the 1–5 rating"),
    Field(("reviews", "*", "activity"), CONSENT, "the 1–5 rating"),
    Field(("reviews", "*", "potential"), CONSENT, "the 1–5 rating"),
    Field(("reviews", "*", "note"), CONSENT, "the private note"),
    Field(("notes",), CONSENT, "the private notes"),
)

# Also always published about every contact, derived rather than recorded: the entries they appear in,
# last interaction and next review date, and the contact's public key (made from the pseudonym unless named).
DERIVED = ("the entries they appear in (links)", "last interaction and next review date",
           "the page address: made from the pseudonym (T.O. (2) -> c-t-o-2) unless the contact consented to be named")


def published(field: Field, consented: bool) -> bool:
    return field.policy == ALWAYS or (field.policy == CONSENT and consented)


def withheld(consented: bool) -> list[Field]:
    return [f for f in CONTACT_FIELDS if not published(f, consented)]


def minimise(contact) -> None:
    """Clear from a model Contact every field its consent does not let the site publish."""
    if contact.published:
        return
    for f in withheld(False):
        if f.path == ("notes",):
            contact.notes = ""
        elif f.path[:2] == ("reviews", "*"):
            for review in contact.reviews:
                setattr(review, f.path[2], "" if f.path[2] == "note" else None)


def walk_published(data: dict, consented: bool):
    """(path, value) of every string a contact record publishes (the personal-data check scans these)."""
    for f in CONTACT_FIELDS:
        if not published(f, consented) or f.path == ("name",) or f.ref:
            continue
        yield from _values(data, f.path, ())


def _values(data, path, done):
    if not path:
        if isinstance(data, str):
            yield done, data
        elif isinstance(data, list):
            for i, v in enumerate(data):
                if isinstance(v, str):
                    yield done + (i,), v
        return
    head, rest = path[0], path[1:]
    if head == "*":
        for i, item in enumerate(data if isinstance(data, list) else []):
            yield from _values(item, rest, done + (i,))
    elif isinstance(data, dict) and head in data:
        yield from _values(data[head], rest, done + (head,))


# -- docs/privacy.md ---------------------------------------------------------------------------
START, END = "<!-- fields:start -->", "<!-- fields:end -->"
DOC = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"


def render() -> str:
    out = ["<!-- generated by `python -m generator.privacy.fields` from generator/privacy/fields.py: "
           "edit that, not this region -->", "",
           "| field of `contacts/<id>.yaml` | published | what the site shows |", "|---|---|---|"]
    for f in CONTACT_FIELDS:
        when = {ALWAYS: "yes", CONSENT: "only with `consent.publish: true`", NEVER: "**never**"}[f.policy]
        out.append(f"| `{f.key}` | {when} | {f.shown_as} |")
    out += ["", "Derived from the records and always published: " + "; ".join(DERIVED) + "."]
    return "\n".join(out) + "\n"


def splice(document: str, region: str) -> str:
    head, rest = document.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{region}{END}{tail}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m generator.privacy.fields",
                                 description="Regenerate docs/privacy.md's table of published contact fields.")
    ap.add_argument("--check", action="store_true", help="exit 1 if docs/privacy.md is out of date")
    args = ap.parse_args(argv)
    current = DOC.read_text("utf-8")
    updated = splice(current, render())
    if args.check:
        if updated != current:
            print(f"{DOC} is out of date: run python -m generator.privacy.fields", file=sys.stderr)
            return 1
        return 0
    if updated != current:
        DOC.write_text(updated, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
