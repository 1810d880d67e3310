"""Reference and domain checks that run after loading.

Each check is a small function ``(caseload, today) -> iterable of
Diagnostic`` registered in :data:`CHECKS` (an immutable tuple: a call never
leaks checks into the next). What a program requires is its own data
(``checks:`` in its program.yaml, run by :func:`check_programs`) or, where
data cannot say it, a ``checks.py`` in a built-in program folder
(:func:`checks_for`). Every domain check names its source in the message or
hint. ``validate`` runs the loader and all checks and returns every
diagnostic, sorted.
"""

from __future__ import annotations

import difflib
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import models as m
from .diagnostics import Diagnostic, sort_key
from .i18n.messages import Message
from .loader import CaseFolder, Caseload, SourceFile, did_you_mean, display_path, load

Check = Callable[[Caseload, date], Iterable[Diagnostic]]


def _case_docs(caseload: Caseload) -> Iterator[tuple[CaseFolder, SourceFile, m.Case]]:
    for case_folder in caseload.cases.values():
        if case_folder.case is not None and case_folder.case.model is not None:
            yield case_folder, case_folder.case, case_folder.case.model


# ---------------------------------------------------------------- references

def check_staff_references(caseload: Caseload, today: date) -> Iterator[Diagnostic]:
    known = caseload.staff_ids()
    if caseload.config_file is None or caseload.config_file.model is None:
        return  # careerpath.yaml itself is broken; that error is already reported

    def bad(doc: SourceFile, path: tuple, value: str | None) -> Iterator[Diagnostic]:
        if value is not None and value not in known:
            close = difflib.get_close_matches(value, sorted(known), n=1)
            yield doc.diagnostic(path, "error", "unknown-staff", Message("`{path}` names a staff id careerpath.yaml does not list", path=display_path(path)),
                                 did_you_mean(close[0]) if close else Message("add the person to `staff` in careerpath.yaml"))

    for case_folder in caseload.cases.values():
        case = case_folder.model
        if case is not None:
            for role, sid in case.staff.model_dump(by_alias=True).items():
                yield from bad(case_folder.case, ("staff", role), sid)
        for doc in (*case_folder.events, *case_folder.referrals):
            if doc.model is not None:
                yield from bad(doc, ("by",), doc.model.by)


def check_program_references(caseload: Caseload, today: date) -> Iterator[Diagnostic]:
    programs = caseload.programs

    def bad(doc: SourceFile, path: tuple, value: str | None) -> Iterator[Diagnostic]:
        if value is not None and value not in programs:
            near = programs.nearest(value)
            yield doc.diagnostic(path, "error", "unknown-program", Message("`{path}` is not a known program", path=display_path(path)),
                                 did_you_mean(near) if near else Message("programs: {list}", list=", ".join(programs.ids())))

    for case_folder in caseload.cases.values():
        if case_folder.model is not None:
            for i, job in enumerate(case_folder.model.jobs):
                yield from bad(case_folder.case, ("jobs", i, "program"), job.program)
        if case_folder.plan_model is not None:
            for i, svc in enumerate(case_folder.plan_model.services):
                yield from bad(case_folder.plan, ("services", i, "program"), svc.program)
        for doc in (*case_folder.events, *case_folder.referrals):
            if doc.model is not None:
                yield from bad(doc, ("program",), doc.model.program)


def check_event_types(caseload: Caseload, today: date) -> Iterator[Diagnostic]:
    """Event types are a closed list: the programs' and the history-only ones (a typo must not
    leave an obligation open while looking recorded)."""
    from .suggest import hint

    known = caseload.programs.known_event_types()
    for case_folder in caseload.cases.values():
        for doc in case_folder.events:
            if doc.model is not None and doc.model.type not in known:
                yield doc.diagnostic(("type",), "error", "unknown-event-type", Message("`type` is not a known event type"),
                                     hint(doc.model.type, known)
                                     or Message("`careerpath programs` lists the event types; docs/format.md the history-only ones"))


