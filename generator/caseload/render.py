"""The caseload's pages and CSV: Jinja templates of the theme (caseload/*.html), in the same sandbox as the
learner's site, and the CSV through csvsafe. Pages see the Caseload and decide nothing."""
from __future__ import annotations

from pathlib import Path

from ..csvsafe import csv_bytes
import jinja2

from ..failures import Failure, template_failure
from ..render.environment import DEFAULT_THEME, environment

CSV_HEAD = ["learner", "candidate_number", "centre", "assessor", "iqa", "qualification", "as_of",
            "criteria_evidenced", "criteria_total", "percent", "not_started", "claimed_awaiting", "met", "not_yet",
            "referred", "stale", "decisions", "oldest_claim_since", "last_activity", "days_since_activity",
            "reviews_overdue", "actions_overdue", "actions_open", "registration_ends", "days_left",
            "iqa_decisions_sampled", "iqa_samples", "iqa_last_sample", "iqa_actions_open"]


def _iso(d):
    return d.isoformat() if d else ""


def csv_rows(c) -> list:
    rows = [CSV_HEAD]
    for r in c.rows:
        rows.append([r.name, r.candidate_number, r.centre, "; ".join(r.assessors), "; ".join(r.iqas), r.qualification,
                     _iso(r.as_of), r.evidenced, r.total, r.percent, *(r.counts[s] for s in
                     ("not-started", "claimed", "met", "not-yet", "referred", "stale")), r.decisions,
                     _iso(r.awaiting_since), _iso(r.last_activity), "" if r.idle_days is None else r.idle_days,
                     r.reviews_overdue, r.actions_overdue, r.actions_open, _iso(r.registration_ends),
                     "" if r.days_left is None else r.days_left, r.iqa_sampled, r.iqa_samples,
                     _iso(r.iqa_last_sample), r.iqa_actions_open])
    return rows


def _dirs(theme: Path | None) -> list[Path]:
    dirs = [Path(theme).resolve()] if theme else []
    if theme and not (dirs[0] / "templates").is_dir():
        raise Failure(str(theme), "no templates/ folder in this theme",
                      "a theme is a folder with templates/ (and static/); see docs/themes.md", status=2)
    return dirs + [DEFAULT_THEME]


def _static(dirs: list[Path], name: str) -> bytes:
    for d in dirs:
        f = d / "static" / name
        if f.is_file():
            return f.read_bytes()
    raise FileNotFoundError(name)


def render(c, theme: Path | None = None) -> dict[str, bytes]:
    """Every file of the dashboard: site path -> bytes."""
    dirs = _dirs(theme)
    env = environment(dirs)
    files = {}
    view = c.view()

    def page(path: str, template: str, **ctx) -> None:
        root = "../" * path.count("/")
        try:
            files[path] = env.get_template(template).render(caseload=view, root=root, **ctx).encode("utf-8")
        except (jinja2.TemplateError, TypeError, ValueError, AttributeError) as exc:
            raise template_failure(exc, dirs, path) from None

    page("index.html", "caseload/index.html", page_title="Caseload", current="index")
    for folder, groups, what in (("assessors", view["assessors"], "Assessor"), ("iqas", view["iqas"], "IQA")):
        for g in groups:
            page(f"{folder}/{g['key']}.html", "caseload/group.html", group=g, page_title=f"{what}: {g['name']}",
                 current=g["key"])
    files["caseload.csv"] = csv_bytes(csv_rows(c))
    files["assets/style.css"] = _static(dirs, "style.css")
    files["assets/favicon.svg"] = _static(dirs, "favicon.svg")
    # the dashboard's own assets sit among its templates (a theme overrides them by the same name), so a
    # learner's site, which copies static/ whole, does not carry them
    for name in ("caseload.css", "caseload.js"):
        files[f"assets/{name}"] = env.loader.get_source(env, f"caseload/{name}")[0].encode("utf-8")
    return dict(sorted(files.items()))
