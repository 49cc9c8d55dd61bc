"""`portfolio erase CONTACT-ID`: carry out a contact's right to erasure, and keep it carried out.

1. Read the contact's name and channel values, and record them in erased.yaml as keyed hashes only
   (tombstone.py), so the personal-data check still catches a later mention.
2. Delete contacts/CONTACT-ID.yaml.
3. Remove every reference: the id from entries' `contacts:`, a `witness` who was the contact,
   `introduced_by` in other contacts; and in every record's text replace `@CONTACT-ID` and every
   written form of the name (full name, first name, surname) with "a former contact".

Edits are made to the text of each file so its layout and comments survive; a file whose data would
not come out right that way has its front matter rewritten whole. Every change is printed. Running
it again changes nothing (idempotent).
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path

import yaml

from ..failures import Failure
from ..load import load
from . import tombstone
from .detect import Names, channel_values
from .normalise import normalise

REPLACEMENT = "a former contact"


def _front(text: str):
    """(front matter text, rest) of an entry, or (None, text)."""
    if not text.startswith("---"):
        return None, text
    m = re.search(r"^---[ \t]*$", text[3:], re.M)
    if not m:
        return None, text
    end = 3 + m.start()
    return text[:end], text[end:]


def _drop_id(front: str, cid: str) -> str:
    """Remove `cid` from a `contacts:` list (flow or block), drop a `witness` who is `cid`, and an
    `introduced_by: cid` line, keeping everything else as written."""
    esc = re.escape(cid)
    item = rf"""(?:{esc}|'{esc}'|"{esc}")"""
    # flow list: contacts: [a, cid, b]
    front = re.sub(rf"^(\s*contacts:\s*\[)([^\]\n]*)\]", lambda m: m.group(1) + ", ".join(
        x.strip() for x in m.group(2).split(",") if x.strip() and not re.fullmatch(item, x.strip())) + "]",
        front, flags=re.M)
    # block list items under contacts: (a "- cid" line)
    front = re.sub(rf"^(\s*contacts:[ \t]*\n)((?:[ \t]*-[ \t]*[^\n]*\n)*)", lambda m: m.group(1) + "".join(
        line for line in m.group(2).splitlines(True) if not re.fullmatch(rf"[ \t]*-[ \t]*{item}[ \t]*\n?", line)),
        front, flags=re.M)
    # witness: {contact: cid, ...} on one line, or a block whose contact is cid
    front = re.sub(rf"^witness:[ \t]*\{{[^\n]*\bcontact:[ \t]*{item}[^\n]*\}}[ \t]*\n", "", front, flags=re.M)
    front = re.sub(rf"^witness:[ \t]*\n(?=(?:[ \t]+[^\n]*\n)*?[ \t]+contact:[ \t]*{item}[ \t]*\n)(?:[ \t]+[^\n]*\n)+",
                   "", front, flags=re.M)
    front = re.sub(rf"^introduced_by:[ \t]*{item}[ \t]*(?:#[^\n]*)?\n", "", front, flags=re.M)
    return front


def _replace_names(text: str, cid: str, names: Names | None) -> str:
    text = re.sub(rf"(?<![\w@.])@{re.escape(cid)}(?![\w-])", REPLACEMENT, text)
    if names is None:
        return text
    norm = normalise(text)
    spans = [norm.span(s, e) for s, e, _, _ in names.find(norm.text)]
    for a, b in sorted(spans, reverse=True):
        text = text[:a] + REPLACEMENT + text[b:]
    return text


def _references(data, cid: str) -> bool:
    if not isinstance(data, dict):
        return False
    contacts = data.get("contacts") if isinstance(data.get("contacts"), list) else []
    witness = data.get("witness") if isinstance(data.get("witness"), dict) else {}
    return cid in contacts or witness.get("contact") == cid or data.get("introduced_by") == cid


def _rewrite_front(front: str, cid: str) -> str:
    """The fallback: the front matter parsed, the references removed, and written out again."""
    data = yaml.safe_load(front[3:]) or {}
    if isinstance(data.get("contacts"), list):
        data["contacts"] = [c for c in data["contacts"] if c != cid]
    if isinstance(data.get("witness"), dict) and data["witness"].get("contact") == cid:
        del data["witness"]
    if data.get("introduced_by") == cid:
        del data["introduced_by"]
    return "---\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def erase(root: Path, cid: str, out, today: dt.date | None = None) -> int:
    """Erase contact `cid` from the portfolio at `root`; print each change to `out`. Returns the number of changes."""
    root = Path(root)
    sources = load(root, [])
    contact = next((s for s in sources.contacts if s.id == cid), None)
    if contact is None and not _referred(root, sources, cid) and not tombstone.load(root).erased(cid):
        raise _no_such_contact(sources, cid)     # a typo: say so, and write nothing
    changes = 0
    names = None
    if contact is not None and isinstance(contact.data, dict):
        name = contact.data.get("name") if isinstance(contact.data.get("name"), str) else ""
        channels = contact.data.get("channels")   # any shape: every value in it is remembered (fail closed)
        path = tombstone.record(root, name, channels, today or dt.date.today(), cid)
        count = sum(1 for _ in channel_values(channels))
        print(f"{path.name}: recorded a tombstone (hashes of the name and {count} contact "
              f"detail{'s' if count != 1 else ''}; no clear text)", file=out)
        names = Names([(cid, name)], keep=_keep(sources, cid))
        (root / contact.file).unlink()
        print(f"{contact.file}: deleted", file=out)
        changes += 2
    for s in [*sources.entries, *sources.contacts, *([sources.portfolio] if sources.portfolio else [])]:
        if s is contact or not (root / s.file).is_file():
            continue
        path = root / s.file
        before = path.read_text("utf-8")
        front, rest = _front(before) if s.kind == "entry" else (None, before)
        if front is not None:
            new_front = _drop_id(front, cid)
            if _references(yaml.safe_load(new_front[3:]) if _parses(new_front) else None, cid) or not _parses(new_front):
                new_front = _rewrite_front(front, cid)
            after = _replace_names(new_front, cid, names) + _replace_names(rest, cid, names)
        else:
            text = _drop_id(before, cid) if s.kind == "contact" else before
            after = _replace_names(text, cid, names)
        if after != before:
            path.write_text(after, "utf-8")
            changes += 1
            print(f"{s.file}: removed the references to {cid} and replaced their name with "
                  f"\"{REPLACEMENT}\"", file=out)
    if not changes:
        print(f"nothing to erase: {cid} was erased before (erased.yaml holds its hashes) and nothing refers "
              f"to it", file=out)
    return changes


def _referred(root: Path, sources, cid: str) -> bool:
    """Does any record still name `cid` (a reference or an @mention), e.g. after its file was deleted by hand?"""
    mention = re.compile(rf"(?<![\w@.])@{re.escape(cid)}(?![\w-])")
    for s in [*sources.entries, *sources.contacts, *([sources.portfolio] if sources.portfolio else [])]:
        if _references(s.data, cid):
            return True
        try:
            if mention.search((root / s.file).read_text("utf-8")):
                return True
        except (OSError, UnicodeDecodeError):
            continue
    return False


def _no_such_contact(sources, cid: str) -> Failure:
    close = difflib.get_close_matches(cid, sorted(s.id for s in sources.contacts), n=1)
    hint = (f"did you mean {close[0]}? " if close else "") + "give the contact's id: its file name in contacts/ " \
        "without .yaml"
    return Failure(f"contacts/{cid}.yaml", f"no contact '{cid}' to erase: there is no such file, no record "
                   "refers to it and it was not erased before; nothing was changed", hint, status=2)


def _parses(front: str) -> bool:
    try:
        yaml.safe_load(front[3:])
        return True
    except yaml.YAMLError:
        return False


def _keep(sources, cid: str) -> list:
    """Names of people who stay (the learner, assessors, other contacts): their name parts are not replaced."""
    keep = []
    p = sources.portfolio.data if sources.portfolio and isinstance(sources.portfolio.data, dict) else {}
    learner = p.get("learner") if isinstance(p.get("learner"), dict) else {}
    keep += [v for k, v in learner.items() if k in ("name", "assessor", "iqa") and isinstance(v, str)]
    keep += [s.data.get("name") for s in sources.contacts
             if s.id != cid and isinstance(s.data, dict) and isinstance(s.data.get("name"), str)]
    return keep
