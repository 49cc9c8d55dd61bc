"""Which folders `--out` may name: the tool replaces its output folder whole, so it must never be one
that holds anything the tool did not write.

`build --out DIR` (and `serve`'s folder) is accepted when DIR is absent, empty, or a site this tool
published (it holds the marker file written at every publish). Refused, whatever they hold: a path
that is a file, `portfolio.yaml`, a `.git` folder or anything inside one, a record folder or anything
inside one, a folder that contains a record folder or the portfolio (the source folder itself and its
parents, up to `/`), the home folder, and the system's own folders. `export --out DIR` writes two
named files into DIR rather than replacing it, so it is held to every rule but the first.
"""
from __future__ import annotations

import os
from pathlib import Path

MARKER = ".portfolio-site"
MARKER_TEXT = (b"This folder is a site written by the portfolio generator (portfolio build).\n"
               b"Each build replaces the whole folder: keep nothing else in it.\n")
# the record folders of a portfolio: never written by a build, never inside or above its output
RECORD_FOLDERS = ("entries", "contacts", "evidence", "criteria", "assessments", "iqa", "themes")
# the system's folders: refused, and so is everything inside them
SYSTEM_TREES = ("/dev", "/proc", "/sys", "/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/boot",
                "/run", "/snap", "/System", "/Library", "/private/etc", "/private/var/db")
# folders that hold other people's or the system's things: refused themselves, their subfolders allowed
SYSTEM_ROOTS = ("/", "/var", "/opt", "/srv", "/home", "/root", "/tmp", "/mnt", "/media", "/Users", "/Volumes",
                "/private", "/private/tmp", "/private/var")
# portfolio.json's "$schema" (render/outputs.SCHEMA): a site published before the marker existed has it
_LEGACY = b'{"$schema":"https://portfolio-generator.example.org/schemas/portfolio-site.schema.json"'


class UnsafeOutput(ValueError):
    """The output folder named could hold someone's files: the command refuses (exit status 2)."""


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def _resolve(path: Path) -> Path:
    return Path(os.path.abspath(Path(path).expanduser())).resolve()


def check_output(out: Path, source: Path, replace: bool = True) -> Path:
    """Raise UnsafeOutput if `out` may not be written; return it resolved.

    `replace`: the command replaces the whole folder (build, serve), so it must also be absent, empty
    or one of our sites."""
    given = out
    out, source = _resolve(out), _resolve(source)
    fix = "choose a new or empty folder, for example --out site"

    def refuse(why: str):
        raise UnsafeOutput(f"refusing to write to '{given}': {why}; {fix}")

    if ".git" in out.parts:
        refuse("it is a git repository's own folder (.git), which a build would destroy")
    if out.name == "portfolio.yaml" or out == source / "portfolio.yaml":
        refuse("it is the portfolio's record file portfolio.yaml")
    if out.exists() and not out.is_dir():
        refuse("it is a file, not a folder")
    for name in RECORD_FOLDERS:
        folder = source / name
        if _inside(out, folder):
            refuse(f"it is inside the record folder {name}/")
        if _inside(folder, out):
            what = "the portfolio folder itself" if out == source else "a folder that holds the portfolio"
            refuse(f"it is {what}, which holds the record folder {name}/")
    for tree in SYSTEM_TREES:
        if _inside(out, Path(tree)):
            refuse(f"it is a system folder ({tree})")
    if out in {Path(p) for p in SYSTEM_ROOTS} or out == _resolve(Path.home()):
        refuse("it is a system or home folder")
    if (out / ".git").exists():
        refuse("it holds a git repository (.git)")
    if replace and out.is_dir() and not is_ours(out):
        refuse(f"it is not empty and was not written by this tool (it has no {MARKER} file)")
    return out


def is_ours(folder: Path) -> bool:
    """May a publish replace `folder`? Empty, marked by an earlier publish, or a site published before
    the marker existed (portfolio.json with the site schema's id, beside index.html)."""
    try:
        with os.scandir(folder) as it:
            names = {e.name for e in it}
    except OSError:
        return False
    if not names or (MARKER in names and (folder / MARKER).is_file()):
        return True
    if {"portfolio.json", "index.html"} <= names:
        try:
            with open(folder / "portfolio.json", "rb") as f:
                return f.read(len(_LEGACY)) == _LEGACY
        except OSError:
            return False
    return False
