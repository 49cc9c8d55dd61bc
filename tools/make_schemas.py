"""Writes generator/schemas/*.schema.json. The JSON files are the shipped contract; edit here, re-run, commit both."""
import json, pathlib
OUT = pathlib.Path(__file__).resolve().parents[1] / 'generator' / 'schemas'
BASE = "https://portfolio-generator.example.org/schemas/"
from generator import rules as _rules  # noqa: F401  (registers every rule; run with the project's venv)
from generator.registry import checks_schema_properties  # the `checks` settings come from the rules themselves

def p(title, desc, **kw):
    d = {"title": title, "description": desc}; d.update(kw); return d
def s(title, desc, **kw):
    # required text must say something: "  " passes minLength but is as empty as "" on the site
    if kw.get("minLength") == 1 and "pattern" not in kw: kw["pattern"] = "\\S"
    return p(title, desc, type="string", **kw)
def md(title, desc): return p(title, desc + " (Markdown)", type="string")
def date(title, desc): return p(title, desc + " Written as YYYY-MM-DD.", type="string", format="date")
def slug(title, desc): return p(title, desc, type="string", pattern="^[a-z0-9]+(-[a-z0-9]+)*$")
def arr(title, desc, items, **kw): return p(title, desc, type="array", items=items, **kw)
def obj(title, desc, props, required=(), **kw):
    d = p(title, desc, type="object", properties=props, additionalProperties=False, **kw)
    if required: d["required"] = list(required)
    return d
def enum(title, desc, values): return p(title, desc, type="string", enum=values)
def score(title, desc): return p(title, desc + " From 1 (low) to 5 (high).", type="integer", minimum=1, maximum=5)
def slugs(title, desc, item_title): return arr(title, desc, slug(item_title, "An id."), uniqueItems=True)

SCHEMAS = {}  # file name -> JSON text


def schema(name, title, desc, props, required=()):
    d = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": BASE + name + ".schema.json",
         "title": title, "description": desc, "type": "object", "properties": props, "additionalProperties": False}
    if required: d["required"] = list(required)
    SCHEMAS[f"{name}.schema.json"] = json.dumps(d, indent=2, ensure_ascii=False) + "\n"

# ---------------- portfolio
network = obj("Network", "A network the learner has identified, joined, shortlisted or left.", {
  "id": slug("Id", "The network's id, used by contacts and entries (a lowercase slug)."),
  "name": s("Name", "The network's name.", minLength=1),
  "kind": enum("Kind", "Whether the network is inside the learner's organisation or outside it.", ["internal", "external"]),
  "category": s("Category", "What sort of network: professional body, industry group, alumni, online community, employer-internal, ..."),
  "status": enum("Status", "Where the learner stands with this network.", ["potential", "shortlisted", "joined", "left"]),
  "url": s("Web address", "The network's public web page (optional)."),
  "joined": date("Joined", "When the learner joined."),
  "left": date("Left", "When the learner left."),
  "benefits": md("Benefits", "What the network offers the learner's needs and aspirations."),
  "limitations": md("Limitations", "Costs, time, access or relevance limits of joining and maintaining it."),
  "scores": p("Shortlist scores", "Scores against the learner's own shortlisting criteria: criterion name -> 1..5.",
              type="object", additionalProperties={"type": "integer", "minimum": 1, "maximum": 5,
              "title": "Score", "description": "A score from 1 (poor) to 5 (excellent)."}),
  "decision": obj("Decision", "The decision taken on this network, with its rationale.", {
      "choice": enum("Choice", "What was decided.", ["join", "defer", "decline", "leave"]),
      "date": date("Date", "When it was decided."),
      "rationale": md("Rationale", "Why."),
  }, required=["choice", "rationale"]),
}, required=["id", "name", "kind", "status"])

revision = obj("Revision", "A change to a goal: when, what changed and why.", {
  "date": date("Date", "When the goal was revised."),
  "change": md("Change", "What changed."),
  "why": md("Why", "Why it changed: feedback, changed circumstances or a reflective insight."),
}, required=["date", "change"])

