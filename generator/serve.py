"""`portfolio serve`: build, serve on localhost, rebuild on save, reload the open page.

The site is built into a folder of its own (SOURCE/.cache/portfolio/serve), never the
learner's site/. The live-reload script and the error overlay are added by the HTTP handler
as each page is sent, so no published build ever contains them. While the records have
errors the last good site stays up, with the errors (file:line:col: message) shown on top
of every page until a save fixes them. Between saves the build session (generator/live.py) keeps
the records, the model and the served manifest in memory: a save re-reads the changed files,
renders the pages whose key changed and writes only the files whose bytes changed.

Each page's reload script polls with its own path, so the server knows which pages a browser has open:
a save publishes those first (as Hugo's fast render mode does), and a page reloads only when its own
file changed — or when every page must (a whole rebuild, the errors shown or cleared).
"""
from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import html
import json
import os
import posixpath
import re
import socket
import stat
import sys
import threading
import time
import traceback
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

from .cache import Cache, default_dir
from .diagnostics import to_text
from .failures import Failure, os_error
from .live import Live
from .outdir import UnsafeOutput

# every record the site reads: the learner's, the assessor's and IQA's decisions, the erasure tombstones and
# the evidence-reference ledger (a change to either of the last two changes what pages show)
WATCHED = ("portfolio.yaml", "entries", "contacts", "criteria", "evidence", "themes", "assessments", "iqa",
           "erased.yaml", "evidence-refs.yaml")
IGNORED_NAMES = ("*.swp", "*.swx", "*.swo", "*~", ".#*", "#*#", "4913", "*.tmp", ".DS_Store", "*.part")
# seconds of quiet after the last event before rebuilding: an editor's save (write, or write a temporary
# file and rename it, then chmod) comes as events a few ms apart; an event during a rebuild starts another,
# so a build that read a file mid-save is followed by one that reads it whole
DEBOUNCE = 0.04
# ... but only this long after an event that completes a file the build reads (closed after writing, or moved
# into place): an editor writing in place ends with the close, one saving atomically with the rename
COMPLETE = 0.005
LONG_POLL = 20.0        # seconds a /__reload request waits for a change before answering anyway
# seconds the build thread holds the interpreter before a waiting thread may take it (Python's default 5 ms):
# while the rest of the site is made, the open page's reload is answered by the server's threads, and at 5 ms
# a turn every request of the reload waited several turns
SWITCH = 0.0005
RELOADED = 0.5          # seconds the rest of a save waits at most for the open pages published first to reload
KEEP_ALIVE = 30.0       # seconds an idle connection is kept (a browser keeps its own for less; a poll is never idle)
OPEN_FOR = 5.0          # seconds a page counts as open after its last poll ended (the next one is on its way)

RELOAD_SCRIPT = """<script>/* portfolio serve: live reload (added while serving only) */
(function () {
  var v = %d;
  var page = encodeURIComponent(location.pathname);
  function poll() {
    fetch("/__reload?v=" + v + "&page=" + page, {cache: "no-store"}).then(function (r) { return r.json(); })
      .then(function (d) { if (d.reload) { location.reload(); } else { v = d.version; poll(); } })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
</script>
"""