def check_plan_services(caseload: Caseload, today: date) -> Iterator[Diagnostic]:
    """A plan service of a program with a service catalogue names one of its services (by id or name)."""
    from .programs.services import find, nearest

    for case_folder in caseload.cases.values():
        if case_folder.plan_model is None:
            continue
        for i, svc in enumerate(case_folder.plan_model.services):
            program = caseload.programs.get(svc.program) if svc.program else None
            if program is None or not program.services or find(program.services, svc.name):
                continue
            near = nearest(program.services, svc.name)
            yield case_folder.plan.diagnostic(
                ("services", i, "name"), "warning", "unknown-service",
                Message("this service is not in the service catalogue of {program}; it is printed as written",
                        program=program.id),
                did_you_mean(near.id) if near else Message("the program's `services.yaml` lists each service's id and name"))


def check_duplicate_ids(caseload: Caseload, today: date) -> Iterator[Diagnostic]:
    doc = caseload.config_file
    if doc is not None and doc.model is not None:
        seen: set[str] = set()
        for i, staff in enumerate(doc.model.staff):
            if staff.id in seen:
                yield doc.diagnostic(("staff", i, "id"), "error", "duplicate-id", Message("a second staff member with the same id"))
            seen.add(staff.id)
    for case_folder in caseload.cases.values():
        plan = case_folder.plan_model
        if plan is None:
            continue
        seen = set()
        for gi, goal in enumerate(plan.goals):
            if goal.id in seen:
                yield case_folder.plan.diagnostic(("goals", gi, "id"), "error", "duplicate-id", Message("a second goal with the same id"))
            seen.add(goal.id)
            for oi, obj in enumerate(goal.objectives):
                if obj.id in seen:
                    yield case_folder.plan.diagnostic(("goals", gi, "objectives", oi, "id"), "error", "duplicate-id",
                                             Message("a second objective with the same id"))
                seen.add(obj.id)


# ---------------------------------------------------------------- case state and dates

def check_closure(caseload: Caseload, today: date) -> Iterator[Diagnostic]:
    for case_folder, doc, case in _case_docs(caseload):
        if case.status == "closed" and case.closure is None:
            yield doc.diagnostic(("status",), "error", "closure-mismatch", Message("a closed case needs `closure: {date, reason}`"))
        elif case.status == "active" and case.closure is not None:
            yield doc.diagnostic(("closure",), "error", "closure-mismatch", Message("`closure` is set but `status` is active"),
                                 Message("set `status: closed`, or remove `closure` to reopen the case"))
        if case.closure and case.opened and case.closure.date < case.opened:
            yield doc.diagnostic(("closure", "date"), "error", "date-order", Message("the case closes before it opened"))
        if case.closure is not None:
            yield from _closure_reason(caseload, case_folder, doc, case, today)


def _closure_reason(caseload: Caseload, case_folder: CaseFolder, doc: SourceFile, case: m.Case,
                    today: date) -> Iterator[Diagnostic]:
    """A closure's reason is a known one, with a note for `other`; a program's condition for it holds
    (or `override` says why not); no event or referral is dated after it."""
    from . import closing

    closure = case.closure
    known = closing.reasons(caseload.programs)
    if closure.reason not in known:
        near = closing.suggest(closure.reason, known)
        yield doc.diagnostic(("closure", "reason"), "warning", "closure-reason",
                             Message("`closure.reason` is not a known reason"),
                             did_you_mean(near) if near else Message("reasons: {list}", list=", ".join(known)))
    elif closure.reason in closing.NOTE_REQUIRED and not closure.note:
        yield doc.diagnostic(("closure", "reason"), "warning", "closure-reason",
                             Message("`closure.reason` other needs `closure.note` saying why the case closed"))
    if not closure.override and doc.trusted("closure"):
        for c in closing.unmet(case_folder, caseload.programs, caseload.settings, caseload.config_file,
                               closure.reason, closure.date):
            yield doc.diagnostic(("closure", "reason"), "warning", "closure-condition", c.message,
                                 c.hint or Message("add `override:` to the closure saying why"))
    later = closing.later_records(case_folder, closure.date)
    if later:
        yield doc.diagnostic(("closure", "date"), "warning", "closure-before-record",
                             Message("the case closes before a recorded event or referral"),
                             Message("the closure date is the last day of services: {list}",
                                     list=", ".join(later[:3]) + (" …" if len(later) > 3 else "")))


