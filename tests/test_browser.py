"""The site in a real browser: Playwright driving Debian's Chromium (Playwright's own browser
download is not available here). Skipped, with the reason, only when Chromium cannot start;
`make test` installs it first (tools/ensure-chromium.sh)."""
from __future__ import annotations

import contextlib
import functools
import http.server
import threading

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/lib/chromium/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ENTRY = "entries/2026-01-20-forum-meeting-z-q.html"
# one page per template
TEMPLATE_PAGES = ["index.html", "qualification.html", "units/u-1.html", "units/u-1/1-1.html", "matrix.html",
                  "matrix/u-1.html", "diary.html", "diary/kind/meeting.html", ENTRY, "contacts.html",
                  "contacts/pat-public.html", "networks.html", "plan.html", "gaps.html", "follow-ups.html",
                  "search.html", "print.html", "assessment.html"]


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:  # pragma: no cover
        pytest.skip(f"playwright is not installed: {e}")
    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    except Exception as e:  # noqa: BLE001 - any launch failure means: no browser here
        pw.stop()
        pytest.skip(f"chromium cannot start ({CHROMIUM}): {str(e).splitlines()[0]}")
    yield b
    b.close()
    pw.stop()


@contextlib.contextmanager
def serve(folder):
    """`folder` over HTTP on 127.0.0.1 (a thread, stopped on exit); yields the base URL."""
    handler = functools.partial(_Quiet, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def server(built_site):
    with serve(built_site) as base:
        yield base


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1024, "height": 800})
    ctx.set_default_timeout(5000)
    p = ctx.new_page()
    p.errors = []
    p.on("console", lambda m: p.errors.append(m.text) if m.type == "error" else None)
    p.on("pageerror", lambda e: p.errors.append(str(e)))
    yield p
    ctx.close()


def test_navigate_dashboard_unit_criterion_entry_contact(page, server):
    page.goto(server + "index.html")
    page.click("main a[href='units/u-1.html']")
    assert page.locator("h1").inner_text() == "U/1 Develop networks"
    page.click("main h3 a[href$='u-1/1-1.html']")
    assert page.locator("h1").inner_text() == "U/1:1.1"
    page.click(f"main a[href='../../{ENTRY}']")
    assert "Forum meeting with Z.Q." in page.locator("h1").inner_text()
    page.click("main dd a[href^='../contacts/c-']")
    assert page.locator("h1").inner_text() == "Z.Q."                  # initials only: role and organisation beside
    assert "Warehouse Manager" in page.locator("main dl").inner_text()
    page.click(f"main .timeline a[href='../{ENTRY}']")
    assert page.url.endswith(ENTRY)
    assert page.errors == []


def _search(page, start_url):
    page.goto(start_url)
    page.fill("#site-search-q", "handover format")
    page.press("#site-search-q", "Enter")
    page.wait_for_selector("#search-results li a")
    assert page.locator("#search-status").inner_text() == "1 result"
    page.click("#search-results li a")
    assert page.url.endswith(ENTRY)
    assert page.errors == []


def test_search_over_http(page, server):
    _search(page, server + "plan.html")


def test_search_from_disk(page, built_site):
    _search(page, (built_site / "contacts.html").as_uri())


def test_diary_filters_with_script(page, server):
    page.goto(server + "diary.html")
    assert page.locator(".entry-list > li:visible").count() == 3
    page.select_option("#f-kind", "event")
    assert page.locator(".entry-list > li:visible").count() == 1
    assert page.locator("#diary-filter-status").inner_text() == "1 of 3 entries shown"
    page.select_option("#f-kind", "")
    page.select_option("#f-criterion", "u-1--1-1")
    assert page.locator(".entry-list > li:visible").count() == 1
    assert page.errors == []


def test_diary_filters_without_script(browser, server):
    ctx = browser.new_context(java_script_enabled=False)
    ctx.set_default_timeout(5000)
    p = ctx.new_page()
    p.goto(server + "diary.html")
    assert p.locator("#diary-filter").is_hidden()       # the instant form needs script
    p.click("summary:has-text('Method')")
    p.click("a[href='diary/method/event.html']")
    assert p.locator("h1").inner_text() == "Diary: method event"
    assert p.locator(".entry-list > li").count() == 1
    ctx.close()


def test_every_template_accessible_console_clean_and_fits_375px(browser, server):
    _audit(browser, server, TEMPLATE_PAGES)


def test_example_portfolio_accessible(browser, example_site):
    """The example's richer content (a crowded network map, long tables) through the same audit."""
    entry = sorted((example_site / "entries").glob("*.html"))[-1].relative_to(example_site).as_posix()
    contact = sorted((example_site / "contacts").glob("*.html"))[0].relative_to(example_site).as_posix()
    unit = sorted((example_site / "units").glob("*/*.html"))[0].relative_to(example_site).as_posix()
    widest = max((example_site / "matrix").glob("*.html"), key=lambda p: p.read_text("utf-8").count("<th scope=\"col\""))
    pages = ["index.html", "qualification.html", "units/" + unit.split("/")[1] + ".html", unit, "matrix.html",
             "matrix/" + widest.name, "diary.html", entry, "contacts.html", contact, "networks.html", "plan.html",
             "gaps.html", "follow-ups.html", "assessment.html", "print.html", "search.html"]
    with serve(example_site) as base:
        _audit(browser, base, pages)


