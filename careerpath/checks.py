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
from .loader import CaseFolder, Caseload, Document, display_path, load

Check = Callable[[Caseload, date], Iterable[Diagnostic]]


def _case_docs(cl: Caseload) -> Iterator[tuple[CaseFolder, Document, m.Case]]:
    for cf in cl.cases.values():
        if cf.case is not None and cf.case.model is not None:
            yield cf, cf.case, cf.case.model


# ---------------------------------------------------------------- references

def check_staff_references(cl: Caseload, today: date) -> Iterator[Diagnostic]:
    known = cl.staff_ids()
    if cl.config_doc is None or cl.config_doc.model is None:
        return  # careerpath.yaml itself is broken; that error is already reported

    def bad(doc: Document, path: tuple, value: str | None) -> Iterator[Diagnostic]:
        if value is not None and value not in known:
            close = difflib.get_close_matches(value, sorted(known), n=1)
            yield doc.diagnostic(path, "error", "unknown-staff", f"`{display_path(path)}` names a staff id careerpath.yaml does not list",
                                 f"did you mean `{close[0]}`?" if close else "add the person to `staff` in careerpath.yaml")

    for cf in cl.cases.values():
        case = cf.model
        if case is not None:
            for role, sid in case.staff.model_dump(by_alias=True).items():
                yield from bad(cf.case, ("staff", role), sid)
        for doc in (*cf.events, *cf.referrals):
            if doc.model is not None:
                yield from bad(doc, ("by",), doc.model.by)


def check_program_references(cl: Caseload, today: date) -> Iterator[Diagnostic]:
    programs = cl.programs

    def bad(doc: Document, path: tuple, value: str | None) -> Iterator[Diagnostic]:
        if value is not None and value not in programs:
            near = programs.nearest(value)
            yield doc.diagnostic(path, "error", "unknown-program", f"`{display_path(path)}` is not a known program",
                                 f"did you mean `{near}`?" if near else f"programs: {', '.join(programs.ids())}")

    for cf in cl.cases.values():
        if cf.model is not None:
            for i, job in enumerate(cf.model.jobs):
                yield from bad(cf.case, ("jobs", i, "program"), job.program)
        if cf.plan_model is not None:
            for i, svc in enumerate(cf.plan_model.services):
                yield from bad(cf.plan, ("services", i, "program"), svc.program)
        for doc in (*cf.events, *cf.referrals):
            if doc.model is not None:
                yield from bad(doc, ("program",), doc.model.program)


def check_event_types(cl: Caseload, today: date) -> Iterator[Diagnostic]:
    """Event types are a closed list: the programs' and the history-only ones (a typo must not
    leave an obligation open while looking recorded)."""
    from .suggest import hint

    known = cl.programs.known_event_types()
    for cf in cl.cases.values():
        for doc in cf.events:
            if doc.model is not None and doc.model.type not in known:
                yield doc.diagnostic(("type",), "error", "unknown-event-type", "`type` is not a known event type",
                                     hint(doc.model.type, known) or "`careerpath programs` lists the event types; "
                                                                    "docs/format.md the history-only ones")


def check_duplicate_ids(cl: Caseload, today: date) -> Iterator[Diagnostic]:
    doc = cl.config_doc
    if doc is not None and doc.model is not None:
        seen: set[str] = set()
        for i, staff in enumerate(doc.model.staff):
            if staff.id in seen:
                yield doc.diagnostic(("staff", i, "id"), "error", "duplicate-id", "a second staff member with the same id")
            seen.add(staff.id)
    for cf in cl.cases.values():
        plan = cf.plan_model
        if plan is None:
            continue
        seen = set()
        for gi, goal in enumerate(plan.goals):
            if goal.id in seen:
                yield cf.plan.diagnostic(("goals", gi, "id"), "error", "duplicate-id", "a second goal with the same id")
            seen.add(goal.id)
            for oi, obj in enumerate(goal.objectives):
                if obj.id in seen:
                    yield cf.plan.diagnostic(("goals", gi, "objectives", oi, "id"), "error", "duplicate-id",
                                             "a second objective with the same id")
                seen.add(obj.id)


# ---------------------------------------------------------------- case state and dates

def check_closure(cl: Caseload, today: date) -> Iterator[Diagnostic]:
    for cf, doc, case in _case_docs(cl):
        if case.status == "closed" and case.closure is None:
            yield doc.diagnostic(("status",), "error", "closure-mismatch", "a closed case needs `closure: {date, reason}`")
        elif case.status == "active" and case.closure is not None:
            yield doc.diagnostic(("closure",), "error", "closure-mismatch", "`closure` is set but `status` is active",
                                 "set `status: closed`, or remove `closure` to reopen the case")
        if case.closure and case.opened and case.closure.date < case.opened:
            yield doc.diagnostic(("closure", "date"), "error", "date-order", "the case closes before it opened")
        if case.closure is not None:
            yield from _closure_reason(cl, cf, doc, case, today)


