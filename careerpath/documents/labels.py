"""Words the code puts into documents (area names, statuses, event types…).

Each is an English msgid marked with ``N_`` so ``pybabel extract`` finds it
(see babel.cfg); documents translate them through the same catalogs as the
templates. The keys are the stored values of FORMAT.md and are never
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

PROGRAMS = {
    "ca-dds-ccp": N_("Coordinated Career Pathways (regional center)"),
    "ca-dor-vr": N_("Vocational rehabilitation (Department of Rehabilitation)"),
    "ca-dor-se": N_("Supported employment (Department of Rehabilitation)"),
    "ru-czn-disability": N_("Employment center: help for people with a disability"),
}

ROLES = {
    "navigator": N_("Career Pathway Navigator"),
    "ces": N_("Customized Employment Specialist"),
    "counselor": N_("Rehabilitation counselor"),
    "curator": N_("Curator"),
    "psychologist": N_("Psychologist"),
    "job-coach": N_("Job coach"),
}

EVENT_TYPES = {
    None: N_("Other"),
    "monthly-review": N_("Monthly review"),
    "quarterly-report": N_("Quarterly report"),
    "annual-report": N_("Annual report"),
    "worksite-monitoring": N_("Worksite monitoring"),
    "ipe-review": N_("IPE review"),
    "extension-request": N_("Extension request"),
    "transition": N_("Transition to extended services"),
    "ipp-meeting": N_("IPP meeting"),
    "iep-meeting": N_("IEP meeting"),
    "retention-check": N_("Job retention check"),
    "ipra-report": N_("IPRA report"),
    "ineligibility-review": N_("Ineligibility review"),
    "contact": N_("Contact"),
    "note": N_("Note"),
    "meeting": N_("Meeting"),
    "phone-call": N_("Phone call"),
    "visit": N_("Visit"),
}
OTHER_EVENT = EVENT_TYPES[None]

REFERRAL_KINDS = {
    "dor-application": N_("Application to the Department of Rehabilitation"),
    "regional-center": N_("Referral to the regional center"),
    "psychological-support": N_("Referral for psychological support"),
    "interpreter": N_("Interpreter or translation"),
    "other": N_("Other referral"),
}

CONSENT = {"agreed": N_("Agreed"), "declined": N_("Did not agree"), None: N_("Not yet answered")}

STATUSES = {
    "done": N_("done"),
    "overdue": N_("overdue"),
    "due-soon": N_("due soon"),
    "upcoming": N_("upcoming"),
    "partial": N_("partly done"),
}

ELIGIBILITY = {
    "pending": N_("waiting for a decision"),
    "eligible": N_("eligible"),
    "ineligible": N_("not eligible"),
    "closed-before-decision": N_("closed before a decision"),
}

SE_TYPES = {"individual": N_("individual supported employment"), "group": N_("group supported employment")}

REFERRAL_DOCUMENTS = {
    "passport": N_("Passport"),
    "work-record-book": N_("Work record book"),
    "ipra": N_("IPRA (individual rehabilitation or habilitation program)"),
    "consent": N_("Signed offer and consent form"),
}

YES_NO = {True: N_("yes"), False: N_("no")}


def all_msgids() -> set[str]:
    """Every msgid defined here (all documents may use any of them)."""
    out: set[str] = {OTHER_EVENT}
    for table in (AREAS, PROGRAMS, ROLES, EVENT_TYPES, REFERRAL_KINDS, CONSENT, STATUSES, ELIGIBILITY,
                  SE_TYPES, REFERRAL_DOCUMENTS, YES_NO):
        out |= set(table.values())
    return out


def msgids_of(tables: tuple[str, ...]) -> set[str]:
    """The msgids of the named tables (``("AREAS", "ROLES")``)."""
    out: set[str] = set()
    for name in tables:
        out |= set(globals()[name].values())
    return out
