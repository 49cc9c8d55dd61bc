"""`serve` in a real browser (Playwright, Debian's Chromium): a save reloads the open page that changed, first,
and leaves an open page the save did not change alone (its script state survives: it was not reloaded)."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest

from generator.serve import Server
from test_browser import browser  # noqa: F401  (the module's Chromium, or a skip with the reason)
from test_serve import ENTRY, FIXTURE, PAGE, PATIENCE, settled

pytestmark = pytest.mark.browser


def test_a_save_reloads_the_changed_open_page_and_not_the_others(browser, tmp_path):  # noqa: F811
    src = tmp_path / "p"
    shutil.copytree(FIXTURE, src)
    server = Server(src, port=0, as_of=dt.date(2026, 3, 15), quiet=True).start()
    firsts: list = []
    build = server.live.build
    server.live.build = lambda *args: (build(*args), firsts.append(server.live.stats["first"]))[0]
    ctx = browser.new_context()
    try:
        entry_page, contacts = ctx.new_page(), ctx.new_page()
        entry_page.goto(server.url + PAGE)
        contacts.goto(server.url + "contacts.html")
        for p in (entry_page, contacts):
            p.evaluate("window.notReloaded = true")
        settled(server)
        assert {PAGE, "contacts.html"} <= server.state.open_pages()
        entry = src / ENTRY
        with entry_page.expect_event("load", timeout=PATIENCE * 1000):
            entry.write_text(entry.read_text().replace("Bea explained", "Bea kindly explained"))
        assert "Bea kindly explained" in entry_page.inner_text("body")
        assert entry_page.evaluate("window.notReloaded === undefined")   # a new document
        settled(server)
        assert 1 in firsts                                                # published before the rest
        assert contacts.evaluate("window.notReloaded") is True            # not reloaded: nothing changed there
        # an error is shown on every open page, and cleared on every one
        good = entry.read_text()
        with contacts.expect_event("load", timeout=PATIENCE * 1000):
            entry.write_text(good.replace("kind: meeting", "kind: meeting\nkind: call"))
        contacts.wait_for_selector("#portfolio-serve-errors", timeout=PATIENCE * 1000)
        with contacts.expect_event("load", timeout=PATIENCE * 1000):
            entry.write_text(good)
        contacts.wait_for_load_state()
        assert contacts.query_selector("#portfolio-serve-errors") is None
    finally:
        ctx.close()
        server.stop()


def test_a_changed_stylesheet_shows_though_the_browser_keeps_stylesheets(browser, tmp_path):  # noqa: F811
    """The theme's files are kept by the browser while their content is the same (serve.Assets): a reload
    after a save takes the stylesheet from the browser's cache, and a changed stylesheet is fetched anew."""
    from test_serve import _theme, themed_source
    src = themed_source(tmp_path)
    server = Server(src, port=0, as_of=dt.date(2026, 3, 15), quiet=True).start()
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        # bytes the stylesheet took over the network in the page shown now (0: from the browser's cache)
        sent = "performance.getEntriesByType('resource').filter(r => r.name.includes('style.css'))" \
               ".map(r => [r.name, r.transferSize])"
        page.goto(server.url + PAGE)
        color = "getComputedStyle(document.body).color"
        assert page.evaluate(color) == "rgb(1, 2, 3)"
        (first, size), = page.evaluate(sent)
        assert size > 0
        settled(server)
        entry = src / ENTRY
        with page.expect_event("load", timeout=PATIENCE * 1000):      # a save: the page reloads ...
            entry.write_text(entry.read_text().replace("Bea explained", "Bea kindly explained"))
        assert "Bea kindly explained" in page.inner_text("body")
        assert page.evaluate(sent) == [[first, 0]]                     # ... its stylesheet from the cache
        settled(server)
        with page.expect_event("load", timeout=PATIENCE * 1000):      # the theme's stylesheet changes
            _theme(src, "body { color: rgb(4, 5, 6) }\n")
        page.wait_for_function(f"{color} === 'rgb(4, 5, 6)'", timeout=PATIENCE * 1000)
        (now, size), = page.evaluate(sent)
        assert now != first and size > 0
    finally:
        ctx.close()
        server.stop()
