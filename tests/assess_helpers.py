"""The rules' baseline portfolio (rules_helpers.Folio) with an assessor, an IQA and assessment records."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import yaml

from rules_helpers import Folio


def sha(text: str) -> str:
    """The documented entry hash, computed here independently: UTF-8 of the text with LF line endings,
    without the front matter's top-level `ref: E…` line (docs/assessment.md)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[0] == "---" and "---" in lines[1:]:
        end = lines.index("---", 1)
        lines = [x for i, x in enumerate(lines) if not (0 < i < end and re.fullmatch(r"ref: *E\d+ *", x))]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


class AFolio(Folio):
    def __init__(self, root: Path):
        super().__init__(root)
        self.portfolio["assessment"] = {"assessors": [{"id": "gp", "name": "Graham Pike"}],
                                        "iqas": [{"id": "lm", "name": "Leonie Marsh"}]}
        self.assessments: dict = {}
        self.iqa: dict = {}

    def entry_text(self, eid) -> str:
        front, body = self.entries[eid]
        return "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n" + body

    def decide(self, aid, refs, eids, outcome="met", date="2026-03-25", **extra) -> dict:
        """A decision on `refs` judging entries `eids` as they are now."""
        crits = [r for r in refs if ":" in r]
        units = [r for r in refs if ":" not in r]
        rec = {"date": date, "assessor": "gp", "outcome": outcome, "methods": ["product"],
               **({"criteria": crits} if crits else {}), **({"units": units} if units else {}),
               "evidence": [{"path": f"entries/{e}.md", "sha256": sha(self.entry_text(e))} for e in eids], **extra}
        self.assessments[aid] = rec
        return rec

    def write(self) -> Path:
        root = super().write()
        for folder, records in (("assessments", self.assessments), ("iqa", self.iqa)):
            if records:
                (root / folder).mkdir(exist_ok=True)
            for rid, data in records.items():
                (root / folder / f"{rid}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
        return root
