"""When each entry was first recorded and last changed, from git: one `git log` for all entries.

Absent git, or a portfolio that is not a repository, gives no dates (the pages then say nothing).
The dates are the commits' author dates, so the same history always gives the same output.
"""
from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

from ..uptodate import git_head


def entry_history(root: Path) -> dict[str, tuple[str, str]]:
    """{"entries/<file>.md": (first recorded, last changed)} as ISO 8601 timestamps.

    The log depends on the commits alone, so it is kept by the commit checked out: `serve` renders entry
    pages on every save, and a `git log` of a long history is a process and tens of milliseconds each time."""
    head = git_head(root) if root is not None else ""
    return dict(_history(str(root), head)) if head else {}


@functools.lru_cache(maxsize=4)
def _history(root: str, head: str) -> dict[str, tuple[str, str]]:
    git = shutil.which("git")
    if not git:
        return {}
    try:
        proc = subprocess.run(
            [git, "-C", str(root), "log", "--format=%x00%aI", "--name-only", "--relative", "--no-renames",
             "--", "entries/"],
            capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return {}
    if proc.returncode != 0:
        return {}
    dates: dict[str, tuple[str, str]] = {}
    # newest commit first: the first date seen is the last change, the last one seen the first record
    for block in proc.stdout.split("\x00")[1:]:
        lines = block.strip("\n").split("\n")
        when, files = lines[0].strip(), [f.strip() for f in lines[1:] if f.strip()]
        for f in files:
            first, last = dates.get(f, (when, when))
            dates[f] = (when, last)
    return dates