class State:
    """What the server shows: a build counter the pages poll, and the errors of the last attempt; which
    version last changed each page, and which pages are open (polling)."""

    def __init__(self):
        self.version = 0
        self.errors: list[str] = []
        self.built = False              # has any build been published yet?
        self.changed = threading.Condition()
        self._every = 0                 # the last version at which every page had to reload
        self._pages: dict = {}          # site path -> the last version that changed its file
        self._open: dict = {}           # site path -> [polls waiting, when the last one ended]
        self._polled: dict = {}         # site path -> the latest version a poll of it was shown at

    def update(self, errors: list[str], published: bool, pages=None) -> None:
        """A build ended (or, `pages` given, those site paths were published early). Without `pages`, or when
        the errors shown change, every page reloads; else only the pages named."""
        with self.changed:
            self.version += 1
            if pages is None or errors != self.errors:
                self._every = self.version
            else:
                for page in pages:
                    self._pages[page] = self.version
            self.errors = errors
            self.built = self.built or published
            self.changed.notify_all()

    def stale(self, seen: int, page: str | None) -> bool:
        """Must a page shown at version `seen` reload? (Without a page: has anything happened since?)"""
        if page is None:
            return self.version != seen
        return self._every > seen or self._pages.get(page, 0) > seen

    def wait(self, seen: int, timeout: float, page: str | None = None) -> bool:
        """Wait until the page must reload (True) or `timeout` passes (False); meanwhile the page is open."""
        with self.changed:
            if page is not None:
                self._open.setdefault(page, [0, 0.0])[0] += 1
                self._polled[page] = max(self._polled.get(page, -1), seen)
                self.changed.notify_all()   # `reloaded` may wait for this poll
            try:
                return self.changed.wait_for(lambda: self.stale(seen, page), timeout)
            finally:
                if page is not None:
                    self._open[page][0] -= 1
                    self._open[page][1] = time.monotonic()

    def reloaded(self, pages, timeout: float) -> bool:
        """Wait until each page in `pages` polls again from the current version (its new document is loaded
        and its script runs), or `timeout` passes."""
        with self.changed:
            version = self.version
            return self.changed.wait_for(lambda: all(self._polled.get(p, -1) >= version for p in pages), timeout)

    def open_pages(self) -> set:
        """The site paths a browser has open: a poll waiting, or one ended in the last OPEN_FOR seconds."""
        with self.changed:
            now = time.monotonic()
            for page in [p for p, (n, ended) in self._open.items() if not n and now - ended > OPEN_FOR]:
                del self._open[page]
                self._polled.pop(page, None)   # what any client names in a poll is not kept for ever
            return set(self._open)


def overlay(errors: list[str]) -> str:
    if not errors:
        return ""
    items = "".join(f"<li><code>{html.escape(e)}</code></li>" for e in errors)
    return ('<div id="portfolio-serve-errors" role="alert" style="position:fixed;top:0;left:0;right:0;'
            'z-index:99999;max-height:60vh;overflow:auto;background:#fff0f0;color:#600;border-bottom:3px solid #c00;'
            'padding:1em;font:14px/1.4 system-ui,sans-serif"><strong>Not rebuilt: fix these errors and save. '
            'You are looking at the last good build.</strong><ul>' + items + "</ul></div>\n")


# a theme's files as a page names them (`href="../assets/style.css"`): versioned while served (`Assets`)
# the attribute's name is checked by `Assets.link`: a pattern that starts with a literal lets `re` skip from one
# `="` to the next (an alternation first tries every byte: print.html at 10,000 entries, 70 MB, 730 -> 150 ms)
ASSET_LINK = re.compile(rb'="((?:\.\./)*assets/[^"?#]+)"')
IMMUTABLE = "max-age=31536000, immutable"


class Assets:
    """A page's links to the theme's files (the site's assets/ folder) get the file's content hash as a query
    while served, and an asset asked for under the hash of the bytes sent may be kept by the browser
    (`Handler.send_head`): a reload then takes the stylesheet from the browser's cache instead of asking again
    (a page whose script waits for its stylesheet loads ~20 ms sooner). A changed asset has a new hash, so a
    page shows it as soon as it is loaded again; an asset asked for without a hash, or with an old one, and
    every error, is sent `no-store` as before."""

    def __init__(self, root: Path):
        self.root = root
        self._known: dict = {}   # site path -> (the file's status, its hash)
        self._lock = threading.Lock()

    def version(self, rel: str) -> str | None:
        """The short content hash of `rel`, a normalised site path, or None when it names no file in assets/."""
        if not rel.startswith("assets/"):
            return None
        try:
            st = os.stat(self.root / rel)
        except (OSError, ValueError):
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        status = (st.st_ino, st.st_size, st.st_mtime_ns)
        with self._lock:
            known = self._known.get(rel)
        if known and known[0] == status:
            return known[1]
        try:
            with open(self.root / rel, "rb") as f:   # in pieces: a theme may ship a large file
                token = hashlib.file_digest(f, "sha256").hexdigest()[:16]
        except OSError:
            return None
        with self._lock:
            self._known[rel] = (status, token)
        return token

    def link(self, page: bytes, page_path: str) -> bytes:
        """`page` (site path `page_path`) with each link to an asset versioned."""
        folder = posixpath.dirname(page_path)

        def versioned(m):
            if not (page.endswith(b"href", 0, m.start()) or page.endswith(b"src", 0, m.start())):
                return m.group(0)
            token = self.version(posixpath.normpath(posixpath.join(folder, m.group(1).decode("utf-8", "replace"))))
            return m.group(0) if token is None else b'="' + m.group(1) + b"?v=" + token.encode() + b'"'
        return ASSET_LINK.sub(versioned, page)


