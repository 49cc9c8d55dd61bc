"""Diagnostics are values: every problem the generator finds is one of these, never an exception.

One reporter turns a list of them into text (grouped by file), JSON or GitHub annotations.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, replace

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Diagnostic:
    severity: str
    rule: str
    file: str
    line: int
    column: int
    message: str
    subject: str | None = None
    hint: str | None = None

    def sort_key(self):
        return (self.file, self.line, self.column, self.rule, self.message)

    def with_severity(self, severity: str) -> "Diagnostic":
        return replace(self, severity=severity)

    def as_dict(self) -> dict:
        return asdict(self)


def counts(diagnostics) -> dict:
    c = Counter(d.severity for d in diagnostics)
    return {s: c.get(s, 0) for s in SEVERITIES}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(diagnostics, coverage: dict | None = None) -> str:
    c = counts(diagnostics)
    line = f'{_plural(c["error"], "error")}, {_plural(c["warning"], "warning")}, {c["info"]} info'

    if coverage:
        line += (f"; criteria evidenced {coverage['evidenced']}/{coverage['total']}"
                 f" ({coverage['percent']}%) across {coverage['units']} units")
    return line


def to_text(diagnostics, coverage: dict | None = None) -> str:
    out: list[str] = []
    current = None
    for d in sorted(diagnostics, key=Diagnostic.sort_key):
        if d.file != current:
            if current is not None:
                out.append("")
            current = d.file
        out.append(f"{d.file}:{d.line}:{d.column}: {d.severity}[{d.rule}]: {d.message}")
        if d.hint:
            out.append(f"  hint: {d.hint}")
    if out:
        out.append("")
    out.append(summary_line(diagnostics, coverage))
    return "\n".join(out) + "\n"


def to_json(diagnostics, coverage: dict | None = None) -> str:
    doc = {
        "diagnostics": [d.as_dict() for d in sorted(diagnostics, key=Diagnostic.sort_key)],
        "summary": {**counts(diagnostics), "coverage": coverage},
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def to_github(diagnostics, coverage: dict | None = None) -> str:
    """GitHub Actions workflow commands: each diagnostic becomes an annotation on its line."""
    level = {"error": "error", "warning": "warning", "info": "notice"}
    out = []
    for d in sorted(diagnostics, key=Diagnostic.sort_key):
        msg = d.message + (f"\n{d.hint}" if d.hint else "")
        out.append(
            f"::{level[d.severity]} file={_gh_escape(d.file, True)},line={d.line},col={d.column},"
            f"title={_gh_escape(d.rule, True)}::{_gh_escape(msg)}")
    out.append(summary_line(diagnostics, coverage))
    return "\n".join(out) + "\n"


REPORTERS = {"text": to_text, "json": to_json, "github": to_github}
