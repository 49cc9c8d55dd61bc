"""Write small portfolios into a folder for tests: a minimal valid one, with any file replaced."""
from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from generator import pipeline

AS_OF = dt.date(2026, 9, 30)

FRAMEWORK = """\
title: Test qualification
awarding_body: Test Body
number: 000/0000/0
level: 4
valid_from: 2020-01-01
valid_until: 2030-12-31
rules:
  min_total: 6
  groups:
    - {group: A, title: Mandatory, mandatory: true, min: 3}
    - {group: B, title: Optional, min: 3}
units:
  - ref: A/000/0001
    title: Network well
    level: 4
    credits: 3
    group: A
    outcomes:
      - id: "1"
        text: Understand networking
        criteria:
          - {id: "1.1", text: Describe networking}
          - {id: "1.2", text: Explain networks}
  - ref: B/000/0002
    title: Plan well
    level: 4
    credits: 3
    group: B
    outcomes:
      - id: "1"
        text: Be able to plan
        criteria:
          - {id: "1.1", text: Make a plan}
"""

PORTFOLIO = """\
learner: {name: Sam Learner, role: Manager, organisation: Acme Ltd}
qualification:
  framework: test-qual
  units: [A/000/0001, B/000/0002]
  registered: 2025-10-01
purpose: To learn.
networks:
  - {id: inside, name: Inside group, kind: internal, category: employer-internal, status: joined}
  - {id: outside, name: Outside body, kind: external, category: professional body, status: joined}
goals:
  - id: grow
    statement: Grow my network
    specific: Meet ten people
    measurable: Ten entries
    achievable: One a month
    relevant: My role needs it
    time_bound: 2026-12-31
    status: in-progress
"""

CONTACT = """\
name: Priya Shah
role: Head of Talent
organisation: Northgate
networks: [outside]
relationship: external
strength: moderate
status: current
met: {date: 2026-09-01, how: a breakfast}
why: She knows the sector.
goals: [grow]
channels: {email: priya@example.com, phone: "+44 20 7946 0001"}
consent: {basis: consent, recorded: 2026-09-01, privacy_notice: 2026-09-02}
"""

ENTRY = """\
---
title: Breakfast with @priya-shah
date: 2026-09-10
kind: meeting
methods: [face-to-face]
contacts: [priya-shah]
networks: [outside]
goals: [grow]
criteria: ["A/000/0001:1.1"]
actions:
  - {do: Send the article, due: 2026-09-20, done: 2026-09-15}
value: {given: An article, received: Advice}
---
We talked about hiring.
"""


def write_portfolio(root: Path, files: dict | None = None, *, minimal: bool = False) -> Path:
    """Write the base portfolio into `root`, then `files` (relative path -> text, or None to delete)."""
    base = {
        "portfolio.yaml": PORTFOLIO,
        "criteria/test-qual.yaml": FRAMEWORK,
        "contacts/priya-shah.yaml": CONTACT,
        "entries/2026-09-10-breakfast.md": ENTRY,
    }
    if minimal:
        base = {k: v for k, v in base.items() if not k.startswith(("contacts/", "entries/"))}
    base.update(files or {})
    for rel, text in base.items():
        path = root / rel
        if text is None:
            if path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def check(root: Path, files: dict | None = None, as_of=AS_OF):
    """Write a portfolio and run the check stages; returns the pipeline Result."""
    write_portfolio(root, files)
    return pipeline.check(root, as_of)


def by_rule(result, rule: str) -> list:
    return [d for d in result.diagnostics if d.rule == rule]
