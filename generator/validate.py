"""Stage 2 — validate: each record against its JSON Schema, then every reference across files.

Messages are worded for a learner, point at the offending key or value, and suggest the
nearest valid name where there is one. Nothing here raises for bad content.
"""
from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import fastjsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from . import shipped
from .load import Sources, Source
from .registry import finding

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ENTRY_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}-[a-z0-9]+(-[a-z0-9]+)*$")


@lru_cache(maxsize=None)
def schema(kind: str) -> dict:
    return json.loads(resources.files("generator.schemas").joinpath(f"{kind}.schema.json").read_text("utf-8"))


@lru_cache(maxsize=None)
def validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(schema(kind), format_checker=Draft202012Validator.FORMAT_CHECKER)


def _is_date(value) -> bool:
    try:
        dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


@lru_cache(maxsize=None)
def fast_validator(kind: str):
    """A compiled validator (fastjsonschema, ~100x faster) used only to pass valid records quickly.

    Our schemas use only keywords that mean the same in draft-07, which fastjsonschema compiles; a
    record it rejects is validated again by jsonschema, whose errors carry the detail a learner
    needs. tests/test_validate_fast.py checks that both accept exactly the same records."""
    doc = dict(schema(kind), **{"$schema": "http://json-schema.org/draft-07/schema#"})
    return fastjsonschema.compile(doc, formats={"date": _is_date})


def is_valid_fast(kind: str, data) -> bool:
    try:
        fast_validator(kind)(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def did_you_mean(word, candidates) -> str:
    match = difflib.get_close_matches(str(word), [str(c) for c in candidates], n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def describe(path) -> str:
    """('actions', 1, 'due') -> 'actions[2].due' (people count from 1)."""
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _clip(text: str, limit: int = 80) -> str:
    """A value quoted in a message: a pasted page of text is shown by its start, not whole, and invisible
    characters (zero-width space, NUL, direction marks) are spelled out, since they are often the mistake."""
    shown = text if len(text) <= limit else f"{text[:limit - 1]}… ({len(text):,} characters)"
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in shown)


def _show(value) -> str:
    if isinstance(value, str):
        return f"'{_clip(value)}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return str(value)


_TYPE_WORDS = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "array": "a list", "object": "a mapping of keys", "null": "nothing"}
_PATTERN_WORDS = {
    "^[a-z0-9]+(-[a-z0-9]+)*$": "is not a valid id: use lowercase letters, digits and single hyphens, e.g. 'priya-shah'",
    "^[^:\\s]+:[^:\\s]+$": "is not a criterion reference: write UNIT:CRITERION, e.g. 'J/506/1949:3.3'",
}


def _messages(error):
    """Yield (path, message, hint) for one jsonschema error, in a learner's words."""
    path = tuple(error.absolute_path)
    where = describe(path)
    field = f"'{where}'" if where else "the file"
    v, value = error.validator, error.instance
    if v == "required":
        for key in error.validator_value:
            if isinstance(value, dict) and key not in value:
                yield path, f"missing required field '{key}'" + (f" in {where}" if where else ""), None
    elif v == "additionalProperties" and isinstance(value, dict):
        allowed = list(error.schema.get("properties", {}))
        for key in value:
            if key not in allowed:
                hint = "allowed here: " + ", ".join(allowed) if allowed else None
                yield path + (key,), f"unknown field '{key}'" + (f" in {where}" if where else "") + did_you_mean(key, allowed), hint
    elif v == "enum" and isinstance(value, str) and _validation_rule(value) and path[:1] == ("checks",):
        yield path + ((value,) if "propertyNames" in error.schema_path else ()), \
            f"'{value}' is a validation rule: it cannot be ignored or given another severity", \
            "a site is never published while a record is invalid; fix the record instead"
    elif v == "enum" and "propertyNames" in error.schema_path:
        yield path + (value,), f"{field} names {_show(value)}, which is not a gap rule" \
            f"{did_you_mean(value, error.validator_value)}", "gap rules: " + ", ".join(map(str, error.validator_value))
    elif v == "enum":
        yield path, f"{field} cannot be {_show(value)}{did_you_mean(value, error.validator_value)}", \
            "allowed values: " + ", ".join(map(str, error.validator_value))
    elif v == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        yield path, f"{field} should be {' or '.join(_TYPE_WORDS.get(w, w) for w in wanted)}, found {_show(value)}", None
    elif v == "format" and error.validator_value == "date":
        yield path, f"{field} is {_show(value)}, which is not a valid date", "write dates as YYYY-MM-DD, e.g. 2026-03-14"
    elif v == "pattern" and error.validator_value == "\\S":
        if value != "":   # "" is reported once, by minLength: "must not be empty"
            yield path, f"{field} is blank: write something here", None
    elif v == "pattern":
        yield path, f"{field} {_show(value)} " + _PATTERN_WORDS.get(error.validator_value, f"does not match {error.validator_value}"), None
    elif v in ("minimum", "maximum"):
        word = "at least" if v == "minimum" else "at most"
        yield path, f"{field} must be {word} {error.validator_value}, found {_show(value)}", None
    elif v == "minItems":
        yield path, f"{field} must list at least {error.validator_value} item(s)", None
    elif v == "maxLength":
        yield path, f"{field} must be at most {error.validator_value} characters, found {len(value):,}", None
    elif v == "minLength":
        yield path, f"{field} must not be empty", None
    elif v == "uniqueItems":
        seen, dups = set(), []
        for item in value:
            key = json.dumps(item, sort_keys=True)
            if key in seen:
                dups.append(item)
            seen.add(key)
        yield path, f"{field} lists {', '.join(_show(d) for d in dups) or 'an item'} more than once", None
    elif v in ("anyOf", "oneOf") and error.context:
        yield from _messages(best_match(error.context))
    elif v == "propertyNames":
        yield path, f"{field} has a key that is not allowed: {error.message}", None
    else:
        yield path, f"{field}: {error.message}", None


