"""Small helpers the gap rules share: where to point, and how to word dates and counts."""
from __future__ import annotations


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


def short(text: str, limit: int = 70) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def unit_ref_pos(model, ref: str):
    """(file, pos) of a unit ref in portfolio.yaml `qualification.units`, else of the key itself."""
    if ref in model.unit_refs:
        return model.source.file, model.source.value_at(("qualification", "units", model.unit_refs.index(ref)))
    return model.at("qualification", "units")


def checks_pos(model, key: str):
    """Point a portfolio-wide finding at the learner's own setting when there is one, else line 1."""
    if model.source.has(("checks", key)):
        return model.at("checks", key)
    return model.source.file, (1, 1)
