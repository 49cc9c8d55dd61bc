"""A `build` or `check` whose inputs have not changed since the last one that succeeded is answered at once.

Like make and ninja, this decides from file status, before any YAML is read or any library is imported:
the last successful run left a *stamp* in the cache folder with

- a key: the command and every option that shapes its output (`--out`, `--as-of` resolved to a date, the
  report filters), the checked-out git commit (entry pages show git history), the status of every file of
  the generator's own package, of the shipped default theme and frameworks, of every folder on Python's
  import path (an installed or removed library changes it), and of any theme folder outside the portfolio;
- the status (size, mtime, ctime, inode) of every file and folder under the portfolio folder, except `.git`,
  `.cache` and the output folder;
- for `build`, the status of every file and folder in the output folder as published;
- what the run printed on stdout and stderr, and its exit status.

When all of these are as recorded, the same records would give byte-identical output (the build is
deterministic), so the run prints what it printed then and stops. Anything else, including a stamp
that cannot be read, means a normal run. A stamp is written only after a run that exited 0, and only
when no input changed within `RACY_NS` of the run's start (git's rule for racy files: a file changed in
the same clock tick as the look could keep its recorded status); a symbolic link anywhere in the
portfolio turns the shortcut off, since its target's status is not the link's. `--no-cache` never
reads or writes a stamp; `check --fix` never uses one.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

RACY_NS = 2_000_000_000          # as the page cache's (generator/pagecache.py)
FORMAT = 1
SKIPPED = (".git", ".cache")     # never read by a run: the repository's own folder, the caches


class Unsure(Exception):
    """The tree cannot be summed up by status (a symbolic link, an unreadable folder): run normally."""


def stamp_path(cache_dir: Path, command: str) -> Path:
    return Path(cache_dir) / f"uptodate-{command}.json"


def _walk(root: Path, skip: set, h, newest: list) -> None:
    """Feed the status of everything under `root` into `h`, in a fixed order; `newest[0]` keeps the
    latest ctime seen."""
    try:
        with os.scandir(root) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        raise Unsure(str(exc)) from None
    for e in entries:
        if e.path in skip or e.name == "__pycache__":   # Python's compiled files, written as it imports
            continue
        if e.is_symlink():
            raise Unsure(e.path)
        st = e.stat(follow_symlinks=False)
        h.update(f"{e.name}\0{st.st_mode}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}\n"
                 .encode("utf-8", "surrogateescape"))
        newest[0] = max(newest[0], st.st_ctime_ns, st.st_mtime_ns)
        if e.is_dir(follow_symlinks=False):
            h.update(b"(")
            _walk(Path(e.path), skip, h, newest)
            h.update(b")")


def tree(root: Path, skip=()) -> tuple[str, int]:
    """(digest of the status of everything under root, newest change time seen)."""
    h = hashlib.sha256()
    newest = [0]
    try:
        st = os.lstat(root)
    except OSError:
        return "absent", 0
    h.update(f"{st.st_mode}\0{st.st_ino}\n".encode())
    if os.path.isdir(root):
        _walk(Path(root), {str(p) for p in skip}, h, newest)
    return h.hexdigest(), newest[0]


def key(parts: dict, extra_dirs=()) -> tuple[str, int]:
    """The run's identity apart from the portfolio and output folders (see the module's docstring), and
    the newest change time among the files it looked at."""
    h = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode())
    package = Path(__file__).resolve().parent
    code, newest = tree(package, [package / "__pycache__"])
    h.update(code.encode())
    for entry in sys.path:
        if entry and os.path.isdir(entry):
            st = os.stat(entry)
            h.update(f"{entry}\0{st.st_mtime_ns}\0{st.st_ino}\n".encode("utf-8", "surrogateescape"))
    h.update(f"{sys.version}\0{sys.executable}\0{git_head(parts['source'])}\n".encode())
    from . import shipped   # the default theme and the frameworks, outside the package in a checkout
    for folder in [str(shipped.default_theme()), str(shipped.criteria()), *extra_dirs]:
        digest, changed = tree(Path(folder))
        h.update(folder.encode("utf-8", "surrogateescape") + digest.encode())
        newest = max(newest, changed)
    return h.hexdigest(), newest


def git_head(root) -> str:
    """The commit checked out (entry pages show dates from git history); '' outside a repository.

    Read from the repository's files as git itself resolves HEAD (a `.git` folder or `gitdir:` file found
    upwards from `root`, HEAD, the loose ref, then packed-refs), so that the up-to-date look need not
    start a process; anything unusual (git's environment variables, a symbolic ref that is not under
    refs/, a file that cannot be read) asks git instead."""
    if root is None:
        return ""
    if not _GIT_PLACES.intersection(os.environ):
        try:
            found = _head_from_files(Path(root).resolve())
        except (OSError, UnicodeError):
            found = None
        if found is not None:
            return found
    return _head_from_git(root)


# the environment variables that change which repository or HEAD git finds
_GIT_PLACES = frozenset({"GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES",
                         "GIT_DISCOVERY_ACROSS_FILESYSTEM"})
_HEX = frozenset("0123456789abcdef")


def _object_id(text: str) -> str | None:
    text = text.strip()
    return text if len(text) in (40, 64) and set(text) <= _HEX else None


def _head_from_files(root: Path) -> str | None:
    """HEAD's commit, '' when no repository holds `root`, None when only git can say."""
    for folder in (root, *root.parents):
        dotgit = folder / ".git"
        if dotgit.is_dir():
            gitdir = dotgit
            break
        if dotgit.is_file():   # a worktree or submodule: `gitdir: PATH`
            line = dotgit.read_text("utf-8").strip()
            if not line.startswith("gitdir: "):
                return None
            gitdir = (folder / line[len("gitdir: "):]).resolve()
            break
    else:
        return ""
    common = gitdir
    if (gitdir / "commondir").is_file():   # a linked worktree keeps its refs in the main repository
        common = (gitdir / (gitdir / "commondir").read_text("utf-8").strip()).resolve()
    head = (gitdir / "HEAD").read_text("utf-8").strip()
    if not head.startswith("ref: "):
        return _object_id(head)
    ref = head[len("ref: "):]
    if not ref.startswith("refs/") or ".." in ref:
        return None
    for base in (gitdir, common):
        try:
            return _object_id((base / ref).read_text("utf-8"))
        except (FileNotFoundError, NotADirectoryError):
            continue
    try:
        packed = (common / "packed-refs").read_text("utf-8")
    except FileNotFoundError:
        return None      # an unborn branch (no commit yet) or a ref store git alone reads: ask git
    for line in packed.splitlines():
        object_id, _, name = line.partition(" ")
        if name == ref:
            return _object_id(object_id)
    return None


