"""`--out` never replaces what the tool did not write, and the swap into place always leaves a whole site."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from factory import write_portfolio
from generator import swap
from generator.cli import main
from generator.outdir import MARKER, UnsafeOutput, check_output
from generator.write import PublishRefused, publish

AS_OF = ["--as-of", "2026-09-30"]
REPO = Path(__file__).resolve().parents[1]


def tree(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def src(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    write_portfolio(root)
    return root


def build(src: Path, out: Path) -> int:
    return main(["build", "--source", str(src), "--out", str(out), *AS_OF, "--no-cache"])


# -- folders that are refused ------------------------------------------------------------------

def test_a_users_folder_with_files_is_refused_and_kept(src, tmp_path, capsys):
    mine = tmp_path / "Documents"
    (mine / "sub").mkdir(parents=True)
    (mine / "thesis.docx").write_bytes(b"years of work")
    (mine / "sub" / "notes.txt").write_text("notes")
    before = tree(mine)
    assert build(src, mine) == 2
    err = capsys.readouterr().err
    assert "refusing to write to" in err and "not written by this tool" in err and MARKER in err
    assert "choose a new or empty folder" in err and "Traceback" not in err
    assert tree(mine) == before


def test_a_git_repository_is_refused(src, capsys):
    subprocess.run(["git", "init", "-q", str(src)], check=True)
    before = tree(src / ".git")
    for target in (src / ".git", src / ".git" / "objects", src / ".git" / "new-folder"):
        assert build(src, target) == 2
        assert "git repository" in capsys.readouterr().err
    assert tree(src / ".git") == before and not (src / ".git" / "new-folder").exists()


def test_portfolio_yaml_is_refused_and_stays_a_file(src, capsys):
    before = (src / "portfolio.yaml").read_bytes()
    assert build(src, src / "portfolio.yaml") == 2
    assert "portfolio.yaml" in capsys.readouterr().err
    assert (src / "portfolio.yaml").is_file() and (src / "portfolio.yaml").read_bytes() == before


def test_a_file_is_refused(src, tmp_path, capsys):
    f = tmp_path / "report.pdf"
    f.write_bytes(b"%PDF")
    assert build(src, f) == 2
    assert "is a file" in capsys.readouterr().err and f.read_bytes() == b"%PDF"


@pytest.mark.parametrize("rel", [".", "..", "entries", "contacts/x", "evidence", "criteria", "assessments/new",
                                 "iqa", "themes/default", "entries/../contacts"])
def test_record_folders_their_insides_and_their_parents_are_refused(src, rel):
    with pytest.raises(UnsafeOutput, match="record folder"):
        check_output(src / rel, src)


@pytest.mark.parametrize("path", ["/", "/dev", "/dev/shm/site", "/proc/self", "/sys/x", "/etc", "/etc/site", "/usr",
                                  "/usr/local/share/site", "/boot/x", "/var", "/home", "/tmp", "~"])
def test_system_and_home_folders_are_refused(src, path):
    with pytest.raises(UnsafeOutput):
        check_output(Path(path).expanduser(), src)


@pytest.mark.parametrize("rel", ["site", "public/site", "../published", "../elsewhere/deep/site"])
def test_new_folders_beside_or_inside_the_portfolio_are_accepted(src, rel):
    assert check_output(src / rel, src) == (src / rel).resolve()


def test_an_empty_folder_and_the_tools_own_site_are_accepted(src, tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    assert build(src, out) == 0
    assert (out / MARKER).is_file() and (out / "index.html").is_file()
    (out / "index.html").write_text("edited by hand")
    assert build(src, out) == 0                      # ours: a file it wrote is replaced, whatever it now holds
    assert "edited by hand" not in (out / "index.html").read_text()


def test_a_file_someone_put_into_the_site_stops_the_build_and_stays(src, tmp_path, capsys):
    out = tmp_path / "site"
    assert build(src, out) == 0
    (out / "CNAME").write_text("portfolio.example.org\n")
    (out / "entries" / "notes.txt").write_text("mine")
    before = tree(out)
    assert build(src, out) == 2
    err = capsys.readouterr().err
    assert "2 file(s) this tool did not write: CNAME, entries/notes.txt" in err and "static/" in err
    assert "Traceback" not in err and tree(out) == before
    (out / "CNAME").unlink()
    (out / "entries" / "notes.txt").unlink()
    assert build(src, out) == 0


def test_a_marker_the_tool_did_not_write_is_not_trusted(src, tmp_path, capsys):
    out = tmp_path / "site"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"years of work")
    for text in (b"", b"anything\n"):
        (out / MARKER).write_bytes(text)
        assert build(src, out) == 2
        assert "not written by this tool" in capsys.readouterr().err
        assert (out / "thesis.docx").read_bytes() == b"years of work"


def test_the_marker_lists_exactly_the_files_published(src, tmp_path):
    out = tmp_path / "site"
    assert build(src, out) == 0
    lines = (out / MARKER).read_text("utf-8").splitlines()
    listed = lines[lines.index("The files it wrote:") + 1:]
    assert listed == sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != MARKER)


def test_a_site_published_before_the_marker_is_still_replaced(src, tmp_path):
    out = tmp_path / "site"
    assert build(src, out) == 0
    (out / MARKER).unlink()
    assert build(src, out) == 0 and (out / MARKER).is_file()
    # the marker of earlier versions (no list of files) is still the tool's own
    from generator.outdir import LEGACY_MARKER
    (out / MARKER).write_bytes(LEGACY_MARKER)
    (out / "old-page.html").write_text("from an earlier version")
    assert build(src, out) == 0 and not (out / "old-page.html").exists()
    (out / MARKER).unlink()
    (out / "portfolio.json").write_text('{"someone": "else"}')
    with pytest.raises(UnsafeOutput):
        check_output(out, src)


def test_export_refuses_a_file_and_git_but_writes_into_an_existing_folder(src, tmp_path, capsys):
    f = tmp_path / "taken"
    f.write_text("x")
    assert main(["export", "--source", str(src), "--out", str(f), *AS_OF, "--no-cache"]) == 2
    assert "is a file" in capsys.readouterr().err and f.read_text() == "x"
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    (shelf / "other.txt").write_text("kept")
    assert main(["export", "--source", str(src), "--out", str(shelf), *AS_OF, "--no-cache"]) == 0
    assert (shelf / "other.txt").read_text() == "kept" and list(shelf.glob("*.zip"))


# -- the swap ------------------------------------------------------------------------------------

def test_the_exchange_is_atomic_where_the_system_has_one(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "f").write_text("A")
    (b / "f").write_text("B")
    if not swap.exchange(a, b):
        pytest.skip("no atomic exchange on this system or file system")
    assert (a / "f").read_text() == "B" and (b / "f").read_text() == "A"


def test_without_an_exchange_two_renames_still_publish(src, tmp_path, monkeypatch):
    monkeypatch.setattr(swap, "exchange", lambda a, b: False)
    out = tmp_path / "site"
    assert build(src, out) == 0
    first = tree(out)
    (src / "entries" / "2026-09-10-breakfast.md").write_text(
        (src / "entries" / "2026-09-10-breakfast.md").read_text() + "\nAnother paragraph.\n")
    assert build(src, out) == 0
    assert tree(out) != first and b"Another paragraph" in b"".join(tree(out).values())
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.")] == []


CRASH = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {tests!r})
    from generator import swap
    calls = []
    def rename(a, b):
        calls.append((a, b))
        if len(calls) == {step}:
            os._exit(9)          # killed: no handler runs, nothing is cleaned up
        os.rename(a, b)
    swap._rename = rename
    swap.exchange = lambda a, b: False
    from generator.cli import main
    main(["build", "--source", {src!r}, "--out", {out!r}, "--as-of", "2026-09-30", "--no-cache"])
""")


