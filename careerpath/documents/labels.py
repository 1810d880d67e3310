"""Words the core puts into documents (areas, roles, statuses, referral kinds, consent…).

Programs label their own words in their folder (program.yaml: ``label``, an
event's ``label``, a choice field's ``labels``). Each word here is an English
msgid marked with ``N_`` so ``pybabel extract`` finds it (see babel.cfg);
documents translate them through the same catalogs as the templates. The keys are the stored values of FORMAT.md and are never
translated: a translator changes what a reader sees, never what the code
compares.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a string for extraction; translation happens at render time."""
    return message


AREAS = {
    "employment": N_("Work"),
    "community": N_("Community life"),
    "education": N_("Learning and school"),
    "supports": N_("Supports outside work"),
}

ROLES = {
    "navigator": N_("Career Pathway Navigator"),
    "ces": N_("Customized Employment Specialist"),
    "counselor": N_("Rehabilitation counselor"),
    "curator": N_("Curator"),
    "psychologist": N_("Psychologist"),
    "job-coach": N_("Job coach"),
}

# event types kept as history (models.HISTORY_EVENT_TYPES); the types a program counts are
# labelled in its program.yaml (`events:`)
EVENT_TYPES = {
    None: N_("Other"),
    "contact": N_("Contact"),
    "note": N_("Note"),
    "meeting": N_("Meeting"),
    "phone-call": N_("Phone call"),
    "visit": N_("Visit"),
    "feedback": N_("Feedback"),
}
OTHER_EVENT = EVENT_TYPES[None]

REFERRAL_KINDS = {
    "dor-application": N_("Application to the Department of Rehabilitation"),
    "regional-center": N_("Referral to the regional center"),
    "psychological-support": N_("Referral for psychological support"),
    "interpreter": N_("Interpreter or translation"),
    "benefits-planning": N_("Benefits planning (work incentives counselling)"),
    "other": N_("Other referral"),
}

CONSENT = {"agreed": N_("Agreed"), "declined": N_("Did not agree"), None: N_("Not yet answered")}

STATUSES = {
    "done": N_("done"),
    "overdue": N_("overdue"),
    "due-soon": N_("due soon"),
    "upcoming": N_("upcoming"),
    "partial": N_("partly done"),
    "scheduled": N_("scheduled"),
}

REFERRAL_DOCUMENTS = {
    "passport": N_("Passport"),
    "work-record-book": N_("Work record book"),
    "ipra": N_("IPRA (individual rehabilitation or habilitation program)"),
    "consent": N_("Signed offer and consent form"),
}

MEETING_MODES = {"in-person": N_("in person"), "phone": N_("by phone"), "video": N_("by video")}

YES_NO = {True: N_("yes"), False: N_("no")}


#: the tables a kind may name in `labels:` (careerpath/programs/kinds.py adds `events` and `programs`,
#: which come from what the programs declare)
TABLES = {
    "areas": AREAS,
    "roles": ROLES,
    "statuses": STATUSES,
    "referral-kinds": REFERRAL_KINDS,
    "referral-documents": REFERRAL_DOCUMENTS,
    "consent": CONSENT,
    "meeting-modes": MEETING_MODES,
    "yes-no": YES_NO,
}


def all_msgids() -> set[str]:
    """Every msgid defined here (any document may use them)."""
    out: set[str] = {OTHER_EVENT}
    for table in (*TABLES.values(), EVENT_TYPES):
        out |= set(table.values())
    return out
