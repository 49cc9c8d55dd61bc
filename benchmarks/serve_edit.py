"""Benchmark: one edited entry in `serve`, from the save to the browser showing the reloaded page.

    python benchmarks/serve_edit.py --entries 1000            # a synthetic portfolio (benchmarks/synth.py)
    python benchmarks/serve_edit.py --portfolio DIR --edits 7

A real `portfolio serve` process serves the portfolio; Playwright drives Debian's Chromium
(/usr/lib/chromium/chromium) to one entry's page. Each edit appends a sentence to that entry's file;
the time is from just before the write to the moment the browser has loaded the page again and it
shows the new sentence (the page's `load` event, then its text checked). `serve`'s own "rebuilt in"
line is read from its stderr, so the table can split the wait into the rebuild and the rest (the
watcher's debounce, the long poll, the page load); serve publishes the open page before the rest of
the site, and the same line says when ("the open page shown after N ms").
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CHROMIUM = "/usr/lib/chromium/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
AS_OF = "2026-01-01"


class _Serve:
    """`portfolio serve` in a child process; its stderr lines are collected on a thread."""

    def __init__(self, portfolio: Path, startup: float):
        self.lines: list[str] = []
        self.url = None
        self._seen = threading.Condition()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--source", str(portfolio), "--port", "0",
             "--as-of", AS_OF], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        line = self.wait_line(r"serving .* at (http://\S+)", startup)
        self.url = re.search(r"at (http://\S+)", line).group(1)

    def _read(self):
        for line in self.proc.stderr:
            with self._seen:
                self.lines.append(line.rstrip("\n"))
                self._seen.notify_all()

    def wait_line(self, pattern: str, timeout: float, after: int = 0) -> str:
        rx = re.compile(pattern)
        with self._seen:
            ok = self._seen.wait_for(lambda: any(rx.search(x) for x in self.lines[after:]) or
                                     self.proc.poll() is not None, timeout)
            hits = [x for x in self.lines[after:] if rx.search(x)]
        if not ok or not hits:
            raise RuntimeError(f"serve did not say {pattern!r}: " + "\n".join(self.lines[-10:]))
        return hits[0]

    def stop(self):
        self.proc.send_signal(2)   # Ctrl-C: serve stops cleanly and saves its cache
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def measure_serve_edit(portfolio: Path, edits: int = 5, startup: float = 1800) -> dict:
    """Save → browser reloaded, `edits` times on one entry of a served portfolio. Returns the times (s)
    of each edit (`waits`), serve's own rebuild times (`rebuilds`), and their medians."""
    from playwright.sync_api import sync_playwright

    entry = sorted((portfolio / "entries").glob("*.md"))[len(list((portfolio / "entries").glob("*.md"))) // 2]
    server = _Serve(portfolio, startup)
    waits, rebuilds, shown = [], [], []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page()
            page.goto(server.url + "entries/" + entry.stem + ".html")
            for i in range(edits):
                marker = f"Edited in the editor, save number {i} {time.time_ns()}."
                page.wait_for_timeout(300)          # let the page's long poll be waiting, as a learner's is
                seen = len(server.lines)
                text = entry.read_text("utf-8") + f"\n{marker}\n"
                started = time.perf_counter()
                with page.expect_event("load", timeout=600_000):
                    entry.write_text(text, "utf-8")
                while marker not in page.inner_text("body"):   # a reload for an earlier event: wait again
                    page.wait_for_event("load", timeout=600_000)
                waits.append(time.perf_counter() - started)
                line = server.wait_line(r"rebuilt in (\d+) ms", 60, seen)
                rebuilds.append(int(re.search(r"(\d+) ms", line).group(1)) / 1000)
                early = re.search(r"shown after (\d+) ms", line)
                shown.append(int(early.group(1)) / 1000 if early else float("nan"))
            browser.close()
    finally:
        server.stop()
    return {"waits": waits, "rebuilds": rebuilds, "shown": shown, "median": statistics.median(waits),
            "median_rebuild": statistics.median(rebuilds), "median_shown": statistics.median(shown)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--portfolio", type=Path, help="a portfolio to serve (default: a synthetic one)")
    ap.add_argument("--entries", type=int, default=1000)
    ap.add_argument("--edits", type=int, default=5)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE))
    with tempfile.TemporaryDirectory(prefix="serve-edit-") as tmp:
        portfolio = args.portfolio
        if portfolio is None:
            import synth
            portfolio = synth.generate(Path(tmp) / "portfolio", args.entries, 1)
        got = measure_serve_edit(portfolio, args.edits)
    print("save -> browser reloaded (s): " + " ".join(f"{w:.3f}" for w in got["waits"]))
    print("serve's rebuild (s):          " + " ".join(f"{w:.3f}" for w in got["rebuilds"]))
    print("open page published (s):      " + " ".join(f"{w:.3f}" for w in got["shown"]))
    print(f"median: {got['median']:.3f} s (rebuild {got['median_rebuild']:.3f} s, open page published after "
          f"{got['median_shown']:.3f} s); target 0.200 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
