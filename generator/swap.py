"""Put a finished site in the place of the published one so that, whatever happens, a whole site is there.

The new site is assembled in a temporary folder beside the output (`.site.new-<pid>-<random>`),
then exchanged with the published one in one atomic step where the system has one (Linux's
`renameat2(RENAME_EXCHANGE)`, macOS's `renamex_np(RENAME_SWAP)`). Elsewhere — an older kernel, a
file system that refuses the exchange — it takes two renames: the finished folder is first renamed
`.site.ready-…` (so a later run knows it is whole), the old site moved aside to `.site.old-…`, and
the ready one moved in. A crash between those two renames leaves no `site/`: `recover` (run at the
start of every publish) then moves the ready site in, or else puts the old one back. It also removes
the temporary folders of builds that were killed (their process is gone).
"""
from __future__ import annotations

import ctypes
import errno
import os
import platform
import re
import secrets
import shutil
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

AT_FDCWD = -100
RENAME_EXCHANGE = 2            # linux/fs.h
RENAME_SWAP = 2                # macOS sys/stdio.h
_SYSCALL_RENAMEAT2 = {"x86_64": 316, "amd64": 316, "aarch64": 276, "arm64": 276, "riscv64": 276}
_UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV}


@lru_cache(maxsize=None)
def _exchanger():
    """A function (path bytes, path bytes) -> 0 or -1 that atomically swaps two paths, or None."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    if sys.platform.startswith("linux"):
        fn = getattr(libc, "renameat2", None)       # glibc 2.28 and later
        if fn is not None:
            fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
            fn.restype = ctypes.c_int
            return lambda a, b: fn(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE)
        number = _SYSCALL_RENAMEAT2.get(platform.machine().lower())
        if number is not None and hasattr(libc, "syscall"):
            call = libc.syscall
            call.restype = ctypes.c_long
            return lambda a, b: call(ctypes.c_long(number), ctypes.c_int(AT_FDCWD), ctypes.c_char_p(a),
                                     ctypes.c_int(AT_FDCWD), ctypes.c_char_p(b), ctypes.c_uint(RENAME_EXCHANGE))
    if sys.platform == "darwin":
        fn = getattr(libc, "renamex_np", None)
        if fn is not None:
            fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
            fn.restype = ctypes.c_int
            return lambda a, b: fn(a, b, RENAME_SWAP)
    return None


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two existing paths. False when the system or the file system cannot."""
    call = _exchanger()
    if call is None:
        return False
    if call(os.fsencode(a), os.fsencode(b)) == 0:
        return True
    err = ctypes.get_errno()
    if err in _UNSUPPORTED:
        return False
    raise OSError(err, os.strerror(err), str(b))


def _rename(a: Path, b: Path) -> None:
    os.rename(a, b)     # one name so tests can interrupt the two-rename swap at a chosen step


def new_folder(out: Path) -> Path:
    """An empty folder beside `out` to assemble the next site in, named so `recover` knows its owner."""
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.new-{os.getpid()}-", dir=out.parent))


def _aside(out: Path, kind: str) -> Path:
    return out.parent / f".{out.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"


def swap(new: Path, out: Path) -> None:
    """Make the complete site in `new` the one at `out`; the old site is removed."""
    if not os.path.lexists(out):
        os.rename(new, out)
        return
    if exchange(new, out):
        shutil.rmtree(new, ignore_errors=True)      # `new` now names the old site
        return
    ready = _aside(out, "ready")
    os.rename(new, ready)        # from here on a crash is recovered with this folder: it is whole
    old = _aside(out, "old")
    _rename(out, old)
    try:
        _rename(ready, out)
    except BaseException:
        os.rename(old, out)
        shutil.rmtree(ready, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False    # ours: this process does one publish at a time, so it is a leftover
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def recover(out: Path) -> list[Path]:
    """Finish a swap that a crash cut short, and remove what killed builds left beside `out`.

    Returns the folders removed or moved into place (for tests and messages)."""
    pattern = re.compile(rf"\.{re.escape(out.name)}\.(new|ready|old)-(?:(\d+)-)?[A-Za-z0-9_]+")
    found: dict[str, list] = {"new": [], "ready": [], "old": []}
    try:
        entries = list(os.scandir(out.parent))
    except OSError:
        return []
    for e in entries:
        m = pattern.fullmatch(e.name)
        if not m or not e.is_dir(follow_symlinks=False):
            continue
        if m.group(2) and _alive(int(m.group(2))):
            continue       # another build into the same folder is under way: its folders are its own
        found[m.group(1)].append((e.stat(follow_symlinks=False).st_mtime_ns, Path(e.path)))
    touched = []
    if not os.path.lexists(out):
        # a finished new site if there is one, else the site that was published before
        for kind in ("ready", "old"):
            if found[kind]:
                _, best = max(found[kind])
                os.rename(best, out)
                found[kind].remove(next(x for x in found[kind] if x[1] == best))
                touched.append(best)
                break
    for kind in found:
        for _, folder in found[kind]:
            shutil.rmtree(folder, ignore_errors=True)
            touched.append(folder)
    return touched
