"""Diary rules: actions followed through, reciprocity, range of methods, reflective accounts."""
from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt

from ..model import add_days
from ..registry import Param, count, finding, gap_rule
from .common import checks_pos, plural, short

FOLLOW_UP_KINDS = ("meeting", "event", "call", "introduction")

# Each stage as a pattern over a normalised heading: spelling variants and "Stage 1:" prefixes tolerated.
STAGES = {
    "gibbs": [("Description", r"descri(ption|be)"), ("Feelings", r"feelings?"), ("Evaluation", r"evaluat(ion|e)"),
              ("Analysis", r"analy(sis|se|ze)"), ("Conclusion", r"conclu(sion|de)s?"),
              ("Action plan", r"action plan(ning)?")],
    "kolb": [("Concrete experience", r"concrete experience"), ("Reflective observation", r"reflective observation"),
             ("Abstract conceptualisation", r"abstract conceptuali[sz]ation"),
             ("Active experimentation", r"active experimentation")],
}


@gap_rule(
    "overdue-action",
    "an action past its due date and not done",
    "do it and record `done:` (the date) and `outcome:`, or move `due:` and say why",
    why="A good log records \"planned actions, and follow-up outcomes\" (000, Exam Tips & Revision Strategies); "
        "\"neglecting to follow up after initial meetings\" is a named mistake (000, Common Misconceptions).")
def overdue_action(model, settings):
    for a in model.actions:
        f = settings.facts.action(a)
        if f.status != "overdue":
            continue
        file, pos = a.at("due")
        yield finding("overdue-action", file, pos,
                      f"action '{short(a.do, 60)}' was due on {a.due} and is not done "
                      f"({f.days_overdue} days overdue)", subject=a.entry.id)


def _followed_up(entry, model, within: int) -> bool:
    """A later entry with one of the same contacts, within the window, is a follow-up too."""
    if entry.date is None:
        return False
    ids = {c.id for c in entry.contacts}
    end = add_days(entry.date, within)
    return any((entry.date, entry.id) < (other.date, other.id) and other.date <= end
               and ids & {c.id for c in other.contacts}
               for other in model.entries if other.date)


@gap_rule(
    "no-follow-up",
    "a meeting, event, call or introduction with contacts that records no action and has no follow-up entry "
    "with them within `follow_up_within_days`, once those days have passed",
    "add `actions: [{do, due}]` for what you agreed, or log the follow-up as its own entry",
    why="Assessors look for \"a detailed log or diary showing consistent, planned engagement with network "
        "members, including follow-ups\" (000, Examiner Marking Points).",
    params=[count("follow_up_within_days", 14, "Follow up within",
                  "Days within which an action or a follow-up entry should follow a meeting")],
    evidence=lambda m, s: [e for e in m.entries if e.kind in FOLLOW_UP_KINDS and e.contacts
                           and (e.actions or _followed_up(e, m, s.follow_up_within_days))])
def no_follow_up(model, settings):
    within = settings.follow_up_within_days
    for e in model.entries:
        if e.kind not in FOLLOW_UP_KINDS or not e.contacts or e.actions or e.date is None:
            continue
        if add_days(e.date, within) >= settings.as_of or _followed_up(e, model, within):
            continue   # still inside its window (a meeting today is not yet unfollowed), or followed up
        file, pos = e.at("date")
        yield finding("no-follow-up", file, pos,
                      f"{e.kind} '{short(e.title, 60)}' records no follow-up action and no follow-up entry "
                      f"within {within} days", subject=e.id)



def _min_given(settings) -> int:
    return settings.min_value_given if settings.min_given is None else settings.min_given


def _gave(model, settings) -> list:
    return [e for e in model.entries if e.value_given.strip()]


@gap_rule(
    "one-sided",
    "too few entries record value given (`value.given`): fewer than `min_value_given`",
    "record what you gave as well as what you got: `value: {given: ..., received: ...}`",
    why="Examiners \"award credit for demonstrating an understanding of reciprocity and mutual benefit ... with "
        "clear examples of how value is exchanged\" (000, Examiner Marking Points); one-sided networks are a "
        "named mistake (001, Common Misconceptions & Mistakes to Avoid).",
    params=[count("min_value_given", 3, "Minimum value given", "Entries that should record value given to others"),
            Param("min_given", None, {"type": "integer", "minimum": 0}, "Minimum value given",
                  "The same as min_value_given, for one criterion (default: the min_value_given setting)",
                  setting=False)],
    evidence=_gave)
