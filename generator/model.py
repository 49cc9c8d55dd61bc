"""Stage 3 — model: typed objects built once from valid records, every reference resolved both ways.

Later stages (analyse, render) see only these objects. Contact `channels` are never copied in,
so no template or report can leak them. Each object remembers its source and path, so a
finding about it can point at the exact key.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .load import Source, Sources
from .redact import redact_model


def default_checks() -> dict:
    """The `checks` settings a portfolio gets when it says nothing: declared by the rules themselves."""
    from . import rules  # noqa: F401  (registers every rule; imported late because the rules import this module)
    from .registry import default_checks as from_registry
    return from_registry()


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

    source: Source = field(repr=False, compare=False)
    keys: tuple = field(default=(), repr=False, compare=False)   # where in the source's data it sits

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
    auto_result: object = None          # set by analyse: AutoResult

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
    id: str = ""                   # the file name: private, may contain the name
    key: str = ""                  # the public id used in the site: id if publishable, else a hash
    name: str = field(default="", repr=False)   # the real name: only for redaction, never rendered
    display_name: str = ""         # real name with consent.publish, else a pseudonym
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

    @property
    def last_interaction(self) -> dt.date | None:
        dates = [e.date for e in self.entries if e.date]
        return max(dates) if dates else None

    @property
    def last_review(self) -> "Review | None":
        dated = [r for r in self.reviews if r.date]
        return max(dated, key=lambda r: r.date) if dated else None

    def next_review_due(self, interval_days: int) -> dt.date | None:
        """When the next relationship review falls due: a current or potential contact only."""
        if self.status not in ("current", "potential"):
            return None
        last = self.last_review.date if self.last_review else self.met_date
        return add_days(last, interval_days) if last else None


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
    path: str = ""
    caption: str = ""


@dataclass(eq=False)
class Entry(Located):
    id: str = ""
    title: str = ""
    date: dt.date | None = None
    kind: str = ""
    methods: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    networks: list = field(default_factory=list)
    goals: list = field(default_factory=list)
    criteria: list = field(default_factory=list)
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
    body: str = ""
    body_line: int = 1
    slug: str = ""                 # the public id used in the site: id with hidden names cut (redact.py)


@dataclass(eq=False)
class Portfolio(Located):
    root: Path = None
    learner: dict = field(default_factory=dict)
    registered: dt.date | None = None
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
    redactor: object = field(default=None, repr=False)      # redact.Redactor: hides unpublished names
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


def pseudonym(name: str, role: str, organisation: str) -> str:
    initials = "".join(part[0].upper() + "." for part in re.split(r"[\s\-]+", name) if part and part[0].isalpha())
    rest = ", ".join(p for p in (role, organisation) if p)
    return f"{initials or 'A contact'}" + (f", {rest}" if rest else "")


def public_key(contact_id: str) -> str:
    return "c-" + hashlib.sha256(contact_id.encode("utf-8")).hexdigest()[:10]


def _framework(source: Source, is_qualification: bool, chosen_refs: set | None) -> Framework:
    data = source.data
    fw = Framework(source, (), id=source.id, title=data["title"], is_qualification=is_qualification,
                   data={k: v for k, v in data.items() if k != "units"})
    for ui, u in enumerate(data["units"]):
        unit = Unit(source, ("units", ui), framework=fw, ref=u["ref"], title=u["title"],
                    summary_title=u.get("summary_title"), level=u.get("level"), credits=u.get("credits"),
                    group=u.get("group"), chosen=(chosen_refs is None or u["ref"] in chosen_refs))
        for oi, o in enumerate(u["outcomes"]):
            outcome = Outcome(source, ("units", ui, "outcomes", oi), unit=unit, id=o["id"], text=o["text"])
            for ci, c in enumerate(o["criteria"]):
                outcome.criteria.append(Criterion(
                    source, ("units", ui, "outcomes", oi, "criteria", ci), unit=unit, outcome=outcome,
                    id=c["id"], text=c["text"], auto=c.get("auto"), origin=c.get("source")))
            unit.outcomes.append(outcome)
        fw.units.append(unit)
    return fw


def build(sources: Sources, valid: set, redactions: dict | None = None) -> Portfolio | None:
    """Build the model from the records that passed validation; None without a valid portfolio.yaml.
    `redactions` is the build cache's memo of redacted entry text (see redact.redact_model)."""
    psrc = sources.portfolio
    if psrc is None or psrc.file not in valid:
        return None
    p = psrc.data
    checks = {**default_checks(), **(p.get("checks") or {})}
    qual = p["qualification"]
    # every learner field present (empty when not given), so a template may print any of them
    learner = {**dict.fromkeys(("name", "role", "organisation", "candidate_number", "centre", "assessor", "iqa"), ""),
               **p["learner"]}
    model = Portfolio(psrc, (), root=sources.root, learner=learner, registered=date(qual.get("registered")),
                      purpose=p.get("purpose") or "", self_assessment=p.get("self_assessment"),
                      site=dict(p.get("site") or {}), checks=checks)

    fw_sources = {s.id: s for s in sources.frameworks if s.file in valid}
    wanted = [qual["framework"]] + [f for f in p.get("frameworks") or [] if f != qual["framework"]]
    for fid in wanted:
        if fid in fw_sources:
            is_q = fid == qual["framework"]
            fw = _framework(fw_sources[fid], is_q, set(qual["units"]) if is_q else None)
            model.frameworks.append(fw)
            if is_q:
                model.qualification = fw
            for unit in fw.units:
                model.units.setdefault(unit.ref, unit)
                for c in unit.criteria:
                    model.criteria.setdefault(c.ref, c)

    for i, n in enumerate(p.get("networks") or []):
        model.networks.append(Network(psrc, ("networks", i), id=n["id"], name=n["name"], kind=n["kind"],
                                      category=n.get("category", ""), status=n["status"],
                                      data={k: v for k, v in n.items() if k not in ("id", "name", "kind", "category", "status")}))
    for i, g in enumerate(p.get("goals") or []):
        goal = Goal(psrc, ("goals", i), id=g["id"], statement=g["statement"], status=g["status"],
                    time_bound=date(g.get("time_bound")), achieved=date(g.get("achieved")),
                    activities=list(g.get("activities") or []),
                    **{k: g.get(k) or "" for k in ("specific", "measurable", "achievable", "relevant")})
        goal.revisions = [Revision(psrc, ("goals", i, "revisions", j), date=date(r.get("date")), change=r.get("change", ""),
                                   why=r.get("why", "")) for j, r in enumerate(g.get("revisions") or [])]
        model.goals.append(goal)
    model._networks_by_id = {n.id: n for n in model.networks}
    model._goals_by_id = {g.id: g for g in model.goals}

    _contacts(model, [s for s in sources.contacts if s.file in valid])
    _entries(model, [s for s in sources.entries if s.file in valid])
    from .assessment import records as assessment_records
    model.assessment = assessment_records.build(model, sources, valid)
    # learners write contacts' names everywhere: hide the unpublished ones before any stage reads text
    channels = [v for s in sources.contacts if s.file in valid for v in (s.data.get("channels") or {}).values()]
    model.redactor = redact_model(model, secrets=channels, memo=redactions)
    assessment_records.redact(model.assessment, model.redactor, model.entries)
    return model


