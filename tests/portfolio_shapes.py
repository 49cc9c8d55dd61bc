"""Seeded portfolios of many shapes for the consistency tests (tests/test_consistency.py).

Each shape is a small, valid portfolio written from a seed: a randomly drawn test qualification (groups A
mandatory, B with a minimum, C with a maximum), optionally a second framework of marking points with `auto`
criteria, contacts of every status with and without consent, met dates and reviews, and entries citing
criteria of chosen and unchosen units with actions done, open and overdue. The same seed always writes the
same files. Nothing in the text names a contact, so the pages can be compared word for word.
"""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import yaml

AS_OF = dt.date(2026, 9, 30)
REGISTERED = dt.date(2025, 10, 1)
FIRST = ["Quenby", "Ottoline", "Barnaby", "Isolde", "Cosimo", "Perpetua", "Thaddeus", "Wilhelmina", "Evander",
         "Clementine"]
LAST = ["Vantreight", "Molyneux", "Pennefather", "Ashcombe", "Fairweather", "Loveday", "Tregarthen", "Beauchamp"]
TOPICS = ["benchmarking", "handover", "safety walk", "recruitment", "backhaul", "slotting", "rota", "budget"]
KINDS = ["meeting", "event", "call", "email", "online", "reflection", "learning", "introduction"]
METHODS = ["face-to-face", "phone", "video", "email", "linkedin", "event", "messaging"]

# name -> what the shape fixes; everything else is drawn from the seed
SHAPES = {
    "no-entries": dict(entries=0, choose="mandatory"),
    "one-unit": dict(choose="one"),
    "every-unit": dict(choose="all", entries=14),
    "unchosen-criteria": dict(choose="mandatory", unchosen_share=0.7, entries=8),
    "auto-criteria": dict(marking_points=True, contacts=5),
    "no-consent": dict(marking_points=True, consent="none"),
    "all-consent": dict(marking_points=True, consent="all"),
    "credits-met": dict(credit="met"),
    "credits-one-short": dict(credit="short"),
    "credits-over-maximum": dict(credit="over-max"),
    "reviews-and-met-dates": dict(contacts=8, entries=10),
    "contact-without-dates": dict(contacts=3, undated_contact=True),
    "actions-every-state": dict(entries=10, actions=3),
    "two-entries-needed": dict(min_evidence=2, entries=14),
}
RANDOM_SHAPES = 14


def all_shapes() -> list[tuple[str, int, dict]]:
    """(name, seed, knobs) for every generated portfolio the tests build."""
    named = [(name, 1000 + i, knobs) for i, (name, knobs) in enumerate(SHAPES.items())]
    return named + [(f"random-{i}", i, {}) for i in range(RANDOM_SHAPES)]


def _framework(rng: random.Random) -> dict:
    units, serial = [], 0
    for group, count in (("A", rng.randint(1, 2)), ("B", rng.randint(2, 3)), ("C", rng.randint(1, 2))):
        for _ in range(count):
            serial += 1
            outcomes = [{"id": str(o), "text": f"Outcome {o} of unit {serial}",
                         "criteria": [{"id": f"{o}.{k}", "text": f"Criterion {o}.{k} of unit {serial}"}
                                      for k in range(1, rng.randint(1, 3) + 1)]}
                        for o in range(1, rng.randint(1, 2) + 1)]
            units.append({"ref": f"{group}/100/{serial:04d}", "title": f"Unit {serial} of group {group}",
                          "level": 4, "credits": rng.randint(1, 6), "group": group, "outcomes": outcomes})
    return {"title": "Generated qualification", "awarding_body": "Test body", "number": "000/0000/0", "level": 4,
            "valid_from": dt.date(2020, 1, 1), "valid_until": dt.date(2030, 12, 31), "units": units}


def _rules(fw: dict, chosen: list[str], rng: random.Random, credit: str | None) -> dict:
    by_group = {g: sum(u["credits"] for u in fw["units"] if u["group"] == g and u["ref"] in chosen) for g in "ABC"}
    c_max = max(by_group["C"] - 1, 0) if credit == "over-max" else by_group["C"] + rng.randint(0, 4)
    counted = by_group["A"] + by_group["B"] + min(by_group["C"], c_max)
    total = {"met": counted, "short": counted + 1,
             "over-max": by_group["A"] + by_group["B"] + by_group["C"]}.get(credit, counted + rng.randint(-3, 3))
    b_min = by_group["B"] if credit in ("met", "short", "over-max") else max(by_group["B"] + rng.randint(-2, 2), 0)
    return {"min_total": max(total, 0), "groups": [
        {"group": "A", "title": "Mandatory", "mandatory": True},
        {"group": "B", "title": "Optional", "min": b_min},
        {"group": "C", "title": "Further", "max": c_max}]}