goal = obj("Goal", "A SMART objective of the development plan.", {
  "id": slug("Id", "The goal's id, used by entries, contacts and the self-assessment."),
  "statement": md("Statement", "The objective in one sentence."),
  "specific": md("Specific", "What exactly will be achieved."),
  "measurable": md("Measurable", "How progress and success will be measured."),
  "achievable": md("Achievable", "Why it is achievable: resources, support, time."),
  "relevant": md("Relevant", "How it links to the role and the organisation's aims."),
  "time_bound": date("Time-bound", "The target date."),
  "status": enum("Status", "Where the goal stands.", ["planned", "in-progress", "achieved", "revised", "dropped"]),
  "achieved": date("Achieved", "When the goal was achieved."),
  "activities": arr("Learning activities", "Planned learning activities and resources.", s("Activity", "One activity.")),
  "revisions": arr("Revisions", "How the goal has been reviewed and revised.", revision),
}, required=["id", "statement", "status"])

area = obj("Area", "One area of the self-assessment.", {
  "area": s("Area", "The skill, knowledge or competence assessed.", minLength=1),
  "rating": score("Rating", "The learner's rating of their current level."),
  "evidence": md("Evidence", "What the rating rests on."),
  "goals": slugs("Goals", "Goals this area leads to.", "Goal id"),
}, required=["area", "rating"])

person = lambda what: obj(what, f"An {what.lower()} of this portfolio: the id used in records, and the name shown.", {
  "id": slug("Id", "The id assessment and IQA records use (a lowercase slug), e.g. graham-pike."),
  "name": s("Name", "The name shown on the site.", minLength=1, maxLength=200),
}, required=["id", "name"])
METHODS_ASSESSED = ["observation", "professional-discussion", "product", "witness-testimony", "questioning",
                    "recognition-of-prior-learning"]
assessment_section = obj("Assessment", "Who assesses and quality-assures this portfolio, and the centre's sampling policy.", {
  "assessors": arr("Assessors", "The assessors who may record decisions.", person("Assessor")),
  "iqas": arr("Internal quality assurers", "The IQAs who may record samples.", person("IQA")),
  "sampling": obj("Sampling policy", "The centre's IQA sampling policy, as `portfolio iqa plan` follows it.", {
     "units": p("Share of units", "Share of the chosen units to sample over the programme, from 0 to 1 (default 0.5).", type="number", minimum=0, maximum=1),
     "decisions": p("Share of decisions", "Share of the assessor's decisions to sample, from 0 to 1 (default 0.25).", type="number", minimum=0, maximum=1),
     "methods": arr("Methods to include", "Assessment methods every sample plan must include.", enum("Method", "An assessment method.", METHODS_ASSESSED), uniqueItems=True),
     "interim": p("Interim share", "Share of the sample taken during the programme (interim); the rest is summative, at the end (default 0.5).", type="number", minimum=0, maximum=1),
  }),
})

checks_props = checks_schema_properties()

schema("portfolio", "Portfolio", "The learner's profile, qualification, networking purpose, networks, development plan and settings (portfolio.yaml).", {
  "learner": obj("Learner", "Who the portfolio belongs to.", {
     "name": s("Name", "The learner's name.", minLength=1, maxLength=200),
     "role": s("Role", "Job title."),
     "organisation": s("Organisation", "Employer."),
     "candidate_number": s("Candidate number", "Awarding body registration number."),
     "centre": s("Centre", "The approved centre."),
     "assessor": s("Assessor", "The assessor's name."),
     "iqa": s("IQA", "The internal quality assurer's name."),
  }, required=["name"]),
  "qualification": obj("Qualification", "The qualification and the units chosen.", {
     "framework": slug("Framework", "The qualification's criteria file in criteria/, without .yaml."),
     "units": arr("Units", "The unit references chosen, e.g. J/506/1949.", s("Unit", "A unit reference."), uniqueItems=True),
     "registered": date("Registered", "Date of registration with the awarding body."),
     "registration_ends": date("Registration ends", "The last day of the learner's registration, as the awarding "
                               "body's registration confirmation gives it (the site counts the days left to it)."),
  }, required=["framework", "units"]),
  "purpose": md("Networking purpose", "Why the learner networks: the reason behind everything in the diary."),
  "networks": arr("Networks", "Networks the learner has identified.", network),
  "self_assessment": obj("Self-assessment", "The learner's self-assessment against their goals.", {
     "date": date("Date", "When it was done."),
     "tool": s("Tool", "The diagnostic tool used: skills audit, SWOT, 360 feedback, ..."),
     "summary": md("Summary", "What it showed."),
     "areas": arr("Areas", "The areas assessed.", area),
  }, required=["tool"]),
  "goals": arr("Goals", "The development plan.", goal),
  "frameworks": slugs("Further frameworks", "Criteria files evidenced beside the qualification, e.g. networking-marking-points.", "Framework id"),
  "site": obj("Site", "How the site is built.", {
     "title": s("Title", "The site's title."),
     "base_url": s("Base URL", "Where the site will be published (links stay relative)."),
     "theme": s("Theme", "A folder (relative to the portfolio) whose templates and assets override the default theme."),
     "language": s("Language", "The site's language tag, e.g. en-GB.", pattern="^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$"),
  }),
  "checks": obj("Checks", "Thresholds and switches for the gap rules.", checks_props),
  "assessment": assessment_section,
  "declaration": obj("Declaration of authenticity", "The learner's declaration that the evidence is their own work.", {
     "text": md("Text", "The declaration, in the learner's words or the centre's."),
     "date": date("Date", "When the learner made it."),
  }, required=["text", "date"]),
}, required=["learner", "qualification"])

