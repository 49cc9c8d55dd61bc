"""`portfolio check --fix`: rewrite each flagged name of a known contact as its `@contact-id` mention.

The only command that writes into the records, and only when asked. Each edit replaces the exact
text the check found at its line and column; a YAML value that would begin with `@` (reserved in
plain YAML) is quoted; a file that would no longer parse is left as it was. The diff is printed.
"""
from __future__ import annotations

import difflib
from collections import defaultdict
from pathlib import Path

import yaml

from .scan import scanner


def _quote_from(line: str, col: int, new: str, old_len: int) -> str | None:
    """`line` with the plain scalar starting at `col` rewritten single-quoted, or None if unsafe."""
    before = line[:col].rstrip()
    rest = line[col + old_len:]
    if "{" in before or "[" in before:
        # in a flow collection a plain value ends at the next `,`, `]` or `}`
        cut = min((i for i in (rest.find(c) for c in ",]}") if i != -1), default=-1)
        if cut == -1 or " #" in rest[:cut]:
            return None
        value = (new + rest[:cut]).rstrip()
        return line[:col] + "'" + value.replace("'", "''") + "'" + rest[cut:]
    if not (before.endswith(":") or before.endswith("-")):
        return None
    if " #" in rest or rest.rstrip().endswith(("'", '"')):
        return None
    value = (new + rest).rstrip()
    return line[:col] + "'" + value.replace("'", "''") + "'"


def _starts_scalar(line: str, col: int) -> bool:
    before = line[:col].rstrip()
    return before.endswith((":", "-", "[", "{", ",")) and line[col:col + 1] not in ("'", '"')


def _parses(path: Path, text: str) -> bool:
    try:
        if path.suffix == ".md":
            if not text.startswith("---"):
                return True
            front = text.split("\n---", 1)[0][3:]
            yaml.safe_load(front)
        elif path.suffix in (".yaml", ".yml"):
            yaml.safe_load(text)
        return True
    except yaml.YAMLError:
        return False


def apply(root: Path, fixes) -> dict[str, tuple[str, str]]:
    """Apply (file, line, col, original, contact id) edits; return {file: (before, after)} of changed files."""
    by_file = defaultdict(set)
    for f in fixes:
        by_file[f[0]].add(f[1:])
    changed = {}
    for rel, edits in sorted(by_file.items()):
        path = Path(root) / rel
        before = path.read_text("utf-8")
        lines = before.split("\n")
        yaml_file = path.suffix in (".yaml", ".yml")
        front_end = _front_end(lines) if path.suffix == ".md" else (len(lines) if yaml_file else 0)
        for line, col, old, cid in sorted(edits, reverse=True):
            text = lines[line - 1]
            if text[col - 1:col - 1 + len(old)] != old:
                continue   # already rewritten by an overlapping find
            new = f"@{cid}"
            if line <= front_end and _starts_scalar(text, col - 1):
                quoted = _quote_from(text, col - 1, new, len(old))
                if quoted is None:
                    continue
                lines[line - 1] = quoted
            else:
                lines[line - 1] = text[:col - 1] + new + text[col - 1 + len(old):]
        after = "\n".join(lines)
        if after != before and _parses(path, after):
            path.write_text(after, "utf-8")
            changed[rel] = (before, after)
    return changed


def _front_end(lines) -> int:
    """The line number of an entry's closing `---` (0 when it has no front matter)."""
    if not lines or lines[0].strip() != "---":
        return 0
    for i, line in enumerate(lines[1:], 2):
        if line.strip() == "---":
            return i
    return 0


def fix(root: Path, sources, checks: dict, out) -> int:
    """Rewrite names as mentions (a few passes, for names an earlier edit moved); print the diff; return
    the number of files changed."""
    from ..load import load
    done = {}
    for _ in range(3):
        sc = scanner(sources, checks)
        if not sc.fixes:
            break
        changed = apply(root, sc.fixes)
        if not changed:
            break
        for rel, (before, after) in changed.items():
            done[rel] = (done.get(rel, (before,))[0], after)
        sources = load(Path(root), [])
    for rel, (before, after) in sorted(done.items()):
        out.writelines(difflib.unified_diff(before.splitlines(True), after.splitlines(True), f"a/{rel}", f"b/{rel}"))
    return len(done)
