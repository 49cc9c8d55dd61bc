"""Benchmark: our builds and `check` against Hugo on the same entries, as issue 14's table of targets.

    python benchmarks/bench.py                        # N = 1000 and 10000, ours and Hugo (make bench)
    python benchmarks/bench.py --sizes 1000           # the 10,000 rows then say "not measured"
    python benchmarks/bench.py --sizes 20 --ours-only
    python benchmarks/bench.py --all-tools            # MkDocs and Pelican too, in the detail table

Each timing is one run of the real command in a fresh process (wall time), on the same synthetic
portfolio (benchmarks/synth.py, seed 1). Memory is measured two ways: the peak resident memory of the
main process (wait4's ru_maxrss), and the peak of the whole process tree (the build and its render
workers), summing each process's proportional set size (Pss, /proc/PID/smaps_rollup, so pages the
forked workers share with their parent are counted once), sampled every 20 ms. "One edit" is timed
as a fresh `portfolio build` process and in-process the way `serve` rebuilds. The stage profile is
one more cold build with PORTFOLIO_STAGE_TIMES=1 (generator/pipeline.py's timings, on stderr).
The others build the same entries as plain Markdown pages with their default settings.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import synth  # noqa: E402

AS_OF = "2026-01-01"
PORTFOLIO = [sys.executable, "-m", "generator"]


class Run(tuple):
    """(seconds, peak MiB of the main process, exit status), with `.tree` (peak MiB of the process tree,
    workers counted, or nan when not sampled) and `.stderr`."""

    tree = float("nan")
    stderr = ""


def run(cmd: list[str], cwd: Path | None = None, timeout: float = 1800, env: dict | None = None,
        tree: bool = False) -> Run:
    """One command: wall time, peak memory (`tree`: the process tree's too, sampled), exit status."""
    err_file = tempfile.TemporaryFile()   # not a pipe: a chatty command would block on a full one
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err_file,
                            env=None if env is None else {**os.environ, **env})
    deadline, peak, sampled = started + timeout, 0, 0.0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            return Run((float("nan"), float("nan"), -9))
        if tree and time.perf_counter() - sampled >= 0.02:
            sampled = time.perf_counter()
            peak = max(peak, tree_pss_kib(proc.pid))
        time.sleep(0.005)
    took = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    err_file.seek(0)
    err = err_file.read().decode(errors="replace")
    if code != 0:
        print(f"  ! {' '.join(map(str, cmd[:4]))} exited {code}: {err[-2000:]}", file=sys.stderr)
    err_file.close()
    result = Run((took, usage.ru_maxrss / 1024, code))
    result.tree = peak / 1024 if tree and peak else float("nan")
    result.stderr = err
    return result


def family(root: int) -> list[int]:
    """`root` and every process descended from it, now (from /proc/PID/stat's parent ids)."""
    parents: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat", "rb") as f:
                    stat = f.read()
                parents[int(d)] = int(stat[stat.rindex(b")") + 2:].split()[1])
            except (OSError, ValueError):
                continue
    found, grew = {root}, True
    while grew:
        more = {p for p, pp in parents.items() if pp in found} - found
        found |= more
        grew = bool(more)
    return sorted(found)


