"""`serve`'s in-memory session (generator/live.py): after any sequence of edits applied as deltas, the
served folder is byte-identical to a clean `portfolio build` of the same records."""
from __future__ import annotations

import datetime as dt
import random
import re
import shutil
from pathlib import Path

import pytest

from generator import pipeline
from generator.cache import Cache
from generator.live import Live
from test_incremental import FIELD_EDITS, FIXTURE, MENTION, _front, tree

AS_OF = dt.date(2026, 3, 15)


@pytest.fixture
def src(tmp_path):
    root = tmp_path / "p"
    shutil.copytree(FIXTURE, root)
    return root


def session(src: Path) -> Live:
    folder = src / ".cache" / "portfolio"
    return Live(src, folder / "serve", Cache(folder))


def clean(src: Path, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    result = pipeline.build(src, out, AS_OF)   # no cache: a clean build
    assert result.published, [str(d) for d in result.errors]
    return tree(out)


def same(live: Live, src: Path, tmp_path: Path, done) -> None:
    got, want = tree(live.out), clean(src, tmp_path / "clean")
    differ = sorted(p for p in set(got) | set(want) if got.get(p) != want.get(p))
    assert not differ, f"served folder differs in {differ} after edits {done}"


def save_first_body(live: Live, src: Path, more: str, counter) -> Path:
    """Append `more` to the first entry's body, clear `counter` (what the save's work is counted in) and save:
    the save is a delta. The entry edited."""
    entry = sorted((src / "entries").glob("*.md"))[0]
    entry.write_text(entry.read_text() + more)
    counter.clear()
    assert live.build(AS_OF).published and not live.stats["full"]
    return entry


def keys_agree(live: Live, src: Path, result=None) -> int:
    """Every served page's key and every record's fragment key, as the session's memo (pagecache.KeyMemo)
    gave them, equals what a fresh PageCache (no memo) makes from a clean check; the number compared. With
    the session's `result`, its findings equal the clean check's (the session's check reuses what it kept)."""
    from generator.cache import code_digest
    from generator.pagecache import PageCache
    from generator.render.environment import theme_dirs
    from generator.render.pages import pages
    clean = pipeline.check(src, AS_OF)   # no cache
    if result is not None:
        assert messages(result) == messages(clean)
    result = clean
    fresh = PageCache(Cache(None), result.model, result.diagnostics, AS_OF, live.out, theme_dirs(result.model),
                      code_digest(), result.redactor)
    n = 0
    for page in pages(result.model, result.diagnostics, result.analysis):
        rec = live.served[page.path]
        assert rec.key == fresh.key(page, bodies=not rec.key.startswith("f:")), page.path
        n += 1
    for record in [*result.model.entries, *result.model.contacts]:
        kept = live.keys.tables["records"].get((type(record).__name__, record.source.file))
        if kept is not None:
            assert kept[1] == fresh.record_key(record), record.source.file
            n += 1
    return n


def snapshot(src: Path, to: Path) -> Path:
    shutil.rmtree(to, ignore_errors=True)
    shutil.copytree(src, to, ignore=shutil.ignore_patterns(".cache"))
    return to


def restore(snap: Path, src: Path) -> None:
    for item in src.iterdir():
        if item.name != ".cache":
            shutil.rmtree(item) if item.is_dir() else item.unlink()
    for item in snap.iterdir():
        (shutil.copytree if item.is_dir() else shutil.copy2)(item, src / item.name)


# Edits to an entry's body, mentions and discussion change no part of every page's key: the pages
# that show the entry are rendered and written as a delta. The rest force a whole rebuild.
LOCAL = ["entry-body", "entry-attachment", "entry-mentions", "entry-discussion", "entry-value", "entry-action", "entry-caption",
         "attachment-bytes", "contact-role", "contact-notes", "contact-why", "contact-organisation"]


def _append(src: Path, rng, text: str) -> None:
    """`text` added to the end of an entry's body as an editor saves it: the front matter's bytes as they were."""
    entry = rng.choice(sorted((src / "entries").glob("*.md")))
    entry.write_text(entry.read_text() + text)


GIBBS = "".join(f"\n## {stage}\n\nAbout the {stage.lower()}.\n"
                for stage in ("Description", "Feelings", "Evaluation", "Analysis", "Conclusion", "Action plan"))

# Edits of bodies alone (the session keeps the model: generator/delta_check.py), of every kind a body holds:
# headings (which the no-reflection rule reads of a reflective account: `entry-reflection` makes one),
# mentions of a contact who consented and one who did not, links (to an attachment, out), personal data (an
# error: the save is refused, then undone), and the loss of a heading.
BODY_EDITS = {
    "body-sentence": lambda src, rng, n: _append(src, rng, f"\nSentence {n}, *emphasised*.\n"),
    "body-stages": lambda src, rng, n: _append(src, rng, GIBBS),
    "body-heading": lambda src, rng, n: _append(src, rng, f"\n## Feelings {n}\n\nUneasy.\n"),
    "body-mention": lambda src, rng, n: _append(src, rng, MENTION.format(n=n)),
    "body-links": lambda src, rng, n: _append(src, rng, f"\nSee [the agenda](../evidence/forum-agenda.txt), "
                                                        f"![it](../evidence/forum-agenda.txt), <https://example.org/{n}>.\n"),
    "body-personal-data": lambda src, rng, n: _append(src, rng, f"\nCall Alex Morgan on 07700 900{n:03d}.\n"),
    "body-unheading": lambda src, rng, n: [p.write_text(p.read_text().replace("\n## ", "\n", 1))
                                           for p in sorted((src / "entries").glob("*.md"))[:1]],
    "entry-reflection": lambda src, rng, n: _front(rng.choice(sorted((src / "entries").glob("*.md"))), lambda d, b: (
        d.pop("reflection") if d.get("reflection") else d.update(reflection=rng.choice(["gibbs", "kolb"])))),
}
EDITS = {**FIELD_EDITS, **BODY_EDITS}


def _records(src: Path) -> dict:
    """Each record file's bytes, an entry's as (front matter, body)."""
    out = {}
    for p in sorted(src.rglob("*")):
        rel = p.relative_to(src).as_posix()
        if p.is_file() and not rel.startswith((".cache", "evidence/")):
            text = p.read_text()
            out[rel] = tuple(text.split("\n---\n", 1)) if rel.startswith("entries/") else text
    return out


def _bodies_only(before: dict, after: dict) -> bool | None:
    """True: only entries' bodies changed; False: another record or an entry's front matter changed (or a
    record came or went); None: nothing but attachments' bytes (the kept model may take them or not)."""
    if set(before) != set(after) or any(before[k] != after[k] and (not k.startswith("entries/") or
                                                                  before[k][0] != after[k][0]) for k in before):
        return False
    return True if before != after else None


@pytest.mark.parametrize("seed", [1, 2])
def test_served_folder_equals_a_clean_build_after_random_edits(src, tmp_path, seed):
    """Every field kind and every kind of body edit, in a random order, one to three per save, local edits far
    more often. A save that changed only entries' bodies keeps the model (delta_check.py); no other does."""
    rng = random.Random(seed)
    live = session(src)
    assert live.build(AS_OF).published
    plan = list(EDITS) + LOCAL * 3 + list(BODY_EDITS) * 3
    rng.shuffle(plan)
    done, deltas, refused, early, kept = [], 0, 0, 0, 0
    while plan:
        before, served, records = snapshot(src, tmp_path / "before"), tree(live.out), _records(src)
        for _ in range(min(rng.randint(1, 3), len(plan))):
            name = plan.pop()
            EDITS[name](src, rng, len(done))
            done.append(name)
        # a browser has some pages open (serve publishes those first): what it is shown early is final
        pages = sorted(p for p in live.served if p.endswith(".html"))
        entries = [p for p in pages if p.startswith("entries/")]
        opened = set(rng.sample(entries, min(3, len(entries))) + rng.sample(pages, 3))
        shown: dict = {}
        result = live.build(AS_OF, opened, lambda paths: shown.update({p: (live.out / p).read_bytes() for p in paths}))
        assert set(shown) <= opened, done
        early += bool(shown)
        if result.published:
            assert all((live.out / p).read_bytes() == data for p, data in shown.items()), done
        bodies = _bodies_only(records, _records(src))
        if bodies is not None:
            assert live.stats["kept_model"] == bodies, done
        kept += live.stats["kept_model"]
        if not result.published:   # an edit made an error (a contact listed twice): the site stays, then undo
            assert result.errors and tree(live.out) == served, done
            shutil.rmtree(tmp_path / "clean", ignore_errors=True)
            cold = pipeline.build(src, tmp_path / "clean", AS_OF)   # no cache, no memo: the same errors
            assert not cold.published, (done, [(d.file, d.message) for d in result.errors])
            assert [d.message for d in result.errors] == [d.message for d in cold.errors], done
            refused += 1
            restore(before, src)
            done.append("undo")
            result = live.build(AS_OF)
            assert result.published, (done, [d.message for d in result.errors])
        deltas += not live.stats["full"]
        same(live, src, tmp_path, done)
        assert keys_agree(live, src, result) > len(live.served) / 2, done
    assert deltas >= 5, "the edits never went through the delta"
    assert early >= 2, "no open page was ever published first"
    assert kept >= 5, "no save kept the model"


def test_a_save_makes_only_the_keys_of_pages_that_read_a_changed_record(src, tmp_path):
    """serve keeps what each page's key was made of (pagecache.KeyMemo): a body edit makes again only the
    keys of the pages and fragments that read the edited entry, a save of unchanged records none, and
    every key is still the one a fresh computation gives."""
    live = session(src)
    assert live.build(AS_OF).published
    total = live.keys.computed
    assert total > 20
    assert live.build(AS_OF).published and live.keys.computed == 0
    for n, entry in enumerate(sorted((src / "entries").glob("*.md"))[:3]):
        entry.write_text(entry.read_text() + f"\nSentence {n}.\n")
        assert live.build(AS_OF).published and not live.stats["full"]
        assert 0 < live.keys.computed < total / 4, (n, live.keys.computed, total)
        assert keys_agree(live, src) > 20
    same(live, src, tmp_path, ["bodies"])


def test_a_body_edit_is_a_delta_that_writes_only_what_changed(src, tmp_path):
    live = session(src)
    live.build(AS_OF)
    assert live.stats["full"] == 1
    entry = sorted((src / "entries").glob("*.md"))[0]
    before = {p: (live.out / p).stat().st_ino for p in tree(live.out)}
    entry.write_text(entry.read_text() + "\nA sentence added in the editor.\n")
    assert live.build(AS_OF).published
    assert live.stats["full"] == 0
    after = {p: (live.out / p).stat().st_ino for p in tree(live.out)}
    rewritten = {p for p in after if before.get(p) != after[p]}
    assert rewritten and len(rewritten) == live.stats["written"] < len(after) / 2
    assert any(p.startswith("entries/") for p in rewritten)
    assert "print.html" in rewritten                     # the whole portfolio shows the body
    assert live.stats["scanned"] == live.stats["written"]   # the guard read only the changed files
    same(live, src, tmp_path, ["body"])


def test_a_file_the_session_did_not_write_is_kept_by_a_delta_and_stops_a_whole_rebuild(src, tmp_path):
    from generator.outdir import UnsafeOutput
    live = session(src)
    live.build(AS_OF)
    stray = live.out / "CNAME"
    stray.write_text("mine")
    entry = sorted((src / "entries").glob("*.md"))[0]
    entry.write_text(entry.read_text() + "\nA sentence added in the editor.\n")
    assert live.build(AS_OF).published and live.stats["full"] == 0   # a delta touches only what it wrote ...
    assert stray.read_text() == "mine"
    settings = src / "portfolio.yaml"   # ... a change every page shows replaces the folder: refused
    settings.write_text(settings.read_text().replace("title: ", "title: Renamed ", 1))
    with pytest.raises(UnsafeOutput, match="CNAME"):
        live.build(AS_OF)
    assert stray.read_text() == "mine"


def test_a_deleted_entry_leaves_the_served_folder(src, tmp_path):
    live = session(src)
    live.build(AS_OF)
    for i in range(2):   # delete, then delete again (the second may be a delta)
        FIELD_EDITS["entry-delete"](src, random.Random(i), i)
        assert live.build(AS_OF).published
        same(live, src, tmp_path, ["delete"] * (i + 1))


def test_errors_keep_the_last_good_site_then_a_fix_publishes(src, tmp_path):
    live = session(src)
    live.build(AS_OF)
    good = tree(live.out)
    entry = sorted((src / "entries").glob("*.md"))[0]
    text = entry.read_text()
    entry.write_text(text.replace("---\n", "---\ntitle: twice\n", 1))   # a repeated key: an error
    result = live.build(AS_OF)
    assert not result.published and result.errors
    assert tree(live.out) == good
    entry.write_text(text + "\nFixed.\n")
    assert live.build(AS_OF).published
    same(live, src, tmp_path, ["error", "fix"])


def test_personal_data_in_a_changed_page_is_refused_and_nothing_is_written(src, tmp_path):
    """The guard reads the files the delta would write: a template that prints a contact's channel
    (what the records' checks cannot see) stops the save, and the served folder stays as it was."""
    live = session(src)
    live.build(AS_OF)
    good = tree(live.out)
    contact = sorted((src / "contacts").glob("*.yaml"))[0]
    FIELD_EDITS["contact-channel"](src, random.Random(0), 0)   # some contact gains a channel
    live.build(AS_OF)
    good = tree(live.out)
    from generator.privacy.outputs import OutputGuard
    original = OutputGuard.check

    def leaky(self, rel, data):   # as if a template had printed a channel into this page
        if rel.startswith("entries/"):
            raise __import__("generator.privacy.outputs", fromlist=["x"]).PersonalDataInOutput(rel, "a channel")
        return original(self, rel, data)
    entry = sorted((src / "entries").glob("*.md"))[0]
    entry.write_text(entry.read_text() + "\nMore.\n")
    OutputGuard.check = leaky
    try:
        result = live.build(AS_OF)
    finally:
        OutputGuard.check = original
    assert not result.published and any(d.rule == "personal-data" for d in result.diagnostics)
    assert tree(live.out) == good
    assert contact.exists()
    assert live.build(AS_OF).published     # the guard passes again: the delta is written
    same(live, src, tmp_path, ["channel", "leak", "again"])


def test_a_hand_edited_served_file_is_repaired(src, tmp_path):
    live = session(src)
    live.build(AS_OF)
    page = live.out / "index.html"
    page.write_bytes(b"edited by hand")
    entry = sorted((src / "entries").glob("*.md"))[0]
    entry.write_text(entry.read_text() + "\nMore.\n")
    assert live.build(AS_OF).published
    same(live, src, tmp_path, ["hand edit", "body"])


def messages(result) -> list:
    return [(d.rule, d.file, d.line, d.column, d.message) for d in result.diagnostics]


def test_the_personal_data_memo_follows_what_the_scan_looks_for(src):
    """An entry that names a contact is scanned once; its finding must still come and go with the
    contact's consent and name (what the scan looks for), though the entry's bytes never change."""
    live = session(src)
    assert live.build(AS_OF).published
    entry = sorted((src / "entries").glob("*.md"))[0]
    entry.write_text(entry.read_text() + "\nLunch with Alex Morgan today.\n")
    contact = src / "contacts" / "alex-morgan.yaml"
    consent = contact.read_text()
    steps = [lambda: None,
             lambda: contact.write_text(consent.replace("publish: false", "publish: true")),
             lambda: contact.write_text(consent),
             lambda: contact.write_text(consent.replace("name: Alex Morgan", "name: Sam Jones")),
             lambda: contact.write_text(consent)]
    named = []
    for step in steps:
        step()
        result = live.build(AS_OF)
        assert messages(result) == messages(pipeline.check(src, AS_OF))
        named.append(any(d.rule == "personal-data" and d.file == f"entries/{entry.name}" for d in result.errors))
    assert named == [True, False, True, False, True]
    assert f"entries/{entry.name}" in live.cache.privacy   # the memo the scan keeps in the build cache


def test_a_body_edit_renders_only_the_pages_that_show_the_body(src, tmp_path):
    """A page whose last render read no entry's body is keyed by the front matter (pagecache.py): one body
    edit renders exactly the pages that show the body — read independently, as the pages of a clean build
    that hold the new sentence — and every other page, whole-portfolio ones included, is kept."""
    from generator.render import site
    live = session(src)
    assert live.build(AS_OF).published
    for n, entry in enumerate(sorted((src / "entries").glob("*.md"))):
        sentence = f"Sentence {n} added in the editor, nowhere else."
        entry.write_text(entry.read_text() + f"\n{sentence}\n")
        site.RENDERED.clear()
        assert live.build(AS_OF).published and not live.stats["full"]
        rendered = set(site.RENDERED)
        want = clean(src, tmp_path / "clean")
        showing = {p for p, data in want.items() if sentence.encode() in data}
        assert {"print.html", "portfolio.json", "search-index.js"} < showing
        assert rendered == showing, n
        same(live, src, tmp_path, [f"body {n}"])


# A theme that shows entry bodies where the default theme does not, reaching them every way a template
# can: an attribute through a filter, the rendered body, item syntax, `attr`, and in a frame part and a
# fragment (both rendered once and reused): each page must then follow the bodies it shows.
# (The frame part shows them on top-level pages, each of which has a part of its own; a part reused by
# many pages is counted on each in tests/test_frame.py.)
BODY_THEME = {
    "frame-footer.html": '{% include "!default/frame-footer.html" %}{% if current == "networks.html" %}'
                         '<p>{{ model.entries|map(attribute="body")|map("length")|sum }}</p>{% endif %}\n',
    "index.html": '{% extends "!default/index.html" %}{% block content %}{{ super() }}'
                  '<p>{{ model.entries|map(attribute="body")|join|wordcount }}</p>{% endblock %}\n',
    "unit.html": '{% extends "!default/unit.html" %}{% block content %}{{ super() }}{% for c in unit.criteria %}'
                 '{% for e in c.evidence %}<p>{{ site.body(e)|striptags|wordcount }}</p>{% endfor %}{% endfor %}'
                 '{% endblock %}\n',
    "diary-row.html": '{% include "!default/diary-row.html" %}{% if record.kind == "meeting" %}'
                      '<!-- {{ record["body"]|length }} -->{% endif %}\n',
    "contact.html": '{% extends "!default/contact.html" %}{% block content %}{{ super() }}'
                    '{% for e in contact.entries %}<p>{{ e|attr("body")|length }}</p>{% endfor %}{% endblock %}\n',
}


def test_pages_a_theme_makes_show_bodies_follow_every_body_edit(src, tmp_path):
    from generator.render import site
    _theme(src, BODY_THEME)
    live = session(src)
    assert live.build(AS_OF).published
    entries = sorted((src / "entries").glob("*.md"))
    for n in range(6):   # appended to the file as an editor would: the front matter stays as written
        edit = ["entry-body", "entry-mentions"][n % 2]
        entry = entries[n // 2 % len(entries)]    # each entry's body, then its mentions
        entry.write_text(entry.read_text() + (f"\nParagraph {n}: *more words*.\n" if edit == "entry-body"
                                              else MENTION.format(n=n)))
        site.RENDERED.clear()
        assert live.build(AS_OF).published and not live.stats["full"]
        rendered = set(site.RENDERED)
        assert {"index.html", "networks.html", "diary.html"} <= rendered, rendered
        assert any(p.startswith("units/") for p in rendered) and any(p.startswith("contacts/") for p in rendered)
        if edit == "entry-body":   # (a mention is also a finding: every page with the findings follows it)
            assert "plan.html" not in rendered      # it shows no body, in this theme as in the default one
            # the diary's rows show a body for meetings only: a filter page that lists none is kept, and the
            # meetings' page follows only a meeting's body (it is keyed by the entries it lists)
            meeting = re.search(r"^kind: meeting$", entry.read_text(), re.M) is not None
            assert ("diary/kind/meeting.html" in rendered) == meeting and "diary/kind/event.html" not in rendered
        same(live, src, tmp_path, [f"edit {n}"])


def test_a_body_edit_scans_only_the_edited_record_for_personal_data(src):
    """The personal-data check of the records keeps each file's findings by (digest, fingerprint of what it
    seeks): a save scans the file that changed, never the framework, contacts or portfolio.yaml again."""
    from generator.privacy import scan
    live = session(src)
    assert live.build(AS_OF).published
    entry = save_first_body(live, src, "\nAnother sentence.\n", scan.SCANNED)
    assert dict(scan.SCANNED) == {f"entries/{entry.name}": 1}
    scan.SCANNED.clear()
    assert live.build(AS_OF).published       # nothing changed: nothing scanned
    assert not scan.SCANNED


def test_a_body_save_makes_no_name_matcher_and_a_consent_change_makes_new_ones(src, monkeypatch):
    """The scan's and the output guard's name matchers are made once for the same contacts (detect.names):
    a body save makes none; a contact who withdraws consent is sought from the next save on."""
    from generator.privacy import detect
    monkeypatch.setattr(detect, "_MADE", {})   # none kept from an earlier test
    made: list = []
    real = detect.Names.__init__
    monkeypatch.setattr(detect.Names, "__init__", lambda self, *a, **k: (made.append(a), real(self, *a, **k))[1])
    live = session(src)
    assert live.build(AS_OF).published and made
    save_first_body(live, src, "\nAnother sentence.\n", made)
    assert made == []
    bea = src / "contacts" / "bea-khan.yaml"
    bea.write_text(bea.read_text().replace("publish: true", "publish: false"))
    result = live.build(AS_OF)
    assert made and any("bea-khan" in repr(args) for args in made)
    fresh = pipeline.check(src, AS_OF)     # the findings a new process gives (Bea's name now hidden)
    assert [str(d) for d in result.diagnostics] == [str(d) for d in fresh.diagnostics]
    assert any(d.rule == "personal-data" for d in fresh.diagnostics)


def _theme(src: Path, templates: dict) -> None:
    theme = src / "mytheme" / "templates"
    theme.mkdir(parents=True)
    for name, text in templates.items():
        (theme / name).write_text(text)
    settings = src / "portfolio.yaml"
    settings.write_text(settings.read_text().replace("site:\n", "site:\n  theme: mytheme\n", 1))


def test_a_hidden_name_spelled_across_two_entries_parts_is_caught(src, monkeypatch):
    """The guard scans a large file a segment at a time and keeps each passing segment's digest
    (privacy/segments.py): a name that only appears when one entry's part ends with the first name and
    the next entry's part begins with the surname is still found, though the first part is unchanged."""
    from generator.privacy import segments
    monkeypatch.setattr(segments, "SEGMENTED_FROM", 0)   # every page segmented, small as they are here
    first, second = sorted((src / "entries").glob("*.md"))
    # Alex Morgan has not consented: a theme that prints 'Alex' after the first entry and 'Morgan' before
    # an entry whose body says ENDQ (the records' checks never see what a template prints)
    _theme(src, {"print-entry.html": '{% if "ENDQ" in site.body(record) %}Morgan{% endif %}'
                                     '{% include "!default/print-entry.html" %}'
                                     f'{{% if record.slug == "{first.stem}" %}}Alex {{% endif %}}'})
    live = session(src)
    assert live.build(AS_OF).published
    second.write_text(second.read_text() + "\nOne more sentence.\n")
    assert live.build(AS_OF).published and not live.stats["full"]   # the segments are in the memo
    good = tree(live.out)
    second.write_text(second.read_text() + "\nENDQ\n")
    segments.SEGMENTS.clear()
    result = live.build(AS_OF)
    assert not live.stats["full"] and not result.published
    assert [(d.rule, d.file) for d in result.errors] == [("personal-data", "site/print.html")]
    assert "name of a contact who has not consented" in result.errors[0].message
    assert segments.SEGMENTS["kept"] >= 3          # the unchanged parts came from the memo
    assert tree(live.out) == good


def test_a_body_edit_renders_one_fragment_and_no_frame_of_the_whole_portfolio_pages(src, tmp_path):
    """The print view's frame is rendered once (render/skeleton.py) and portfolio.json's entries are
    fragments: a body edit renders the edited entry's fragment of each and joins the rest again."""
    from generator.render import fragments, skeleton
    live = session(src)
    skeleton.RENDERED.clear()
    assert live.build(AS_OF).published
    assert skeleton.RENDERED["print.html"] == 1
    for n, entry in enumerate(sorted((src / "entries").glob("*.md"))):
        entry.write_text(entry.read_text() + f"\nSentence {n} added in the editor.\n")
        fragments.RENDERED.clear()
        assert live.build(AS_OF).published and not live.stats["full"]
        made = {k for k in fragments.RENDERED if k[0] in ("print-entry.html", "json-entry")}
        assert made == {("print-entry.html", entry.stem), ("json-entry", entry.stem)}
        same(live, src, tmp_path, [f"body {n}"])
    assert skeleton.RENDERED["print.html"] == 1     # joined again from the kept frame and the fragments


def test_a_theme_that_overrides_the_print_view_has_it_rendered_whole(src, tmp_path):
    """A theme's print.html may do anything with the entries' fragments (here: count the words of the
    whole content): the page is then rendered whole on every save, never joined from a kept frame."""
    from generator.render import skeleton
    _theme(src, {"print.html": '{% extends "!default/print.html" %}{% block content %}{% set c = super() %}'
                               '<p>{{ c|striptags|wordcount }} words</p>{{ c }}{% endblock %}\n'})
    live = session(src)
    skeleton.RENDERED.clear()
    assert live.build(AS_OF).published
    entry = sorted((src / "entries").glob("*.md"))[0]
    entry.write_text(entry.read_text() + "\nFive more words for you.\n")
    assert live.build(AS_OF).published and not live.stats["full"]
    same(live, src, tmp_path, ["body"])
    assert not skeleton.RENDERED


def test_a_record_that_holds_portfolio_jsons_stand_in_has_it_encoded_whole(src, tmp_path):
    """portfolio.json is encoded with a stand-in for the entries' list (render/outputs.py): a record whose
    text is that stand-in must not be taken for it."""
    settings = src / "portfolio.yaml"
    text = settings.read_text()
    settings.write_text(text.replace("purpose: Build a network that helps me run the team better.",
                                     'purpose: "\\0entries\\0"', 1))
    live = session(src)
    assert live.build(AS_OF).published
    assert b'"purpose":"\\u0000entries\\u0000"' in (live.out / "portfolio.json").read_bytes()
    same(live, src, tmp_path, ["stand-in"])


def test_each_finding_is_redacted_once_per_session_and_again_when_the_redaction_changes(src):
    """serve keeps each finding's public form (render/data.py PublicFindings) by the finding and the
    redactor's fingerprint: a save redacts only findings it has not seen, a new redaction all of them."""
    from generator.diagnostics import Diagnostic
    from generator.render.data import PublicFindings, public_diagnostic

    class Redactor:
        def __init__(self, to):
            self.to = to

        def __call__(self, text, markdown=False):
            return text.replace("Alex Morgan", self.to) if isinstance(text, str) else text

        def fingerprint(self):
            return self.to
    old = Diagnostic("warning", "r", "entries/a.md", 1, 1, "Alex Morgan said so", "Alex Morgan", "ask Alex Morgan")
    new = Diagnostic("info", "r", "entries/b.md", 2, 1, "met Alex Morgan", "", "")
    memo = PublicFindings()
    for findings, redactor, made in [([old], Redactor("Contact 1"), 1), ([old, new], Redactor("Contact 1"), 1),
                                     ([old, new], Redactor("Contact 1"), 0), ([old, new], Redactor("Contact 2"), 2)]:
        got = memo.of(findings, redactor)
        assert got == [public_diagnostic(d, redactor) for d in findings] and memo.made == made
    live = session(src)
    assert live.build(AS_OF).published and live.public.made > 0
    assert live.build(AS_OF).published and live.public.made == 0


def test_a_delta_keeps_the_fragment_stores_in_memory_until_the_session_ends(src, tmp_path):
    """A delta changes the fragment stores in memory only (render/fragments.py `flush`); the session's end
    writes them, each holding exactly the fragments its page used last, as a store written by a build."""
    import os
    from generator.render import fragments
    live = session(src)
    assert live.build(AS_OF).published
    written = {path: os.stat(path).st_ino for path in live._stores}
    assert written
    for n, entry in enumerate(sorted((src / "entries").glob("*.md"))[:2]):
        entry.write_text(entry.read_text() + f"\nSentence {n} added in the editor.\n")
        assert live.build(AS_OF).published and not live.stats["full"]
        same(live, src, tmp_path, [f"body {n}"])
    assert {path: os.stat(path).st_ino for path in live._stores} == written
    assert any(pending for *_, pending in live._stores.values())
    live.flush()
    for path, (status, texts, sums, pending) in live._stores.items():
        assert not pending
        with open(path, "rb") as f:
            index = fragments._index(f)
            assert list(index) == list(texts)
            assert all(fragments._decoded(fragments._record(f, index[k])) == texts[k] for k in texts)
    # a new session reads the stores from disk: the unchanged pages' fragments are all there
    fragments.RENDERED.clear()
    again = session(src)
    assert again.build(AS_OF).published
    entry = save_first_body(again, src, "\nOne more.\n", fragments.RENDERED)
    assert {k[1] for k in fragments.RENDERED} == {entry.stem}
    same(again, src, tmp_path, ["flushed", "body"])


def test_a_body_edit_joins_portfolio_json_from_its_kept_rest(src, tmp_path, monkeypatch):
    """Everything in portfolio.json but the entries' list reads no body: serve keeps it under the page's
    key without bodies (render/outputs.py), so a body edit encodes only the entry's record; an edit of an
    entry's front matter encodes the rest again."""
    from generator.render import outputs
    live = session(src)
    assert live.build(AS_OF).published
    made, real = [], outputs.model_dict
    monkeypatch.setattr(outputs, "model_dict", lambda *a, **k: made.append(1) or real(*a, **k))
    entry = sorted((src / "entries").glob("*.md"))[0]
    entry.write_text(entry.read_text() + "\nA sentence for the record.\n")
    assert live.build(AS_OF).published and not live.stats["full"]
    assert not made
    same(live, src, tmp_path, ["body"])
    FIELD_EDITS["entry-action"](src, random.Random(3), 0)
    assert live.build(AS_OF).published
    assert made
    same(live, src, tmp_path, ["body", "action"])


# -- the browser's open pages first (serve's fast render) ------------------------------------------------
def _page_of(entry: Path) -> str:
    return f"entries/{entry.stem}.html"


def test_the_open_pages_that_changed_are_published_before_the_rest(src, tmp_path):
    """A body edit changes the entry's page and the print view; with the entry's page and the contacts list
    open, only the entry's page is published early (the list did not change), and when it is, the print
    view on disk is still the old one. Then the rest: the folder equals a clean build."""
    live = session(src)
    assert live.build(AS_OF).published
    entry = sorted((src / "entries").glob("*.md"))[0]
    entry.write_text(entry.read_text() + "\nA sentence saved just now.\n")
    told = []

    def early(paths):
        told.append((list(paths), (live.out / _page_of(entry)).read_text(), (live.out / "print.html").read_text()))
    assert live.build(AS_OF, {_page_of(entry), "contacts.html"}, early).published
    (paths, page, printed), = told
    assert paths == [_page_of(entry)] and live.stats["first"] == 1
    assert "A sentence saved just now." in page and "A sentence saved just now." not in printed
    assert live.changed and _page_of(entry) not in live.changed and "print.html" in live.changed
    assert "A sentence saved just now." in (live.out / "print.html").read_text()
    same(live, src, tmp_path, ["body, open page first"])


def test_nothing_is_published_early_when_no_open_page_changed_or_the_guard_reads_everything(src, tmp_path):
    live = session(src)
    assert live.build(AS_OF).published
    entries = sorted((src / "entries").glob("*.md"))
    entries[0].write_text(entries[0].read_text() + "\nMore.\n")
    told = []
    assert live.build(AS_OF, {_page_of(entries[1])}, told.append).published   # another entry's page is open
    assert told == [] and live.stats["first"] == 0
    FIELD_EDITS["contact-channel"](src, random.Random(0), 0)   # the guard seeks a new value: every file again
    entries[0].write_text(entries[0].read_text() + "\nMore again.\n")
    result = live.build(AS_OF, {_page_of(entries[0])}, told.append)
    assert result.published and told == [] and live.stats["first"] == 0
    same(live, src, tmp_path, ["body", "channel and body"])


def test_a_failure_after_the_open_page_was_published_puts_it_back(src, tmp_path):
    """A theme's print view that fails on one body: the entry's page was already published when the print view
    is made, so it is put back, and the served folder is as it was before the save. The fix publishes."""
    from generator.failures import Failure
    _theme(src, {"print.html": '{% extends "!default/print.html" %}{% block content %}'
                               '{% for e in model.entries %}{% if "BOOM" in e.body %}{{ e.no_such_thing.x }}'
                               '{% endif %}{% endfor %}{{ super() }}{% endblock %}\n'})
    live = session(src)
    assert live.build(AS_OF).published
    before = tree(live.out)
    entry = sorted((src / "entries").glob("*.md"))[0]
    good = entry.read_text()
    entry.write_text(good + "\nBOOM went the print view.\n")
    told = []

    def early(paths):
        told.append((live.out / _page_of(entry)).read_text())
    with pytest.raises(Failure):
        live.build(AS_OF, {_page_of(entry)}, early)
    assert len(told) == 1 and "BOOM went" in told[0]     # it was published early ...
    assert tree(live.out) == before                       # ... and put back
    entry.write_text(good + "\nA quieter sentence.\n")
    assert live.build(AS_OF, {_page_of(entry)}, lambda paths: None).published and not live.stats["full"]
    same(live, src, tmp_path, ["boom", "fixed"])


def test_personal_data_found_after_the_open_page_was_published_puts_it_back(src, tmp_path, monkeypatch):
    """The guard finds something in a page made after the open one (as if a template printed a channel into
    the print view only): the save is refused and the open page, already published, is put back."""
    from generator.privacy.outputs import OutputGuard, PersonalDataInOutput
    live = session(src)
    assert live.build(AS_OF).published
    before = tree(live.out)
    original = OutputGuard.check

    def leaky(self, rel, data):
        if rel == "print.html":
            raise PersonalDataInOutput(rel, "a channel")
        return original(self, rel, data)
    monkeypatch.setattr(OutputGuard, "check", leaky)
    entry = sorted((src / "entries").glob("*.md"))[0]
    entry.write_text(entry.read_text() + "\nMore.\n")
    told = []
    result = live.build(AS_OF, {_page_of(entry)}, told.append)
    assert told == [[_page_of(entry)]]
    assert not result.published and any(d.rule == "personal-data" for d in result.diagnostics)
    assert tree(live.out) == before
    monkeypatch.setattr(OutputGuard, "check", original)
    assert live.build(AS_OF, {_page_of(entry)}, told.append).published and not live.stats["full"]
    same(live, src, tmp_path, ["more", "again"])


def test_a_save_is_applied_without_the_cycle_collector_and_leaves_it_as_it_was(src, monkeypatch):
    import gc

    import generator.live as live_mod
    seen: list = []
    real = live_mod.render_site
    monkeypatch.setattr(live_mod, "render_site", lambda *a, **k: (seen.append(gc.isenabled()), real(*a, **k))[1])
    live = session(src)
    assert live.build(AS_OF).published
    save_first_body(live, src, "\nAnother sentence.\n", seen)
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:   # a caller that had switched it off gets it back off
        save_first_body(live, src, "\nAnd another.\n", seen)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_delta_does_not_overwrite_a_file_it_did_not_write_that_a_new_page_is_named_like(src, tmp_path):
    """A delta skips the walk for files it did not write (check_output's, 3-5 ms), so a page it adds must not
    replace a file already there under that name: refused, as a whole rebuild would be."""
    from generator.outdir import UnsafeOutput
    live = session(src)
    live.build(AS_OF)
    entry = sorted((src / "entries").glob("*.md"))[0]
    mine = live.out / "entries" / "2026-03-01-added.html"
    mine.write_text("mine")
    entry.with_name("2026-03-01-added.md").write_text(entry.read_text())
    before = tree(live.out)
    with pytest.raises(UnsafeOutput, match="entries/2026-03-01-added.html"):
        live.build(AS_OF)
    assert mine.read_text() == "mine" and tree(live.out) == before
    mine.unlink()   # moved out of the way: the next save publishes the page
    assert live.build(AS_OF).published and mine.read_bytes().startswith(b"<!DOCTYPE html>")


def test_a_served_folder_replaced_by_one_the_session_did_not_write_is_not_changed_by_a_delta(src, tmp_path):
    """A delta skips check_output's look for a folder that is not ours: it must not write into, or remove
    files from, a folder put in the served one's place (its marker is not the one the session wrote)."""
    from generator.outdir import UnsafeOutput
    live = session(src)
    live.build(AS_OF)
    entry = sorted((src / "entries").glob("*.md"))[0]
    page = "entries/" + entry.name[:-3] + ".html"
    assert (live.out / page).is_file()
    live.out.rename(tmp_path / "moved")
    (live.out / "entries").mkdir(parents=True)
    (live.out / page).write_text("mine")              # someone else's folder, with a file of the same name
    entry.unlink()                                    # a save the session would apply as a delta: remove the page
    with pytest.raises(UnsafeOutput, match="not written by this tool"):
        live.build(AS_OF)
    assert (live.out / page).read_text() == "mine" and tree(live.out) == {page: b"mine"}


def test_a_body_save_digests_the_edited_body_only(src, monkeypatch):
    from generator.render import data
    digested: list = []
    real = data.body_digest
    monkeypatch.setattr(data, "body_digest", lambda text: (digested.append(text), real(text))[1])
    live = session(src)
    assert live.build(AS_OF).published
    entry = save_first_body(live, src, "\nAnother sentence.\n", digested)
    assert len(digested) == 1 and digested[0].endswith("Another sentence.\n")
    assert entry.read_text().endswith(digested[0][-40:])
