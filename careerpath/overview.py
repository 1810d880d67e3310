"""One person at a glance: the data behind ``careerpath show CASE``.

:func:`overview` gathers, for one case, who the person is (preferred name,
language, interpreter), the staff, each enrollment with its key dates, jobs,
plan progress, the open obligations, the last events and the open referrals,
as a plain JSON-ready dict. It never raises for case data: a part that did not
load is simply absent, and ``problems`` counts the files with errors.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterator, Optional

LAST_EVENTS = 5


class UnknownCase(KeyError):
    """No case folder with that id."""


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _dates(data: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Every date inside an enrollment, as (dotted field name, ISO date), in file order."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _dates(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _dates(value, f"{prefix}[{i}]")
    elif isinstance(data, date):
        yield prefix, data.isoformat()


def overview(caseload: Any, case_id: str, today: date, obligations: Optional[list] = None) -> dict[str, Any]:
    """The at-a-glance view of one case on ``today`` (obligations computed unless given)."""
    case_folder = caseload.cases.get(case_id)
    if case_folder is None:
        raise UnknownCase(case_id)
    if obligations is None:
        from .obligations import compute

        obligations = [o for o in compute(caseload, today, include_closed_history=True) if o.case == case_id]
    case = case_folder.case.model if case_folder.case is not None else None
    plan = case_folder.plan.model if case_folder.plan is not None else None
    staff_names = {s.id: s.name for s in caseload.config.staff}
    out: dict[str, Any] = {"case": case_id, "today": today.isoformat()}
    out["problems"] = len({d.file for d in caseload.diagnostics if d.severity == "error"
                           and (d.file == case_folder.folder or d.file.startswith(case_folder.folder + "/"))})
    if case is not None:
        person = case.person
        out.update({
            "status": case.status, "opened": _iso(case.opened),
            "closure": {"date": _iso(case.closure.date), "reason": case.closure.reason, "note": case.closure.note,
                        "override": case.closure.override} if case.closure else None,
            "person": {
                "name": person.name, "preferred_name": person.preferred_name or person.name,
                "language": person.language, "interpreter": person.interpreter,
                "plain_language": person.plain_language,
                "representative": person.representative.relationship if person.representative else None,
            },
            "staff": {role: {"id": sid, "name": staff_names.get(sid, "")}
                      for role, sid in case.staff.model_dump(by_alias=True).items() if sid},
            "enrollments": [{"program": pid, "dates": dict(_dates(enr.model_dump(by_alias=True)))}
                            for pid, enr in case.enrollments.items()],
            "jobs": [{"employer": j.employer, "title": j.title, "start": _iso(j.start), "end": _iso(j.end),
                      "hours_per_week": j.hours_per_week, "integrated": j.integrated, "program": j.program}
                     for j in case.jobs],
        })
    if plan is not None:
        objectives = [o for g in plan.goals for o in g.objectives]
        open_objectives = sorted((o for o in objectives if o.done is None),
                                 key=lambda o: (o.due is None, o.due or date.min, o.id))
        out["plan"] = {
            "goals": len(plan.goals),
            "objectives_done": sum(1 for o in objectives if o.done is not None),
            "objectives": len(objectives),
            "services_done": sum(1 for s in plan.services if s.done is not None),
            "services": len(plan.services),
            "next_objectives": [{"id": o.id, "text": o.text, "due": _iso(o.due)} for o in open_objectives[:3]],
        }
    out["obligations"] = [o.to_dict() for o in obligations if o.status != "done" and not o.history]
    # left open when the case closed or an enrollment ended: history, not today's work
    out["open_at_end"] = [o.to_dict() for o in obligations if o.status != "done" and o.history]
    events = sorted((d.model for d in case_folder.events if d.model is not None and d.model.date <= today),
                    key=lambda e: e.date, reverse=True)[:LAST_EVENTS]
    out["last_events"] = [{"date": _iso(e.date), "type": e.type, "by": e.by, "program": e.program, "summary": e.summary}
                          for e in events]
    out["open_referrals"] = [{"date": _iso(r.model.date), "to": r.model.to, "kind": r.model.kind,
                              "follow_up": _iso(r.model.follow_up), "file": r.file}
                             for r in sorted(case_folder.referrals, key=lambda d: d.file)
                             if r.model is not None and r.model.outcome is None]
    return out
