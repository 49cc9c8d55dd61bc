"""Stage 1 — load: files on disk → `Source` records that can point at any of their values.

A plain YAML document (no anchor, alias, tag, merge or repeated key: almost every record) is
made into plain JSON-like data (dict, list, str, int, float, bool, None; dates become ISO strings)
straight from libyaml's events (generator/plain_yaml.py); any other is composed into nodes
(PyYAML's C parser where available) and converted to the same data by generator/positions.py,
which reports what is wrong with it. Where each key and value sits in the file is found only when a
finding asks (`Source.pos`, `Source.value_at`): see positions.py.
Problems are returned as diagnostics; a file that cannot be read still yields a Source
with `data=None`, so the rest of the portfolio is checked.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import plain_yaml, shipped
from .registry import finding

from .positions import MAX_DEPTH, Converter, PositionIndex, Unreadable
from .positions import Loader as _Loader

Path_ = tuple  # a path into the data: ('contacts', 0) etc.

KINDS = ("portfolio", "contact", "entry", "framework", "assessment", "iqa")


class Positions:
    """Where things are in a record file: `key_pos` and `value_pos` map a path of keys to (line, col).
    Shared by a loaded `Source` and by the `Origin` the model keeps in its place. Both come from a
    `PositionIndex` (generator/positions.py), built the first time a position is asked for: most files
    never are (only those with a finding), so loading does not record them."""

    @property
    def key_pos(self) -> dict:
        return self.index.key_pos

    @property
    def value_pos(self) -> dict:
        return self.index.value_pos

    def pos(self, path=()) -> tuple[int, int]:
        """Best position for a path: its key if it has one, else its value, else its nearest parent."""
        path = tuple(path)
        if len(path) == 1 and not self.index.built:   # a top-level key: a line scan may say where, exactly
            at = self.index.top_key(path[0])
            if at is not None:
                return at
        key_pos, value_pos = self.key_pos, self.value_pos
        while True:
            if path in key_pos:
                return key_pos[path]
            if path in value_pos:
                return value_pos[path]
            if not path:
                return (1, 1)
            path = path[:-1]

    def value_at(self, path=()) -> tuple[int, int]:
        path = tuple(path)
        return self.value_pos.get(path) or self.pos(path)

    def has(self, path) -> bool:
        path = tuple(path)
        return path in self.key_pos or path in self.value_pos


@dataclass
class Source(Positions):
    """One record file: its data, where each part of it is, and (for entries) its Markdown body."""

    kind: str                      # portfolio | contact | entry | framework
    file: str                      # path relative to the portfolio root, POSIX style
    id: str                        # file name without extension
    data: object = None            # None when the file could not be parsed
    body: str = ""                 # entries: the Markdown after the front matter
    body_line: int = 1             # entries: line of the body's first line
    digest: str = ""               # content hash of the raw bytes
    yaml_text: str = ""            # the YAML parsed into `data` (an entry's front matter): positions are read from it
    yaml_offset: int = 0           # lines of the file before `yaml_text` (an entry's opening ---)
    yaml_keys: int = -1            # top-level keys of a plain document (for PositionIndex.top_key); -1: not known

    @property
    def index(self) -> PositionIndex:
        index = self.__dict__.get("_index")
        if index is None:
            index = self.__dict__["_index"] = PositionIndex(self.yaml_text, self.yaml_offset, self.yaml_keys)
        return index


def _decode(raw: bytes, rel: str, sid: str, diagnostics: list) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        diagnostics.append(finding(
            "yaml-syntax", rel, (line, col),
            f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be decoded)",
            subject=sid, hint="save the file as UTF-8 in your editor"))
        return None


def _indenting_tab(text: str, mark) -> tuple[int, int] | None:
    """(line, column) of a tab in the indentation of the line YAML failed on, or of the line before (a
    tab-indented key is reported at the line after it): the parser's own message rarely says "tab". Lines
    further up are left alone: a tab inside a block of text there is content, not the cause."""
    if mark is None:
        return None
    lines = text.split("\n")
    for index in range(max(0, mark.line - 1), min(mark.line + 1, len(lines))):
        line = lines[index]
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            return index + 1, indent.index("\t") + 1
    if mark.buffer and 0 <= mark.pointer < len(mark.buffer) and mark.buffer[mark.pointer] == "\t":
        return mark.line + 1, mark.column + 1
    return None


def parse_yaml(text: str, source: Source, diagnostics: list, line_offset: int = 0):
    """Parse one YAML document into `source.data`; report syntax errors with their position."""
    data = plain_yaml.load(text)   # a plain document (almost every record) straight from the parser's events
    if data is not None:
        source.data = data
        source.yaml_text, source.yaml_offset, source.yaml_keys = text, line_offset, len(data)
        return
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        tab = _indenting_tab(text, exc.problem_mark)
        if tab is not None:   # PyYAML's words for it vary ("cannot start any token", "violates indentation")
            diagnostics.append(finding("yaml-syntax", source.file, (tab[0] + line_offset, tab[1]),
                                       "tab character: YAML indents with spaces", subject=source.id,
                                       hint="replace the tab with spaces (editors can insert spaces when Tab is "
                                            "pressed)"))
            return
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1 + line_offset, mark.column + 1) if mark else (1 + line_offset, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        start = exc.context_mark
        if "maximum nesting depth" in problem:   # PyYAML >= 6.0.3 stops deep nesting itself: say it our way
            problem, context, start = f"values are nested more than {MAX_DEPTH} levels deep", "", None
        if exc.context == "expected a single document in the stream":
            problem, context, start = "a second document ('---') starts here; a record file holds one", "", None
        if start is not None and mark is not None and start.line != mark.line:
            context += f", which started at line {start.line + 1 + line_offset}"
        diagnostics.append(finding("yaml-syntax", source.file, (line, col),
                                   f"invalid YAML: {problem}{context}", subject=source.id))
        return
    except yaml.reader.ReaderError as exc:   # a character YAML forbids: NUL, other control characters
        before = text[: exc.position]
        line, col = before.count("\n") + 1 + line_offset, exc.position - (before.rfind("\n") + 1) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        diagnostics.append(finding("yaml-syntax", source.file, (line, col),
                                   f"invalid YAML: the control character U+{ord(char):04X} is not allowed",
                                   subject=source.id, hint="delete it (your editor may show it as a box or ^@)"))
        return
    except yaml.YAMLError as exc:  # e.g. a second document in one file
        diagnostics.append(finding("yaml-syntax", source.file, (1 + line_offset, 1),
                                   f"invalid YAML: {exc}", subject=source.id))
        return
    if node is None:
        what = "front matter is empty" if source.kind == "entry" else "file is empty"
        diagnostics.append(finding("yaml-syntax", source.file, (1 + line_offset, 1), what, subject=source.id))
        return
    try:
        data = Converter(source.file, source.id, line_offset, diagnostics).convert(node)
    except Unreadable as exc:
        diagnostics.append(finding("yaml-syntax", source.file, exc.pos, f"invalid YAML: {exc.message}",
                                   subject=source.id))
        return
    if not isinstance(data, dict):
        found = "a list" if isinstance(data, list) else f"a single value ({data!r})"
        diagnostics.append(finding(
            "schema", source.file, (node.start_mark.line + 1 + line_offset, node.start_mark.column + 1),
            f"expected a mapping of keys (like 'title: ...'), found {found}", subject=source.id))
        return
    source.data = data
    source.yaml_text, source.yaml_offset = text, line_offset   # positions are read from it when asked for


def split_front_matter(text: str, source: Source, diagnostics: list) -> tuple[str, int] | None:
    """Return (front matter text, line offset) and set the body; None if there is no front matter."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        diagnostics.append(finding(
            "yaml-syntax", source.file, (1, 1),
            "an entry must start with a '---' line opening its front matter",
            subject=source.id, hint="put the entry's fields between two '---' lines at the top of the file"))
        return None
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            source.body = "\n".join(lines[i + 1:])
            source.body_line = i + 2
            return "\n".join(lines[1:i]), 1
    diagnostics.append(finding(
        "yaml-syntax", source.file, (1, 1),
        "front matter opened with '---' on line 1 is never closed",
        subject=source.id, hint="add a '---' line after the last field, before the Markdown body"))
    return None


