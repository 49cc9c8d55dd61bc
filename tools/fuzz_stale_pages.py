"""Fuzz the incremental build: random edits of the example portfolio, cached build == clean build.

usage: python tools/fuzz_stale_pages.py SEED [STEPS] [--live] [--keep]     (or: make fuzz SEEDS="1 2 3")

Each step makes one to three random edits of a copy of tests/fixtures/example (43 kinds: every entry field,
bodies with mentions and reflection headings, entries added, deleted and renamed, every contact field,
portfolio.yaml's networks, goals, checks (ignore, severity), dates, learner, site, units; decisions and IQA
samples; the ledger; attachment bytes; `--as-of`), some seeds with some or every rule switched off (then no
finding carries a fact to a page's key), and compares the cached build (`--live`: serve's session,
generator/live.py) with a clean build byte for byte; a refused build must be refused by the clean build with
the same findings. It found the stale pages docs/performance.md lists ("Stale pages a fuzzer found").
Each step prints the pages its build rendered, and each seed's summary the pages each kind of edit rendered
when it was the step's only edit. On a difference it saves <tmp>/portfolio-fuzz/fail/<mode>-<seed>-<step>/
{before,after} (the sources before and after the step) and the edits, and exits 1. Not part of `make test`:
each step is two builds (~3 s).
"""
from __future__ import annotations

import datetime as dt
import json
import random
import re
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

from generator import pipeline
from generator.assessment.hashing import content_hash
from generator.cache import Cache

EXAMPLE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "example"
WORK = Path(tempfile.gettempdir()) / "portfolio-fuzz"
FAILDIR = WORK / "fail"