def _validation_rule(name: str) -> bool:
    from .registry import RULES
    rule = RULES.get(name)
    return rule is not None and rule.kind == "validation"


_KEY_PROBLEMS = ("required", "additionalProperties", "propertyNames")


def schema_diagnostics(source: Source, diagnostics: list) -> bool:
    """Validate one parsed record; return True when it is valid."""
    if is_valid_fast(source.kind, source.data):
        return True
    ok = True
    for error in sorted(validator(source.kind).iter_errors(source.data), key=lambda e: list(map(str, e.absolute_path))):
        for path, message, hint in _messages(error):
            ok = False
            # a missing or unknown key is about the key; a wrong value is about the value
            pos = source.pos(path) if error.validator in _KEY_PROBLEMS else source.value_at(path)
            diagnostics.append(finding("schema", source.file, pos, message, subject=source.id, hint=hint))
    return ok


def _ref_list(data, key):
    """Items of a list of ids, with their index, tolerating wrong shapes (the schema reports those)."""
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, str)]


def _check_file_name(source: Source, diagnostics):
    pattern, example = (ENTRY_NAME, "2026-03-14-cipd-breakfast.md") if source.kind == "entry" else (SLUG, "priya-shah.yaml")
    if source.kind in ("entry", "contact", "assessment", "iqa") and not pattern.match(source.id):
        diagnostics.append(finding("schema", source.file, (1, 1),
                                   f"file name '{Path(source.file).name}' is not a valid id",
                                   subject=source.id, hint=f"name it like {example}: lowercase, digits and hyphens"))


class References:
    """Every id a record may point at, gathered once from the parsed records."""

    def __init__(self, sources: Sources):
        self.frameworks = {s.id: s for s in sources.frameworks if isinstance(s.data, dict)}
        self.contacts = {s.id: s for s in sources.contacts}
        pdata = sources.portfolio.data if sources.portfolio and isinstance(sources.portfolio.data, dict) else {}
        self.portfolio = pdata
        self.networks = [n["id"] for n in pdata.get("networks") or [] if isinstance(n, dict) and isinstance(n.get("id"), str)] \
            if isinstance(pdata.get("networks"), list) else []
        self.goals = [g["id"] for g in pdata.get("goals") or [] if isinstance(g, dict) and isinstance(g.get("id"), str)] \
            if isinstance(pdata.get("goals"), list) else []
        qual = pdata.get("qualification") if isinstance(pdata.get("qualification"), dict) else {}
        self.qualification = qual.get("framework") if isinstance(qual.get("framework"), str) else None
        extra = pdata.get("frameworks") if isinstance(pdata.get("frameworks"), list) else []
        self.used_frameworks = [f for f in [self.qualification, *extra] if isinstance(f, str) and f in self.frameworks]
        # a file that could not be read still exists: references into it cannot be judged, and calling
        # each one unknown would bury the one real error (the file's own yaml-syntax) under dozens
        self.unreadable = {s.id for s in sources.frameworks if not isinstance(s.data, dict)}
        self.plan_known = bool(pdata)
        self.units_known = self.plan_known and not self.unreadable & {f for f in [self.qualification, *extra] if isinstance(f, str)}
        self.units: dict[str, dict] = {}      # unit ref -> {criterion id: text}
        for fid in self.used_frameworks:
            for unit in _units(self.frameworks[fid].data):
                self.units.setdefault(unit["ref"], {}).update(
                    {c["id"]: c for o in _outcomes(unit) for c in _criteria(o)})

    def erased(self, contact_id) -> bool:
        return contact_id in self._erased

    @functools.cached_property
    def _erased(self) -> set:
        """The contacts who asked to be forgotten: asked of every reference to a contact (39,000 at 1,000 entries)."""
        out = set()
        for cid, source in self.contacts.items():
            data = source.data if isinstance(source.data, dict) else {}
            consent = data.get("consent") if isinstance(data.get("consent"), dict) else {}
            if consent.get("erasure_requested"):
                out.add(cid)
        return out