def record_name(path: Path, root: Path) -> str:
    """A record file's name in findings, the cache and the site: its path relative to the portfolio, POSIX
    style. A shipped framework the portfolio does not override is named where a copy would sit
    (criteria/NAME.yaml): never by where the package is installed, which would differ between machines
    and publish a home folder's path."""
    p, r = str(path), str(root)
    if os.sep == "/" and p.startswith(r + "/"):   # what relative_to gives, without its cost (12,000 files)
        return p[len(r) + 1:]
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return f"criteria/{path.name}"


def load_file(path: Path, root: Path, kind: str, diagnostics: list) -> Source:
    rel = record_name(path, root)
    sid = path.name[:-3] if kind == "entry" else path.stem
    raw = path.read_bytes()
    source = Source(kind=kind, file=rel, id=sid, digest=hashlib.sha256(raw).hexdigest())
    text = _decode(raw, rel, sid, diagnostics)
    if text is None:
        return source
    if not text.strip():
        diagnostics.append(finding("yaml-syntax", rel, (1, 1), "file is empty", subject=sid))
        return source
    offset = 0
    if kind == "entry":
        split = split_front_matter(text, source, diagnostics)
        if split is None:
            return source
        text, offset = split
    parse_yaml(text, source, diagnostics, offset)
    return source


