"""Incremental builds: the cached result is always byte-identical to a clean build, and does less work."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import marshal
import os
import random
import re
import shutil
from pathlib import Path

import pytest
import yaml

from generator import pipeline
from generator.cache import FORMAT, MAGIC, STATE_FILE, Cache, FileRecord, code_digest
from generator.load import Source

FIXTURE = Path(__file__).parent / "fixtures" / "authoring"
AS_OF = dt.date(2026, 3, 15)


@pytest.fixture
def src(tmp_path):
    root = tmp_path / "p"
    shutil.copytree(FIXTURE, root)
    return root


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def clean_build(src: Path, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    result = pipeline.build(src, out, AS_OF)
    assert result.published, [d for d in result.errors]
    return tree(out)


def cached_build(src: Path, out: Path):
    cache = Cache(src / ".cache" / "portfolio")
    result = pipeline.build(src, out, AS_OF, cache=cache)
    assert result.published, [d for d in result.errors]
    return cache


ENTRY = """---
title: {title}
date: 2026-02-{day:02d}
kind: meeting
methods: [phone]
contacts: [{contact}]
criteria: ["U/000/0001:{crit}"]
value: {{given: Advice, received: Thanks}}
---
{body}
"""


EDITS = ["body", "title", "add", "delete", "publish", "site-title", "contact-role"]


def random_edit(src: Path, rng: random.Random, step: int, choice: str) -> str:
    entries = sorted((src / "entries").glob("*.md"))
    if choice == "delete" and len(entries) > 1:
        rng.choice(entries).unlink()
    elif choice in ("body", "title") and entries:
        e = rng.choice(entries)
        text = e.read_text()
        if choice == "body":
            text += f"\nA new paragraph {step}: *{rng.random():.6f}*.\n"
        else:
            text = re.sub(r"^title: .*$", f"title: Retitled {step}", text, count=1, flags=re.M)
        e.write_text(text)
    elif choice == "publish":
        c = src / "contacts" / "alex-morgan.yaml"
        text = c.read_text()
        c.write_text(text.replace("publish: false", "publish: true") if "publish: false" in text
                     else text.replace("publish: true", "publish: false"))
    elif choice == "site-title":
        p = src / "portfolio.yaml"
        p.write_text(re.sub(r"title: .*", f"title: Portfolio v{step}", p.read_text(), count=1))
    elif choice == "contact-role":
        c = src / "contacts" / "bea-khan.yaml"
        c.write_text(re.sub(r"^role: .*$", f"role: Role {step}", c.read_text(), count=1, flags=re.M))
    else:
        day = rng.randint(1, 28)
        (src / "entries" / f"2026-02-{day:02d}-added-{step}.md").write_text(ENTRY.format(
            title=f"Added {step}", day=day, contact=rng.choice(["alex-morgan", "bea-khan"]),
            crit=rng.choice(["1.1", "1.2", "2.1"]), body=f"Body of entry {step}."))
    return choice


def test_incremental_equals_clean_over_random_edits(src, tmp_path):
    rng = random.Random(20260315)
    inc, clean = tmp_path / "site", tmp_path / "clean"
    cached_build(src, inc)
    assert tree(inc) == clean_build(src, clean)
    done = []
    plan = EDITS * 2 + ["add", "body", "body"]
    rng.shuffle(plan)   # every kind of edit, twice, in a random order
    for step, choice in enumerate(plan):
        done.append(random_edit(src, rng, step, choice))
        cached_build(src, inc)
        assert tree(inc) == clean_build(src, clean), f"differs after edits {done}"


# -- every field kind ---------------------------------------------------------------------------------
# Each edit changes one kind of field the records have, through the YAML (so the file stays valid), and
# the cached build must equal a clean one byte for byte after it. Entries mention people (@contact-id,
# shown as their name or pseudonym), so edits to names, channels and consent change what every page that
# mentions them must show. (Names and contact details typed as text are errors now: the build refuses.)

MENTION = "\nI met @alex-morgan and @bea-khan again (meeting {n}).\n"


def _yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def _front(path: Path, change) -> None:
    _, front, body = path.read_text().split("---\n", 2)
    data = yaml.safe_load(front)
    changed = change(data, body)
    body = changed if isinstance(changed, str) else body
    path.write_text("---\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True) + "---\n" + body)


def _entry(src, rng, change):
    _front(rng.choice(sorted((src / "entries").glob("*.md"))), change)


def _contact(src, rng, change):
    _yaml(rng.choice(sorted((src / "contacts").glob("*.yaml"))), change)


def _portfolio(src, change):
    _yaml(src / "portfolio.yaml", change)


def _criteria(src, change):
    _yaml(src / "criteria" / "mini.yaml", change)


def _toggle(items: list, value) -> list:
    """`value` taken out of `items` (never leaving it empty) or put in (never twice)."""
    if value in items:
        return [x for x in items if x != value] if len(items) > 1 else items
    return items + [value]


CRITS = ["U/000/0001:1.1", "U/000/0001:1.2", "U/000/0001:2.1"]


def _channel(c, n):
    kind = ["email", "phone", "linkedin"][n % 3]
    value = {"email": "alex.new@example.com", "phone": f"07700 900{n:03d}",
             "linkedin": "https://www.linkedin.com/in/alex-new"}[kind]
    channels = c.get("channels") or {}
    if channels.get(kind) == value:
        channels.pop(kind)
    else:
        channels[kind] = value
    if channels:
        c["channels"] = channels
    else:
        c.pop("channels", None)


def _consent(c, n):
    consent = c.setdefault("consent", {"basis": "consent", "recorded": dt.date(2026, 1, 2), "publish": False})
    if n % 2:
        consent["publish"] = not consent.get("publish", False)
    else:
        consent["basis"] = "consent" if consent.get("basis") != "consent" else "legitimate-interests"


def _attach(d, body, src, n):
    f = src / "evidence" / f"extra-{n}.txt"
    f.write_text(f"Extra evidence {n}\n")
    d.setdefault("attachments", []).append({"path": f"evidence/extra-{n}.txt", "caption": f"Extra {n}"})


def _add_contact(src, n):
    (src / "contacts" / f"new-person-{n}.yaml").write_text(
        f"name: Nia Person{n}\nrole: Buyer\norganisation: Shop {n}\nnetworks: [local-forum]\nrelationship: external\n"
        f"strength: weak\nstatus: potential\nwhy: Knows suppliers.\nchannels: {{email: nia{n}@example.com}}\n"
        "consent: {basis: consent, recorded: 2026-02-01, publish: false}\n")


def _add_entry(src, rng, n):
    day = rng.randint(1, 28)
    contacts = sorted(p.stem for p in (src / "contacts").glob("*.yaml"))
    (src / "entries" / f"2026-02-{day:02d}-added-{n}.md").write_text(ENTRY.format(
        title=f"Added {n}", day=day, contact=rng.choice(contacts), crit=rng.choice(["1.1", "1.2", "2.1"]),
        body=f"Body of entry {n}." + MENTION.format(n=n)))


def _delete_entry(src, rng):
    entries = sorted((src / "entries").glob("*.md"))
    if len(entries) > 1:
        rng.choice(entries).unlink()


FIELD_EDITS = {
    "entry-title": lambda src, rng, n: _entry(src, rng, lambda d, b: d.update(title=f"Retitled {n}")),
    "entry-body": lambda src, rng, n: _entry(src, rng, lambda d, b: b + f"\nParagraph {n}: *{rng.random():.5f}*.\n"),
    "entry-mentions": lambda src, rng, n: _entry(src, rng, lambda d, b: b + MENTION.format(n=n)),
    "entry-date": lambda src, rng, n: _entry(src, rng, lambda d, b: d.update(date=dt.date(2026, 2, rng.randint(1, 28)))),
    "entry-kind": lambda src, rng, n: _entry(src, rng, lambda d, b: d.update(kind=rng.choice(
        ["meeting", "event", "call", "reflection", "online"]))),
    "entry-methods": lambda src, rng, n: _entry(src, rng, lambda d, b: d.update(methods=_toggle(
        d.get("methods", []), rng.choice(["phone", "video", "email"])))),
    "entry-contacts": lambda src, rng, n: _entry(src, rng, lambda d, b: d.update(contacts=_toggle(
        d.get("contacts", []), rng.choice(sorted(p.stem for p in (src / "contacts").glob("*.yaml")))))),
    "entry-criteria": lambda src, rng, n: _entry(src, rng, lambda d, b: d.update(criteria=_toggle(
        d.get("criteria", []), rng.choice(CRITS)))),
    "entry-networks": lambda src, rng, n: _entry(src, rng, lambda d, b: d.update(networks=_toggle(
        d.get("networks", []), rng.choice(["local-forum", "staff-council"])))),
    "entry-goals": lambda src, rng, n: _entry(src, rng, lambda d, b: d.update(goals=[] if d.get("goals") else
                                                                         ["widen-network"])),
    "entry-discussion": lambda src, rng, n: _entry(src, rng, lambda d, b: d.update(
        discussion=d.get("discussion", []) + [f"Point {n} on rotas"])),
    "entry-action": lambda src, rng, n: _entry(src, rng, lambda d, b: d.update(actions=(d.get("actions") or []) + [
        {"do": f"Follow up {n}", "due": dt.date(2026, 3, rng.randint(1, 28)), "outcome": f"Outcome {n}"}])),
    "entry-action-done": lambda src, rng, n: _entry(src, rng, lambda d, b: [
        a.update(done=dt.date(2026, 3, 2)) if "done" not in a else a.pop("done") for a in d.get("actions") or []]),
    "entry-value": lambda src, rng, n: _entry(src, rng, lambda d, b: d.update(
        value={"given": f"Given {n}", "received": f"Received {n}"})),
    "entry-caption": lambda src, rng, n: _entry(src, rng, lambda d, b: [
        a.update(caption=f"Caption {n}") for a in d.get("attachments") or []]),
    "entry-attachment": lambda src, rng, n: _entry(src, rng, lambda d, b: _attach(d, b, src, n)),
    "attachment-bytes": lambda src, rng, n: [p.write_bytes(p.read_bytes() + f"line {n}\n".encode())
                                             for p in sorted((src / "evidence").glob("*.txt"))],
    "contact-name": lambda src, rng, n: _contact(src, rng, lambda c: c.update(name=rng.choice(
        ["Alex Morgan", "Alexa Morgan", "Bea Khan", "Beatrice Khan"]))),
    "contact-role": lambda src, rng, n: _contact(src, rng, lambda c: c.update(role=f"Role {n}")),
    "contact-organisation": lambda src, rng, n: _contact(src, rng, lambda c: c.update(organisation=f"Firm {n}")),
    "contact-status": lambda src, rng, n: _contact(src, rng, lambda c: c.update(status=rng.choice(
        ["current", "dormant", "potential", "ended"]))),
    "contact-strength": lambda src, rng, n: _contact(src, rng, lambda c: c.update(strength=rng.choice(
        ["weak", "moderate", "strong"]))),
    "contact-met": lambda src, rng, n: _contact(src, rng, lambda c: c.update(
        met={"date": dt.date(2026, 1, rng.randint(1, 28)), "how": f"met {n}"})),
    "contact-why": lambda src, rng, n: _contact(src, rng, lambda c: c.update(why=f"Reason {n}: knows the sector")),
    "contact-notes": lambda src, rng, n: _contact(src, rng, lambda c: c.update(notes=f"Private note {n}.")),
    "contact-review": lambda src, rng, n: _contact(src, rng, lambda c: c.update(reviews=(c.get("reviews") or []) + [
        {"date": dt.date(2026, 3, 1), "value": 4, "activity": 3, "potential": 5, "decision": "maintain",
         "note": f"Review {n}"}])),
    "contact-channel": lambda src, rng, n: _contact(src, rng, lambda c: _channel(c, n)),
    "contact-consent": lambda src, rng, n: _contact(src, rng, lambda c: _consent(c, n)),
    "contact-add": lambda src, rng, n: _add_contact(src, n),
    "learner": lambda src, rng, n: _portfolio(src, lambda p: p["learner"].update(role=f"Lead {n}")),
    "purpose": lambda src, rng, n: _portfolio(src, lambda p: p.update(purpose=f"Purpose {n}: a wider network.")),
    "network": lambda src, rng, n: _portfolio(src, lambda p: p["networks"][rng.randrange(2)].update(
        name=f"Network {n}", status=rng.choice(["joined", "shortlisted", "left"]))),
    "goal": lambda src, rng, n: _portfolio(src, lambda p: p["goals"][0].update(
        statement=f"Goal {n}", status=rng.choice(["planned", "in-progress", "achieved"]))),
    "site-title": lambda src, rng, n: _portfolio(src, lambda p: p["site"].update(title=f"Portfolio v{n}")),
    "checks": lambda src, rng, n: _portfolio(src, lambda p: p.update(checks={
        "review_interval_days": rng.choice([30, 90, 365]), "min_evidence_per_criterion": rng.choice([1, 2])})),
    "criterion-text": lambda src, rng, n: _criteria(src, lambda f: f["units"][0]["outcomes"][0]["criteria"][0].update(
        text=f"Explain networking {n}")),
    "unit-title": lambda src, rng, n: _criteria(src, lambda f: f["units"][0].update(title=f"Networks {n}")),
    "entry-add": lambda src, rng, n: _add_entry(src, rng, n),
    "entry-delete": lambda src, rng, n: _delete_entry(src, rng),
}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_equals_clean_over_every_field_kind(src, tmp_path, seed):
    """Every field kind edited (each once, in a random order, one to three per build), cached == clean."""
    rng = random.Random(seed)
    inc, clean = tmp_path / "site", tmp_path / "clean"
    cache = Cache(src / ".cache" / "portfolio")
    assert pipeline.build(src, inc, AS_OF, cache=cache).published
    plan = list(FIELD_EDITS)
    rng.shuffle(plan)
    done = []
    while plan:
        for _ in range(min(rng.randint(1, 3), len(plan))):
            name = plan.pop()
            FIELD_EDITS[name](src, rng, len(done))
            done.append(name)
        if rng.random() < 0.5:   # a new process reads the cache from disk; serve keeps one instance
            cache = Cache(src / ".cache" / "portfolio")
        result = pipeline.build(src, inc, AS_OF, cache=cache)
        shutil.rmtree(clean, ignore_errors=True)
        fresh = pipeline.build(src, clean, AS_OF)
        # an edit may make the records refuse to build (a name published without consent): then the clean
        # build refuses too, with the same findings, and the next edits go on from the site left as it was
        assert result.published == fresh.published, (done, result.errors, fresh.errors)
        if not result.published:
            assert result.diagnostics == fresh.diagnostics, done
            continue
        got, want = tree(inc), tree(clean)
        differ = sorted(p for p in set(got) | set(want) if got.get(p) != want.get(p))
        assert not differ, f"cached build differs in {differ} after edits {done}"


def test_nothing_changed_does_no_work_and_touches_nothing(src, tmp_path):
    out = tmp_path / "site"
    first = cached_build(src, out)
    assert first.stats["parsed"] > 0 and first.stats["rendered"] > 0
    before = {p: os.stat(out / p) for p in tree(out)}
    again = cached_build(src, out)
    assert again.stats["parsed"] == 0 and again.stats["rendered"] == 0
    assert again.stats["reused"] == first.stats["parsed"]
    after = {p: os.stat(out / p) for p in tree(out)}
    assert {p: (s.st_ino, s.st_mtime_ns) for p, s in before.items()} == \
           {p: (s.st_ino, s.st_mtime_ns) for p, s in after.items()}


def test_one_entry_edit_rerenders_its_pages_only(src, tmp_path):
    out = tmp_path / "site"
    first = cached_build(src, out)
    total = first.stats["rendered"]
    files = tree(out)
    edited = next(p for p in files if p.endswith("2026-02-20-council-chat.html"))
    other = next(p for p in files if p.endswith("2026-02-03-first-forum.html"))
    other_stat = os.stat(out / other)
    e = src / "entries" / "2026-02-20-council-chat.md"
    e.write_text(e.read_text() + "\nShe also mentioned the **carers' policy**.\n")
    again = cached_build(src, out)
    assert again.stats["parsed"] == 1
    assert 0 < again.stats["rendered"] < total
    assert b"carers" in (out / edited).read_bytes()
    st = os.stat(out / other)
    assert (st.st_ino, st.st_mtime_ns) == (other_stat.st_ino, other_stat.st_mtime_ns)


def test_a_hand_edited_output_file_is_repaired(src, tmp_path):
    out = tmp_path / "site"
    cached_build(src, out)
    victim = out / "index.html"
    victim.write_bytes(b"tampered")
    cached_build(src, out)
    assert tree(out) == clean_build(src, tmp_path / "clean")


def test_warm_check_reports_exactly_what_a_cold_check_does(src):
    # broken in several ways, so the per-file and the cross-file halves both have something to say
    (src / "entries" / "2026-03-01-broken.md").write_text("---\ntitle: [unclosed\n---\nBody\n")
    (src / "entries" / "2026-03-02-unknown.md").write_text(ENTRY.format(
        title="Unknown", day=2, contact="nobody-here", crit="9.9", body="x").replace("2026-02-02", "2026-03-02"))
    (src / "contacts" / "Bad Name.yaml").write_text("name: X\nstatus: maybe\n")
    cold = pipeline.check(src, AS_OF)
    cache = Cache(src / ".cache" / "portfolio")
    first = pipeline.check(src, AS_OF, cache)
    cache.save()
    warm_cache = Cache(src / ".cache" / "portfolio")
    warm = pipeline.check(src, AS_OF, warm_cache)
    assert warm_cache.stats["parsed"] == 0
    assert cold.diagnostics == first.diagnostics == warm.diagnostics
    rules = {d.rule for d in warm.diagnostics}
    assert {"yaml-syntax", "unknown-contact", "unknown-criterion", "schema"} <= rules


def test_a_reference_broken_by_another_file_is_still_found_warm(src):
    cache = Cache(src / ".cache" / "portfolio")
    assert not pipeline.check(src, AS_OF, cache).errors
    (src / "contacts" / "bea-khan.yaml").unlink()   # the entry that names her is unchanged
    result = pipeline.check(src, AS_OF, cache)
    assert [d.rule for d in result.errors] == ["unknown-contact"]


def _saved_cache(src: Path) -> Path:
    folder = src / ".cache" / "portfolio"
    cache = Cache(folder)
    pipeline.check(src, AS_OF, cache)
    cache.save()
    return folder


def test_the_cache_is_data_in_named_types(src):
    folder = _saved_cache(src)
    raw = (folder / STATE_FILE).read_bytes()
    assert raw.startswith(MAGIC + str(FORMAT).encode() + b"\n")
    warm = Cache(folder)
    assert warm.files and all(isinstance(r, FileRecord) for r in warm.files.values())
    rec = warm.files["entries/2026-02-03-first-forum.md"]
    assert rec.kind == "entry" and isinstance(rec.source, Source) and rec.checked[1] is True
    assert rec.source.key_pos and all(isinstance(k, tuple) for k in rec.source.key_pos)


def test_a_cache_from_another_generator_is_dropped_silently(src, capsys):
    folder = _saved_cache(src)
    magic, version, head, payload = (folder / STATE_FILE).read_bytes().split(b"\n", 3)
    header = json.loads(head)
    header["code"] = "another version"
    (folder / STATE_FILE).write_bytes(b"\n".join([magic, version, json.dumps(header).encode(), payload]))
    capsys.readouterr()
    assert Cache(folder).files == {}
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("damage", ["truncated", "flipped", "foreign", "other-format", "empty", "folder",
                                    "bad-shape"])
def test_a_corrupt_foreign_or_unreadable_cache_is_ignored_with_one_line(src, capsys, damage):
    folder = _saved_cache(src)
    state = folder / STATE_FILE
    raw = state.read_bytes()
    if damage == "truncated":
        state.write_bytes(raw[:-10])
    elif damage == "flipped":
        state.write_bytes(raw[:-5] + bytes([raw[-5] ^ 1]) + raw[-4:])
    elif damage == "foreign":
        state.write_bytes(b"PK\x03\x04 not ours at all")
    elif damage == "other-format":
        state.write_bytes(raw.replace(MAGIC + str(FORMAT).encode(), MAGIC + b"99", 1))
    elif damage == "empty":
        state.write_bytes(b"")
    elif damage == "folder":
        state.unlink()
        state.mkdir()
    else:   # a well-formed file whose payload is not the state's shape
        payload = marshal.dumps({"files": {"x": ("entry",)}}, 4)
        head = json.dumps({"code": code_digest(), "size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()})
        state.write_bytes(MAGIC + str(FORMAT).encode() + b"\n" + head.encode() + b"\n" + payload)
    capsys.readouterr()
    stale = Cache(folder)
    err = capsys.readouterr().err
    assert stale.files == {} and err.count("\n") == 1 and err.startswith("portfolio: note: ignoring the build cache")
    result = pipeline.check(src, AS_OF, stale)
    assert not result.errors and stale.stats["parsed"] > 0


def test_a_crafted_cache_runs_no_code(src, tmp_path):
    """The old cache was a pickle: a file crafted to run a command ran it. Neither a pickle in the old
    file's place nor one in the new file's, nor code objects inside a well-formed payload, run now."""
    folder = _saved_cache(src)
    sentinel = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {sentinel}",))

    import pickle
    code = compile(f"open({str(sentinel)!r}, 'w')", "x", "exec")
    (folder / "state.pickle").write_bytes(pickle.dumps(Exploit()))
    (folder / "templates").mkdir()
    (folder / "templates" / "__jinja2_x.cache").write_bytes(b"j2/" + marshal.dumps(code))   # old bytecode cache
    payload = marshal.dumps({"files": {}, "outputs": {}, "bodies": {"d": code}, "redactions": {"x": code},
                             "attachments": {}, "saved_at": 0}, 4)
    head = json.dumps({"code": code_digest(), "size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()})
    (folder / STATE_FILE).write_bytes(MAGIC + str(FORMAT).encode() + b"\n" + head.encode() + b"\n" + payload)
    cache = Cache(folder)
    assert pipeline.build(src, tmp_path / "site", AS_OF, cache=cache).published
    (folder / STATE_FILE).write_bytes(pickle.dumps(Exploit()))
    assert pipeline.build(src, tmp_path / "site", AS_OF, cache=Cache(folder, quiet=True)).published
    assert not sentinel.exists()
    assert not (folder / "state.pickle").exists()     # the old format's file is removed at the next save
    assert not (folder / "templates").exists()        # and so are compiled templates: they were code


def test_benchmark_smoke(tmp_path, capsys, monkeypatch):
    """The synthetic generator makes a valid portfolio and one tiny benchmark run (ours only) completes."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "benchmarks"))   # undone after the test
    import bench
    import synth
    portfolio = synth.generate(tmp_path / "syn", 20, seed=3)
    again = synth.generate(tmp_path / "syn2", 20, seed=3)
    assert tree(portfolio) == tree(again)                       # deterministic from the seed
    assert len(list((portfolio / "entries").glob("*.md"))) == 20
    assert len(list((portfolio / "contacts").glob("*.yaml"))) == 4
    words = len((sorted((portfolio / "entries").glob("*.md"))[0]).read_text().split("---\n", 2)[2].split())
    assert 300 <= words <= 700
    assert not pipeline.check(portfolio, AS_OF).errors
    assert bench.main(["--sizes", "20", "--ours-only", "--work", str(tmp_path / "bench")]) == 0
    out = capsys.readouterr().out
    assert "ours: cold build" in out and "ours: warm build" in out and "(failed)" not in out