def pss_kib(pid: int) -> int:
    """Pss (KiB) of one process, now; 0 once it has gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_pss_kib(root: int) -> int:
    """Sum of Pss (KiB) over `root` and every process descended from it, now."""
    return sum(pss_kib(p) for p in family(root))


def measure_serve_edit(portfolio: Path) -> float | None:
    """Seconds from saving one edited entry to the browser showing the reloaded page, with `portfolio
    serve` running on `portfolio` (issue 14's third target: Playwright driving Chromium). None
    when it cannot run here (no Playwright or Chromium): the table then says "not measured"."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        import serve_edit
        return serve_edit.measure_serve_edit(portfolio, edits=5)["median"]
    except Exception as exc:   # a missing browser must not lose the rest of the table
        print(f"bench: serve edit not measured: {exc}", file=sys.stderr)
        return None


def in_process_edit(portfolio: Path, out: Path) -> float:
    """One entry edited, rebuilt the way `serve` does: its `Live` session (generator/live.py: the model,
    the page keys and the served folder kept between saves; the save applied as a delta), after the
    session's first build. `out` is not used: serve writes into its own folder under the cache."""
    sys.path.insert(0, str(REPO))
    from generator.cache import Cache, default_dir
    from generator.live import Live
    as_of = dt.date.fromisoformat(AS_OF)
    folder = default_dir(portfolio)
    live = Live(portfolio, folder / "serve", Cache(folder))
    assert live.build(as_of).published                      # serve's first build
    entry = sorted((portfolio / "entries").glob("*.md"))[len(list((portfolio / "entries").glob("*.md"))) // 2]
    entry.write_text(entry.read_text("utf-8") + "\nOne more sentence, saved in the editor.\n", "utf-8")
    started = time.perf_counter()
    result = live.build(as_of)
    took = time.perf_counter() - started
    assert result.published and not live.stats["full"], live.stats   # a delta, not a whole new site
    return took


def ours(n: int, work: Path) -> dict:
    portfolio = work / "portfolio"
    out = portfolio / "site"
    rows = {}
    shutil.rmtree(portfolio / ".cache", ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    build = PORTFOLIO + ["build", "--source", str(portfolio), "--out", str(out), "--as-of", AS_OF]
    check = PORTFOLIO + ["check", "--source", str(portfolio), "--as-of", AS_OF]
    # A build remembers it is up to date only when no input is younger than git's racy window (2 s:
    # generator/uptodate.py), and synth.generate has just written every file: wait it out, as a
    # learner's files are older than that when they build, or the warm row measures a full build again.
    newest = max(p.stat().st_mtime for p in portfolio.rglob("*") if p.is_file())
    time.sleep(max(0.0, newest + 2.1 - time.time()))
    rows["ours: cold build"] = run(build, cwd=REPO, tree=True)
    rows["ours: warm build (nothing changed)"] = run(build, cwd=REPO)
    entry = sorted((portfolio / "entries").glob("*.md"))[n // 3]
    entry.write_text(entry.read_text("utf-8") + "\nAn edit.\n", "utf-8")
    rows["ours: one entry edited (new process)"] = run(build, cwd=REPO)
    # in a child process: loading the model here would raise the peak memory every later child
    # reports (Linux carries ru_maxrss across fork and exec)
    probe = subprocess.run([sys.executable, __file__, "--edit-in-process", str(portfolio), str(out)],
                           capture_output=True, text=True, check=True)
    rows["ours: one entry edited (serve, in-process)"] = (float(probe.stdout.split()[-1]), float("nan"), 0)
    shutil.rmtree(portfolio / ".cache", ignore_errors=True)
    rows["ours: check, cold (no cache)"] = run(check + ["--no-cache"], cwd=REPO)
    rows["ours: check, warm"] = (run(check, cwd=REPO), run(check, cwd=REPO))[1]
    pages = sum(1 for p in out.rglob("*.html"))
    # the stage profile: one more cold build, the pipeline timing its stages (on stderr)
    shutil.rmtree(portfolio / ".cache", ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    profiled = run(build, cwd=REPO, env={"PORTFOLIO_STAGE_TIMES": "1"})
    rows["stages"] = {**stage_times(profiled.stderr), "process": profiled[0]}
    rows["serve edit"] = measure_serve_edit(portfolio)
    return rows, pages


def stage_times(stderr: str) -> dict:
    """{stage: seconds} from the `portfolio: stage NAME: S s` lines PORTFOLIO_STAGE_TIMES makes."""
    found = {}
    for line in stderr.splitlines():
        if line.startswith("portfolio: stage "):
            name, _, rest = line[len("portfolio: stage "):].partition(":")
            found[name.strip()] = float(rest.split()[0])
    return found


def hugo(work: Path) -> tuple:
    site = work / "hugo"
    shutil.rmtree(site, ignore_errors=True)
    synth.plain_pages(work / "portfolio", site / "content" / "entries", "hugo")
    (site / "config.toml").write_text('baseURL = "http://example.org/"\ntitle = "Bench"\n'
                                      'disableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n')
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True)
    page = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
            '<body><main><h1>{{ .Title }}</h1>%s</main></body></html>')
    (layouts / "single.html").write_text(page % "<time>{{ .Date.Format \"2 January 2006\" }}</time>{{ .Content }}")
    (layouts / "list.html").write_text(page % "<ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">"
                                       "{{ .Title }}</a></li>{{ end }}</ul>")
    return run(["hugo", "--quiet", "-s", str(site), "-d", str(site / "public")])


def mkdocs(work: Path, bindir: Path) -> tuple:
    site = work / "mkdocs"
    shutil.rmtree(site, ignore_errors=True)
    synth.plain_pages(work / "portfolio", site / "docs", "mkdocs")
    (site / "docs" / "index.md").write_text("# Bench\n")
    (site / "mkdocs.yml").write_text("site_name: Bench\n")
    return run([str(bindir / "mkdocs"), "build", "-q", "-f", str(site / "mkdocs.yml"), "-d", str(site / "out")])


def pelican(work: Path, bindir: Path) -> tuple:
    site = work / "pelican"
    shutil.rmtree(site, ignore_errors=True)
    synth.plain_pages(work / "portfolio", site / "content", "pelican")
    (site / "pelicanconf.py").write_text('SITENAME = "Bench"\nSITEURL = ""\nTIMEZONE = "UTC"\n'
                                         'DEFAULT_LANG = "en"\nFEED_ALL_ATOM = None\nCATEGORY_FEED_ATOM = None\n'
                                         'TRANSLATION_FEED_ATOM = None\nAUTHOR_FEED_ATOM = None\n'
                                         'AUTHOR_FEED_RSS = None\nDEFAULT_PAGINATION = 10\n')
    return run([str(bindir / "pelican"), str(site / "content"), "-o", str(site / "out"),
                "-s", str(site / "pelicanconf.py"), "-q"], cwd=site)


def ensure_tools(others: bool = False) -> Path:
    """Debian's hugo; with `others`, a separate venv for MkDocs and Pelican (the project's venv stays clean)."""
    venv = HERE / ".venv"
    if others and (not (venv / "bin" / "pelican").exists() or not (venv / "bin" / "mkdocs").exists()):
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "mkdocs", "pelican", "markdown"], check=True)
    if not shutil.which("hugo"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "hugo"], check=False)
    return venv / "bin"


