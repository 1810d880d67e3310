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
NEXT_ACTIONS = 5


class UnknownCase(KeyError):
    """No case folder with that id."""


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _dates(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Every date inside an enrollment, as (path of names and positions, ISO date), in file order."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _dates(value, path + (str(key),))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _dates(value, path + (i,))
    elif isinstance(data, date):
        yield path, data.isoformat()


def _dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _enrollment(pid: str, data: dict, programs: Any) -> dict[str, Any]:
    """One enrollment: its program's name, its dates by field path, and each path's label (a Message)."""
    from .programs.fields import label_of

    program = programs.get(pid) if programs is not None else None
    found = list(_dates(data))
    specs = program.fields if program is not None else ()
    return {"program": pid, "name": program.name_in("en") if program is not None else pid,
            "dates": {_dotted(p): iso for p, iso in found},
            "labels": {_dotted(p): label_of(specs, p) for p, iso in found}}


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
            "enrollments": [_enrollment(pid, enr.model_dump(by_alias=True), getattr(caseload, "programs", None))
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
    out["next_actions"] = next_actions(caseload, case_id, obligations, today)
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


def next_actions(caseload: Any, case_id: str, obligations: list, today: date, limit: int = NEXT_ACTIONS) -> list[dict]:
    """The next things to do for one person, in plain words: up to ``limit`` open obligations (past due
    first, then by date; informational reminders left out), each with its due date, how many days
    late or ahead, and ``how``: what to do to get it done (a Message naming the command to type).

    ``obligations`` are the case's, sorted as ``due`` sorts them. ``what`` quotes the case's own words
    (a service's name, an objective's text): ``show`` is the screen that shows the person's name.
    """
    from .obligations import load_rules

    programs = getattr(caseload, "programs", None)
    rules = load_rules(programs).by_id() if programs is not None else {}
    case_folder = caseload.cases[case_id]
    out = []
    for o in obligations:
        rule = rules.get(o.rule)
        if o.status in ("done", "invalid") or o.history or o.due is None or (rule is not None and rule.informational):
            continue
        out.append({"uid": o.uid, "rule": o.rule, "title": o.title, "due": o.due.isoformat(), "status": o.status,
                    "days": (o.due - today).days, "what": o.described or o.words or o.item,
                    "how": _how(o, rule, case_folder, programs)})
        if len(out) == limit:
            break
    return out


def _how(o: Any, rule: Any, case_folder: Any, programs: Any) -> Any:
    """What to do so that ``o`` is done, as a Message: the event to log, the plan item to mark done, the
    referral outcome to record, or the field to fill in (by its label, never its path)."""
    from .i18n.messages import Message

    case = case_folder.id
    if rule is None:
        return Message("see `careerpath due --case {case} --explain`", case=case)
    events = [e for d in rule.done for e in d.event]
    if events:
        return Message("log it when it happens: `{command}`", command=_command("log", case, events[0]))
    noun = rule.label.noun if rule.label is not None else ""
    args = dict(getattr(o.words, "args", ()))
    if noun == "objective":
        return Message("mark it done: `{command}`", command=_command("plan", case, "done", o.item))
    if noun == "service":
        plan = case_folder.plan.model if case_folder.plan is not None else None
        n = args.get("n")
        services = list(getattr(plan, "services", None) or ())
        if isinstance(n, int) and 0 < n <= len(services):
            from .edit import slug

            return Message("mark it done: `{command}`",
                           command=_command("plan", case, "done", slug(services[n - 1].name)))
    if noun == "referral":
        return Message("record the outcome: `{command}`",
                       command=_command("refer", case, o.item, '--outcome "…" --date …'))
    fields = [d.field for d in rule.done if d.field]
    program = programs.get(o.program) if programs is not None and o.program else None
    if fields and program is not None and fields[0].startswith("enrollment."):
        from .programs.fields import label_of

        parts = tuple(fields[0].split(".")[1:])
        return Message('fill in "{field}": `{command}`', field=label_of(program.fields, parts),
                       command=_command("edit", case))
    return Message("record it in the case file: `{command}`", command=_command("edit", case))


def _command(*words: str) -> str:
    """A command line to type (the message keeps it as one argument, never translated)."""
    return " ".join(("careerpath", *words))
