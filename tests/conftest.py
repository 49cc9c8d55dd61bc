"""Shared fixtures: built sites are made once per session (building is the slow part)."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
AS_OF = dt.date(2026, 4, 30)


def build_site(source: Path, out: Path, as_of: dt.date = AS_OF):
    """Build `source` into `out` without the incremental cache; returns the pipeline's Result."""
    from generator import pipeline
    return pipeline.build(Path(source), Path(out), as_of)


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
def example_site(tmp_path_factory) -> Path:
    """The example portfolio at the repository root built as of 2026-09-30; skipped (with the first
    error) while the example itself has errors."""
    out = tmp_path_factory.mktemp("example") / "site"
    result = build_site(REPO, out, dt.date(2026, 9, 30))
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