def table(results: list[tuple]) -> str:
    lines = ["| N | what | time (s) | pages/s | peak MiB | ours ÷ this |", "|---:|---|---:|---:|---:|---:|"]
    for n, name, (secs, mib, code), pages, ratio in results:
        rate = f"{pages / secs:,.0f}" if secs == secs and secs > 0 and pages else "—"
        t = f"{secs:.3f}" if secs == secs else "timed out"
        m = f"{mib:.0f}" if mib == mib else "—"
        lines.append(f"| {n:,} | {name}{'' if code == 0 else ' (failed)'} | {t} | {rate} | {m} | {ratio} |")
    return "\n".join(lines)


def _ok(value) -> bool:
    return value is not None and value == value


def targets(measured: dict) -> str:
    """Issue 14's table: measure | target | ours | Hugo | ratio | met?, from `measured[n]` (this run's rows)."""
    lines = ["| measure (same machine, same run as Hugo) | target | ours | Hugo | ratio | met? |",
             "|---|---|---:|---:|---:|---|"]

    def ratio_row(what, ours, hugo, limit):
        if not (_ok(ours) and _ok(hugo)):
            return f"| {what} | ≤ {limit:g}× Hugo | {_s(ours)} | {_s(hugo)} | — | not measured |"
        r = ours / hugo
        return f"| {what} | ≤ {limit:g}× Hugo | {ours:.3f} s | {hugo:.3f} s | {r:.2f}× | {'yes' if r <= limit else 'no'} |"

    small, large = measured.get(1000, {}), measured.get(10000, {})
    lines.append(ratio_row("cold build, 1,000 entries", _t(small, "ours: cold build"), small.get("hugo"), 1.0))
    lines.append(ratio_row("warm build, nothing changed (1,000)", _t(small, "ours: warm build (nothing changed)"),
                           small.get("hugo"), 0.25))
    edit = small.get("serve edit")
    lines.append(f"| one edited entry in `serve`, save → browser reloaded (1,000) | ≤ 200 ms | "
                 + (f"{edit * 1000:.0f} ms | — | — | {'yes' if edit <= 0.2 else 'no'} |" if _ok(edit)
                    else "not measured | — | — | — |"))
    lines.append(ratio_row("cold build, 10,000 entries", _t(large, "ours: cold build"), large.get("hugo"), 1.0))
    check = _t(large, "ours: check, cold (no cache)")
    lines.append("| `check`, 10,000 entries, cold | ≤ 2 s | "
                 + (f"{check:.3f} s | — | — | {'yes' if check <= 2 else 'no'} |" if _ok(check)
                    else "not measured | — | — | — |"))
    cold = large.get("ours: cold build")
    if cold is not None and _ok(cold.tree):
        lines.append(f"| peak memory, 10,000 entries (process tree, workers counted: sum of Pss) | ≤ 200 MiB | "
                     f"{cold.tree:.0f} MiB (main process alone: {cold[1]:.0f}) | "
                     f"{_s(large.get('hugo memory'), ' MiB', 0)} | — | {'yes' if cold.tree <= 200 else 'no'} |")
    else:
        lines.append("| peak memory, 10,000 entries (process tree, workers counted) | ≤ 200 MiB | not measured | — | — | — |")
    a, b = _t(small, "ours: cold build"), _t(large, "ours: cold build")
    if _ok(a) and _ok(b):
        growth = (b / 10000) / (a / 1000)   # time per entry at 10,000 over time per entry at 1,000
        lines.append(f"| growth from 1,000 to 10,000 (cold build, time per entry) | linear | ×{b / a:.1f} time, "
                     f"per entry ×{growth:.2f} | — | — | {'yes' if growth <= 1.25 else 'no'} (linear: per entry ≤ ×1.25) |")
    else:
        lines.append("| growth from 1,000 to 10,000 (cold build, time per entry) | linear | not measured | — | — | — |")
    return "\n".join(lines)


