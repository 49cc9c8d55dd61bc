"""portfolio.json against its JSON Schema (generator/schemas/portfolio-site.schema.json): the fixture's
and the example's files validate, near misses do not, and the schema's enums stay in step with the
record schemas they copy (the site is only published when the records are valid)."""
from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from conftest import REPO
from generator.render import outputs

SCHEMAS = REPO / "generator" / "schemas"
SCHEMA = json.loads((SCHEMAS / "portfolio-site.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _errors(doc) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in VALIDATOR.iter_errors(doc)]


def _load(site):
    return json.loads((site / "portfolio.json").read_text(encoding="utf-8"))


def test_schema_is_draft_2020_12_and_is_what_portfolio_json_names():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"] == outputs.SCHEMA
    assert SCHEMA["properties"]["$schema"]["const"] == SCHEMA["$id"]


def _subschemas(node, path="#"):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            if key in ("properties", "$defs"):
                for name, sub in value.items():
                    yield from _subschemas(sub, f"{path}/{key}/{name}")
            elif key in ("items", "additionalProperties") and isinstance(value, dict):
                yield from _subschemas(value, f"{path}/{key}")
            elif key == "anyOf":
                for i, sub in enumerate(value):
                    yield from _subschemas(sub, f"{path}/anyOf/{i}")


def test_every_named_part_has_a_title_and_description():
    missing = []
    for path, node in _subschemas(SCHEMA):
        named = path == "#" or path.split("/")[-2] in ("properties", "$defs")
        if named and "$ref" not in node and not ("title" in node and "description" in node):
            missing.append(path)
    assert missing == []


def test_fixture_portfolio_json_is_valid(built_site):
    doc = _load(built_site)
    assert doc["$schema"] == SCHEMA["$id"]
    assert _errors(doc) == []


def test_example_portfolio_json_is_valid(example_site):
    assert _errors(_load(example_site)) == []


def _mutations():
    """Near misses, each of which the schema must refuse."""
    def channel(d):    # a contact's channels must never reach the output
        d["contacts"][0]["email"] = "someone@example.org"

    def private_id(d):
        d["contacts"][0]["id"] = "Zara_Quill"

    def bad_date(d):
        d["as_of"] = "30/09/2026"

    def missing(d):
        del d["summary"]

    def unknown_top(d):
        d["extra"] = 1

    def absolute_url(d):
        d["entries"][0]["url"] = "/entries/x.html"

    def escaping_url(d):
        d["entries"][0]["url"] = "../outside.html"

    def action_status(d):
        d["entries"][0]["actions"] = [{"do": "x", "due": None, "done": None, "outcome": "", "status": "late"}]

    def severity(d):
        d["diagnostics"][0]["severity"] = "fatal"

    def schema_id(d):
        d["$schema"] = "https://portfolio-generator.invalid/schemas/portfolio-site-1.json"

    def criterion_extra(d):
        d["frameworks"][0]["units"][0]["outcomes"][0]["criteria"][0]["secret"] = True

    return [channel, private_id, bad_date, missing, unknown_top, absolute_url, escaping_url, action_status,
            severity, schema_id, criterion_extra]


@pytest.mark.parametrize("mutate", _mutations(), ids=lambda f: f.__name__)
def test_near_misses_are_refused(built_site, mutate):
    doc = copy.deepcopy(_load(built_site))
    mutate(doc)
    assert _errors(doc)


# (path in portfolio-site.schema.json, record schema file, path in it) for every enum copied from the records
ENUMS = [
    ("properties/networks/items/properties/kind", "portfolio", "properties/networks/items/properties/kind"),
    ("properties/networks/items/properties/status", "portfolio", "properties/networks/items/properties/status"),
    ("properties/networks/items/properties/decision/properties/choice", "portfolio",
     "properties/networks/items/properties/decision/properties/choice"),
    ("properties/goals/items/properties/status", "portfolio", "properties/goals/items/properties/status"),
    ("properties/contacts/items/properties/relationship", "contact", "properties/relationship"),
    ("properties/contacts/items/properties/strength", "contact", "properties/strength"),
    ("properties/contacts/items/properties/status", "contact", "properties/status"),
    ("properties/contacts/items/properties/consent/properties/basis", "contact", "properties/consent/properties/basis"),
    ("properties/contacts/items/properties/reviews/items/properties/decision", "contact",
     "properties/reviews/items/properties/decision"),
    ("properties/entries/items/properties/kind", "entry", "properties/kind"),
    ("properties/entries/items/properties/methods/items", "entry", "properties/methods/items"),
    ("properties/entries/items/properties/evidence_types/items", "entry", "properties/evidence_type/anyOf/0"),
    ("properties/entries/items/properties/reflection", "entry", "properties/reflection"),
]


def _at(node, path):
    for part in path.split("/"):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


@pytest.mark.parametrize("mine,kind,theirs", ENUMS, ids=[e[0].split("properties/", 1)[1] for e in ENUMS])
def test_enums_match_the_record_schemas(mine, kind, theirs):
    record = json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))
    assert {v for v in _at(SCHEMA, mine)["enum"] if v is not None} == set(_at(record, theirs)["enum"])


def test_network_keys_match_the_record_schema():
    record = json.loads((SCHEMAS / "portfolio.schema.json").read_text(encoding="utf-8"))
    mine = set(SCHEMA["properties"]["networks"]["items"]["properties"])
    assert mine - {"contacts", "entries"} == set(record["properties"]["networks"]["items"]["properties"])
