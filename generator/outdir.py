"""Which folders `--out` may name: the tool replaces its output folder whole, so it must never be one
that holds anything the tool did not write.

`build --out DIR` (and `serve`'s folder) is accepted when DIR is absent, empty, or a site this tool
published (it holds the marker file written at every publish, which lists the files it wrote: a file
it does not list — one someone put there since — makes the publish refuse rather than destroy it). Refused, whatever they hold: a path
that is a file, `portfolio.yaml`, a `.git` folder or anything inside one, a record folder or anything
inside one, a folder that contains a record folder or the portfolio (the source folder itself and its
parents, up to `/`), the home folder, and the system's own folders. `export --out DIR` writes two
named files into DIR rather than replacing it, so it is held to every rule but the first.
`export --out FILE.zip` names the archive itself (`check_archive`): one file, never inside a record
folder, `.git` or a system folder, and replacing only an archive `export` wrote.
"""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

MARKER = ".portfolio-site"


def default_dir(source: Path) -> Path:
    """The incremental-build cache's folder (and `serve`'s site inside it), unless `--cache DIR` names one."""
    return Path(source) / ".cache" / "portfolio"
# The marker lists every file the publish wrote, so the next publish can tell a file someone put there
# since (a CNAME, notes) from its own and refuse rather than destroy it.
MARKER_HEAD = (b"This folder is a site written by the portfolio generator (portfolio build).\n"
               b"Each build replaces the whole folder; it stops if it finds a file it did not write.\n"
               b"The files it wrote:\n")
# the marker of sites published before it listed their files: trusted as it was (no list to compare)
LEGACY_MARKER = (b"This folder is a site written by the portfolio generator (portfolio build).\n"
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
    if replace and out.is_dir():
        if not is_ours(out):
            refuse(f"it is not empty and was not written by this tool (it has no {MARKER} file it wrote)")
        strays = sorted(_strays(out))
        if strays:
            shown = ", ".join(strays[:5]) + (f" and {len(strays) - 5} more" if len(strays) > 5 else "")
            raise UnsafeOutput(f"refusing to replace '{given}': it holds {len(strays)} file(s) this tool did not "
                               f"write: {shown}; move them out of it (a file the site should publish, such as "
                               "CNAME, belongs in the theme's static/ folder: docs/themes.md) or delete them")
    return out


def marker_text(paths) -> bytes:
    """The marker a publish writes: the head, then every site path it wrote, sorted, one per line."""
    return MARKER_HEAD + "".join(f"{p}\n" for p in sorted(paths) if p != MARKER).encode("utf-8")


def _marker(folder: Path) -> bytes | None:
    try:
        with open(folder / MARKER, "rb") as f:
            return f.read()
    except OSError:
        return None


def _strays(folder: Path) -> set:
    """Files in one of our sites that its marker does not list (none for a legacy or unmarked site)."""
    text = _marker(folder)
    if text is None or not text.startswith(MARKER_HEAD):
        return set()
    listed = set(text[len(MARKER_HEAD):].decode("utf-8", "replace").splitlines())
    return tree(folder) - listed - {MARKER}


def tree(out: Path) -> set:
    """Every file under `out`, as site paths (empty when `out` does not exist)."""
    found = set()
    if not out.is_dir():
        return found
    stack = [(out, "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as it:
            for e in it:
                if e.is_dir(follow_symlinks=False):
                    stack.append((Path(e.path), prefix + e.name + "/"))
                else:
                    found.add(prefix + e.name)
    return found


def is_ours(folder: Path) -> bool:
    """May a publish replace `folder`? Empty, marked by an earlier publish, or a site published before
    the marker existed (portfolio.json with the site schema's id, beside index.html)."""
    try:
        with os.scandir(folder) as it:
            names = {e.name for e in it}
    except OSError:
        return False
    if not names:
        return True
    if MARKER in names and (folder / MARKER).is_file():
        text = _marker(folder)   # a marker this tool wrote, not any file of that name (an empty one is not)
        return text is not None and (text == LEGACY_MARKER or text.startswith(MARKER_HEAD))
    if {"portfolio.json", "index.html"} <= names:
        try:
            with open(folder / "portfolio.json", "rb") as f:
                return f.read(len(_LEGACY)) == _LEGACY
        except OSError:
            return False
    return False


def names_archive(out: Path) -> bool:
    """`export --out X.zip` names the archive file (unless X.zip is an existing folder: then it is the folder)."""
    return Path(out).suffix.lower() == ".zip" and not Path(out).is_dir()


def check_archive(out: Path, source: Path) -> Path:
    """Raise UnsafeOutput if `export` may not write its archive at the file path `out`; return it resolved."""
    given = out
    out, source = _resolve(out), _resolve(source)

    def refuse(why: str):
        raise UnsafeOutput(f"refusing to write the archive to '{given}': {why}; "
                           "choose a new file name, for example --out export/portfolio.zip")

    if ".git" in out.parts:
        refuse("it is inside a git repository's own folder (.git)")
    for name in RECORD_FOLDERS:
        if _inside(out, source / name):
            refuse(f"it is inside the record folder {name}/")
    for tree in SYSTEM_TREES:
        if _inside(out, Path(tree)):
            refuse(f"it is in a system folder ({tree})")
    if out.exists() and not is_our_archive(out):
        refuse("a file of that name exists and is not an archive written by portfolio export")
    return out


def is_our_archive(path: Path) -> bool:
    """An archive `export` wrote: a zip holding the site and matrix.csv."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (OSError, zipfile.BadZipFile, ValueError):
        return False
    return {"site/index.html", "matrix.csv", "portfolio.json"} <= names