def _units(data):
    return [u for u in (data.get("units") or []) if isinstance(u, dict) and isinstance(u.get("ref"), str)] \
        if isinstance(data, dict) and isinstance(data.get("units"), list) else []


def _outcomes(unit):
    return [o for o in unit.get("outcomes") or [] if isinstance(o, dict)] if isinstance(unit.get("outcomes"), list) else []


def _criteria(outcome):
    return [c for c in outcome.get("criteria") or [] if isinstance(c, dict) and isinstance(c.get("id"), str)] \
        if isinstance(outcome.get("criteria"), list) else []


def _unknown(rule, source, path, what, name, candidates, diagnostics):
    diagnostics.append(finding(rule, source.file, source.value_at(path),
                               f"no {what} '{_clip(name)}'{did_you_mean(name, candidates)}", subject=name))


def _duplicates(source, items, key, what, diagnostics, base=()):
    seen = {}
    for i, item in items:
        ident = item.get(key) if isinstance(item, dict) else None
        if not isinstance(ident, str):
            continue
        if ident in seen:
            diagnostics.append(finding("duplicate-id", source.file, source.value_at(base + (i, key)),
                                       f"{what} '{_clip(ident)}' is defined twice (first as item {seen[ident] + 1})",
                                       subject=ident))
        else:
            seen[ident] = i


def check_framework(source: Source, diagnostics):
    from . import rules  # noqa: F401  (registers the gap rules; imported here to avoid an import cycle)
    from .auto import known_auto_rules, param_problems
    known = known_auto_rules()
    units = source.data.get("units") if isinstance(source.data.get("units"), list) else []
    _duplicates(source, list(enumerate(units)), "ref", "unit", diagnostics, ("units",))
    for ui, unit in enumerate(units):
        if not isinstance(unit, dict):
            continue
        outcomes = unit.get("outcomes") if isinstance(unit.get("outcomes"), list) else []
        _duplicates(source, list(enumerate(outcomes)), "id", f"outcome of unit {unit.get('ref')}", diagnostics,
                    ("units", ui, "outcomes"))
        seen = {}
        for oi, outcome in enumerate(outcomes):
            for ci, crit in enumerate(outcome.get("criteria") or [] if isinstance(outcome, dict) else []):
                cid = crit.get("id") if isinstance(crit, dict) else None
                if not isinstance(cid, str):
                    continue
                path = ("units", ui, "outcomes", oi, "criteria", ci, "id")
                if cid in seen:
                    diagnostics.append(finding("duplicate-id", source.file, source.value_at(path),
                                               f"criterion {unit.get('ref')}:{cid} is defined twice", subject=f"{unit.get('ref')}:{cid}"))
                seen[cid] = True
                auto = crit.get("auto")
                if not (isinstance(auto, dict) and isinstance(auto.get("rule"), str)):
                    continue
                where, ref = path[:-1] + ("auto",), f"{unit.get('ref')}:{cid}"
                if auto["rule"] not in known:
                    diagnostics.append(finding(
                        "schema", source.file, source.value_at(where + ("rule",)),
                        f"unknown automatic rule '{_clip(auto['rule'])}'{did_you_mean(auto['rule'], known)}",
                        subject=ref, hint="automatic rules: " + ", ".join(known)))
                    continue
                for key, message in param_problems(auto["rule"], {k: v for k, v in auto.items() if k != "rule"}):
                    diagnostics.append(finding("schema", source.file, source.pos(where + (key,)), message,
                                               subject=ref, hint="see docs/checks.md for each rule's parameters"))


