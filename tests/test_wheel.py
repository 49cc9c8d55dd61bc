"""A wheel built from the repository, installed normally (not editable) into a clean virtual environment,
builds a folder that holds only records: the default theme and the frameworks come from the package.

Slow-ish (about 20 s: a wheel build and an install from the pip cache), so the wheel and the environment
are made once per session. Skipped, with the reason, only when no wheel can be built or installed here
(no venv module, or no index or cache to take setuptools and the dependencies from)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import EXAMPLE, REPO
from repo_copy import copy_repository

# what pip prints when it cannot reach an index or find a release: the machine cannot build, not a bug
OFFLINE = ("No matching distribution found", "Could not find a version", "Failed to establish a new connection",
           "Temporary failure in name resolution", "Network is unreachable")


def _run(*args, cwd=None, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


def _must(proc: subprocess.CompletedProcess, what: str) -> None:
    if proc.returncode != 0:
        if any(s in proc.stdout + proc.stderr for s in OFFLINE):
            pytest.skip(f"cannot {what} here (no package index or cache): {proc.stderr.strip().splitlines()[-1]}")
        pytest.fail(f"{what} failed:\n{proc.stdout}\n{proc.stderr}")


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """A wheel built as a user would build one, from a copy of the repository (building in place would
    leave build/ and *.egg-info in it)."""
    src = copy_repository(REPO, tmp_path_factory.mktemp("wheel-src") / "repo")
    dist = tmp_path_factory.mktemp("dist")
    _must(_run(sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
               "-w", dist, src), "build a wheel")
    (built,) = dist.glob("portfolio_generator-*.whl")
    return built


@pytest.fixture(scope="session")
def installed(wheel, tmp_path_factory) -> Path:
    """A clean venv (no system site-packages, no project on its path) with the wheel installed; returns its bin/."""
    venv = tmp_path_factory.mktemp("wheel-venv") / "venv"
    made = _run(sys.executable, "-m", "venv", "--without-pip", venv)
    if made.returncode != 0:
        pytest.skip(f"cannot make a virtual environment here: {made.stderr.strip()}")
    # this environment's pip installs into the new one (--python): no pip bootstrap, the same pip cache;
    # the lock file keeps the dependencies at the versions the suite passes on
    _must(_run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet",
               "--disable-pip-version-check", "-c", REPO / "requirements.lock", wheel), "install the wheel")
    return venv / "bin"


def _clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}


def test_every_package_of_the_generator_is_listed_for_the_wheel():
    """pyproject.toml lists the packages (the data folders are mapped in, so they cannot be discovered):
    a new subpackage left off the list would be missing from every install but an editable one."""
    import tomllib
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["packages"])
    found = {p.parent.relative_to(REPO).as_posix().replace("/", ".") for p in (REPO / "generator").rglob("__init__.py")}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"


def test_the_wheel_carries_the_default_theme_and_the_frameworks_and_no_records(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, target in (("themes/default", "generator/data/themes/default"), ("criteria", "generator/data/criteria")):
        shipped = {p.relative_to(REPO / folder).as_posix() for p in (REPO / folder).rglob("*")
                   if p.is_file() and (folder != "criteria" or p.suffix == ".yaml")}
        assert shipped and {f"{target}/{s}" for s in shipped} <= names, folder
    assert not [n for n in names if n.split("/")[0] in ("entries", "contacts", "evidence", "tests", "portfolio.yaml")]


def test_an_installed_wheel_builds_a_records_only_folder_like_the_repository(installed, example_site, tmp_path):
    import generator
    src = tmp_path / "my-portfolio"
    shutil.copytree(EXAMPLE, src)
    assert not (src / "criteria").exists() and not (src / "themes").exists()   # records only
    where = _run(installed / "python", "-c", "import generator; print(generator.__file__)", cwd=tmp_path,
                 env=_clean_env())
    assert where.returncode == 0 and Path(where.stdout.strip()).is_relative_to(installed.parent), where
    version = _run(installed / "portfolio", "--version", cwd=tmp_path, env=_clean_env())
    assert version.stdout.strip() == f"portfolio {generator.__version__}", version
    r = _run(installed / "portfolio", "build", "--source", src, "--out", tmp_path / "site", "--as-of", "2026-09-30",
             "--no-cache", cwd=tmp_path, env=_clean_env())
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stdout + r.stderr
    # byte for byte the site the suite builds from the same records with the repository's theme and criteria
    built = {p.relative_to(tmp_path / "site").as_posix(): p.read_bytes()
             for p in sorted((tmp_path / "site").rglob("*")) if p.is_file()}
    expected = {p.relative_to(example_site).as_posix(): p.read_bytes() for p in sorted(example_site.rglob("*"))
                if p.is_file()}
    assert built.keys() == expected.keys()
    assert [k for k in built if built[k] != expected[k]] == []
    assert sorted(p.name for p in src.iterdir()) == sorted(p.name for p in EXAMPLE.iterdir())   # nothing written