def _check_titles(src: Path, cache: Cache) -> set:
    result = pipeline.check(src, AS_OF, cache)
    cache.save()
    return {e.title for e in result.model.entries}


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(src):
    """The cache trusts a file's recorded status only while its ctime is old: an edit that keeps the size
    and puts the mtime back (as some tools do) still changes the ctime, so the bytes are read again."""
    folder = src / ".cache" / "portfolio"
    assert "First forum meeting" in _check_titles(src, Cache(folder))
    entry = src / "entries" / "2026-02-03-first-forum.md"
    st = os.stat(entry)
    entry.write_text(entry.read_text().replace("First forum meeting", "Fifth forum meeting"))
    os.utime(entry, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(entry).st_size == st.st_size and os.stat(entry).st_mtime_ns == st.st_mtime_ns
    titles = _check_titles(src, Cache(folder))
    assert "Fifth forum meeting" in titles and "First forum meeting" not in titles


def test_a_file_changed_just_before_the_cache_was_saved_is_read_again(src, monkeypatch):
    """git's racy rule: a status recorded within RACY_NS of the save proves nothing, so the file is hashed."""
    folder = src / ".cache" / "portfolio"
    _check_titles(src, Cache(folder))
    reads = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self.name) or original(self))
    monkeypatch.setattr("generator.cache.RACY_NS", 10**15)   # every file counts as changed near the save
    _check_titles(src, Cache(folder))
    assert "2026-02-03-first-forum.md" in reads
    reads.clear()
    monkeypatch.setattr("generator.cache.RACY_NS", 0)        # none does: unchanged status is trusted
    _check_titles(src, Cache(folder))
    assert "2026-02-03-first-forum.md" not in reads
