"""`portfolio init [DIR]`: a new learner's skeleton, valid from the first `check`.

It writes portfolio.yaml (name, qualification, units), empty entries/ and contacts/ (kept in git by
.gitkeep), and what a portfolio repository needs around them: .gitignore, the CI workflow and a
pre-commit config (each only when missing). In a fork of the generator's repository it first moves
the example learner's records (RECORDS below) aside into .portfolio-backup/<time>/ — never deletes them:
whatever a learner had already typed there is recoverable — only when the learner says yes or passes
--force; nothing else is touched: generator/, tests/, docs/, criteria/ and themes/ stay as they are.
Everything is decided and validated before anything is removed or written.
"""
from __future__ import annotations

import datetime as dt
import difflib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .new import _schema_ref

RECORDS = ("portfolio.yaml", "entries", "contacts", "evidence", "assessments", "iqa", "evidence-refs.yaml")   # the example learner's
DEFAULT_FRAMEWORK = "proqual-l4-nvq-diploma-management"
SHIPPED_CRITERIA = Path(__file__).resolve().parents[1] / "criteria"   # the repository's (a checkout or fork)

BACKUP = ".portfolio-backup"   # where init moves the records it replaces (git-ignored: they may hold personal data)
GITIGNORE = f"/site/\n/export/\n/.cache/\n/.venv/\n/{BACKUP}/\n__pycache__/\n"
_WORKFLOW = """\
# Checks the portfolio on every push and pull request; findings appear as annotations on the lines
# they are about. Written by `portfolio init`; see {docs}.
name: portfolio
on: [push, pull_request]
permissions:
  contents: read
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
{steps}"""
# a fork carries the generator and its Makefile; a standalone portfolio installs the version it began with
WORKFLOW_FORK = _WORKFLOW.format(docs="docs/ci.md (add --strict to fail on gaps too)", steps="""\
      - name: portfolio check
        run: make check ARGS="--format github"
""")
WORKFLOW_STANDALONE = _WORKFLOW.format(docs="the generator's docs/ci.md", steps="""\
      - name: install the generator (the version this portfolio was started with)
        run: pip install "portfolio-generator=={version}"
      - name: portfolio check
        run: portfolio check --format github
""")
PRE_COMMIT = """\
# Runs `portfolio check` before each commit that touches the records (pip install pre-commit &&
# pre-commit install). Written by `portfolio init`; see docs/ci.md.
repos:
  - repo: local
    hooks:
      - id: portfolio-check
        name: portfolio check
        entry: {entry}
        language: system
        pass_filenames: false
        files: ^(portfolio\\.yaml|contacts/|entries/|criteria/)
"""


class Refused(Exception):
    """A usage error: nothing was changed (exit status 2)."""


@dataclass
class Answers:
    name: str | None = None
    framework: str | None = None
    units: list | None = None
    registered: dt.date | None = None
    role: str | None = None
    organisation: str | None = None


@dataclass
class Plan:
    root: Path
    fork: bool
    remove: list = field(default_factory=list)     # existing record paths the skeleton replaces
    write: dict = field(default_factory=dict)      # relative path -> text
    keep: list = field(default_factory=list)       # files already there that init leaves alone


def is_fork(root: Path) -> bool:
    """A checkout of the generator's repository: its package and Makefile sit beside the records."""
    return (root / "generator").is_dir() and (root / "Makefile").is_file()


def existing_records(root: Path) -> list[Path]:
    out = []
    for name in RECORDS:
        path = root / name
        if path.is_symlink() or path.is_file() or (path.is_dir() and any(path.iterdir())):
            out.append(path)
    return out


def _framework_file(root: Path, framework: str) -> Path | None:
    for folder in (root / "criteria", SHIPPED_CRITERIA):
        path = folder / f"{framework}.yaml"
        if path.is_file():
            return path
    return None


def _frameworks(root: Path) -> list[str]:
    names = {p.stem for folder in (root / "criteria", SHIPPED_CRITERIA) if folder.is_dir()
             for p in folder.glob("*.yaml")}
    return sorted(names)


def _load_framework(root: Path, framework: str) -> tuple[Path, dict]:
    path = _framework_file(root, framework)
    if path is None:
        known = _frameworks(root)
        close = [k for k in known if k.startswith(framework)] or difflib.get_close_matches(framework, known, n=1)
        more = f" (did you mean '{close[0]}'?)" if close else f" (there are: {', '.join(known) or 'none'})"
        raise Refused(f"no framework '{framework}' in criteria/{more}")
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise Refused(f"{path} cannot be read: run `portfolio check` on it ({exc.__class__.__name__})") from None
    if not isinstance(data, dict) or not isinstance(data.get("units"), list):
        raise Refused(f"{path} is not a framework (no units): run `portfolio check` on it")
    return path, data


def mandatory_units(framework: dict) -> list[str]:
    groups = {g.get("group") for g in (framework.get("rules") or {}).get("groups") or []
              if isinstance(g, dict) and g.get("mandatory")}
    return [u["ref"] for u in framework["units"] if isinstance(u, dict) and u.get("group") in groups]


def check_units(units: list, framework_id: str, framework: dict) -> list[str]:
    refs = [u.get("ref") for u in framework["units"] if isinstance(u, dict)]
    out = []
    for ref in units:
        if ref not in refs:
            close = difflib.get_close_matches(ref, refs, n=1)
            more = f" (did you mean '{close[0]}'?)" if close else ""
            raise Refused(f"no unit '{ref}' in {framework_id}{more}: unit refs look like {refs[0] if refs else '?'}")
        if ref not in out:
            out.append(ref)
    return out


def _q(text: str) -> str:
    """A YAML scalar that stays a string whatever it holds (a JSON string is a YAML double-quoted one)."""
    return json.dumps(text, ensure_ascii=False)