# ---------------- contact
schema("contact", "Contact", "One professional contact (contacts/<id>.yaml). The id is the file name.", {
  "name": s("Name", "The contact's name. Published only with consent.publish: true.", minLength=1, maxLength=200),
  "role": s("Role", "Job title."),
  "organisation": s("Organisation", "Where they work."),
  "networks": slugs("Networks", "Ids of networks (portfolio.yaml) this contact belongs to.", "Network id"),
  "relationship": enum("Relationship", "Inside or outside the learner's organisation.", ["internal", "external"]),
  "strength": enum("Strength", "How strong the relationship is.", ["weak", "moderate", "strong"]),
  "status": enum("Status", "Where the relationship stands.", ["potential", "current", "dormant", "ended"]),
  "met": obj("Met", "When and how you met.", {"date": date("Date", "When you first met."), "how": s("How", "Where or how.")}),
  "why": md("Why", "Justification: why this contact matters for your objectives and development needs."),
  "goals": slugs("Goals", "Ids of goals this contact serves.", "Goal id"),
  "introduced_by": slug("Introduced by", "Id of the contact who introduced you."),
  "channels": p("Channels", "Personal contact data (email, phone, linkedin, ...). Never published.", type="object",
                additionalProperties={"type": ["string", "number"], "title": "Channel", "description": "An address or number."}),
  "consent": obj("Consent", "Data-protection record for holding this person's data.", {
     "basis": enum("Basis", "Lawful basis for holding the data.", ["consent", "legitimate-interests"]),
     "recorded": date("Recorded", "When consent or the basis was recorded."),
     "privacy_notice": date("Privacy notice", "When the privacy notice was sent."),
     "publish": p("Publish name", "May the name appear on the published site? Default no.", type="boolean"),
     "erasure_requested": date("Erasure requested", "When the contact asked to be forgotten."),
  }),
  "reviews": arr("Reviews", "Relationship reviews: value, activity and potential.", obj("Review", "One review.", {
     "date": date("Date", "When reviewed."),
     "value": score("Value", "Value of the relationship."),
     "activity": score("Activity", "How active the relationship is."),
     "potential": score("Potential", "Future potential."),
     "decision": enum("Decision", "What you decided.", ["strengthen", "maintain", "reduce", "end"]),
     "note": md("Note", "Why."),
  }, required=["date"])),
  "notes": md("Notes", "Anything else."),
}, required=["name"])

