"""A front-matter edit is local (issue 14 item 1): an entry's title, date, kind or links are not in the key of
every page, only of the pages that show the entry (its own, its contacts', units' and criteria's pages, and the
pages that show every entry); each of those joins the other entries' stored fragments. With a learner's own
template in the theme, every page's key holds every entry's index facts again (a template may show any).

The expected pages are read from the records (the edited entry's front matter), not from the page list."""
from __future__ import annotations

import datetime as dt
import random
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from generator import pipeline
from generator.cache import Cache
from generator.render import fragments, parallel, site

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
AS_OF = dt.date(2026, 4, 30)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def same(got: dict, want: dict) -> bool:
    """The two sites are byte-identical (else the paths that differ, not pytest's diff of every file)."""
    differ = sorted(p for p in set(got) | set(want) if got.get(p) != want.get(p))
    assert not differ, differ
    return True


def front(path: Path) -> tuple[dict, str]:
    _, head, body = path.read_text("utf-8").split("---\n", 2)
    return yaml.safe_load(head), body


def write_front(path: Path, data: dict, body: str) -> None:
    path.write_text("---\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True) + "---\n" + body, "utf-8")


def judged(src: Path) -> set[str]:
    """Entry files an assessor's decision judges (editing one makes the decision stale where it is shown)."""
    return {m for f in (src / "assessments").rglob("*.yaml") for m in re.findall(r"entries/[\w.-]+\.md", f.read_text())}


@pytest.fixture
def src(tmp_path):
    root = tmp_path / "p"
    shutil.copytree(EXAMPLE, root)
    return root


def build(src: Path, out: Path, cache: bool = True) -> pipeline.Result:
    fragments.RENDERED.clear()
    site.RENDERED.clear()
    result = pipeline.build(src, out, AS_OF, cache=Cache(src / ".cache" / "portfolio") if cache else None)
    assert result.published, result.errors
    return result


def clean(src: Path, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    build(src, out, cache=False)
    return tree(out)


# -- cached == clean over random front-matter edits of a full portfolio ------------------------------------

def _toggle(items: list, value) -> list:
    if value in items:
        return [x for x in items if x != value] if len(items) > 1 else items
    return items + [value]


def _criteria_refs(src: Path, data: dict) -> list[str]:
    refs = sorted({r for f in (src / "entries").glob("*.md") for r in front(f)[0].get("criteria") or []})
    assert len({r.split(":")[0] for r in refs}) > 3   # several units: a unit's facts are not every unit's
    return refs


def _unpin(data, src, rng):
    data.pop("ref", None)   # numbered among the other unpinned entries, by date (evidence_refs.assign)


EDITS = {
    "title": lambda d, src, rng: d.update(title=f"Retitled {rng.randrange(10**6)}"),
    "date": lambda d, src, rng: d.update(date=dt.date(2026, rng.randint(1, 3), rng.randint(1, 28))),
    "kind": lambda d, src, rng: d.update(kind=rng.choice(["meeting", "event", "call", "reflection", "online"])),
    "methods": lambda d, src, rng: d.update(methods=_toggle(d.get("methods") or [], rng.choice(["phone", "video"]))),
    "contacts": lambda d, src, rng: d.update(contacts=_toggle(d.get("contacts") or [], rng.choice(
        sorted(p.stem for p in (src / "contacts").glob("*.yaml"))))),
    "criteria": lambda d, src, rng: d.update(criteria=_toggle(d.get("criteria") or [], rng.choice(
        _criteria_refs(src, d)))),
    "unpin": _unpin,
}


def _add_entry(src: Path, rng: random.Random, n: int) -> None:
    contacts = sorted(p.stem for p in (src / "contacts").glob("*.yaml"))
    refs = _criteria_refs(src, {})
    data = {"title": f"Added {n}", "date": dt.date(2026, 2, rng.randint(1, 28)), "kind": "meeting",
            "methods": ["phone"], "contacts": [rng.choice(contacts)], "criteria": rng.sample(refs, 2)}
    write_front(src / "entries" / f"2026-02-01-added-{n}.md", data, f"What happened, {n}.\n")


@pytest.mark.parametrize("seed", [1, 2])
def test_front_matter_edits_of_a_full_portfolio_equal_a_clean_build(src, tmp_path, seed):
    rng = random.Random(seed)
    inc, out = tmp_path / "site", tmp_path / "clean"
    for f in sorted((src / "entries").glob("*.md"))[::3]:   # a third unpinned: their references are derived
        data, body = front(f)
        data.pop("ref", None)
        write_front(f, data, body)
    build(src, inc)
    done = []
    for step in range(6):
        if rng.random() < 0.2:
            _add_entry(src, rng, step)
            done.append("add")
        else:
            entries = sorted((src / "entries").glob("*.md"))
            f = rng.choice([e for e in entries if f"entries/{e.name}" not in judged(src)] or entries)
            data, body = front(f)
            for name in rng.sample(sorted(EDITS), rng.randint(1, 2)):
                EDITS[name](data, src, rng)
                done.append(f"{name} {f.name}")
            write_front(f, data, body)
        build(src, inc)
        got, want = tree(inc), clean(src, out)
        differ = sorted(p for p in set(got) | set(want) if got.get(p) != want.get(p))
        assert not differ, f"cached build differs in {differ} after {done}"


# -- what a title edit renders ------------------------------------------------------------------------------

def _an_unjudged_entry(src: Path) -> Path:
    busy = judged(src)
    return next(f for f in sorted((src / "entries").glob("*.md"))[5:]
                if f"entries/{f.name}" not in busy and front(f)[0].get("contacts") and front(f)[0].get("criteria"))


def _retitled(src: Path, out: Path) -> tuple[int, Path, dict]:
    """Build, retitle an entry no decision judges, build again: (pages the first build rendered, the entry,
    its front matter)."""
    build(src, out)
    total = len(site.RENDERED)
    edited = _an_unjudged_entry(src)
    data, body = front(edited)
    data["title"] = "A title nobody had before"
    write_front(edited, data, body)
    build(src, out)
    return total, edited, data


def test_a_title_edit_renders_the_pages_that_show_the_entry_and_only_its_fragments(src, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "workers", lambda: 1)   # counts are kept per process: render in this one
    out = tmp_path / "site"
    total, edited, data = _retitled(src, out)
    rendered = set(site.RENDERED)
    slug = edited.stem
    new = tree(out)
    # which pages show the entry, read from the built site: those that link to its page
    links = {p for p, b in new.items() if f"entries/{slug}.html".encode() in b}

    def under(prefix: str, pages: set) -> set:
        return {p for p in pages if p.startswith(prefix)}
    assert under("entries/", rendered) == {f"entries/{slug}.html"}
    # its contacts' pages and nobody else's (the contacts named in its front matter)
    assert under("contacts/", rendered) == under("contacts/", links)
    assert len(under("contacts/", rendered)) == len(data["contacts"]) < len(under("contacts/", set(new)))
    # the pages of the qualification's units it evidences (their criteria are not decided from the whole
    # portfolio): the unit's page and its criteria's that list the entry, not the unit's other criteria
    for unit in {r.split(":")[0] for r in data["criteria"] if "/" in r.split(":")[0]}:
        prefix = "units/" + unit.replace("/", "-").lower()
        assert under(prefix, rendered) == under(prefix, links) != under(prefix, set(new)), unit
    assert len(rendered) < total / 5, (len(rendered), total)
    # the pages that join every entry's fragments made the edited entry's alone
    made = {rid for _, rid in fragments.RENDERED}
    assert made and all(slug in rid for rid in made), made
    assert same(tree(out), clean(src, tmp_path / "clean"))


def learner_entry_template(src: Path, shown: str) -> None:
    """A learner's own entry.html in the portfolio's themes/default: the shipped one with `shown` at the top of
    its content (a template of the learner's puts every fact it may reach in every page's key)."""
    theme = src / "themes" / "default" / "templates"
    theme.mkdir(parents=True)
    shipped = (Path(__file__).parents[1] / "themes" / "default" / "templates" / "entry.html").read_text()
    (theme / "entry.html").write_text(shipped.replace("{% block content %}", "{% block content %}" + shown, 1))


def test_with_a_learner_template_a_title_edit_renders_every_page(src, tmp_path, monkeypatch):
    """A learner's template may show any entry's title anywhere: their keys all hold every entry's."""
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    # an entry page that names the entry after it, through a contact: outside what the page's key reads
    learner_entry_template(src, "<p>Also by a contact: {% for c in entry.contacts %}"
                                "{% for e in c.entries %}{{ e.title }};{% endfor %}{% endfor %}</p>")
    out = tmp_path / "site"
    total, _, _ = _retitled(src, out)
    assert len(site.RENDERED) == total
    assert same(tree(out), clean(src, tmp_path / "clean"))


def _quiet_entry(src: Path, name: str, day: int, criterion: str | None, ref: str | None = None) -> Path:
    """An entry that adds no finding (so the counts every page's key holds stay): its criterion already has
    evidence awaiting a decision, its date is inside the registration, and its reference is the last the
    ledger issued (or, with none, it keeps as unpinned as another entry is)."""
    data = {"ref": ref, "title": name.title(), "date": dt.date(2026, 2, day), "kind": "reflection",
            "criteria": [criterion]}
    if ref is None:
        data.pop("ref")
    if criterion is None:   # (then it is one more unmapped entry: one finding more, as long as it is there)
        data.pop("criteria")
    if ref is not None:
        (src / "evidence-refs.yaml").write_text(f"last_issued: {ref}\n")
    path = src / "entries" / f"2026-02-{day:02d}-{name}.md"
    write_front(path, data, "Thinking.\n")
    return path


def findings(src: Path) -> Counter:
    return Counter((d.severity, d.rule) for d in pipeline.check(src, AS_OF).diagnostics)


def test_a_contacts_diary_page_counts_an_entry_added_without_the_contact(src, tmp_path):
    out = tmp_path / "site"
    build(src, out)
    page = next(p for p in sorted(tree(out)) if p.startswith("diary/contact"))
    count = lambda: int(re.search(rb" of (\d+) entries", tree(out)[page]).group(1))   # noqa: E731
    n = len(list((src / "entries").glob("*.md")))
    assert count() == n
    before = findings(src)
    _quiet_entry(src, "alone", 2, "J/506/1949:1.1", ref="E041")
    assert findings(src) == before    # no count every page holds moved
    build(src, out)
    assert count() == n + 1
    assert same(tree(out), clean(src, tmp_path / "clean"))


def test_an_unpinned_reference_moves_on_the_pages_of_an_entry_that_did_not_change(src, tmp_path):
    """Two unpinned entries are numbered by date: moving one after the other renumbers both."""
    # without the finding that names each unpinned entry's reference at its file (a learner may turn it off)
    portfolio = src / "portfolio.yaml"
    portfolio.write_text(portfolio.read_text().replace("\nchecks:\n", "\nchecks:\n  ignore: [missing-ref]\n", 1))
    a = _quiet_entry(src, "first-thought", 10, "J/506/1949:1.1")
    b = _quiet_entry(src, "second-thought", 11, None)   # on no other page: its own page shows its reference
    out = tmp_path / "site"
    build(src, out)
    ref_of = lambda f: re.search(rb'<span class="evref">(E\d+)</span>', tree(out)[f"entries/{f.stem}.html"]).group(1)  # noqa: E731
    before, rules = ref_of(b), findings(src)
    # the first moves after the second (its file renamed with its date, as a learner would)
    data, body = front(a)
    data["date"] = dt.date(2026, 2, 12)
    a.unlink()
    write_front(src / "entries" / "2026-02-12-first-thought.md", data, body)
    assert findings(src) == rules
    build(src, out)
    assert ref_of(b) != before
    assert same(tree(out), clean(src, tmp_path / "clean"))


def _auto_results(src: Path) -> dict:
    result = pipeline.check(src, AS_OF)
    return {c.ref: result.analysis.criterion(c).met for u in result.model.units.values() for c in u.criteria if c.auto}


def test_a_units_matrix_follows_an_automatic_result_its_rule_reads_elsewhere(src, tmp_path):
    """A matrix shows whether each criterion is evidenced: an automatically checked one's result is its rule's,
    which reads records the matrix does not (here every contact's `why`). The finding that reports an unmet
    one made the matrix's key follow it, until the learner switched that rule off."""
    portfolio = src / "portfolio.yaml"
    portfolio.write_text(portfolio.read_text().replace("\nchecks:\n", "\nchecks:\n  ignore: [unevidenced-criterion]\n", 1))
    out = tmp_path / "site"
    build(src, out)
    before = _auto_results(src)
    contact = next(p for p in sorted((src / "contacts").glob("*.yaml")) if "\nwhy: " in p.read_text())
    data = yaml.safe_load(contact.read_text())
    del data["why"]
    contact.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    flipped = {r for r, met in _auto_results(src).items() if met != before[r]}
    assert flipped   # (unjustified-contact: every contact needs a `why`)
    build(src, out)
    assert same(tree(out), clean(src, tmp_path / "clean"))


def test_a_page_that_shows_no_body_follows_what_a_rule_reads_of_one(src, tmp_path):
    """A page that showed no entry's body is keyed by the entries' front matter; an automatic criterion's
    page shows what its rule made of the bodies (no-reflection: a reflective account's stages as headings, and
    which accounts bear on it). With the rule's finding switched off, only the headings in the key follow a
    body edit that drops a stage."""
    portfolio = src / "portfolio.yaml"
    portfolio.write_text(portfolio.read_text().replace(
        "\nchecks:\n", "\nchecks:\n  ignore: [no-reflection, unevidenced-criterion]\n", 1))
    out = tmp_path / "site"
    build(src, out)
    account = next(f for f in sorted((src / "entries").glob("*.md"))
                   if front(f)[0].get("reflection") and f"entries/{f.name}" not in judged(src))
    text = account.read_text("utf-8")   # the body alone changes: the front matter keeps its bytes
    heading = re.search(r"^## (.+)$", text, re.M)
    before = findings(src)
    account.write_text(text.replace(heading.group(0), heading.group(1) + ":", 1), "utf-8")
    assert findings(src) == before   # no finding follows it
    build(src, out)
    assert same(tree(out), clean(src, tmp_path / "clean"))


def test_the_pages_that_read_every_record_follow_an_unpinned_reference_the_ledger_moves(src, tmp_path):
    """An unpinned entry is numbered after the last reference the ledger (evidence-refs.yaml) issued: the ledger
    is no record file, so a page that reads every record (the diary, print view, portfolio.json) held its
    references only through the finding that names each one (missing-ref), which a learner may switch off."""
    portfolio = src / "portfolio.yaml"
    portfolio.write_text(portfolio.read_text().replace("\nchecks:\n", "\nchecks:\n  ignore: [missing-ref]\n", 1))
    entry = _an_unjudged_entry(src)
    entry.write_text(re.sub(r"^ref: .*\n", "", entry.read_text("utf-8"), count=1, flags=re.M), "utf-8")
    out = tmp_path / "site"
    build(src, out)
    ref = lambda: re.search(rb'<span class="evref">(E\d+)</span>', tree(out)[f"entries/{entry.stem}.html"]).group(1)  # noqa: E731
    before, rules = ref(), findings(src)
    ledger = src / "evidence-refs.yaml"
    last = int(re.search(r"last_issued: E(\d+)", ledger.read_text()).group(1))
    ledger.write_text(f"last_issued: E{last + 5:03d}\n")
    assert findings(src) == rules
    build(src, out)
    assert ref() != before
    assert same(tree(out), clean(src, tmp_path / "clean"))


def test_a_judged_entry_edited_again_renders_its_own_pages_only(src, tmp_path, monkeypatch):
    """The first edit to judged evidence makes the decision stale on the pages that show it (which ones:
    tests/test_judged_edits.py); a second edit changes no decision's state (pages show whether judged evidence
    changed, never its new hash)."""
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    out = tmp_path / "site"
    build(src, out)
    total = len(site.RENDERED)
    site_now = tree(out)
    edited = next(src / f for f in sorted(judged(src))
                  if b"changed after the decision" not in site_now[f"entries/{Path(f).stem}.html"])
    page = f"entries/{edited.stem}.html"
    edited.write_text(edited.read_text("utf-8") + "\nA first afterthought.\n", "utf-8")
    build(src, out)
    assert len(site.RENDERED) < total / 10 and b"changed after the decision" in tree(out)[page]
    edited.write_text(edited.read_text("utf-8") + "\nA second afterthought.\n", "utf-8")
    build(src, out)
    assert page in site.RENDERED and len(site.RENDERED) < 10, sorted(site.RENDERED)
    assert b"A second afterthought" in tree(out)[page]
    assert same(tree(out), clean(src, tmp_path / "clean"))
