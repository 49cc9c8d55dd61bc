"""The long-format CSV: one row per claim (an entry mapped to a criterion), for the whole portfolio.

A spreadsheet, a pivot table or a centre's tracking system reads this more easily than the per-unit
grids (matrix/<unit>.csv): one row per (entry, criterion), with the learner's mapping and the assessor's
position on that criterion side by side. Every value is the analysis's or the model's: this module
decides nothing. Cells go through generator/csvsafe.py, so none can run as a formula.
"""
from __future__ import annotations

from ..csvsafe import csv_bytes

HEADER = ["entry", "ref", "date", "title", "framework", "unit", "criterion", "evidenced", "state", "sampled by IQA",
          "decision", "outcome", "decision date", "decision judged this entry"]


def _iso(d) -> str:
    return d.isoformat() if d else ""


def claim_rows(model, analysis) -> list[list[str]]:
    """HEADER, then the claims: entries in the model's order (by date), each entry's criteria in the order
    the entry cites them. `evidenced` is whether the criterion has the evidence it needs (the learner's
    side); `state` and the decision columns are the assessor's side (the criterion's latest decision);
    `decision judged this entry` says whether that decision's evidence included this entry."""
    rows = [list(HEADER)]
    states = analysis.assessment
    for e in model.entries:
        judged_by = {id(d) for d, _changed in states.judging(e)} if states else set()
        for c in e.criteria:
            s = states.of(c) if states else None
            d = s.decision if s else None
            rows.append([e.slug, e.ref, _iso(e.date), e.title, c.unit.framework.id, c.unit.ref, c.ref,
                         "yes" if analysis.criterion(c).met else "no",
                         s.label if s else "", "yes" if s and s.sampled else "",
                         d.id if d else "", d.outcome if d else "", _iso(d.date) if d else "",
                         ("yes" if id(d) in judged_by else "no") if d else ""])
    return rows


def claims_csv(model, analysis, bom: bool = False) -> bytes:
    return csv_bytes(claim_rows(model, analysis), bom=bom)
