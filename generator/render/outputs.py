"""The site's machine-readable files: portfolio.json, the search index and the matrix CSVs.

portfolio.json's schema is documented in docs/site.md. Like the pages, they carry only public
ids and names: contact keys and display names, entry slugs, redacted text; never channels.
"""
from __future__ import annotations

import datetime as dt
import html
import itertools
import json
import re

from ..csvsafe import csv_bytes
from . import paths

# the $id of generator/schemas/portfolio-site.schema.json, which describes this file
SCHEMA = "https://portfolio-generator.example.org/schemas/portfolio-site.schema.json"
# the interchange format's name and version (docs/interchange.md): a minor version only adds members;
# anything else is a new major version, with a schema of its own
FORMAT, VERSION = "portfolio-site", "1.0"
_TAG = re.compile(r"<[^>]+>")
SEARCH_TEXT_LIMIT = 3000


def _jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _iso(d):
    return d.isoformat() if d else None


def _auto(result):
    if result is None:
        return None
    ev = []
    for o in result.evidence:
        kind = type(o).__name__
        ev.append({"type": kind.lower(), "id": getattr(o, "slug", None) or getattr(o, "key", None) or getattr(o, "id", "")})
    return {"rule": result.rule, "met": result.met, "reasons": list(result.reasons), "params": result.params,
            "evidence": ev}


def assessment_dict(m, a) -> dict:
    """Decisions, samples, the declaration and the totals, as the Assessment page shows them."""
    records, state = m.assessment, a.assessment
    person = lambda p: p.id if p else None   # noqa: E731
    credits = state.credits(m.qualification) if m.qualification else (0, 0)
    return {
        "assessors": [{"id": p.id, "name": p.name} for p in records.assessors],
        "iqas": [{"id": p.id, "name": p.name} for p in records.iqas],
        "counts": state.counts(),
        "credits": {"chosen": credits[0], "signed_off": credits[1]},
        "decisions": [{
            "id": d.id, "date": _iso(d.date), "assessor": person(d.assessor), "outcome": d.outcome,
            "criteria": [c.ref for c in d.criteria], "units": [u.ref for u in d.units], "methods": d.methods,
            "location": d.location or None, "stale": d.stale, "current": any(x is d for x in state.current),
            "evidence": [{"entry": j.entry.slug if j.entry is not None else None, "kind": "entry" if j.is_entry
                          else "attachment", "sha256": j.sha256, "changed": j.changed} for j in d.evidence],
            "feedback": d.feedback, "reply": {"date": _iso(d.reply_date), "text": d.reply} if d.reply else None,
            "sampled_in": [s.id for s in d.samples]} for d in records.decisions],
        "samples": [{"id": s.id, "date": _iso(s.date), "iqa": person(s.iqa), "stage": s.stage or None,
                     "decisions": [d.id for d in s.decisions], "outcome": s.outcome, "feedback": s.feedback,
                     "action": s.action or None, "closed": _iso(s.closed)} for s in records.samples],
        "open_claims": [{"criterion": s.criterion.ref, "since": _iso(s.claimed_since)} for s in state.open_claims],
        "declaration": {"text": records.declaration_text, "date": _iso(records.declaration_date)}
        if records.declaration_text else None,
    }


def overview_dict(site) -> dict:
    """The headline figures a caseload reads (docs/interchange.md): counts of the analysis's facts, each
    also shown on the learner's own site. Written near the top of the file, so a reader can stop early."""
    m, a = site.model, site.analysis
    fw, q, state = m.qualification, a.qualification, a.assessment
    records = m.assessment
    decisions = records.decisions if records else []
    samples = records.samples if records else []
    claims = state.open_claims
    return {
        "qualification": {"id": fw.id, "title": fw.title, "number": fw.data.get("number")} if fw else None,
        "registered": _iso(m.registered),
        "registration_ends": _iso(m.registration_ends),
        "days_left": a.days_left,
        "criteria": {"evidenced": q.met, "total": q.total, "percent": q.percent} if q else None,
        "units": [{"ref": u.unit.ref, "title": u.unit.title, "evidenced": u.met, "total": u.total}
                  for u in q.units] if q else [],
        "assessment": {"counts": state.counts(), "decisions": len(decisions),
                       "awaiting_since": _iso(claims[0].claimed_since) if claims else None},
        "last_activity": _iso(a.last_activity),
        "reviews_overdue": len(a.reviews_overdue),
        "actions": {"open": len(a.open), "overdue": len(a.overdue), "done": len(a.done)},
        "iqa": {"decisions_sampled": sum(1 for d in decisions if d.samples), "samples": len(samples),
                "last_sample": _iso(max((s.date for s in samples if s.date), default=None)),
                "outcomes": {o: sum(1 for s in samples if s.outcome == o) for o in ("agree", "disagree", "action")},
                "actions_open": sum(1 for s in samples if s.action_open)},
        "assessors": [p.name for p in records.assessors] if records else [],
        "iqas": [p.name for p in records.iqas] if records else [],
    }