def tree(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def front(path: Path):
    _, head, body = path.read_text("utf-8").split("---\n", 2)
    return yaml.safe_load(head) or {}, body


def write_front(path: Path, data: dict, body: str) -> None:
    path.write_text("---\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True) + "---\n" + body, "utf-8")


def load_yaml(p: Path):
    return yaml.safe_load(p.read_text("utf-8")) or {}


def dump_yaml(p: Path, d) -> None:
    p.write_text(yaml.safe_dump(d, sort_keys=False, allow_unicode=True), "utf-8")


def put(record: dict, key: str, items: list) -> None:
    """`record[key] = items`, or no `key` at all when `items` is empty (as a learner leaves it out)."""
    if items:
        record[key] = items
    else:
        record.pop(key, None)


def toggle(items, value, keep_one=False):
    items = list(items or [])
    if value in items:
        if keep_one and len(items) == 1:
            return items
        return [x for x in items if x != value]
    return items + [value]


class Fuzz:
    def __init__(self, src: Path, rng: random.Random):
        self.src, self.rng = src, rng
        self.n = 0
        m = pipeline.check(EXAMPLE, dt.date(2026, 4, 30)).model
        self.all_crits = sorted(f"{u.ref}:{c.id}" for u in m.units.values() for c in u.criteria) if hasattr(
            next(iter(m.units.values())).criteria[0], "id") else []
        if not self.all_crits:
            self.all_crits = sorted(c.ref for u in m.units.values() for c in u.criteria)
        self.used_crits = sorted({r for f in (EXAMPLE / "entries").glob("*.md") for r in front(f)[0].get("criteria") or []})
        self.network_ids = [n["id"] for n in load_yaml(EXAMPLE / "portfolio.yaml")["networks"]]
        self.goal_ids = [g["id"] for g in load_yaml(EXAMPLE / "portfolio.yaml")["goals"]]

    # ---- helpers
    def entries(self):
        return sorted((self.src / "entries").glob("*.md"))

    def contacts(self):
        return sorted(p.stem for p in (self.src / "contacts").glob("*.yaml"))

    def crit(self):
        r = self.rng.random()
        if r < 0.5:
            return self.rng.choice(self.used_crits)
        return self.rng.choice(self.all_crits)

    def entry_edit(self, fn, what):
        es = self.entries()
        if not es:
            return "no entry"
        f = self.rng.choice(es)
        d, b = front(f)
        nb = fn(d, b)
        write_front(f, d, nb if isinstance(nb, str) else b)
        return f"{what} {f.name}"

    def contact_edit(self, fn, what):
        cs = self.contacts()
        name = self.rng.choice(cs)
        p = self.src / "contacts" / f"{name}.yaml"
        c = load_yaml(p)
        fn(c)
        dump_yaml(p, c)
        return f"{what} {name}"

    def portfolio(self, fn, what):
        p = self.src / "portfolio.yaml"
        d = load_yaml(p)
        fn(d)
        dump_yaml(p, d)
        return what

    # ---- entry edits
    def e_title(self):
        return self.entry_edit(lambda d, b: d.update(title=f"Retitled {self.rng.randrange(10**6)}"), "title")

    def e_date(self):
        es = self.entries()
        f = self.rng.choice(es)
        d, b = front(f)
        new = dt.date(self.rng.choice([2025, 2026]), self.rng.randint(1, 12), self.rng.randint(1, 28))
        d["date"] = new
        if self.rng.random() < 0.7:   # rename to match
            f.unlink()
            f = f.parent / (new.isoformat() + f.name[10:])
            if f.exists():
                f = f.with_name(f.stem + "-b.md")
        write_front(f, d, b)
        return f"date {new} {f.name}"

    def e_kind(self):
        return self.entry_edit(lambda d, b: d.update(kind=self.rng.choice(
            ["meeting", "event", "call", "email", "online", "introduction", "reflection", "testimony", "review",
             "learning", "feedback"])), "kind")

    def e_methods(self):
        return self.entry_edit(lambda d, b: d.update(methods=toggle(d.get("methods"), self.rng.choice(
            ["face-to-face", "phone", "video", "email", "linkedin", "social-media", "event", "messaging", "letter"]))),
            "methods")

    def e_contacts(self):
        return self.entry_edit(lambda d, b: d.update(contacts=toggle(d.get("contacts"), self.rng.choice(self.contacts()))),
                               "contacts")

    def e_criteria(self):
        c = self.crit()
        return self.entry_edit(lambda d, b: d.update(criteria=toggle(d.get("criteria"), c)), f"criteria {c}")

    def e_networks(self):
        return self.entry_edit(lambda d, b: d.update(networks=toggle(d.get("networks"), self.rng.choice(self.network_ids))),
                               "networks")

    def e_goals(self):
        return self.entry_edit(lambda d, b: d.update(goals=toggle(d.get("goals"), self.rng.choice(self.goal_ids))), "goals")

    def e_witness(self):
        def fn(d, b):
            w = d.get("witness")
            r = self.rng.random()
            if w is None or r < 0.25:
                d["witness"] = {"contact": self.rng.choice(self.contacts())}
                if self.rng.random() < 0.5:
                    d["witness"]["confirmed"] = f"Confirmed {self.rng.randrange(1000)}"
            elif r < 0.45:
                d.pop("witness")
            elif r < 0.7:
                if "confirmed" in w:
                    w.pop("confirmed")
                else:
                    w["confirmed"] = f"Confirmed by email {self.rng.randrange(1000)}"
            else:
                if "verified" in w:
                    w.pop("verified")
                else:
                    w["verified"] = {"by": "graham-pike", "how": "Phone call",
                                     "date": dt.date(2026, self.rng.randint(1, 9), 3)}
        return self.entry_edit(fn, "witness")

    def e_action(self):
        def fn(d, b):
            acts = d.get("actions") or []
            r = self.rng.random()
            if not acts or r < 0.4:
                acts.append({"do": f"Follow up {self.rng.randrange(1000)} with @{self.rng.choice(self.contacts())}",
                             "due": dt.date(2026, self.rng.randint(1, 9), self.rng.randint(1, 28))})
            elif r < 0.8:
                a = self.rng.choice(acts)
                if "done" in a:
                    a.pop("done")
                else:
                    a["done"] = dt.date(2026, self.rng.randint(1, 9), 2)
            else:
                acts.pop(self.rng.randrange(len(acts)))
            put(d, "actions", acts)
        return self.entry_edit(fn, "action")

    def e_attachment(self):
        def fn(d, b):
            atts = d.get("attachments") or []
            ev = sorted(p.relative_to(self.src).as_posix() for p in (self.src / "evidence").iterdir())
            r = self.rng.random()
            if not atts or r < 0.4:
                atts.append({"path": self.rng.choice(ev), "caption": f"Cap {self.rng.randrange(1000)}"})
            elif r < 0.7:
                self.rng.choice(atts)["caption"] = f"Caption {self.rng.randrange(1000)}"
            else:
                atts.pop(self.rng.randrange(len(atts)))
            put(d, "attachments", atts)
        return self.entry_edit(fn, "attachment")

    def e_evidence_type(self):
        t = self.rng.choice(["observation", "product", "professional-discussion", "witness-testimony", "questioning",
                             "assignment", "worksheet", "prior-learning", "reflective-account"])

        def fn(d, b):
            et = d.get("evidence_type")
            if isinstance(et, str):
                et = [et]
            et = toggle(et, t)
            put(d, "evidence_type", et)
        return self.entry_edit(fn, f"evidence_type {t}")

    def e_discussion(self):
        def fn(d, b):
            ds = d.get("discussion") or []
            if ds and self.rng.random() < 0.3:
                ds.pop()
            else:
                ds.append(f"Point {self.rng.randrange(1000)} with @{self.rng.choice(self.contacts())}")
            put(d, "discussion", ds)
        return self.entry_edit(fn, "discussion")

    def e_value(self):
        def fn(d, b):
            r = self.rng.random()
            if r < 0.3:
                d.pop("value", None)
            elif r < 0.6:
                d["value"] = {"given": f"Given {self.rng.randrange(1000)}"}
            else:
                d["value"] = {"given": f"Given {self.rng.randrange(1000)}", "received": f"Got {self.rng.randrange(1000)}"}
        return self.entry_edit(fn, "value")

    def e_reflection(self):
        def fn(d, b):
            r = self.rng.choice([None, "gibbs", "kolb"])
            if r is None:
                d.pop("reflection", None)
            else:
                d["reflection"] = r
        return self.entry_edit(fn, "reflection")

    def e_ref(self):
        def fn(d, b):
            r = self.rng.random()
            if r < 0.5:
                d.pop("ref", None)
            elif r < 0.8:
                d["ref"] = f"E{self.rng.randint(1, 45):03d}"
            else:
                d["ref"] = f"E{self.rng.randint(41, 60):03d}"
        return self.entry_edit(fn, "ref")

    def e_body(self):
        """Body edits leave the front matter's bytes as they are (a page that read no body is keyed by them)."""
        f = self.rng.choice(self.entries())
        text = f.read_text("utf-8")
        r = self.rng.random()
        if r < 0.3:
            text += f"\nParagraph {self.rng.randrange(1000)}: *x*.\n"
        elif r < 0.5:
            text += f"\nMet @{self.rng.choice(self.contacts())} again.\n"
        elif r < 0.6:
            text = re.sub(r"@[a-z-]+", "someone", text.split("---\n", 2)[2], count=1).join(
                ["---\n" + text.split("---\n", 2)[1] + "---\n", ""])
        else:   # a heading: what no-reflection reads of a reflective account
            refl = [e for e in self.entries() if "\nreflection:" in e.read_text("utf-8")] or [f]
            f = self.rng.choice(refl)
            text = f.read_text("utf-8")
            heads = re.findall(r"^## .+$", text, re.M)
            if heads and self.rng.random() < 0.6:
                h = self.rng.choice(heads)
                text = text.replace(h, h[3:] + ":", 1)
            else:
                text += "\n## " + self.rng.choice(["Description", "Feelings", "Evaluation", "Analysis", "Conclusion",
                                                   "Action plan", "Concrete experience", "Reflective observation",
                                                   "Abstract conceptualisation", "Active experimentation"]) + "\n\nMore.\n"
        f.write_text(text, "utf-8")
        return f"body {f.name}"

    def e_add(self):
        self.n += 1
        day = dt.date(2026, self.rng.randint(1, 8), self.rng.randint(1, 28))
        data = {"title": f"Added {self.n}", "date": day, "kind": self.rng.choice(["meeting", "reflection", "call"]),
                "methods": [self.rng.choice(["phone", "video", "face-to-face"])],
                "contacts": self.rng.sample(self.contacts(), self.rng.randint(0, 2)),
                "criteria": [self.crit() for _ in range(self.rng.randint(0, 3))]}
        if self.rng.random() < 0.5:
            data["ref"] = f"E{40 + self.n:03d}"
        if self.rng.random() < 0.3:
            data["networks"] = [self.rng.choice(self.network_ids)]
        if self.rng.random() < 0.3:
            data["goals"] = [self.rng.choice(self.goal_ids)]
        data["criteria"] = sorted(set(data["criteria"]))
        for k in ("contacts", "criteria"):
            if not data[k]:
                data.pop(k)
        f = self.src / "entries" / f"{day.isoformat()}-added-{self.n}.md"
        write_front(f, data, f"What happened, {self.n}. @{self.rng.choice(self.contacts())}\n")
        return f"add {f.name}"

    def e_delete(self):
        f = self.rng.choice(self.entries())
        f.unlink()
        return f"delete {f.name}"

    def e_rename(self):
        f = self.rng.choice(self.entries())
        new = f.with_name(f.name[:11] + f"renamed-{self.rng.randrange(1000)}.md")
        f.rename(new)
        return f"rename {f.name} -> {new.name}"

    # ---- contact edits
    def c_name(self):
        return self.contact_edit(lambda c: c.update(name=self.rng.choice(
            ["Alex Morgan", "Bea Khan", "Chris Dale", c["name"] + " Jr", "Sam Lee"])), "contact-name")

    def c_publish(self):
        def fn(c):
            c.setdefault("consent", {"basis": "consent", "recorded": dt.date(2025, 10, 1)})
            c["consent"]["publish"] = not c["consent"].get("publish", False)
        return self.contact_edit(fn, "contact-publish")

    def c_status(self):
        return self.contact_edit(lambda c: c.update(status=self.rng.choice(["potential", "current", "dormant", "ended"])),
                                 "contact-status")

    def c_introduced(self):
        def fn(c):
            if "introduced_by" in c and self.rng.random() < 0.5:
                c.pop("introduced_by")
            else:
                c["introduced_by"] = self.rng.choice(self.contacts())
        return self.contact_edit(fn, "contact-introduced_by")

    def c_review(self):
        def fn(c):
            rv = c.get("reviews") or []
            if rv and self.rng.random() < 0.3:
                rv.pop()
            else:
                rv.append({"date": dt.date(2026, self.rng.randint(1, 9), 1), "value": self.rng.randint(1, 5),
                           "activity": 3, "potential": 4,
                           "decision": self.rng.choice(["strengthen", "maintain", "reduce", "end"]),
                           "note": f"Review {self.rng.randrange(1000)}"})
            put(c, "reviews", rv)
        return self.contact_edit(fn, "contact-review")

    def c_channel(self):
        def fn(c):
            ch = c.get("channels") or {}
            if "phone" in ch and self.rng.random() < 0.5:
                ch.pop("phone")
            else:
                ch["phone"] = f"+44 7700 900{self.rng.randint(100, 999)}"
            put(c, "channels", ch)
        return self.contact_edit(fn, "contact-channel")

    def c_misc(self):
        field = self.rng.choice(["role", "organisation", "why", "notes", "strength", "relationship", "met", "networks",
                                 "goals"])

        def fn(c):
            if field == "strength":
                c["strength"] = self.rng.choice(["weak", "moderate", "strong"])
            elif field == "relationship":
                c["relationship"] = self.rng.choice(["internal", "external"])
            elif field == "met":
                c["met"] = {"date": dt.date(2025, self.rng.randint(1, 12), 5), "how": "somewhere"}
            elif field == "networks":
                c["networks"] = toggle(c.get("networks"), self.rng.choice(self.network_ids))
            elif field == "goals":
                c["goals"] = toggle(c.get("goals"), self.rng.choice(self.goal_ids))
            else:
                c[field] = f"{field} {self.rng.randrange(1000)}"
        return self.contact_edit(fn, f"contact-{field}")

    def c_add(self):
        self.n += 1
        p = self.src / "contacts" / f"new-person-{self.n}.yaml"
        dump_yaml(p, {"name": f"New Person{self.n}", "role": "Planner", "status": "current", "why": "Knows things",
                      "consent": {"basis": "consent", "recorded": dt.date(2026, 1, 1),
                                  "publish": self.rng.random() < 0.5}})
        return f"contact-add {p.name}"

    def c_delete(self):
        cs = self.contacts()
        name = self.rng.choice(cs)
        (self.src / "contacts" / f"{name}.yaml").unlink()
        return f"contact-delete {name}"

    # ---- portfolio.yaml
    def p_network(self):
        def fn(p):
            n = self.rng.choice(p["networks"])
            r = self.rng.random()
            if r < 0.4:
                n["name"] = f"Network {self.rng.randrange(1000)}"
            elif r < 0.8:
                n["status"] = self.rng.choice(["potential", "shortlisted", "joined", "left"])
            else:
                n["kind"] = self.rng.choice(["internal", "external"])
        return self.portfolio(fn, "portfolio-network")

    def p_goal(self):
        def fn(p):
            g = self.rng.choice(p["goals"])
            if self.rng.random() < 0.5:
                g["statement"] = f"Goal {self.rng.randrange(1000)}"
            else:
                g["status"] = self.rng.choice(["planned", "in-progress", "achieved", "revised", "dropped"])
        return self.portfolio(fn, "portfolio-goal")

    def p_checks(self):
        rules = ["dormant-contact", "few-methods", "missing-ref", "review-due", "unassessed-claim", "unevidenced-criterion",
                 "unmapped-entry", "no-follow-up", "one-sided", "overdue-action", "stale-assessment", "late-record",
                 "date-mismatch", "outside-qualification-dates", "no-reflection", "unjustified-contact"]

        def fn(p):
            ch = p.setdefault("checks", {})
            r = self.rng.random()
            if r < 0.5:
                ch["ignore"] = toggle(ch.get("ignore"), self.rng.choice(rules))
                if not ch["ignore"]:
                    ch.pop("ignore")
            elif r < 0.7:
                ch[self.rng.choice(["review_interval_days", "dormant_after_days", "follow_up_within_days",
                                    "unassessed_after_days"])] = self.rng.choice([7, 30, 90, 365])
            elif r < 0.85:
                ch[self.rng.choice(["min_methods", "min_evidence_per_criterion", "min_value_given"])] = \
                    self.rng.choice([1, 2, 3])
            else:
                sev = ch.setdefault("severity", {})
                sev[self.rng.choice(rules)] = self.rng.choice(["warning", "info"])
        return self.portfolio(fn, "portfolio-checks")

    def p_registered(self):
        def fn(p):
            q = p["qualification"]
            if self.rng.random() < 0.6:
                q["registered"] = dt.date(2025, self.rng.randint(9, 12), self.rng.randint(1, 28))
            else:
                q["registration_ends"] = dt.date(2026, self.rng.randint(5, 12), self.rng.randint(1, 28))
        return self.portfolio(fn, "portfolio-registration")

    def p_learner(self):
        return self.portfolio(lambda p: p["learner"].update(
            **{self.rng.choice(["name", "role", "assessor"]): f"Person {self.rng.randrange(1000)}"}), "portfolio-learner")

    def p_site(self):
        return self.portfolio(lambda p: p["site"].update(title=f"Portfolio v{self.rng.randrange(1000)}"), "site-title")

    def p_frameworks(self):
        return self.portfolio(lambda p: p.update(frameworks=[] if p.get("frameworks") else ["networking-marking-points"]),
                              "portfolio-frameworks")

    def p_units(self):
        def fn(p):
            units = p["qualification"]["units"]
            if "M/506/1959" in units:
                units.remove("M/506/1959")
            else:
                units.append("M/506/1959")
        return self.portfolio(fn, "portfolio-units")

    # ---- assessments / iqa
    def a_edit(self):
        files = sorted((self.src / "assessments").glob("*.yaml"))
        if not files:
            return "no assessment"
        f = self.rng.choice(files)
        d = load_yaml(f)
        r = self.rng.random()
        if r < 0.25:
            d["outcome"] = self.rng.choice(["met", "not-yet", "referred"])
            what = "outcome"
        elif r < 0.5:
            cands = [e for c in d.get("criteria") or [] for e in self.mapping(c)]
            rel = "entries/" + self.rng.choice(cands if cands and self.rng.random() < 0.9 else self.entries()).name
            d["evidence"] = (d.get("evidence") or []) + [{"path": rel, "sha256": content_hash(self.src, rel)}]
            what = f"add-evidence {rel}"
        elif r < 0.65 and len(d.get("evidence") or []) > 1:
            d["evidence"].pop(self.rng.randrange(len(d["evidence"])))
            what = "remove-evidence"
        elif r < 0.8:
            d["date"] = dt.date(2026, self.rng.randint(1, 10), self.rng.randint(1, 28))
            what = "date"
        elif r < 0.9:
            for ev in d.get("evidence") or []:   # re-bind every hash to the current evidence
                if (self.src / ev["path"]).exists():
                    ev["sha256"] = content_hash(self.src, ev["path"])
            what = "rehash"
        else:
            d["criteria"] = toggle(d.get("criteria"), self.crit(), keep_one=True)
            what = "criteria"
        dump_yaml(f, d)
        return f"assessment-{what} {f.name}"

    def mapping(self, crit):
        return [e for e in self.entries() if crit in (front(e)[0].get("criteria") or [])]

    def a_add(self):
        self.n += 1
        withc = [e for e in self.entries() if front(e)[0].get("criteria")]
        c = self.rng.choice(front(self.rng.choice(withc))[0]["criteria"])
        es = self.mapping(c)
        es = self.rng.sample(es, min(len(es), self.rng.randint(1, 2)))
        d = {"date": dt.date(2026, self.rng.randint(3, 10), self.rng.randint(1, 28)), "assessor": "graham-pike",
             "criteria": [c], "outcome": self.rng.choice(["met", "not-yet", "referred"]), "methods": ["product"],
             "evidence": [{"path": f"entries/{e.name}", "sha256": content_hash(self.src, f"entries/{e.name}")} for e in es],
             "feedback": f"Feedback {self.n}"}
        f = self.src / "assessments" / f"{d['date'].isoformat()}-added-{self.n}.yaml"
        dump_yaml(f, d)
        return f"assessment-add {f.name} {c}"

    def a_delete(self):
        files = sorted((self.src / "assessments").glob("*.yaml"))
        if len(files) < 2:
            return "no assessment"
        f = self.rng.choice(files)
        f.unlink()
        return f"assessment-delete {f.name}"

    def i_edit(self):
        files = sorted((self.src / "iqa").glob("*.yaml"))
        if not files:
            return "no iqa"
        f = self.rng.choice(files)
        d = load_yaml(f)
        r = self.rng.random()
        decisions = sorted(p.stem for p in (self.src / "assessments").glob("*.yaml"))
        if r < 0.3:
            d["outcome"] = self.rng.choice(["agreed", "action"])
            if d["outcome"] == "agreed":
                d.pop("action", None)
            else:
                d["action"] = "Do something"
        elif r < 0.6 and decisions:
            d["sampled"] = toggle(d.get("sampled"), self.rng.choice(decisions), keep_one=True)
        elif r < 0.8:
            d["date"] = dt.date(2026, self.rng.randint(5, 11), self.rng.randint(1, 28))
        else:
            d["stage"] = self.rng.choice(["interim", "summative"])
        dump_yaml(f, d)
        return f"iqa {f.name}"

    def ledger(self):
        p = self.src / "evidence-refs.yaml"
        p.write_text(f"last_issued: E{self.rng.randint(38, 60):03d}\n")
        return "ledger"

    def evidence_bytes(self):
        ev = sorted(p for p in (self.src / "evidence").iterdir() if p.suffix in (".md", ".txt"))
        p = self.rng.choice(ev)
        p.write_bytes(p.read_bytes() + f"\nline {self.rng.randrange(1000)}\n".encode())
        return f"evidence-bytes {p.name}"


EDIT_WEIGHTS = {
    "e_title": 4, "e_date": 4, "e_kind": 3, "e_methods": 3, "e_contacts": 4, "e_criteria": 6, "e_networks": 3,
    "e_goals": 3, "e_witness": 3, "e_action": 3, "e_attachment": 2, "e_evidence_type": 2, "e_discussion": 2,
    "e_value": 2, "e_reflection": 2, "e_ref": 4, "e_body": 3, "e_add": 3, "e_delete": 2, "e_rename": 1,
    "c_name": 1, "c_publish": 3, "c_status": 2, "c_introduced": 2, "c_review": 2, "c_channel": 1, "c_misc": 2,
    "c_add": 1, "c_delete": 0.5,
    "p_network": 2, "p_goal": 2, "p_checks": 3, "p_registered": 1, "p_learner": 1, "p_site": 1, "p_frameworks": 1,
    "p_units": 1,
    "a_edit": 4, "a_add": 1, "a_delete": 1, "i_edit": 2, "ledger": 2, "evidence_bytes": 1,
}

AS_OFS = [dt.date(2026, 4, 30), dt.date(2026, 3, 15), dt.date(2026, 9, 10), dt.date(2026, 12, 3)]


def snapshot(src: Path, to: Path) -> None:
    shutil.rmtree(to, ignore_errors=True)
    shutil.copytree(src, to, ignore=shutil.ignore_patterns(".cache"))


def restore(snap: Path, src: Path) -> None:
    for item in src.iterdir():
        if item.name != ".cache":
            shutil.rmtree(item) if item.is_dir() else item.unlink()
    for item in snap.iterdir():
        (shutil.copytree if item.is_dir() else shutil.copy2)(item, src / item.name)


def run(seed: int, steps: int, live_mode: bool, only=None, unpin=True) -> int:
    rng = random.Random(seed)
    WORK.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"fz{seed}-", dir=WORK))
    src = tmp / "p"
    shutil.copytree(EXAMPLE, src)
    if unpin:   # a third unpinned, as the tests do: their references are derived
        for f in sorted((src / "entries").glob("*.md"))[::3]:
            d, b = front(f)
            d.pop("ref", None)
            write_front(f, d, b)
    for f in sorted((src / "entries").glob("*.md")):   # dumped once: an edit that keeps the data keeps the bytes
        d, b = front(f)
        write_front(f, d, b)
    from generator import rules  # noqa: F401  (registers every rule)
    from generator.registry import RULES
    ALL = sorted(name for name, rule in RULES.items() if rule.kind == "gap")   # those checks.ignore takes
    if "--noisy" not in sys.argv and rng.random() < 0.4:   # every rule off: no finding carries a fact to a key
        p = load_yaml(src / "portfolio.yaml")
        p["checks"]["ignore"] = [r for r in ALL if r != "assessment-evidence-unmapped"]
        dump_yaml(src / "portfolio.yaml", p)
    elif rng.random() < 0.5:   # some rules switched off: their findings no longer carry what they found to keys
        p = load_yaml(src / "portfolio.yaml")
        p["checks"]["ignore"] = rng.sample(["unevidenced-criterion", "no-reflection", "one-sided", "few-methods",
                                            "unjustified-contact", "missing-consent", "review-due", "no-follow-up",
                                            "narrow-networks", "goal-not-smart", "missing-ref", "unmapped-entry"],
                                           rng.randint(1, 6))
        dump_yaml(src / "portfolio.yaml", p)
    fz = Fuzz(src, rng)
    weights = {k: v for k, v in EDIT_WEIGHTS.items() if only is None or k in only}
    names = list(weights)
    ws = [weights[k] for k in names]
    inc, out = tmp / "site", tmp / "clean"
    as_of = AS_OFS[0]
    cache_folder = src / ".cache" / "portfolio"
    cache = Cache(cache_folder)
    live = None
    if live_mode:
        from generator.live import Live
        live = Live(src, cache_folder / "serve", cache)
        first = live.build(as_of)
    else:
        first = pipeline.build(src, inc, as_of, cache=cache)
    assert first.published
    compared = refused = broken = early = 0
    kept = 0   # saves whose check kept the last model (delta_check.py)
    history = []
    counts: dict = {}   # edit kind -> pages each published step of that one edit alone rendered
    snapshot(src, tmp / "good")
    good_as_of = as_of
    for step in range(steps):
        snapshot(src, tmp / "before")
        prev_as_of = as_of
        done, kinds = [], []
        for _ in range(rng.randint(1, 3)):
            name = rng.choices(names, ws)[0]
            kinds.append(name)
            try:
                done.append(getattr(fz, name)())
            except Exception as e:   # an edit that could not apply (e.g. no entries left)
                done.append(f"{name} failed: {e!r}")
        if rng.random() < 0.1:
            as_of = rng.choice(AS_OFS)
            done.append(f"as_of {as_of}")
        history.append(done)
        shown: dict = {}
        rendered_before = cache.stats["rendered"]
        if live_mode:
            # a browser has a few pages open (serve publishes those first, generator/live.py): the bytes it is
            # shown early must be the final ones, and a refused save must leave the served folder as it was
            # (its own generator, so the edits each seed makes stay as they were)
            pick = random.Random(seed * 100_003 + step)
            pages = sorted(p for p in (live.served or {}) if p.endswith(".html"))
            opened = set(pick.sample(pages, min(4, len(pages)))) | {p for p in pages if p.startswith("entries/")}
            served = tree(live.out)
            result = live.build(as_of, opened, lambda paths: shown.update(
                {p: (live.out / p).read_bytes() for p in paths}))
            got_dir = live.out
            early += bool(shown)
            kept += live.stats["kept_model"]
        else:
            if rng.random() < 0.5:
                cache, rendered_before = Cache(cache_folder), 0
            result = pipeline.build(src, inc, as_of, cache=cache)
            got_dir = inc
        shutil.rmtree(out, ignore_errors=True)
        fresh = pipeline.build(src, out, as_of)
        bad = None
        if result.published != fresh.published:
            bad = f"published {result.published} vs clean {fresh.published}: {[str(d) for d in result.errors]} / " \
                  f"{[str(d) for d in fresh.errors]}"
        elif not result.published:
            if [str(d) for d in result.errors] != [str(d) for d in fresh.errors]:
                bad = "refusals differ"
            elif live_mode and tree(live.out) != served:
                bad = "a refused save changed the served folder"
            refused += 1
        else:
            got, want = tree(got_dir), tree(out)
            differ = sorted(p for p in set(got) | set(want) if got.get(p) != want.get(p))
            if live_mode:
                differ += sorted(f"{p} (shown early, then changed)" for p, data in shown.items() if got.get(p) != data)
            compared += 1
            if differ:
                bad = f"differ: {differ}"
        if bad:
            dest = FAILDIR / f"{'live' if live_mode else 'build'}-{seed}-{step}"
            shutil.rmtree(dest, ignore_errors=True)
            dest.mkdir(parents=True)
            shutil.copytree(tmp / "before", dest / "before")
            snapshot(src, dest / "after")
            (dest / "info.json").write_text(json.dumps({"seed": seed, "step": step, "bad": bad, "done": done,
                                                       "as_of": str(as_of), "prev_as_of": str(prev_as_of),
                                                       "history": history}, indent=1, default=str))
            print(f"SEED {seed} STEP {step} FAIL {bad[:600]}\n  edits: {done}", flush=True)
            shutil.rmtree(tmp, ignore_errors=True)
            return 1
        rendered = cache.stats["rendered"] - rendered_before
        if result.published and len(kinds) == 1 and not done[-1].startswith("as_of"):
            counts.setdefault(kinds[0], []).append(rendered)
        if result.published:
            snapshot(src, tmp / "good")
            good_as_of = as_of
            broken = 0
        else:
            broken += 1
            if broken > 1 or rng.random() < 0.8:
                restore(tmp / "good", src)   # back to the last state that built, so it does not stay broken
                as_of = good_as_of
        status = f"refused {[str(d)[:150] for d in result.errors][:2]}" if not result.published else \
            f"rendered {rendered}"
        print(f"seed {seed} step {step} ok {status} {done}", flush=True)
    print(f"SEED {seed} DONE compared={compared} refused={refused}"
          + (f" published-early={early} kept={kept}" if live_mode else ""), flush=True)
    # the pages each kind of edit rendered when it was its step's only edit
    for name in sorted(counts):
        print(f"  rendered by {name}: {sorted(counts[name])}", flush=True)
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    seed = int(args[0])
    steps = int(args[1]) if len(args) > 1 else 30
    only = None
    for a in sys.argv[1:]:
        if a.startswith("--only="):
            only = set(a[7:].split(","))
    sys.exit(run(seed, steps, "--live" in sys.argv, only))
