"""Tombstones: what stays of an erased contact, so a later mention of them is still caught.

`erased.yaml` at the portfolio's root (commit it with the records) holds a random salt and, per
erased contact, the date and keyed hashes (BLAKE2b, keyed with the salt) of the normalised forms
of their name (full name, each part) and of each channel value. No clear text is kept: the file
says that someone was erased and when, not who. The personal-data check hashes every word, pair
and triple of words and every contact detail it reads, and flags a match.

Schema (version 1):

    version: 1
    salt: <64 hex digits>
    erased:
      - date: YYYY-MM-DD
        hashes: [<32 hex digits>, ...]
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from pathlib import Path

import yaml

from .detect import EMAIL, URL, Known, bare_url, channel_values, name_parts, shapes
from .normalise import skeleton

FILE = "erased.yaml"
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


class Tombstones:
    def __init__(self, salt: bytes, entries: list, problem: str | None = None):
        self.salt, self.entries, self.problem = salt, entries, problem
        self.hashes = {h for e in entries for h in e.get("hashes", [])}

    def digest(self, form: str) -> str:
        return hashlib.blake2b(form.encode("utf-8"), key=self.salt, digest_size=16).hexdigest()

    def contact_digest(self, cid: str) -> str:
        return self.digest("contact-id:" + cid)

    def erased(self, cid: str) -> bool:
        """Was the contact with this id erased (by a `portfolio erase` that kept its id's hash)?"""
        return bool(self.salt) and any(e.get("contact") == self.contact_digest(cid) for e in self.entries)

    def __bool__(self):
        return bool(self.hashes)

    def find(self, text: str):
        """(start, end, kind, None) of every word run or contact detail in normalised `text` whose hash
        is a tombstone's."""
        out = []
        words = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]
        for i in range(len(words)):
            for n in (3, 2, 1):
                run = words[i:i + n]
                if len(run) < n:
                    continue
                if self.digest(" ".join(w for _, _, w in run)) in self.hashes:
                    out.append((run[0][0], run[-1][1], "erased", None))
                    break
        for s, e, kind, value in shapes(text):
            if self.digest(value) in self.hashes:
                out.append((s, e, "erased", None))
        for m in URL.finditer(text):
            if self.digest(bare_url(m.group(0))) in self.hashes:
                out.append((m.start(), m.end(), "erased", None))
        return out

    def forms(self, name: str, channels) -> list[str]:
        """The hashes to keep for a contact: name forms and channel values, normalised as the check reads them."""
        parts = name_parts(name)
        forms = {" ".join(parts)} | {p for p in parts if len(p) >= 2}
        known = Known(channel_values(channels))
        forms |= known.emails | known.phones | known.urls | known.literals
        return sorted(self.digest(f) for f in forms if f)


def load(root: Path) -> Tombstones:
    """The portfolio's tombstones; an unreadable file is reported through `problem`, never ignored."""
    path = Path(root) / FILE
    if not path.is_file():
        return Tombstones(b"", [])
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
        salt = bytes.fromhex(data["salt"])
        entries = [e for e in data.get("erased") or [] if isinstance(e, dict)]
        if data.get("version") != 1 or len(salt) < 16 or not all(
                isinstance(h, str) for e in entries for h in e.get("hashes", [])):
            raise ValueError("unexpected content")
        return Tombstones(salt, entries)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
        return Tombstones(b"", [], problem=f"{FILE} cannot be read ({exc.__class__.__name__}): restore it from "
                                          "version control; without it, erased contacts are not caught")


def record(root: Path, name: str, channels, when: dt.date, cid: str | None = None) -> Path:
    """Add one erased contact's hashes to erased.yaml (made, with a fresh salt, when absent). `cid`, the
    contact's id, is kept as a salted hash too (`contact`), so erasing it again is known to be a repeat,
    not a typo (never used to find mentions)."""
    path = Path(root) / FILE
    current = load(root)
    if current.problem:
        raise ValueError(current.problem)
    if not current.salt:
        current = Tombstones(secrets.token_bytes(32), [])
    hashes = current.forms(name, channels)
    entries = list(current.entries)
    same = next((e for e in entries if set(hashes) <= set(e.get("hashes", []))), None)
    if same is None:
        same = {"date": when.isoformat(), "hashes": hashes}
        entries.append(same)
    if cid:
        same["contact"] = current.contact_digest(cid)
    doc = ("# Erased contacts (portfolio erase): salted hashes of their names and contact details, no clear\n"
           "# text. Keep this file: `portfolio check` uses it to catch any later mention. See docs/privacy.md.\n")
    doc += yaml.safe_dump({"version": 1, "salt": current.salt.hex(), "erased": entries}, sort_keys=False,
                          default_flow_style=False, width=100)
    path.write_text(doc, "utf-8")
    return path


__all__ = ["FILE", "Tombstones", "load", "record", "skeleton", "EMAIL"]