def _contacts(model: Portfolio, sources):
    for s in sources:
        d = s.data
        consent = {k: v for k, v in (d.get("consent") or {}).items()}
        if consent.get("erasure_requested"):
            continue  # right to erasure: such a record never reaches the model or the site
        published = consent.get("publish") is True
        c = Contact(s, (), id=s.id, name=d["name"], published=published,
                    key=s.id if published else public_key(s.id),
                    display_name=d["name"] if published else pseudonym(d["name"], d.get("role", ""), d.get("organisation", "")),
                    role=d.get("role", ""), organisation=d.get("organisation", ""),
                    relationship=d.get("relationship"), strength=d.get("strength"), status=d.get("status"),
                    met_date=date((d.get("met") or {}).get("date")), met_how=(d.get("met") or {}).get("how", ""),
                    why=d.get("why") or "", consent=consent, notes=d.get("notes") or "")
        c.reviews = [Review(s, ("reviews", i), date=date(r.get("date")), value=r.get("value"), activity=r.get("activity"),
                            potential=r.get("potential"), decision=r.get("decision"), note=r.get("note", ""))
                     for i, r in enumerate(d.get("reviews") or [])]
        c.networks = [model.network(n) for n in d.get("networks") or [] if model.network(n)]
        c.goals = [model.goal(g) for g in d.get("goals") or [] if model.goal(g)]
        for n in c.networks:
            n.contacts.append(c)
        for g in c.goals:
            g.contacts.append(c)
        model.contacts.append(c)
    model.contacts.sort(key=lambda c: (c.display_name.lower(), c.key))
    model._contacts_by_id = {c.id: c for c in model.contacts}
    # pseudonyms must be unique to be useful: number clashes in a stable order
    seen: dict[str, list] = {}
    for c in sorted(model.contacts, key=lambda c: c.key):
        seen.setdefault(c.display_name, []).append(c)
    for same in seen.values():
        if len(same) > 1:
            for n, c in enumerate(same, 1):
                c.display_name = f"{c.display_name} ({n})"
    for c in model.contacts:
        intro = c.source.data.get("introduced_by")
        c.introduced_by = model.contact(intro) if intro else None
        if c.introduced_by:
            c.introduced_by.introduced.append(c)


