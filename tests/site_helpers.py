"""Checks over a built site folder: links and anchors resolve, nothing absolute, HTML well formed."""
from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.links, self.srcs, self.errors, self.stack = set(), [], [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            if a["id"] in self.ids:
                self.errors.append(f"duplicate id {a['id']!r}")
            self.ids.add(a["id"])
        if tag in ("a", "link") and a.get("href") is not None:
            self.links.append((tag, a["href"]))
        if a.get("src") is not None:
            self.srcs.append(a["src"])
        for k in a:
            if k.startswith("on"):
                self.errors.append(f"event handler attribute {k} on <{tag}>")
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        depth = len(self.stack)
        self.handle_starttag(tag, attrs)
        del self.stack[depth:]

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> at {self.getpos()} closes {self.stack[-1] if self.stack else 'nothing'}")
            for i in range(len(self.stack) - 1, -1, -1):
                if self.stack[i][0] == tag:
                    del self.stack[i:]
                    break
            return
        self.stack.pop()


def parse(path: Path) -> Page:
    p = Page()
    p.feed(path.read_text(encoding="utf-8"))
    p.close()
    if p.stack:
        p.errors.append(f"unclosed {p.stack}")
    return p


def html_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


def check_site(root: Path) -> list[str]:
    """Every problem found: broken links or anchors, absolute URLs, malformed HTML."""
    problems: list[str] = []
    parsed = {f.relative_to(root).as_posix(): parse(f) for f in html_files(root)}
    for rel, page in parsed.items():
        problems += [f"{rel}: {e}" for e in page.errors]
        for src in page.srcs:
            if urlsplit(src).scheme or src.startswith("/"):
                problems.append(f"{rel}: absolute src {src}")
        for tag, href in page.links:
            parts = urlsplit(href)
            if parts.scheme in ("http", "https", "mailto") and tag == "a":
                continue   # a learner's link to another site is a link, not a request
            if parts.scheme or href.startswith("/") or parts.netloc:
                problems.append(f"{rel}: absolute href {href}")
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), unquote(parts.path))) \
                if parts.path else rel
            if target.startswith(".."):
                problems.append(f"{rel}: {href} leaves the site")
                continue
            if not (root / target).is_file():
                problems.append(f"{rel}: broken link {href}")
                continue
            if parts.fragment and target.endswith(".html"):
                if parts.fragment not in parsed[target].ids:
                    problems.append(f"{rel}: missing anchor {href}")
    return problems


def all_text(root: Path) -> str:
    """Every output file's text and every file name, for searching leaks."""
    chunks = []
    for f in sorted(root.rglob("*")):
        chunks.append(f.relative_to(root).as_posix())
        if f.is_file():
            chunks.append(f.read_bytes().decode("utf-8", "replace"))
    return "\n".join(chunks)


def contact_secrets(source: Path) -> list[str]:
    """What must never reach the output, read from the records themselves: every contact's channel
    values, and every unpublished contact's full name (as written and accent-folded) and file-name id.

    A channel value that is a bare platform name ("Teams") says nothing about the person and is a
    common word, so only values with a digit, '@', '/', '.' or a space count."""
    import re
    import unicodedata

    import yaml
    secrets = []
    for f in sorted((Path(source) / "contacts").glob("*.yaml")):
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        secrets += [str(v) for v in (data.get("channels") or {}).values() if re.search(r"[\d@/. ]", str(v))]
        if (data.get("consent") or {}).get("publish") is not True:
            name = " ".join(str(data.get("name", "")).split())
            folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
            secrets += [name, folded, f.stem]
    return sorted(set(s for s in secrets if s))


def leaks(root: Path, secrets) -> list[str]:
    """Each (secret, where) found in an output file's path or bytes, case-insensitively."""
    found = []
    lowered = [s.lower() for s in secrets]
    for f in sorted(Path(root).rglob("*")):
        rel = f.relative_to(root).as_posix()
        text = f.read_bytes().decode("utf-8", "replace").lower() if f.is_file() else ""
        for s in lowered:
            if s in rel.lower():
                found.append(f"{s!r} in the path {rel}")
            if s in text:
                found.append(f"{s!r} in {rel}")
    return found