def one_sided(model, settings):
    need = _min_given(settings)
    given = _gave(model, settings)
    if len(given) >= need:
        return
    file, pos = checks_pos(model, "min_value_given")
    yield finding("one-sided", file, pos,
                  f"{plural(len(given), 'entry records', 'entries record')} value given to others; "
                  f"at least {need} should", subject="entries")



@gap_rule(
    "few-methods",
    "fewer than `min_methods` distinct networking methods across the diary",
    "network another way too (e.g. LinkedIn as well as events) and record `methods:` on each entry",
    why="\"The learner must show the ability to use at least two different networking methods (e.g., "
        "face-to-face events, LinkedIn)\" (000, Examiner Marking Points).",
    params=[count("min_methods", 2, "Minimum methods", "Distinct networking methods the diary should show")],
    evidence=lambda m, s: [e for e in m.entries if e.methods])
def few_methods(model, settings):
    need = settings.min_methods
    used = sorted({m for e in model.entries for m in e.methods})
    if len(used) >= need:
        return
    file, pos = checks_pos(model, "min_methods")
    shown = ", ".join(used) if used else "none recorded"
    yield finding("few-methods", file, pos,
                  f"the diary uses {plural(len(used), 'networking method')} ({shown}); at least {need} expected",
                  subject="entries")



def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z]+", " ", text.lower()).split())


@lru_cache(maxsize=256)
def headings(body: str) -> tuple:
    """The body's Markdown headings (ATX and setext, not inside code), normalised."""
    tokens = MarkdownIt("commonmark").parse(body)
    return tuple(_normalise(tokens[i + 1].content) for i, t in enumerate(tokens)
                 if t.type == "heading_open" and i + 1 < len(tokens))


def body_facts(entry) -> tuple:
    """All any rule reads of an entry's body: a reflective account's headings (`missing_stages`). A page that
    showed no body is keyed by the entries' front matter and these (generator/pagecache.py), so a page that
    shows what a rule made of a body (an automatic criterion's result and the records that bear on it)
    follows a body edit even when no finding does: a rule that reads more of a body must add it here."""
    return headings(entry.body) if entry.reflection else ()


def missing_stages(entry) -> list:
    found = headings(entry.body)
    return [name for name, pattern in STAGES.get(entry.reflection, [])
            if not any(re.search(rf"\b{pattern}\b", h) for h in found)]


def _models(settings) -> list:
    models = settings.models or list(STAGES)
    return [models] if isinstance(models, str) else list(models)


@gap_rule(
    "no-reflection",
    "no reflective account using a model (`reflection: gibbs` or `kolb`), or one whose body lacks the model's "
    "stages as headings",
    "write a reflection entry with `reflection: gibbs` (or kolb) and one heading per stage",
    why="\"Use reflective models (e.g. Gibbs or Kolb) to structure your evaluation of progress; this "
        "demonstrates deeper analytical thinking and earns higher marks\" (004, Exam Tips & Revision "
        "Strategies); examiners want \"a reflective evaluation\" of networking methods (000, Examiner "
        "Marking Points).",
    params=[Param("models", list(STAGES), {"anyOf": [{"type": "string", "enum": list(STAGES)},
                                                     {"type": "array", "items": {"enum": list(STAGES)}}]},
                  "Reflective models", "Reflective models that count", setting=False),
            count("min", 1, "Minimum reflective accounts", "Reflective accounts needed", setting=False, minimum=0)],
    evidence=lambda m, s: [e for e in m.entries if e.reflection in _models(s) and not missing_stages(e)])
def no_reflection(model, settings):
    models = _models(settings)
    need = settings.min
    accounts = [e for e in model.entries if e.reflection in models]
    for e in accounts:
        missing = missing_stages(e)
        if missing:
            file, pos = e.at("reflection")
            yield finding("no-reflection", file, pos,
                          f"{e.reflection} reflection lacks {plural(len(missing), 'stage')} as headings: "
                          f"{', '.join(missing)}", subject=e.id,
                          hint="give each stage its own Markdown heading, e.g. '## " + missing[0] + "'")
    if len(accounts) < need:
        file, pos = model.source.file, (1, 1)
        yield finding("no-reflection", file, pos,
                      f"{plural(len(accounts), 'reflective account')} using {' or '.join(models)}; "
                      f"at least {need} expected", subject="entries")