def model_dict(site, entries=None, stream: bool = False) -> dict:
    """The model and the analysis's facts as published: every status, count and date is the analysis's.
    `entries`: what stands in the place of the entries' records (portfolio_json), else they are made.
    `stream`: the lists that grow with the portfolio are `_Each`, their items made as `portfolio_json`
    writes them (else lists)."""
    many = _Each if stream else list
    m, a = site.model, site.analysis
    learner = {k: m.learner.get(k) for k in ("name", "role", "organisation", "candidate_number", "centre",
                                             "assessor", "iqa") if m.learner.get(k)}
    frameworks = many(_Members({
        "id": fw.id, "title": fw.title, "is_qualification": fw.is_qualification,
        **{k: fw.data.get(k) for k in ("awarding_body", "number", "level", "valid_from", "valid_until")
           if fw.data.get(k) is not None},
        "rules": fw.rules,
        "coverage": a.framework(fw).as_dict(),
        "credit_rules": [{"rule": r.label, "met": r.met, "detail": r.detail} for r in a.framework(fw).credit_rules],
        # a criterion lists every entry that evidences it: a unit grows with the portfolio
        "units": many(_unit_dict(a, u) for u in fw.units)}) for fw in m.frameworks)
    contacts = many({
        "id": c.key, "name": c.display_name, "published": c.published, "role": c.role,
        "organisation": c.organisation, "relationship": c.relationship, "strength": c.strength, "status": c.status,
        "met": {"date": _iso(c.met_date), "how": c.met_how}, "why": c.why,
        "consent": {k: c.consent.get(k) for k in ("basis", "recorded", "privacy_notice", "publish")
                    if c.consent.get(k) is not None},
        "reviews": [{"date": _iso(r.date), "value": r.value, "activity": r.activity, "potential": r.potential,
                     "decision": r.decision, "note": r.note} for r in c.reviews],
        "notes": c.notes, "networks": [n.id for n in c.networks], "goals": [g.id for g in c.goals],
        "introduced_by": c.introduced_by.key if c.introduced_by else None,
        "entries": [e.slug for e in c.entries], "last_interaction": _iso(a.contact(c).last_interaction),
        "next_review_due": _iso(a.contact(c).next_review), "review_due": a.contact(c).review_due,
        "dormant": a.contact(c).dormant, "url": paths.contact(c)} for c in m.contacts)
    return _Members({
        "$schema": SCHEMA,
        "format": FORMAT,
        "version": VERSION,
        "as_of": site.as_of.isoformat(),
        "learner": learner,
        "overview": overview_dict(site),
        "qualification": m.qualification.id if m.qualification else None,
        "registered": _iso(m.registered),
        "purpose": m.purpose,
        "coverage": a.summary(),
        "frameworks": frameworks,
        "networks": [{"id": n.id, "name": n.name, "kind": n.kind, "category": n.category, "status": n.status,
                      **n.data, "contacts": [c.key for c in n.contacts], "entries": [e.slug for e in n.entries]}
                     for n in m.networks],
        "self_assessment": m.self_assessment,
        "goals": [{"id": g.id, "statement": g.statement, **{k: getattr(g, k) for k in g.SMART[:4]},
                   "time_bound": _iso(g.time_bound), "status": g.status, "achieved": _iso(g.achieved),
                   "activities": g.activities,
                   "revisions": [{"date": _iso(r.date), "change": r.change, "why": r.why} for r in g.revisions],
                   "entries": [e.slug for e in g.entries], "contacts": [c.key for c in g.contacts]}
                  for g in m.goals],
        "contacts": contacts,
        "entries": many(entry_dict(site, e) for e in m.entries) if entries is None else entries,
        "assessment": assessment_dict(m, a),
        "diagnostics": many(d.as_dict() for d in site.findings),
        "summary": dict(site.counts),
    })