def _head_from_git(root) -> str:
    import shutil
    import subprocess
    git = shutil.which("git")
    if not git:
        return ""
    try:
        proc = subprocess.run([git, "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


class Stamp:
    """The look taken as a run starts; `answer()` replays the last run when nothing changed,
    `record()` writes the stamp after a run that succeeded."""

    def __init__(self, cache_dir: Path, command: str, parts: dict, source: Path, out: Path | None):
        import time
        self.path = stamp_path(cache_dir, command)
        self.parts, self.source, self.out = parts, Path(source).resolve(), out and Path(out).resolve()
        self.started_ns = time.time_ns()
        self.skip = [self.source / name for name in SKIPPED] + [Path(cache_dir).resolve()]
        if self.out is not None:
            self.skip.append(self.out)

    def _inputs(self, extra_dirs) -> tuple[str, int]:
        """Everything but the output folder, summed up; with the newest change time seen, which a stamp
        needs to be older than the run's start (less RACY_NS): a file changed during the run (after it
        was read) is newer than that, so a stamp never describes bytes the run did not see."""
        inputs, newest = tree(self.source, self.skip)
        identity, changed = key(self.parts, extra_dirs)
        return identity + inputs, max(newest, changed)

    def answer(self) -> int | None:
        """The last run's exit status, having printed what it printed, or None: run normally."""
        try:
            saved = json.loads(self.path.read_text("utf-8"))
            if saved.get("format") != FORMAT:
                return None
            if self._inputs(saved["extra_dirs"])[0] != saved["inputs"]:
                return None
            if self.out is not None and tree(self.out)[0] != saved["outputs"]:
                return None
        except (OSError, ValueError, KeyError, TypeError, Unsure):
            return None
        sys.stdout.write(saved["stdout"])
        sys.stderr.write(saved["stderr"])
        return saved["status"]

    def forget(self) -> None:
        """Before a normal run: a run killed half way must not leave the last stamp standing."""
        try:
            self.path.unlink()
        except OSError:
            pass

    def record(self, status: int, stdout: str, stderr: str, extra_dirs=()) -> None:
        extra = sorted({str(Path(d).resolve()) for d in extra_dirs})
        package = Path(__file__).resolve().parent   # the default theme: part of the key already
        extra = [d for d in extra if not (Path(d).is_relative_to(self.source) or Path(d).is_relative_to(package))]
        try:
            inputs, newest = self._inputs(extra)
            if status != 0 or newest >= self.started_ns - RACY_NS:
                return   # changed too close to the start to trust its status: the next run decides
            outputs = tree(self.out)[0] if self.out is not None else ""
            payload = json.dumps({"format": FORMAT, "inputs": inputs, "outputs": outputs, "extra_dirs": extra,
                                  "status": status, "stdout": stdout, "stderr": stderr})
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".part")
            tmp.write_text(payload, "utf-8")
            os.replace(tmp, self.path)
        except (OSError, Unsure):
            pass   # a stamp only ever saves time


class Tee:
    """A text stream that writes through and keeps a copy (what the run printed, for its stamp)."""

    def __init__(self, stream):
        self.stream, self.parts = stream, []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def getvalue(self) -> str:
        return "".join(self.parts)

    def __getattr__(self, name):
        return getattr(self.stream, name)
