"""Stage 3 — model: build the typed objects (generator/objects.py) once from valid records, every
reference resolved both ways.

This is the last stage that reads a record's raw data: each object gets an `Origin` (file, digest,
positions) instead. Contact `channels` and real names are never copied into the objects; the names
go straight to the redactor, which is returned beside the model, not inside it.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import namedtuple

from .load import Source, Sources
from .new import slug
from .objects import *  # noqa: F401,F403  (the model's types are part of this stage's interface)
from .objects import (Action, Attachment, Contact, Criterion, Entry, Framework, Goal, Network,
                      Origin, Outcome, Portfolio, Review, Revision, Unit, date)
from .privacy.fields import minimise
from .privacy.mentions import unique_pseudonyms
from .redact import redact_model


def default_checks() -> dict:
    """The `checks` settings a portfolio gets when it says nothing: declared by the rules themselves."""
    from . import rules  # noqa: F401  (registers every rule; imported late because the rules import this module)
    from .registry import default_checks as from_registry
    return from_registry()


# what the redactor needs of a contact: the real name and the name shown instead (never in the model)
Person = namedtuple("Person", "name display_name published")

def pseudonym(name: str, role: str = "", organisation: str = "") -> str:
    """Initials only: a pseudonym reads naturally in a sentence ("I met T.O."). The role and organisation
    are shown beside it once, on the contact's own page and line, never spliced into text."""
    initials = "".join(part[0].upper() + "." for part in re.split(r"[\s\-]+", name) if part and part[0].isalpha())
    return initials or "A contact"


