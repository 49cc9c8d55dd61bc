"""An independent reading of a portfolio's records, for the consistency tests.

It reads the raw files itself (yaml.safe_load of portfolio.yaml, contacts/*.yaml, criteria/*.yaml and
the entries' front matter) and computes the facts the site publishes straight from SPEC's definitions.
Nothing here imports `generator`: if the generator and this reader agree, they agree because both follow
the records, not because one copies the other. Keep it small and obviously right; it is the yardstick.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DEFAULT_CHECKS = {"min_evidence_per_criterion": 1, "review_interval_days": 90, "min_methods": 2}
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


def as_date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


@dataclass
class Criterion:
    ref: str                      # UNIT:ID, as entries cite it
    unit: "Unit"
    id: str
    auto: dict | None
    evidence: list = field(default_factory=list)   # ids of the entries that cite it (each once)


@dataclass
class Unit:
    ref: str
    title: str
    framework: str
    credits: int | None
    group: str | None
    chosen: bool
    criteria: list = field(default_factory=list)


@dataclass
class Contact:
    id: str
    data: dict

    @property
    def status(self):
        return self.data.get("status")


@dataclass
class Action:
    entry: str
    index: int
    do: str
    due: dt.date | None
    done: dt.date | None



def _without_ref(text: str) -> str:
    """An entry's text without the `ref: E012` line of its front matter (the reference is a label, not
    evidence: docs/assessment.md)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return text
    end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), None)
    if end is None:
        return text
    kept = [line for i, line in enumerate(lines)
            if not (0 < i < end and re.fullmatch(r"ref:\s*['\"]?E\d+['\"]?\s*(#.*)?", line))]
    return "\n".join(kept)

