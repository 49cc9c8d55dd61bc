"""Read a built site back: a small DOM over html.parser, and the facts the pages state.

The readers look for what a person reading the page would (a table's cells, a status word, a link to an
entry, a date) rather than for one template's exact markup, so they survive cosmetic changes and still
fail when a page says something the records do not.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html.parser import HTMLParser
from pathlib import Path

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    __slots__ = ("tag", "attrs", "children", "parent")

    def __init__(self, tag, attrs=None, parent=None):
        self.tag, self.attrs, self.children, self.parent = tag, dict(attrs or {}), [], parent

    def iter(self, tag=None):
        for child in self.children:
            if isinstance(child, Node):
                if tag is None or child.tag == tag:
                    yield child
                yield from child.iter(tag)

    def find(self, tag, **attrs):
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def find_all(self, tag, **attrs) -> list:
        return [n for n in self.iter(tag) if all(has(n, k.rstrip("_"), v) for k, v in attrs.items())]

    @property
    def text(self) -> str:
        parts = []
        for child in self.children:
            parts.append(child.text if isinstance(child, Node) else child)
        return "".join(parts)

    def words(self) -> str:
        """The text as a reader hears it: whitespace collapsed."""
        return " ".join(self.text.split())

    def classes(self) -> set:
        return set((self.attrs.get("class") or "").split())

    def links(self) -> list[str]:
        return [a.attrs.get("href", "") for a in self.iter("a")]

    def dates(self) -> list[dt.date]:
        return [dt.date.fromisoformat(t.attrs["datetime"][:10]) for t in self.iter("time") if t.attrs.get("datetime")]

    def following(self):
        """The element siblings after this one."""
        sibs = [c for c in self.parent.children if isinstance(c, Node)]
        return sibs[sibs.index(self) + 1:]


def has(node, key, value) -> bool:
    if key == "class":
        return value in node.classes()
    return node.attrs.get(key) == value


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.cur = Node("#document")

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(path: Path) -> Node:
    b = _Builder()
    b.feed(Path(path).read_text(encoding="utf-8"))
    b.close()
    return b.root


def main(doc: Node) -> Node:
    return doc.find("main") or doc


# -- what a link points at -----------------------------------------------------------------------
ENTRY_LINK = re.compile(r"(?:^|/)entries/([^/#]+)\.html(?:#.*)?$")


def entry_ids(node: Node) -> list[str]:
    """The entries a piece of page links to, by their published id (the file name of the entry page)."""
    return [m.group(1) for href in node.links() if (m := ENTRY_LINK.search(href))]


def status_words(node: Node) -> list[str]:
    """The status labels (✔ Met / ✘ Gap ...) in a piece of page, as words."""
    return [s.words().lstrip("✔✘⚠○ ").strip() for s in node.find_all("span", class_="status")]


def is_met(text: str) -> bool:
    """A status as a reader takes it: 'Met', 'met', 'yes', 'Met by the records' are met; 'Gap', 'Not met',
    'Not yet met ...', 'no' are not."""
    t = text.strip().lower()
    if re.match(r"(not|gap|no\b|✘)", t):
        return False
    if re.match(r"(met|yes|evidenced|✔|all met)", t):
        return True
    raise AssertionError(f"cannot read a status from {text!r}")


COUNT = re.compile(r"(\d+) of (\d+)")


def counts(text: str) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in COUNT.findall(text)]


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))


def dl(node: Node) -> dict[str, Node]:
    """A definition list's terms and their (first) definitions."""
    out, term = {}, None
    for child in node.children:
        if isinstance(child, Node) and child.tag == "dt":
            term = child.words()
        elif isinstance(child, Node) and child.tag == "dd" and term is not None:
            out.setdefault(term, child)
    return out


def meta(doc: Node) -> dict[str, Node]:
    """Every definition list of the page, merged (the first definition of a term wins)."""
    out = {}
    for d in main(doc).iter("dl"):
        for k, v in dl(d).items():
            out.setdefault(k, v)
    return out


def heading_sections(doc: Node, tag: str = "h2") -> dict[str, list[Node]]:
    """Heading text -> the elements after it up to the next heading of that level."""
    out: dict[str, list[Node]] = {}
    current = None
    body = main(doc)
    for node in body.iter():
        if node.tag == tag:
            current = out.setdefault(node.words(), [])
            # the content lives in the heading's siblings
            for sib in node.following():
                if sib.tag == tag:
                    break
                current.append(sib)
    return out