def _framework(src: Source, is_qualification: bool, chosen_refs: set | None) -> Framework:
    data, source = src.data, Origin.of(src)
    fw = Framework(source, (), id=src.id, title=data["title"], is_qualification=is_qualification,
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


def build(sources: Sources, valid: set, redactions: dict | None = None):
    """Build the model from the records that passed validation: (Portfolio, Redactor), or (None, None)
    without a valid portfolio.yaml. The redactor (it knows the real names) is returned beside the model,
    never inside it, so nothing a template is given can reach it.
    `redactions` is the build cache's memo of redacted entry text (see redact.redact_model)."""
    psrc = sources.portfolio
    if psrc is None or psrc.file not in valid:
        return None, None
    p, origin = psrc.data, Origin.of(psrc)
    checks = {**default_checks(), **(p.get("checks") or {})}
    qual = p["qualification"]
    # every learner field present (empty when not given), so a template may print any of them
    learner = {**dict.fromkeys(("name", "role", "organisation", "candidate_number", "centre", "assessor", "iqa"), ""),
               **p["learner"]}
    model = Portfolio(origin, (), root=sources.root, learner=learner, registered=date(qual.get("registered")),
                      registration_ends=date(qual.get("registration_ends")),
                      unit_refs=list(qual["units"]),
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
        model.networks.append(Network(origin, ("networks", i), id=n["id"], name=n["name"], kind=n["kind"],
                                      category=n.get("category", ""), status=n["status"],
                                      data={k: v for k, v in n.items() if k not in ("id", "name", "kind", "category", "status")}))
    for i, g in enumerate(p.get("goals") or []):
        goal = Goal(origin, ("goals", i), id=g["id"], statement=g["statement"], status=g["status"],
                    time_bound=date(g.get("time_bound")), achieved=date(g.get("achieved")),
                    activities=list(g.get("activities") or []),
                    **{k: g.get(k) or "" for k in ("specific", "measurable", "achievable", "relevant")})
        goal.revisions = [Revision(origin, ("goals", i, "revisions", j), date=date(r.get("date")), change=r.get("change", ""),
                                   why=r.get("why", "")) for j, r in enumerate(g.get("revisions") or [])]
        model.goals.append(goal)
    model._networks_by_id = {n.id: n for n in model.networks}
    model._goals_by_id = {g.id: g for g in model.goals}

    names = _contacts(model, [s for s in sources.contacts if s.file in valid])
    _entries(model, [s for s in sources.entries if s.file in valid])
    _name_contacts(model, names)
    from .assessment import records as assessment_records
    model.assessment = assessment_records.build(model, sources, valid)
    # learners write contacts' names everywhere: hide the unpublished ones before any stage reads text
    channels = [v for s in sources.contacts if s.file in valid for v in (s.data.get("channels") or {}).values()]
    people = [Person(names[c], c.display_name, c.published) for c in model.contacts]
    redactor = redact_model(model, people, secrets=channels, memo=redactions)
    assessment_records.redact(model.assessment, redactor, model.entries)
    return model, redactor


def _contacts(model: Portfolio, sources) -> dict:
    """Build the contacts; returns each one's real name, which only the redactor receives."""
    names, introducers = {}, {}
    for s in sources:
        d, o = s.data, Origin.of(s)
        consent = {k: v for k, v in (d.get("consent") or {}).items()}
        if consent.get("erasure_requested"):
            continue  # right to erasure: such a record never reaches the model or the site
        published = consent.get("publish") is True
        c = Contact(o, (), id=s.id, published=published,
                    key=s.id if published else "",   # unpublished: from the pseudonym, below
                    display_name=d["name"] if published else pseudonym(d["name"]),
                    role=d.get("role", ""), organisation=d.get("organisation", ""),
                    relationship=d.get("relationship"), strength=d.get("strength"), status=d.get("status"),
                    met_date=date((d.get("met") or {}).get("date")), met_how=(d.get("met") or {}).get("how", ""),
                    why=d.get("why") or "", consent=consent, notes=d.get("notes") or "")
        names[c], introducers[c] = d["name"], d.get("introduced_by")
        expected = slug(d["name"]) if d["name"].strip() else None
        c.named_as_file = expected is None or expected == s.id
        c.name_slug = expected if published and expected else ""
        c.reviews = [Review(o, ("reviews", i), date=date(r.get("date")), value=r.get("value"), activity=r.get("activity"),
                            potential=r.get("potential"), decision=r.get("decision"), note=r.get("note", ""))
                     for i, r in enumerate(d.get("reviews") or [])]
        c.networks = [model.network(n) for n in d.get("networks") or [] if model.network(n)]
        c.goals = [model.goal(g) for g in d.get("goals") or [] if model.goal(g)]
        for n in c.networks:
            n.contacts.append(c)
        for g in c.goals:
            g.contacts.append(c)
        model.contacts.append(c)
    for c in model.contacts:
        minimise(c)   # what the contact's consent does not let the site publish never enters the model
    model._contacts_by_id = {c.id: c for c in model.contacts}
    for c in model.contacts:
        intro = introducers[c]
        c.introduced_by = model.contact(intro) if intro else None
        if c.introduced_by:
            c.introduced_by.introduced.append(c)
    return names


def _entered(c: Contact) -> dt.date | None:
    """When a contact entered the portfolio: met, else consent recorded, else their first entry."""
    return (c.met_date or date(c.consent.get("recorded"))
            or min((e.date for e in c.entries if e.date), default=None))


def _name_contacts(model: Portfolio, names: dict) -> None:
    """Pseudonyms and keys of the unpublished contacts (unique, numbered in the order they entered the
    portfolio: privacy/mentions.py), then the list sorted by the names shown. Runs after the entries
    are built, since a contact's first entry dates them when nothing else does."""
    unique_pseudonyms(model.contacts, lambda c: pseudonym(names[c]), _entered)
    model.contacts.sort(key=lambda c: (c.display_name.lower(), c.key))


def _entries(model: Portfolio, sources):
    for s in sources:
        d, o = s.data, Origin.of(s)
        e = Entry(o, (), id=s.id, ref=d.get("ref") or "", title=d["title"], date=date(d["date"]), kind=d["kind"],
                  methods=list(d.get("methods") or []), discussion=list(d.get("discussion") or []),
                  reflection=d.get("reflection"), body=s.body, body_line=s.body_line)
        et = d.get("evidence_type")
        e.evidence_types = [et] if isinstance(et, str) else list(et or [])
        e.contacts = [model.contact(c) for c in d.get("contacts") or [] if model.contact(c)]
        e.networks = [model.network(n) for n in d.get("networks") or [] if model.network(n)]
        e.goals = [model.goal(g) for g in d.get("goals") or [] if model.goal(g)]
        e.cited = list(d.get("criteria") or [])
        e.criteria = [model.criteria[r] for r in e.cited if r in model.criteria]
        value = d.get("value") or {}
        e.value_given, e.value_received = value.get("given") or "", value.get("received") or ""
        e.actions = [Action(o, ("actions", i), entry=e, index=i, do=a["do"], due=date(a.get("due")), done=date(a.get("done")),
                            outcome=a.get("outcome") or "") for i, a in enumerate(d.get("actions") or [])]
        e.attachments = [Attachment(o, ("attachments", i), path=a["path"], caption=a.get("caption") or "")
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
    _evidence_refs(model, sources)
    for e in model.entries:
        for c in e.contacts:
            c.entries.append(e)
        for n in e.networks:
            n.entries.append(e)
        for g in e.goals:
            g.entries.append(e)
        for c in e.criteria:
            c.evidence.append(e)


def _evidence_refs(model: Portfolio, sources) -> None:
    """Entries without a pinned reference get the one `check --fix` would pin (evidence_refs.py), so every
    entry is named the same way everywhere; the ledger is read here, once."""
    from . import evidence_refs
    model.ref_ledger = evidence_refs.read_ledger(model.root)
    unpinned = [e for e in model.entries if not e.ref]
    given = evidence_refs.assign([e.ref for e in model.entries if e.ref], unpinned, model.ref_ledger.last)
    for e in unpinned:
        e.ref, e.ref_pinned = given[e], False
