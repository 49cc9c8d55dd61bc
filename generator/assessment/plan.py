"""`portfolio iqa plan`: propose an IQA sample that follows the CAMERA principle and the centre's sampling
policy, and report whether the sampling recorded so far complies.

CAMERA: Candidates, Assessors, Methods, Evidence, Records, Assessment locations — each should be
represented in what the IQA samples over the programme. One portfolio is one candidate, so the plan covers
the other five: every assessor, every method (the policy's required methods first), every chosen unit
that has decisions (up to the policy's share of units), every evidence kind (entries and attachments) and
every location recorded. The rest of the sample is drawn at random, decisions near completion weighted up
(unit decisions, and criteria of units nearly all met), from a generator seeded by `--seed`: the same
records and seed always give the same plan.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from .rules import state_of
from .state import assessed

DEFAULT_POLICY = {"units": 0.5, "decisions": 0.25, "methods": [], "interim": 0.5}


def policy(model, rate: float | None = None) -> dict:
    p = {**DEFAULT_POLICY, **(model.assessment.sampling or {})}
    if rate is not None:
        p["decisions"] = rate
    return p


def _units_of(d) -> list:
    return list(dict.fromkeys([u.ref for u in d.units] + [c.unit.ref for c in d.criteria]))


def _aspects(d) -> set:
    """What a decision represents, CAMERA-wise."""
    out = {("assessor", d.assessor.id if d.assessor else "")}
    out |= {("method", m) for m in d.methods}
    out |= {("unit", u) for u in _units_of(d)}
    out |= {("evidence", "entry" if j.is_entry else "attachment") for j in d.evidence}
    if d.location:
        out.add(("location", d.location))
    return out


def _weight(d, state) -> float:
    """Decisions near completion weigh more: unit decisions most, then criteria of nearly finished units."""
    if d.units:
        return 3.0
    done = [state.unit(c.unit).met / max(state.unit(c.unit).total, 1) for c in d.criteria]
    return 1.0 + (max(done) if done else 0.0)


@dataclass
class Plan:
    policy: dict
    proposed: list = field(default_factory=list)      # (decision, why)
    compliance: list = field(default_factory=list)    # (ok, text)


def plan(model, as_of, rate: float | None = None, seed: int = 0) -> Plan:
    state = state_of(model)
    pol = policy(model, rate)
    decisions = list(model.assessment.decisions)
    sampled = {id(d) for s in model.assessment.samples for d in s.decisions}
    result = Plan(pol)
    rng = random.Random(seed)
    pool = [d for d in decisions if id(d) not in sampled]
    # a random but seeded order, then weight: the same records and seed give the same plan
    keyed = sorted(pool, key=lambda d: (-_weight(d, state) * (0.5 + rng.random()), d.id))
    target = math.ceil(pol["decisions"] * len(decisions)) - len(sampled)
    covered = set().union(*(_aspects(d) for d in decisions if id(d) in sampled)) if sampled else set()
    units_with = sorted({u for d in decisions for u in _units_of(d)})
    units_wanted = math.ceil(pol["units"] * len([u for u in model.chosen_units if assessed(u)]))
    must = [("method", m) for m in pol["methods"]]
    must += sorted({a for d in decisions for a in _aspects(d) if a[0] != "unit"} - set(must))
    unit_aspects = [("unit", u) for u in units_with]
    chosen: list = []

    def take(aspect, why):
        if aspect in covered:
            return
        for d in keyed:
            if aspect in _aspects(d) and id(d) not in {id(c) for c, _ in chosen}:   # identity: records compare equal
                chosen.append((d, why))
                covered.update(_aspects(d))
                return

    for aspect in must:
        take(aspect, f"{aspect[0]}: {aspect[1]}")
    for aspect in unit_aspects:
        if len({a for a in covered if a[0] == "unit"}) >= units_wanted:
            break
        take(aspect, f"unit {aspect[1]}")
    for d in keyed:
        if len(chosen) >= target:
            break
        if id(d) not in {id(c) for c, _ in chosen}:
            chosen.append((d, "weighted random draw (near completion weighs more)"))
    result.proposed = chosen
    result.compliance = compliance(model, pol, as_of)
    return result


def compliance(model, pol, as_of) -> list:
    """[(ok, text)]: the recorded sampling against the policy."""
    decisions = model.assessment.decisions
    samples = model.assessment.samples
    sampled = {id(d): d for s in samples for d in s.decisions}
    out = []
    share = len(sampled) / len(decisions) if decisions else 0.0
    need = math.ceil(pol["decisions"] * len(decisions))
    out.append((len(sampled) >= need, f"decisions sampled: {len(sampled)} of {len(decisions)} "
                f"(policy: {pol['decisions']:.0%}, so at least {need}; now {share:.0%})"))
    chosen = [u.ref for u in model.chosen_units if assessed(u)]
    units = {u for d in sampled.values() for u in _units_of(d)} & set(chosen)
    need_u = math.ceil(pol["units"] * len(chosen))
    missing_u = [u for u in chosen if u not in units]
    out.append((len(units) >= need_u, f"units sampled: {len(units)} of {len(chosen)} (policy: {pol['units']:.0%}, "
                f"so at least {need_u})" + (f"; not yet sampled: {', '.join(missing_u)}" if len(units) < need_u else "")))
    methods = {m for d in sampled.values() for m in d.methods}
    used = {m for d in decisions for m in d.methods}
    for m in pol["methods"]:
        out.append((m in methods, f"required method {m}: " + ("sampled" if m in methods else
                   "not sampled yet" + ("" if m in used else " (and no decision uses it yet)"))))
    for m in sorted(used - set(pol["methods"])):
        out.append((m in methods, f"method {m} (used in decisions): " + ("sampled" if m in methods else "not sampled yet")))
    assessors = {d.assessor.id for d in decisions if d.assessor}
    for a in sorted(assessors):
        ok = any(d.assessor and d.assessor.id == a for d in sampled.values())
        out.append((ok, f"assessor {a}: " + ("sampled" if ok else "no decision of theirs sampled yet")))
    if samples:
        interim = sum(1 for s in samples if s.stage == "interim")
        share_i = interim / len(samples)
        ok = interim > 0 if pol["interim"] > 0 else True
        out.append((ok, f"interim samples: {interim} of {len(samples)} ({share_i:.0%}; policy: {pol['interim']:.0%} "
                    "interim, the rest summative at the end)"))
    else:
        out.append((pol["interim"] == 0, "no IQA sample recorded yet"))
    return out


def report(p: Plan, out) -> None:
    pol = p.policy
    out.write(f"Sampling policy: {pol['decisions']:.0%} of decisions, {pol['units']:.0%} of units, "
              f"{pol['interim']:.0%} interim" + (f", methods {', '.join(pol['methods'])}" if pol["methods"] else "")
              + "\n")
    out.write(f"Proposed sample: {len(p.proposed)} decision(s)\n")
    for d, why in p.proposed:
        refs = ", ".join([c.ref for c in d.criteria] + [f"unit {u.ref}" for u in d.units])
        out.write(f"  {d.id}  {d.date} {d.outcome} on {refs} [{', '.join(d.methods)}]  ({why})\n")
    ok = all(good for good, _ in p.compliance)
    out.write("Sampling recorded so far: " + ("complies with the policy" if ok else "does not yet comply") + "\n")
    for good, text in p.compliance:
        out.write(f"  {'✔' if good else '✘'} {text}\n")
