"""When a command cannot go on for a reason outside the records — a full disk, a folder it may not
write, a broken theme template — it says so in one diagnostic: where, what, and how to fix it.

Stages raise `Failure`; the CLI (and `serve`) print `Failure.render()` and exit with its status,
never a traceback. A Failure holds only strings and numbers, so it crosses from a forked render
worker to the parent intact.
"""
from __future__ import annotations

import errno
import os
import traceback
from pathlib import Path


class Failure(Exception):
    def __init__(self, where: str, message: str, hint: str, status: int = 1, line: int | None = None):
        super().__init__(where, message, hint, status, line)   # all of them: pickling rebuilds from args
        self.where, self.message, self.hint, self.status, self.line = where, message, hint, status, line

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"

    @property
    def location(self) -> str:
        return f"{self.where}:{self.line}" if self.line else str(self.where)

    def render(self) -> str:
        return f"{self.location}: error: {self.message}\n  hint: {self.hint}\n"


_WRITE_HINTS = {
    errno.ENOSPC: ("the disk is full", "free some space on that disk, or write somewhere else (--out DIR)"),
    errno.EDQUOT: ("the disk quota is used up", "free some space, or write somewhere else (--out DIR)"),
    errno.EROFS: ("the file system is read-only", "write to a folder on a writable disk (--out DIR)"),
    errno.EACCES: ("permission denied", "write to a folder you own (--out DIR), or change the folder's permissions"),
    errno.EPERM: ("permission denied", "write to a folder you own (--out DIR), or change the folder's permissions"),
    errno.ENAMETOOLONG: ("a file name is too long for this file system", "choose a shorter --out path"),
}


def writing(exc: OSError, where: Path, what: str, untouched: str = "") -> Failure:
    """An OSError met while writing `what` into `where`, as one diagnostic."""
    reason, hint = _WRITE_HINTS.get(exc.errno, (exc.strerror or str(exc), "check the folder and try again"))
    return Failure(str(where), f"cannot write {what}: {reason}" + (f"; {untouched}" if untouched else ""), hint)


def reading(exc: OSError, where, what: str) -> Failure:
    reason = exc.strerror or str(exc)
    return Failure(str(where), f"cannot read {what}: {reason}",
                   "check that the file exists and that you may read it (its permissions)")


def os_error(exc: OSError) -> Failure:
    """Any other OSError: name the file it is about, whatever the command was doing."""
    where = exc.filename if exc.filename is not None else "portfolio"
    reason, hint = _WRITE_HINTS.get(exc.errno, (exc.strerror or str(exc), "check the file or folder named and try again"))
    return Failure(os.fsdecode(where) if isinstance(where, bytes) else str(where), reason, hint)


def template_failure(exc: Exception, roots: list[Path], page: str) -> Failure:
    """A Jinja error while rendering `page`, placed at the template file and line it comes from.

    A syntax error carries its file and line; for an error while rendering, Jinja rewrites the
    traceback so each template frame has the template's file name and line: the innermost one wins."""
    filename = getattr(exc, "filename", None)
    line = getattr(exc, "lineno", None)
    if filename is None or line is None:
        for frame, lineno in traceback.walk_tb(exc.__traceback__):
            name = frame.f_code.co_filename
            if name.endswith((".html", ".xml", ".svg", ".txt", ".j2", ".jinja")) and os.path.isfile(name):
                filename, line = name, lineno
    kind = "syntax error" if type(exc).__name__ == "TemplateSyntaxError" else "error"
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    where = _short(filename, roots) if filename else f"template for {page}"
    return Failure(where, f"template {kind} while rendering {page}: {message}",
                   "fix the template at that line (see docs/themes.md for what templates can use), "
                   "or remove your override to use the default theme's", line=line)


def _short(filename: str, roots: list[Path]) -> str:
    path = Path(filename)
    for root in roots:
        try:
            return path.resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            continue
    return str(path)
