"""Benchmark: CPU time of `serve`'s in-process delta for one edited entry (generator/live.py).

    python benchmarks/serve_delta.py --entries 1000               # a synthetic portfolio (benchmarks/synth.py)
    python benchmarks/serve_delta.py --entries 1000 --profile OUT  # and a cProfile of the last delta
    python benchmarks/serve_delta.py --entries 1000 --edit title   # each save changes an entry's title
    python benchmarks/serve_delta.py --entries 1000 --open         # the edited entry's page open in a browser
    python benchmarks/serve_delta.py --entries 1000 --decisions 40 --edit judged-body   # see below

One `Live` session (what `portfolio serve` keeps between saves) builds the portfolio once, then each
edit appends a sentence to one entry's body (the middle entry, then the next ...) and applies the save
as a delta; with `--edit title` it changes the entry's title instead (a fact the pages that show the
entry and those that list every entry show: about 45 pages at 1,000 entries). The figure is the CPU time of each save (`os.times`: the process's and that
of its ended children, the render workers a whole rebuild forks), so it holds on a loaded machine; wall
time and the pages rendered, written and scanned are printed beside it. The browser's side (save →
reloaded) is benchmarks/serve_edit.py. With `--open`, the session is told the edited entry's page is open
(as serve is by the page's reload script): it is published before the rest of the site, and the wall time
from the start of the save to that moment is printed too.

With `--decisions N`, the portfolio holds N assessor's decisions (`add_decisions`: each decides one criterion
and judged three entries that evidence it, bound by content hash), and `--edit` can also be `judged-body` (a
sentence appended to an entry a decision judged: the first edit to it, so the decision turns stale),
`judged-title` (a judged entry's title) or `decision` (a decision's feedback), each save a different entry or
decision.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
AS_OF = dt.date(2026, 1, 1)


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (the render workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def add_decisions(portfolio: Path, n: int) -> list[Path]:
    """N decisions of an assessor (portfolio.yaml lists one), each on one criterion, judging the three entries
    in the middle of those that evidence it; returns the first entry each judged (an edit to each then turns
    a different decision stale)."""
    sys.path.insert(0, str(REPO))
    import yaml
    from generator.assessment.hashing import content_hash
    pfile = portfolio / "portfolio.yaml"
    data = yaml.safe_load(pfile.read_text("utf-8"))
    data["assessment"] = {"assessors": [{"id": "assessor-one", "name": "Assessor One"}]}
    pfile.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    by_crit: dict = {}
    for f in sorted((portfolio / "entries").glob("*.md")):
        for ref in yaml.safe_load(f.read_text("utf-8").split("---\n", 2)[1]).get("criteria") or []:
            by_crit.setdefault(ref, []).append(f)
    (portfolio / "assessments").mkdir(exist_ok=True)
    judged: list[Path] = []
    firsts: list[Path] = []
    for i, ref in enumerate(sorted(by_crit)[:n]):
        mid = len(by_crit[ref]) // 2
        chosen = [f for f in by_crit[ref][mid:mid + 3] if f not in judged]
        judged += chosen
        firsts += chosen[:1]
        record = {"date": "2025-12-01", "assessor": "assessor-one", "criteria": [ref], "outcome": "met",
                  "methods": ["product"],
                  "evidence": [{"path": f"entries/{f.name}", "sha256": content_hash(portfolio, f"entries/{f.name}")}
                               for f in chosen],
                  "feedback": f"Decision {i}: the evidence meets the criterion."}
        (portfolio / "assessments" / f"2025-12-01-decision-{i:03d}.yaml").write_text(
            yaml.safe_dump(record, sort_keys=False), "utf-8")
    return firsts


def _save(portfolio: Path, entries: list, judged: list, edit: str, i: int) -> Path:
    """Make the i-th save's edit; returns the entry edited (the decision's first judged entry for `decision`)."""
    if edit == "decision":
        decisions = sorted((portfolio / "assessments").glob("*.yaml"))
        record = decisions[i % len(decisions)]
        import yaml
        data = yaml.safe_load(record.read_text("utf-8"))
        data["feedback"] = f"Edit {i}. {data['feedback']}"
        record.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
        return portfolio / data["evidence"][0]["path"]
    if edit.startswith("judged-"):
        entry = judged[(len(judged) // 2 + i) % len(judged)]
    else:
        entry = entries[(len(entries) // 2 + i) % len(entries)]
    text = entry.read_text("utf-8")
    if edit.endswith("title"):
        entry.write_text(text.replace("\ntitle: ", f"\ntitle: Edit {i} ", 1), "utf-8")
    else:
        entry.write_text(text + f"\nOne more sentence ({i}), saved in the editor.\n", "utf-8")
    return entry


def measure(portfolio: Path, edits: int = 5, profile: Path | None = None, edit: str = "body",
            open_page: bool = False, judged: list | None = None) -> dict:
    sys.path.insert(0, str(REPO))
    from generator.cache import Cache
    from generator.live import Live
    folder = portfolio / ".cache" / "portfolio"
    live = Live(portfolio, folder / "serve", Cache(folder))
    assert live.build(AS_OF).published
    entries = sorted((portfolio / "entries").glob("*.md"))
    cpu, wall, stats, first = [], [], [], []
    for i in range(edits):
        entry = _save(portfolio, entries, judged or [], edit, i)
        prof = cProfile.Profile() if profile is not None and i == edits - 1 else None
        shown: list = []
        opened = {f"entries/{entry.stem}.html"} if open_page else ()
        c0, w0 = _cpu(), time.perf_counter()
        if prof:
            prof.enable()
        result = live.build(AS_OF, opened, lambda pages: shown.append(time.perf_counter() - w0))
        if prof:
            prof.disable()
            prof.dump_stats(profile)
        cpu.append(_cpu() - c0)
        wall.append(time.perf_counter() - w0)
        assert result.published and (edit != "body" or not live.stats["full"]), live.stats
        stats.append(dict(live.stats))
        first.append(shown[0] if shown else float("nan"))
    return {"cpu": cpu, "wall": wall, "stats": stats, "first": first, "median_cpu": statistics.median(cpu)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=1000)
    ap.add_argument("--portfolio", type=Path, help="an existing portfolio (copied first); else a synthetic one")
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("--profile", type=Path, help="write a cProfile of the last delta here")
    ap.add_argument("--edit", choices=("body", "title", "judged-body", "judged-title", "decision"), default="body",
                    help="what each save changes (judged-*, decision: with --decisions)")
    ap.add_argument("--decisions", type=int, default=0, help="add this many assessor's decisions first")
    ap.add_argument("--open", action="store_true", help="the edited entry's page is open: published first")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "portfolio"
        if args.portfolio:
            shutil.copytree(args.portfolio, work, ignore=shutil.ignore_patterns(".cache", "site"))
        else:
            sys.path.insert(0, str(HERE))
            import synth
            synth.generate(work, args.entries)
        if args.edit in ("judged-body", "judged-title", "decision") and not args.decisions:
            ap.error(f"--edit {args.edit} needs --decisions")
        judged = add_decisions(work, args.decisions) if args.decisions else []
        got = measure(work, args.edits, args.profile, args.edit, args.open, judged)
    for i, (c, w, s, f) in enumerate(zip(got["cpu"], got["wall"], got["stats"], got["first"])):
        print(f"edit {i + 1}: CPU {c * 1000:.0f} ms, wall {w * 1000:.0f} ms; pages rendered {s['rendered']}, "
              f"files written {s['written']}, scanned {s['scanned']}" + (" (whole rebuild)" if s["full"] else "")
              + (f"; the open page published after {f * 1000:.0f} ms" if f == f else ""))
    print(f"median CPU of {len(got['cpu'])} deltas: {got['median_cpu'] * 1000:.0f} ms"
          + (f"; the open page published after {statistics.median(got['first']) * 1000:.0f} ms (median)"
             if args.open else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
