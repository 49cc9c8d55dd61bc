"""`portfolio caseload PATH... [--out DIR]`: a static dashboard across many learners' portfolio.json.

read (generator/caseload/read.py: each input's head, validated; bad inputs become one-line reasons)
→ reduce (summary.py: a row per learner, each assessor's and IQA's group) → render (render.py: Jinja
templates of the theme, in the site's sandbox, and a CSV through csvsafe) → write (write.publish: only
into an absent, empty or marked folder, swapped in whole). See docs/centre.md.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..outdir import UnsafeOutput
from .read import Skipped, read_all
from .render import render
from .summary import caseload


@dataclass
class Result:
    written: Path | None
    learners: int
    skipped: list = field(default_factory=list)   # Skipped


def _inside(a: Path, b: Path) -> bool:
    return a == b or a.is_relative_to(b)


def run(paths: list[Path], out: Path, as_of: dt.date, theme: Path | None = None) -> Result:
    """Read every input, and write the dashboard when at least one learner could be read."""
    target = Path(out).resolve()
    for p in paths:
        given = Path(p).resolve()
        if _inside(target, given) or _inside(given, target):
            raise UnsafeOutput(f"refusing to write to '{out}': it {'is' if target == given else 'overlaps'} the input "
                               f"'{p}', which the dashboard would replace; choose another folder, for example "
                               "--out caseload")
    inputs, skipped = read_all([Path(p) for p in paths])
    inputs, skipped = _one_each(inputs, skipped)
    if not inputs:
        return Result(None, 0, skipped)
    from ..failures import Failure
    from ..write import PublishRefused, publish
    files = render(caseload(inputs, as_of, len(skipped)), theme)
    try:
        publish(files, {}, Path(out), Path.cwd(), inspect=_inspect)
    except PublishRefused as refused:
        raise Failure(str(out), f"dashboard not written: {refused.problems[0]}",
                      "a learner's, assessor's or IQA's name field holds contact details: correct it in that "
                      "learner's portfolio.yaml and rebuild their site (the previous dashboard is untouched)") from None
    return Result(Path(out), len(inputs), skipped)


def _one_each(inputs: list, skipped: list) -> tuple[list, list]:
    """A learner read twice (their site and their export archive, or two builds) counts once: the copy
    built latest stays, the others are reported. A learner is their candidate number at their centre,
    or without a candidate number their name there."""
    best: dict = {}
    for i in inputs:
        learner = i.head["learner"]
        key = (learner.get("centre", ""), "#" + learner["candidate_number"] if learner.get("candidate_number")
               else learner.get("name", "") or i.label)
        best.setdefault(key, []).append(i)
    kept, more = [], list(skipped)
    for copies in best.values():
        copies.sort(key=lambda i: i.head["as_of"], reverse=True)   # stable: the first given wins a tie
        kept.append(copies[0])
        more += [Skipped(i.label, f"the same learner as {copies[0].label} (built {copies[0].head['as_of']}; "
                                  f"this copy {i.head['as_of']})") for i in copies[1:]]
    ids = {id(i) for i in kept}
    return [i for i in inputs if id(i) in ids], more


def _inspect(folder: Path) -> list:
    """The last look before the swap: no file may hold an e-mail address or a profile URL. The dashboard
    reads no contact at all (only the head of each file), so this is the fail-closed check that a contact
    detail typed into a learner's or assessor's name field goes no further. (Phone shapes are not
    searched: columns of counts read as one, and no phone number can reach these pages but typed into a
    name, where the learner's own site has shown it already.)"""
    from ..privacy.normalise import normalise
    problems = []
    for f in sorted(folder.rglob("*")):
        if f.is_file() and f.suffix in (".html", ".csv"):
            found = _suspect(normalise(f.read_text("utf-8"), track=False).text)
            if found:
                problems.append(f"{f.relative_to(folder).as_posix()}: holds what looks like {found}")
    return problems


# every e-mail address holds "@", every profile URL (generator/privacy/detect.PROFILE_HOSTS) a host ending
# in one of these then "/", or "/@": the full patterns run only around those, as on a page of a thousand
# rows running them at every position costs seconds
_ANCHOR = re.compile(r"@|\.(?:com|net|app|me)/")


def _suspect(text: str) -> str | None:
    from ..privacy.detect import EMAIL, PROFILE
    for m in _ANCHOR.finditer(text):
        window = text[max(0, m.start() - 120):m.end() + 120]
        if m.group() == "@" and EMAIL.search(window):
            return "an e-mail address"
        if PROFILE.search(window):
            return "a profile URL"
    return None


__all__ = ["Result", "Skipped", "run"]