def inject(page: bytes, state: State) -> bytes:
    """Add the reload script (and the error overlay) just before </body>."""
    extra = (overlay(state.errors) + RELOAD_SCRIPT % state.version).encode("utf-8")
    at = page.lower().rfind(b"</body>")
    return page[:at] + extra + page[at:] if at >= 0 else page + extra


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *args, **kwargs):
        self._open: set = set()   # the connections being served: a kept one outlives serve_forever
        self._open_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address):
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End every kept connection: its thread, waiting for the next request, sees the end and returns,
        so a stopped server answers nothing more (a poll waiting finds its connection gone)."""
        with self._open_lock:
            kept = list(self._open)
        for sock in kept:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:   # already closed by its thread
                pass

    def handle_error(self, request, client_address):
        """One line, not socketserver's traceback: a closed connection is routine, anything else is noted."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError):
            return
        print(f"portfolio: serve: a request failed: {type(exc).__name__}: {exc}", file=sys.stderr)


class Handler(SimpleHTTPRequestHandler):
    state: State = None
    assets: Assets = None
    # keep-alive: a reload's page, stylesheet and next poll reuse the connections the browser has open, instead
    # of a new connection (and a new thread here) each; every answer says its length, as HTTP/1.1 needs
    protocol_version = "HTTP/1.1"
    timeout = KEEP_ALIVE
    # the headers and the body are two writes: on a kept connection Nagle's algorithm holds the second until the
    # browser acknowledges the first, which it delays (40 ms on Linux)
    disable_nagle_algorithm = True
    _kept = False   # the answer being sent may be kept by the browser (send_head says so)

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # one line per request drowns the rebuild messages

    def end_headers(self):
        # kept only when send_head sent an asset whose bytes have the hash asked for: an error (a refused path,
        # a file not found for a moment) or bytes replaced between a check and the read are never kept
        kept, self._kept = self._kept, False
        self.send_header("Cache-Control", IMMUTABLE if kept else "no-store")
        super().end_headers()

    def send_head(self):
        """As the base class, but an asset asked for with a version (`?v=`, Assets) is hashed from the very file
        sent, and kept by the browser only if that hash is the one asked for."""
        self._kept = False
        url = urlsplit(self.path)
        given = parse_qs(url.query).get("v") if self.assets is not None else None
        path = self.translate_path(self.path)
        if not given or not posixpath.normpath(unquote(url.path).lstrip("/")).startswith("assets/") \
                or not os.path.isfile(path):
            return super().send_head()
        try:
            f = open(path, "rb")
        except OSError:
            self.send_error(404, "File not found")
            return None
        try:
            fs = os.fstat(f.fileno())
            token = hashlib.file_digest(f, "sha256").hexdigest()[:16]   # the served folder's files are replaced,
            f.seek(0)                                                   # never rewritten: these are the bytes sent
            self.send_response(200)
            self.send_header("Content-type", self.guess_type(path))
            self.send_header("Content-Length", str(fs.st_size))
            self.send_header("Last-Modified", self.date_time_string(fs.st_mtime))
            self._kept = given[0] == token
            self.end_headers()
            return f
        except BaseException:
            f.close()
            raise

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/__reload":
            return self._reload(parse_qs(url.query))
        if not self._safe(url.path):
            return self.send_error(400, "Bad path")
        try:
            return self._get(url)
        except ConnectionError:          # the browser went away mid-answer: nothing to tell it
            return None
        except (OSError, ValueError):    # vanished between the check and the read, or a name the OS refuses
            return self.send_error(404)

    def do_HEAD(self):
        if not self._safe(urlsplit(self.path).path):
            return self.send_error(400, "Bad path")
        try:
            return super().do_HEAD()
        except ConnectionError:
            return None
        except (OSError, ValueError):
            return self.send_error(404)

    def _safe(self, path: str) -> bool:
        """Refuse what no page of the site is called: control characters (a NUL cuts names short in C),
        backslashes, `..` (also spelt %2e%2e or around %2f), and anything that resolves outside the site."""
        text = unquote(path)
        if any(ord(ch) < 32 or ch == "\x7f" for ch in text) or "\\" in text:
            return False
        if ".." in text.split("/"):
            return False
        root = Path(self.directory).resolve()
        try:
            Path(self.translate_path(path)).resolve().relative_to(root)
        except (ValueError, OSError):
            return False
        return True

    def _get(self, url):
        target = Path(self.translate_path(self.path))
        if target.is_dir():
            if not url.path.endswith("/"):
                return super().do_GET()   # the base class redirects to the slash
            target = target / "index.html"
        if target.suffix == ".html" and target.is_file():
            page = target.read_bytes()
            if self.assets is not None:
                page = self.assets.link(page, target.relative_to(self.directory).as_posix())
            return self._send(200, inject(page, self.state))
        if not self.state.built and url.path in ("/", "/index.html"):
            page = b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Not built yet</title></head><body>" \
                   b"<h1>The site has not been built yet</h1></body></html>"
            return self._send(200, inject(page, self.state))
        return super().do_GET()

    def _send(self, status: int, body: bytes, kind: str = "text/html; charset=utf-8"):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _reload(self, query):
        try:
            seen = int(query.get("v", ["-1"])[0])
        except ValueError:
            seen = -1
        page = site_path(query["page"][0]) if "page" in query else None
        with self.state.changed:   # the answer is read at once: a change after it has a later version
            reload = self.state.wait(seen, LONG_POLL, page)
            body = json.dumps({"version": self.state.version, "reload": reload, "errors": self.state.errors})
        self._send(200, body.encode("utf-8"), "application/json")