def _entries(model: Portfolio, sources):
    for s in sources:
        d = s.data
        e = Entry(s, (), id=s.id, title=d["title"], date=date(d["date"]), kind=d["kind"],
                  methods=list(d.get("methods") or []), discussion=list(d.get("discussion") or []),
                  reflection=d.get("reflection"), body=s.body, body_line=s.body_line)
        et = d.get("evidence_type")
        e.evidence_types = [et] if isinstance(et, str) else list(et or [])
        e.contacts = [model.contact(c) for c in d.get("contacts") or [] if model.contact(c)]
        e.networks = [model.network(n) for n in d.get("networks") or [] if model.network(n)]
        e.goals = [model.goal(g) for g in d.get("goals") or [] if model.goal(g)]
        e.criteria = [model.criteria[r] for r in d.get("criteria") or [] if r in model.criteria]
        value = d.get("value") or {}
        e.value_given, e.value_received = value.get("given") or "", value.get("received") or ""
        e.actions = [Action(s, ("actions", i), entry=e, index=i, do=a["do"], due=date(a.get("due")), done=date(a.get("done")),
                            outcome=a.get("outcome") or "") for i, a in enumerate(d.get("actions") or [])]
        e.attachments = [Attachment(s, ("attachments", i), path=a["path"], caption=a.get("caption") or "")
                         for i, a in enumerate(d.get("attachments") or [])]
        w = d.get("witness")
        if w:
            e.witness = model.contact(w["contact"])
            e.witness_confirmed = w.get("confirmed", "")
            if w.get("verified"):
                v = w["verified"]
                e.witness_verified = {"by": v["by"], "how": v["how"], "date": date(v["date"])}
        model.entries.append(e)
    model.entries.sort(key=lambda e: (e.date or dt.date.min, e.id))
    for e in model.entries:
        for c in e.contacts:
            c.entries.append(e)
        for n in e.networks:
            n.entries.append(e)
        for g in e.goals:
            g.entries.append(e)
        for c in e.criteria:
            c.evidence.append(e)
