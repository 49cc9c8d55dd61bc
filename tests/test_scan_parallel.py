"""The personal-data check on two cores (generator/privacy/parallel.py) finds exactly what the serial loop
finds: the same findings in the same order, the same `--fix` rewrites, the same memo rows and work counts.
Each test runs both on the same loaded records; the fork is made to fire on a small portfolio by lowering
its threshold, and is counted (never timed)."""
from __future__ import annotations

import shutil

import pytest

from conftest import AS_OF, FIXTURES
from generator import load, model, pipeline, validate
from generator.privacy import parallel, scan


def _checked(root):
    found: list = []
    sources = load.load(root, found)
    built, _ = model.build(sources, validate.validate(sources, found), None)
    return sources, built.checks


def _scan(sources, checks, memo=None):
    scan.SCANNED.clear()
    sc = scan.scanner(sources, checks, memo)
    return sc.diagnostics, sc.fixes, dict(scan.SCANNED), sc.attachments


@pytest.fixture
def planted(tmp_path):
    """The example with an unpublished contact named in many entries (text, a list item, the title) and one
    text attachment attached to two entries, so findings, fixes and attachments fall on both sides."""
    root = tmp_path / "p"
    shutil.copytree(FIXTURES / "example", root)
    (root / "evidence" / "shared.txt").write_text("Notes from David Lowe on the rota.\n", "utf-8")
    for i, path in enumerate(sorted((root / "entries").glob("*.md"))):
        text = path.read_text("utf-8")
        if i % 3 == 0:
            text = text.rstrip("\n") + "\n\nI met David Lowe again, and Chloé Baptiste (david.lowe@example.org).\n"
        if i % 7 == 0:
            text = text.replace("\ntitle: ", "\ntitle: David Lowe and ", 1)
        if i in (4, 31):
            text = text.replace("\ntitle: ", "\nattachments:\n  - path: evidence/shared.txt\ntitle: ", 1) \
                if "\nattachments:" not in text else \
                text.replace("\nattachments:\n", "\nattachments:\n  - path: evidence/shared.txt\n", 1)
        path.write_text(text, "utf-8")
    return root


@pytest.mark.parametrize("name", ["planted", "site", "example"])
def test_the_forked_scan_finds_what_the_serial_one_finds(name, planted, monkeypatch):
    root = planted if name == "planted" else FIXTURES / name
    sources, checks = _checked(root)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 10**9)
    serial = _scan(sources, checks)
    serial_memo: dict = {}
    serial_counted = _scan(sources, checks, serial_memo)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)
    forks = parallel.FORKS["scan"]
    assert _scan(sources, checks) == serial
    forked_memo: dict = {}
    assert _scan(sources, checks, forked_memo) == serial_counted
    assert parallel.FORKS["scan"] == forks + 2   # it did fork, both times
    assert list(forked_memo.items()) == list(serial_memo.items())
    if name == "planted":
        diagnostics, fixes, _, attachments = serial
        assert len(diagnostics) >= 20 and fixes and "evidence/shared.txt" in attachments
        assert serial_counted[2]["evidence/shared.txt"] == 1   # scanned once, by the side of the first entry that attaches it


def test_a_warm_memo_does_not_fork(planted, monkeypatch):
    sources, checks = _checked(planted)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)
    memo: dict = {}
    cold = _scan(sources, checks, memo)
    forks = parallel.FORKS["scan"]
    warm = _scan(sources, checks, memo)
    assert parallel.FORKS["scan"] == forks   # nothing to scan: every entry recalled
    assert warm[:2] == cold[:2] and warm[2] == {}


def test_check_output_the_same_serial_or_forked(planted, monkeypatch):
    """The whole check, as the CLI reports it, through the pipeline."""
    def findings():
        return [tuple(vars(d).values()) for d in pipeline.check(planted, AS_OF).diagnostics]
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 10**9)
    serial = findings()
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)
    forks = parallel.FORKS["scan"]
    assert findings() == serial and any(d[1] == "personal-data" for d in serial)
    assert parallel.FORKS["scan"] == forks + 1
