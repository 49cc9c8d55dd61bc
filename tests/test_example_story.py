"""The example portfolio tells the assessment story docs/example-portfolio.md promises: decisions that are
met, not yet met and referred, exactly one stale decision (its entry was edited after it), and a unit signed
off. Expected values come from reading the records here (hashes computed by the documented definition), so
a rewrite of the example's entries that silently made every decision stale fails this test."""
from __future__ import annotations

import hashlib
import subprocess
import sys

import yaml

from conftest import EXAMPLE
from oracle import _without_ref


def _entry_hash(path) -> str:
    """The documented hash: LF line ends, BOM dropped, the front matter's `ref:` line left out."""
    text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    return hashlib.sha256(_without_ref(text).encode("utf-8")).hexdigest()


def _decisions():
    for f in sorted((EXAMPLE / "assessments").glob("*.yaml")):
        d = yaml.safe_load(f.read_text("utf-8"))
        changed = [e["path"] for e in d.get("evidence") or []
                   if (_entry_hash(EXAMPLE / e["path"]) if e["path"].startswith("entries/")
                       else hashlib.sha256((EXAMPLE / e["path"]).read_bytes()).hexdigest()) != e["sha256"]]
        yield f.stem, d, changed


def test_example_has_one_deliberately_stale_decision_and_every_outcome():
    decisions = list(_decisions())
    stale = [name for name, _, changed in decisions if changed]
    assert stale == ["2026-08-25-t-506-2952-3-1"], stale
    current = {d["outcome"] for name, d, changed in decisions if not changed}
    assert current == {"met", "not-yet", "referred"}, current
    assert any(d.get("units") for _, d, changed in decisions if not changed and d["outcome"] == "met")


def test_the_cli_summary_counts_the_same_states():
    decisions = list(_decisions())
    criteria = lambda d: len(d.get("criteria") or [])   # noqa: E731
    met = sum(criteria(d) for _, d, ch in decisions if not ch and d["outcome"] == "met")
    r = subprocess.run([sys.executable, "-m", "generator", "check", "--source", str(EXAMPLE), "--as-of",
                        "2026-09-30", "--no-cache", "--quiet"], capture_output=True, text=True, timeout=120)
    summary = r.stdout.strip().splitlines()[-1]
    assert f"assessed: {met} met, 1 not yet met, 1 referred, 1 stale" in summary, summary