@pytest.mark.parametrize("step", [1, 2])
def test_a_crash_between_the_two_renames_is_recovered_at_the_next_run(src, tmp_path, step):
    out = tmp_path / "site"
    assert build(src, out) == 0
    old = tree(out)
    entry = src / "entries" / "2026-09-10-breakfast.md"
    entry.write_text(entry.read_text() + "\nWritten just before the crash.\n")
    script = CRASH.format(tests=str(Path(__file__).parent), step=step, src=str(src), out=str(out))
    r = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 9, r.stderr
    leftovers = sorted(p.name.split("-")[0] for p in tmp_path.iterdir() if p.name.startswith(".site."))
    if step == 1:
        assert tree(out) == old and leftovers == [".site.ready"]   # killed before the old site moved
    else:
        assert not out.exists() and leftovers == [".site.old", ".site.ready"]   # the state the issue found
    # the next run finds a whole site in place (killed at the second rename: the new one, which was
    # complete) and removes the rest, even before it builds
    swap.recover(out)
    assert (out / MARKER).is_file()
    assert (b"Written just before the crash" in b"".join(tree(out).values())) == (step == 2)
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".site.")] == []
    assert build(src, out) == 0


def test_recover_puts_the_old_site_back_when_no_new_one_is_whole(tmp_path):
    out = tmp_path / "site"
    old = tmp_path / ".site.old-999999999-abcd1234"
    old.mkdir()
    (old / "index.html").write_text("previous")
    half = tmp_path / ".site.new-999999999-efgh5678"
    half.mkdir()
    (half / "index.html").write_text("half written")
    swap.recover(out)
    assert (out / "index.html").read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_killed_builds_leftovers_are_removed_at_the_next_publish(src, tmp_path):
    out = tmp_path / "site"
    dead = tmp_path / ".site.new-999999999-k1ll3d00"      # no such process
    legacy = tmp_path / ".site.new-a1b2c3d4"               # named before pids were recorded
    running = tmp_path / f".site.new-{os.getppid()}-l1v3l1v3"   # a live process's build: not ours to touch
    other = tmp_path / ".other.new-999999999-abcdabcd"     # another output's folder
    for d in (dead, legacy, running, other):
        (d / "assets").mkdir(parents=True)
        (d / "assets" / "x.css").write_text("x")
    assert build(src, out) == 0
    assert not dead.exists() and not legacy.exists()
    assert running.exists() and other.exists()


def test_a_refusal_by_the_last_look_keeps_the_previous_site(src, tmp_path):
    out = tmp_path / "site"
    assert build(src, out) == 0
    before = tree(out)
    seen = []

    def inspect(folder):
        seen.append(sorted(p.name for p in folder.iterdir()))
        return ["a problem"]

    with pytest.raises(PublishRefused) as refused:
        publish({"index.html": b"<p>new</p>"}, {}, out, src, inspect=inspect)
    assert refused.value.problems == ["a problem"] and seen == [[MARKER, "index.html"]]
    assert tree(out) == before
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".site.")] == []
