"""Shared fixtures: built sites are made once per session (building is the slow part)."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from pathlib import Path

import pytest

# `make test ARGS=...` (as .ci/run calls it) exports ARGS to the suite's environment and puts it in MAKEFLAGS, so
# every `make` a test starts would inherit it: `make build` would pass pytest's options to `portfolio build`.
# Tests run make as a learner does: without the outer make's variables.
for _var in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "ARGS", "SOURCE", "OUT", "FORK", "VENV",
             "NAME", "TITLE"):
    os.environ.pop(_var, None)

REPO = Path(__file__).resolve().parents[1]   # the code, tools and docs; never the records at the root
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The example portfolio the suite tests: a copy of the records at the repository root, which are the
# learner's (a fork replaces them: `portfolio init`), so the suite never reads them. It holds records only:
# the default theme and the frameworks come from the generator (see generator/shipped.py).
EXAMPLE = FIXTURES / "example"
AS_OF = dt.date(2026, 4, 30)


def build_site(source: Path, out: Path, as_of: dt.date = AS_OF, past_the_check: bool | None = None):
    """Build `source` into `out` without the incremental cache; returns the pipeline's Result.

    tests/fixtures/site holds names written where they must not be, on purpose (see its LEAKS.md):
    the personal-data check refuses it (tests/test_privacy_scan.py), so it is built `past_the_check`
    — with that check switched off — to test the second and third lines of defence (redaction, and
    the scan of every output file, which stays on)."""
    from unittest import mock

    from generator import pipeline
    if past_the_check is None:
        past_the_check = (Path(source) / "LEAKS.md").exists()
    if not past_the_check:
        return pipeline.build(Path(source), Path(out), as_of)
    with mock.patch.object(pipeline, "personal_data", lambda *args: []):
        return pipeline.build(Path(source), Path(out), as_of)


def site_fixture_without_leaks(dst: Path) -> Path:
    """A copy of tests/fixtures/site with its deliberate leaks (LEAKS.md) cleaned up as a learner would:
    the files whose names spell the contact's name renamed, the rest rewritten by `check --fix`."""
    import contextlib
    import io

    from generator.cli import main
    shutil.copytree(FIXTURES / "site", dst)
    (dst / "LEAKS.md").unlink()
    (dst / "entries" / "2026-01-20-forum-meeting-zara-quill.md").rename(dst / "entries" / "2026-01-20-forum-meeting.md")
    (dst / "evidence" / "notes-zara-quill.txt").rename(dst / "evidence" / "notes.txt")
    entry = dst / "entries" / "2026-01-20-forum-meeting.md"
    entry.write_text(entry.read_text("utf-8").replace("evidence/notes-zara-quill.txt", "evidence/notes.txt"), "utf-8")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["check", "--source", str(dst), "--as-of", AS_OF.isoformat(), "--no-cache", "--fix"]) == 0
    return dst


@pytest.fixture(scope="session")
def site_source(tmp_path_factory) -> Path:
    """A private copy of tests/fixtures/site (tests may not write into fixture folders)."""
    dst = tmp_path_factory.mktemp("site-src") / "portfolio"
    shutil.copytree(FIXTURES / "site", dst)
    return dst


@pytest.fixture(scope="session")
def built_site(site_source, tmp_path_factory) -> Path:
    """tests/fixtures/site built as of AS_OF: the folder of the published site."""
    out = tmp_path_factory.mktemp("site-out") / "site"
    result = build_site(site_source, out)
    assert result.published, [d for d in result.diagnostics if d.severity == "error"]
    return out


@pytest.fixture(scope="session")
def example_source(tmp_path_factory) -> Path:
    """A private copy of tests/fixtures/example, outside any git repository (so no entry history)."""
    dst = tmp_path_factory.mktemp("example-src") / "portfolio"
    shutil.copytree(EXAMPLE, dst)
    return dst


@pytest.fixture(scope="session")
def example_site(example_source, tmp_path_factory) -> Path:
    """The example portfolio (tests/fixtures/example) built as of 2026-09-30; skipped (with the first
    error) while the example itself has errors."""
    out = tmp_path_factory.mktemp("example") / "site"
    result = build_site(example_source, out, dt.date(2026, 9, 30))
    if not result.published:
        errors = [d for d in result.diagnostics if d.severity == "error"]
        pytest.skip(f"the example portfolio does not build ({len(errors)} errors, first: "
                    f"{errors[0].file}:{errors[0].line}: {errors[0].message})" if errors else "no portfolio.yaml")
    return out


def pytest_terminal_summary(terminalreporter):
    """The consistency tests' tally: how many page facts were compared with the independent oracle."""
    import sys
    builds = sys.modules.get("consistency_builds")
    if builds is not None and builds.TOTAL["compared"]:
        terminalreporter.write_line(f"consistency: {builds.TOTAL['compared']} page facts compared with the records "
                                    f"(tests/oracle.py), {builds.TOTAL['wrong']} disagreed")


# -- tests never write into the repository ------------------------------------------------------------
# The paths in the working tree (less the venvs and caches of Python and pytest) before the session and
# after it: a test that creates or deletes anything in the repository fails the run, naming the paths.
# Only creations and deletions count, so editing a file while the suite runs is not mistaken for a test
# writing; UPDATE_GOLDEN=1 (which rewrites tests/golden on purpose) turns the check off.
_UNWATCHED = {".git", ".venv", ".venv-latest", "__pycache__", ".pytest_cache", ".hypothesis"}


def _repo_state() -> set[str]:
    state = set()
    for dirpath, dirnames, filenames in os.walk(REPO):
        dirnames[:] = [d for d in dirnames if d not in _UNWATCHED and not d.endswith(".egg-info")]
        state.update((Path(dirpath) / name).relative_to(REPO).as_posix() for name in filenames + dirnames)
    return state


def pytest_sessionstart(session):
    session.config._repo_state_before = _repo_state()


def pytest_collection_finish(session):
    session.config._sys_path_before = list(sys.path)   # after collection, which adds the tests' folder


def pytest_sessionfinish(session, exitstatus):
    before = getattr(session.config, "_repo_state_before", None)
    path_before = getattr(session.config, "_sys_path_before", None)
    if path_before is not None and sys.path != path_before:
        session.config.get_terminal_writer().line(
            "\nERROR: the tests left sys.path changed (use monkeypatch.syspath_prepend): "
            f"{sorted(set(sys.path) ^ set(path_before)) or 'reordered'}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if before is None or os.environ.get("UPDATE_GOLDEN"):
        return
    changed = sorted(before ^ _repo_state())
    if changed:
        shown = ", ".join(changed[:10]) + (f" and {len(changed) - 10} more" if len(changed) > 10 else "")
        session.config.get_terminal_writer().line(
            f"\nERROR: the tests wrote into the repository (tests must use tmp_path): {shown}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