def portfolio_yaml(a: Answers, schema_ref: str, unit_titles: dict) -> str:
    learner = [f"  name: {_q(a.name)}"]
    learner += [f"  {key}: {_q(value)}" for key, value in (("role", a.role), ("organisation", a.organisation)) if value]
    units = "\n".join(f"    - {_q(ref)}   # {unit_titles.get(ref, '')}".rstrip() for ref in a.units)
    lines = [f"# yaml-language-server: $schema={schema_ref}",
             "#",
             "# Your portfolio, started by `portfolio init`. Next: your networking purpose, the networks you",
             "# have identified and your development goals (docs/getting-started.md, docs/records.md), then",
             "# your first contact and entry: make new-contact NAME=\"...\", make new-entry TITLE=\"...\".",
             "learner:", *learner,
             "qualification:",
             f"  framework: {a.framework}",
             "  units:" + ("" if a.units else " []"), *([units] if a.units else [])]
    if a.registered:
        lines.append(f"  registered: {a.registered.isoformat()}")
    lines += ["", "site:", f"  title: {_q(a.name + ' — evidence portfolio')}", "  language: en-GB", ""]
    return "\n".join(lines)


def plan(root: Path, a: Answers) -> Plan:
    """Everything init will do, worked out and validated first; raises Refused before any change."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise Refused(f"'{root}' is a file, not a folder")
    if not (a.name or "").strip():
        raise Refused("give the learner's name: portfolio init --name \"Your Name\" (or make init NAME=\"Your Name\")")
    a.name = " ".join(a.name.split())
    a.framework = a.framework or DEFAULT_FRAMEWORK
    fw_path, framework = _load_framework(root, a.framework)
    a.units = check_units(a.units if a.units is not None else mandatory_units(framework), a.framework, framework)
    titles = {u.get("ref"): str(u.get("title") or "") for u in framework["units"] if isinstance(u, dict)}
    p = Plan(root, is_fork(root), remove=existing_records(root))
    target = root / "portfolio.yaml"
    p.write["portfolio.yaml"] = portfolio_yaml(a, _schema_ref(root, target, "portfolio"), titles)
    p.write["entries/.gitkeep"] = ""
    p.write["contacts/.gitkeep"] = ""
    if not (root / "criteria" / f"{a.framework}.yaml").is_file():   # a folder of its own: self-contained
        p.write[f"criteria/{a.framework}.yaml"] = fw_path.read_text("utf-8")
    from . import __version__
    extras = {".gitignore": GITIGNORE,
              ".github/workflows/portfolio.yml": WORKFLOW_FORK if p.fork
              else WORKFLOW_STANDALONE.format(version=__version__),
              ".pre-commit-config.yaml": PRE_COMMIT.format(entry="make check" if p.fork else "portfolio check")}
    for rel, text in extras.items():
        if (root / rel).exists():
            p.keep.append(rel)
        else:
            p.write[rel] = text
    return p


def _describe(path: Path) -> str:
    if path.is_dir() and not path.is_symlink():
        n = sum(1 for f in path.rglob("*") if f.is_file())
        return f"{path.name}/ ({n} file{'s' if n != 1 else ''})"
    return path.name


def _backup_folder(root: Path) -> Path:
    """A new folder under .portfolio-backup/ named for the time (UTC), never one already there."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    for n in range(1, 1000):
        folder = root / BACKUP / (stamp if n == 1 else f"{stamp}-{n}")
        if not folder.exists() and not folder.is_symlink():
            return folder
    raise Refused(f"too many backups under {root / BACKUP}: remove the old ones")


def carry_out(p: Plan, say=print) -> None:
    # Moved, not deleted: `--force` in a fork must not destroy a learner's own uncommitted records.
    backup = _backup_folder(p.root) if p.remove else None
    if backup is not None:
        backup.mkdir(parents=True)
    for path in p.remove:
        said = _describe(path)
        shutil.move(str(path), str(backup / path.name))
        say(f"moved   {said} to {backup.relative_to(p.root).as_posix()}/")
    for rel, text in p.write.items():
        path = p.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
        say(f"wrote   {rel}")
    for rel in p.keep:
        say(f"kept    {rel} (already there)")


def ask_missing(a: Answers, root: Path, ask) -> Answers:
    """Fill what the options left out by asking (`ask(prompt) -> str`, i.e. input on a terminal)."""
    while not (a.name or "").strip():
        a.name = ask("Your name (as on your registration): ").strip()
    if a.framework is None:
        known = _frameworks(root)
        default = DEFAULT_FRAMEWORK if DEFAULT_FRAMEWORK in known else (known[0] if known else DEFAULT_FRAMEWORK)
        a.framework = ask(f"Qualification framework [{default}] (one of: {', '.join(known)}): ").strip() or default
    if a.units is None:
        try:
            _, framework = _load_framework(root, a.framework)
        except Refused:
            return a   # plan() says why
        suggested = mandatory_units(framework)
        print("Units of " + a.framework + ":")
        for u in framework["units"]:
            if isinstance(u, dict):
                print(f"  {u.get('ref')}  group {u.get('group') or '-'}  {u.get('credits') or '?'} credits  "
                      f"{u.get('title')}")
        said = ask(f"Units you chose, separated by commas [{', '.join(suggested)}]: ").strip()
        a.units = [r.strip() for r in said.split(",") if r.strip()] if said else suggested
    if a.registered is None:
        while True:
            said = ask("Date you registered (YYYY-MM-DD, blank if not yet): ").strip()
            try:
                a.registered = dt.date.fromisoformat(said) if said else None
                break
            except ValueError:
                print("  write the date as YYYY-MM-DD, e.g. 2026-01-15")
    return a
