"""`portfolio serve`: rebuild on save, reload signal, last good site kept while errors stand."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from generator.serve import IMMUTABLE, LONG_POLL, Server, State, inject, relevant, serve, site_path

FIXTURE = Path(__file__).parent / "fixtures" / "authoring"
ENTRY = "entries/2026-02-20-council-chat.md"
PAGE = "entries/2026-02-20-council-chat.html"


# Generous limits: under a loaded machine a rebuild or a process start can take many seconds, and a
# condition that does hold is seen as soon as it holds, so a long limit costs nothing when all is well.
PATIENCE = 60.0


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=PATIENCE) as r:
        return r.status, r.read().decode("utf-8")


def version(server) -> int:
    return json.loads(get(server.url + "__reload")[1])["version"]


def wait_for(predicate, timeout=PATIENCE):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def server(tmp_path):
    src = tmp_path / "p"
    shutil.copytree(FIXTURE, src)
    s = Server(src, port=0, as_of=dt.date(2026, 3, 15), quiet=True).start()
    yield s
    s.stop()


def find_page(server) -> str:
    for p in (server.out).rglob("*council-chat.html"):
        return server.url + p.relative_to(server.out).as_posix()
    raise AssertionError("entry page not built")


def test_serves_with_reload_script_but_the_build_has_none(server):
    status, body = get(find_page(server))
    assert status == 200 and "/__reload" in body and "Bea explained" in body
    on_disk = next(server.out.rglob("*council-chat.html")).read_text()
    assert "__reload" not in on_disk
    assert not (server.source / "site").exists()    # never the learner's site/


def test_save_rebuilds_and_advances_the_counter_then_errors_then_recovery(server):
    url = find_page(server)
    v0 = version(server)
    entry = server.source / ENTRY
    good = entry.read_text()
    entry.write_text(good.replace("Bea explained", "Bea carefully explained"))
    assert wait_for(lambda: version(server) > v0), "no rebuild after a save"
    assert wait_for(lambda: "Bea carefully explained" in get(url)[1])
    assert server.state.errors == []

    v1 = version(server)
    entry.write_text(good.replace("kind: meeting", "kind: meeting\nkind: call"))   # a duplicate key
    # waits for the overlay with this error, not the counter: one save can cause two rebuilds under load,
    # the first of them reading the file half written (an error of its own)
    assert wait_for(lambda: "appears twice" in get(url)[1]), "no overlay after an error"
    assert version(server) > v1
    body = get(url)[1]
    assert "Bea carefully explained" in body                       # the last good site is still served
    assert "portfolio-serve-errors" in body
    assert f"{ENTRY}:" in body and "appears twice" in body         # file:line: message

    v2 = version(server)
    entry.write_text(good)
    assert wait_for(lambda: "portfolio-serve-errors" not in get(url)[1] and "Bea explained" in get(url)[1])
    assert version(server) > v2


def test_reload_long_poll_returns_when_the_version_changes(server):
    v = version(server)
    started = time.monotonic()
    threading.Timer(0.3, lambda: server.state.update([], True)).start()
    data = json.loads(get(server.url + f"__reload?v={v}")[1])
    # well under LONG_POLL: it answered because the version changed, not because the poll timed out
    assert data["version"] == v + 1 and time.monotonic() - started < LONG_POLL / 2


def test_editor_temp_files_and_output_are_ignored(tmp_path):
    src = tmp_path.resolve()
    assert relevant(str(src / "entries" / "x.md"), src)
    assert relevant(str(src / "portfolio.yaml"), src)
    assert relevant(str(src / "themes" / "default" / "templates" / "base.html"), src)
    for name in ("assessments/2026-03-01-a.yaml", "iqa/sample.yaml", "erased.yaml", "evidence-refs.yaml"):
        assert relevant(str(src / name), src), name   # an assessor's decision changes pages as an entry does
    for name in ("entries/.x.md.swp", "entries/x.md~", "entries/.#x.md", "entries/4913",
                 "site/index.html", ".cache/portfolio/serve/index.html", ".git/index", "README.md"):
        assert not relevant(str(src / name), src), name


def test_inject_puts_script_before_body_end():
    state = State()
    state.update(["entries/a.md:3:1: bad <thing>"], False)
    out = inject(b"<html><body><p>x</p></body></html>", state).decode()
    assert out.index("__reload") < out.index("</body>")
    assert "bad &lt;thing&gt;" in out and "<thing>" not in out


def test_ctrl_c_stops_cleanly(tmp_path):
    src = tmp_path / "p"
    shutil.copytree(FIXTURE, src)
    proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--source", str(src), "--port", "0",
                             "--as-of", "2026-03-15"], stderr=subprocess.PIPE, text=True)
    try:
        seen = []
        end = time.monotonic() + PATIENCE
        while not any("serving" in line for line in seen) and time.monotonic() < end:
            line = proc.stderr.readline()
            if not line:   # the process ended before serving
                break
            seen.append(line)
        assert any("serving" in line for line in seen), "".join(seen)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(PATIENCE) == 0
        rest = proc.stderr.read()
        assert "Traceback" not in rest and "stopping" in rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()


def test_ctrl_c_just_after_the_serving_line_still_stops_cleanly(tmp_path, monkeypatch):
    """Ctrl-C can land while start() is still returning; serve must stop everything and return 0."""
    src = tmp_path / "p"
    shutil.copytree(FIXTURE, src)
    said = []

    def say(self, text):
        said.append(text)
        if "serving" in text:
            raise KeyboardInterrupt
    monkeypatch.setattr(Server, "_say", say)
    stopped = []
    real_stop = Server.stop
    monkeypatch.setattr(Server, "stop", lambda self: (real_stop(self), stopped.append(self)))
    outcome = []
    t = threading.Thread(target=lambda: outcome.append(serve(src, 0, dt.date(2026, 3, 15))), daemon=True)
    t.start()
    t.join(PATIENCE)
    assert outcome == [0] and said[-1] == "portfolio: stopping"
    server, = stopped
    assert not any(th.is_alive() for th in server._threads)


def settled(server, quiet=0.6) -> int:
    """The build counter once no rebuild has happened for `quiet` seconds (the events of a change have settled)."""
    seen, since = version(server), time.monotonic()
    while time.monotonic() - since < quiet:
        time.sleep(0.05)
        now = version(server)
        if now != seen:
            seen, since = now, time.monotonic()
    return seen


def test_a_record_folder_made_after_serve_started_is_watched(server):
    """`assessments/` appears when an assessor records a first decision while the learner serves: saves inside
    it must rebuild, not only its creation (the root is watched for its own entries only)."""
    folder = server.source / "assessments"
    assert not folder.exists()
    v0 = version(server)
    folder.mkdir()
    assert wait_for(lambda: version(server) > v0), "no rebuild after the folder appeared"
    v1 = settled(server)
    (folder / "2026-03-10-first.yaml").write_text("learner: x\n")
    assert wait_for(lambda: version(server) > v1), "a save inside the new folder did not rebuild"

    # replaced (deleted and made again): the new folder is watched, not the old one's inode
    shutil.rmtree(folder)
    settled(server)
    folder.mkdir()
    v2 = settled(server)
    (folder / "2026-03-11-second.yaml").write_text("learner: y\n")
    assert wait_for(lambda: version(server) > v2), "a save inside the re-made folder did not rebuild"


# -- the open pages first, and a reload only for the pages that changed --------------------------------
def test_a_page_reloads_only_when_its_own_file_changed_or_every_page_must():
    state = State()
    state.update([], True)                        # the first build: every page
    v = state.version
    state.update([], True, ["entries/a.html"])    # a delta that wrote one page
    assert state.stale(v, "entries/a.html") and not state.stale(v, "contacts.html")
    assert state.stale(v, None)                   # a poll without its page: any new version (as before)
    v = state.version
    state.update(["entries/a.md:1:1: bad"], False)   # errors shown: every page, for the overlay
    assert state.stale(v, "contacts.html")
    v = state.version
    state.update([], True, ["entries/b.html"])    # the errors cleared: every page, to drop the overlay
    assert state.stale(v, "contacts.html") and state.stale(v, "entries/a.html")
    v = state.version
    state.update([], True, [])                    # a save that changed no page: none reloads
    assert not state.stale(v, "entries/a.html") and not state.stale(v, "index.html")


def test_the_page_a_browser_polls_for_is_its_site_path():
    assert site_path("/") == "index.html" and site_path("/diary/") == "diary/index.html"
    assert site_path("/entries/a%20b.html") == "entries/a b.html" and site_path("/print.html") == "print.html"


def _poll(server, page: str, seen: int, out: list) -> threading.Thread:
    t = threading.Thread(target=lambda: out.append(json.loads(
        get(server.url + f"__reload?v={seen}&page=/{page}")[1])), daemon=True)
    t.start()
    return t


def test_a_polling_page_is_open_and_a_save_publishes_it_first_and_reloads_it(server):
    v = settled(server)
    firsts: list = []   # how many open pages each build published early
    build = server.live.build
    server.live.build = lambda *args: (build(*args), firsts.append(server.live.stats["first"]))[0]
    answers: list = []
    poller = _poll(server, PAGE, v, answers)
    assert wait_for(lambda: PAGE in server.state.open_pages())
    entry = server.source / ENTRY
    entry.write_text(entry.read_text().replace("Bea explained", "Bea patiently explained"))
    poller.join(PATIENCE)
    assert answers and answers[0]["reload"] is True
    assert "Bea patiently explained" in get(find_page(server))[1]
    settled(server)
    assert 1 in firsts                                   # the page went out before the rest of the site ...
    # ... and a page the save did not change is not told to reload
    assert not server.state.stale(v, "contacts.html") and server.state.stale(v, PAGE)


def test_a_page_no_longer_polled_is_not_open_after_a_while(monkeypatch):
    import generator.serve as serve_mod
    state = State()
    state.wait(0, 0.01, "entries/a.html")
    assert state.open_pages() == {"entries/a.html"}
    monkeypatch.setattr(serve_mod, "OPEN_FOR", 0.0)
    time.sleep(0.01)
    assert state.open_pages() == set() and state._polled == {}   # nothing a poll named is kept after


def test_one_save_is_one_rebuild(server):
    """The events of one save (an editor's write, rename, chmod: a few ms apart) are one rebuild: those that
    come while the watcher waits for quiet do not trigger a second, needless one. The events are made here as
    the watcher's handler makes them (`poke`), 10 ms apart; under a heavy load a pause longer than the quiet
    period rightly rebuilds again, so one of three saves is enough."""
    builds: list = []
    build = server.live.build
    server.live.build = lambda *args: (builds.append(1), build(*args))[1]
    counts = []
    for n in range(3):
        settled(server)
        builds.clear()
        for _ in range(3):
            server.poke()
            time.sleep(0.01)
        assert wait_for(lambda: builds), "no rebuild after a save"
        settled(server)
        counts.append(len(builds))
    assert 1 in counts, counts


def test_serve_gives_back_the_process_switch_interval_when_it_stops(tmp_path):
    src = tmp_path / "p"
    shutil.copytree(FIXTURE, src)
    before = sys.getswitchinterval()
    s = Server(src, port=0, as_of=dt.date(2026, 3, 15), quiet=True).start()
    try:
        assert sys.getswitchinterval() < before    # serve's threads answer a reload while a build runs
    finally:
        s.stop()
    assert sys.getswitchinterval() == before


def test_the_events_that_finish_a_file_the_build_reads(tmp_path):
    """After such an event serve waits 5 ms of quiet, not 40: an editor writing in place ends with the close,
    one saving atomically with the rename over the record. Its temporary file's close does not count."""
    from watchdog.events import DirMovedEvent, FileClosedEvent, FileCreatedEvent, FileModifiedEvent, FileMovedEvent
    from generator.serve import completes
    src = tmp_path.resolve()
    entry, tmp = str(src / "entries" / "a.md"), str(src / "entries" / "a.md___jb_tmp___")
    assert completes(FileClosedEvent(entry), src)
    assert completes(FileMovedEvent(tmp, entry), src)
    assert completes(FileClosedEvent(str(src / "portfolio.yaml")), src)
    assert completes(FileClosedEvent(str(src / "evidence" / "minutes.pdf")), src)
    assert not completes(FileModifiedEvent(entry), src)          # more may follow
    assert not completes(FileCreatedEvent(entry), src)
    assert not completes(FileClosedEvent(tmp), src)               # renamed over the record next
    assert not completes(FileMovedEvent(entry, tmp), src)         # the record moved away (a backup, say)
    assert not completes(FileClosedEvent(str(src / "entries" / ".a.md.swp")), src)
    assert not completes(DirMovedEvent(str(src / "x"), str(src / "entries")), src)
    assert not completes(FileClosedEvent(str(src / "site" / "index.html")), src)


def test_a_save_closed_is_rebuilt_and_the_quiet_follows_the_last_event(server):
    """What watchdog reports of an in-place save, in order: the file modified, closed, then its folder
    modified. The folder's event leaves the quiet as the close set it (else every save waited 40 ms)."""
    from watchdog.events import DirModifiedEvent, FileClosedEvent, FileModifiedEvent
    entry = str(server.source / ENTRY)
    v = settled(server)
    server._events.on_any_event(FileModifiedEvent(entry))
    assert server._quiet == 0.04
    server._events.on_any_event(FileClosedEvent(entry))
    assert server._quiet == 0.005
    server._events.on_any_event(DirModifiedEvent(str(server.source / "entries")))
    assert server._quiet == 0.005
    server._events.on_any_event(FileModifiedEvent(entry))
    assert server._quiet == 0.04
    assert wait_for(lambda: version(server) > v)
    entry = server.source / ENTRY
    v = settled(server)
    entry.write_text(entry.read_text().replace("Bea explained", "Bea briefly explained"))
    assert wait_for(lambda: "Bea briefly explained" in get(find_page(server))[1])


def _headers(url: str) -> tuple[str, bytes]:
    with urllib.request.urlopen(url, timeout=PATIENCE) as r:
        return r.headers.get("Cache-Control"), r.read()


def _theme(src: Path, css: str) -> None:
    (src / "themes" / "mine" / "static").mkdir(parents=True, exist_ok=True)
    (src / "themes" / "mine" / "static" / "style.css").write_text(css)


def themed_source(tmp_path: Path) -> Path:
    """The fixture with a theme of its own (themes/mine) whose stylesheet sets the text's colour."""
    src = tmp_path / "p"
    shutil.copytree(FIXTURE, src)
    _theme(src, "body { color: rgb(1, 2, 3) }\n")
    text = (src / "portfolio.yaml").read_text()
    (src / "portfolio.yaml").write_text(text.replace("\nsite:\n", "\nsite:\n  theme: themes/mine\n", 1)
                                        if "\nsite:\n" in text else text + "\nsite:\n  theme: themes/mine\n")
    return src


def test_a_served_page_names_each_theme_file_by_its_content_and_only_that_url_is_kept(tmp_path):
    import hashlib
    import re
    src = themed_source(tmp_path)
    server = Server(src, port=0, as_of=dt.date(2026, 3, 15), quiet=True).start()
    try:
        def token() -> str:
            return hashlib.sha256((server.out / "assets" / "style.css").read_bytes()).hexdigest()[:16]
        page = get(server.url + PAGE)[1]
        first = token()
        assert f'href="../assets/style.css?v={first}"' in page                 # the content's hash, while served
        assert 'href="../portfolio.json"' in page                              # not a theme file: as built
        assert "?v=" not in (server.out / PAGE).read_text()                    # the built page has none
        assert re.search(r'href="assets/style\.css\?v=' + first + '"', get(server.url + "index.html")[1])
        kept, body = _headers(server.url + f"assets/style.css?v={first}")
        assert kept == "max-age=31536000, immutable" and b"rgb(1, 2, 3)" in body
        assert _headers(server.url + "assets/style.css")[0] == "no-store"       # no hash: asked every time
        assert _headers(server.url + "assets/style.css?v=0123456789abcdef")[0] == "no-store"
        assert _headers(server.url + PAGE)[0] == "no-store"                     # pages are never kept
        # the theme's stylesheet changes: pages name the new bytes, and the old name is no longer kept
        v = settled(server)
        _theme(src, "body { color: rgb(4, 5, 6) }\n")
        assert wait_for(lambda: token() != first and version(server) > v)
        settled(server)
        assert f"style.css?v={token()}" in get(server.url + PAGE)[1]
        assert _headers(server.url + f"assets/style.css?v={first}")[0] == "no-store"
        assert b"rgb(4, 5, 6)" in _headers(server.url + f"assets/style.css?v={token()}")[1]
    finally:
        server.stop()


def test_a_link_that_names_no_theme_file_is_left_as_it_is(tmp_path):
    from generator.serve import Assets
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "a.css").write_text("x")
    page = (b'<link href="../assets/a.css"><img src="../assets/gone.png"><a href="../files/a.css">'
            b'<a href="../../assets/a.css"><link href="../assets/a.css?x=1">')
    out = Assets(tmp_path).link(page, "entries/p.html")
    assert out.startswith(b'<link href="../assets/a.css?v=')
    assert out.count(b"?v=") == 1                     # gone, outside assets/, above the site, a query of its own


