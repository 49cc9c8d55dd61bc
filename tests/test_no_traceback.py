"""No traceback, ever: every I/O and template failure is one diagnostic with the path and the fix.

Each failure the issue found is driven for real where this machine allows it (a tiny tmpfs for a
full disk, a read-only mount for a read-only parent; root can mount them) and simulated otherwise.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import errno
import http.client
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from generator.failures import Failure
from generator.serve import Server

FIXTURE = Path(__file__).parent / "fixtures" / "authoring"
REPO = Path(__file__).resolve().parents[1]
AS_OF = ["--as-of", "2026-03-15"]


def run(*args):
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


def tree(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def src(tmp_path):
    root = tmp_path / "p"
    shutil.copytree(FIXTURE, root)
    return root


def build(src: Path, out: Path) -> int:
    return main(["build", "--source", str(src), "--out", str(out), *AS_OF, "--no-cache"])


@contextlib.contextmanager
def mounted(folder: Path, options: str):
    """A tmpfs at `folder`, or pytest.skip where this machine may not mount (then the simulation runs)."""
    folder.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    if r.returncode != 0:
        pytest.skip("cannot mount a tmpfs here: the simulated test covers this case")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


# -- commands used wrongly: exit 2, one line -----------------------------------------------------

def test_export_to_an_existing_file_is_one_line(src, tmp_path):
    f = tmp_path / "taken.zip"
    f.write_bytes(b"PK")
    r = run("export", "--source", str(src), "--out", str(f), *AS_OF, "--no-cache")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert (f"refusing to write the archive to '{f}': a file of that name exists and is not an archive "
            "written by portfolio export") in r.stderr and f.read_bytes() == b"PK"


def test_serve_on_a_port_that_does_not_exist_is_one_line(src):
    r = run("serve", "--source", str(src), "--port", "99999")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "'99999' is not a port" in r.stderr


def test_serve_on_a_port_in_use_is_one_line(src):
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        r = run("serve", "--source", str(src), "--port", str(taken.getsockname()[1]), "--cache", str(src / ".c"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "cannot serve on port" in r.stderr and "--port" in r.stderr


# -- broken theme templates: the template file and line ------------------------------------------

def theme(src: Path, name: str, text: str) -> Path:
    folder = src / "themes" / "mine" / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    p = src / "portfolio.yaml"
    if "theme:" not in p.read_text():
        p.write_text(p.read_text().replace("site:\n", "site:\n  theme: themes/mine\n"))
    return folder / name


def test_a_template_syntax_error_names_the_file_and_line(src, tmp_path):
    out = tmp_path / "site"
    assert build(src, out) == 0
    before = tree(out)
    theme(src, "entry.html", '{% extends "base.html" %}\n{% block content %}\n{% if %}\n{% endblock %}\n')
    r = run("build", "--source", str(src), "--out", str(out), *AS_OF, "--no-cache")
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "themes/mine/templates/entry.html:3: error: template syntax error" in r.stderr
    assert "hint: fix the template" in r.stderr
    assert tree(out) == before                      # the previous site is whole
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".site.")] == []


def test_a_template_runtime_error_names_the_file_and_line(src, tmp_path, capsys):
    theme(src, "entry.html", '{% extends "base.html" %}\n{% block content %}\n<p>fine</p>\n'
                             '<p>{{ entry.no_such_field.deeper }}</p>\n{% endblock %}\n')
    assert build(src, tmp_path / "site") == 1
    err = capsys.readouterr().err
    assert "themes/mine/templates/entry.html:4: error: template error while rendering entries/" in err, err
    assert "no_such_field" in err and not (tmp_path / "site").exists()


def test_an_error_in_a_base_template_names_the_base(src, tmp_path, capsys):
    base = (REPO / "themes" / "default" / "templates" / "base.html").read_text().splitlines(keepends=True)
    base.insert(2, "{{ 1 + none_such }}\n")
    theme(src, "base.html", "".join(base))
    assert build(src, tmp_path / "site") == 1
    assert "themes/mine/templates/base.html:3: error: template error" in capsys.readouterr().err


def test_a_template_failure_crosses_from_a_worker_process():
    f = Failure("themes/mine/templates/entry.html", "template error while rendering x.html: boom", "fix it", line=4)
    again = pickle.loads(pickle.dumps(f))
    assert again.render() == f.render() == ("themes/mine/templates/entry.html:4: error: template error while "
                                            "rendering x.html: boom\n  hint: fix it\n")


# -- the disk: full, read-only ---------------------------------------------------------------------

def test_a_full_disk_is_one_line_and_keeps_the_previous_site(src, tmp_path, monkeypatch, capsys):
    out = tmp_path / "site"
    assert build(src, out) == 0
    before = tree(out)
    (src / "entries" / "2026-02-20-council-chat.md").write_text(
        (src / "entries" / "2026-02-20-council-chat.md").read_text() + "\nMore.\n")
    real = Path.write_bytes

    def full(self, data):
        if ".site.new-" in str(self):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    capsys.readouterr()
    assert build(src, out) == 1
    err = capsys.readouterr().err
    assert f"{out}: error: cannot write the site: the disk is full; the previous site is untouched" in err
    assert "hint: free some space" in err and "Traceback" not in err
    assert tree(out) == before and [p for p in tmp_path.iterdir() if p.name.startswith(".site.")] == []


def test_a_really_full_disk(src, tmp_path):
    with mounted(tmp_path / "disk", "size=64k") as disk:
        r = run("build", "--source", str(src), "--out", str(disk / "site"), *AS_OF, "--no-cache")
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
        assert "cannot write the site: the disk is full" in r.stderr
        assert list(disk.iterdir()) == []            # the half-written site was removed


def test_a_read_only_parent_is_one_line(src, tmp_path, monkeypatch, capsys):
    import generator.swap as swap

    def refuse(*a, **k):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(tmp_path))

    monkeypatch.setattr(swap.tempfile, "mkdtemp", refuse)
    assert build(src, tmp_path / "site") == 1
    err = capsys.readouterr().err
    assert "cannot write the site: the file system is read-only; nothing was changed" in err and "Traceback" not in err


def test_a_really_read_only_parent(src, tmp_path):
    with mounted(tmp_path / "ro", "ro,size=64k") as ro:
        r = run("build", "--source", str(src), "--out", str(ro / "site"), *AS_OF, "--no-cache")
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
        assert "read-only" in r.stderr and "--out" in r.stderr
        r = run("export", "--source", str(src), "--out", str(ro / "export"), *AS_OF, "--no-cache")
        assert r.returncode == 1 and "Traceback" not in r.stderr and "cannot write the export" in r.stderr


def test_an_unreadable_attachment_is_one_line(src, tmp_path, monkeypatch, capsys):
    real = Path.read_bytes

    def denied(self):
        if self.name == "forum-agenda.txt":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    assert build(src, tmp_path / "site") == 1
    err = capsys.readouterr().err
    assert "evidence/forum-agenda.txt: error: cannot read an attached file: Permission denied" in err


def test_an_unexpected_fault_is_one_line_unless_debugging(src, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("generator.pipeline.check", lambda *a, **k: 1 / 0)
    monkeypatch.delenv("PORTFOLIO_DEBUG", raising=False)
    assert build(src, tmp_path / "site") == 1
    assert "portfolio: internal error: ZeroDivisionError" in capsys.readouterr().err
    monkeypatch.setenv("PORTFOLIO_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        build(src, tmp_path / "site")


# -- serve: hostile request paths ------------------------------------------------------------------

HOSTILE = ["/index.html%00.txt", "/%00", "/..%2f..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/etc/passwd",
           "/entries/%2e%2e/%2e%2e/portfolio.yaml", "/..\\..\\etc\\passwd", "/index.html%0d%0aX-Injected:%201",
           "//etc/passwd", "/assets/../../portfolio.yaml"]


def test_serve_answers_hostile_paths_without_a_traceback(src, capfd):
    server = Server(src, port=0, as_of=dt.date(2026, 3, 15), quiet=True).start()
    try:
        answers = {}
        for path in HOSTILE + ["/index.html"]:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            conn.putrequest("GET", path, skip_accept_encoding=True)
            conn.endheaders()
            resp = conn.getresponse()
            body = resp.read()
            answers[path] = resp.status
            assert b"root:" not in body and b"learner:" not in body     # nothing outside the site
            conn.close()
    finally:
        server.stop()
    assert answers.pop("/index.html") == 200
    assert all(status in (400, 404) for status in answers.values()), answers
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Error" not in err, err


# Every field of an entry's front matter and of a contact, one at a time, given a value of the wrong shape
# (a number where text or a list belongs, a mapping where a list belongs): the check reports it as a
# finding and exits 1, never an internal error (the personal-data scan once iterated `attachments: 5`).
WRONG = (5, {"x": [1]})


def _fields(path: Path) -> list[str]:
    import yaml
    text = path.read_text("utf-8")
    data = yaml.safe_load(text.split("---\n")[1] if path.suffix == ".md" else text)
    return sorted(data)


def _with(path: Path, field: str, value) -> None:
    import yaml
    text = path.read_text("utf-8")
    if path.suffix == ".md":
        _, head, body = text.split("---\n", 2)
        data = yaml.safe_load(head)
        data[field] = value
        path.write_text("---\n" + yaml.safe_dump(data, sort_keys=False) + "---\n" + body, "utf-8")
    else:
        data = yaml.safe_load(text)
        data[field] = value
        path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")


@pytest.mark.parametrize("record", ["entries/2026-02-03-first-forum.md", "contacts/alex-morgan.yaml"])
def test_a_field_of_the_wrong_shape_is_a_finding_not_a_traceback(record, tmp_path, capsys):
    fields = _fields(FIXTURE / record)
    assert "attachments" in fields or record.startswith("contacts")
    for field in fields:
        for value in WRONG:
            root = tmp_path / f"{field}-{type(value).__name__}"
            shutil.copytree(FIXTURE, root)
            _with(root / record, field, value)
            status = main(["check", "--source", str(root), *AS_OF, "--no-cache"])
            out, err = capsys.readouterr()
            assert "internal error" not in err, (record, field, value, err)
            assert status == 1 and "error[" in out + err, (record, field, value, out, err)


@pytest.mark.parametrize("shape", [{"skype": "alexm.rota42"}, ["alexm.rota42"], "alexm.rota42",
                                   {"work": ["alexm.rota42"]}])
def test_channels_of_the_wrong_shape_are_still_sought(shape, src, capsys):
    """Privacy fails closed: `channels` written as a list, a lone value or nested is a schema error, and
    its values are still personal data wherever they appear (a handle: only the contact's record makes it
    personal data; the first shape is the valid one, as the control)."""
    _with(src / "contacts/alex-morgan.yaml", "channels", shape)
    entry = src / "entries/2026-02-20-council-chat.md"
    entry.write_text(entry.read_text("utf-8") + "\nAsk alexm.rota42 about it.\n", "utf-8")
    status = main(["check", "--source", str(src), *AS_OF, "--no-cache"])
    out, err = capsys.readouterr()
    assert status == 1 and "internal error" not in err
    assert "2026-02-20-council-chat.md" in out and "error[personal-data]" in out, out