class Oracle:
    """The records of one portfolio folder, and the facts they imply as of `as_of`."""

    def __init__(self, root: Path, as_of: dt.date):
        self.root, self.as_of = Path(root), as_of
        self.portfolio = yaml.safe_load((self.root / "portfolio.yaml").read_text(encoding="utf-8")) or {}
        self.checks = {**DEFAULT_CHECKS, **(self.portfolio.get("checks") or {})}
        qual = self.portfolio.get("qualification") or {}
        self.qualification = qual.get("framework")
        self.extra = list(self.portfolio.get("frameworks") or [])
        chosen = set(qual.get("units") or [])
        self.frameworks: dict[str, dict] = {}
        self.units: dict[str, Unit] = {}
        self.criteria: dict[str, Criterion] = {}
        for fid in [self.qualification, *self.extra]:
            data = yaml.safe_load((self.root / "criteria" / f"{fid}.yaml").read_text(encoding="utf-8"))
            self.frameworks[fid] = data
            for u in data.get("units") or []:
                # the qualification's units count only when chosen; a further framework is evidenced whole
                unit = Unit(u["ref"], u["title"], fid, u.get("credits"), u.get("group"),
                            u["ref"] in chosen if fid == self.qualification else True)
                self.units[unit.ref] = unit
                for o in u.get("outcomes") or []:
                    for c in o.get("criteria") or []:
                        crit = Criterion(f"{unit.ref}:{c['id']}", unit, str(c["id"]), c.get("auto"))
                        unit.criteria.append(crit)
                        self.criteria[crit.ref] = crit
        self.contacts = {p.stem: Contact(p.stem, yaml.safe_load(p.read_text(encoding="utf-8")) or {})
                         for p in sorted((self.root / "contacts").glob("*.yaml"))}
        self.entries: dict[str, dict] = {}
        self.actions: list[Action] = []
        for p in sorted((self.root / "entries").glob("*.md")):
            match = FRONT_MATTER.match(p.read_text(encoding="utf-8"))
            data = yaml.safe_load(match.group(1)) or {}
            self.entries[p.stem] = data
            for ref in dict.fromkeys(data.get("criteria") or []):
                self.criteria[ref].evidence.append(p.stem)
            for i, a in enumerate(data.get("actions") or []):
                self.actions.append(Action(p.stem, i, a["do"], as_date(a.get("due")), as_date(a.get("done"))))

    # -- criteria and units ------------------------------------------------------------------------
    @property
    def minimum(self) -> int:
        return int(self.checks["min_evidence_per_criterion"])

    def auto_met(self, c: Criterion) -> bool | None:
        """An `auto` criterion's result from the records, for the rules simple enough to restate here;
        None for the others (the tests then take the published statement and check every page agrees)."""
        rule = c.auto.get("rule")
        contacts = list(self.contacts.values())
        if rule == "few-methods":
            need = c.auto.get("min_methods", self.checks["min_methods"])
            return len({m for e in self.entries.values() for m in e.get("methods") or []}) >= need
        if rule == "unjustified-contact":
            return all(str(k.data.get("why") or "").strip() for k in contacts if k.status != "ended")
        if rule == "missing-consent":
            keys = ["basis", "recorded"] + (["privacy_notice"] if c.auto.get("require_privacy_notice") else [])
            return all((k.data.get("consent") or {}).get(key) for k in contacts for key in keys)
        return None

    def met(self, c: Criterion, published_auto: dict | None = None) -> bool:
        """Met: enough entries cite it (min_evidence_per_criterion), or for an `auto` criterion, its rule
        holds over the records. `published_auto` maps criterion refs to what the site says of the rules the
        oracle does not restate."""
        if c.auto:
            got = self.auto_met(c)
            if got is None:
                return (published_auto or {})[c.ref]
            return got
        return len(c.evidence) >= self.minimum

    def unit_count(self, unit: Unit, published_auto=None) -> tuple[int, int]:
        return sum(self.met(c, published_auto) for c in unit.criteria), len(unit.criteria)

    def coverage(self, framework: str, published_auto=None) -> tuple[int, int]:
        """(met, total) over the chosen units of one framework."""
        met = total = 0
        for u in self.units.values():
            if u.framework == framework and u.chosen:
                m, t = self.unit_count(u, published_auto)
                met, total = met + m, total + t
        return met, total

    def chosen_units(self, framework: str) -> list[Unit]:
        return [u for u in self.units.values() if u.framework == framework and u.chosen]

    # -- credit rules ------------------------------------------------------------------------------
    def credit_rules(self) -> list[tuple[str, str | None, bool]]:
        """(kind, group, met) for each credit rule of the qualification: kind is total, mandatory, min or
        max. Credits above a group's maximum do not count towards the total (SPEC 3.4: per group max)."""
        rules = self.frameworks[self.qualification].get("rules") or {}
        units = [u for u in self.units.values() if u.framework == self.qualification]
        chosen = [u for u in units if u.chosen]
        credits = lambda us: sum(u.credits or 0 for u in us)   # noqa: E731
        out, counted, grouped = [], 0, set()
        for g in rules.get("groups") or []:
            name = g["group"]
            grouped.add(name)
            got = credits([u for u in chosen if u.group == name])
            if g.get("mandatory"):
                out.append(("mandatory", name, all(u.chosen for u in units if u.group == name)))
            if g.get("min") is not None:
                out.append(("min", name, got >= g["min"]))
            if g.get("max") is not None:
                out.append(("max", name, got <= g["max"]))
                got = min(got, g["max"])
            counted += got
        counted += credits([u for u in chosen if u.group not in grouped])
        if rules.get("min_total") is not None:
            out.insert(0, ("total", None, counted >= rules["min_total"]))
        return out

    def chosen_credits(self) -> int:
        return sum(u.credits or 0 for u in self.chosen_units(self.qualification))

    # -- contacts ----------------------------------------------------------------------------------
    def next_review(self, contact: Contact) -> dt.date | None:
        """Last review date, else the date first met, else the first entry naming the contact, plus
        review_interval_days; only for current and potential contacts (the others are not reviewed).
        The first-entry fallback is what `review-due` counts from (issue 10: a contact with entries but no
        `met` date was flagged while its page said "Next review due —")."""
        if contact.status not in ("current", "potential"):
            return None
        reviews = [as_date(r.get("date")) for r in contact.data.get("reviews") or [] if r.get("date")]
        base = max(reviews) if reviews else as_date((contact.data.get("met") or {}).get("date"))
        if base is None:
            dates = [as_date(e.get("date")) for e in self.entries.values() if contact.id in (e.get("contacts") or [])]
            base = min((d for d in dates if d), default=None)
        return base + dt.timedelta(days=int(self.checks["review_interval_days"])) if base else None

    def review_due(self, contact: Contact) -> bool:
        """Overdue: a current contact past its next review (what `review-due` flags; a potential contact's
        date is shown but is never overdue, as no rule would act on it)."""
        due = self.next_review(contact)
        return contact.status == "current" and due is not None and due < self.as_of

    def review_due_finding(self, contact: Contact) -> bool:
        """The `review-due` gap rule flags current contacts only."""
        return self.review_due(contact)

    # -- follow-ups --------------------------------------------------------------------------------
    def action_status(self, a: Action) -> str:
        if a.done:
            return "done"
        return "overdue" if a.due and a.due < self.as_of else "open"

    def actions_by_status(self) -> dict[str, list[Action]]:
        out = {"overdue": [], "open": [], "done": []}
        for a in self.actions:
            out[self.action_status(a)].append(a)
        return out

    # -- assessment (docs/assessment.md) -------------------------------------------------------------
    STATE_LABELS = {"met": "Met", "not-yet": "Not yet met", "referred": "Referred", "stale": "Stale",
                    "claimed": "Claimed", "not-started": "Not started"}

    def decisions(self) -> list[dict]:
        """assessments/*.yaml, each with its file stem as "id", by date then id (the latest last)."""
        if not hasattr(self, "_decisions"):
            out = []
            for p in sorted((self.root / "assessments").glob("*.yaml")):
                d = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
                out.append({**d, "id": p.stem, "date": as_date(d.get("date"))})
            self._decisions = sorted(out, key=lambda d: (d["date"] or dt.date.min, d["id"]))
        return self._decisions

    def evidence_refs(self) -> dict[str, str]:
        """Entry (file stem) -> its evidence reference as the records give it (docs/records.md): the `ref:`
        pinned in its front matter, else the next numbers after evidence-refs.yaml's `last_issued` and
        every pinned reference, in date order (then file name)."""
        ledger = self.root / "evidence-refs.yaml"
        last = yaml.safe_load(ledger.read_text(encoding="utf-8"))["last_issued"] if ledger.is_file() else "E000"
        pinned = {stem: e["ref"] for stem, e in self.entries.items() if isinstance(e.get("ref"), str)}
        top = max([int(last[1:])] + [int(r[1:]) for r in pinned.values() if re.fullmatch(r"E\d{3,}", r)])
        unpinned = sorted((s for s in self.entries if s not in pinned),
                          key=lambda s: (str(as_date(self.entries[s].get("date")) or ""), s))
        return {**pinned, **{s: f"E{top + i:03d}" for i, s in enumerate(unpinned, 1)}}

    def sampled(self) -> set[str]:
        """Ids of the decisions some IQA sample (iqa/*.yaml) includes."""
        return {x for p in sorted((self.root / "iqa").glob("*.yaml"))
                for x in (yaml.safe_load(p.read_text(encoding="utf-8")) or {}).get("sampled") or []}

    def hash_now(self, rel: str) -> str | None:
        """The documented content hash (docs/assessment.md): an entry's text with LF line ends (BOM dropped)
        and without its front matter's `ref:` line, any other file's bytes."""
        try:
            raw = (self.root / rel).read_bytes()
        except OSError:
            return None
        if rel.startswith("entries/") and rel.endswith(".md") and rel.count("/") == 1:
            raw = _without_ref(raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")).encode("utf-8")
        return hashlib.sha256(raw).hexdigest()

    def latest_decision(self, c: Criterion) -> dict | None:
        decided = [d for d in self.decisions() if c.ref in (d.get("criteria") or [])]
        return decided[-1] if decided else None

    def assessment_state(self, c: Criterion, claimed: bool) -> str:
        """The criterion's state label: its latest decision's outcome, or Stale when evidence it judged has
        changed since; undecided, Claimed when `claimed` (evidence mapped, or its automatic rule met)."""
        d = self.latest_decision(c)
        if d is None:
            return self.STATE_LABELS["claimed" if claimed else "not-started"]
        stale = any(self.hash_now(ev["path"]) != ev["sha256"] for ev in d.get("evidence") or [])
        return self.STATE_LABELS["stale" if stale else d["outcome"]]

    # -- assessment and IQA (docs/assessment.md), for portfolio.json's overview and the caseload ---------
    def _records(self, folder: str) -> dict:
        return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) or {}
                for p in sorted((self.root / folder).glob("*.yaml"))}

    def decision_files(self) -> dict:
        return self._records("assessments")

    def sample_files(self) -> dict:
        return self._records("iqa")

    def assessment_states(self, published_auto=None) -> dict[str, str]:
        """Each chosen criterion of the qualification: its latest decision's outcome (by date, then file
        name), stale when any evidence that decision judged has changed; else claimed when an entry maps to
        it (or its automatic rule is met); else not-started."""
        latest = {}
        for did, d in sorted(self.decision_files().items(), key=lambda kv: (as_date(kv[1].get("date")), kv[0])):
            for ref in d.get("criteria") or []:
                latest[ref] = d
        out = {}
        for u in self.chosen_units(self.qualification):
            for c in u.criteria:
                d = latest.get(c.ref)
                if d is not None:
                    changed = any(self.hash_now(j["path"]) != j["sha256"] for j in d.get("evidence") or [])
                    out[c.ref] = "stale" if changed else d["outcome"]
                elif c.evidence or (c.auto and self.met(c, published_auto)):
                    out[c.ref] = "claimed"
                else:
                    out[c.ref] = "not-started"
        return out

    def iqa_summary(self) -> dict:
        samples = self.sample_files().values()
        sampled = {d for s in samples for d in s.get("sampled") or []}
        dates = [as_date(s.get("date")) for s in samples if s.get("date")]
        return {"decisions_sampled": len(sampled & set(self.decision_files())), "samples": len(samples),
                "last_sample": max(dates).isoformat() if dates else None,
                "outcomes": {o: sum(1 for s in samples if s.get("outcome") == o) for o in ("agree", "disagree", "action")},
                "actions_open": sum(1 for s in samples if s.get("outcome") == "action" and not s.get("closed"))}