def _order(doc: SourceFile, path_before: tuple, before: date | None, path_after: tuple, after: date | None,
           message: Message, hint: str = "") -> Iterator[Diagnostic]:
    if before is not None and after is not None and after < before:
        yield doc.diagnostic(path_after, "error", "date-order", message, hint)


def check_date_order(caseload: Caseload, today: date) -> Iterator[Diagnostic]:
    """Jobs that end before they start (an enrollment's own dates are its program's: see check_programs)."""
    for case_folder, doc, case in _case_docs(caseload):
        for i, job in enumerate(case.jobs):
            yield from _order(doc, ("jobs", i, "start"), job.start, ("jobs", i, "end"), job.end,
                              Message("the job ends before it starts"))


def check_future_dates(caseload: Caseload, today: date) -> Iterator[Diagnostic]:
    for case_folder in caseload.cases.values():
        for doc in (*case_folder.events, *case_folder.referrals):
            if doc.model is not None and doc.model.date > today:
                yield doc.diagnostic(("date",), "warning", "future-date", Message("dated after today ({date})", date=today),
                                     Message("record events when they have happened; use follow_up or plan due dates for the future"))


# ---------------------------------------------------------------- programs

def check_programs(caseload: Caseload, today: date) -> Iterator[Diagnostic]:
    """Each enrollment against what its program declares: date order, staff ids, the program's data checks."""
    from .programs.constraints import check_enrollment

    staff = caseload.staff_ids() if caseload.config_file is not None and caseload.config_file.model is not None else None
    for case_folder, doc, case in _case_docs(caseload):
        for pid, enrollment in case.enrollments.items():
            program = caseload.programs.get(pid)
            if program is not None:
                yield from check_enrollment(program, doc, enrollment, staff)


def check_jobs(caseload: Caseload, today: date) -> Iterator[Diagnostic]:
    for case_folder, doc, case in _case_docs(caseload):
        for i, job in enumerate(case.jobs):
            if job.integrated and job.wage is not None and job.wage <= 0:
                yield doc.diagnostic(("jobs", i, "wage"), "error", "job-wage",
                                     Message("a competitive integrated job (`integrated: true`) pays at least minimum wage"),
                                     Message("record the hourly wage, or set `integrated: false` (WIOA 34 CFR 361.5(c)(9))"))


def check_language_tags(caseload: Caseload, today: date) -> Iterator[Diagnostic]:
    """Language tags are BCP 47 tags the IANA registry knows: ``language: vx`` used to give English silently."""
    from .i18n.languages import LANGUAGES
    from .i18n.tags import is_valid, suggestions

    def bad(doc: SourceFile, path: tuple, tag: str | None) -> Iterator[Diagnostic]:
        if tag is None or is_valid(tag):
            return
        close = suggestions(tag)
        hint = did_you_mean(close[0]) if close else Message(
            "use a BCP 47 language tag such as {examples}", examples=", ".join(LANGUAGES))
        yield doc.diagnostic(path, "error", "unknown-language",
                             Message("`{path}` is not a known language tag (BCP 47)", path=display_path(path)), hint)

    config_file = caseload.config_file
    if config_file is not None and config_file.model is not None:
        config = config_file.model
        yield from bad(config_file, ("default_language",), config.default_language)
        yield from bad(config_file, ("agency_language",), config.agency_language)
        for i, member in enumerate(config.staff):
            for j, tag in enumerate(member.languages):
                yield from bad(config_file, ("staff", i, "languages", j), tag)
    for case_folder, doc, case in _case_docs(caseload):
        yield from bad(doc, ("person", "language"), case.person.language)
        plan = case_folder.plan_model
        if plan is None:
            continue
        yield from bad(case_folder.plan, ("language",), plan.language)
        maps = [(("translations",), plan.translations)]
        for gi, goal in enumerate(plan.goals):
            maps.append((("goals", gi, "translations"), goal.translations))
            maps += [(("goals", gi, "objectives", oi, "translations"), o.translations) for oi, o in enumerate(goal.objectives)]
        maps += [(("services", si, "translations"), sv.translations) for si, sv in enumerate(plan.services)]
        for path, found in maps:
            for tag in found:
                yield from bad(case_folder.plan, path + (tag,), tag)


