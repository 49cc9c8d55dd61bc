"""Versions and releases, and the CI files a learner's repository uses, exercised as a learner would use them:
the pre-commit hook through the configuration docs/ci.md gives (pre-commit fetches the tagged release), the
GitHub workflow's `run:` steps in a fresh copy of the repository whose records a learner has replaced."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

import generator
from conftest import EXAMPLE, REPO
from repo_copy import copy_repository, git_commit_all

OFFLINE = ("No matching distribution found", "Could not find a version", "Failed to establish a new connection",
           "Temporary failure in name resolution", "Network is unreachable")


def clean_env(**extra) -> dict:
    """This environment without what would make a child find the generator other than as the test means."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    return {**env, **extra}


def _run(args, cwd=None, env=None, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd, timeout=timeout,
                          env=env if env is not None else clean_env())


def _skip_if_offline(proc, what):
    if proc.returncode != 0 and any(s in proc.stdout + proc.stderr for s in OFFLINE):
        pytest.skip(f"cannot {what} here: no package index or cache")


# -- one version, one changelog, one tag ---------------------------------------------------------------

def test_the_version_lives_in_one_place_and_the_cli_prints_it():
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "generator.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", generator.__version__)
    r = _run([sys.executable, "-m", "generator", "--version"], cwd=REPO, env=clean_env(PYTHONPATH=str(REPO)))
    assert r.returncode == 0 and r.stdout.strip() == f"portfolio {generator.__version__}"


def test_the_changelog_names_the_current_version_first():
    text = (REPO / "CHANGELOG.md").read_text("utf-8")
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d\d-\d\d)$", text, re.M)
    assert releases, "CHANGELOG.md has no release section: ## [X.Y.Z] - YYYY-MM-DD"
    assert "## [Unreleased]" in text and text.index("## [Unreleased]") < text.index(f"## [{releases[0][0]}]")
    assert releases and releases[0][0] == generator.__version__, "add a CHANGELOG.md section for the new version"
    versions = [tuple(map(int, v.split("."))) for v, _ in releases]
    assert versions == sorted(versions, reverse=True) and [d for _, d in releases] == sorted(
        [d for _, d in releases], reverse=True)


def test_docs_ci_pins_the_hook_to_the_current_release_tag():
    revs = re.findall(r"^\s*rev:\s*(\S+)", (REPO / "docs" / "ci.md").read_text("utf-8"), re.M)
    assert revs == [f"v{generator.__version__}"]
    git = shutil.which("git")
    tags = _run([git, "-C", REPO, "tag", "--list"]).stdout.split() if git and (REPO / ".git").exists() else []
    if not tags:
        pytest.skip("this copy of the repository carries no git tags (tags do not always travel with a clone)")
    assert f"v{generator.__version__}" in tags, f"tag the release: git tag v{generator.__version__}"


# -- the pre-commit hook, as a learner's repository uses it ------------------------------------------

