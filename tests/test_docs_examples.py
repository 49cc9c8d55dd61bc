"""The authoring commands the README and docs/getting-started.md show run as written.

`make new-contact NAME="..."` once named a contact the example already has, so it failed for every
learner who tried it. Each example is run, as the `portfolio` command its make target runs, on a copy of
the example portfolio (the suite's own, tests/fixtures/example, which stays when a fork's records are
replaced), and on the skeleton `init` makes.
"""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "tests" / "fixtures" / "example"
DOCS = [ROOT / "README.md", ROOT / "docs" / "getting-started.md"]
MAKE = re.compile(r"^make (new-entry|new-contact|init)((?: [A-Z]+=\"[^\"]*\")*)", re.M)


def examples():
    for doc in DOCS:
        for m in MAKE.finditer(doc.read_text("utf-8")):
            variables = dict(v.split("=", 1) for v in shlex.split(m.group(2)))
            yield pytest.param(m.group(1), variables, id=f"{doc.name}: {m.group(0)}")


def portfolio(*args):
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)


@pytest.fixture
def example(tmp_path) -> Path:
    """A copy of the example learner's records, as a fork holds them."""
    dst = tmp_path / "fork"
    dst.mkdir()
    for name in ("portfolio.yaml", "entries", "contacts", "criteria", "evidence", "assessments", "iqa"):
        src = EXAMPLE / name if (EXAMPLE / name).exists() else ROOT / name
        if src.is_dir():
            shutil.copytree(src, dst / name)
        elif src.is_file():
            shutil.copy2(src, dst / name)
    (dst / "generator").mkdir()                    # what makes it a fork for `init`
    (dst / "Makefile").write_text("")
    return dst


def test_the_docs_show_each_authoring_command():
    found = {p.values[0] for p in examples()}
    assert found == {"new-entry", "new-contact", "init"}


@pytest.mark.parametrize("target, variables", list(examples()))
def test_example_runs_as_written(example, target, variables):
    args = shlex.split(variables.get("ARGS", ""))
    if target == "init":   # the learner answers "yes" at a terminal; here --force says it
        r = portfolio("init", str(example), "--name", variables["NAME"], *args, "--force")
        assert r.returncode == 0, r.stderr
        assert portfolio("check", "--source", str(example), "--no-cache", "--quiet").returncode == 0
        return
    kind, title = ("entry", variables["TITLE"]) if target == "new-entry" else ("contact", variables["NAME"])
    for where in ("example", "skeleton"):
        if where == "skeleton":
            assert portfolio("init", str(example), "--name", "Sam Learner", "--force").returncode == 0
        r = portfolio("new", kind, title, "--source", str(example))
        assert r.returncode == 0, f"on the {where}: {r.stderr}"
        assert Path(r.stdout.strip()).is_file()