# ---------------- entry
KINDS = ["meeting","event","call","email","online","introduction","reflection","testimony","review","learning","feedback"]
METHODS = ["face-to-face","phone","video","email","linkedin","social-media","event","messaging","letter"]
ETYPES = ["observation","product","professional-discussion","witness-testimony","questioning","assignment","worksheet","prior-learning","reflective-account"]
etype = enum("Evidence type", "One of the qualification's evidence types.", ETYPES)
schema("entry", "Diary entry", "The front matter of one networking-diary entry (entries/YYYY-MM-DD-slug.md).", {
  "ref": s("Evidence reference", "The entry's evidence reference, E001, E002 ...: its name in the site, the "
            "submission document and the exports. Written by `portfolio new entry` and `portfolio check --fix`; "
            "never change or reuse one.", pattern="^E[0-9]{3,}$"),
  "title": s("Title", "What happened, in a few words.", minLength=1),
  "date": date("Date", "When it happened."),
  "kind": enum("Kind", "What sort of entry.", KINDS),
  "methods": arr("Methods", "How the networking happened.", enum("Method", "A networking method.", METHODS), uniqueItems=True),
  "contacts": slugs("Contacts", "Ids of the contacts involved (file names in contacts/).", "Contact id"),
  "networks": slugs("Networks", "Ids of networks involved.", "Network id"),
  "goals": slugs("Goals", "Ids of goals this entry serves.", "Goal id"),
  "criteria": arr("Criteria", "Assessment criteria evidenced, as UNIT:CRITERION (e.g. J/506/1949:3.3).",
                  s("Criterion", "UNIT:CRITERION", pattern="^[^:\\s]+:[^:\\s]+$"), uniqueItems=True),
  "evidence_type": p("Evidence type", "The qualification's evidence type(s): one, or a list.",
                     anyOf=[etype, arr("Evidence types", "Several evidence types.", etype, uniqueItems=True)]),
  "discussion": arr("Discussion", "Key discussion points.", s("Point", "One point.")),
  "actions": arr("Actions", "Follow-ups.", obj("Action", "One follow-up action.", {
      "do": s("Do", "What is to be done.", minLength=1),
      "due": date("Due", "When it is due."),
      "done": date("Done", "When it was done."),
      "outcome": md("Outcome", "What came of it."),
  }, required=["do"])),
  "value": obj("Value", "Reciprocity: value given and received.", {
      "given": md("Given", "What you gave: information, introductions, support."),
      "received": md("Received", "What you received."),
  }),
  "attachments": arr("Attachments", "Evidence files.", obj("Attachment", "One evidence file.", {
      "path": s("Path", "Path inside the portfolio, usually under evidence/.", minLength=1),
      "caption": s("Caption", "What it shows."),
  }, required=["path"])),
  "reflection": enum("Reflection model", "The reflective model the body follows (its stages as headings).", ["gibbs", "kolb"]),
  "witness": obj("Witness", "For testimony: who witnessed and how the statement was confirmed.", {
      "contact": slug("Contact", "Id of the witness's contact file."),
      "confirmed": s("Confirmed", "How the statement was confirmed."),
      "verified": obj("Verified", "The assessor's verification of the witness testimony.", {
          "by": slug("By", "Id of the assessor who verified it (portfolio.yaml assessment.assessors)."),
          "how": s("How", "How it was verified: phone call, meeting, signed statement, ...", minLength=1),
          "date": date("Date", "When it was verified."),
      }, required=["by", "how", "date"]),
  }, required=["contact"]),
}, required=["title", "date", "kind"])

