"""Where each thing lives in the site. Every page and link goes through these, so they cannot drift.

Paths use public ids only: an entry's `slug` (hidden names cut), a contact's `key` (a hash unless
the contact consented to be published), unit and criterion slugs.
"""
from __future__ import annotations

import re


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "x"


def entry(e) -> str:
    return f"entries/{e.slug}.html"


def contact(c) -> str:
    return f"contacts/{c.key}.html"


def unit(u) -> str:
    return f"units/{u.slug}.html"


def criterion(c) -> str:
    return f"units/{c.unit.slug}/{slugify(c.id)}.html"


def criterion_anchor(c) -> str:
    return f"{unit(c.unit)}#c-{slugify(c.id)}"


def network(n) -> str:
    return f"networks.html#network-{n.id}"


def goal(g) -> str:
    return f"plan.html#goal-{g.id}"


def matrix(u) -> str:
    return f"matrix/{u.slug}.html"


def matrix_csv(u) -> str:
    return f"matrix/{u.slug}.csv"


def mahara(fw) -> str:
    """The framework as a Mahara SmartEvidence file (docs/exports.md); Mahara wants the .matrix suffix."""
    return f"downloads/{slugify(fw.id)}.matrix"


def claims_csv() -> str:
    """Every (entry, criterion) claim, one a row (docs/exports.md)."""
    return "matrix/claims.csv"


def diary(dimension: str, value: str) -> str:
    """A diary filter page: the entries of one kind, method, contact or network."""
    return f"diary/{dimension}/{slugify(value)}.html"


def attachment(e, index: int, att, redactor=None) -> str:
    """files/<entry>/<n>-<name>: the file name is slugged and has hidden names cut, like the entry id."""
    name = att.path.rsplit("/", 1)[-1]
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = slugify(stem)
    if redactor is not None:
        stem = redactor.slug(stem)
    return f"files/{e.slug}/{index + 1}-{stem}" + (f".{slugify(ext)}" if ext else "")


def relative(target: str, page: str) -> str:
    """A link from site path `page` to site path `target`: up to the root, then down.

    Site paths are normalised (no '..'), so this needs no file-system call."""
    if target.startswith("#"):
        return target
    depth = page.count("/")
    here, _, anchor = target.partition("#")
    if here == page and anchor:
        return "#" + anchor
    return "../" * depth + target
