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
                "fix the YAML at the position shown; the message says what the parser expected",
                why="Evidence an assessor cannot read cannot be assessed; the portfolio must let quality assurers \"authenticate evidence\" (003, Support for Candidates).")
validation_rule("duplicate-key", "a mapping that repeats a key (YAML libraries silently keep only the last one)",
                "remove or rename one of the two keys",
                why="The value a learner sees in the file may not be the one the generator reads: evidence would say one thing to the learner and another to the assessor (003, Internal Quality Assurance: assessment decisions \"recorded accurately\").")
validation_rule("schema", "a missing, mistyped or unknown field, or a value outside the allowed set",
                "see docs/records.md for every field and its allowed values",
                why="A structured log with \"dates, names, key discussion points, planned actions, and follow-up outcomes\" is what makes evidence verifiable (000, Exam Tips & Revision Strategies); a misspelt field is silently lost evidence.")
validation_rule("unknown-contact", "a reference to a contact id with no file in contacts/",
                "use the contact's file name without .yaml, or add the contact",
                why="Entries must link to the contacts they involve so the assessor can follow the relationship over time (000, Examiner Marking Points: \"consistent, planned engagement with network members\").")
validation_rule("unknown-criterion", "a criterion reference (UNIT:CRITERION) that no framework defines",
                "write criteria as UNIT:CRITERION, e.g. J/506/1949:3.3, using a unit of your frameworks",
                why="Evidence must be linked to \"specific unit criteria\" (001, Exam Tips & Revision Strategies); a mistyped reference maps the evidence to nothing.")
validation_rule("unknown-unit", "a unit ref that the qualification's framework does not contain",
                "copy the unit reference from the qualification page, e.g. J/506/1949",
                why="The certificate lists \"all units achieved with their related credit value\" (003, Certification): a unit the qualification does not contain earns no credit.")
validation_rule("unknown-goal", "a reference to a goal id not defined in portfolio.yaml goals",
                "use the id of a goal in portfolio.yaml",
                why="Activities must be linked to the development plan's objectives (004, Examiner Marking Points: the plan is \"implemented, monitored, and revised\").")
validation_rule("unknown-network", "a reference to a network id not defined in portfolio.yaml networks",
                "use the id of a network in portfolio.yaml",
                why="Examiners look for the networks the learner has identified and how they were used (000, Examiner Marking Points).")
validation_rule("unknown-framework", "a framework id with no file in criteria/",
                "use the name of a file in criteria/ without .yaml",
                why="Without its framework the portfolio has no criteria to evidence (003, Learning outcomes and assessment criteria).")
validation_rule("duplicate-id", "two records of the same kind share an id (goals, networks, units, criteria)",
                "give each record its own id",
                why="References must lead to exactly one record, or evidence is attributed to the wrong goal, network or criterion, and assessors cannot \"track achievements ... through the learning outcomes and assessment criteria\" (003, Support for Candidates).")
validation_rule("missing-attachment", "an attachment path that does not exist",
                "check the path (relative to the portfolio folder, e.g. evidence/file.pdf)",
                why="Screenshots, emails and attendance records are the evidence that corroborates the log (000, Exam Tips & Revision Strategies); a missing file is a broken claim.")
validation_rule("attachment-outside-repository",
                "an attachment path that leaves the portfolio folder (absolute, '..' or a link pointing outside)",
                "keep evidence files inside the portfolio folder, usually under evidence/",
                why="Evidence outside the repository is not published with the portfolio, so the assessor cannot \"authenticate evidence\" (003, Support for Candidates), and a path outside could publish private files (001, Common Misconceptions: personal data).")
validation_rule("erased-contact", "a contact who asked to be forgotten is still on file or referenced",
                "delete the contact's file and remove their id from entries (right to erasure, see docs/privacy.md)",
                why="\"Ignoring GDPR right-to-deletion requests\" is a named mistake (001, Common Misconceptions & Mistakes to Avoid).")