@dataclass
class Sources:
    """Everything read from one portfolio folder."""

    root: Path
    portfolio: Source | None
    contacts: list
    entries: list
    frameworks: list
    assessments: list = field(default_factory=list)   # assessments/*.yaml: the assessor's decisions
    iqa: list = field(default_factory=list)           # iqa/*.yaml: the IQA's samples
    early: dict = field(default_factory=dict)         # file -> (validated, scanned) done where it was loaded

    def all(self):
        return ([self.portfolio] if self.portfolio else []) + self.frameworks + self.contacts + self.entries \
            + self.assessments + self.iqa


RECORD_FOLDERS = (("criteria", ".yaml", "framework"), ("contacts", ".yaml", "contact"), ("entries", ".md", "entry"),
                  ("assessments", ".yaml", "assessment"), ("iqa", ".yaml", "iqa"))
# extensions a learner may use by mistake: such a file is reported, never silently skipped
NEAR_MISSES = {".yaml": {".yml", ".yaml", ".json"}, ".md": {".md", ".markdown", ".mdown", ".mkd", ".txt"}}


def record_files(root: Path, diagnostics: list | None = None) -> list[tuple[str, str, str]]:
    """(kind, path, name) of every record file, in reading order: the path as a string (a `Path` for each of
    12,000 files, hashed as a key, was a third of an unchanged load's time) and the file's `record_name`.
    With `diagnostics`, a file in a record folder that looks like a record but is not named like one
    (priya-shah.yml) is reported: it is not read."""
    root = Path(root)
    out = []
    if (root / "portfolio.yaml").is_file():
        out.append(("portfolio", str(root / "portfolio.yaml"), "portfolio.yaml"))
    elif diagnostics is not None and (why := _not_a_file(root / "portfolio.yaml")):
        diagnostics.append(finding("schema", "portfolio.yaml", (1, 1), f"portfolio.yaml is not read: it {why}",
                                   subject="portfolio"))
    elif diagnostics is not None:
        near = [n for n in ("portfolio.yml", "Portfolio.yaml", "portfolio.YAML") if (root / n).is_file()]
        diagnostics.append(finding("schema", "portfolio.yaml", (1, 1), "no portfolio.yaml in the source folder",
                                   subject="portfolio",
                                   hint=f"rename {near[0]} to portfolio.yaml" if near else
                                   "run the command from your portfolio folder or pass --source DIR"))
    for folder, suffix, kind in RECORD_FOLDERS:
        base = root / folder
        if folder == "criteria":
            out += [(kind, str(path), record_name(path, root)) for kind, path in _shipped_frameworks(root)]
        if not base.is_dir():
            continue
        # by name: the order of sorting the paths (one folder's), without a pathlib comparison per pair; a
        # folder's listing says which names are plain files without a stat of each (12,000 at 10,000 entries)
        with os.scandir(base) as listing:
            found = sorted(listing, key=lambda d: d.name)
        for d in found:
            if d.name.startswith(".") or d.name.endswith("~"):
                continue   # editor swap and backup files
            if not d.is_file():   # as Path.is_file: a link is followed, anything unreadable is no file
                if diagnostics is not None:
                    _report_not_read(base / d.name, root, folder, suffix, diagnostics)
                continue
            if d.name.endswith(suffix) and len(d.name) > len(suffix):   # as Path.suffix == suffix
                out.append((kind, d.path, f"{folder}/{d.name}"))
                continue
            p = base / d.name
            if diagnostics is not None and p.suffix.lower() in NEAR_MISSES[suffix]:
                rel = p.relative_to(root).as_posix()
                diagnostics.append(finding("schema", rel, (1, 1),
                                           f"{rel} is not read: {kind} files in {folder}/ end in '{suffix}'",
                                           subject=p.stem, hint=f"rename it to {p.stem}{suffix}"))
    return out


