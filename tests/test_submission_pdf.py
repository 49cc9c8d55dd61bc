"""The submission document as PDF (`portfolio export --pdf`): rendered once per session from the example.

Expected values come from the records read here (portfolio.yaml, contacts/*.yaml), never from the generator.
"""
from __future__ import annotations

import hashlib
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from generator import pdf as pdfmod

AS_OF = "2026-09-30"
pytestmark = pytest.mark.skipif(pdfmod.available() is not None,
                                reason=f"WeasyPrint cannot run here: {pdfmod.available()}")


def export_args(source: Path, out: Path) -> list:
    return [sys.executable, "-m", "generator", "export", "--pdf", "--source", str(source), "--out", str(out),
            "--as-of", AS_OF]


@pytest.fixture(scope="session")
def pdfs(example_source, tmp_path_factory):
    """Two exports of the example into two folders, run side by side (WeasyPrint takes tens of seconds for
    the example, and the suite runs on one core of two): [(PDF beside the archive, PDF in the archive)]."""
    outs = [tmp_path_factory.mktemp(f"pdf{n}") for n in (1, 2)]
    procs = [subprocess.Popen(export_args(example_source, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for out in outs]
    got = []
    for out, proc in zip(outs, procs):
        _, err = proc.communicate()
        assert proc.returncode == 0, err
        pdf = sorted(out.glob("*.pdf"))
        assert len(pdf) == 1, list(out.iterdir())
        zipped = zipfile.ZipFile(next(out.glob("*.zip"))).read("submission.pdf")
        got.append((pdf[0].read_bytes(), zipped))
    return got


@pytest.fixture(scope="session")
def pages(pdfs):
    return pdfmod.pdf_text(pdfs[0][0])


def squash(text: str) -> str:
    return " ".join(text.split())


def test_two_renders_are_byte_identical_and_the_archive_holds_the_same_pdf(example_source, pdfs):
    (a, a_zip), (b, b_zip) = pdfs
    assert a == b == a_zip == b_zip
    assert a.startswith(b"%PDF-")
    from pypdf import PdfReader
    info = PdfReader(io.BytesIO(a)).metadata
    assert info["/CreationDate"].startswith("D:20260930") and info["/ModDate"].startswith("D:20260930")  # --as-of
    learner = yaml.safe_load((example_source / "portfolio.yaml").read_text("utf-8"))["learner"]["name"]
    assert info["/Author"] == learner and learner in info["/Title"]


def test_every_page_carries_the_running_header_with_the_right_numbers(example_source, pages):
    learner = yaml.safe_load((example_source / "portfolio.yaml").read_text("utf-8"))["learner"]
    assert len(pages) >= 10
    for i, text in enumerate(pages, 1):
        t = squash(text)
        assert learner["name"] in t and str(learner["candidate_number"]) in t, (i, t[:200])
        assert f"Page {i} of {len(pages)}" in t, (i, t[:200])


def test_the_cover_states_the_facts_of_portfolio_yaml(example_source, pages):
    p = yaml.safe_load((example_source / "portfolio.yaml").read_text("utf-8"))
    framework = yaml.safe_load((example_source.parent / "criteria" / f"{p['qualification']['framework']}.yaml")
                               .read_text("utf-8")) if (example_source.parent / "criteria").is_dir() else None
    cover = squash(pages[0])
    for key in ("name", "candidate_number", "centre", "assessor", "iqa"):
        assert str(p["learner"][key]) in cover, key
    registered = p["qualification"]["registered"]
    assert f"{registered.day} {registered:%B} {registered.year}" in cover
    declared = p["declaration"]["date"]
    assert squash(p["declaration"]["text"])[:60] in cover and f"{declared.day} {declared:%B} {declared.year}" in cover
    if framework:
        assert framework["number"] in cover and framework["title"] in cover


def test_every_entry_appears_with_its_reference_and_attachment_hashes(example_source, pages):
    text = squash(" ".join(pages))
    for path in sorted((example_source / "entries").glob("*.md")):
        front = yaml.safe_load(path.read_text("utf-8").split("\n---", 1)[0][3:])
        assert f"{front['ref']} " in text, front["ref"]
        for a in front.get("attachments") or []:
            digest = hashlib.sha256((example_source / a["path"]).read_bytes()).hexdigest()
            assert digest[:16] in text.replace(" ", ""), a["path"]


def test_no_channel_value_and_no_file_line_reference_reaches_the_pdf(example_source, pages):
    text = squash(" ".join(pages)).lower()
    compact = text.replace(" ", "")
    values = []
    for path in sorted((example_source / "contacts").glob("*.yaml")):
        values += [str(v) for v in (yaml.safe_load(path.read_text("utf-8")).get("channels") or {}).values()]
    # a value that identifies someone (an address, a number, a handle); `Teams` alone is an ordinary word
    values = [v for v in values if len(v) >= 5 and re.search(r"[@/.\d_]", v)]
    assert len(values) >= 5
    for v in values:
        assert v.lower() not in text and v.lower().replace(" ", "") not in compact, v
    assert not re.search(r"entries/[\w.-]+\.md:\d+", compact)


def test_landscape_pages_hold_the_matrices(pdfs):
    from pypdf import PdfReader
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height)))
             for p in PdfReader(io.BytesIO(pdfs[0][0])).pages}
    assert (595, 842) in sizes and (842, 595) in sizes


def test_without_weasyprint_export_says_why_and_writes_nothing(example_source, tmp_path):
    """Simulate the import failure (as when Pango is missing) in a child process running the real CLI."""
    code = ("import builtins, sys\n"
            "real = builtins.__import__\n"
            "def fake(name, *a, **k):\n"
            "    if name == 'weasyprint' or name.startswith('weasyprint.'):\n"
            "        raise OSError(\"cannot load library 'libpango-1.0-0'\")\n"
            "    return real(name, *a, **k)\n"
            "builtins.__import__ = fake\n"
            "from generator.cli import main\n"
            f"sys.exit(main(['export', '--pdf', '--source', {str(example_source)!r}, '--out', {str(tmp_path / 'x')!r},"
            f" '--as-of', {AS_OF!r}]))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert "WeasyPrint" in proc.stderr and "libpango" in proc.stderr and "make setup" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").iterdir())
