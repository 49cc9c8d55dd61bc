"""Stage benchmarks in one process: Markdown bodies with and without the accelerator, and load / check.

    python benchmarks/stages.py markdown PORTFOLIO...   # every entry body, markdown-it-pyrs vs markdown-it-py
    python benchmarks/stages.py load PORTFOLIO...       # load alone, then the whole check (no cache)
    python benchmarks/stages.py build PORTFOLIO...      # a cold build on one core: CPU of each part
    python benchmarks/stages.py render PORTFOLIO...     # every page rendered on one core, nothing written

Times are CPU seconds of this process (time.process_time, best of --repeat runs), which a machine busy
with other work disturbs far less than wall time; load runs on one core here (no forked workers).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator import load as load_stage  # noqa: E402
from generator import pipeline  # noqa: E402
from generator.render import markdown_rs  # noqa: E402
from generator.render.markdown import _render_py, markdown  # noqa: E402


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.process_time()
        fn()
        times.append(time.process_time() - started)
    return min(times)


def bench_markdown(root: Path, repeat: int) -> None:
    bodies = [load_stage.load_file(p, root, "entry", []).body for p in sorted((root / "entries").glob("*.md"))]
    fast = sum(markdown_rs.fast_path_ok(b) for b in bodies)
    rs = best(lambda: [markdown(b, 3) for b in bodies], repeat)
    py = best(lambda: [_render_py(b, 3) for b in bodies], repeat)
    print(f"{root}: {len(bodies)} bodies ({fast} on the fast path): markdown-it-pyrs {rs:.3f} s, "
          f"markdown-it-py {py:.3f} s, {py / rs if rs else float('inf'):.1f}x")


def bench_load(root: Path, repeat: int) -> None:
    load_stage.PARALLEL_MIN = 10 ** 9   # one core: CPU time of this process is then all of it
    loaded = best(lambda: load_stage.load(root, []), repeat)
    checked = best(lambda: pipeline.check(root, dt.date(2026, 1, 1)), 1)
    print(f"{root}: load {loaded:.3f} s, check (no cache) {checked:.3f} s CPU")


def bench_build(root: Path, repeat: int) -> None:
    """A cold build (no cache) in this process, serially, with the CPU time of each part of publishing."""
    import collections
    import shutil
    import tempfile

    from generator import write
    from generator.privacy import outputs
    from generator.render import parallel

    load_stage.PARALLEL_MIN = 10 ** 9
    parallel.workers = lambda: 1
    spent = collections.Counter()

    def timed(owner, name, label):
        real = getattr(owner, name)

        def wrapper(*args, **kwargs):
            started = time.process_time()
            try:
                return real(*args, **kwargs)
            finally:
                spent[label] += time.process_time() - started
        setattr(owner, name, wrapper)
    # a page is a stream of chunks that Staging.put consumes: its rendering, writing and scanning interleave,
    # so put's time holds all three; the scan (Scan.feed within put, the last block in screen) is also shown apart
    timed(write.Staging, "put", "rendering, writing and scanning pages (Staging.put)")
    timed(outputs.Scan, "feed", "scanning them as written (Scan.feed, within put; OutputGuard.screen)")
    timed(outputs.OutputGuard, "screen", "scanning them as written (Scan.feed, within put; OutputGuard.screen)")
    timed(outputs.OutputGuard, "folder", "the last look (OutputGuard.folder)")
    out = Path(tempfile.mkdtemp()) / "site"
    started = time.process_time()
    result = pipeline.build(root, out, dt.date(2026, 1, 1))
    whole = time.process_time() - started
    shutil.rmtree(out.parent, ignore_errors=True)
    print(f"{root}: cold build {whole:.2f} s CPU, serial; published: {result.published}")
    for name in ("load", "validate", "model", "scan", "analyse"):
        print(f"  {name}: {result.stages.get(name, 0):.2f} s (wall)")
    for label, seconds in spent.items():
        print(f"  {label}: {seconds:.2f} s CPU")


def bench_render(root: Path, repeat: int) -> None:
    """Every page rendered serially in this process, without a cache and with nothing written or scanned:
    the render stage's CPU alone. The first run compiles the templates (as a cold build does); the best of
    the later runs shows rendering without it. Markdown bodies are rendered in each run."""
    from generator.render import parallel
    from generator.render.site import render_site

    load_stage.PARALLEL_MIN = 10 ** 9
    parallel.workers = lambda: 1
    as_of = dt.date(2026, 1, 1)
    result = pipeline.check(root, as_of)

    def run():
        for _ in render_site(result.model, result.diagnostics, result.analysis, as_of, result.redactor, bodies={}):
            pass
    first = best(run, 1)
    later = best(run, repeat)
    print(f"{root}: render {first:.2f} s CPU (first, compiling the templates), {later:.2f} s (best of {repeat} more)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=("markdown", "load", "build", "render"))
    ap.add_argument("portfolios", nargs="+", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    for root in args.portfolios:
        {"markdown": bench_markdown, "load": bench_load, "build": bench_build,
         "render": bench_render}[args.what](root, args.repeat)


if __name__ == "__main__":
    main()
