"""The `personal-data` check: find personal data in everything the site publishes.

Read from the records as written (not the redacted model), so each finding points at the file,
line and column the learner must change: entry titles, bodies, every front-matter text, ids and
attachment paths; text attachments (published as they are); the contact fields the site publishes
(generator/privacy/fields.py); every text, id and key of portfolio.yaml but `checks`; frameworks.
Each text is normalised first (normalise.py), so spelling tricks do not hide anything.

With a memo (the build cache's `privacy`), a file is scanned again only when its bytes or what the
scan looks for (`Scanner.fingerprint`: every hidden name and part, kept name, allowed word and
detail, contact id and channel value, the tombstones) changed: its findings are kept by
(file digest, fingerprint), and an attachment's by the digest of its bytes.
"""
from __future__ import annotations

import difflib
from collections import Counter
import hashlib
import re
from pathlib import Path

from ..diagnostics import Diagnostic
from ..registry import finding
from . import fields, tombstone
from .detect import Known, channel_values, names, shapes
from .mentions import MENTION
from .normalise import line_col, normalise

TEXT_ATTACHMENTS = {".txt", ".md", ".markdown", ".csv", ".tsv", ".json", ".html", ".htm", ".xml", ".svg",
                    ".yaml", ".yml", ".ics", ".vcf", ".rtf", ".log"}
MAX_ATTACHMENT = 4 << 20
ENTRY_REFERENCES = {"contacts", "networks", "goals", "criteria"}   # ids, checked where they are defined

_KIND_OF = {"emails": "email", "urls": "profile", "phones": "phone", "literals": "channel"}   # Known.find's kinds
_DIGEST = re.compile(r"[0-9a-f]{32,}")
KIND_WORDS = {"email": "an e-mail address", "phone": "a phone number", "profile": "a profile URL"}
SHAPE_HINT = ("move it to the contact's `channels` (never published) and refer to the person as @contact-id; "
              "if it is public (an organisation's switchboard, say), list it in `checks.allow_personal_data`")


