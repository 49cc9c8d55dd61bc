"""Screenshots of the example portfolio's site for the README: dashboard and a unit page, desktop and phone.

    .venv/bin/python tools/screenshots.py        # or: make screenshots

Builds the example with a pinned --as-of into a temporary folder and photographs it with Playwright driving
Debian's Chromium (tools/ensure-chromium.sh installs it), writing docs/img/*.png.
"""
from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator import pipeline  # noqa: E402

CHROMIUM = "/usr/lib/chromium/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--font-render-hinting=none"]
AS_OF = dt.date(2026, 9, 30)
SHOTS = [("dashboard", "index.html"), ("unit", "units/j-506-1949.html")]
SIZES = [("desktop", 1280, 1000), ("phone", 375, 812)]


def main() -> int:
    from playwright.sync_api import sync_playwright

    out = ROOT / "docs" / "img"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        result = pipeline.build(ROOT, site, AS_OF)
        if not result.published:
            print("the example portfolio has errors; fix them first (make check)", file=sys.stderr)
            return 1
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for size, width, height in SIZES:
                page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
                for name, path in SHOTS:
                    page.goto((site / path).as_uri())
                    target = out / f"{name}-{size}.png"
                    page.screenshot(path=str(target), full_page=False)
                    print(target.relative_to(ROOT))
                page.close()
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