def check_portfolio(source: Source, refs: References, diagnostics):
    data = source.data
    qual = data.get("qualification") if isinstance(data.get("qualification"), dict) else {}
    fw = qual.get("framework")
    known = sorted({*refs.frameworks, *shipped.framework_ids()})   # the shipped ones are read only when named
    if isinstance(fw, str) and fw not in refs.frameworks and fw not in refs.unreadable:
        _unknown("unknown-framework", source, ("qualification", "framework"), "framework", fw, known, diagnostics)
    for i, fid in _ref_list(data, "frameworks"):
        if fid not in refs.frameworks and fid not in refs.unreadable:
            _unknown("unknown-framework", source, ("frameworks", i), "framework", fid, known, diagnostics)
    if refs.qualification in refs.frameworks:
        qual_units = [u["ref"] for u in _units(refs.frameworks[refs.qualification].data)]
        for i, ref in _ref_list(qual, "units"):
            if ref not in qual_units:
                diagnostics.append(finding("unknown-unit", source.file, source.value_at(("qualification", "units", i)),
                                           f"no unit '{_clip(ref)}' in {refs.qualification}{did_you_mean(ref, qual_units)}",
                                           subject=ref))
    _check_theme(source, refs.root, diagnostics)
    for key, what in (("networks", "network"), ("goals", "goal")):
        items = data.get(key) if isinstance(data.get(key), list) else []
        _duplicates(source, list(enumerate(items)), "id", what, diagnostics, (key,))
    sa = data.get("self_assessment") if isinstance(data.get("self_assessment"), dict) else {}
    for ai, area in enumerate(sa.get("areas") or [] if isinstance(sa.get("areas"), list) else []):
        for gi, gid in _ref_list(area, "goals"):
            if gid not in refs.goals:
                _unknown("unknown-goal", source, ("self_assessment", "areas", ai, "goals", gi), "goal", gid, refs.goals, diagnostics)


def _check_theme(source: Source, root, diagnostics):
    """site.theme must name a folder: a missing theme would silently publish the default look."""
    site = source.data.get("site") if isinstance(source.data.get("site"), dict) else {}
    theme = site.get("theme")
    if isinstance(theme, str) and theme and root is not None and not (Path(root) / theme).is_dir():
        diagnostics.append(finding("unknown-theme", source.file, source.pos(("site", "theme")),
                                   f"site.theme: no folder '{_clip(theme)}' next to portfolio.yaml", subject=theme))


def check_contact(source: Source, refs: References, diagnostics):
    data = source.data
    for i, nid in _ref_list(data, "networks") if refs.plan_known else []:
        if nid not in refs.networks:
            _unknown("unknown-network", source, ("networks", i), "network", nid, refs.networks, diagnostics)
    for i, gid in _ref_list(data, "goals") if refs.plan_known else []:
        if gid not in refs.goals:
            _unknown("unknown-goal", source, ("goals", i), "goal", gid, refs.goals, diagnostics)
    intro = data.get("introduced_by")
    if isinstance(intro, str) and intro not in refs.contacts:
        _unknown("unknown-contact", source, ("introduced_by",), "contact", intro, refs.contacts, diagnostics)
    if refs.erased(source.id):
        diagnostics.append(finding(
            "erased-contact", source.file, source.pos(("consent", "erasure_requested")),
            f"this contact asked to be forgotten on {data['consent']['erasure_requested']} but is still on file",
            subject=source.id))


def _check_contact_ref(source, path, cid, refs, diagnostics):
    if cid not in refs.contacts:
        _unknown("unknown-contact", source, path, "contact", cid, refs.contacts, diagnostics)
    elif refs.erased(cid):
        diagnostics.append(finding("erased-contact", source.file, source.value_at(path),
                                   f"contact '{cid}' asked to be forgotten and must not be referenced", subject=cid))


