"""The plain template context of one document, built by one function.

Templates never see loader documents or pydantic models: :func:`build_context`
turns a :class:`~careerpath.documents.kinds.Subject` into dicts, lists and
strings, with every date and amount already formatted for the document's
language and every stored code (``employment``, ``monthly-review``) paired
with its label (an English msgid the template shows through the ``t`` filter).
Lists are sorted, so the output is deterministic.

Enrollments are built from what each program declares, never from a list
here: ``enrollments.<id with _ for ->`` holds every declared field of the
person's enrollment formatted by its type (dates for the language, a choice
with ``<field>_label``, a staff field as the staff member), None when the
person is not in that program; ``enrollment`` is the one of the program that
owns the kind. Deadlines the documents state come from the obligations
engine by rule id: ``due["<rule id>"]``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from typing import Any, Callable, Optional

from .. import models as m
from ..programs.fields import FieldSpec
from ..programs.services import find as find_service
from . import labels as L
from .kinds import Kind, Subject
from ..period import Period, PeriodError, last_complete_quarter, parse_period
from ..freetext import LIST_FIELDS, Citation, shown, shown_list, text_language
from ..i18n import Formatter
from ..i18n.languages import catalogue_language, variant_of

__all__ = ["Period", "PeriodError", "build_context", "default_period", "language_name", "parse_period"]

def default_period(kind: Kind, subject: Subject, today: date) -> Optional[Period]:
    """The period a report covers when ``--period`` is not given.

    month: the month of ``today``; quarter: the last quarter that has ended;
    year: the twelve months up to the last anniversary of the kind's anchor
    date (``period: {unit: year, anchor: enrollment.start}``), or from that
    date to today in the first year; without one, the year before today.
    """
    if kind.period == "month":
        return parse_period(f"{today.year}-{today.month:02d}")
    if kind.period == "quarter":
        return last_complete_quarter(today)
    if kind.period == "year":
        anchor = kind.value(subject, kind.spec.anchor) if kind.spec.anchor else None
        start = min(anchor if isinstance(anchor, date) else today - timedelta(days=365), today)
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
    d = _dates(fmt)
    case, plan, config, programs = subject.case, subject.plan, subject.config, subject.programs
    # free text: staff write the plan in `source`; the person's own words are in theirs (freetext.py)
    source = text_language(plan, case, config, programs)
    spoken = case.person.language

    def own(text, translations=None):
        return shown(text, translations, "own_words", spoken, lang)

    def staff_text(text):
        """A staff note with no translations (an event's summary, a referral's conclusion): marked when foreign."""
        return shown(text, None, "", source, lang)

    staff_by_id = {s.id: s for s in config.staff}

    def staff_entry(member) -> Optional[dict]:
        if member is None:
            return None
        return {"id": member.id, "name": member.name, "role": member.role, "role_label": L.ROLES[member.role],
                "email": member.email or "", "languages": list(member.languages)}

    def name_of(staff_id: Optional[str]) -> str:
        member = staff_by_id.get(staff_id or "")
        return member.name if member else (staff_id or "")

    staff = {r.replace("-", "_"): staff_entry(subject.staff_member(r)) for r in m.ROLES}
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
        # the reader's variant when careerpath reads it in the nearest catalogue (mww, hnj, hyw): an English
        # msgid the template shows with |t, '' otherwise
        "language_variant": variant_of(p.language),
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

    def staff_field(staff_id: Any) -> Optional[dict]:
        return staff_entry(staff_by_id.get(staff_id)) if isinstance(staff_id, str) else None

    enrollments: dict[str, Any] = {key(p.id): None for p in programs}
    for pid, data in case.enrollments.items():
        program = programs.get(pid)
        if program is not None and data is not None:
            enrollments[key(pid)] = _fields(program.fields, data, fmt, staff_field)
    enrolled = [{"id": pid, "name": programs.get(pid).label} for pid in case.enrollments if pid in programs]
    due: dict[str, Optional[str]] = {r.id: None for r in programs.rulebook().rules}
    due.update({rule: d(day) for rule, day in (rule_due or {}).items()})
    event_labels = {**programs.event_types(), **{t: label for t, label in L.EVENT_TYPES.items() if t}}

    def objective(o) -> dict:
        return {"id": o.id, "text": shown(o.text, o.translations, "text", source, lang), "due": d(o.due), "done": d(o.done), "is_done": o.done is not None,
                "in_period": bool(period and _holds(period, o.done))}

    def service(sv) -> dict:
        provider = name_of(sv.provider) if sv.provider else ""
        # a service named by its catalogue id (or name) prints the catalogue's name (in the plan's language:
        # the employment center's catalogue is Russian), or its translation for this document
        listed = find_service(programs.get(sv.program).services, sv.name) if sv.program in programs else None
        return {"name": shown(listed.name if listed else sv.name, sv.translations, "name", source, lang),
                "service_id": listed.id if listed else "",
                "program": sv.program or "", "provider": provider, "start": d(sv.start),
                "due": d(sv.due), "done": d(sv.done), "is_done": sv.done is not None,
                "result": shown(sv.result or "", sv.translations, "result", source, lang),
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
            "own_words": own(plan.own_words or "", plan.translations),
            **{name: shown_list(getattr(plan, name), plan.translations, name, source, lang) for name in LIST_FIELDS},
            "goals": [{"id": g.id, "area": g.area, "area_label": L.AREAS[g.area],
                       "statement": shown(g.statement, g.translations, "statement", source, lang),
                       "own_words": own(g.own_words or "", g.translations),
                       "objectives": [objective(o) for o in g.objectives]}
                      for g in goals],
            "services": [service(sv) for sv in plan.services],
        })
    plan_ctx["areas"] = [{"area": a, "label": label, "goals": [g for g in plan_ctx["goals"] if g["area"] == a]}
                         for a, label in L.AREAS.items()]
    plan_ctx["objectives"] = [o for g in plan_ctx["goals"] for o in g["objectives"]]

    events = [{"date": d(e.date), "iso": e.date.isoformat(), "type": e.type,
               "type_label": event_labels.get(e.type, L.OTHER_EVENT), "by": name_of(e.by),
               "program": e.program or "", "summary": staff_text(e.summary or ""),
               "in_period": bool(period and _holds(period, e.date))}
              for e in sorted(subject.events, key=lambda e: (e.date, e.type))]

    def meeting(mt) -> Optional[dict]:
        if mt is None:
            return None
        return {"date": d(mt.date), "time": mt.time or "", "place": mt.place or "", "mode": mt.mode or "",
                "mode_label": L.MEETING_MODES.get(mt.mode or "", "")}

    referrals = [{"date": d(r.date), "iso": r.date.isoformat(), "to": r.to, "kind": r.kind,
                  "kind_label": L.REFERRAL_KINDS[r.kind], "by": name_of(r.by), "reason": r.reason or "",
                  "meeting": meeting(r.meeting),
                  "documents": [{"code": doc, "label": L.REFERRAL_DOCUMENTS[doc] if doc in L.REFERRAL_DOCUMENTS
                                 else doc} for doc in r.documents],
                  "consent": r.consent or "", "consent_label": L.CONSENT[r.consent],
                  "follow_up": d(r.follow_up),
                  "outcome": {"date": d(r.outcome.date), "conclusion": staff_text(r.outcome.conclusion or "")}
                  if r.outcome else None}
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
        "status_label": L.STATUSES.get(o.status, o.status),
        "citation": Citation(public_citation(o.citation or "")) if o.citation else "",
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
        "programs": enrolled,
        "enrollments": enrollments,
        "enrollment": enrollments.get(key(kind.owner)) if kind.owner else None,
        "due": due,
        "plan": plan_ctx,
        "events": events,
        "referrals": referrals,
        "referral": latest,
        "jobs": jobs,
        "obligations": obligation_rows,
        "cap": {"phone": "1-800-776-5746", "tty": "1-800-719-5798",
                "name": "Client Assistance Program (CAP), Disability Rights California"},
    }


class DateText(str):
    """A formatted date: plain text in Markdown, and in HTML a ``<span class="date">`` the stylesheet
    keeps whole (no hyphen inside a month name, no line break inside a date; issue 20)."""

    __slots__ = ()

    def __html__(self) -> str:
        from markupsafe import escape

        return f'<span class="date">{escape(str(self))}</span>'


def _dates(fmt: Formatter) -> Callable[[Optional[date]], Optional[str]]:
    def d(value: Optional[date]) -> Optional[str]:
        text = fmt.date(value)
        return DateText(text) if text else text
    return d


_SEED = re.compile(r"\s*\(seed \d+\)|[;,]\s*seed \d+(?=\))")
_UNCONFIRMED = re.compile(r"\s*\([^()]*not confirmed[^()]*\)")


def public_citation(citation: str) -> str:
    """A rule's citation as a document for a person or an agency shows it: the sources only.

    Rule files also note where a date is a local choice ("local: the referral's
    own follow_up date"), which caseload setting sets it ("report window is the
    caseload setting ccp_quarterly_report_days"), which seed document it came
    from ("seed 004") and what is not confirmed: staff read those in ``due`` and
    ``rules``; a regional center or the MSE bureau must not.
    """
    text = _UNCONFIRMED.sub("", _SEED.sub("", citation))
    parts = [p.strip() for p in text.split(";")]
    kept = [p for p in parts if p and not p.lower().startswith("local") and "setting" not in p.lower()]
    return "; ".join(kept)


def language_name(code: str, in_lang: str) -> str:
    """The name of language ``code`` in language ``in_lang`` (CLDR; the code itself if unknown)."""
    from babel import Locale, UnknownLocaleError

    code = catalogue_language(code)  # hnj -> Hmong; its variant is shown beside it (person.language_variant)
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


def key(program_id: str) -> str:
    """The key of a program's enrollment in the context: ``enrollments.<id with _ for ->``."""
    return program_id.replace("-", "_")


def _fields(specs: tuple[FieldSpec, ...], data: Any, fmt: Formatter, staff: Callable) -> dict:
    """Every declared field of ``data`` formatted for the document; a choice also gets ``<field>_label``."""
    out: dict[str, Any] = {}
    for spec in specs:
        value = data.get(spec.name) if isinstance(data, dict) else None
        out[spec.name] = _value(spec, value, fmt, staff)
        if spec.type == "choice":
            labels = dict(spec.labels)
            out[f"{spec.name}_label"] = labels.get(value, "" if value is None else str(value))
    return out


def _value(spec: FieldSpec, value: Any, fmt: Formatter, staff: Callable) -> Any:
    """One field's value as templates get it: text "" and dates None when unset, lists [], mappings None."""
    kind = spec.type
    if kind == "date":
        return _dates(fmt)(value) if isinstance(value, date) else None
    if kind == "mapping":
        return _fields(spec.fields, value, fmt, staff) if isinstance(value, dict) else None
    if kind == "list":
        assert spec.items is not None
        return [_value(spec.items, v, fmt, staff) for v in value] if isinstance(value, list) else []
    if kind == "staff":
        return staff(value)
    if kind == "number":
        return fmt.number(value)
    if kind in ("integer", "boolean"):
        return value
    return "" if value is None else value  # text, choice, phone, language, duration