MARKING_POINTS = {
    "title": "Generated marking points", "awarding_body": "(test)",
    "units": [
        {"ref": "MP-NET", "title": "Networking points", "outcomes": [{"id": "1", "text": "Networking", "criteria": [
            {"id": "1.1", "text": "Uses enough methods", "auto": {"rule": "few-methods", "min_methods": 3}},
            {"id": "1.2", "text": "Justifies each contact", "auto": {"rule": "unjustified-contact"}},
            {"id": "1.3", "text": "Records consent", "auto": {"rule": "missing-consent"}},
            {"id": "1.4", "text": "Sends privacy notices",
             "auto": {"rule": "missing-consent", "require_privacy_notice": True}},
            {"id": "1.5", "text": "Gives value", "auto": {"rule": "one-sided"}},
            {"id": "1.6", "text": "Shows a tangible benefit"}]}]},
        {"ref": "MP-PDP", "title": "Plan points", "outcomes": [{"id": "1", "text": "Planning", "criteria": [
            {"id": "1.1", "text": "Links goals to entries"}, {"id": "1.2", "text": "Reviews the plan"}]}]}]}


def _day(rng, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _contact(rng, i: int, name: str, consent: str, undated: bool) -> dict:
    status = "current" if undated else rng.choice(["current", "current", "potential", "dormant", "ended"])
    c = {"name": name, "role": f"Role {i}", "organisation": f"Organisation {i}", "networks": [rng.choice(["inside", "outside"])],
         "relationship": rng.choice(["internal", "external"]), "strength": rng.choice(["weak", "moderate", "strong"]),
         "status": status, "channels": {"email": f"person{i}@example.org"}}
    if not undated and rng.random() < 0.7:
        c["met"] = {"date": _day(rng, dt.date(2025, 1, 1), AS_OF), "how": "At a meeting"}
    if rng.random() < 0.8:
        c["why"] = f"Serves goal grow through topic {i}."
    mode = consent if consent != "random" else rng.choice(["none", "publish", "private", "notice"])
    if mode == "all":
        mode = rng.choice(["publish", "private", "notice"])
    if mode != "none":
        c["consent"] = {"basis": rng.choice(["consent", "legitimate-interests"]), "recorded": dt.date(2025, 10, 2),
                        "publish": mode == "publish"}
        if mode == "notice" or rng.random() < 0.3:
            c["consent"]["privacy_notice"] = dt.date(2025, 10, 3)
    if not undated:
        c["reviews"] = [{"date": _day(rng, dt.date(2025, 6, 1), AS_OF), "value": 3, "activity": 3, "potential": 4,
                         "decision": "maintain", "note": f"Review {k}."} for k in range(rng.choice([0, 0, 1, 2]))]
    return c


def _actions(rng, day: dt.date, n: int) -> list[dict]:
    out = []
    for k in range(n):
        a = {"do": f"Follow-up task {k + 1} from {day.isoformat()}"}
        due = rng.choice([None, AS_OF, AS_OF - dt.timedelta(days=1), _day(rng, day, AS_OF + dt.timedelta(days=60))])
        if due is not None:
            a["due"] = due
        if rng.random() < 0.4:
            a["done"] = _day(rng, day, AS_OF)
            a["outcome"] = "Done as agreed."
        out.append(a)
    return out


def write(root: Path, seed: int, **knobs) -> Path:
    """Write a portfolio drawn from `seed` (with the shape's fixed `knobs`) into `root`; returns root."""
    rng = random.Random(seed)
    fw = _framework(rng)
    refs = [u["ref"] for u in fw["units"]]
    mandatory = [u["ref"] for u in fw["units"] if u["group"] == "A"]
    choose = knobs.get("choose", rng.choice(["all", "mandatory", "random", "random"]))
    chosen = {"all": refs, "one": [rng.choice(refs)], "mandatory": mandatory,
              "random": [r for r in refs if r in mandatory or rng.random() < 0.6]}[choose]
    if knobs.get("credit") == "over-max":   # credits beyond group C's maximum need group C chosen
        chosen = sorted(set(chosen) | {u["ref"] for u in fw["units"] if u["group"] == "C"})
    fw["rules"] = _rules(fw, chosen, rng, knobs.get("credit"))
    marking = knobs.get("marking_points", rng.random() < 0.5)

    files = {"criteria/gen-qual.yaml": fw}
    names = [f"{f} {l}" for f in FIRST for l in LAST]
    rng.shuffle(names)
    n_contacts = knobs.get("contacts", rng.randint(0, 5))
    contacts = {}
    for i in range(n_contacts):
        name = names[i]
        contacts[name.lower().replace(" ", "-")] = _contact(rng, i + 1, name, knobs.get("consent", "random"),
                                                            knobs.get("undated_contact", False) and i == 0)
    crit_refs = [f"{u['ref']}:{c['id']}" for u in fw["units"] for o in u["outcomes"] for c in o["criteria"]]
    chosen_refs = [r for r in crit_refs if r.split(":")[0] in chosen]
    other_refs = [r for r in crit_refs if r not in chosen_refs]
    if marking:
        files["criteria/gen-marking.yaml"] = MARKING_POINTS
        chosen_refs += [f"{u['ref']}:{c['id']}" for u in MARKING_POINTS["units"]
                        for o in u["outcomes"] for c in o["criteria"]]
    unchosen_share = knobs.get("unchosen_share", 0.2)
    n_entries = knobs.get("entries", rng.randint(1, 9))
    ids = list(contacts)
    for i in range(n_entries):
        day = _day(rng, REGISTERED, AS_OF)
        cited = set()
        for _ in range(rng.randint(0, 4)):
            pool = other_refs if other_refs and rng.random() < unchosen_share else chosen_refs
            cited.add(rng.choice(pool))
        entry = {"title": f"Entry {i + 1}: {rng.choice(TOPICS)}", "date": day, "kind": rng.choice(KINDS),
                 "methods": rng.sample(METHODS, rng.randint(0, 2)),
                 "contacts": rng.sample(ids, min(len(ids), rng.randint(0, 2))),
                 "criteria": sorted(cited)}
        if rng.random() < 0.5:
            entry["value"] = {"given": "Our rota template.", "received": "A checklist."}
        n_actions = knobs.get("actions", rng.choice([0, 0, 1, 2]))
        if n_actions:
            entry["actions"] = _actions(rng, day, n_actions)
        if knobs.get("undated_contact") and ids and i == 0:
            entry["contacts"] = sorted(set(entry["contacts"]) | {ids[0]})
        body = f"What happened at entry {i + 1}, and what I learned.\n"
        files[f"entries/{day.isoformat()}-entry-{i + 1}.md"] = "---\n" + _dump(entry) + "---\n" + body
    for cid, c in contacts.items():
        files[f"contacts/{cid}.yaml"] = c

    portfolio = {
        "learner": {"name": "Sam Tester", "role": "Site Manager", "organisation": "Example Ltd"},
        "qualification": {"framework": "gen-qual", "units": chosen, "registered": REGISTERED},
        "purpose": "To learn from peers.",
        "networks": [{"id": "inside", "name": "Inside group", "kind": "internal", "category": "employer-internal",
                      "status": "joined"},
                     {"id": "outside", "name": "Outside body", "kind": "external", "category": "professional body",
                      "status": "joined"}],
        "goals": [{"id": "grow", "statement": "Grow my network", "specific": "Meet ten people",
                   "measurable": "Ten entries", "achievable": "One a month", "relevant": "My role needs it",
                   "time_bound": dt.date(2026, 12, 31), "status": "in-progress"}],
        "checks": {"review_interval_days": rng.choice([30, 90, 120]),
                   "min_evidence_per_criterion": knobs.get("min_evidence", 1)},
    }
    if marking:
        portfolio["frameworks"] = ["gen-marking"]
    # the end of registration: ahead, passed, or not recorded (from the seed, without drawing from rng)
    ends = {0: REGISTERED + dt.timedelta(days=3 * 365), 1: AS_OF - dt.timedelta(days=seed % 50)}.get(seed % 3)
    if ends is not None:
        portfolio["qualification"]["registration_ends"] = ends
    files["portfolio.yaml"] = portfolio

    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else _dump(content), encoding="utf-8")
    for folder in ("entries", "contacts"):
        (root / folder).mkdir(exist_ok=True)
    return root


def _dump(data) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
