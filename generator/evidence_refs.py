"""Evidence references: every entry's stable name (E001, E002 ...) in every output.

The reference is pinned in the entry's own front matter (`ref: E012`), so it survives edits and renames
and is read from the records alone. Numbers are never reused: `evidence-refs.yaml` at the portfolio's root
(commit it with the records) records the last number issued, so a deleted entry's number is not given to
another. Only `portfolio new entry` and `portfolio check --fix` write either (docs/records.md,
"Evidence references").

An entry without a pinned reference still gets one on the site: the one `check --fix` would pin (the next
numbers after the last issued, in date order), with a `missing-ref` warning until it is pinned.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

LEDGER = "evidence-refs.yaml"
PATTERN = "^E[0-9]{3,}$"
_REF = re.compile(PATTERN)
# a top-level `ref:` line of an entry's front matter (what check --fix and new entry write)
REF_LINE = re.compile(r"^ref:[ \t]*['\"]?(E[0-9]+)['\"]?[ \t]*(#.*)?$")


def number(ref) -> int | None:
    """E012 -> 12; None for anything not a well-formed reference."""
    return int(ref[1:]) if isinstance(ref, str) and _REF.match(ref) else None


def fmt(n: int) -> str:
    return f"E{n:03d}"


class Ledger:
    """What evidence-refs.yaml says: the last number issued (0 when there is no file), or why it cannot be read."""

    def __init__(self, last: int = 0, exists: bool = False, problem: str | None = None):
        self.last, self.exists, self.problem = last, exists, problem


def read_ledger(root) -> Ledger:
    path = Path(root) / LEDGER if root is not None else None
    if path is None or not path.is_file():
        return Ledger()
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return Ledger(exists=True, problem=f"{LEDGER} cannot be read ({exc.__class__.__name__})")
    last = data.get("last_issued") if isinstance(data, dict) else None
    if number(last) is None or set(data) != {"last_issued"}:
        return Ledger(exists=True, problem=f"{LEDGER} should hold one key, last_issued, with a reference "
                                           "such as E012")
    return Ledger(number(last), exists=True)


def write_ledger(root, last: int) -> Path:
    path = Path(root) / LEDGER
    path.write_text("# The last evidence reference issued (portfolio new entry, portfolio check --fix). Keep\n"
                    "# this file: a deleted entry's reference is never given to another. See docs/records.md.\n"
                    f"last_issued: {fmt(last)}\n", "utf-8")
    return path


def assign(pinned: list, unpinned: list, last_issued: int) -> dict:
    """{key: reference} for the `unpinned` keys (already in date order): the next numbers after both the
    last issued and every pinned one, so the result depends on the records alone."""
    start = max([last_issued] + [n for n in map(number, pinned) if n is not None])
    return {key: fmt(start + i) for i, key in enumerate(unpinned, 1)}


def front_matter_end(lines: list[str]) -> int:
    """Index of an entry's closing `---` line (0 when it has no front matter)."""
    if not lines or lines[0].strip() != "---":
        return 0
    for i, line in enumerate(lines[1:], 1):
        if line.strip() == "---":
            return i
    return 0


def without_ref_line(text: str) -> str:
    """The entry's text without its front matter's `ref:` line: the reference is a label, not evidence, so
    pinning one (check --fix) does not make an assessor's decision on the entry stale."""
    if not text.startswith("---"):
        return text
    lines = text.split("\n")
    end = front_matter_end(lines)
    if not end:
        return text
    kept = [line for i, line in enumerate(lines) if not (0 < i < end and REF_LINE.match(line))]
    return "\n".join(kept) if len(kept) != len(lines) else text


def pin(text: str, ref: str) -> str | None:
    """The entry's text with `ref: E012` added to its front matter (after any leading comment lines, such as
    the schema modeline); None when it has no front matter or already has a ref line."""
    lines = text.split("\n")
    end = front_matter_end(lines)
    if not end or any(line.startswith("ref:") for line in lines[1:end]):
        return None
    at = 1
    while at < end and lines[at].startswith("#"):
        at += 1
    lines.insert(at, f"ref: {ref}")
    return "\n".join(lines)


def scan_folder(root) -> list[int]:
    """The reference numbers pinned in entries/*.md, read cheaply (for `new entry`, which runs no check)."""
    found = []
    for path in sorted((Path(root) / "entries").glob("*.md")):
        try:
            lines = path.read_text("utf-8-sig").replace("\r\n", "\n").split("\n")
        except (OSError, UnicodeDecodeError):
            continue
        for line in lines[1:front_matter_end(lines)]:
            m = REF_LINE.match(line)
            if m:
                found.append(int(m.group(1)[1:]))
    return found


def issue_next(root) -> str:
    """The next reference for a new entry, recorded in the ledger as issued. Raises ValueError when the
    ledger cannot be read (a number could be reused)."""
    ledger = read_ledger(root)
    if ledger.problem:
        raise ValueError(ledger.problem + ": restore it from version control")
    n = max([ledger.last] + scan_folder(root)) + 1
    write_ledger(root, n)
    return fmt(n)


def fix(root, model, out) -> int:
    """`check --fix`: pin each unpinned entry's reference (the one the site shows) and bring the ledger up
    to the highest reference issued; print the diff; return the number of files changed. Nothing is
    written while the ledger cannot be read (a number could be reused)."""
    import difflib
    root = Path(root)
    ledger = read_ledger(root)
    if ledger.problem:
        return 0
    # files that failed validation are not in the model, but their pinned numbers are still taken
    pinned = [e.ref for e in model.entries if e.ref_pinned] + [fmt(n) for n in scan_folder(root)]
    unpinned = [e for e in model.entries if not e.ref_pinned]
    given = assign(pinned, unpinned, ledger.last)
    changed = 0
    for e in unpinned:
        path = root / e.source.file
        try:
            before = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        crlf = "\r\n" in before
        after = pin(before.replace("\r\n", "\n"), given[e])
        if after is None:
            continue
        after = after.replace("\n", "\r\n") if crlf else after
        path.write_bytes(after.encode("utf-8"))
        changed += 1
        out.writelines(difflib.unified_diff(before.splitlines(True), after.splitlines(True),
                                            f"a/{e.source.file}", f"b/{e.source.file}"))
    top = max([ledger.last] + [n for n in map(number, pinned + list(given.values())) if n is not None])
    if top > ledger.last or (top and not ledger.exists):
        before = (root / LEDGER).read_text("utf-8") if ledger.exists else ""
        after = write_ledger(root, top).read_text("utf-8")
        changed += 1
        out.writelines(difflib.unified_diff(before.splitlines(True), after.splitlines(True),
                                            f"a/{LEDGER}", f"b/{LEDGER}"))
    return changed
