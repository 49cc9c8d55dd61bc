"""What a command's target names: `export --out X.zip` is the archive itself; `erase` of an id that is no
contact is an error that changes nothing (issue 13). Each through the real CLI, on real folders."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from generator.cli import main
from test_privacy_erase import portfolio

FIXTURE = Path(__file__).parent / "fixtures" / "authoring"


@pytest.fixture
def src(tmp_path):
    root = tmp_path / "p"
    shutil.copytree(FIXTURE, root)
    return root


def export(src, out) -> int:
    return main(["export", "--source", str(src), "--out", str(out), "--as-of", "2026-03-15", "--no-cache"])


def files(root: Path) -> dict:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_export_to_a_zip_path_writes_that_archive(src, tmp_path, capsys):
    target = tmp_path / "dist" / "exp.zip"
    assert export(src, target) == 0
    assert target.is_file() and zipfile.is_zipfile(target)
    with zipfile.ZipFile(target) as zf:
        assert {"matrix.csv", "portfolio.json", "site/index.html"} <= set(zf.namelist())
    assert sorted(p.name for p in target.parent.iterdir()) == ["exp.zip"]    # the one file asked for
    assert f"exported {target}" in capsys.readouterr().err
    first = target.read_bytes()
    assert export(src, target) == 0 and target.read_bytes() == first        # its own archive: replaced


def test_a_folder_stays_a_folder(src, tmp_path):
    folder = tmp_path / "out"
    assert export(src, folder) == 0
    assert sorted(p.suffix for p in folder.iterdir()) == [".csv", ".zip"]
    named = tmp_path / "old.zip"     # an existing folder that happens to end in .zip is still a folder
    named.mkdir()
    assert export(src, named) == 0 and named.is_dir() and any(named.glob("portfolio-*.zip"))


@pytest.mark.parametrize("where", ["file", "record"])
def test_a_zip_path_never_replaces_what_export_did_not_write(src, tmp_path, capsys, where):
    target = tmp_path / "mine.zip" if where == "file" else src / "evidence" / "x.zip"
    if where == "file":
        target.write_bytes(b"my own archive")
    before = files(tmp_path)
    assert export(src, target) == 2
    err = capsys.readouterr().err
    assert "refusing to write the archive" in err and "Traceback" not in err
    assert files(tmp_path) == before


def test_erase_of_no_such_contact_is_an_error_and_writes_nothing(tmp_path, capsys):
    src = portfolio(tmp_path)
    before = files(src)
    assert main(["erase", "priya-sha", "--source", str(src)]) == 2
    err = capsys.readouterr().err
    assert "no contact 'priya-sha' to erase" in err and "did you mean priya-shah?" in err
    assert files(src) == before


def test_erase_of_a_contact_and_again_still_succeeds(tmp_path, capsys):
    src = portfolio(tmp_path)
    assert main(["erase", "priya-shah", "--source", str(src)]) == 0
    assert main(["erase", "priya-shah", "--source", str(src)]) == 0     # a repeat, known from erased.yaml
    assert "erased before" in capsys.readouterr().out
    assert main(["erase", "nobody-here", "--source", str(src)]) == 2   # while another id is still unknown
