"""Contact rules: consent, justification, reviews and dormancy.

Messages name a contact by `display_name` (the pseudonym unless `consent.publish`) and the
subject is `Contact.key`, because findings reach the published site and portfolio.json.
"""
from __future__ import annotations

from ..registry import Param, count, finding, gap_rule


@gap_rule(
    "missing-consent",
    "a contact with no consent basis and date (and, where required, no privacy notice)",
    "add consent.basis (consent or legitimate-interests) and consent.recorded (see docs/privacy.md)",
    why="Examiners \"award credit for evidence of a maintained contact database with consent records and "
        "privacy notices\" (001, Examiner Marking Points); storing personal data without consent is a named "
        "mistake (001, Common Misconceptions & Mistakes to Avoid).",
    params=[Param("require_privacy_notice", False, {"type": "boolean"}, "Require a privacy notice",
                  "Also require consent.privacy_notice", setting=False)],
    evidence=lambda m, s: [c for c in m.contacts if c.consent.get("basis") and c.consent.get("recorded")
                           and (c.consent.get("privacy_notice") or not s.require_privacy_notice)])
def missing_consent(model, settings):
    need_notice = bool(settings.require_privacy_notice)
    for c in model.contacts:
        missing = [k for k in ("basis", "recorded") if not c.consent.get(k)]
        if need_notice and not c.consent.get("privacy_notice"):
            missing.append("privacy_notice")
        if not missing:
            continue
        file, pos = c.at("consent") if c.consent else c.at("name")
        what = "no consent record" if {"basis", "recorded"} <= set(missing) \
            else "consent record lacks " + " and ".join(f"consent.{k}" for k in missing)
        yield finding("missing-consent", file, pos, f"{what} for {c.display_name}", subject=c.key)



@gap_rule(
    "unjustified-contact",
    "a contact (other than an ended one) with no `why`",
    "add `why:` saying how this contact serves your objectives or development needs",
    why="\"Evidence must include a mapping of current and potential network contacts, with justification for "
        "each based on professional objectives and development needs\" (000, Examiner Marking Points).",
    evidence=lambda m, s: [c for c in m.contacts if c.why.strip()])
def unjustified_contact(model, settings):
    for c in model.contacts:
        if c.status == "ended" or c.why.strip():
            continue
        file, pos = c.at("name")
        yield finding("unjustified-contact", file, pos,
                      f"no justification (`why`) for {c.display_name}", subject=c.key)



@gap_rule(
    "review-due",
    "a current contact not reviewed within `review_interval_days`",
    "add a review: `reviews: [{date, value, activity, potential, decision, note}]`",
    why="Reviewing relationships with \"a simple framework (e.g. value, activity level, potential)\" and "
        "documenting the rationale is what assessors look for (001, Exam Tips & Revision Strategies); "
        "networking is \"an ongoing process of engagement and review\" (001, Common Misconceptions).",
    params=[count("review_interval_days", 90, "Review interval",
                  "Days after which a current contact's relationship is due for review")],
    evidence=lambda m, s: [c for c in m.contacts if c.status == "current" and s.facts.contact(c).last_review
                           and not s.facts.contact(c).review_due])
def review_due(model, settings):
    """Counts from the same next-review date the contact's page shows (analysis.ContactFacts)."""
    interval = settings.review_interval_days
    for c in model.contacts:
        f = settings.facts.contact(c)
        if not f.review_due:
            continue
        file, pos = c.at("reviews") if c.reviews else c.at("met") if c.met_date else c.at("status")
        yield finding("review-due", file, pos,
                      f"review of {c.display_name} due since {f.next_review}: {f.review_since} "
                      f"(review every {interval} days)", subject=c.key)



@gap_rule(
    "dormant-contact",
    "a current contact with no entry within `dormant_after_days`",
    "log your next contact with them, or set `status: dormant` (or `ended`) if the relationship has lapsed",
    why="\"Neglecting to follow up after initial meetings\" and \"treating networking as a one-off activity\" "
        "are named mistakes (000 and 001, Common Misconceptions & Mistakes to Avoid); assessors look for "
        "\"consistent, planned engagement\" (000, Examiner Marking Points).",
    params=[count("dormant_after_days", 120, "Dormant after",
                  "Days without an entry after which a current contact counts as dormant")])
def dormant_contact(model, settings):
    limit = settings.dormant_after_days
    for c in model.contacts:
        f = settings.facts.contact(c)
        if not f.dormant:
            continue
        said = f"last entry on {f.last_interaction}" if f.last_interaction else f"met on {c.met_date} and no entry since"
        file, pos = c.at("status")
        yield finding("dormant-contact", file, pos,
                      f"{c.display_name} is current but quiet: {said}, {f.quiet_days} days "
                      f"ago (dormant after {limit})", subject=c.key)



@gap_rule(
    "contact-file-name",
    "a contact file whose name is not the slug of the contact's `name` (the name `portfolio new contact` gives)",
    "rename the file to the slug of the name (lowercase words joined by hyphens, e.g. 'Priya Shah' -> "
    "priya-shah.yaml) and change the id in the entries that mention it, or leave it if the id is deliberate",
    why="Entries refer to people by file name (`contacts: [priya-shah]`), so a file named after someone else, or "
        "a typo, makes the diary say who was met wrongly, and assessors follow \"consistent, planned engagement "
        "with network members\" through those links (000, Examiner Marking Points).",
    severity="info")
def contact_file_name(model, settings):
    for c in model.contacts:
        if c.named_as_file:
            continue
        # the slug spells the name: the model keeps it only when the name may be published (findings reach the site)
        said = f": expected {c.name_slug}.yaml" if c.name_slug else ""
        file, pos = c.at("name")
        yield finding("contact-file-name", file, pos,
                      f"the file name does not match the name of {c.display_name}{said}", subject=c.key)