def check_entry(source: Source, refs: References, diagnostics):
    data = source.data
    for i, cid in _ref_list(data, "contacts"):
        _check_contact_ref(source, ("contacts", i), cid, refs, diagnostics)
    witness = data.get("witness") if isinstance(data.get("witness"), dict) else {}
    if isinstance(witness.get("contact"), str):
        _check_contact_ref(source, ("witness", "contact"), witness["contact"], refs, diagnostics)
    for i, nid in _ref_list(data, "networks") if refs.plan_known else []:
        if nid not in refs.networks:
            _unknown("unknown-network", source, ("networks", i), "network", nid, refs.networks, diagnostics)
    for i, gid in _ref_list(data, "goals") if refs.plan_known else []:
        if gid not in refs.goals:
            _unknown("unknown-goal", source, ("goals", i), "goal", gid, refs.goals, diagnostics)
    for i, ref in _ref_list(data, "criteria") if refs.units_known else []:
        unit, _, crit = ref.rpartition(":")
        if not unit:
            continue  # the schema's pattern reports the shape
        if unit not in refs.units:
            diagnostics.append(finding("unknown-criterion", source.file, source.value_at(("criteria", i)),
                                       f"no unit '{_clip(unit)}' in your frameworks{did_you_mean(unit, refs.units)}", subject=ref))
        elif crit not in refs.units[unit]:
            diagnostics.append(finding("unknown-criterion", source.file, source.value_at(("criteria", i)),
                                       f"unit {unit} has no criterion '{_clip(crit)}'{did_you_mean(crit, refs.units[unit])}",
                                       subject=ref))
    attachments = data.get("attachments") if isinstance(data.get("attachments"), list) else []
    for i, att in enumerate(attachments):
        if isinstance(att, dict) and isinstance(att.get("path"), str):
            check_attachment(source, ("attachments", i, "path"), att["path"], refs.root, diagnostics)


def check_attachment(source, path, rel, root: Path, diagnostics):
    target = (root / rel)
    try:
        inside = Path(rel).is_absolute() is False and target.resolve().is_relative_to(root.resolve())
        exists = inside and target.is_file()
    except (OSError, RuntimeError, ValueError) as exc:
        # not a path the system can look up: saying "outside" or "does not exist" would mislead
        why = ("it contains a NUL character" if isinstance(exc, ValueError) else
               "a symbolic link on it loops" if isinstance(exc, RuntimeError) else (exc.strerror or str(exc)).lower())
        diagnostics.append(finding("missing-attachment", source.file, source.value_at(path),
                                   f"attachment '{_clip(rel)}' is not a usable file path: {why}", subject=rel))
        return
    if not inside:
        diagnostics.append(finding("attachment-outside-repository", source.file, source.value_at(path),
                                   f"attachment '{_clip(rel)}' is outside the portfolio folder", subject=rel))
    elif (private := _private_part(target.resolve().relative_to(root.resolve()))) is not None:
        diagnostics.append(finding("attachment-outside-repository", source.file, source.value_at(path),
                                   f"attachment '{_clip(rel)}' is {private}, not evidence: "
                                   "attachments are published as they are", subject=rel,
                                   hint="attach a file from evidence/; the site already shows your records, "
                                        "with unpublished names hidden"))
    elif not exists:
        what = "is a folder, not a file" if target.is_dir() else "does not exist"
        diagnostics.append(finding("missing-attachment", source.file, source.value_at(path),
                                   f"attachment '{_clip(rel)}' {what}", subject=rel))


def _private_part(rel: Path) -> str | None:
    """Why a file inside the portfolio must never be copied into the site as it is, or None.

    Records hold what the site hides (contacts' channels, unpublished names); hidden folders hold
    git's configuration and the build cache."""
    parts = rel.parts
    if any(p.startswith(".") for p in parts):
        return "a hidden file (its folder or name starts with '.')"
    if parts and parts[0] in ("contacts", "entries") or parts == ("portfolio.yaml",):
        return "one of your record files"
    return None


def validate_file(source: Source, diagnostics: list) -> bool:
    """The per-file half: the file's name and its schema. True when the record is schema-valid."""
    _check_file_name(source, diagnostics)
    return isinstance(source.data, dict) and schema_diagnostics(source, diagnostics)


