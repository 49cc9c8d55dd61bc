"""Stage benchmarks in one process: Markdown bodies with and without the accelerator, and load / check.

    python benchmarks/stages.py markdown PORTFOLIO...   # every entry body, markdown-it-pyrs vs markdown-it-py
    python benchmarks/stages.py load PORTFOLIO...       # load alone, then the whole check (no cache)

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=("markdown", "load"))
    ap.add_argument("portfolios", nargs="+", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    for root in args.portfolios:
        (bench_markdown if args.what == "markdown" else bench_load)(root, args.repeat)


if __name__ == "__main__":
    main()