def test_only_a_file_in_the_sites_assets_has_a_version(tmp_path):
    from generator.serve import Assets
    site = tmp_path / "site"
    (site / "assets" / "sub").mkdir(parents=True)
    (site / "assets" / "a.css").write_text("x")
    (tmp_path / "secret.txt").write_text("y")
    assets = Assets(site)
    assert assets.version("assets/a.css") and assets.version("assets/sub") is None
    assert assets.version("index.html") is None and assets.version("../secret.txt") is None


@pytest.fixture
def themed(tmp_path):
    src = themed_source(tmp_path)
    s = Server(src, port=0, as_of=dt.date(2026, 3, 15), quiet=True).start()
    yield s
    s.stop()


def _raw(server, path: str, method: str = "GET"):
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=PATIENCE)
    try:
        conn.request(method, path)   # as given: http.client does not remove dot segments
        r = conn.getresponse()
        return r.status, r.getheader("Cache-Control"), r.read()
    finally:
        conn.close()


def test_an_error_is_never_kept_though_its_url_names_an_asset_with_its_hash(themed):
    import hashlib
    token = hashlib.sha256((themed.out / "assets" / "style.css").read_bytes()).hexdigest()[:16]
    assert _raw(themed, f"/assets/style.css?v={token}")[:2] == (200, IMMUTABLE)
    for path in (f"/assets/x/../style.css?v={token}", f"/assets/%2e%2e/assets/style.css?v={token}"):
        for method in ("GET", "HEAD"):
            status, cache, _ = _raw(themed, path, method)
            assert status == 400 and cache == "no-store", (path, method, status, cache)


