"""The one registry of rules: name, default severity, hint, documentation, parameters and evidence.

Validation rules are emitted by the load and validate stages; gap rules are small generator
functions (registered with `@gap_rule`) that the analyse stage runs over the model. Everything
said about a rule is said here, once: the reporters, the `checks` section of the settings schema
(tools/make_schemas.py), the default settings (`default_checks`), `auto` parameter validation and
docs/checks.md (generator/docs.py) are all derived from these values.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .diagnostics import Diagnostic


@dataclass(frozen=True)
class Param:
    """A rule's threshold or switch.

    `setting=True`: a key of `checks` in portfolio.yaml (and of the settings schema) as well as an
    `auto` parameter; `setting=False`: an `auto` parameter only. `schema` is the JSON Schema of its value.
    """
    name: str
    default: object
    schema: dict
    title: str
    description: str
    setting: bool = True


def count(name, default, title, description, setting=True, minimum=1) -> Param:
    """A whole-number threshold (the common case)."""
    return Param(name, default, {"type": "integer", "minimum": minimum}, title, description, setting)


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str
    kind: str          # "validation" (records must be valid), "gap" (what is still to do) or "auto" (auto-only)
    summary: str       # one line: what it flags
    hint: str | None   # how to fix it
    why: str = ""      # why an assessor cares (with the source)
    check: Callable | None = None   # gap and auto rules: fn(model, settings) -> findings (or an AutoResult)
    params: tuple = ()              # Param, in the order the docs list them
    evidence: Callable | None = None  # fn(model, settings) -> the records that satisfy the rule

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


WORDS = {"type": "array", "uniqueItems": True,   # a list of texts (a setting's schema)
         "items": {"title": "Text", "description": "One item.", "type": "string", "minLength": 1, "pattern": "\\S"}}

RULES: dict[str, Rule] = {}       # validation and gap rules, in registration (= documentation) order
AUTO_RULES: dict[str, Rule] = {}  # rules that exist only as `auto` criteria


def register(rule: Rule) -> Rule:
    if rule.name in RULES or rule.name in AUTO_RULES:
        raise ValueError(f"rule {rule.name} registered twice")
    for p in rule.params:
        if p.setting and (other := setting_param(p.name)) is not None and other != p:
            raise ValueError(f"setting {p.name} declared differently by two rules")
    (AUTO_RULES if rule.kind == "auto" else RULES)[rule.name] = rule
    return rule


def validation_rule(name, summary, hint=None, why="", params=()):
    register(Rule(name, "error", "validation", summary, hint, why, params=tuple(params)))


def gap_rule(name, summary, hint, why="", severity="warning", params=(), evidence=None):
    """Decorator: register a gap rule function under `name`, with its parameters and evidence."""
    def wrap(fn):
        register(Rule(name, severity, "gap", summary, hint, why, fn, tuple(params), evidence))
        return fn
    return wrap


def auto_only_rule(name, summary, why, params=()):
    """Decorator: a rule evaluated only for criteria with `auto: {rule: NAME}`; fn returns an AutoResult."""
    def wrap(fn):
        register(Rule(name, "warning", "auto", summary, None, why, fn, tuple(params)))
        return fn
    return wrap


def gap_rules() -> list[Rule]:
    return [r for r in RULES.values() if r.kind == "gap"]


def setting_param(name: str) -> Param | None:
    return next((p for r in RULES.values() for p in r.params if p.setting and p.name == name), None)


# Settings of `checks` that belong to no one rule. Their schemas name the gap rules, so they are built on demand.
def general_settings() -> list[Param]:
    names = sorted(r.name for r in gap_rules())
    return [
        Param("ignore", [], {"type": "array", "items": {"title": "Rule", "description": "A gap rule's name.",
                                                        "type": "string", "enum": names}, "uniqueItems": True},
              "Ignore", "Gap rules to switch off"),
        Param("severity", {}, {"type": "object", "propertyNames": {"enum": names},
                               "additionalProperties": {"enum": ["error", "warning", "info"], "title": "Severity",
                                                        "description": "error, warning or info"}},
              "Severity", "Per-rule severity: rule name -> error, warning or info"),
        Param("group_over", 10, {"type": "integer", "minimum": 0}, "Group findings over",
              "In `check`'s text output, a rule with more than this many warnings (or infos) is shown as one line "
              "with a count; 0 never groups"),
    ]


def default_checks() -> dict:
    """The `checks` settings a portfolio gets when it says nothing (every rule must be registered)."""
    out = {p.name: p.default for r in RULES.values() for p in r.params if p.setting}
    out.update({p.name: p.default for p in general_settings()})
    return out


def _described(p: Param) -> dict:
    default = "" if p.default in ([], {}, None) else f" (default {_shown(p.default)})"
    return {"title": p.title, "description": f"{p.description}{default}.", **p.schema}


def _shown(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def checks_schema_properties() -> dict:
    """The `checks` object's properties for the settings schema (portfolio.schema.json)."""
    props = {p.name: _described(p) for r in RULES.values() for p in r.params if p.setting}
    props.update({p.name: _described(p) for p in general_settings()})
    return props


