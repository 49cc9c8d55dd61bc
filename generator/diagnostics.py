"""Diagnostics are values: every problem the generator finds is one of these, never an exception.

One reporter turns a list of them into text (grouped by file), JSON or GitHub annotations.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, fields, replace

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
        # every field is a str, int or None: no deep copy needed (dataclasses.asdict's recursion was most of
        # `check --format json` at 10,000 entries' 13,000 findings)
        return {name: getattr(self, name) for name in _FIELDS}


_FIELDS = tuple(f.name for f in fields(Diagnostic))


def counts(diagnostics) -> dict:
    c = Counter(d.severity for d in diagnostics)
    return {s: c.get(s, 0) for s in SEVERITIES}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(diagnostics, coverage: dict | None = None, hidden: int = 0) -> str:
    c = counts(diagnostics)
    line = f'{_plural(c["error"], "error")}, {_plural(c["warning"], "warning")}, {c["info"]} info'

    # each framework's coverage on its own: the qualification's criteria are never added to the marking points'
    for i, fw in enumerate((coverage or {}).get("frameworks") or ([coverage] if coverage else [])):
        what = "criteria evidenced" if i == 0 else "and"
        line += (f"; {what} {fw['evidenced']}/{fw['total']} ({fw['percent']}%) across "
                 f"{_plural(fw['units'], 'unit')} of {fw.get('framework') or 'the qualification'}")
    assessed = (coverage or {}).get("assessment")
    if assessed:
        n = assessed["counts"]
        line += (f"; assessed: {n['met']} met, {n['not-yet']} not yet met, {n['referred']} referred, "
                 f"{n['stale']} stale, {n['claimed']} awaiting a decision; {assessed['credits_chosen']} credits "
                 f"chosen, {assessed['credits_signed_off']} signed off")
    if hidden:
        line += f" ({hidden} not shown)"
    return line


def _lines(d: Diagnostic) -> list[str]:
    out = [f"{d.file}:{d.line}:{d.column}: {d.severity}[{d.rule}]: {d.message}"]
    if d.hint:
        out.append(f"  hint: {d.hint}")
    return out


def _grouped(shown, group_over: int) -> dict:
    """rule -> its findings, for each rule with more than `group_over` warnings or infos (never errors)."""
    if group_over <= 0:
        return {}
    per_rule: dict = {}
    for d in shown:
        if d.severity != "error":
            per_rule.setdefault(d.rule, []).append(d)
    return {rule: ds for rule, ds in per_rule.items() if len(ds) > group_over}


def to_text(diagnostics, coverage: dict | None = None, *, shown=None, group_over: int = 0,
            quiet: bool = False) -> str:
    """Findings grouped by file, then the summary, then the errors again, so the errors are what the
    reader sees last. `shown` is the filtered list to print (default: all; the summary always counts
    every finding); a rule with more than `group_over` warnings is one line with a count; `quiet`
    prints the errors and the summary only."""
    shown = list(diagnostics if shown is None else shown)
    errors = sorted((d for d in shown if d.severity == "error"), key=Diagnostic.sort_key)
    hidden = len(diagnostics) - len(shown)
    out: list[str] = []
    if quiet:
        for d in errors:
            out += _lines(d)
        if out:
            out.append("")
        out.append(summary_line(diagnostics, coverage, hidden + len(shown) - len(errors)))
        return "\n".join(out) + "\n"
    groups = _grouped(shown, group_over)
    current = None
    for d in sorted(shown, key=Diagnostic.sort_key):
        if d.rule in groups and d.severity != "error":
            continue
        if d.file != current:
            if current is not None:
                out.append("")
            current = d.file
        out += _lines(d)
    if groups:
        if out:
            out.append("")
        for rule, ds in groups.items():
            c = counts(ds)
            what = ", ".join(_plural(c[s], s) if s != "info" else f"{c[s]} info" for s in SEVERITIES if c[s])
            out.append(f"{rule}: {what} (see `portfolio check --only {rule}`)")
    if out:
        out.append("")
    out.append(summary_line(diagnostics, coverage, hidden))
    if errors and (groups or any(d.severity != "error" for d in shown)):   # only when other lines came between
        out += ["", f"{_plural(len(errors), 'error')} to fix first:"]
        for d in errors:
            out += _lines(d)
    return "\n".join(out) + "\n"


def to_json(diagnostics, coverage: dict | None = None, *, shown=None, **_) -> str:
    """`diagnostics` are listed (or the filtered `shown`); the summary counts every finding."""
    doc = {
        "diagnostics": [d.as_dict() for d in sorted(diagnostics if shown is None else shown,
                                                    key=Diagnostic.sort_key)],
        "summary": {**counts(diagnostics), "coverage": coverage},
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def to_github(diagnostics, coverage: dict | None = None, *, shown=None, **_) -> str:
    """GitHub Actions workflow commands: each diagnostic becomes an annotation on its line."""
    level = {"error": "error", "warning": "warning", "info": "notice"}
    out = []
    for d in sorted(diagnostics if shown is None else shown, key=Diagnostic.sort_key):
        msg = d.message + (f"\n{d.hint}" if d.hint else "")
        out.append(
            f"::{level[d.severity]} file={_gh_escape(d.file, True)},line={d.line},col={d.column},"
            f"title={_gh_escape(d.rule, True)}::{_gh_escape(msg)}")
    out.append(summary_line(diagnostics, coverage, len(diagnostics) - len(out)))
    return "\n".join(out) + "\n"


REPORTERS = {"text": to_text, "json": to_json, "github": to_github}