def site_path(url_path: str) -> str:
    """The site path a browser's `location.pathname` names: `/entries/a.html` -> `entries/a.html`, `/` -> `index.html`."""
    path = unquote(url_path).lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def relevant(path: str, source: Path, extra: tuple = ()) -> bool:
    """Is a changed path one of the records, criteria, themes or portfolio.yaml (and not an editor's temp file)?"""
    try:
        rel = Path(path).resolve().relative_to(source)
    except ValueError:
        return False
    if not rel.parts or any(fnmatch.fnmatch(rel.name, pat) for pat in IGNORED_NAMES):
        return False
    return rel.parts[0] in WATCHED + extra


class _Events(FileSystemEventHandler):
    def __init__(self, server: "Server"):
        self.server = server

    def on_any_event(self, event):
        if event.event_type in ("opened", "closed_no_write"):
            return
        paths = [event.src_path, getattr(event, "dest_path", "")]
        if any(p and relevant(p, self.server.source, self.server.extra) for p in paths):
            # a folder "modified" comes with every change of a name in it, after that change's own event: it
            # says nothing about whether the save is done, so it leaves the quiet as that event set it
            folder = event.is_directory and event.event_type == "modified"
            self.server.poke(None if folder else completes(event, self.server.source, self.server.extra))


def completes(event, source: Path, extra: tuple = ()) -> bool:
    """Does this event finish a file the build reads? A write closed, or a file moved into place — named as
    a record (`.md`, `.yaml`) or in evidence/ or a theme, so an editor's temporary file (`x.md___jb_tmp___`),
    closed before it is renamed over the record, does not count."""
    if event.event_type == "closed":
        path = event.src_path
    elif event.event_type == "moved":
        path = getattr(event, "dest_path", "")
    else:
        return False
    if getattr(event, "is_directory", False) or not path or not relevant(path, source, extra):
        return False
    rel = Path(path).resolve().relative_to(source)
    return not rel.name.startswith(".") and (rel.suffix in (".md", ".yaml") or rel.parts[0] not in
                                             ("entries", "contacts", "criteria", "assessments", "iqa"))


