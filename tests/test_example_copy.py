"""The suite tests its own copy of the example (tests/fixtures/example), never the records at the repository
root: those are the learner's, and `portfolio init` replaces them in a fork. While the root still holds the
example, the two must stay identical, so the example a learner reads is the one the suite passed on."""
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLE, REPO

RECORDS = ("portfolio.yaml", "contacts", "entries", "evidence", "assessments", "iqa", "evidence-refs.yaml")


def record_files(root: Path) -> dict[str, bytes]:
    files = {}
    for name in RECORDS:
        p = root / name
        if p.is_file():
            files[name] = p.read_bytes()
        elif p.is_dir():
            files.update({f.relative_to(root).as_posix(): f.read_bytes()
                          for f in sorted(p.rglob("*")) if f.is_file() and not f.name.startswith(".")})
    return files


def learner_name(root: Path):
    try:
        return ((yaml.safe_load((root / "portfolio.yaml").read_text("utf-8")) or {}).get("learner") or {}).get("name")
    except (OSError, yaml.YAMLError, AttributeError):
        return None


def test_the_example_at_the_root_is_the_one_the_suite_tests():
    if learner_name(REPO) != learner_name(EXAMPLE):
        pytest.skip("the records at the repository root are a learner's own portfolio, not the example")
    root, copy = record_files(REPO), record_files(EXAMPLE)
    differ = sorted(f for f in root.keys() | copy.keys() if root.get(f) != copy.get(f))
    assert not differ, ("the example at the root and tests/fixtures/example differ; after changing the example, "
                        f"run `make sync-example` (or copy the records by hand): {differ}")


def test_the_example_copy_holds_records_only():
    """No criteria/ and no themes/: it builds from what the generator ships, as a learner's folder does."""
    assert (EXAMPLE / "portfolio.yaml").is_file()
    assert sorted(p.name for p in EXAMPLE.iterdir()) == sorted(n for n in RECORDS if (EXAMPLE / n).exists())