def check_plan_translations(caseload: Caseload, today: date) -> Iterator[Diagnostic]:
    """Plan text a person's document would print in another language than the person's (issue 16).

    A person-facing kind (audience ``person`` or ``both``) of the case's
    programs prints the plan: every staff-written text in it (strengths,
    interests, barriers, supports, goal statements, steps, service names and
    results) needs a translation into the person's language, unless the plan is
    written in it. One warning per plan, at the first such text, with the count;
    a translated list whose length differs from its source is reported apart.
    """
    from .documents.kinds import kinds_of
    from .freetext import count_mismatches, text_language, untranslated

    facing = [k for k in kinds_of(caseload.programs).values() if k.audience in ("person", "both")]
    for case_folder, doc, case in _case_docs(caseload):
        plan = case_folder.plan_model
        if plan is None:
            continue
        for path, n, of in count_mismatches(plan):
            yield case_folder.plan.diagnostic(path, "warning", "translation-count", Message(
                "`{path}` has {n} items for {of} in `{source}`; it is not used",
                path=display_path(path), n=n, of=of, source=path[-1]),
                Message("translate each item, in the same order"))
        if not any(k.applies_to(case) for k in facing):
            continue
        lang = case.person.language
        source = text_language(plan, case, caseload.config, caseload.programs)
        missing = untranslated(plan, source, lang)
        if missing:
            yield case_folder.plan.diagnostic(missing[0], "warning", "untranslated-text", Message(
                "{n} texts of the plan are in `{source}` with no `{lang}` translation (the first: `{path}`); "
                "the person's documents print them as written", n=len(missing), source=source, lang=lang,
                path=display_path(missing[0])),
                Message("add a `translations:` entry for `{lang}` beside each text (docs/format.md), "
                        "or set the plan's `language:` if it is written in `{lang}`", lang=lang))


CHECKS: tuple[Check, ...] = (
    check_staff_references,
    check_program_references,
    check_event_types,
    check_plan_services,
    check_duplicate_ids,
    check_closure,
    check_date_order,
    check_future_dates,
    check_programs,
    check_jobs,
    check_language_tags,
    check_plan_translations,
)


def checks_for(caseload: Caseload) -> tuple[Check, ...]:
    """The core checks, then those the caseload's programs bring in code (built-in programs only)."""
    return CHECKS + tuple(c for p in caseload.programs for c in p.code_checks)


def run_checks(caseload: Caseload, today: date, checks: Iterable[Check] | None = None) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for check in checks_for(caseload) if checks is None else checks:
        out.extend(check(caseload, today))
    return out


def validate(caseload: Caseload | Path | str, today: date) -> list[Diagnostic]:
    """Every diagnostic of a caseload (loading, schema, references, domain rules), sorted."""
    caseload = caseload if isinstance(caseload, Caseload) else load(caseload)
    return sorted(set(caseload.diagnostics) | set(run_checks(caseload, today)), key=sort_key)
