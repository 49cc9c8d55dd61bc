"""What a theme template can reach: never a contact's channel values or an unconsented real name.

A learner's theme may override any template, so the guarantee cannot rest on the default templates
behaving: the objects templates are given hold no raw record data (`source` is positions only),
no real name (the redactor is kept out of the model), and the sandbox refuses private attributes
(record file names, private ids) and Python internals. The secrets are read from the contact files
themselves (site_helpers.contact_secrets), not from the generator.
"""
from __future__ import annotations

import shutil
import subprocess
import sys

import jinja2
import pytest
import yaml

from conftest import AS_OF, FIXTURES, site_fixture_without_leaks
from generator import pipeline
from generator.render.data import SiteData
from generator.render.environment import environment, theme_dirs
from generator.render.site import template_context
from site_helpers import contact_secrets, leaks

# expressions a theme author (or a careless copy from an old theme) might write
REACHES = [
    "{{ c.source.data.channels.email }}",          # the two lines: raw YAML through the record
    "{{ c.source.data.name }}",
    "{{ c.name }}", "{{ c.id }}", "{{ c.file }}", "{{ c.source }}", "{{ c.source.file }}",
    "{{ c }}", "{{ c.__dict__ }}", "{{ c._name }}",
    "{{ model.redactor.full }}", "{{ model.source.data }}", "{{ model }}",
    "{{ site.model.contacts }}", "{{ site._redactor }}", "{{ site.__dict__ }}",
    "{{ c.__class__.__init__.__globals__ }}", "{{ c.__init__.__globals__['redact_model'] }}",
    "{{ site.body.__func__.__globals__ }}", "{{ analysis.facts.model.contacts }}",
    "{% for e in c.entries %}{{ e.id }} {{ e.file }} {{ e.source.data }} {{ e }}{% endfor %}",
    "{% for e in model.entries %}{% for a in e.attachments %}{{ a.path }} {{ a }}{% endfor %}{% endfor %}",
    "{{ c.entries[0].contacts }}", "{{ c.introduced_by }}",
]


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    src = tmp_path_factory.mktemp("reach") / "portfolio"
    shutil.copytree(FIXTURES / "site", src)
    result = pipeline.check(src, AS_OF)     # the fixture's deliberate leaks (LEAKS.md) are errors: the
    assert result.model is not None         # model is built all the same, which is what templates get
    return src, result


def test_the_secrets_are_there_to_find(checked):
    src, result = checked
    secrets = contact_secrets(src)
    assert "zara.secret@quill.example.org" in secrets and "Zara Quill" in secrets
    assert any(not c.published for c in result.model.contacts)


@pytest.mark.parametrize("expression", REACHES)
def test_a_template_cannot_print_a_channel_or_a_hidden_name(checked, expression):
    src, result = checked
    model = result.model
    site = SiteData(model, result.diagnostics, result.analysis, AS_OF, result.redactor)
    env = environment(theme_dirs(model))
    secrets = [s.lower() for s in contact_secrets(src)]
    for c in model.contacts:
        try:
            out = env.from_string(expression).render(**template_context(model, site, result.analysis, AS_OF),
                                                      c=c, contact=c)
        except (jinja2.UndefinedError, jinja2.exceptions.SecurityError):
            continue   # refused: the template fails, and a failed build publishes nothing
        assert [s for s in secrets if s in out.lower()] == [], (expression, c.display_name)


def test_a_theme_printing_raw_channels_fails_the_build_without_a_traceback_or_a_leak(tmp_path):
    src = site_fixture_without_leaks(tmp_path / "portfolio")
    data = yaml.safe_load((src / "portfolio.yaml").read_text("utf-8"))
    data["site"]["theme"] = "mytheme"
    (src / "portfolio.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    templates = src / "mytheme" / "templates"
    templates.mkdir(parents=True)
    (templates / "contact.html").write_text(
        '{% extends "base.html" %}{% block content %}{% set c = contact %}'
        "<p>{{ c.source.data.channels.email }}</p><p>{{ c.source.data.name }}</p>{% endblock %}\n", "utf-8")
    out = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "generator", "build", "--source", str(src), "--out", str(out),
                        "--as-of", AS_OF.isoformat(), "--no-cache"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "contact.html" in r.stderr                        # the diagnostic names the template
    assert not out.exists() or leaks(out, contact_secrets(src)) == []


def test_a_theme_printing_whole_objects_builds_and_leaks_nothing(tmp_path):
    """`{{ c }}` and `{{ e }}` print the objects' repr: without private ids, file names or real names."""
    src = site_fixture_without_leaks(tmp_path / "portfolio")
    data = yaml.safe_load((src / "portfolio.yaml").read_text("utf-8"))
    data["site"]["theme"] = "mytheme"
    (src / "portfolio.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    templates = src / "mytheme" / "templates"
    templates.mkdir(parents=True)
    (templates / "contact.html").write_text(
        '{% extends "base.html" %}{% block content %}{% set c = contact %}<pre>{{ c }}</pre>'
        "{% for e in c.entries %}<pre>{{ e }}</pre>{% endfor %}{% if c.id or c.source %}LEAK{% endif %}"
        "{% endblock %}\n", "utf-8")
    out = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "generator", "build", "--source", str(src), "--out", str(out),
                        "--as-of", AS_OF.isoformat(), "--no-cache"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    pages = sorted((out / "contacts").glob("*.html"))
    assert pages and all("<pre>" in p.read_text("utf-8") and "LEAK" not in p.read_text("utf-8") for p in pages)
    assert leaks(out, contact_secrets(src)) == []
