"""The plain template context of one document, built by one function.

Templates never see loader documents or pydantic models: :func:`build_context`
turns a :class:`~careerpath.documents.kinds.Subject` into dicts, lists and
strings, with every date and amount already formatted for the document's
language and every stored code (``employment``, ``monthly-review``) paired
with its translated label. Lists are sorted, so the output is deterministic.
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from typing import Any, Callable, Optional

from . import labels as L
from .kinds import Kind, Subject
from ..period import Period, PeriodError, last_complete_quarter, parse_period
from ..i18n import Formatter

__all__ = ["Period", "PeriodError", "build_context", "default_period", "language_name", "parse_period"]

def default_period(kind: Kind, subject: Subject, today: date) -> Optional[Period]:
    """The period a report covers when ``--period`` is not given.

    month: the month of ``today``; quarter: the last quarter that has ended;
    year: the twelve months up to the last anniversary of the CCP start (or
    from the start to today in the first year).
    """
    if kind.period == "month":
        return parse_period(f"{today.year}-{today.month:02d}")
    if kind.period == "quarter":
        return last_complete_quarter(today)
    if kind.period == "year":
        ccp = subject.case.enrollments.ca_dds_ccp
        start = min(ccp.start if ccp else today - timedelta(days=365), today)
        anniversary = start
        years = 0
        while True:
            nxt = start + relativedelta(years=years + 1)
            if nxt > today:
                break
            years += 1
            anniversary = nxt
        if years == 0:
            return Period(f"{start.isoformat()}..{today.isoformat()}", start, today)
        begin = start + relativedelta(years=years - 1)
        end = anniversary - timedelta(days=1)
        return Period(f"{begin.isoformat()}..{end.isoformat()}", begin, end)
    return None


def _holds(period: Optional[Period], day: Optional[date]) -> bool:
    return period is not None and day is not None and day in period


def build_context(subject: Subject, kind: Kind, *, lang: str, today: date, period: Optional[Period],
                  obligations: list[Any] = (), rule_due: Optional[dict[str, date]] = None) -> dict:
    """Everything a template may use, as plain data formatted for ``lang``.

    Words the code supplies (``area_label``, ``status_label``…) are English
    msgids: templates show them through the ``t`` filter, so a kind's
    catalog coverage is exactly what it displays (see ``Kind.labels``).
    """
    fmt = Formatter(lang)
    d = fmt.date
    case, plan, config = subject.case, subject.plan, subject.config

    staff_by_id = {s.id: s for s in config.staff}

    def staff_entry(member) -> Optional[dict]:
        if member is None:
            return None
        return {"id": member.id, "name": member.name, "role": member.role, "role_label": L.ROLES[member.role],
                "email": member.email or "", "languages": list(member.languages)}

    def name_of(staff_id: Optional[str]) -> str:
        member = staff_by_id.get(staff_id or "")
        return member.name if member else (staff_id or "")

    roles = ("navigator", "ces", "counselor", "curator", "psychologist", "job-coach")
    staff = {r.replace("-", "_"): staff_entry(subject.staff_member(r)) for r in roles}
    responsible = next((staff[r] for r in ("curator", "navigator", "counselor", "ces", "job_coach", "psychologist")
                        if staff[r]), None)

    p = case.person
    rep = p.representative
    person = {
        "name": p.name,
        "preferred_name": p.preferred_name or p.name,
        "birth_date": d(p.birth_date),
        "language": p.language,
        "language_name": language_name(p.language, lang),
        "interpreter": p.interpreter,
        "plain_language": p.plain_language,
        "phone": p.phone or "",
        "email": p.email or "",
        "address": p.address or "",
        "representative": {"name": rep.name, "relationship": rep.relationship or "", "phone": rep.phone or ""}
        if rep else None,
    }
    identifiers = {"uci": case.identifiers.uci or "", "dor_case": case.identifiers.dor_case or "",
                   "snils": case.identifiers.snils or ""}

    enrollments = _enrollments(subject, d, rule_due or {})
    programs = [{"id": pid, "name": L.PROGRAMS[pid]} for pid, _e in case.enrollments.items()]

    def objective(o) -> dict:
        return {"id": o.id, "text": o.text, "due": d(o.due), "done": d(o.done), "is_done": o.done is not None,
                "in_period": bool(period and _holds(period, o.done))}

    def service(sv) -> dict:
        provider = name_of(sv.provider) if sv.provider else ""
        return {"name": sv.name, "program": sv.program or "", "provider": provider, "start": d(sv.start),
                "due": d(sv.due), "done": d(sv.done), "is_done": sv.done is not None, "result": sv.result or "",
                "in_period": bool(period and (_holds(period, sv.done) or _holds(period, sv.start)
                                              or (sv.start and sv.start <= period.end
                                                  and (sv.done is None or sv.done >= period.start))))}

    plan_ctx = {
        "own_words": "", "strengths": [], "interests": [], "barriers": [], "supports": [], "goals": [],
        "services": [], "exists": plan is not None,
    }
    if plan is not None:
        order = {a: i for i, a in enumerate(L.AREAS)}
        goals = sorted(plan.goals, key=lambda g: order[g.area])  # stable: file order within an area
        plan_ctx.update({
            "own_words": plan.own_words or "",
            "strengths": list(plan.strengths), "interests": list(plan.interests),
            "barriers": list(plan.barriers), "supports": list(plan.supports),
            "goals": [{"id": g.id, "area": g.area, "area_label": L.AREAS[g.area], "statement": g.statement,
                       "own_words": g.own_words or "", "objectives": [objective(o) for o in g.objectives]}
                      for g in goals],
            "services": [service(sv) for sv in plan.services],
        })
    plan_ctx["areas"] = [{"area": a, "label": label, "goals": [g for g in plan_ctx["goals"] if g["area"] == a]}
                         for a, label in L.AREAS.items()]
    plan_ctx["objectives"] = [o for g in plan_ctx["goals"] for o in g["objectives"]]

    events = [{"date": d(e.date), "iso": e.date.isoformat(), "type": e.type,
               "type_label": L.EVENT_TYPES.get(e.type, L.OTHER_EVENT), "by": name_of(e.by),
               "program": e.program or "", "summary": e.summary or "",
               "in_period": bool(period and _holds(period, e.date))}
              for e in sorted(subject.events, key=lambda e: (e.date, e.type))]

    referrals = [{"date": d(r.date), "iso": r.date.isoformat(), "to": r.to, "kind": r.kind,
                  "kind_label": L.REFERRAL_KINDS[r.kind], "by": name_of(r.by),
                  "documents": [{"code": doc, "label": L.REFERRAL_DOCUMENTS[doc] if doc in L.REFERRAL_DOCUMENTS
                                 else doc} for doc in r.documents],
                  "consent": r.consent or "", "consent_label": L.CONSENT[r.consent],
                  "follow_up": d(r.follow_up),
                  "decision_due": d(r.date + timedelta(days=60)) if r.kind == "dor-application" else None,
                  "outcome": {"date": d(r.outcome.date), "conclusion": r.outcome.conclusion or ""} if r.outcome else None}
                 for r in subject.referrals]
    latest = {}
    for r in referrals:
        latest[r["kind"]] = r  # referrals are sorted by date: the last one wins

    jobs = [{"employer": j.employer, "title": j.title or "", "start": d(j.start), "end": d(j.end),
             "current": j.end is None or j.end >= today,
             "hours_per_week": fmt.number(j.hours_per_week) or "", "wage": fmt.money(j.wage, j.currency) or "",
             "integrated": j.integrated, "program": j.program or "",
             "in_period": bool(period and j.start <= period.end and (j.end is None or j.end >= period.start)),
             "started_in_period": bool(period and _holds(period, j.start))}
            for j in sorted(case.jobs, key=lambda j: (j.start, j.employer))]

    obligation_rows = [{
        "rule": o.rule, "program": o.program, "title": o.title_in(lang) if hasattr(o, "title_in") else o.title,
        "due": d(o.due), "due_iso": o.due.isoformat(), "status": o.status,
        "status_label": L.STATUSES.get(o.status, o.status), "citation": o.citation or "",
        "done_on": d(getattr(o, "done_on", None)),
        "in_period": bool(period and _holds(period, o.due)),
    } for o in sorted(obligations, key=lambda o: (o.due, o.rule, getattr(o, "item", "")))
        if not o.program or o.program in kind.programs]  # a CCP report lists CCP and case-wide duties

    return {
        "kind": kind.name,
        "today": d(today),
        "period": {"label": period.label, "start": d(period.start), "end": d(period.end)} if period else None,
        "agency": {"name": config.agency},
        "staff": staff,
        "responsible": responsible,
        "case_id": case.id,
        "person": person,
        "identifiers": identifiers,
        "programs": programs,
        "enrollments": enrollments,
        "plan": plan_ctx,
        "events": events,
        "referrals": referrals,
        "referral": latest,
        "jobs": jobs,
        "obligations": obligation_rows,
        "cap": {"phone": "1-800-776-5746", "tty": "1-800-719-5798",
                "name": "Client Assistance Program (CAP), Disability Rights California"},
    }


def language_name(code: str, in_lang: str) -> str:
    """The name of language ``code`` in language ``in_lang`` (CLDR; the code itself if unknown)."""
    from babel import Locale, UnknownLocaleError

    if in_lang == "hmn":
        return _HMONG_LANGUAGE_NAMES.get(code.split("-")[0], code)
    try:
        loc = Locale.parse(in_lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return code
    return loc.languages.get(code.replace("-", "_")) or loc.languages.get(code.split("-")[0]) or code


# Needs native review (see docs/documents.md): CLDR has no Hmong names.
_HMONG_LANGUAGE_NAMES = {"en": "Lus Askiv", "es": "Lus Mev", "vi": "Lus Nyab Laj", "hy": "Lus Armenian",
                         "hmn": "Lus Hmoob", "ru": "Lus Lavxias"}


def _enrollments(subject: Subject, d: Callable, rule_due: dict[str, date]) -> dict:
    e = subject.case.enrollments
    out: dict[str, Any] = {"ca_dds_ccp": None, "ca_dor_vr": None, "ca_dor_se": None, "ru_czn_disability": None}
    if e.ca_dds_ccp:
        c = e.ca_dds_ccp
        out["ca_dds_ccp"] = {"basis": c.basis, "start": d(c.start), "authorized_until": d(c.authorized_until),
                             "school_exit": d(c.school_exit), "subcodes": list(c.subcodes),
                             "regional_center": c.regional_center or "",
                             "service_coordinator": c.service_coordinator or ""}
    if e.ca_dor_vr:
        v = e.ca_dor_vr
        el = v.eligibility
        review_due = rule_due.get("dor.ineligibility-review") if el.status == "ineligible" else None
        out["ca_dor_vr"] = {
            "applied": d(v.applied), "decision_due": d(rule_due.get("dor.eligibility-decision")),
            "presumptive": v.presumptive or "",
            "eligibility": {"status": el.status, "status_label": L.ELIGIBILITY[el.status],
                            "decided": d(el.decided), "review_due": d(review_due),
                            "extension_until": d(el.extension.until) if el.extension else None,
                            "notice": {"sent": d(el.notice.sent), "reasons": el.notice.reasons,
                                       "rights": el.notice.rights, "cap_info": el.notice.cap_info}
                            if el.notice else None},
            "ipe_signed": d(v.ipe.signed) if v.ipe else None,
        }
    if e.ca_dor_se:
        s = e.ca_dor_se
        limit = rule_due.get("se.service-limit")
        out["ca_dor_se"] = {"type": s.type, "type_label": L.SE_TYPES[s.type],
                            "group_size": s.group_size, "start": d(s.start), "service_limit": d(limit),
                            "extended_services_source": s.extended_services_source or "",
                            "reasonable_expectation": s.reasonable_expectation or "",
                            "transitioned": d(s.transitioned)}
    if e.ru_czn_disability:
        z = e.ru_czn_disability
        dis = z.disability
        ipra = z.ipra
        out["ru_czn_disability"] = {
            "registered": d(z.registered),
            "disability": {"group": dis.group, "cause": dis.cause or "", "set_on": d(dis.set_on),
                           "until": d(dis.until), "reexamination": d(dis.reexamination)} if dis else None,
            "ipra": {"number": ipra.number or "", "protocol_date": d(ipra.protocol_date),
                     "received": d(ipra.received), "measures_due": d(ipra.measures_due),
                     "recommended": list(ipra.recommended), "contraindicated": list(ipra.contraindicated),
                     "measures": [{"name": ms.name, "from": d(ms.from_), "to": d(ms.to), "executor": ms.executor or "",
                                   "done": d(ms.done), "is_done": ms.done is not None, "result": ms.result or ""}
                                  for ms in ipra.measures]} if ipra else None,
        }
    return out
