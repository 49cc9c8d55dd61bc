"""Which Jinja environment renders: the sandbox whenever a learner's template is in the theme stack; with the
shipped templates alone, ShippedTheme — compiled without the sandbox's call checks, with the same attribute
rule — and the same bytes either way."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import jinja2
import pytest
from jinja2.sandbox import SecurityError, unsafe

from generator import pipeline
from generator.render import environment as envs
from generator.render import parallel
from generator.render.environment import DEFAULT_THEME, ShippedTheme, ThemeSandbox, environment, theme_dirs

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
AS_OF = dt.date(2026, 4, 30)


class Model:
    """What theme_dirs reads of a model."""

    def __init__(self, root: Path, theme: str | None = None):
        self.root, self.site = root, ({"theme": theme} if theme else {})


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def test_the_shipped_templates_alone_get_shipped_theme(tmp_path):
    env = environment(theme_dirs(Model(tmp_path)))
    assert type(env) is ShippedTheme and not env.sandboxed
    # a portfolio theme folder that overrides assets only holds no template: still the shipped ones alone
    write(tmp_path / "themes" / "default" / "static" / "style.css", "body { color: black }\n")
    assert type(environment(theme_dirs(Model(tmp_path)))) is ShippedTheme


@pytest.mark.parametrize("where", ["themes/default/templates", "mine/templates", "mine/templates/caseload"])
def test_a_learner_template_anywhere_in_the_stack_gets_the_sandbox(tmp_path, where):
    write(tmp_path / where / "diary-row.html", "{{ record.title }}\n")
    env = environment(theme_dirs(Model(tmp_path, "mine")))
    assert type(env) is ThemeSandbox and env.sandboxed
    # its calls are checked: a callable marked unsafe is refused (ShippedTheme's compiled code would call it)
    template = env.from_string("{{ f() }}")
    with pytest.raises(SecurityError):
        template.render(f=unsafe(lambda: "called"))


def test_a_template_from_a_string_is_sandboxed_even_beside_the_shipped_templates(tmp_path):
    env = environment(theme_dirs(Model(tmp_path)))
    assert type(env) is ShippedTheme
    with pytest.raises(SecurityError):
        env.from_string("{{ f() }}").render(f=unsafe(lambda: "called"))


class Record:
    PRIVATE = frozenset({"file"})

    def __init__(self):
        self.file, self.title, self._name = "entries/jo-bloggs.md", "A title", "Jo Bloggs"


@pytest.mark.parametrize("expression", [
    "{{ r.file }}", "{{ r['file'] }}", "{{ r|attr('file') }}", "{{ [r]|map(attribute='file')|join }}",
    "{{ r._name }}", "{{ r.__dict__ }}", "{{ r.__class__.__init__.__globals__ }}",
    "{{ '{0.file}'.format(r) }}", "{{ '{x._name}'.format_map({'x': r}) }}",
])
def test_shipped_theme_keeps_the_attribute_rule(expression):
    """ShippedTheme drops the sandbox's call checks only: a private attribute, an underscore or a Python
    internal is refused however a shipped template would read it (tests/test_theme_reach.py reaches for
    the real model's secrets through the learner's environment)."""
    env = envs._make([DEFAULT_THEME], sandboxed=False)
    env.loader = jinja2.DictLoader({"reach.html": expression})
    assert type(env) is ShippedTheme and not env.sandboxed
    try:
        out = env.get_template("reach.html").render(r=Record())
    except (jinja2.UndefinedError, SecurityError):
        return
    assert "jo" not in out.lower(), out


def test_shipped_theme_and_the_sandbox_build_the_same_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    src = tmp_path / "p"
    shutil.copytree(EXAMPLE, src)
    made = []
    real = envs._make

    def noted(dirs, sandboxed=None):
        env = real(dirs, sandboxed)
        made.append(type(env))
        return env
    monkeypatch.setattr(envs, "_make", noted)
    sites = {}
    for sandboxed in (False, True):
        monkeypatch.setattr(envs, "shipped_only", lambda dirs, shipped=not sandboxed: shipped)
        envs._ENVIRONMENTS.clear()
        out = tmp_path / f"site-{sandboxed}"
        assert pipeline.build(src, out, AS_OF).published
        sites[sandboxed] = tree(out)
    envs._ENVIRONMENTS.clear()
    assert made == [ShippedTheme, ThemeSandbox]
    assert sites[False] == sites[True]