class Scanner:
    def __init__(self, sources, checks: dict):
        self.sources = sources
        self.root = Path(sources.root)
        people, keep, channels = [], [], []
        self.ids = set()
        for s in sources.contacts:
            if not isinstance(s.data, dict):
                continue
            self.ids.add(s.id)
            channels += [(s.id, v) for v in channel_values(s.data.get("channels"))]
            consent = s.data.get("consent") if isinstance(s.data.get("consent"), dict) else {}
            name = s.data.get("name") if isinstance(s.data.get("name"), str) else ""
            if consent.get("publish") is True and not consent.get("erasure_requested"):
                keep.append(name)
            else:
                people.append((s.id, name))
        pdata = sources.portfolio.data if sources.portfolio and isinstance(sources.portfolio.data, dict) else {}
        learner = pdata.get("learner") if isinstance(pdata.get("learner"), dict) else {}
        keep += [v for k, v in learner.items() if k in ("name", "assessor", "iqa") and isinstance(v, str)]
        allow_names = checks.get("allow_names") or []
        self.names = names(people, keep, allow_names)
        self.allowed = Known(checks.get("allow_personal_data") or [])
        # every contact's channel values in one matcher; a value found is reported for each contact
        # that has it, the contacts in the order they were read (which one a find names, when two share it)
        self.channels = Known()
        self.owners: dict = {}       # (kind as found, value) -> [contact id, ...]
        rank: dict = {}
        for cid, v in channels:
            k = Known([v])
            if k:
                rank.setdefault(cid, len(rank))
                self.channels.add(v)
                for attr, kind in _KIND_OF.items():
                    for value in getattr(k, attr):
                        if cid not in self.owners.setdefault((kind, value), []):
                            self.owners[(kind, value)].append(cid)
        self.rank = rank
        self.tombstones = tombstone.load(self.root)
        # `quiet` joins a record's texts: only while no channel value could itself span the joint
        self.joinable = not any(JOINT in lit for lit in self.channels.literals)
        self.fingerprint = hashlib.sha256(repr((
            "scan", 1, self.names.fingerprint(), self.channels.fingerprint(), sorted(self.owners.items()),
            self.allowed.fingerprint(), sorted(self.ids), self.tombstones.salt.hex(), sorted(self.tombstones.hashes),
            self.tombstones.problem)).encode()).hexdigest()
        self.diagnostics = []
        self._raw: dict = {}
        self.attachments: set = set()
        self.parts = True            # flag a first name or surname on its own (not in frameworks' wording)
        self.fixes: list = []        # (file, line, col, original text, contact id): names `--fix` can rewrite

    # -- what is found in one text ---------------------------------------------------------------
    def spans(self, text: str, mentions: bool):
        """[(start, end, kind, detail)] in the original `text`, overlapping finds merged (details first)."""
        norm = normalise(text)
        t = norm.text
        if mentions and "@" in t:   # `@contact-id` is how a learner names a person: not itself a name
            def mask(m):   # only a mention as the renderer reads it: lower case, as written
                a, b = norm.span(m.start(), m.end())
                return " " * len(m.group(0)) if m.group(1) in self.ids and norm.original[a:b] == m.group(0) \
                    else m.group(0)
            t = MENTION.sub(mask, t)
        found = []
        for s, e, kind, value in shapes(t):
            if not self.allowed.allows(kind, value):
                found.append((s, e, kind, None))
        found += self.channel_finds(t)
        if self.tombstones:
            found += self.tombstones.find(t)
        found += self.names.find(t, parts=self.parts)
        found.sort(key=lambda f: (f[0], -f[1]))
        out, end = [], -1
        for s, e, kind, detail in found:
            if s < end:
                continue
            end = e
            os_, oe = norm.span(s, e)
            out.append((os_, oe, kind, detail))
        return out

    def channel_finds(self, t: str) -> list:
        """(start, end, "channel", contact id) of every contact's channel value in normalised `t` but
        allowed ones: per contact in the order they were read, each as its own matcher would list them."""
        theirs = [(self.rank[cid], s, e, cid) for s, e, kind, value in self.channels.find(t)
                  if not self.allowed.allows(kind, value) for cid in self.owners[(kind, value)]]
        theirs.sort(key=lambda f: f[0])   # stable
        return [(s, e, "channel", cid) for _, s, e, cid in theirs]

    def quiet(self, values) -> bool:
        """True when none of the texts `values` can give a finding, as `text` reads them: then none need
        be read on its own. A record holds a dozen short texts and a few have findings: the texts are
        joined by JOINT and read once, without `@contact-id` mentions masked (which only takes finds
        away). No finder crosses the joint: `<` ends every shape, URL and separator run of a name, and
        the entity, percent and escape spellings `normalise` undoes; each text's own finds are
        therefore found in the whole, where a find that spans texts can only add one. A text with `@`
        is read on its own (its mentions are checked)."""
        values = list(values)
        if not self.joinable or any("@" in v for v in values):
            return False
        return not self.spans(JOINT.join(values), False)

    def strings(self, data, path, skip):
        """(path, text) of every string `walk(..., keys=False)` would read under `data`, in its order."""
        if skip(path):
            return
        if isinstance(data, str):
            yield path, data
        elif isinstance(data, list):
            for i, v in enumerate(data):
                yield from self.strings(v, path + (i,), skip)
        elif isinstance(data, dict):
            for k, v in data.items():
                yield from self.strings(v, path + (k,), skip)

    def texts(self, data, path, skip, out: list) -> list:
        """The texts of `strings(data, path, skip)`, in its order, appended to `out` (without a generator
        per level: an entry's front matter is walked for every entry)."""
        if skip(path):
            return out
        if isinstance(data, str):
            out.append(data)
        elif isinstance(data, list):
            for i, v in enumerate(data):
                self.texts(v, path + (i,), skip, out)
        elif isinstance(data, dict):
            for k, v in data.items():
                self.texts(v, path + (k,), skip, out)
        return out

    # -- reporting ---------------------------------------------------------------------------------
    def report(self, file: str, pos, kind: str, detail, where: str, attachment: bool = False,
               fix: str | None = None) -> None:
        """`fix`: the original text, when it sits exactly at `pos` and may be rewritten as a mention."""
        if fix is not None and kind == "name" and len(detail) == 1 and not attachment:
            self.fixes.append((file, pos[0], pos[1], fix, detail[0]))
        if kind == "name":
            ids = ", ".join(detail)
            mention = " or ".join(f"@{i}" for i in detail)
            message = f"{where} names a contact who has not agreed to be named ({ids})"
            hint = (f"write {mention} instead: the site shows their pseudonym, linked to their page "
                    "(`portfolio check --fix` does it); a word that only looks like a name goes in "
                    "`checks.allow_names`")
            if attachment:
                hint = ("attachments are published as they are: remove the name or write the contact's "
                        "initials; a word that only looks like a name goes in `checks.allow_names`")
        elif kind == "channel":
            message = f"{where} holds a contact detail of {detail} (one of its `channels`)"
            hint = f"remove it: `channels` are never published; refer to the person as @{detail}"
        elif kind == "erased":
            message = f"{where} names or holds a contact detail of a contact who was erased ({tombstone.FILE})"
            hint = "remove it: the person asked to be forgotten"
        else:
            message = f"{where} holds {KIND_WORDS[kind]}"
            hint = SHAPE_HINT
        subject = detail[0] if kind == "name" and len(detail) == 1 else (detail if kind == "channel" else None)
        self.diagnostics.append(finding("personal-data", file, pos, message, subject, hint))

    def text(self, source, path, value: str, where: str, mentions: bool = True) -> None:
        """A YAML string at `path` of `source`: findings point into the file when the text is found there."""
        if _DIGEST.fullmatch(value):
            return   # a content hash (assessment records bind evidence by SHA-256): not text
        for s, e, kind, detail in self.spans(value, mentions):
            pos, exact = self._locate(source, path, value[s:e], value, s)
            self.report(source.file, pos, kind, detail, where, fix=value[s:e] if exact and mentions else None)
        if mentions and "@" in value:
            for m, cid, guess in self.unknown_mentions(value):
                pos, _ = self._locate(source, path, m.group(0), value, m.start())
                self.unknown(source.file, pos, cid, guess)

    def body(self, source, text: str, first_line: int, where: str, mentions: bool, attachment=False) -> None:
        for s, e, kind, detail in self.spans(text, mentions):
            self.report(source if isinstance(source, str) else source.file, line_col(text, s, first_line),
                        kind, detail, where, attachment, fix=text[s:e] if mentions else None)
        if mentions and "@" in text:
            for m, cid, guess in self.unknown_mentions(text):
                self.unknown(source.file, line_col(text, m.start(), first_line), cid, guess)

    def unknown_mentions(self, text: str):
        """`@word` that is no contact's id but reads as one: a hyphenated id, or one close to a contact's."""
        for m in MENTION.finditer(text):
            cid = m.group(1)
            if cid in self.ids:
                continue
            guess = difflib.get_close_matches(cid, sorted(self.ids), n=1, cutoff=0.75)
            if guess or "-" in cid:
                yield m, cid, guess[0] if guess else None

    def unknown(self, file, pos, cid, guess) -> None:
        message = f"@{cid} mentions no contact" + (f" (did you mean @{guess}?)" if guess else "")
        self.diagnostics.append(finding("unknown-contact", file, pos, message, subject=cid))

    def _locate(self, source, path, found: str, value: str, offset: int):
        line, col = source.value_at(path)
        raw = self._raw_lines(source)
        if raw is None or not (0 < line <= len(raw)):
            return (line, col), False
        first = raw[line - 1]
        # a plain or quoted scalar on one line: the offset carries over (quotes shift it by one)
        start = col - 1 + (1 if first[col - 1:col] in ("'", '"') else 0)
        if first[start:start + len(value)] == value:
            return (line, start + 1 + offset), True
        # a block or folded scalar: look for the text on the lines that follow
        for i in range(line - 1, min(len(raw), line + value.count("\n") + 1 + len(value) // 40 + 2)):
            at = raw[i].find(found)
            if at != -1:
                return (i + 1, at + 1), True
        return (line, col), False

    def _raw_lines(self, source):
        if source.file not in self._raw:
            try:
                self._raw[source.file] = (self.root / source.file).read_text("utf-8", errors="replace").split("\n")
            except OSError:
                self._raw[source.file] = None
        return self._raw[source.file]

    def walk(self, source, data, path, where_of, skip=lambda path: False, keys=True) -> None:
        """Every string (and mapping key) under `data`."""
        if skip(path):
            return
        if isinstance(data, str):
            self.text(source, path, data, where_of(path))
        elif isinstance(data, list):
            for i, v in enumerate(data):
                self.walk(source, v, path + (i,), where_of, skip, keys)
        elif isinstance(data, dict):
            for k, v in data.items():
                if keys and isinstance(k, str) and not skip(path + (k,)):
                    for s, e, kind, detail in self.spans(k, False):
                        self.report(source.file, source.pos(path + (k,)), kind, detail, f"the key '{k}'")
                self.walk(source, v, path + (k,), where_of, skip, keys)


JOINT = "\n<\n"   # between the texts `Scanner.quiet` reads at once


def _never(path) -> bool:
    return False


def _where(path) -> str:
    shown = ".".join(str(p) for p in path if not isinstance(p, int)) or "the record"
    return f"`{shown}`"


def scan(sources, checks: dict, memo: dict | None = None) -> list:
    """Every `personal-data` finding in what the site would publish. `memo` (kept between runs by the
    build cache) holds each file's findings by (file digest, fingerprint): only changed files are read."""
    return scanner(sources, checks, memo).diagnostics


# Files (and text attachments) scanned, not recalled from the memo, in this process: tests count the work here
SCANNED: Counter = Counter()


class _Memo:
    """Each unit's findings (and `--fix` rewrites) by key; what this run did not ask for is forgotten."""

    def __init__(self, sc: Scanner, store: dict | None):
        self.sc, self.store, self.used = sc, store, {}

    def run(self, name: str, key, work) -> None:
        sc = self.sc
        if self.store is None:
            return work()
        hit = self.store.get(name)
        if hit is not None and hit[0] == key:
            sc.diagnostics.extend(Diagnostic(*row) for row in hit[1])
            sc.fixes.extend(tuple(f) for f in hit[2])
            self.used[name] = hit
            return
        d, f = len(sc.diagnostics), len(sc.fixes)
        SCANNED[name] += 1
        work()
        self.used[name] = (key, [tuple(vars(x).values()) for x in sc.diagnostics[d:]], list(sc.fixes[f:]))

    def close(self) -> None:
        if self.store is not None:
            self.store.clear()
            self.store.update(self.used)


def scanner(sources, checks: dict, memo: dict | None = None) -> Scanner:
    sc = Scanner(sources, checks)
    units = _Memo(sc, memo)
    fp = sc.fingerprint
    if sc.tombstones.problem:
        sc.diagnostics.append(finding("personal-data", tombstone.FILE, (1, 1), sc.tombstones.problem))
    p = sources.portfolio
    if p is not None and isinstance(p.data, dict):
        units.run(p.file, (p.digest, fp), lambda: sc.walk(
            p, p.data, (), _where, skip=lambda path: path[:1] in (("checks",), ("qualification",))))
    for s in sources.contacts:
        if not isinstance(s.data, dict):
            continue
        consent = s.data.get("consent") if isinstance(s.data.get("consent"), dict) else {}
        if consent.get("erasure_requested"):
            continue   # never published (erased-contact stands until the file is gone)
        units.run(s.file, (s.digest, fp), lambda s=s, consent=consent: _contact(sc, s, consent))
    early = getattr(sources, "early", {})
    for s in sources.entries:
        done = early.pop(s.file, (None, None))[1]   # scanned where it was loaded (Prescan): taken once
        if not isinstance(s.data, dict):
            continue
        attached = _attached(sc, s)
        units.run(s.file, (s.digest, fp, attached), lambda s=s, attached=attached, done=done: _entry_once(
            sc, s, attached, done))
        for _, rel in attached:   # attachments are copied as they are
            if (sc.root / rel).suffix.lower() in TEXT_ATTACHMENTS and rel not in sc.attachments:
                sc.attachments.add(rel)
                data = _attached_bytes(sc, rel)
                if data is not None:
                    units.run(rel, (hashlib.sha256(data).hexdigest(), fp), lambda rel=rel, data=data: sc.body(
                        rel, data.decode("utf-8", errors="replace"), 1, "the attachment", mentions=False,
                        attachment=True))
    for s in [*getattr(sources, "assessments", []), *getattr(sources, "iqa", [])]:
        if isinstance(s.data, dict):   # assessors' feedback and the learner's replies are published too
            units.run(s.file, (s.digest, fp), lambda s=s: sc.quiet(
                v for _, v in sc.strings(s.data, (), _record_reference)) or sc.walk(
                s, s.data, (), _where, keys=False, skip=_record_reference))
    sc.parts = False   # an awarding body's wording: "price" there is not Owen Price
    for s in sources.frameworks:
        if isinstance(s.data, dict):
            units.run(s.file, (s.digest, fp), lambda s=s: sc.quiet(
                v for _, v in sc.strings(s.data, (), _never)) or sc.walk(s, s.data, (), _where, keys=False))
    units.close()
    return sc


def _attached(sc: Scanner, s) -> list:
    """(index, path) of the entry's attachments that would be published."""
    listed = s.data.get("attachments")
    if not isinstance(listed, list):   # none, or not a list: the schema reports it; nothing is published
        return []
    return [(i, att["path"]) for i, att in enumerate(listed)
            if isinstance(att, dict) and isinstance(att.get("path"), str) and _publishable(sc, att["path"])]


class Prescan:
    """The entries' check run where they are loaded (generator/load.py, on both cores), before the model is
    built: the load reads portfolio.yaml and the contacts first, makes a `Scanner` from them with the
    `checks` the model will have, and `entry` gives each entry's findings and `--fix` rewrites (kept in
    `Sources.early`).
    `scan` takes them only when its own scanner's fingerprint and the entry's attachments are the ones they
    were found with (else, and for anything else, it reads the entry itself): the same findings in the same
    order either way (tests/test_load_early.py). Each worker makes its Sources, so reading them copies
    no memory the workers share (unlike a fork of the finished load: docs/performance.md)."""

    def __init__(self, sc: Scanner):
        self.sc = sc
        self.nothing = ((sc.fingerprint, ()), (), ())

    @classmethod
    def of(cls, sources) -> "Prescan | None":
        """For `sources` holding portfolio.yaml and the contacts; None when the model would not be built."""
        p = sources.portfolio
        if p is None or not isinstance(p.data, dict) or not isinstance(p.data.get("checks") or {}, dict):
            return None
        from ..model import default_checks   # as model.build makes `checks`
        try:
            return cls(Scanner(sources, {**default_checks(), **(p.data.get("checks") or {})}))
        except Exception:   # noqa: BLE001 - records the model refuses: `scan` (if it runs) says what it finds
            return None

    def entry(self, s):
        """(what it was found with, findings, fixes), or None when `scan` must read the entry itself."""
        if not isinstance(s.data, dict):
            return None
        sc = self.sc
        d, f = len(sc.diagnostics), len(sc.fixes)
        try:
            attached = tuple(_attached(sc, s))
            _entry(sc, s, attached)
            if not attached and len(sc.diagnostics) == d and len(sc.fixes) == f:
                return self.nothing   # most entries: one tuple for all of them
            return (sc.fingerprint, attached), tuple(sc.diagnostics[d:]), tuple(sc.fixes[f:])
        except Exception:   # noqa: BLE001 - a record `scan` would stop at: there it happens as before
            return None
        finally:
            del sc.diagnostics[d:], sc.fixes[f:]


def _entry_once(sc: Scanner, s, attached, done) -> None:
    """`_entry`, or what Prescan found with the same scanner and attachments."""
    if done is not None and done[0] == (sc.fingerprint, tuple(attached)):
        sc.diagnostics.extend(done[1])
        sc.fixes.extend(done[2])
        return
    _entry(sc, s, attached)


def _contact(sc: Scanner, s, consent: dict) -> None:
    texts = list(fields.walk_published(s.data, consent.get("publish") is True))
    if sc.quiet(value for _, value in texts):
        return
    for path, value in texts:
        sc.text(s, path, value, _where(path))


def _entry(sc: Scanner, s, attached) -> None:
    # the page address is the file name with every hidden name part cut (redact.py); a full name
    # there is still an error, as the file name is the learner's to change
    sc.parts = False
    for st, en, kind, detail in sc.spans(s.id, False):
        sc.report(s.file, (1, 1), kind, detail, "the entry's file name (its page address)")
    sc.parts = True
    if not sc.quiet(sc.texts(s.data, (), _entry_skip, [])):
        sc.walk(s, s.data, (), _where, keys=False, skip=_entry_skip)
    sc.body(s, s.body or "", s.body_line, "the entry's text", mentions=True)
    for i, rel in attached:   # the file name is published (slugged): no mentions
        sc.text(s, ("attachments", i, "path"), rel, "the attachment's file name", mentions=False)


ASSESSMENT_REFERENCES = {"path", "entry", "entries", "criteria", "criterion", "sha256", "assessor", "iqa", "by"}


def _record_reference(path) -> bool:
    """An id, path or hash in an assessment or IQA record (checked where the record it names is written)."""
    keys = [k for k in path if isinstance(k, str)]
    return bool(keys) and keys[-1] in ASSESSMENT_REFERENCES


def _entry_skip(path) -> bool:
    return bool(path) and (path[0] in ENTRY_REFERENCES or path[:2] == ("witness", "contact")
                           or (path[0] == "attachments" and path[-1:] == ("path",)))


def _publishable(sc: Scanner, rel: str) -> bool:
    """Would validation let this attachment be published? (Records, hidden files and paths outside are refused.)"""
    parts = Path(rel).parts
    if not parts or parts[0] in ("contacts", "entries", "criteria", "portfolio.yaml") \
            or any(p.startswith(".") for p in parts):
        return False
    try:
        return (sc.root / rel).resolve().is_relative_to(sc.root.resolve())
    except (OSError, RuntimeError, ValueError):
        return False


def _attached_bytes(sc: Scanner, rel: str) -> bytes | None:
    """A text attachment's bytes; None when it is missing (missing-attachment says so) or too large."""
    path = sc.root / rel
    try:
        if not path.is_file() or path.stat().st_size > MAX_ATTACHMENT:
            return None
        return path.read_bytes()
    except OSError:
        return None