def _unit_dict(a, u) -> dict:
    uf = a.unit(u)
    return {
        "ref": u.ref, "title": u.title, "level": u.level, "credits": u.credits, "group": u.group,
        "chosen": u.chosen, "url": paths.unit(u), "coverage": {"met": uf.met, "total": uf.total},
        "assessment": a.assessment.unit(u).as_dict(),
        "outcomes": [{"id": o.id, "text": o.text, "criteria": [{
            "ref": c.ref, "id": c.id, "text": c.text, "url": paths.criterion(c), "met": a.criterion(c).met,
            "evidence": [e.slug for e in a.criterion(c).evidence], "auto": _auto(a.criterion(c).auto),
            "assessment": a.assessment.of(c).as_dict()}
            for c in o.criteria]} for o in u.outcomes]}


def entry_dict(site, e) -> dict:
    """One entry's record in portfolio.json."""
    a = site.analysis
    hist = site.history(e)
    return {
        "id": e.slug, "ref": e.ref, "url": paths.entry(e), "title": e.title, "date": _iso(e.date), "kind": e.kind,
        "methods": e.methods, "contacts": [c.key for c in e.contacts], "networks": [n.id for n in e.networks],
        "goals": [g.id for g in e.goals], "criteria": [c.ref for c in e.criteria],
        "evidence_types": e.evidence_types, "discussion": e.discussion,
        "actions": [{"do": x.do, "due": _iso(x.due), "done": _iso(x.done), "outcome": x.outcome,
                     "status": a.action(x).status} for x in e.actions],
        "value": {"given": e.value_given, "received": e.value_received},
        "attachments": [{"path": a.path, "caption": a.caption, "size": a.size, "sha256": a.sha256}
                        for a in site.attachments(e)],
        "reflection": e.reflection,
        "witness": {"contact": e.witness.key, "confirmed": e.witness_confirmed,
                    "verified": {**e.witness_verified, "date": _iso(e.witness_verified["date"])}
                    if e.witness_verified else None} if e.witness else None,
        "history": {"first_recorded": hist[0], "last_changed": hist[1]} if hist else None,
        "body": e.body}


class _Each:
    """A list of portfolio.json whose items are made as the file is written (`portfolio_json`)."""

    def __init__(self, items):
        self.items = items


class _Members(dict):
    """An object of portfolio.json written member by member, so an `_Each` inside it streams too."""


# json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_jsonable), without a new encoder per call
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_jsonable).encode


_ENTRIES = "\x00entries\x00"   # stands for the entries' list while the rest is encoded (NUL: escaped in JSON)


def portfolio_json(site, fragments=None, keys: tuple | None = None):
    """Compact JSON (json's C encoder is only used without indent, and this file grows with the
    portfolio), as byte chunks. Without a fragment store (`portfolio build`) it is written member by
    member and what grows with the portfolio (`_Each`: entries, contacts, diagnostics, each unit) item by
    item, so neither the tree of the whole file nor its text is held (56 MB of text at 10,000 entries):
    the same bytes, because compact JSON of an object is its members' JSON joined by commas, and of a
    list its items'. With a fragment store (serve, render/fragments.py), each entry's record is a fragment
    kept by the entry's content key, like the search index's: the rest is encoded with a stand-in for the
    list and the list put in its place. With the page's `keys` (serve: without and with bodies), the rest
    is kept in the store as the print view's frame is (render/skeleton.py): under the key without bodies
    when making it read none, so a body edit encodes one entry's record and joins."""
    if fragments is None or fragments.path is None:
        return encoded(itertools.chain(_pieces(model_dict(site, stream=True)), ["\n"]))
    frame = fragments.frame(keys) if keys is not None else None
    if frame is None:
        from ..objects import BodyReads
        before = BodyReads.count
        text = _compact(model_dict(site, entries=_ENTRIES))
        read = BodyReads.count != before
        stand_in = _compact(_ENTRIES)
        if text.count(stand_in) != 1:   # a record's text holds the stand-in too: encode it whole
            return [(_compact(model_dict(site)) + "\n").encode("utf-8")]
        front, _, back = text.partition(stand_in)
        if keys is not None and "\x00" not in text:   # (compact JSON escapes NUL: never, but the cut is one)
            fragments.keep_frame(keys, read, front, back)
    else:
        front, back = frame
    parts = [fragments.get("json-entry", e, lambda e=e: _compact(entry_dict(site, e))) for e in site.model.entries]
    return ["".join([front, "[", ",".join(parts), "]", back, "\n"]).encode("utf-8")]


