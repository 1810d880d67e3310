"""Reference and domain checks that run after loading.

Each check is a small function ``(caseload, today) -> iterable of
Diagnostic`` registered in :data:`CHECKS` (an immutable tuple: a call never
leaks checks into the next). Every domain check names its source in the
message or hint. ``validate`` runs the loader and all checks and returns every
diagnostic, sorted.
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator

from dateutil.relativedelta import relativedelta

from . import models as m
from .diagnostics import Diagnostic, sort_key
from .loader import CaseFolder, Caseload, Document, display_path, load

Check = Callable[[Caseload, date], Iterable[Diagnostic]]


def _case_docs(cl: Caseload) -> Iterator[tuple[CaseFolder, Document, m.Case]]:
    for cf in cl.cases.values():
        if cf.case is not None and cf.case.model is not None:
            yield cf, cf.case, cf.case.model


def snils_ok(snils: str) -> bool:
    """The SNILS check-number test (Пенсионный фонд РФ): weights 9..1 over the first nine digits."""
    digits = re.sub(r"\D", "", snils)
    if len(digits) != 11:
        return False
    number, check = digits[:9], int(digits[9:])
    if int(number) <= 1001998:  # numbers up to 001-001-998 carry no check number
        return True
    total = sum(int(d) * w for d, w in zip(number, range(9, 0, -1)))
    if total < 100:
        expected = total
    elif total in (100, 101):
        expected = 0
    else:
        expected = total % 101
        if expected == 100:
            expected = 0
    return check == expected


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
            czn = case.enrollments.ru_czn_disability
            if czn is not None:
                yield from bad(cf.case, ("enrollments", "ru-czn-disability", "curator"), czn.curator)
        for doc in (*cf.events, *cf.referrals):
            if doc.model is not None:
                yield from bad(doc, ("by",), doc.model.by)


def check_program_references(cl: Caseload, today: date) -> Iterator[Diagnostic]:
    def bad(doc: Document, path: tuple, value: str | None) -> Iterator[Diagnostic]:
        if value is not None and value not in m.PROGRAMS:
            close = difflib.get_close_matches(value, m.PROGRAMS, n=1)
            yield doc.diagnostic(path, "error", "unknown-program", f"`{display_path(path)}` is not a known program",
                                 f"did you mean `{close[0]}`?" if close else f"programs: {', '.join(m.PROGRAMS)}")

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
    known = m.EVENT_TYPES + m.HISTORY_EVENT_TYPES
    for cf in cl.cases.values():
        for doc in cf.events:
            if doc.model is not None and doc.model.type not in known:
                close = difflib.get_close_matches(doc.model.type, known, n=1)
                yield doc.diagnostic(("type",), "warning", "unknown-event-type",
                                     "this event type satisfies no obligation; it is kept as history only",
                                     f"did you mean `{close[0]}`?" if close else f"types that count: {', '.join(m.EVENT_TYPES)}")


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


def _order(doc: Document, path_before: tuple, before: date | None, path_after: tuple, after: date | None,
           message: str, hint: str = "") -> Iterator[Diagnostic]:
    if before is not None and after is not None and after < before:
        yield doc.diagnostic(path_after, "error", "date-order", message, hint)


def check_date_order(cl: Caseload, today: date) -> Iterator[Diagnostic]:
    for cf, doc, case in _case_docs(cl):
        e = case.enrollments
        if e.ca_dds_ccp:
            p = ("enrollments", "ca-dds-ccp")
            yield from _order(doc, p + ("start",), e.ca_dds_ccp.start, p + ("authorized_until",), e.ca_dds_ccp.authorized_until,
                              "the CCP authorization ends before it starts")
            yield from _order(doc, p + ("start",), e.ca_dds_ccp.start, p + ("end",), e.ca_dds_ccp.end, "the CCP enrollment ends before it starts")
        if e.ca_dor_vr:
            p = ("enrollments", "ca-dor-vr")
            vr = e.ca_dor_vr
            yield from _order(doc, p + ("applied",), vr.applied, p + ("eligibility", "decided"), vr.eligibility.decided,
                              "the eligibility decision is dated before the application",
                              "DOR decides within 60 days after the application (34 CFR 361.41(b)(1)); check both dates")
            if vr.ipe is not None:
                yield from _order(doc, p + ("eligibility", "decided"), vr.eligibility.decided, p + ("ipe", "signed"), vr.ipe.signed,
                                  "the IPE is signed before eligibility was decided",
                                  "the IPE follows the eligibility determination (34 CFR 361.45(e))")
            wl = vr.eligibility.waiting_list
            if wl is not None:
                yield from _order(doc, p + ("eligibility", "waiting_list", "placed"), wl.placed,
                                  p + ("eligibility", "waiting_list", "released"), wl.released,
                                  "released from the waiting list before being placed on it")
        if e.ca_dor_se:
            p = ("enrollments", "ca-dor-se")
            yield from _order(doc, p + ("start",), e.ca_dor_se.start, p + ("transitioned",), e.ca_dor_se.transitioned,
                              "the transition to extended services is dated before SE started")
        if e.ru_czn_disability and e.ru_czn_disability.ipra:
            for i, measure in enumerate(e.ru_czn_disability.ipra.measures):
                p = ("enrollments", "ru-czn-disability", "ipra", "measures", i)
                yield from _order(doc, p + ("from",), measure.from_, p + ("to",), measure.to, "the measure ends before it starts")
        for i, job in enumerate(case.jobs):
            yield from _order(doc, ("jobs", i, "start"), job.start, ("jobs", i, "end"), job.end, "the job ends before it starts")


def check_future_dates(cl: Caseload, today: date) -> Iterator[Diagnostic]:
    for cf in cl.cases.values():
        for doc in (*cf.events, *cf.referrals):
            if doc.model is not None and doc.model.date > today:
                yield doc.diagnostic(("date",), "warning", "future-date", f"dated after today ({today.isoformat()})",
                                     "record events when they have happened; use follow_up or plan due dates for the future")


# ---------------------------------------------------------------- programs

def check_ccp(cl: Caseload, today: date) -> Iterator[Diagnostic]:
    for cf, doc, case in _case_docs(cl):
        ccp = case.enrollments.ca_dds_ccp
        if ccp is None or ccp.basis != "exiting-secondary-education":
            continue
        p = ("enrollments", "ca-dds-ccp")
        cite = "CCP serves people at most 2 years from exiting secondary education (service code 956, WIC 4870.2)"
        if ccp.school_exit is None:
            yield doc.diagnostic(p + ("basis",), "error", "ccp-school-exit",
                                 "basis exiting-secondary-education needs `school_exit`", cite)
        elif ccp.school_exit < ccp.start or ccp.school_exit > ccp.start + relativedelta(years=2):
            yield doc.diagnostic(p + ("school_exit",), "error", "ccp-school-exit",
                                 "`school_exit` is not within 2 years after the CCP `start`", cite)


def check_dor_vr(cl: Caseload, today: date) -> Iterator[Diagnostic]:
    for cf, doc, case in _case_docs(cl):
        vr = case.enrollments.ca_dor_vr
        if vr is None:
            continue
        p = ("enrollments", "ca-dor-vr", "eligibility")
        el = vr.eligibility
        if not doc.trusted(*p, "status"):
            continue  # the status itself was rejected; its error is already reported
        if el.status in ("eligible", "ineligible") and el.decided is None:
            yield doc.diagnostic(p + ("status",), "error", "dor-eligibility-mismatch",
                                 f"status {el.status} needs the date of the decision in `decided`")
        if el.status == "pending" and el.decided is not None:
            yield doc.diagnostic(p + ("decided",), "error", "dor-eligibility-mismatch",
                                 "`decided` is set but the status is still pending", "set `status` to eligible or ineligible")
        if el.status == "ineligible":
            notice = el.notice
            missing = [] if notice is not None else ["notice"]
            if notice is not None:
                missing = [name for name, ok in (("sent", notice.sent is not None), ("reasons", notice.reasons),
                                                 ("rights", notice.rights), ("cap_info", notice.cap_info)) if not ok]
            if missing:
                yield doc.diagnostic(p + (("notice",) if notice is not None else ("status",)), "error", "dor-notice-incomplete",
                                     f"the ineligibility notice lacks: {', '.join(missing)}",
                                     "the written notice gives the reasons, appeal rights (review, fair hearing) and the "
                                     "Client Assistance Program, 1-800-776-5746 (34 CFR 361.43(b))")


def check_se(cl: Caseload, today: date) -> Iterator[Diagnostic]:
    for cf, doc, case in _case_docs(cl):
        se = case.enrollments.ca_dor_se
        if se is None:
            continue
        p = ("enrollments", "ca-dor-se")
        if not se.extended_services_source and not se.reasonable_expectation:
            yield doc.diagnostic(p + ("start",), "error", "se-extended-services",
                                 "SE started without `extended_services_source` or `reasonable_expectation`",
                                 "the IPE must identify the extended-services source before DOR starts SE (9 CCR 7131.1(a)(3))")
        if se.type == "group" and (se.group_size is None or not 3 <= se.group_size <= 8):
            yield doc.diagnostic(p + (("group_size",) if se.group_size is not None else ("type",)), "error", "se-group-size",
                                 "group SE needs `group_size` from 3 to 8 consumers per job coach", "WIC 4851(r)")


def check_identifiers(cl: Caseload, today: date) -> Iterator[Diagnostic]:
    for cf, doc, case in _case_docs(cl):
        snils = case.identifiers.snils
        if snils is not None and not snils_ok(snils):
            yield doc.diagnostic(("identifiers", "snils"), "error", "snils-check", "`identifiers.snils` fails the check-number test",
                                 "re-type the number from the insurance certificate; one digit is usually swapped")


def check_jobs(cl: Caseload, today: date) -> Iterator[Diagnostic]:
    for cf, doc, case in _case_docs(cl):
        for i, job in enumerate(case.jobs):
            if job.integrated and job.wage is not None and job.wage <= 0:
                yield doc.diagnostic(("jobs", i, "wage"), "error", "job-wage",
                                     "a competitive integrated job (`integrated: true`) pays at least minimum wage",
                                     "record the hourly wage, or set `integrated: false` (WIOA 34 CFR 361.5(c)(9))")


_DEGREE_RANK = {"none": 0, "high-school": 1, "associate": 2, "bachelor": 3, "master": 4, "doctorate": 5}


def staff_qualification_gaps(staff: m.Staff) -> list[str]:
    """What a navigator or CES lacks against the CCP minimums (empty when qualified)."""
    rank = _DEGREE_RANK.get(staff.degree or "none", 0)
    years = staff.years_dd_experience or 0
    certified = bool({"CESP", "ACRE-CE"} & set(staff.certifications))
    gaps = []
    if staff.role == "navigator":
        if not ((rank >= 3 and years >= 3) or (rank >= 2 and years >= 5)):
            gaps.append("a bachelor's degree and 3 years in DD services, or an associate degree and 5 years")
        if not staff.person_centered_training:
            gaps.append("person-centered thinking/planning training")
        if not certified:
            gaps.append("an ACRE certificate with customized-employment emphasis (ACRE-CE) or CESP")
    elif staff.role == "ces":
        if not certified:
            gaps.append("an ACRE certificate with customized-employment emphasis (ACRE-CE) or CESP")
        if rank < 1:
            gaps.append("a high-school diploma or equivalent")
    return gaps


def check_staff_qualifications(cl: Caseload, today: date) -> Iterator[Diagnostic]:
    doc = cl.config_doc
    if doc is None or doc.model is None:
        return
    for i, staff in enumerate(doc.model.staff):
        if staff.qualification_exception is not None:
            continue
        gaps = staff_qualification_gaps(staff)
        if gaps:
            yield doc.diagnostic(("staff", i, "role"), "warning", "staff-qualification",
                                 f"staff[{i}] ({staff.id}) lacks the CCP minimum for {staff.role}: {'; '.join(gaps)}",
                                 "record `qualification_exception: {approved: date, by: DDS}` once the regional center "
                                 "recommends and DDS approves an exception (CCP service description, service code 956)")


CHECKS: tuple[Check, ...] = (
    check_staff_references,
    check_program_references,
    check_event_types,
    check_duplicate_ids,
    check_closure,
    check_date_order,
    check_future_dates,
    check_ccp,
    check_dor_vr,
    check_se,
    check_identifiers,
    check_jobs,
    check_staff_qualifications,
)


def run_checks(cl: Caseload, today: date, checks: Iterable[Check] = CHECKS) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for check in checks:
        out.extend(check(cl, today))
    return out


def validate(caseload: Caseload | Path | str, today: date) -> list[Diagnostic]:
    """Every diagnostic of a caseload (loading, schema, references, domain rules), sorted."""
    cl = caseload if isinstance(caseload, Caseload) else load(caseload)
    return sorted(set(cl.diagnostics) | set(run_checks(cl, today)), key=sort_key)
