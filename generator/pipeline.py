"""The pipeline, top to bottom: load → validate → model → analyse → render → write.

`check` runs the first four stages; `build` runs them all. Both return a `Result` and never
print: the CLI decides what to show and which exit status it means. Each stage's wall time is kept in
`Result.stages` (the CLI prints it on stderr with PORTFOLIO_STAGE_TIMES=1; `make bench` uses it).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
import time
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
from .validate import check_early, fast_validator, validate
from .outdir import check_output
from .privacy.outputs import OutputGuard, Scan
from .privacy.scan import Prescan
from .privacy.scan import scan as personal_data
from .write import Placed, PublishRefused, Staging, publish


@dataclass
class Result:
    sources: Sources | None = None
    model: object = None
    diagnostics: list = field(default_factory=list)
    analysis: Analysis | None = None
    redactor: object = None        # hides unpublished names: for the site's copy of the findings, never templates
    published: bool = False
    stages: dict = field(default_factory=dict)   # stage -> seconds (wall), in the order they ran

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


class Clock:
    """Wall time per stage. Rendering is lazy (pages are made as `publish` writes them), so `pages`
    times the page iterator apart from the writing, and the output scan is timed in its hook."""

    def __init__(self):
        self.stages: dict = {}

    @contextlib.contextmanager
    def stage(self, name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - started

    def pages(self, name: str, files):
        pairs = iter(files.items() if isinstance(files, dict) else files)
        while True:
            with self.stage(name):
                try:
                    item = next(pairs)
                except StopIteration:
                    return
            yield item

    def hook(self, name: str, inspect):
        def timed(root):
            with self.stage(name):
                return inspect(root)
        return timed


class _AtLoad:
    """What is done to each entry where the load parses it, on both cores (load.load's `at_load`): its
    schema (validate.check_early) and its personal-data check (privacy.scan.Prescan); `validate` and the
    scan take the results instead of doing the work again."""

    def __init__(self, scan):
        self.scan = scan
        self._clean = (check_early.VALID, scan.nothing if scan is not None else None)   # most entries: one tuple

    @classmethod
    def of(cls, sources) -> "_AtLoad":
        fast_validator("entry")   # compiled once, before the workers fork: they share it (5 MiB each)
        return cls(Prescan.of(sources))

    def entry(self, source):
        done = check_early(source), self.scan.entry(source) if self.scan is not None else None
        return self._clean if done == self._clean else done


def check(source: Path, as_of: dt.date, cache=None, clock: Clock | None = None, keep=None) -> Result:
    """With a `generator.cache.Cache`, files whose bytes are unchanged are not parsed or validated again.
    `keep` (serve's session, generator/delta_check.py `Kept`) is offered the loaded and validated records and
    may give the result from the last check's model (a save that changed only entries' bodies); it is told
    every result built in full."""
    clock = clock or Clock()
    diagnostics: list[Diagnostic] = []
    # The garbage collector's full passes walk every object there is, and load, validate and model make
    # millions that live as long as the result and no garbage cycles: six such passes were about 1 s of
    # 5.5 s of CPU at 10,000 entries. These stages run without the collector; what they made is then
    # frozen (never walked) for the rest of the check, and unfrozen at its end, so a result dropped later
    # (serve checks again and again) is collected as before.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with clock.stage("load"):
            sources = load(Path(source), diagnostics, memo=cache, at_load=_AtLoad.of)
        with clock.stage("validate"):
            valid = validate(sources, diagnostics, memo=cache)
        kept = keep.reuse(sources, valid, diagnostics, as_of, cache, clock) if keep is not None else None
        if kept is None:
            with clock.stage("model"):
                model, redactor = model_stage.build(sources, valid, cache.redactions if cache is not None else None)
            gc.freeze()
    finally:
        if collecting:
            gc.enable()
    if kept is not None:
        return kept
    read = list(diagnostics)   # what load and validate found (for `keep`)
    try:
        if model is not None:   # privacy fails closed: personal data in anything published is an error
            with clock.stage("scan"):
                diagnostics.extend(personal_data(sources, model.checks, cache.privacy if cache is not None else None))
        analysis = None
        if model is not None:
            with clock.stage("analyse"):
                analysis = analyse(model, as_of)
            diagnostics.extend(analysis.findings)
    finally:
        gc.unfreeze()
    diagnostics.sort(key=Diagnostic.sort_key)
    result = Result(sources, model, diagnostics, analysis, redactor, stages=clock.stages)
    if keep is not None:
        keep.remember(result, read, valid, as_of)
    return result


def build(source: Path, out: Path, as_of: dt.date, strict: bool = False, cache=None, inspect=None) -> Result:
    """Check, then render and publish atomically — but never while errors (or, strict, warnings) stand.

    An output folder the tool may not replace raises outdir.UnsafeOutput before any work is done.
    With a `cache`, only pages whose inputs changed are rendered and only files whose bytes changed
    are written; the result is byte-identical to a clean build. `inspect` (folder -> diagnostics) is
    the last look at the finished site before it replaces the published one (write.publish): any
    diagnostic it returns joins the result's and the previous site stays."""
    check_output(Path(out), Path(source))
    clock = Clock()
    result = check(source, as_of, cache, clock)
    if result.model is None or result.failed(strict):
        return result
    return publish_checked(result, source, out, as_of, cache, inspect, clock=clock)


def publish_checked(result: Result, source: Path, out: Path, as_of: dt.date, cache=None, inspect=None,
                    pages=None, clock: Clock | None = None) -> Result:
    """The render and write half of `build`, for a `result` of `check` with no error standing
    (`serve` runs the check itself, then publishes through here or as a delta: generator/live.py,
    which passes the `pages` it has made: cache.pages() for this result and `out`)."""
    if clock is None:   # the stage times join the check's, in the result
        clock = Clock()
        clock.stages = result.stages
    writing = time.perf_counter()
    # the last line of defence: every file of the finished site is scanned before it is swapped in
    guard = OutputGuard(result.sources, result.model.checks)
    if cache is not None:
        guard.trust(cache.manifest(out), cache.scanned.get(str(Path(out).resolve())))
    inspect = clock.hook("output scan", guard.inspector(inspect))
    # each page is written into the new tree and scanned where it is rendered (a forked worker);
    # only its Placed record comes back, and a page the scan passed is not read again by `inspect`
    staging = Staging()

    def sink(rel: str, chunks) -> Placed:
        # the page's bytes come as a stream of chunks (render/site.py `page_chunks`), scanned as they are
        # written: neither the writing nor the scan holds the page whole (73 MB for the print view at
        # 10,000 entries)
        scan = Scan(guard, rel)
        placed = staging.put(rel, scan.through(chunks))
        return placed._replace(scanned=guard.screen(rel, scan, placed))

    def vouched(pairs):
        for rel, placed in pairs:
            if isinstance(placed, Placed) and placed.scanned:
                guard.vouch(rel, placed)
            yield rel, placed
    try:
        if cache is None:
            with clock.stage("render"):
                files = render_site(result.model, result.diagnostics, result.analysis, as_of, result.redactor,
                                    sink=sink)
            publish(vouched(clock.pages("render", files)), site_copies(result.model, result.redactor), Path(out),
                    Path(source), inspect=inspect, staging=staging)
        else:
            if pages is None:
                pages = cache.pages(result.model, result.diagnostics, as_of, out, theme_dirs(result.model),
                                    result.redactor)
            with clock.stage("render"):
                files = render_site(result.model, result.diagnostics, result.analysis, as_of, result.redactor,
                                    cache=pages, bodies=cache.bodies, sink=sink)
            manifest = publish(vouched(clock.pages("render", files)), site_copies(result.model, result.redactor),
                               Path(out), Path(source), previous=pages.previous, keys=pages.keys, inspect=inspect,
                               staging=staging)
            cache.keep_bodies(result.model)
            cache.published(out, manifest, guard.fingerprint)
            cache.save()
    except PublishRefused as refused:
        result.diagnostics.extend(refused.problems)
        result.diagnostics.sort(key=Diagnostic.sort_key)
        return result
    finally:   # what publishing took besides making the pages and scanning them
        clock.stages["write"] = (time.perf_counter() - writing - clock.stages.get("render", 0.0)
                                 - clock.stages.get("output scan", 0.0))
    result.published = True
    return result