def _audit(browser, base, paths):
    from axe_playwright_python.sync_playwright import Axe
    axe = Axe()
    ctx = browser.new_context(viewport={"width": 375, "height": 800})
    ctx.set_default_timeout(5000)
    p = ctx.new_page()
    errors = []
    p.on("console", lambda m: errors.append((p.url, m.text)) if m.type == "error" else None)
    p.on("pageerror", lambda e: errors.append((p.url, str(e))))
    problems = []
    for path in paths:
        p.goto(base + path)
        overflow = p.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            problems.append(f"{path}: scrolls sideways by {overflow}px at 375px")
        result = axe.run(p)
        for v in result.response["violations"]:
            problems.append(f"{path}: axe {v['id']} ({v['impact']}): {v['help']} — "
                            + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                                        for n in v["nodes"][:3]))
    ctx.close()
    assert errors == []
    assert problems == []


# -- the matrix pages at 375 px ------------------------------------------------------------------------
# For every grid on a page: is the page no wider than the screen, is the grid in a focusable, labelled
# region with its scroll hint showing, and after scrolling the grid to its far corner do the header row and
# the first column still show (the points just inside the box's top edge and left edge are header cells)?
GRID_FACTS = """() => {
  const doc = document.documentElement, out = {width: doc.scrollWidth, grids: []};
  for (const box of document.querySelectorAll('table.matrix')) {
    const region = box.closest('[role=region]');
    const g = {region: !!region};
    out.grids.push(g);
    if (!region) continue;
    const label = document.getElementById(region.getAttribute('aria-labelledby') || '');
    const hint = document.getElementById(region.getAttribute('aria-describedby') || '');
    g.focusable = region.tabIndex === 0;
    g.label = label ? label.textContent.trim() : '';
    g.hint = hint ? hint.textContent.trim() : '';
    g.hintShown = !!hint && hint.getBoundingClientRect().height > 0 && getComputedStyle(hint).visibility !== 'hidden';
    g.overflows = region.scrollWidth > region.clientWidth || region.scrollHeight > region.clientHeight;
    g.shadow = getComputedStyle(region).backgroundImage.includes('gradient');
    region.scrollIntoView({block: 'start'});
    region.scrollLeft = region.scrollWidth;
    region.scrollTop = region.scrollHeight;
    g.scrolled = [region.scrollLeft, region.scrollTop];
    const r = region.getBoundingClientRect();
    const head = box.tHead.rows[0].cells[0].getBoundingClientRect();
    const at = (x, y) => { const el = document.elementFromPoint(x, y); return el && el.closest('th'); };
    const top = at(r.right - 8, r.top + 4), left = at(r.left + 4, r.bottom - 8), corner = at(r.left + 4, r.top + 4);
    g.headerRow = !!top && top.parentElement.parentElement.tagName === 'THEAD';
    g.firstColumn = !!left && left.getAttribute('scope') === 'row';
    g.corner = corner === box.tHead.rows[0].cells[0];
    g.width = doc.scrollWidth;
  }
  return out;
}"""


def grid_problems(browser, base, paths) -> list[str]:
    ctx = browser.new_context(viewport={"width": 375, "height": 700})
    ctx.set_default_timeout(180000)     # a grid of 40,000 cells takes a while to lay out on a loaded machine
    p = ctx.new_page()
    problems, grids = [], 0
    for path in paths:
        p.goto(base + path)
        facts = p.evaluate(GRID_FACTS)
        if facts["width"] > 375:
            problems.append(f"{path}: the page is {facts['width']}px wide at 375px")
        for i, g in enumerate(facts["grids"]):
            grids += 1
            where = f"{path} grid {i + 1}"
            if not g["region"]:
                problems.append(f"{where}: not in a scroll region")
                continue
            for key in ("focusable", "label", "hint", "hintShown", "shadow", "headerRow", "firstColumn", "corner"):
                if not g[key]:
                    problems.append(f"{where}: {key} missing ({g})")
            if g["width"] > 375:
                problems.append(f"{where}: the page is {g['width']}px wide once the grid is scrolled")
    ctx.close()
    assert grids, "no grid was checked"
    return problems


def matrix_pages(site) -> list[str]:
    return ["matrix.html"] + [p.relative_to(site).as_posix() for p in sorted((site / "matrix").glob("*.html"))]


def test_example_matrix_pages_fit_375px_with_headers_in_view(browser, example_site):
    with serve(example_site) as base:
        assert grid_problems(browser, base, matrix_pages(example_site)) == []


@pytest.fixture(scope="module")
def large_site(tmp_path_factory):
    """48 units, one of 200 criteria, 200 entries, long titles everywhere (tests/large_portfolio.py)."""
    import large_portfolio
    from conftest import build_site
    root = large_portfolio.write(tmp_path_factory.mktemp("large") / "portfolio")
    out = tmp_path_factory.mktemp("large-site") / "site"
    result = build_site(root, out)
    assert result.published, [d for d in result.diagnostics if d.severity == "error"][:3]
    return out


def test_large_portfolio_matrix_pages_fit_375px_with_headers_in_view(browser, large_site):
    pages = matrix_pages(large_site)
    assert len(pages) == 1 + 48
    with serve(large_site) as base:
        assert grid_problems(browser, base, pages) == []


def test_large_portfolio_other_pages_fit_375px(browser, large_site):
    """A page of each kind, with the longest titles the large portfolio has, no wider than the screen."""
    first_entry = sorted((large_site / "entries").glob("*.html"))[0].name
    pages = ["index.html", "qualification.html", "units/l-600-1000.html", "units/l-600-1000/1-1.html", "diary.html",
             "entries/" + first_entry, "gaps.html", "assessment.html", "print.html", "search.html"]
    ctx = browser.new_context(viewport={"width": 375, "height": 700})
    ctx.set_default_timeout(180000)
    p = ctx.new_page()
    wide = {}
    with serve(large_site) as base:
        for path in pages:
            p.goto(base + path)
            width = p.evaluate("document.documentElement.scrollWidth")
            if width > 375:
                wide[path] = width
    ctx.close()
    assert wide == {}
