"""The model's types: typed objects built once from valid records, every reference resolved both ways.

Later stages (analyse, render) see only these objects. They carry positions, not data: each
object keeps its file and key path, and an `Origin` that can point a finding at any key under it
(line and column, from the parser) but holds none of the record's raw YAML. Contact `channels`
and real names are never copied in, so no template or report can reach them (generator/model.py
keeps the names aside for redaction only).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from .load import Positions
from .positions import PositionIndex


@dataclass(frozen=True, eq=False)
class Origin(Positions):
    """Where a record came from: its file, content digest and the parser's positions of its keys and
    values. Deliberately not the data itself: raw YAML stays inside the load and validate stages."""

    file: str
    digest: str = ""
    index: PositionIndex = field(default_factory=PositionIndex, repr=False)   # shared with the Source

    @classmethod
    def of(cls, source) -> "Origin":
        return cls(source.file, source.digest, source.index)


def date(value) -> dt.date | None:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def add_days(day: dt.date, days) -> dt.date:
    """`day` + `days`, clamped to the calendar's ends: 9999-12-31 plus a review interval is still 'not yet'."""
    try:
        return day + dt.timedelta(days=int(days))
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


@dataclass(eq=False)
class Located:
    """Anything that came from a record: where it is, for findings that point at it.

    eq=False throughout: two model objects are the same thing only if they are the same object, so
    `c in entry.criteria` and `a == b` mean what they say (a generated __eq__ over fields that are
    all compare=False made every criterion equal to every other, and the matrix marked every cell).
    Identity also keeps them hashable, so they can key sets and dicts.
    """

    source: Origin = field(repr=False, compare=False)
    keys: tuple = field(default=(), repr=False, compare=False)   # its key path in the record

    # attributes for the pipeline only: the theme sandbox (render/environment.py) refuses them to templates,
    # because a record's file name or private id can spell the name of a contact who did not consent
    PRIVATE = frozenset({"source", "keys", "file", "at"})

    @property
    def file(self) -> str:
        return self.source.file

    def at(self, *keys) -> tuple[str, tuple[int, int]]:
        """(file, (line, col)) of a key under this object, or of the object itself."""
        return self.source.file, self.source.pos(self.keys + keys)


@dataclass(eq=False)
class Criterion(Located):
    unit: "Unit" = None
    outcome: "Outcome" = None
    id: str = ""
    text: str = ""
    auto: dict | None = None
    origin: dict | None = None          # the framework's `source` note (guide, section)
    evidence: list = field(default_factory=list)    # entries, by date

    @property
    def ref(self) -> str:
        return f"{self.unit.ref}:{self.id}"


@dataclass(eq=False)
class Outcome(Located):
    unit: "Unit" = None
    id: str = ""
    text: str = ""
    criteria: list = field(default_factory=list)


@dataclass(eq=False)
class Unit(Located):
    framework: "Framework" = None
    ref: str = ""
    title: str = ""
    summary_title: str | None = None
    level: int | None = None
    credits: int | None = None
    group: str | None = None
    outcomes: list = field(default_factory=list)
    chosen: bool = False

    @property
    def criteria(self):
        return [c for o in self.outcomes for c in o.criteria]

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.ref.lower()).strip("-")


@dataclass(eq=False)
class Framework(Located):
    id: str = ""
    title: str = ""
    data: dict = field(default_factory=dict, repr=False)   # descriptive fields: number, level, dates, rules ...
    units: list = field(default_factory=list)
    is_qualification: bool = False

    @property
    def rules(self) -> dict:
        return self.data.get("rules") or {}


@dataclass(eq=False)
class Network(Located):
    id: str = ""
    name: str = ""
    kind: str = ""
    category: str = ""
    status: str = ""
    data: dict = field(default_factory=dict, repr=False)   # benefits, limitations, scores, decision, dates
    contacts: list = field(default_factory=list)
    entries: list = field(default_factory=list)


@dataclass(eq=False)
class Revision(Located):
    date: dt.date | None = None
    change: str = ""
    why: str = ""


@dataclass(eq=False)
class Goal(Located):
    id: str = ""
    statement: str = ""
    specific: str = ""
    measurable: str = ""
    achievable: str = ""
    relevant: str = ""
    time_bound: dt.date | None = None
    status: str = ""
    achieved: dt.date | None = None
    activities: list = field(default_factory=list)
    revisions: list = field(default_factory=list)
    entries: list = field(default_factory=list)
    contacts: list = field(default_factory=list)

    SMART = ("specific", "measurable", "achievable", "relevant", "time_bound")


@dataclass(eq=False)
class Review(Located):
    date: dt.date | None = None
    value: int | None = None
    activity: int | None = None
    potential: int | None = None
    decision: str | None = None
    note: str = ""