def stages_table(measured: dict) -> str:
    lines = ["| N | " + " | ".join(STAGES) + " | total | process |", "|---:|" + "---:|" * (len(STAGES) + 2)]
    for n, rows in sorted(measured.items()):
        st = rows.get("stages") or {}
        if st:
            lines.append(f"| {n:,} | " + " | ".join(f"{st[k]:.2f}" if k in st else "—" for k in STAGES)
                         + f" | {st.get('total', float('nan')):.2f} | {st.get('process', float('nan')):.2f} |")
    return "\n".join(lines)


# "start" is the imports, the arguments and opening the cache; "report" printing the findings; "total"
# is the process's own count from its first import, "process" the wall time the benchmark saw
STAGES = ("start", "load", "validate", "model", "scan", "analyse", "render", "output scan", "write", "report")


def _t(rows: dict, name: str):
    r = rows.get(name)
    return r[0] if r is not None and r[2] == 0 else None


def _s(value, unit=" s", digits=3) -> str:
    return f"{value:.{digits}f}{unit}" if _ok(value) else "—"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--ours-only", action="store_true")
    ap.add_argument("--all-tools", action="store_true", help="MkDocs and Pelican too (detail table only)")
    ap.add_argument("--work", type=Path, default=HERE / "out")
    ap.add_argument("--mkdocs-max", type=int, default=1000,
                    help="skip MkDocs above this N (every page carries the whole nav: output grows as N²)")
    ap.add_argument("--edit-in-process", nargs=2, type=Path, metavar=("PORTFOLIO", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.edit_in_process:
        print(f"{in_process_edit(*args.edit_in_process):.4f}")
        return 0
    bindir = None if args.ours_only else ensure_tools(args.all_tools)
    results, measured = [], {}
    for n in args.sizes:
        work = args.work / str(n)
        print(f"N = {n}: generating ...", file=sys.stderr, flush=True)
        synth.generate(work / "portfolio", n, seed=1)
        rows, pages = ours(n, work)
        measured[n] = rows
        cold = rows["ours: cold build"][0]
        for name, r in rows.items():
            if name.startswith("ours:"):
                results.append((n, name, r, pages if "build" in name or "edited" in name else 0, ""))
        if rows["ours: cold build"].tree == rows["ours: cold build"].tree:
            r = rows["ours: cold build"]
            results.append((n, "ours: cold build, process tree (Pss, workers counted)", (r[0], r.tree, r[2]), 0, ""))
        if not args.ours_only:
            others = [("Hugo", lambda: hugo(work))]
            if args.all_tools:
                others.append(("Pelican", lambda: pelican(work, bindir)))
                if n <= args.mkdocs_max:
                    others.insert(1, ("MkDocs", lambda: mkdocs(work, bindir)))
            for name, fn in others:
                print(f"N = {n}: {name} ...", file=sys.stderr, flush=True)
                r = fn()
                ratio = f"{cold / r[0]:.2f}" if r[0] == r[0] and r[2] == 0 else "—"
                results.append((n, f"{name}: build, {n:,} plain pages", r, n, f"cold {ratio}"))
                if name == "Hugo" and r[2] == 0:
                    rows["hugo"], rows["hugo memory"] = r[0], r[1]
        print(table(results), flush=True)
    print("\n## Against the targets (issue 14)\n\n" + targets(measured))
    print("\n## Stages of our cold build (seconds; PORTFOLIO_STAGE_TIMES=1)\n\n" + stages_table(measured))
    print("\n## Every run\n\n" + table(results))
    print(f"\nmachine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
          f"{'hugo ' + subprocess.run(['hugo', 'version'], capture_output=True, text=True).stdout.split()[1] if shutil.which('hugo') else ''}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
