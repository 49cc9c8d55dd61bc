"""The pipeline, top to bottom: load → validate → model → analyse → render → write.

`check` runs the first four stages; `build` runs them all. Both return a `Result` and never
print: the CLI decides what to show and which exit status it means.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from . import model as model_stage
from .analyse import Coverage, analyse
from .diagnostics import Diagnostic
from .load import Sources, load
from .render import render_site
from .render.assets import site_copies
from .validate import validate
from .write import publish


@dataclass
class Result:
    sources: Sources | None = None
    model: object = None
    diagnostics: list = field(default_factory=list)
    coverage: Coverage | None = None
    published: bool = False

    @property
    def errors(self) -> list:
        return [d for d in self.diagnostics if d.severity == "error"]

    def failed(self, strict: bool = False) -> bool:
        return any(d.severity == "error" or (strict and d.severity == "warning") for d in self.diagnostics)


def check(source: Path, as_of: dt.date) -> Result:
    diagnostics: list[Diagnostic] = []
    sources = load(Path(source), diagnostics)
    valid = validate(sources, diagnostics)
    model = model_stage.build(sources, valid)
    coverage = None
    if model is not None:
        findings, coverage = analyse(model, as_of)
        diagnostics.extend(findings)
    diagnostics.sort(key=Diagnostic.sort_key)
    return Result(sources, model, diagnostics, coverage)


def build(source: Path, out: Path, as_of: dt.date, strict: bool = False) -> Result:
    """Check, then render and publish atomically — but never while errors (or, strict, warnings) stand."""
    result = check(source, as_of)
    if result.model is None or result.failed(strict):
        return result
    files = render_site(result.model, result.diagnostics, result.coverage, as_of)
    publish(files, site_copies(result.model), Path(out), Path(source))
    result.published = True
    return result
