"""Benchmark: our cold/warm/one-edit builds and `check` against Hugo, MkDocs and Pelican on the same entries.

    python benchmarks/bench.py                       # N = 1000 and 10000, every tool (make bench)
    python benchmarks/bench.py --sizes 20 --ours-only

Each timing is one run of the real command in a fresh process (wall time, and the peak resident
memory of that process from wait4), on the same synthetic portfolio (benchmarks/synth.py, seed 1).
"One edit" is timed twice: as a fresh `portfolio build` process, and in-process the way `serve`
rebuilds (the cache and interpreter already warm), which is what a learner waits for.
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


def run(cmd: list[str], cwd: Path | None = None, timeout: float = 1800) -> tuple[float, float, int]:
    """(seconds, peak MiB, exit status) of one command."""
    err_file = tempfile.TemporaryFile()   # not a pipe: a chatty command would block on a full one
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err_file)
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            return float("nan"), float("nan"), -9
        time.sleep(0.005)
    took = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        err_file.seek(0)
        err = err_file.read().decode(errors="replace")[-2000:]
        print(f"  ! {' '.join(map(str, cmd[:4]))} exited {code}: {err}", file=sys.stderr)
    err_file.close()
    return took, usage.ru_maxrss / 1024, code


def in_process_edit(portfolio: Path, out: Path) -> float:
    """One entry edited, rebuilt the way `serve` does: same process, cache object kept."""
    sys.path.insert(0, str(REPO))
    from generator import pipeline
    from generator.cache import Cache, default_dir
    as_of = dt.date.fromisoformat(AS_OF)
    cache = Cache(default_dir(portfolio))
    pipeline.build(portfolio, out, as_of, cache=cache)        # warm up: as serve is after its first build
    entry = sorted((portfolio / "entries").glob("*.md"))[len(list((portfolio / "entries").glob("*.md"))) // 2]
    entry.write_text(entry.read_text("utf-8") + "\nOne more sentence, saved in the editor.\n", "utf-8")
    started = time.perf_counter()
    result = pipeline.build(portfolio, out, as_of, cache=cache)
    took = time.perf_counter() - started
    assert result.published
    return took


def ours(n: int, work: Path) -> dict:
    portfolio = work / "portfolio"
    out = portfolio / "site"
    rows = {}
    shutil.rmtree(portfolio / ".cache", ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    build = PORTFOLIO + ["build", "--source", str(portfolio), "--out", str(out), "--as-of", AS_OF]
    check = PORTFOLIO + ["check", "--source", str(portfolio), "--as-of", AS_OF]
    rows["ours: cold build"] = run(build, cwd=REPO)
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
    return rows, pages


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


def ensure_tools() -> Path:
    """A separate venv for MkDocs and Pelican (the project's venv stays clean); Debian's hugo."""
    venv = HERE / ".venv"
    if not (venv / "bin" / "pelican").exists() or not (venv / "bin" / "mkdocs").exists():
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--ours-only", action="store_true")
    ap.add_argument("--work", type=Path, default=HERE / "out")
    ap.add_argument("--mkdocs-max", type=int, default=1000,
                    help="skip MkDocs above this N (every page carries the whole nav: output grows as N²)")
    ap.add_argument("--edit-in-process", nargs=2, type=Path, metavar=("PORTFOLIO", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.edit_in_process:
        print(f"{in_process_edit(*args.edit_in_process):.4f}")
        return 0
    bindir = None if args.ours_only else ensure_tools()
    results = []
    for n in args.sizes:
        work = args.work / str(n)
        print(f"N = {n}: generating ...", file=sys.stderr, flush=True)
        synth.generate(work / "portfolio", n, seed=1)
        rows, pages = ours(n, work)
        cold = rows["ours: cold build"][0]
        for name, r in rows.items():
            results.append((n, name, r, pages if "build" in name or "edited" in name else 0, ""))
        if not args.ours_only:
            others = [("Hugo", lambda: hugo(work)), ("Pelican", lambda: pelican(work, bindir))]
            if n <= args.mkdocs_max:
                others.insert(1, ("MkDocs", lambda: mkdocs(work, bindir)))
            for name, fn in others:
                print(f"N = {n}: {name} ...", file=sys.stderr, flush=True)
                r = fn()
                ratio = f"{cold / r[0]:.2f}" if r[0] == r[0] and r[2] == 0 else "—"
                results.append((n, f"{name}: build, {n:,} plain pages", r, n, f"cold {ratio}"))
        print(table(results), flush=True)
    print("\n" + table(results))
    print(f"\nmachine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
          f"{'hugo ' + subprocess.run(['hugo', 'version'], capture_output=True, text=True).stdout.split()[1] if shutil.which('hugo') else ''}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
