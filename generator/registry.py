"""The one registry of rules: name, default severity, hint and documentation, side by side.

Validation rules are emitted by the load and validate stages; gap rules are small generator
functions (registered with `@gap_rule`) that the analyse stage runs over the model. The same
registry feeds the reporters, the settings schema and docs/checks.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .diagnostics import Diagnostic


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str
    kind: str          # "validation" (records must be valid) or "gap" (what is still to do)
    summary: str       # one line: what it flags
    hint: str | None   # how to fix it
    why: str = ""      # why an assessor cares (with the source)
    check: Callable | None = None   # gap rules: fn(model, settings) -> iterable of findings


RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    if rule.name in RULES:
        raise ValueError(f"rule {rule.name} registered twice")
    RULES[rule.name] = rule
    return rule


def validation_rule(name, summary, hint=None, why=""):
    register(Rule(name, "error", "validation", summary, hint, why))


def gap_rule(name, summary, hint, why="", severity="warning"):
    """Decorator: register a gap rule function under `name`."""
    def wrap(fn):
        register(Rule(name, severity, "gap", summary, hint, why, fn))
        return fn
    return wrap


def finding(rule: str, file: str, pos, message: str, subject=None, hint: str | None = None) -> Diagnostic:
    """Build a diagnostic with the rule's default severity and hint (a specific hint wins)."""
    r = RULES[rule]
    line, col = pos
    return Diagnostic(r.severity, rule, file, line, col, message, subject, hint if hint is not None else r.hint)


validation_rule("yaml-syntax", "a file that cannot be read as YAML (or as an entry with front matter): invalid syntax, "
                "not UTF-8, empty, or front matter never closed",
                "fix the YAML at the position shown; the message says what the parser expected")
validation_rule("duplicate-key", "a mapping that repeats a key (YAML libraries silently keep only the last one)",
                "remove or rename one of the two keys")
validation_rule("schema", "a missing, mistyped or unknown field, or a value outside the allowed set",
                "see docs/records.md for every field and its allowed values")
validation_rule("unknown-contact", "a reference to a contact id with no file in contacts/",
                "use the contact's file name without .yaml, or add the contact")
validation_rule("unknown-criterion", "a criterion reference (UNIT:CRITERION) that no framework defines",
                "write criteria as UNIT:CRITERION, e.g. J/506/1949:3.3, using a unit of your frameworks")
validation_rule("unknown-unit", "a unit ref that the qualification's framework does not contain",
                "copy the unit reference from the qualification page, e.g. J/506/1949")
validation_rule("unknown-goal", "a reference to a goal id not defined in portfolio.yaml goals",
                "use the id of a goal in portfolio.yaml")
validation_rule("unknown-network", "a reference to a network id not defined in portfolio.yaml networks",
                "use the id of a network in portfolio.yaml")
validation_rule("unknown-framework", "a framework id with no file in criteria/",
                "use the name of a file in criteria/ without .yaml")
validation_rule("duplicate-id", "two records of the same kind share an id (goals, networks, units, criteria)",
                "give each record its own id")
validation_rule("missing-attachment", "an attachment path that does not exist",
                "check the path (relative to the portfolio folder, e.g. evidence/file.pdf)")
validation_rule("attachment-outside-repository",
                "an attachment path that leaves the portfolio folder (absolute, '..' or a link pointing outside)",
                "keep evidence files inside the portfolio folder, usually under evidence/")
validation_rule("erased-contact", "a contact who asked to be forgotten is still on file or referenced",
                "delete the contact's file and remove their id from entries (right to erasure, see docs/privacy.md)")
