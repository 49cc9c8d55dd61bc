"""`@contact-id`: how a learner refers to a person, shown as their published name or pseudonym.

In Markdown text a mention becomes a link to the contact's page (`[P.S.](mention:c-1b95383106)`,
which generator/render/markdown.py turns into a relative link); in plain text it becomes the name
alone. The private id (the file name, which usually spells the name) never reaches the site.
"""
from __future__ import annotations

import re

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


def unique_pseudonyms(contacts, initials) -> None:
    """Give every unpublished contact a pseudonym unique in the portfolio: their initials, and on a clash
    (two T.O.s) a number after the second and later, in a stable order (by public key)."""
    taken = {c.display_name for c in contacts if c.published}
    for c in sorted((c for c in contacts if not c.published), key=lambda c: c.key):
        base = initials(c)
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base} ({n})"
        taken.add(name)
        c.display_name = name
