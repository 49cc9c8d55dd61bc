"""Messages a learner meets first: a tab in YAML, a port in use, a usage error's exit status."""
from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from factory import write_portfolio

AS_OF = ["--as-of", "2026-09-30", "--no-cache"]


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("path, text, line, col", [
    # a key indented with a tab: PyYAML says "found character '\t' that cannot start any token"
    ("portfolio.yaml", "learner:\n\tname: Sam\nqualification: {framework: test-qual, units: []}\n", 2, 1),
    # spaces then a tab: "found a tab character that violates indentation"
    ("contacts/priya-shah.yaml", "name: Priya Shah\nmet:\n  date: 2026-09-01\n  \thow: breakfast\n", 4, 3),
    # inside an entry's front matter: the file's own line, not the front matter's
    ("entries/2026-09-10-breakfast.md", "---\ntitle: Breakfast\ndate: 2026-09-10\n\tkind: meeting\n---\nBody.\n", 4, 1),
])
def test_a_tab_in_the_indentation_is_named_at_its_position(tmp_path, path, text, line, col):
    write_portfolio(tmp_path, {path: text})
    r = run("check", "--source", str(tmp_path), *AS_OF)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert f"{path}:{line}:{col}: error[yaml-syntax]: tab character: YAML indents with spaces" in r.stdout


def test_tabs_that_are_not_indentation_are_left_to_yaml(tmp_path):
    # a tab inside a quoted value or after a key's colon is valid YAML: no error at all
    contact = "name: Priya Shah\nrole:\t'Head\tof Talent'\nconsent: {basis: consent, recorded: 2026-09-01}\n"
    write_portfolio(tmp_path, {"contacts/priya-shah.yaml": contact})
    r = run("check", "--source", str(tmp_path), *AS_OF)
    assert "yaml-syntax" not in r.stdout and r.returncode == 0


def test_a_port_in_use_says_how_to_choose_another_with_make(tmp_path):
    write_portfolio(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = run("serve", "--source", str(tmp_path), "--port", str(port), "--cache", str(tmp_path / ".c"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"cannot serve on port {port}" in r.stderr and 'make serve ARGS="--port N"' in r.stderr


def test_new_for_an_existing_file_is_a_usage_error(tmp_path):
    write_portfolio(tmp_path)
    before = (tmp_path / "contacts" / "priya-shah.yaml").read_bytes()
    r = run("new", "contact", "Priya Shah", "--source", str(tmp_path))
    assert r.returncode == 2 and "already exists" in r.stderr
    assert (tmp_path / "contacts" / "priya-shah.yaml").read_bytes() == before