def _closure_reason(cl: Caseload, cf: CaseFolder, doc: Document, case: m.Case, today: date) -> Iterator[Diagnostic]:
    """A closure's reason is a known one, with a note for `other`; a program's condition for it holds
    (or `override` says why not); no event or referral is dated after it."""
    from . import closing

    closure = case.closure
    known = closing.reasons(cl.programs)
    if closure.reason not in known:
        near = closing.suggest(closure.reason, known)
        yield doc.diagnostic(("closure", "reason"), "warning", "closure-reason", "`closure.reason` is not a known reason",
                             f"did you mean `{near}`?" if near else f"reasons: {', '.join(known)}")
    elif closure.reason in closing.NOTE_REQUIRED and not closure.note:
        yield doc.diagnostic(("closure", "reason"), "warning", "closure-reason",
                             "`closure.reason` other needs `closure.note` saying why the case closed")
    if not closure.override and doc.trusted("closure"):
        for c in closing.unmet(cf, cl.programs, cl.settings, cl.config_doc, closure.reason, closure.date):
            yield doc.diagnostic(("closure", "reason"), "warning", "closure-condition", c.message,
                                 c.hint or "add `override:` to the closure saying why")
    later = closing.later_records(cf, closure.date)
    if later:
        yield doc.diagnostic(("closure", "date"), "warning", "closure-before-record",
                             "the case closes before a recorded event or referral",
                             "the closure date is the last day of services: " + ", ".join(later[:3])
                             + (" …" if len(later) > 3 else ""))


def _order(doc: Document, path_before: tuple, before: date | None, path_after: tuple, after: date | None,
           message: str, hint: str = "") -> Iterator[Diagnostic]:
    if before is not None and after is not None and after < before:
        yield doc.diagnostic(path_after, "error", "date-order", message, hint)


def check_date_order(cl: Caseload, today: date) -> Iterator[Diagnostic]:
    """Jobs that end before they start (an enrollment's own dates are its program's: see check_programs)."""
    for cf, doc, case in _case_docs(cl):
        for i, job in enumerate(case.jobs):
            yield from _order(doc, ("jobs", i, "start"), job.start, ("jobs", i, "end"), job.end, "the job ends before it starts")


def check_future_dates(cl: Caseload, today: date) -> Iterator[Diagnostic]:
    for cf in cl.cases.values():
        for doc in (*cf.events, *cf.referrals):
            if doc.model is not None and doc.model.date > today:
                yield doc.diagnostic(("date",), "warning", "future-date", f"dated after today ({today.isoformat()})",
                                     "record events when they have happened; use follow_up or plan due dates for the future")


# ---------------------------------------------------------------- programs

def check_programs(cl: Caseload, today: date) -> Iterator[Diagnostic]:
    """Each enrollment against what its program declares: date order, staff ids, the program's data checks."""
    from .programs.constraints import check_enrollment

    staff = cl.staff_ids() if cl.config_doc is not None and cl.config_doc.model is not None else None
    for cf, doc, case in _case_docs(cl):
        for pid, enrollment in case.enrollments.items():
            program = cl.programs.get(pid)
            if program is not None:
                yield from check_enrollment(program, doc, enrollment, staff)


def check_jobs(cl: Caseload, today: date) -> Iterator[Diagnostic]:
    for cf, doc, case in _case_docs(cl):
        for i, job in enumerate(case.jobs):
            if job.integrated and job.wage is not None and job.wage <= 0:
                yield doc.diagnostic(("jobs", i, "wage"), "error", "job-wage",
                                     "a competitive integrated job (`integrated: true`) pays at least minimum wage",
                                     "record the hourly wage, or set `integrated: false` (WIOA 34 CFR 361.5(c)(9))")


CHECKS: tuple[Check, ...] = (
    check_staff_references,
    check_program_references,
    check_event_types,
    check_duplicate_ids,
    check_closure,
    check_date_order,
    check_future_dates,
    check_programs,
    check_jobs,
)


def checks_for(cl: Caseload) -> tuple[Check, ...]:
    """The core checks, then those the caseload's programs bring in code (built-in programs only)."""
    return CHECKS + tuple(c for p in cl.programs for c in p.code_checks)


def run_checks(cl: Caseload, today: date, checks: Iterable[Check] | None = None) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for check in checks_for(cl) if checks is None else checks:
        out.extend(check(cl, today))
    return out


def validate(caseload: Caseload | Path | str, today: date) -> list[Diagnostic]:
    """Every diagnostic of a caseload (loading, schema, references, domain rules), sorted."""
    cl = caseload if isinstance(caseload, Caseload) else load(caseload)
    return sorted(set(cl.diagnostics) | set(run_checks(cl, today)), key=sort_key)
