"""`@contact-id`: how a learner refers to a person, shown as their published name or pseudonym.

In Markdown text a mention becomes a link to the contact's page (`[P.S.](mention:c-p-s)`,
which generator/render/markdown.py turns into a relative link); in plain text it becomes the name
alone. The private id (the file name, which usually spells the name) never reaches the site.
"""
from __future__ import annotations

import datetime as dt
import re

from ..new import slug

MENTION = re.compile(r"(?<![\w@.])@([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?![\w-])")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>!])")


class Mentions:
    def __init__(self, contacts):
        """`contacts`: model Contacts (id, key, display_name)."""
        self.table = {c.id: (c.display_name, c.key) for c in contacts}

    def __bool__(self):
        return bool(self.table)

    def plain(self, text):
        if not self.table or not isinstance(text, str) or "@" not in text:
            return text
        return MENTION.sub(lambda m: self.table[m.group(1)][0] if m.group(1) in self.table else m.group(0), text)

    def markdown(self, text):
        if not self.table or not isinstance(text, str) or "@" not in text:
            return text

        def link(m):
            if m.group(1) not in self.table:
                return m.group(0)
            name, key = self.table[m.group(1)]
            return "[" + _MD_SPECIAL.sub(r"\\\1", name) + f"](mention:{key})"
        return MENTION.sub(link, text)

    def fingerprint(self) -> list:
        return sorted(self.table.items())


def pseudonym_key(pseudonym: str) -> str:
    """The public key of an unpublished contact, made from its pseudonym alone ("T.O. (2)" -> "c-t-o-2"),
    so the page address tells no more than the page: a hash of the private id would not do, since ids
    are name slugs and anyone can hash a guessed name. The `c-` prefix keeps it apart from the
    published contacts' keys (their ids), which are names."""
    return "c-" + slug(pseudonym)


def unique_pseudonyms(contacts, initials, entered) -> None:
    """Give every unpublished contact a pseudonym unique in the portfolio, and its key (`pseudonym_key`):
    their initials, and on a clash (two T.O.s) a number after the second and later. The number follows
    the order the contacts entered the portfolio (`entered(c)`: a date, or None, which goes last; then the
    id), so a contact met later gets the next number and never renumbers those already there. A number is
    also added when two pseudonyms would make the same key (initials that are not ASCII letters)."""
    names = {c.display_name for c in contacts if c.published}
    keys = {c.key for c in contacts if c.published}
    hidden = [c for c in contacts if not c.published]
    when = {id(c): entered(c) for c in hidden}
    for c in sorted(hidden, key=lambda c: (when[id(c)] is None, when[id(c)] or dt.date.min, c.id)):
        base = initials(c)
        name, n = base, 1
        while name in names or pseudonym_key(name) in keys:
            n += 1
            name = f"{base} ({n})"
        names.add(name)
        keys.add(pseudonym_key(name))
        c.display_name, c.key = name, pseudonym_key(name)