_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _shipped_frameworks(root: Path) -> list[tuple[str, Path]]:
    """The shipped frameworks that portfolio.yaml names and the portfolio's own criteria/ does not
    override by file name. Only the named ones are read: a portfolio that brings its own framework pays
    nothing for the shipped ones."""
    mine = root / "criteria"
    return [("framework", shipped.criteria() / f"{fid}.yaml") for fid in _named_frameworks(root / "portfolio.yaml")
            if _PLAIN_NAME.fullmatch(fid) and not (mine / f"{fid}.yaml").exists()
            and (shipped.criteria() / f"{fid}.yaml").is_file()]


def _named_frameworks(portfolio: Path) -> list[str]:
    """The framework ids portfolio.yaml names (qualification.framework, frameworks), read leniently: the
    document is only composed (aliases are not expanded), and one that does not parse names none (its
    errors are reported when it is loaded)."""
    try:
        root = yaml.compose(portfolio.read_bytes(), Loader=_Loader)
    except (OSError, ValueError, RecursionError, yaml.YAMLError):
        return []

    def get(node, key):
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == key:
                    return v
        return None

    named = [get(get(root, "qualification"), "framework")]
    listed = get(root, "frameworks")
    named += listed.value if isinstance(listed, yaml.SequenceNode) else []
    return list(dict.fromkeys(n.value for n in named if isinstance(n, yaml.ScalarNode) and n.value))


def _not_a_file(p: Path) -> str | None:
    """Why a path that exists under a record's name cannot be read as one (None if it is not there)."""
    if p.is_dir():
        return "is a folder, not a file"
    if p.is_symlink():
        try:
            p.resolve(strict=True)
        except RuntimeError:
            return "is a symbolic link that loops"
        except OSError:
            return f"is a link to '{os.readlink(p)}', which does not exist"
    if p.exists():
        return "is not a regular file"
    return None


def _report_not_read(p: Path, root: Path, folder: str, suffix: str, diagnostics: list) -> None:
    """A path in a record folder that is not a file: a record named so, or records in a subfolder, would
    otherwise vanish from the portfolio without a word."""
    rel = p.relative_to(root).as_posix()
    if p.suffix == suffix and (why := _not_a_file(p)):
        diagnostics.append(finding("schema", rel, (1, 1), f"{rel} is not read: it {why}", subject=p.stem))
    elif p.is_dir():
        for inner in sorted(p.rglob(f"*{suffix}")):
            if inner.is_file() and not any(part.startswith(".") for part in inner.relative_to(p).parts):
                inner_rel = inner.relative_to(root).as_posix()
                diagnostics.append(finding("schema", inner_rel, (1, 1),
                                           f"{inner_rel} is not read: records sit directly in {folder}/, "
                                           "not in a subfolder", subject=inner.stem,
                                           hint=f"move it to {folder}/{inner.name}"))