@dataclass(eq=False)
class Contact(Located):
    id: str = field(default="", repr=False)   # the file name: private, may contain the name (`key` is public)
    key: str = ""                  # the public id used in the site: id if publishable, else made from the pseudonym
    display_name: str = ""         # real name with consent.publish, else a pseudonym (the real name is not kept)
    named_as_file: bool = True     # the file name is the slug of the name (or there is no name)
    name_slug: str = ""            # that slug, kept only for a published contact (it spells the name)
    published: bool = False
    role: str = ""
    organisation: str = ""
    relationship: str | None = None
    strength: str | None = None
    status: str | None = None
    met_date: dt.date | None = None
    met_how: str = ""
    why: str = ""
    consent: dict = field(default_factory=dict)
    reviews: list = field(default_factory=list)
    notes: str = ""
    networks: list = field(default_factory=list)
    goals: list = field(default_factory=list)
    introduced_by: "Contact | None" = None
    introduced: list = field(default_factory=list)
    entries: list = field(default_factory=list)

    PRIVATE = Located.PRIVATE | {"id"}


@dataclass(eq=False)
class Action(Located):
    entry: "Entry" = None
    index: int = 0
    do: str = ""
    due: dt.date | None = None
    done: dt.date | None = None
    outcome: str = ""


@dataclass(eq=False)
class Attachment(Located):
    path: str = field(default="", repr=False)   # the record's path: may hold a hidden name (see PRIVATE)
    caption: str = ""

    PRIVATE = Located.PRIVATE | {"path"}


class BodyReads:
    """How many times any entry's body has been read in this process (each process counts its own).

    The page cache keys a page that read no entry's body by the entries' front matter only, so a body
    edit leaves such a page as it is (generator/pagecache.py, render/site.py): whatever the theme, a
    page that shows a body, however it reaches it (`e.body`, `site.body(e)`, `{{ e }}`, a filter),
    counts here while it renders."""

    count = 0


class _CountedBody:
    """`Entry.body`: a plain string field whose every read is counted in BodyReads."""

    def __set_name__(self, owner, name):
        self.slot = "_" + name + "_text"

    def __get__(self, obj, owner=None):
        if obj is None:
            return ""          # the dataclass's default
        BodyReads.count += 1
        return obj.__dict__[self.slot]

    def __set__(self, obj, value):
        obj.__dict__[self.slot] = value


@dataclass(eq=False)
class Entry(Located):
    id: str = field(default="", repr=False)   # the file name: may hold a hidden name (`slug` is public)
    title: str = ""
    date: dt.date | None = None
    kind: str = ""
    methods: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    networks: list = field(default_factory=list)
    goals: list = field(default_factory=list)
    criteria: list = field(default_factory=list)
    cited: list = field(default_factory=list)       # the criterion refs as written, known or not
    evidence_types: list = field(default_factory=list)
    discussion: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    value_given: str = ""
    value_received: str = ""
    attachments: list = field(default_factory=list)
    reflection: str | None = None
    witness: "Contact | None" = None
    witness_confirmed: str = ""
    witness_verified: dict | None = None   # {by: assessor id, how, date}: the assessor's verification
    body: str = _CountedBody()     # the Markdown text (redacted); reads are counted (BodyReads)
    body_line: int = 1
    slug: str = ""                 # the public id used in the site: id with hidden names cut (redact.py)
    ref: str = ""                  # the evidence reference, E001 ... (generator/evidence_refs.py)
    ref_pinned: bool = True        # False: not yet in the front matter; `ref` is the one check --fix would pin

    PRIVATE = Located.PRIVATE | {"id", "cited"}


@dataclass(eq=False)
class Portfolio(Located):
    root: Path = None
    learner: dict = field(default_factory=dict)
    registered: dt.date | None = None
    registration_ends: dt.date | None = None    # the last day of the registration, when given
    unit_refs: list = field(default_factory=list)           # qualification.units as written, in order
    qualification: Framework | None = None
    frameworks: list = field(default_factory=list)         # every framework evidenced, qualification first
    purpose: str = ""
    networks: list = field(default_factory=list)
    goals: list = field(default_factory=list)
    self_assessment: dict | None = None
    site: dict = field(default_factory=dict)
    checks: dict = field(default_factory=dict)
    contacts: list = field(default_factory=list)
    entries: list = field(default_factory=list)             # by date, then id
    units: dict = field(default_factory=dict)               # unit ref -> Unit, every framework in use
    criteria: dict = field(default_factory=dict)            # "UNIT:ID" -> Criterion
    ref_ledger: object = None      # evidence_refs.Ledger: the last evidence reference issued
    assessment: object = None      # assessment.records.Records: assessors, IQAs, decisions, samples, declaration

    @property
    def chosen_units(self):
        return [u for f in self.frameworks for u in f.units if u.chosen]

    @property
    def actions(self):
        return [a for e in self.entries for a in e.actions]

    def contact(self, cid):
        return self._contacts_by_id.get(cid)

    def network(self, nid):
        return self._networks_by_id.get(nid)

    def goal(self, gid):
        return self._goals_by_id.get(gid)
