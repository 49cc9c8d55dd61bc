"""When each file was first recorded, from git: the earliest commit that added it, following renames,
and whether that commit was signed (where git can tell).

Dates are the commits' **author** dates, which the author sets: they show when the record claims to
have been made, not proof of it. A signed commit ties the claim to a key. One `git log` serves all files;
without git, or outside a repository, nothing is known (and the rules that need it say nothing).
"""
from __future__ import annotations

import datetime as dt
import functools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

# git's %G? codes, in words (https://git-scm.com/docs/pretty-formats)
SIGNATURE = {"G": "signed (good signature)", "U": "signed (good signature, key of unknown validity)",
             "X": "signed (signature expired)", "Y": "signed (key expired)", "R": "signed (key revoked)",
             "E": "signed (the signature could not be checked here)", "B": "signed (bad signature)",
             "N": "not signed"}


@dataclass(frozen=True)
class FirstRecord:
    commit: str
    date: dt.date          # author date of the commit that first added the file
    when: str              # the same, as git's ISO 8601 timestamp
    signature: str         # a SIGNATURE code

    @property
    def signed(self) -> bool:
        return self.signature not in ("N", "")

    @property
    def signature_text(self) -> str:
        return SIGNATURE.get(self.signature, "unknown")


def first_recorded(root: Path) -> dict[str, FirstRecord]:
    """{path relative to root: FirstRecord} for every file git knows under root.

    Kept by the commit checked out (the log reads nothing else): `serve` asks on every save, and following
    renames through a long history is a process and many milliseconds each time."""
    from ..uptodate import git_head
    if root is None:
        return {}
    root = str(Path(root).resolve())
    head = git_head(root)
    return dict(_first_recorded(root, head)) if head else {}


@functools.lru_cache(maxsize=4)
def _first_recorded(root: str, head: str) -> dict[str, FirstRecord]:
    git = shutil.which("git")
    if not git:
        return {}
    try:
        proc = subprocess.run(
            [git, "-C", root, "log", "--reverse", "-M", "--name-status", "--relative",
             "--format=%x00%H %aI %G?", "--diff-filter=ACR", "--", "."],
            capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=120, check=False)
    except (OSError, subprocess.SubprocessError):
        return {}
    if proc.returncode != 0:
        return {}
    first: dict[str, FirstRecord] = {}
    for block in proc.stdout.split("\x00")[1:]:
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        head = lines[0].split(" ")
        commit, when, sig = head[0], head[1], (head[2] if len(head) > 2 else "")
        try:
            day = dt.datetime.fromisoformat(when).date()
        except ValueError:
            continue
        record = FirstRecord(commit, day, when, sig)
        for line in lines[1:]:
            parts = line.split("\t")
            status = parts[0][:1]
            if status == "R" and len(parts) == 3:
                # a rename carries the file's history with it: it was first recorded when the old name was
                first[parts[2]] = first.pop(parts[1], record)
            elif status in ("A", "C") and len(parts) >= 2:
                first.setdefault(parts[-1], record)
    return first