def load(root: Path, diagnostics: list, memo=None, at_load=None) -> Sources:
    """Read every record file under `root`. Never writes; never raises for bad content.

    `memo` (the build cache, generator/cache.py) saves re-reading files whose bytes are unchanged:
    `memo.recall(kind, path, rel)` gives a file's earlier (Source, load diagnostics) or None,
    `memo.remember(kind, source, diagnostics)` is told each file parsed, and `memo.keep_only(rels)`
    the files found (`rel`: the path relative to `root`, as in Source.file). Many files to parse
    are parsed on both cores.

    `at_load` (pipeline._AtLoad.of): when many entries are to be parsed on both cores, the other records
    are read first, `at_load(those Sources)` makes an object (or None) whose `entry(source)` each worker
    calls on every entry it has parsed: later stages' work on an entry done where it already is. What it
    gives (None: nothing) is in `Sources.early` by file: beside the Source, not in it (an attribute
    added to each of 10,000 Sources would unshare their dicts' keys: megabytes)."""
    root = Path(root)
    jobs = record_files(root, diagnostics)
    loaded: dict = {}   # name -> (Source, load diagnostics)
    misses = []
    for kind, path, rel in jobs:
        hit = memo.recall(kind, path, rel) if memo is not None else None
        if hit is None:
            misses.append((kind, Path(path)))
        else:
            loaded[rel] = hit

    early: dict = {}   # file -> what at_load's `entry` gave for it

    def parse(some, each=None):
        for (kind, _), (source, found, *done) in zip(some, load_many(some, root, each)):
            loaded[source.file] = (source, found)
            if done and done[0] is not None:
                early[source.file] = done[0]
            if memo is not None:
                memo.remember(kind, source, found)

    entries = [job for job in misses if job[0] == "entry"]
    if at_load is not None and _forks(len(entries)):
        parse([job for job in misses if job[0] != "entry"])
        parse(entries, at_load(_grouped(root, [job for job in jobs if job[0] != "entry"], loaded)))
    else:
        parse(misses)
    if memo is not None:
        memo.keep_only({rel for _, _, rel in jobs})
    for _, _, rel in jobs:
        diagnostics.extend(loaded[rel][1])
    sources = _grouped(root, jobs, loaded)
    sources.early = early
    return sources


def _grouped(root: Path, jobs: list, loaded: dict) -> Sources:
    by_kind: dict[str, list] = {kind: [] for kind in KINDS}
    for kind, _, rel in jobs:
        by_kind[kind].append(loaded[rel][0])
    return sources_of(root, by_kind)


PARALLEL_MIN = 400     # below this many files a second process costs more than it saves
_AT_LOAD = None        # load_many's `at_load`, for the workers it forks (set only while they are made)


def _load_some(jobs: list, root: Path) -> list:
    out = []
    for kind, path in jobs:
        found: list = []
        source = load_file(path, root, kind, found)
        if _AT_LOAD is not None and kind == "entry":
            out.append((source, found, _AT_LOAD.entry(source)))
        else:
            out.append((source, found))
    return out


def _forks(jobs: int) -> bool:
    """Are `jobs` files parsed on more than one core? Forked (so the start is cheap) when there are many and
    no other thread runs (forking a threaded process is unsafe)."""
    import multiprocessing
    import threading
    return min(os.cpu_count() or 1, 4) >= 2 and jobs >= PARALLEL_MIN and threading.active_count() == 1 \
        and "fork" in multiprocessing.get_all_start_methods()


def load_many(jobs: list, root: Path, at_load=None) -> list:
    """(Source, its diagnostics) for each (kind, path), in order: on every core when `_forks`. With
    `at_load`, its `entry` is called on each entry where it is parsed (see `load`)."""
    global _AT_LOAD
    _AT_LOAD = at_load
    try:
        if not _forks(len(jobs)):
            return _load_some(jobs, root)
        import concurrent.futures as cf
        import gc
        import multiprocessing
        workers = min(os.cpu_count() or 1, 4)
        chunks = [jobs[i::workers] for i in range(workers)]
        # what the parent holds when it forks (the other records, at_load's scanner) is shared with the
        # workers until either process's garbage collector walks it, which writes to every object and so
        # copies each page: frozen, neither walks it (unfrozen, the tree's Pss at 10,000 entries was
        # 296-300 MiB)
        gc.freeze()
        try:
            # the parent takes chunk 0 itself: `workers - 1` children (one more would only idle)
            # (the check runs its load without the garbage collector: pipeline.check; a worker collects its own)
            with cf.ProcessPoolExecutor(workers - 1, mp_context=multiprocessing.get_context("fork"),
                                        initializer=gc.enable) as pool:
                futures = [pool.submit(_load_some, c, root) for c in chunks[1:]]
                results = [_load_some(chunks[0], root)] + [f.result() for f in futures]
        finally:
            gc.unfreeze()
    finally:
        _AT_LOAD = None
    merged: list = [None] * len(jobs)
    for i, part in enumerate(results):
        merged[i::workers] = part
    return merged


def sources_of(root: Path, by_kind: dict) -> Sources:
    """The Sources value from loaded records grouped by kind (shared with the cache)."""
    return Sources(root=root, portfolio=(by_kind["portfolio"] or [None])[0], contacts=by_kind["contact"],
                   entries=by_kind["entry"], frameworks=by_kind["framework"],
                   assessments=by_kind["assessment"], iqa=by_kind["iqa"])