def _pieces(value):
    """The compact JSON of `value` in pieces: `_Each` item by item, `_Members` member by member."""
    if isinstance(value, _Each):
        yield from _joined(value.items, "[", "]", _pieces)
    elif isinstance(value, _Members):
        yield from _joined(value.items(), "{", "}", _member)
    else:
        yield _JSON(value)


def _member(pair):
    yield f"{_JSON(pair[0])}:"
    yield from _pieces(pair[1])


def _joined(items, start: str, end: str, pieces):
    """The pieces of `start + ",".join(<each item's text>) + end`, an item's text given by `pieces(item)`."""
    yield start
    sep = ""
    for item in items:
        yield sep
        sep = ","
        yield from pieces(item)
    yield end


def _text(markup) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", str(markup))).split())


def _entry_doc(site, e) -> str:
    extra = " ".join([e.kind, *e.methods, *(c.display_name for c in e.contacts), *(c.ref for c in e.criteria),
                      *e.discussion, *(f"{a.do} {a.outcome}" for a in e.actions), e.value_given, e.value_received])
    return _compact([f"{e.ref} {e.title}", paths.entry(e), f"Entry, {e.date.isoformat() if e.date else ''}",
                     (extra + " " + _text(site.body(e)))[:SEARCH_TEXT_LIMIT]])


def _compact(value) -> str:
    return _JSON(value)


def search_index_js(site, fragments=None):
    """A script, not JSON: pages opened from disk cannot fetch() a file, but can load a <script src>.
    Each entry's document is a fragment (render/fragments.py), kept by the entry's content key; compact
    JSON of a list is its items' compact JSON joined by commas, so the joined text is the same bytes.
    A stream of byte chunks: the documents are made and written one at a time (`encoded`)."""
    from .fragments import Fragments
    fragments = fragments or Fragments()
    m = site.model
    parts = (fragments.get("search-entry", e, lambda e=e: _entry_doc(site, e)) for e in m.entries)
    docs = []
    for c in m.contacts:
        docs.append([c.display_name, paths.contact(c), "Contact", f"{c.role} {c.organisation} {c.why}"])
    for u in m.units.values():
        docs.append([f"{u.ref} {u.title}", paths.unit(u), "Unit", " ".join(c.text for c in u.criteria)[:SEARCH_TEXT_LIMIT]])
    for n in m.networks:
        docs.append([n.name, paths.network(n), "Network", f"{n.kind} {n.category} {n.data.get('benefits', '')}"])
    for g in m.goals:
        docs.append([g.statement, paths.goal(g), "Goal", g.specific])
    return encoded(_joined(itertools.chain(parts, map(_compact, docs)), "window.PORTFOLIO_SEARCH = [", "];\n",
                           lambda text: (text,)))


def _state_cell(s) -> str:
    return s.label + (" (sampled by IQA)" if s.sampled else "")


def matrix_csv(unit, rows, site) -> bytes:
    """Entries down, the unit's criteria across; a cell is 'x' where the entry evidences the criterion."""
    crits = unit.criteria
    table = [["date", "ref", "entry", "title"] + [c.ref for c in crits]]
    for e in rows:
        mine = set(e.criteria)
        table.append([_iso(e.date), e.ref, e.slug, e.title] + ["x" if c in mine else "" for c in crits])
    # the assessor's decision row, then the evidence row last (readers of the CSV take the last row as 'met')
    table.append(["", "", "", "assessment"] + [_state_cell(site.analysis.assessment.of(c)) for c in crits])
    table.append(["", "", "", "met"] + ["yes" if site.analysis.criterion(c).met else "no" for c in crits])
    return csv_bytes(table)


ENCODE_AT = 1 << 16   # characters of template output gathered before they are encoded


def encoded(pieces):
    """The UTF-8 bytes of the joined `pieces` (Jinja's output as it is generated), as a stream of chunks
    of about ENCODE_AT characters: their join is `"".join(pieces).encode("utf-8")`, and neither the list
    of every piece nor the page as str or bytes is ever held (the 73 MB print view at 10,000 entries is
    ~1.5 million pieces)."""
    buf, size = [], 0
    for piece in pieces:
        buf.append(piece)
        size += len(piece)
        if size >= ENCODE_AT:
            yield "".join(buf).encode("utf-8")
            buf, size = [], 0
    if buf:
        yield "".join(buf).encode("utf-8")
