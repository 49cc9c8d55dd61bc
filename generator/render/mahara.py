"""A framework as a Mahara SmartEvidence `.matrix` file, so a centre that uses Mahara can import it.

The structure is Mahara's own (htdocs/module/framework in MaharaProject/mahara; docs/exports.md):
`{"framework": {name, institution, description, selfassess, evidencestatuses, standards,
standardelements}}`. Units become *standards*; each learning outcome becomes a top-level *standard
element* and its assessment criteria become elements under it (`parentelementid`). What Mahara's
importer does with the file, and so what this module must respect:

- `matrix_is_valid_json` only needs `framework.name`; it then files each element under the standard
  whose `standardid` is *identical* (PHP `===`): both are JSON integers here.
- `Framework::commit` numbers standards and elements by their order in the file (that is their
  `priority`): the file keeps the framework's order.
- An element's parent is found by searching the `elementid`s of the elements inserted *before* it, with
  PHP's loose `==`: a parent comes before its children, and no two `elementid`s may be loosely equal
  ("1.1" == "1.10" in PHP, as both read as numbers). See `element_ids`.
- Field sizes are the database's: `shortname` 100 characters, `name` 255, `description` text. A name
  too long to fit is cut (with "…"); the description always holds the full wording.
- Descriptions are shown as HTML (Mahara's shipped matrices hold markup), so text is escaped here (the
  framework's own description is Markdown, rendered as on the site: raw HTML off).

Only the framework is exported: no learner, entry or decision, so the file is the same for every learner.
"""
from __future__ import annotations

import html
import json

from .markdown import markdown

SHORTNAME_MAX = 100
NAME_MAX = 255
# Mahara's four evidence states (Framework::EVIDENCE_*), in order, worded as the portfolio's own states
EVIDENCE_STATUSES = (("begun", "Claimed: ready for assessment"), ("incomplete", "Not yet met"),
                     ("partialcomplete", "Partially met"), ("completed", "Met"))


def fit(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters (Mahara's column sizes count characters)."""
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _html(text: str) -> str:
    """Plain text as HTML paragraphs (a blank line starts a new one)."""
    paras = [" ".join(p.split()) for p in str(text or "").split("\n\n")]
    return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paras if p)


def _numeric(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def php_loose_equal(a: str, b: str) -> bool:
    """PHP 8's `a == b` for two strings: numerically when both are numeric strings, else as text."""
    if _numeric(a.strip()) and _numeric(b.strip()):
        return float(a) == float(b)
    return a == b


def element_ids(standard_no: int, outcomes: list) -> list[tuple[str, list[str]]]:
    """(outcome elementid, [its criteria's elementids]) for one standard, in Mahara's own convention
    ("S.O" for a top-level element, "S.O.C" under it), by position, not by the records' ids (which need
    not be numbers). With ten or more outcomes "S.1" and "S.10" would be one to Mahara's loose search,
    so the outcomes' ids then take a ".0" ("S.1.0", "S.10.0"), which PHP compares as text, and their
    criteria follow ("S.10.0.1"): a child's id is always its parent's and one more number."""
    wide = len(outcomes) >= 10
    out = []
    for k, criteria in enumerate(outcomes, start=1):
        parent = f"{standard_no}.{k}" + (".0" if wide else "")
        out.append((parent, [f"{parent}.{j}" for j in range(1, len(criteria) + 1)]))
    return out


def _unit_description(fw, unit) -> str:
    facts = [f"Level {unit.level}" if unit.level else "", f"{unit.credits} credits" if unit.credits else "",
             f"group {unit.group}" if unit.group else ""]
    facts = ", ".join(f for f in facts if f)
    return _html(f"{unit.ref} {unit.title}" + (f" ({facts})" if facts else ""))


def framework_dict(fw) -> dict:
    """The `.matrix` structure of one framework (a `generator.objects.Framework`)."""
    data = fw.data or {}
    facts = [f"{label}: {data[key]}" for key, label in (("awarding_body", "Awarding body"),
                                                         ("number", "Qualification number"),
                                                         ("level", "Level")) if data.get(key)]
    about = str(markdown(data.get("description") or "")) + (_html("; ".join(facts) + ".") if facts else "")
    standards, elements = [], []
    for s, unit in enumerate(fw.units, start=1):
        standards.append({"shortname": fit(unit.ref, SHORTNAME_MAX), "name": fit(unit.title or unit.ref, NAME_MAX),
                          "description": _unit_description(fw, unit), "standardid": s})
        ids = element_ids(s, [o.criteria for o in unit.outcomes])
        for o, (oid, cids) in zip(unit.outcomes, ids):
            elements.append({"shortname": fit(f"{unit.ref} LO{o.id}", SHORTNAME_MAX),
                             "name": fit(o.text or f"Learning outcome {o.id}", NAME_MAX),
                             "description": _html(f"Learning outcome {o.id}: {o.text}"),
                             "standardid": s, "elementid": oid})
            for c, cid in zip(o.criteria, cids):
                elements.append({"shortname": fit(c.ref, SHORTNAME_MAX), "name": fit(c.text or c.ref, NAME_MAX),
                                 "description": _html(f"{c.id} {c.text}"),
                                 "standardid": s, "elementid": cid, "parentelementid": oid})
    return {"framework": {
        "name": fit(fw.title or fw.id, NAME_MAX),
        "institution": "all",          # every institution of the site may use it; an admin can narrow it
        "description": about,
        "selfassess": False,           # the assessor decides, as in the portfolio
        "evidencestatuses": [{k: v} for k, v in EVIDENCE_STATUSES],
        "standards": standards,
        "standardelements": elements,
    }}


def matrix_bytes(fw) -> bytes:
    """The file's bytes: indented like Mahara's own export (JSON_PRETTY_PRINT), UTF-8, keys in a fixed order."""
    return (json.dumps(framework_dict(fw), ensure_ascii=False, indent=4) + "\n").encode("utf-8")
