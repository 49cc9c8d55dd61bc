#!/usr/bin/env python3
"""Transcribe the ProQual Level 4 NVQ Diploma in Management into YAML.

Reads the text extraction of the qualification specification (the "seed",
a PDF-to-text dump) and writes ``criteria/proqual-l4-nvq-diploma-management.yaml``
in the generator's framework format (see generator/schemas/framework.schema.json).

    .venv/bin/python tools/extract_criteria.py [--seed PATH] [--out PATH] [--report]

How it works
------------
1. The qualification profile, credit rules, evidence list and the summary table
   of units (groups A, B, C: ref, title, level, credits) are parsed from the
   front matter of the seed.
2. Every unit page ("Unit X/999/9999", title, outcome/criterion table) is cut
   out of the seed.  Before parsing, the explicit, commented list of
   unit-specific repairs in ``REPAIRS`` is applied to the seed lines (each
   repair checks that the seed line still reads exactly as expected, and that
   it only re-arranges the words: it never changes the wording).
3. Each unit's table is flattened into a single token stream.  The generic
   clean-up removes the extraction's layout artefacts only: repeated page
   headers ("Learning Outcome - The learner will:" / "Assessment Criterion -
   The learner can:"), HTML ``<p>`` fragments, markdown-table pipes and rules,
   list bullets, tabs and runs of whitespace.  The stream is then split at the
   outcome numbers ("3") and criterion numbers ("3.4").
4. The parser is strict: outcomes must run 1..n, the criteria of outcome k must
   run k.1..k.m, and no text may be empty.  Anything else is an error, so a
   damaged table that is not covered by ``REPAIRS`` stops the script instead of
   producing silently wrong data.
5. A unit printed twice (identical blocks) is kept once; any other duplicate
   is an error.  The unit page's own title is used as ``title``; the summary
   table's title is kept as ``summary_title`` only where it differs.

The output is deterministic (no timestamps, fixed key order).  Every repair is
listed, with its seed line, in criteria/NOTES.md; ``--report`` prints the
generic clean-ups and repairs that were applied.
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SEED = REPO_ROOT.parent / "shared" / "seeds" / "003_91bdc591f1f65ba7.txt"
DEFAULT_OUT = REPO_ROOT / "criteria" / "proqual-l4-nvq-diploma-management.yaml"
SEED_LABEL = "../shared/seeds/003_91bdc591f1f65ba7.txt"
SCHEMA_REF = "../generator/schemas/framework.schema.json"

REF_RE = r"[A-Z]/\d{3}/\d{4}"
HEADER_LO = "Learning Outcome - The learner will:"
HEADER_AC = "Assessment Criterion - The learner can:"
FOOTER_RE = re.compile(r"^ProQual Awarding Body$")

# ---------------------------------------------------------------------------
# Unit-specific repairs.  Line numbers are 1-based line numbers in the seed.
# Every repair re-arranges text that is already in the seed; ``apply_repairs``
# checks that the words (ignoring the numbering) are unchanged.
#
#   ("replace", line, old, new)
#       the seed line must read exactly ``old``; it is replaced by ``new``.
#   ("move_outcome_title", line, after_line)
#       the seed line reads "<n> <outcome title>\t<criterion of outcome n-1>":
#       the outcome title was pushed into the row of the previous outcome's
#       criterion by a page break.  The leading "<n> <title>" cell is cut off
#       and re-inserted as a row of its own after seed line ``after_line``
#       (i.e. after the last criterion of outcome n-1).
# ---------------------------------------------------------------------------
REPAIRS: dict[str, list[tuple]] = {
    # Y/506/1955 Develop and implement an operational plan, seed lines 253-255
    # (markdown table after a page break).  The criterion-number column is
    # shifted down by one row: outcome 4's title sits in the criterion column
    # next to "4.1", the text of 4.1 sits next to "4.2", and the text of 4.2
    # has no number at all.  Shift the numbers back up.
    "Y/506/1955": [
        ("replace", 253,
         "| 4 | 4.1 | Be able to evaluate the effectiveness of an operational plan |",
         "| 4 | | Be able to evaluate the effectiveness of an operational plan |"),
        ("replace", 254,
         "| | 4.2 | Conduct periodic reviews of the progress and effectiveness of the plans, using information from a range of sources |",
         "| | 4.1 | Conduct periodic reviews of the progress and effectiveness of the plans, using information from a range of sources |"),
        ("replace", 255,
         "| | | Report on the effectiveness of operational plans in the appropriate format |",
         "| | 4.2 | Report on the effectiveness of operational plans in the appropriate format |"),
    ],
    # M/506/1959 Manage events.  After the page break at seed line 920 the
    # title of outcome 3 shares a row with criterion 2.8 (line 921), and the
    # title of outcome 4 shares a row with criterion 3.7 (line 928).
    "M/506/1959": [
        ("move_outcome_title", 921, 921),
        ("move_outcome_title", 928, 928),
    ],
    # R/506/2909 Recruitment, selection and induction practice.  After the
    # page break at seed line 814 the title of outcome 3 shares a row with
    # criterion 2.6 (line 815; 2.7 follows on line 816), and the title of
    # outcome 4 shares a row with criterion 3.6 (line 822).
    "R/506/2909": [
        ("move_outcome_title", 815, 816),
        ("move_outcome_title", 822, 822),
    ],
}

# Units printed more than once in the seed.  The duplicate block must be
# identical to the first one; it is dropped.
#   F/506/2176 Review the quality of customer service: seed lines 933-947 and
#   again 949-963 (identical).
EXPECTED_DUPLICATES = {"F/506/2176"}

# Evidence list of the seed (section "Assessment", "Evidence can include:")
# mapped to the generator's fixed evidence-type ids.  The label is the seed's
# own wording and is checked against the seed.
EVIDENCE_IDS = [
    ("observation", "observation report by assessor"),
    ("assignment", "assignments/projects/reports"),
    ("professional-discussion", "professional discussion"),
    ("witness-testimony", "witness testimony"),
    ("product", "candidate product"),
    ("worksheet", "worksheets"),
    ("questioning", "record of oral and written questioning"),
    ("prior-learning", "Recognition of Prior Learning"),
]


class ExtractionError(Exception):
    pass


def norm_ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def words(lines: list[str]) -> Counter:
    """Multiset of the words of some seed lines, ignoring numbering/layout."""
    out: Counter = Counter()
    for line in lines:
        for w in re.split(r"[\s|]+", line):
            if w and not re.fullmatch(r"\d+(\.\d+)?|-+", w):
                out[w] += 1
    return out


# ---------------------------------------------------------------------------
# Front matter
# ---------------------------------------------------------------------------

def profile_value(lines: list[str], label: str) -> str:
    """A field of the 'Qualification Profile' table (not the contents list)."""
    start = next(i for i, l in enumerate(lines) if l.startswith("Qualification Profile"))
    for line in lines[start:]:
        if line.startswith(label + "\t"):
            return line.split("\t", 1)[1].strip()
    raise ExtractionError(f"profile field {label!r} not found")


def parse_date(text: str) -> dt.date:
    d, m, y = (int(x) for x in text.split("/"))
    return dt.date(y, m, d)


def parse_front_matter(lines: list[str]) -> dict:
    text = "\n".join(lines)
    fw: dict = {}
    fw["title"] = profile_value(lines, "Qualification title")
    m = re.search(r"The awarding body for this qualification is (.+?) and the "
                  r"regulatory body is the .+? \((\w+)\)", text)
    if not m:
        raise ExtractionError("awarding body / regulator sentence not found")
    fw["awarding_body"], fw["regulator"] = m.group(1), m.group(2)
    fw["number"] = profile_value(lines, "Ofqual qualification number")
    fw["level"] = int(profile_value(lines, "Level"))
    fw["valid_from"] = parse_date(profile_value(lines, "Qualification start date"))
    fw["valid_until"] = parse_date(profile_value(lines, "Qualification end date"))
    tqt = re.fullmatch(r"(\d+) hours", profile_value(lines, "Total qualification time"))
    fw["total_qualification_time"] = int(tqt.group(1))
    fw["guided_learning_hours"] = int(profile_value(lines, "Guided learning hours"))
    assessment = profile_value(lines, "Assessment")
    if not assessment.startswith("Pass or fail "):
        raise ExtractionError(f"unexpected assessment field {assessment!r}")
    fw["grading"] = "Pass or fail"
    # Introduction, first paragraph (seed line 25).
    intro = lines.index("Introduction")  # the heading; the contents line has a tab
    fw["description"] = next(l for l in lines[intro + 1:] if l.strip()).strip()

    m = re.search(
        r"Candidates must achieve a minimum of \*\*(\d+) credits\*\*: \*\*(\d+) credits\*\* "
        r"from the \*\*Group A Mandatory\*\* units and a minimum of \*\*(\d+) credits\*\* "
        r"from \*\*Group B Optional\*\* units\. A maximum of (\d+) credits can come from "
        r"Optional Group C\.", text)
    if not m:
        raise ExtractionError("credit rules sentence not found")
    total, a, b_min, c_max = (int(x) for x in m.groups())
    fw["rules"] = {
        "min_total": total,
        "groups": [
            {"group": "A", "title": "Mandatory units", "mandatory": True, "min": a},
            {"group": "B", "title": "Optional units", "min": b_min},
            {"group": "C", "title": "Optional units", "max": c_max},
        ],
    }

    start = lines.index("Evidence can include:")
    seed_evidence = []
    for line in lines[start + 1:]:
        if line.startswith("- "):
            seed_evidence.append(line[2:].strip())
        elif seed_evidence and line.strip():
            break
    if seed_evidence != [label for _, label in EVIDENCE_IDS]:
        raise ExtractionError(f"evidence list differs from EVIDENCE_IDS: {seed_evidence}")
    fw["evidence_types"] = [{"id": i, "label": label} for i, label in EVIDENCE_IDS]
    return fw


def parse_summary_table(lines: list[str]) -> list[dict]:
    """Rows of the 'Qualification Structure' tables, in order, with group."""
    rows: list[dict] = []
    group = None
    row_re = re.compile(rf"^({REF_RE})\t(.+?)\t(\d+)\t(\d+)\s*$")
    for line in lines:
        if line.startswith("Centre Requirements"):
            break
        g = re.match(r"^Group ([ABC]) - ", line)
        if g:
            group = g.group(1)
            continue
        r = row_re.match(line)
        if r:
            if group is None:
                raise ExtractionError(f"unit row before any group: {line!r}")
            rows.append({"ref": r.group(1), "summary_title": r.group(2).strip(),
                         "level": int(r.group(3)), "credits": int(r.group(4)),
                         "group": group})
    return rows


# ---------------------------------------------------------------------------
# Unit pages
# ---------------------------------------------------------------------------

def apply_repairs(lines: list[str], log: list[str]) -> list[list[str]]:
    """Return the seed as a list of 'slots' (one per seed line, each a list of
    replacement lines) with REPAIRS applied.  Slot i is seed line i+1."""
    slots = [[line] for line in lines]
    for ref, repairs in REPAIRS.items():
        for repair in repairs:
            kind = repair[0]
            if kind == "replace":
                _, ln, old, new = repair
                if lines[ln - 1] != old:
                    raise ExtractionError(f"{ref}: seed line {ln} is not {old!r}")
                if words([old]) != words([new]):
                    raise ExtractionError(f"{ref}: repair of line {ln} changes wording")
                slots[ln - 1] = [new if x == old else x for x in slots[ln - 1]]
                log.append(f"{ref}: seed line {ln}: renumbered row")
            elif kind == "move_outcome_title":
                _, ln, after = repair
                m = re.fullmatch(r"(\d+ [^\t]+)\t(.+)", lines[ln - 1])
                if not m:
                    raise ExtractionError(f"{ref}: seed line {ln} has no leading outcome cell")
                title_cell, rest = m.groups()
                slots[ln - 1] = [("\t" + rest) if x == lines[ln - 1] else x
                                 for x in slots[ln - 1]]
                slots[after - 1] = slots[after - 1] + [title_cell]
                log.append(f"{ref}: seed line {ln}: outcome title {title_cell!r} "
                           f"moved after seed line {after}")
            else:
                raise ExtractionError(f"unknown repair kind {kind!r}")
    return slots


def clean_cells(line: str) -> list[str]:
    """Generic clean-up of one line of a unit table: the extraction's layout
    artefacts are removed, the text itself is left alone."""
    line = line.replace(HEADER_LO, "\t").replace(HEADER_AC, "\t")
    line = line.replace("<p>", "\t").replace("</p>", "\t")
    cells = []
    for cell in re.split(r"[\t|]", line):
        cell = cell.strip()
        cell = re.sub(r"^-\s+", "", cell)      # markdown list bullet "- 3.4 ..."
        if not cell or re.fullmatch(r"-+", cell):  # empty cells, table rules
            continue
        cells.append(cell)
    return cells


NUM_SPLIT = re.compile(r"(?:(?<=\s)|^)(\d+(?:\.\d+)?)(?=\s|$)")


def parse_table(ref: str, table_lines: list[str]) -> list[dict]:
    stream = " ".join(c for line in table_lines for c in clean_cells(line))
    parts = NUM_SPLIT.split(stream)
    if parts[0].strip():
        raise ExtractionError(f"{ref}: text before first number: {parts[0]!r}")
    outcomes: list[dict] = []
    for num, text in zip(parts[1::2], parts[2::2]):
        text = norm_ws(text)
        if not text:
            raise ExtractionError(f"{ref}: number {num} has no text")
        if "." not in num:
            if int(num) != len(outcomes) + 1:
                raise ExtractionError(f"{ref}: outcome {num} out of sequence")
            outcomes.append({"id": num, "text": text, "criteria": []})
        else:
            k, m = (int(x) for x in num.split("."))
            if not outcomes or k != len(outcomes):
                raise ExtractionError(f"{ref}: criterion {num} outside outcome "
                                      f"{len(outcomes)}: {text!r}")
            crit = outcomes[-1]["criteria"]
            if m != len(crit) + 1:
                raise ExtractionError(f"{ref}: criterion {num} out of sequence")
            crit.append({"id": num, "text": text})
    for o in outcomes:
        if not o["criteria"]:
            raise ExtractionError(f"{ref}: outcome {o['id']} has no criteria")
    return outcomes


def parse_units(lines: list[str], log: list[str]) -> dict[str, dict]:
    slots = apply_repairs(lines, log)
    start = lines.index("Learning Outcomes and Assessment Criteria",
                        lines.index("Certification"))
    unit_re = re.compile(rf"^Unit ({REF_RE})(?:\s+(.*\S))?\s*$")
    heads = [i for i in range(start, len(lines)) if unit_re.match(lines[i])]
    end = next(i for i in range(heads[-1], len(lines)) if FOOTER_RE.match(lines[i]))
    units: dict[str, dict] = {}
    blocks: dict[str, list[str]] = {}
    for n, head in enumerate(heads):
        stop = heads[n + 1] if n + 1 < len(heads) else end
        ref, inline_title = unit_re.match(lines[head]).groups()
        raw_block = lines[head + 1:stop]
        if ref in units:
            if ref not in EXPECTED_DUPLICATES or raw_block != blocks[ref]:
                raise ExtractionError(f"{ref}: unexpected second copy at seed line {head + 1}")
            log.append(f"{ref}: duplicate copy at seed lines {head + 1}-{stop} dropped")
            continue
        blocks[ref] = raw_block
        body = [x for slot in slots[head + 1:stop] for x in slot]
        if inline_title:
            title = inline_title
            log.append(f"{ref}: title on the 'Unit' line (seed line {head + 1})")
        else:
            k = next(i for i, x in enumerate(body) if x.strip())
            title = body[k].strip()
            body = body[k + 1:]
        hdr = next(i for i, x in enumerate(body) if x.strip())
        if not body[hdr].startswith(HEADER_LO):
            raise ExtractionError(f"{ref}: table header not found after title")
        units[ref] = {"ref": ref, "title": norm_ws(title),
                      "outcomes": parse_table(ref, body), "seed_line": head + 1}
        generic = []
        text = "\n".join(raw_block)
        if "<p>" in text:
            generic.append("<p>")
        if re.search(r"^\|", text, re.M):
            generic.append("markdown table")
        if text.count(HEADER_LO) > 1:
            generic.append("page header(s)")
        if re.search(r"^- ", text, re.M):
            generic.append("bullets")
        if generic:
            log.append(f"{ref}: generic clean-up: {', '.join(generic)}")
    return units


# ---------------------------------------------------------------------------
# Assemble and write
# ---------------------------------------------------------------------------

def build(seed_text: str, log: list[str]) -> dict:
    lines = seed_text.split("\n")
    fw = parse_front_matter(lines)
    summary = parse_summary_table(lines)
    pages = parse_units(lines, log)
    if [r["ref"] for r in summary] != list(pages):
        missing = set(r["ref"] for r in summary) ^ set(pages)
        if missing:
            raise ExtractionError(f"summary table and unit pages differ: {sorted(missing)}")
        log.append("note: unit pages are not in summary-table order; summary order used")
    units = []
    for row in summary:
        page = pages[row["ref"]]
        unit = {"ref": row["ref"], "title": page["title"]}
        if row["summary_title"] != page["title"]:
            unit["summary_title"] = row["summary_title"]
            log.append(f"{row['ref']}: title differs: page {page['title']!r} "
                       f"(seed line {page['seed_line']}) vs summary {row['summary_title']!r}")
        unit.update(level=row["level"], credits=row["credits"], group=row["group"],
                    outcomes=page["outcomes"])
        units.append(unit)

    # Cross-checks of the rules against the table.
    rules = fw["rules"]
    by_group = Counter()
    for u in units:
        by_group[u["group"]] += u["credits"]
    if by_group["A"] != rules["groups"][0]["min"]:
        raise ExtractionError(f"group A credits {by_group['A']} != rule")

    out = {k: fw[k] for k in ("title", "awarding_body", "regulator", "number", "level",
                              "valid_from", "valid_until", "total_qualification_time",
                              "guided_learning_hours", "grading", "description",
                              "rules", "evidence_types")}
    out["units"] = units
    return out


class QuotedStr(str):
    """A string always written in double quotes (ids)."""


class Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        # indent block sequences under their key ("  - ref: ...")
        return super().increase_indent(flow, False)

    def ignore_aliases(self, data):
        return True


Dumper.add_representer(
    QuotedStr, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style='"'))


def quote_ids(obj):
    if isinstance(obj, dict):
        return {k: (QuotedStr(v) if k == "id" and isinstance(v, str)
                    and re.fullmatch(r"\d+(\.\d+)?", v) else quote_ids(v))
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [quote_ids(x) for x in obj]
    return obj


def dump(data: dict) -> str:
    body = yaml.dump(quote_ids(data), Dumper=Dumper, sort_keys=False,
                     default_flow_style=False, allow_unicode=True, width=100000, indent=2)
    body = re.sub(r"^(valid_from: \S+)$", r"\1  # qualification start date", body,
                  count=1, flags=re.M)
    body = re.sub(r"^(valid_until: \S+)$",
                  r"\1  # qualification end date (operational end; last date for registration)",
                  body, count=1, flags=re.M)
    header = (f"# yaml-language-server: $schema={SCHEMA_REF}\n"
              f"# Generated by tools/extract_criteria.py from {SEED_LABEL} — see criteria/NOTES.md\n"
              "# Do not edit by hand: change the script's REPAIRS and re-run it.\n")
    return header + body


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=Path, default=DEFAULT_SEED)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--report", action="store_true",
                    help="print the clean-ups and repairs applied to stderr")
    args = ap.parse_args(argv)
    log: list[str] = []
    try:
        data = build(args.seed.read_text(encoding="utf-8"), log)
    except ExtractionError as e:
        print(f"extract_criteria: {e}", file=sys.stderr)
        return 1
    text = dump(data)
    if yaml.safe_load(text)["units"] != quote_ids(data)["units"]:
        print("extract_criteria: YAML round trip failed", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8", newline="\n")
    n_out = sum(len(u["outcomes"]) for u in data["units"])
    n_crit = sum(len(o["criteria"]) for u in data["units"] for o in u["outcomes"])
    credits = Counter()
    for u in data["units"]:
        credits[u["group"]] += u["credits"]
    print(f"wrote {args.out}: {len(data['units'])} units, {n_out} outcomes, "
          f"{n_crit} criteria; credits " +
          ", ".join(f"{g}={credits[g]}" for g in sorted(credits)))
    if args.report:
        for entry in log:
            print(entry, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
