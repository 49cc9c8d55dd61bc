"""Work on each entry done where the load parses it (generator/load.py's `at_load`, pipeline._AtLoad): its
schema (validate.check_early) and its personal-data check (generator/privacy/scan.py, `Prescan`). The
findings and `--fix` rewrites are the ones the stages make reading every entry themselves, in the same
order, and the stages read no entry the load's workers read. The fixtures are small, so the load is made
to fork as it does from 400 files."""
from __future__ import annotations

import datetime as dt

import pytest

from conftest import FIXTURES
from generator import load as load_stage
from generator import pipeline
from generator import validate as validate_stage
from generator.load import load
from generator.privacy import scan as scan_mod

PORTFOLIOS = [FIXTURES / name for name in ("example", "mistakes", "authoring", "site", "rules/e2e")]
AS_OF = dt.date(2026, 9, 30)


def _findings(root):
    return [d.as_dict() for d in pipeline.check(root, AS_OF).diagnostics]


@pytest.mark.parametrize("root", PORTFOLIOS, ids=lambda p: p.name)
def test_findings_the_same_scanned_where_loaded(root, monkeypatch):
    alone = _findings(root)
    monkeypatch.setattr(load_stage, "_forks", lambda jobs: True)
    assert _findings(root) == alone


def _checks(sources) -> dict:
    """The `checks` the model gives the scan."""
    return {**pipeline.model_stage.default_checks(), **(sources.portfolio.data.get("checks") or {})}


def test_the_scan_reads_no_entry_the_load_read(monkeypatch):
    plain = load(FIXTURES / "mistakes", [])
    checks = _checks(plain)
    alone = scan_mod.scanner(plain, checks)
    monkeypatch.setattr(load_stage, "_forks", lambda jobs: True)
    sources = load(FIXTURES / "mistakes", [], at_load=pipeline._AtLoad.of)
    read = []
    real = scan_mod._entry
    monkeypatch.setattr(scan_mod, "_entry", lambda sc, s, attached: read.append(s.file) or real(sc, s, attached))
    sc = scan_mod.scanner(sources, checks)
    assert read == [] and any(d.rule == "personal-data" and d.file.startswith("entries/") for d in sc.diagnostics)
    assert (sc.diagnostics, sc.fixes) == (alone.diagnostics, alone.fixes) and sc.fixes
    assert not sources.early   # taken once, never kept


def test_what_was_scanned_with_another_scanner_is_read_again(monkeypatch):
    monkeypatch.setattr(load_stage, "_forks", lambda jobs: True)
    root = FIXTURES / "mistakes"
    plain = load(root, [])
    expected = scan_mod.scan(plain, _checks(plain))
    sources = load(root, [], at_load=pipeline._AtLoad.of)
    assert sources.early
    for file, (checked, scanned) in sources.early.items():   # as if found before a contact's consent changed
        if scanned is not None:
            (_, attached), _, fixes = scanned
            sources.early[file] = (checked, (("another fingerprint", attached), (), fixes))
    assert scan_mod.scan(sources, _checks(plain)) == expected


def test_validate_checks_no_entry_the_load_checked(monkeypatch):
    root = FIXTURES / "mistakes"
    plain = load(root, [])
    expected: list = []
    valid = validate_stage.validate(plain, expected)
    monkeypatch.setattr(load_stage, "_forks", lambda jobs: True)
    sources = load(root, [], at_load=pipeline._AtLoad.of)
    checked = []
    real = validate_stage.validate_file
    monkeypatch.setattr(validate_stage, "validate_file", lambda s, found: checked.append(s.kind) or real(s, found))
    found: list = []
    assert validate_stage.validate(sources, found) == valid and found == expected
    assert "entry" not in checked and "contact" in checked
    assert any(d.file.startswith("entries/") and d.rule == "schema" for d in found)
