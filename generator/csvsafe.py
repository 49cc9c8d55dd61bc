"""Every CSV the tool writes goes through here, so no cell can run as a spreadsheet formula.

A spreadsheet program treats a cell that starts with `=`, `+`, `-` or `@` as a formula (and
some strip a leading tab or carriage return first, then do the same): a learner's title such
as `=HYPERLINK("http://…")` would become a live link or worse in the assessor's spreadsheet.
Following OWASP's advice on CSV injection, such a cell is written with a leading `'`, which
every spreadsheet shows as text and hides. Plain numbers (`-3`, `+1.5`, `2e3`) are left as they
are: they cannot run, and an assessor may want to sum them. The full-width forms of the
trigger characters are included: some spreadsheets (East Asian locales) read them as the
ASCII ones.
"""
from __future__ import annotations

import csv
import io
import re

TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def cell(value) -> str:
    """One cell as text that no spreadsheet will evaluate."""
    text = "" if value is None else str(value)
    if not text:
        return text
    stripped = text.lstrip(" ")     # " =1+1" is evaluated by some programs too
    if stripped and stripped[0] in TRIGGERS and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_bytes(rows, bom: bool = False) -> bytes:
    """`rows` (iterables of cells) as CSV: RFC 4180 line ends, UTF-8, every cell made safe by `cell`.

    `bom` prefixes a byte-order mark, which makes spreadsheet programs read UTF-8 correctly
    (for a file meant to be opened by hand; the site's own CSVs stay BOM-free for scripts)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return buf.getvalue().encode("utf-8-sig" if bom else "utf-8")
