"""One cold build, measured: wall, CPU, peak memory of the process tree and where the peak sat.

    python benchmarks/cold.py PORTFOLIO [--out DIR]

Runs `python -m generator build` on PORTFOLIO with no cache and no site, PORTFOLIO_STAGE_TIMES=1,
sampling every 20 ms the proportional set size (Pss, /proc/PID/smaps_rollup) of the build and every
process descended from it, as benchmarks/bench.py does for its peak-memory row. Prints the wall time,
the CPU time of the tree (user + system, workers counted: wait4's rusage holds the children the build
waited for), the peak of the summed Pss and each process's share at that moment, the main process's
own ru_maxrss, and the stage times the build printed.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench import AS_OF, PORTFOLIO, REPO, family, pss_kib, stage_times  # noqa: E402


def measure(portfolio: Path, out: Path, env: dict | None = None) -> dict:
    shutil.rmtree(portfolio / ".cache", ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    cmd = PORTFOLIO + ["build", "--source", str(portfolio), "--out", str(out), "--as-of", AS_OF]
    err = tempfile.TemporaryFile()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=err,
                            env={**os.environ, "PORTFOLIO_STAGE_TIMES": "1", **(env or {})})
    peak, at_peak, when, sampled = 0, {}, 0.0, 0.0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - sampled >= 0.02:
            sampled = time.perf_counter()
            shares = {p: pss_kib(p) for p in family(proc.pid)}
            if sum(shares.values()) > peak:
                peak, at_peak, when = sum(shares.values()), shares, sampled - started
        time.sleep(0.005)
    took = time.perf_counter() - started
    err.seek(0)
    text = err.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        print(text[-3000:], file=sys.stderr)
    return {"exit": code, "wall": took, "cpu": usage.ru_utime + usage.ru_stime, "peak_tree_mib": peak / 1024,
            "peak_at_s": when, "peak_shares_mib": {("main" if p == proc.pid else str(p)): round(k / 1024, 1)
                                                  for p, k in at_peak.items()},
            "main_maxrss_mib": usage.ru_maxrss / 1024, "stages": stage_times(text)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("portfolio", type=Path)
    ap.add_argument("--out", type=Path, help="the site folder (default: PORTFOLIO/site)")
    args = ap.parse_args(argv)
    r = measure(args.portfolio, args.out or args.portfolio / "site")
    st = r.pop("stages")
    for k, v in r.items():
        print(f"{k}: {v:.2f}" if isinstance(v, float) else f"{k}: {v}")
    print("stages: " + ", ".join(f"{k} {v:.2f}" for k, v in st.items()))
    return 0 if r["exit"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