class Server:
    """The whole of `serve`; `start()` returns at once, `stop()` ends it cleanly (tests use both)."""

    def __init__(self, source: Path, port: int = 8000, as_of: dt.date | None = None,
                 cache_dir: Path | None = None, out: Path | None = None, quiet: bool = False):
        self.source = Path(source).resolve()
        self.as_of = as_of
        folder = Path(cache_dir) if cache_dir else default_dir(self.source)
        self.out = Path(out) if out else folder / "serve"
        self.cache = Cache(folder)
        self.live = Live(self.source, self.out, self.cache)   # the model between saves; a save is a delta
        self.state = State()
        self.quiet = quiet
        self.extra: tuple = ()
        self._poked = threading.Event()
        self._switch: float | None = None
        self._last_poke = 0.0
        self._quiet = DEBOUNCE    # how long to wait after the last event (COMPLETE after one that finished a file)
        self._stop = threading.Event()
        handler = type("BoundHandler", (Handler,), {"state": self.state, "assets": Assets(self.out)})
        self.httpd = _HTTPServer(("127.0.0.1", port), partial(handler, directory=str(self.out)))
        self.port = self.httpd.server_address[1]
        self.observer = Observer()
        self._events = _Events(self)
        self._watches: dict = {}   # folder name -> (watch, inode): what watch_folders has scheduled
        self._threads: list[threading.Thread] = []
        self._http: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def _say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=sys.stderr, flush=True)

    def rebuild(self) -> bool:
        started = time.perf_counter()
        as_of = self.as_of or dt.date.today()
        # the pages a browser has open are published first, unless errors are shown: then every page reloads
        first = self.state.open_pages() if not self.state.errors else ()
        try:
            result = self.live.build(as_of, first, self._shown)
        except (Failure, UnsafeOutput, OSError) as exc:   # a broken template, a full disk: one line, keep serving
            failure = exc if isinstance(exc, Failure) else os_error(exc) if isinstance(exc, OSError) else None
            text = failure.render() if failure else f"portfolio: error: {exc}\n"
            self.state.update([text.splitlines()[0]], False)
            self._say(text + "portfolio: not rebuilt: still serving the last good site")
            return False
        except Exception as exc:  # a generator bug must not kill the server; show it and keep the last site
            if os.environ.get("PORTFOLIO_DEBUG"):
                traceback.print_exc()
            self.state.update([f"the build failed: {type(exc).__name__}: {exc}"], False)
            self._say(f"portfolio: internal error: {type(exc).__name__}: {exc} (PORTFOLIO_DEBUG=1 shows where); "
                      "still serving the last good site")
            return False
        if result.model is not None:
            theme = (result.model.site or {}).get("theme")
            self.extra = (Path(theme).parts[0],) if theme and not Path(theme).is_absolute() else ()
        errors = [f"{d.file}:{d.line}:{d.column}: {d.message}" for d in result.errors]
        self.state.update(errors, result.published, self.live.changed if result.published else None)
        took = time.perf_counter() - started
        if result.published:
            shown = self.live.timings.get("first") if self.live.stats["first"] else None
            self._say(f"portfolio: rebuilt in {took * 1000:.0f} ms"
                      + (f" (the open page shown after {shown * 1000:.0f} ms)" if shown is not None else ""))
        else:
            self._say(to_text(result.errors) + "portfolio: not rebuilt: still serving the last good site")
        return result.published

    def _shown(self, pages) -> None:
        """The open pages that changed are published: tell their browsers, and let them reload before the rest
        of the site is made (the reload's requests are answered by this process's threads: a build running
        meanwhile would hold the interpreter most of the time). A closed tab still counts as open for a while,
        hence the limit."""
        self.state.update([], True, pages)
        self.state.reloaded(pages, RELOADED)

    def watch_folders(self) -> None:
        """Watch each record folder (and the theme's) recursively, including one that did not exist when serve
        started or was replaced since: `assessments/` appears with an assessor's first decision, a theme folder
        when `site.theme` is set. The root is watched only for its own entries, so the creation of a folder is
        seen there and brings us here, while the files saved inside it need a watch of their own."""
        for name in WATCHED + self.extra:
            folder = self.source / name
            try:
                inode = folder.stat().st_ino if folder.is_dir() else None
            except OSError:
                inode = None
            known = self._watches.get(name)
            if known and known[1] == inode:
                continue
            if known:   # gone or replaced: its watch follows the old folder, if anything
                del self._watches[name]
                try:
                    self.observer.unschedule(known[0])
                except KeyError:   # watchdog already dropped the watch of a deleted folder
                    pass
            if inode is not None:
                self._watches[name] = (self.observer.schedule(self._events, str(folder), recursive=True), inode)

    def poke(self, complete: bool | None = False) -> None:
        """A relevant event: rebuild after the quiet (COMPLETE after one that finished a file, DEBOUNCE after
        any other; `None`: as the last event set it)."""
        if complete is not None:
            self._quiet = COMPLETE if complete else DEBOUNCE
        self._last_poke = time.monotonic()
        self._poked.set()

    def _watch_loop(self) -> None:
        while not self._stop.is_set():
            if not self._poked.wait(0.2):
                continue
            while time.monotonic() - self._last_poke < self._quiet:   # wait for the saves to settle
                time.sleep(COMPLETE / 2)
            # before the rebuild reads anything, so a save during it triggers another; after the quiet, so the
            # events of the save this rebuild reads (an editor's write, rename, chmod) do not trigger a second
            self._poked.clear()
            if not self._stop.is_set():
                self.watch_folders()   # first, so a file saved into a new folder during the build is seen
                self.rebuild()
                self.watch_folders()   # the build may have named a theme folder

    def start(self) -> "Server":
        self._switch = sys.getswitchinterval()   # the process's own, given back at stop()
        sys.setswitchinterval(SWITCH)
        self.rebuild()
        self.observer.schedule(self._events, str(self.source), recursive=False)
        self.watch_folders()
        self.observer.start()
        for target in (self.httpd.serve_forever, self._watch_loop):
            t = threading.Thread(target=target, daemon=True)
            self._threads.append(t)
            if target == self.httpd.serve_forever:
                self._http = t
            t.start()
        self._say(f"portfolio: serving {self.source} at {self.url} (Ctrl-C to stop)")
        return self

    def stop(self) -> None:
        """Safe at any point of start(): Ctrl-C can land anywhere in it."""
        self._stop.set()
        self.observer.stop()
        # shutdown() waits for serve_forever to finish, so it would wait for ever on a thread never started
        if self._http is not None and self._http.ident is not None:
            self.httpd.shutdown()
        self.httpd.server_close()
        self.httpd.close_connections()   # kept connections (HTTP/1.1) would go on being answered
        if self.observer.ident is not None:
            self.observer.join(5)
        for t in self._threads:
            if t.ident is not None:
                t.join(5)
        self.live.flush()
        self.cache.save()
        if self._switch is not None:
            sys.setswitchinterval(self._switch)


def serve(source: Path, port: int, as_of: dt.date | None = None, cache_dir: Path | None = None) -> int:
    """Run until Ctrl-C; returns the exit status."""
    server = Server(source, port, as_of, cache_dir)
    try:
        server.start()   # inside the try: Ctrl-C just after the "serving" line must still stop cleanly
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server._say("portfolio: stopping")
    finally:
        server.stop()
    return 0