def test_an_asset_is_kept_only_under_the_hash_of_the_bytes_sent(themed, monkeypatch):
    """The file is replaced between the server opening it and sending its headers: the browser may keep the
    bytes only under their own hash, never under the hash of the file now on disk."""
    import hashlib
    from generator.serve import Handler
    asset = themed.out / "assets" / "style.css"
    old = asset.read_bytes()
    new = b"body { color: rgb(9, 9, 9) }\n"
    wanted = hashlib.sha256(new).hexdigest()[:16]
    real = Handler.date_time_string

    def replaced_meanwhile(self, *args):   # called between the open and the headers
        tmp = asset.with_name(".swap")
        tmp.write_bytes(new)
        os.replace(tmp, asset)
        return real(self, *args)
    monkeypatch.setattr(Handler, "date_time_string", replaced_meanwhile)
    status, cache, body = _raw(themed, f"/assets/style.css?v={wanted}")
    assert status == 200 and body == old and cache == "no-store"
    status, cache, body = _raw(themed, f"/assets/style.css?v={wanted}")
    assert body == new and cache == IMMUTABLE


def test_stop_ends_the_connections_a_browser_keeps(server):
    import socket
    conn = socket.create_connection(("127.0.0.1", server.port), timeout=PATIENCE)
    ask = b"GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n"
    try:
        conn.sendall(ask)
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += conn.recv(65536)
        head, body = answer.split(b"\r\n\r\n", 1)
        length = int(re.search(rb"Content-Length: (\d+)", head).group(1))
        while len(body) < length:
            body += conn.recv(65536)
        assert head.startswith(b"HTTP/1.1 200 OK") and len(body) == length   # answered; the connection kept
        server.stop()
        try:
            conn.sendall(ask)
            after = conn.recv(65536)
        except ConnectionError:
            after = b""
        assert after == b""                     # ... but closed by stop(), not answered
    finally:
        conn.close()