# ---------------- framework
criterion = obj("Criterion", "An assessment criterion (or marking point).", {
  "id": s("Id", "Its number within the unit, e.g. 3.3.", pattern="^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)*$"),
  "text": s("Text", "The criterion, word for word.", minLength=1),
  "source": obj("Source", "Where the criterion comes from.", {
     "guide": s("Guide", "The source document."), "section": s("Section", "The section of it.")}),
  "auto": p("Automatic rule", "A named rule the generator evaluates over the records, with its parameters.",
            type="object", required=["rule"], properties={"rule": s("Rule", "The rule's name.")},
            additionalProperties={"title": "Parameter", "description": "A parameter of the rule.",
                                  "type": ["integer", "number", "boolean", "string", "array"]}),
}, required=["id", "text"])
outcome = obj("Learning outcome", "A learning outcome and its criteria.", {
  "id": s("Id", "Its number, e.g. 1.", pattern="^[A-Za-z0-9]+$"),
  "text": s("Text", "The learning outcome, word for word.", minLength=1),
  "criteria": arr("Criteria", "Its assessment criteria.", criterion, minItems=1),
}, required=["id", "text", "criteria"])
unit = obj("Unit", "A unit of the framework.", {
  "ref": s("Reference", "Unit reference, e.g. J/506/1949.", pattern="^[A-Za-z0-9][A-Za-z0-9/._-]*$"),
  "title": s("Title", "The unit's title.", minLength=1),
  "summary_title": s("Summary title", "The title in the specification's summary table, where it differs."),
  "level": p("Level", "RQF level.", type="integer", minimum=1, maximum=8),
  "credits": p("Credits", "Credit value.", type="integer", minimum=0),
  "group": s("Group", "The rule group the unit belongs to, e.g. A."),
  "source": s("Source", "The source document."),
  "outcomes": arr("Outcomes", "Learning outcomes.", outcome, minItems=1),
}, required=["ref", "title", "outcomes"])
schema("framework", "Criteria framework", "A qualification or other framework: units > learning outcomes > criteria (criteria/<id>.yaml).", {
  "title": s("Title", "The framework's title.", minLength=1),
  "description": md("Description", "What the framework is."),
  "awarding_body": s("Awarding body", "Who awards it."),
  "regulator": s("Regulator", "Who regulates it."),
  "number": s("Number", "The qualification number."),
  "level": p("Level", "RQF level.", type="integer"),
  "valid_from": date("Valid from", "Operational start date."),
  "valid_until": date("Valid until", "Operational end date: the last date for registration."),
  "total_qualification_time": p("Total qualification time", "Hours.", type="integer"),
  "guided_learning_hours": p("Guided learning hours", "Hours.", type="integer"),
  "grading": s("Grading", "How it is graded."),
  "rules": obj("Credit rules", "What a valid choice of units is.", {
     "min_total": p("Minimum total", "Minimum credits in all.", type="integer", minimum=0),
     "groups": arr("Groups", "Per-group rules.", obj("Group rule", "Rules for one group.", {
        "group": s("Group", "The group's name, e.g. A."),
        "title": s("Title", "What the group is."),
        "mandatory": p("Mandatory", "Every unit of the group must be chosen.", type="boolean"),
        "min": p("Minimum", "Minimum credits from the group.", type="integer", minimum=0),
        "max": p("Maximum", "Maximum credits from the group.", type="integer", minimum=0),
     }, required=["group"])),
  }),
  "evidence_types": arr("Evidence types", "The evidence types the framework accepts.", obj("Evidence type", "One type.", {
     "id": s("Id", "The id entries use."), "label": s("Label", "The specification's words.")}, required=["id"])),
  "units": arr("Units", "The framework's units.", unit, minItems=1),
}, required=["title", "units"])
# ---------------- assessment decision
schema("assessment", "Assessment decision", "One assessor's decision on criteria or whole units, bound by content hash "
       "to the evidence judged (assessments/<id>.yaml, written by `portfolio assess`).", {
  "date": date("Date", "When the decision was made."),
  "assessor": slug("Assessor", "Id of the assessor (portfolio.yaml assessment.assessors)."),
  "criteria": arr("Criteria", "The criteria decided, as UNIT:CRITERION.",
                  s("Criterion", "UNIT:CRITERION", pattern="^[^:\\s]+:[^:\\s]+$"), uniqueItems=True),
  "units": arr("Units", "Whole units decided: with outcome met and every criterion met, the unit is signed off.",
               s("Unit", "A unit reference, e.g. J/506/1949.", minLength=1), uniqueItems=True),
  "outcome": enum("Outcome", "The decision.", ["met", "not-yet", "referred"]),
  "methods": arr("Methods", "The assessment methods used.", enum("Method", "An assessment method.", METHODS_ASSESSED),
                 uniqueItems=True),
  "evidence": arr("Evidence", "The evidence judged, each with its content hash as judged (see docs/assessment.md).",
                  obj("Evidence", "One entry or attachment judged.", {
     "path": s("Path", "The entry or attachment, relative to the portfolio, e.g. entries/2026-03-14-cipd-breakfast.md.", minLength=1),
     "sha256": s("Content hash", "sha256 of the content as judged (entries: text with normalised line endings; "
                 "attachments: bytes).", pattern="^[0-9a-f]{64}$"),
  }, required=["path", "sha256"])),
  "feedback": md("Feedback", "Feedback to the learner."),
  "reply": obj("Reply", "The learner's reply to the feedback.", {
     "date": date("Date", "When the learner replied."),
     "text": md("Text", "The reply."),
  }, required=["text"]),
  "location": s("Location", "Where the assessment took place (workplace, centre, remote)."),
}, required=["date", "assessor", "outcome", "methods"])

# ---------------- IQA sample
schema("iqa", "IQA sample", "One internal quality assurer's sample of assessment decisions (iqa/<id>.yaml).", {
  "date": date("Date", "When the sample was reviewed."),
  "iqa": slug("IQA", "Id of the internal quality assurer (portfolio.yaml assessment.iqas)."),
  "stage": enum("Stage", "Interim (during the programme) or summative (at the end).", ["interim", "summative"]),
  "sampled": arr("Decisions sampled", "Ids of the assessment records sampled (file names in assessments/ without .yaml).",
                 slug("Decision", "An assessment record's id."), minItems=1, uniqueItems=True),
  "outcome": enum("Outcome", "The IQA's finding.", ["agree", "disagree", "action"]),
  "feedback": md("Feedback", "Feedback to the assessor."),
  "action": md("Action", "What the assessor must do (outcome action)."),
  "closed": date("Closed", "When the action was closed."),
}, required=["date", "iqa", "sampled", "outcome"])

if __name__ == "__main__":
    for name, text in SCHEMAS.items():
        (OUT / name).write_text(text)
    print("schemas written to", OUT)
