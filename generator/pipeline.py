"""The pipeline, top to bottom: load → validate → model → analyse → render → write.

`check` runs the first four stages; `build` runs them all. Both return a `Result` and never
print: the CLI decides what to show and which exit status it means.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from . import model as model_stage
from .analyse import analyse
from .analysis import Analysis
from .diagnostics import Diagnostic
from .load import Sources, load
from .render import render_site
from .render.assets import site_copies
from .render.environment import theme_dirs
from .validate import validate
from .outdir import check_output
from .privacy.outputs import OutputGuard
from .privacy.scan import scan as personal_data
from .write import PublishRefused, publish


@dataclass
class Result:
    sources: Sources | None = None
    model: object = None
    diagnostics: list = field(default_factory=list)
    analysis: Analysis | None = None
    redactor: object = None        # hides unpublished names: for the site's copy of the findings, never templates
    published: bool = False

    @property
    def coverage(self) -> dict | None:
        """Coverage as the reporters print it: the qualification's, and each framework's apart."""
        if self.analysis is None:
            return None
        out = self.analysis.summary()
        state = self.analysis.assessment
        if out is not None and state is not None and state.in_use:   # the assessor's decisions, once there are any
            out["assessment"] = state.summary(self.model.qualification)
        return out

    @property
    def errors(self) -> list:
        return [d for d in self.diagnostics if d.severity == "error"]

    def failed(self, strict: bool = False) -> bool:
        return any(d.severity == "error" or (strict and d.severity == "warning") for d in self.diagnostics)


def check(source: Path, as_of: dt.date, cache=None) -> Result:
    """With a `generator.cache.Cache`, files whose bytes are unchanged are not parsed or validated again."""
    diagnostics: list[Diagnostic] = []
    sources = load(Path(source), diagnostics, memo=cache)
    valid = validate(sources, diagnostics, memo=cache)
    model, redactor = model_stage.build(sources, valid, cache.redactions if cache is not None else None)
    if model is not None:   # privacy fails closed: personal data in anything published is an error
        diagnostics.extend(personal_data(sources, model.checks, cache.privacy if cache is not None else None))
    analysis = None
    if model is not None:
        analysis = analyse(model, as_of)
        diagnostics.extend(analysis.findings)
    diagnostics.sort(key=Diagnostic.sort_key)
    return Result(sources, model, diagnostics, analysis, redactor)


def build(source: Path, out: Path, as_of: dt.date, strict: bool = False, cache=None, inspect=None) -> Result:
    """Check, then render and publish atomically — but never while errors (or, strict, warnings) stand.

    An output folder the tool may not replace raises outdir.UnsafeOutput before any work is done.
    With a `cache`, only pages whose inputs changed are rendered and only files whose bytes changed
    are written; the result is byte-identical to a clean build. `inspect` (folder -> diagnostics) is
    the last look at the finished site before it replaces the published one (write.publish): any
    diagnostic it returns joins the result's and the previous site stays."""
    check_output(Path(out), Path(source))
    result = check(source, as_of, cache)
    if result.model is None or result.failed(strict):
        return result
    # the last line of defence: every file of the finished site is scanned before it is swapped in
    guard = OutputGuard(result.sources, result.model.checks)
    if cache is not None:
        guard.trust(cache.manifest(out), cache.scanned.get(str(Path(out).resolve())))
    inspect = guard.inspector(inspect)
    try:
        if cache is None:
            files = render_site(result.model, result.diagnostics, result.analysis, as_of, result.redactor)
            publish(files, site_copies(result.model, result.redactor), Path(out), Path(source), inspect=inspect)
        else:
            pages = cache.pages(result.model, result.diagnostics, as_of, out, theme_dirs(result.model),
                                result.redactor)
            files = render_site(result.model, result.diagnostics, result.analysis, as_of, result.redactor,
                                cache=pages, bodies=cache.bodies)
            manifest = publish(files, site_copies(result.model, result.redactor), Path(out), Path(source),
                               previous=pages.previous, keys=pages.keys, inspect=inspect)
            cache.keep_bodies(result.model)
            cache.published(out, manifest, guard.fingerprint)
            cache.save()
    except PublishRefused as refused:
        result.diagnostics.extend(refused.problems)
        result.diagnostics.sort(key=Diagnostic.sort_key)
        return result
    result.published = True
    return result