def shown_default(p: Param) -> str:
    return _shown(p.default)


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
validation_rule("unknown-framework", "a framework id with no file in criteria/ (the portfolio's or the shipped ones)",
                "use the name of a file in criteria/ without .yaml (docs/records.md lists the shipped frameworks)",
                why="Without its framework the portfolio has no criteria to evidence (003, Learning outcomes and assessment criteria).")
validation_rule("unknown-theme", "site.theme names a folder that does not exist",
                "give the path of your theme folder relative to portfolio.yaml, e.g. themes/mine, or remove "
                "the key to use the default theme",
                why="The candidate produces \"a portfolio of evidence\" for the assessor (003, Assessment); a site silently built "
                "without the theme the learner chose is not the portfolio they meant to submit.")
validation_rule("duplicate-id", "two records of the same kind share an id (goals, networks, units, criteria)",
                "give each record its own id",
                why="References must lead to exactly one record, or evidence is attributed to the wrong goal, network or criterion, and assessors cannot \"track achievements ... through the learning outcomes and assessment criteria\" (003, Support for Candidates).")
validation_rule("duplicate-ref", "two entries carry the same evidence reference (`ref: E012`)",
                "give the later entry its own: delete its `ref:` line and run `portfolio check --fix`, which pins "
                "the next unused reference",
                why="An assessor's decision, the IQA sample and the submission document name evidence by its reference "
                    "(003, Internal Quality Assurance: decisions \"recorded accurately\"); one reference for two entries "
                    "attributes a judgement to the wrong evidence.")
validation_rule("malformed-ref", "evidence-refs.yaml (the last evidence reference issued) cannot be read",
                "restore it from version control; it holds one line, e.g. `last_issued: E012`",
                why="Without it a deleted entry's reference could be given to another entry, and a decision or "
                    "submission that cites it would then point at different evidence (003, Support for Candidates: "
                    "evidence must be authenticated).")
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


class RuleSettings:
    """What one rule reads: `auto` parameters, over the learner's `checks`, over the rule's own defaults."""

    def __init__(self, rule: Rule, settings, overrides: dict | None = None):
        self._rule, self._settings, self._overrides = rule, settings, overrides or {}

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name == "facts" and self._overrides:
            # an auto rule's parameters (a review interval of its own, say) get facts of their own,
            # computed by the same functions as the learner's (generator/analysis.py)
            from .analysis import Facts
            self.facts = Facts(self.model, self)
            return self.facts
        if name in self._overrides:
            return self._overrides[name]
        try:
            return getattr(self._settings, name)
        except AttributeError:
            pass
        param = self._rule.param(name)
        if param is None:
            raise AttributeError(name)
        return param.default
validation_rule("personal-data",
                "an e-mail address, phone number or profile URL (however written: entities, percent-encoding, "
                "Markdown, other Unicode forms), a contact's channel value, or the name (full, first or surname) "
                "of a contact who has not consented to be named, in anything the site publishes: entry titles, "
                "texts, file names and text attachments, published contact fields, portfolio.yaml's texts, ids "
                "and keys, frameworks; or a mention of an erased contact (erased.yaml)",
                "refer to the person as @contact-id (`portfolio check --fix` rewrites known names), or move the "
                "detail to the contact's `channels`",
                why="\"Sharing contacts' personal data without consent\" breaches GDPR (001, Common Misconceptions "
                    "& Mistakes to Avoid); the site is published, so privacy must fail closed (SPEC 5.3).",
                params=(Param("allow_personal_data", [], WORDS, "Allowed contact details",
                              "E-mail addresses, phone numbers and web addresses that may be published (an "
                              "organisation's public switchboard, say); compared however they are written"),
                        Param("allow_names", [], WORDS, "Words that only look like names",
                              "Words that are a contact's first name or surname but also ordinary words (price, "
                              "bell): not flagged on their own. Full names always are")))