def validate_references(sources: Sources, diagnostics: list, memo: dict | None = None) -> None:
    """The cross-file half: every reference between the records. Always re-run by the incremental build (a
    reference may break because another file changed). Records with schema errors are checked too, so that
    a learner sees every problem of a file at once, not one layer per run; the checks read the data
    defensively.

    `memo` (the cache's `references`, kept by a serve session): an entry's findings depend only on its own
    file and on the records it names things in (portfolio.yaml, the frameworks, the contacts), so an entry
    whose bytes and those records' are as they were gives its last findings again. Not an entry that
    attaches files: whether they exist is a question for the disk each time."""
    from .assessment import refs as assessment
    refs = References(sources)
    refs.root = sources.root
    ar = assessment.AssessmentRefs(sources, refs)
    parsed = [s for s in sources.all() if isinstance(s.data, dict)]
    basis = None
    if memo is not None:
        against = [sources.portfolio] if sources.portfolio else []
        basis = hashlib.sha256(repr((str(sources.root), [(s.file, s.digest) for s in
                                                        against + sources.frameworks + sources.contacts])
                                    ).encode()).hexdigest()
        now: dict = {}
    for source in parsed:
        if source.kind == "framework":
            check_framework(source, diagnostics)
        elif source.kind == "portfolio":
            check_portfolio(source, refs, diagnostics)
            assessment.check_portfolio(source, diagnostics)
        elif source.kind == "contact":
            check_contact(source, refs, diagnostics)
        elif source.kind == "assessment":
            assessment.check_assessment(source, ar, diagnostics)
        elif source.kind == "iqa":
            assessment.check_iqa(source, ar, diagnostics)
        elif basis is None or source.data.get("attachments"):
            _entry_references(source, refs, ar, diagnostics)
        else:
            kept = memo.get(source.file)
            if kept is None or kept[:2] != (source.digest, basis):
                kept = (source.digest, basis, [])
                _entry_references(source, refs, ar, kept[2])
            now[source.file] = kept
            diagnostics.extend(kept[2])
    if basis is not None:   # only the entries there are now
        memo.clear()
        memo.update(now)
    check_evidence_refs(sources.root, [s for s in parsed if s.kind == "entry"], diagnostics)


def _entry_references(source, refs: References, ar, diagnostics: list) -> None:
    from .assessment import refs as assessment
    check_entry(source, refs, diagnostics)
    assessment.check_entry(source, ar, diagnostics)


def check_evidence_refs(root, entries, diagnostics) -> None:
    """Two entries may not share an evidence reference; the ledger of issued references must be readable
    (a malformed reference in an entry is the schema's to report)."""
    from . import evidence_refs
    by_ref: dict = {}
    for source in entries:
        ref = source.data.get("ref")
        if evidence_refs.number(ref) is not None:
            by_ref.setdefault(ref, []).append(source)
    for ref, holders in sorted(by_ref.items()):
        for source in holders[1:] if len(holders) > 1 else []:
            diagnostics.append(finding("duplicate-ref", source.file, source.value_at(("ref",)),
                                       f"evidence reference {ref} is also {holders[0].file}'s", subject=ref))
    ledger = evidence_refs.read_ledger(root)
    if ledger.problem:
        diagnostics.append(finding("malformed-ref", evidence_refs.LEDGER, (1, 1), ledger.problem))


_VALID = ((), True)   # what check_early gives for a valid record with a valid name: one tuple for all


def check_early(source: Source):
    """(diagnostics, valid) of `validate_file`, for the record where it is loaded (the load's workers:
    generator/load.py); `validate` takes it, as it depends on the file alone, instead of checking again.
    None when it raised: `validate` meets that again where it always did."""
    found: list = []
    try:
        ok = validate_file(source, found)
    except Exception:   # noqa: BLE001
        return None
    return _VALID if ok and not found else (found, ok)


check_early.VALID = _VALID


def validate(sources: Sources, diagnostics: list, memo=None) -> set:
    """Validate every record; return the set of files whose records are schema-valid.

    `memo` (the build cache) saves validating a file again whose bytes are unchanged:
    `memo.recall_checked(source)` gives its earlier (diagnostics, valid) or None, and
    `memo.remember_checked(source, diagnostics, valid)` is told each result. References across files
    are always checked afresh (an unchanged file can name a contact another edit removed)."""
    valid = set()
    early = getattr(sources, "early", {})
    for source in sources.all():
        hit = early[source.file][0] if source.file in early else None   # checked where it was loaded (`check_early`)
        if hit is not None:
            if memo is not None:
                memo.remember_checked(source, *hit)
        elif memo is not None:
            hit = memo.recall_checked(source)
        if hit is None:
            found: list = []
            ok = validate_file(source, found)
            if memo is not None:
                memo.remember_checked(source, found, ok)
        else:
            found, ok = hit
        diagnostics.extend(found)
        if ok:
            valid.add(source.file)
    validate_references(sources, diagnostics, getattr(memo, "references", None))
    return valid
