"""A synthetic portfolio of N entries, deterministic from a seed, for benchmarks.

N entries (300–600 words of Markdown each, realistic front matter), N/5 contacts, the full
qualification framework shipped in criteria/, a portfolio.yaml choosing a valid set of units.
Also writes the same entries as plain Markdown pages for Hugo, MkDocs and Pelican.

    python benchmarks/synth.py OUT --entries 1000 --seed 1
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
FRAMEWORK = "proqual-l4-nvq-diploma-management"

WORDS = ("the team network meeting contact forum supplier manager shift plan goal review learning site "
         "operations partner feedback project introduction colleague quarter target safety customer process "
         "agreed discussed asked offered followed shared explained suggested noticed learnt improved planned "
         "because although while after before during when which who that this next first again better "
         "induction rota overtime training budget report audit visit branch event breakfast panel speaker "
         "idea question answer option risk benefit change trust value reciprocity reflection practice").split()
KINDS = ["meeting", "event", "call", "email", "online", "introduction", "reflection", "learning", "feedback"]
METHODS = ["face-to-face", "phone", "video", "email", "linkedin", "event", "messaging"]
FIRST = "Alex Sam Priya Tom Grace Owen Leah Kwame Niamh Joe Fatima Marcus Chloe David Helen Sian".split()
LAST = "Shah Okafor Price Moran Asante Gallagher Whitaker Rahman Bell Baptiste Lowe Fairbairn Pritchard".split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def body(rng: random.Random) -> str:
    """300–600 words: paragraphs, a heading or two, a list, some emphasis."""
    target, out, count = rng.randint(300, 600), [], 0
    while count < target:
        if rng.random() < 0.12:
            out.append("## " + " ".join(rng.choice(WORDS) for _ in range(3)).capitalize())
        if rng.random() < 0.15:
            items = ["- " + _sentence(rng) for _ in range(rng.randint(2, 4))]
            out.append("\n".join(items))
            count += sum(len(i.split()) for i in items)
        para = " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))
        para = para.replace(" team ", " **team** ", 1).replace(" plan ", " *plan* ", 1)
        out.append(para)
        count += len(para.split())
    return "\n\n".join(out) + "\n"


def _criteria(framework: dict, chosen: list[str]) -> list[str]:
    refs = []
    for unit in framework["units"]:
        if unit["ref"] in chosen:
            refs += [f"{unit['ref']}:{c['id']}" for o in unit["outcomes"] for c in o["criteria"]]
    return refs


def generate(out: Path, entries: int, seed: int = 1) -> Path:
    """Write the portfolio into `out` (replacing it) and return it."""
    rng = random.Random(seed)
    shutil.rmtree(out, ignore_errors=True)
    for folder in ("entries", "contacts", "criteria"):
        (out / folder).mkdir(parents=True)
    fw_file = REPO / "criteria" / f"{FRAMEWORK}.yaml"
    shutil.copyfile(fw_file, out / "criteria" / fw_file.name)
    framework = yaml.safe_load(fw_file.read_text("utf-8"))
    chosen = _chosen_units(REPO / "portfolio.yaml", framework)
    crits = _criteria(framework, chosen)

    goals = [f"goal-{i}" for i in range(1, 6)]
    networks = [("internal-forum", "internal"), ("trade-body", "external"), ("alumni", "external")]
    portfolio = {
        "learner": {"name": "Synthetic Learner", "role": "Operations Manager", "organisation": "Example Ltd"},
        "qualification": {"framework": FRAMEWORK, "registered": "2020-01-06", "units": chosen},
        "purpose": "To build a network that helps me lead the operation better.",
        "networks": [{"id": n, "name": n.replace("-", " ").title(), "kind": k, "category": "industry group",
                      "status": "joined"} for n, k in networks],
        "goals": [{"id": g, "statement": f"Goal {g}", "specific": "s", "measurable": "m", "achievable": "a",
                   "relevant": "r", "time_bound": "2030-12-31", "status": "in-progress"} for g in goals],
        "site": {"title": "Synthetic portfolio"},
    }
    (out / "portfolio.yaml").write_text(yaml.safe_dump(portfolio, sort_keys=False), "utf-8")

    contacts = []
    for i in range(max(1, entries // 5)):
        # every name distinct in its letters (the privacy scan reads names without digits): a three-letter
        # third word from the contact's number, so no two contacts share a name and none is another's prefix
        tag = "".join(chr(97 + (i // 26 ** k) % 26) for k in (2, 1, 0)).title()
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {tag}"
        cid = name.lower().replace(" ", "-")
        contacts.append(cid)
        (out / "contacts" / f"{cid}.yaml").write_text(yaml.safe_dump({
            "name": name, "role": "Manager", "organisation": f"Org {i % 40}",
            "networks": [rng.choice(networks)[0]], "relationship": rng.choice(["internal", "external"]),
            "strength": rng.choice(["weak", "moderate", "strong"]), "status": "current",
            "met": {"date": "2021-01-04", "how": "at a forum"}, "why": _sentence(rng),
            "goals": [rng.choice(goals)], "channels": {"email": f"{cid}@example.com"},
            "consent": {"basis": "consent", "recorded": "2021-01-04", "publish": rng.random() < 0.5},
            "reviews": [{"date": "2021-06-01", "value": 3, "activity": 3, "potential": 4, "decision": "maintain",
                         "note": "Steady."}],
        }, sort_keys=False), "utf-8")

    start = dt.date(2021, 1, 4)
    for i in range(entries):
        day = start + dt.timedelta(days=(i * 1826) // max(entries, 1))
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7))).capitalize()
        front = {
            "title": title, "date": day.isoformat(), "kind": rng.choice(KINDS),
            "methods": rng.sample(METHODS, rng.randint(1, 2)),
            "contacts": rng.sample(contacts, min(len(contacts), rng.randint(1, 3))),
            "networks": [rng.choice(networks)[0]], "goals": [rng.choice(goals)],
            "criteria": rng.sample(crits, rng.randint(1, 4)), "evidence_type": "reflective-account",
            "discussion": [_sentence(rng) for _ in range(rng.randint(1, 3))],
            "actions": [{"do": _sentence(rng), "due": (day + dt.timedelta(days=14)).isoformat(),
                         "done": (day + dt.timedelta(days=10)).isoformat(), "outcome": "Done."}],
            "value": {"given": _sentence(rng), "received": _sentence(rng)},
        }
        text = "---\n" + yaml.safe_dump(front, sort_keys=False, width=1000) + "---\n" + body(rng)
        (out / "entries" / f"{day.isoformat()}-entry-{i:05d}.md").write_text(text, "utf-8")
    return out


def _chosen_units(portfolio_yaml: Path, framework: dict) -> list[str]:
    """The example portfolio's units (a valid credit set); else the first ten units."""
    try:
        units = yaml.safe_load(portfolio_yaml.read_text("utf-8"))["qualification"]["units"]
        known = {u["ref"] for u in framework["units"]}
        if units and all(u in known for u in units):
            return list(units)
    except (OSError, KeyError, TypeError, yaml.YAMLError):
        pass
    return [u["ref"] for u in framework["units"][:10]]


def plain_pages(portfolio: Path, out: Path, flavour: str) -> None:
    """The same entries as plain Markdown pages: title and date only, then the body."""
    out.mkdir(parents=True, exist_ok=True)
    for f in sorted((portfolio / "entries").glob("*.md")):
        _, front, text = f.read_text("utf-8").split("---\n", 2)
        meta = yaml.safe_load(front)
        title = meta["title"]
        if flavour == "pelican":
            head = f"Title: {title}\nDate: {meta['date']}\nSlug: {f.stem}\n\n"
        elif flavour == "mkdocs":
            head = f"# {title}\n\n"
        else:
            head = f"---\ntitle: \"{title}\"\ndate: {meta['date']}\n---\n"
        (out / f.name).write_text(head + text, "utf-8")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--entries", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    generate(args.out, args.entries, args.seed)