def documented_pre_commit_config() -> str:
    """The configuration docs/ci.md tells a learner to write (the first YAML block that names a `rev:`)."""
    blocks = re.findall(r"```yaml\n(.*?)```", (REPO / "docs" / "ci.md").read_text("utf-8"), re.S)
    return next(b for b in blocks if re.search(r"^\s*rev:", b, re.M))


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> Path:
    """The generator's repository as pre-commit fetches it: a git repository with the release tag."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = copy_repository(REPO, tmp_path_factory.mktemp("hook-repo") / "portfolio-generator")
    git_commit_all(root, "the generator")
    subprocess.run(["git", "-C", str(root), "tag", f"v{generator.__version__}"], check=True)
    return root


def test_the_documented_pre_commit_config_passes_a_clean_portfolio_stops_an_error_and_its_install_builds(
        hook_repo, tmp_path):
    """docs/ci.md's configuration, word for word but for the repository's address, in a learner's repository
    of records: `pre-commit run` installs the generator from the tag (a normal install, not editable) and
    checks; an error stops the commit at its file and line; the generator it installed builds the site."""
    learner = tmp_path / "my-portfolio"
    shutil.copytree(EXAMPLE, learner)
    config = re.sub(r"(repo:\s*)\S+", lambda m: m[1] + str(hook_repo), documented_pre_commit_config(), count=1)
    (learner / ".pre-commit-config.yaml").write_text(config, "utf-8")
    git_commit_all(learner)
    env = clean_env(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), PIP_DISABLE_PIP_VERSION_CHECK="1")
    run = [sys.executable, "-m", "pre_commit", "run", "--all-files"]
    ok = _run(run, cwd=learner, env=env)
    _skip_if_offline(ok, "install the hook")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert re.search(r"portfolio check\.+Passed", ok.stdout), ok.stdout

    entry = next(p for p in sorted((learner / "entries").glob("*.md"))
                 if re.search(r"^contacts: \[[a-z]", p.read_text("utf-8"), re.M))
    text = entry.read_text("utf-8")
    contact = re.search(r"^contacts: \[([a-z0-9-]+)", text, re.M)[1]
    entry.write_text(text.replace(f"contacts: [{contact}", f"contacts: [{contact}x", 1), "utf-8")
    subprocess.run(["git", "-C", str(learner), "add", "-A"], check=True)   # staged, as at a commit
    bad = _run(run, cwd=learner, env=env)
    assert bad.returncode == 1 and re.search(r"portfolio check\.+Failed", bad.stdout), bad.stdout + bad.stderr
    assert f"entries/{entry.name}:" in bad.stdout and f"no contact '{contact}x'" in bad.stdout

    # the generator pre-commit installed (from the tag, not editable) builds the learner's site
    (script,) = list((tmp_path / "pre-commit-home").glob("repo*/py_env-*/bin/portfolio"))
    assert not list(script.parent.parent.glob("lib/python*/site-packages/__editable__*"))
    entry.write_text(text, "utf-8")
    site = tmp_path / "site"
    built = _run([script, "build", "--source", learner, "--out", site, "--as-of", "2026-09-30", "--no-cache"],
                 cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    assert (site / "index.html").is_file() and (site / "assets" / "style.css").is_file()
    assert (site / "qualification.html").is_file()


# -- the GitHub workflow, in a fork whose records are the learner's ------------------------------------

def test_the_workflow_run_steps_check_and_build_a_forks_own_records(tmp_path):
    """The workflow's `run:` steps, as GitHub runs them, in a fork made the learner's own by `portfolio init`."""
    wf = yaml.safe_load((REPO / ".github" / "workflows" / "portfolio.yml").read_text("utf-8"))
    steps = [s["run"] for s in wf["jobs"]["check"]["steps"] if "run" in s]
    assert steps
    fork = copy_repository(REPO, tmp_path / "fork")
    init = _run([sys.executable, "-m", "generator", "init", fork, "--name", "Sam Learner", "--registered",
                 "2026-01-15", "--force"], cwd=fork, env=clean_env(PYTHONPATH=str(fork)))   # the learner's own
    assert init.returncode == 0, init.stdout + init.stderr
    env = clean_env(CI="true", GITHUB_ACTIONS="true")
    for step in steps:
        r = _run(["bash", "-e", "-c", step], cwd=fork, env=env)
        _skip_if_offline(r, "install the generator")
        assert r.returncode == 0, f"{step}\n{r.stdout}\n{r.stderr}"
        assert "Traceback" not in r.stderr
    assert (fork / "site" / "index.html").is_file()
    assert "Sam Learner" in (fork / "site" / "index.html").read_text("utf-8")


def test_a_fork_made_the_learners_own_by_init_still_passes_the_suite(tmp_path):
    """The suite never reads the records at the root: `portfolio init --force` in a fork replaces them with a
    new learner's skeleton, and the tests that build the example and compare the example copy still pass (the
    copy's comparison skips: the root is now the learner's own). `make test-fork` runs the whole suite so."""
    fork = copy_repository(REPO, tmp_path / "fork")
    env = clean_env(PYTHONPATH=str(fork))
    init = _run([sys.executable, "-m", "generator", "init", fork, "--name", "Sam Learner", "--registered",
                 "2026-01-15", "--force"], cwd=fork, env=env)
    assert init.returncode == 0, init.stdout + init.stderr
    assert "Sam Learner" in (fork / "portfolio.yaml").read_text("utf-8")
    assert not list((fork / "entries").glob("*.md"))
    subset = ["tests/test_example_copy.py", "tests/test_site_example.py", "tests/test_matrix_truth.py"]
    r = _run([sys.executable, "-m", "pytest", "-rs", "-p", "no:cacheprovider", *subset], cwd=fork, env=env)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "the records at the repository root are a learner's own portfolio" in r.stdout
    assert re.search(r"\d+ passed", r.stdout)
