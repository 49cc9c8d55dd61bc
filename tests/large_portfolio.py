"""A portfolio as large as the matrix pages must handle: 48 chosen units with long titles, one unit of
hundreds of criteria with long texts, hundreds of entries with long titles, each citing several units.
Written from tests/factory.py's base portfolio (its contact, networks and goal), deterministic."""
from __future__ import annotations

import random
from pathlib import Path

import yaml

from factory import write_portfolio

UNITS = 48
BIG_UNIT_CRITERIA = 200
ENTRIES = 200
LONG = ("an exceptionally long and detailed description of managing a cross-functional operational "
        "improvement programme with many stakeholders")


def unit_ref(i: int) -> str:
    return f"L/{600 + i:03d}/{1000 + i:04d}"


def framework() -> dict:
    units = []
    for i in range(UNITS):
        n = BIG_UNIT_CRITERIA if i == 0 else 3 + i % 9
        outcomes = []
        for o in range(1, 1 + (n + 9) // 10):
            crits = [{"id": f"{o}.{k}", "text": f"Criterion {o}.{k}: {LONG} ({i}-{o}-{k})"}
                     for k in range(1, 11) if (o - 1) * 10 + k <= n]
            outcomes.append({"id": str(o), "text": f"Outcome {o} of unit {i + 1}", "criteria": crits})
        units.append({"ref": unit_ref(i), "title": f"Unit {i + 1}: {LONG}", "level": 4, "credits": 3,
                      "group": "A", "outcomes": outcomes})
    return {"title": "Large test qualification", "awarding_body": "Test Body", "number": "000/0000/9", "level": 4,
            "valid_from": "2020-01-01", "valid_until": "2030-12-31",
            "rules": {"min_total": 3, "groups": [{"group": "A", "title": "Any", "min": 3}]}, "units": units}


def write(root: Path, seed: int = 7) -> Path:
    rng = random.Random(seed)
    fw = framework()
    refs = [(u["ref"], c["id"]) for u in fw["units"] for o in u["outcomes"] for c in o["criteria"]]
    big = [r for r in refs if r[0] == unit_ref(0)]
    files = {"criteria/test-qual.yaml": yaml.safe_dump(fw, sort_keys=False),
             "entries/2026-09-10-breakfast.md": None}
    portfolio = yaml.safe_load(write_portfolio(root, minimal=True).joinpath("portfolio.yaml").read_text("utf-8"))
    portfolio["qualification"]["units"] = [u["ref"] for u in fw["units"]]
    files["portfolio.yaml"] = yaml.safe_dump(portfolio, sort_keys=False)
    for i in range(ENTRIES):
        cited = rng.sample(big, 3) + rng.sample(refs, 4)
        date = f"2026-{1 + i % 8:02d}-{1 + (i * 7) % 28:02d}"
        front = {"title": f"Entry {i}: {LONG}", "date": date,
                 "kind": "reflection", "methods": ["face-to-face"],
                 "criteria": sorted({f"{u}:{c}" for u, c in cited})}
        files[f"entries/{date}-e{i:04d}.md"] = "---\n" + yaml.safe_dump(front, sort_keys=False, width=1000) + "---\nNotes.\n"
    return write_portfolio(root, files, minimal=True)
