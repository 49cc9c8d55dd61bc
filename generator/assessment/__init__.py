"""The assessor's voice: decisions bound by hash to the evidence judged, unit sign-off, IQA sampling,
authenticity (first recorded, from git). See docs/assessment.md.

records   the people (assessors, IQAs), decisions and samples as model objects
hashing   the content hash that binds a decision to what it judged
history   when each file was first recorded (git, following renames) and whether that commit was signed
state     each criterion's and unit's assessment state, computed once
shown     what each page shows of it: the facts of the page's key (generator/pagecache.py)
rules     the validation and gap rules of this family (registered in generator/registry.py)
commands  `portfolio assess`, `portfolio assess --status`, `portfolio iqa plan`
"""
