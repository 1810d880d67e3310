"""``report dashboard``: one self-contained HTML page a supervisor opens to see the caseload.

The figures are computed first, as plain data (:func:`figures`), then drawn
(:func:`render`) by the template ``report-dashboard.html.j2``: tests check the
numbers against a hand count, and the page only draws what the numbers say.
Charts are small hand-built SVG bar charts (:func:`careerpath.reports.pages.bar_chart`)
— no scripts, no fonts or styles fetched from anywhere.

Per-program figures come from what each program declares in its program.yaml:
where a person stands (``stages:``), when an enrollment began (``start:``, for
the days to a job) and the program's name in the page's language. Staff are
shown by the names careerpath.yaml gives them.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

from ..loader import CaseFolder
from ..period import Period
from .outcomes import enrollment_start

STATUSES = ("overdue", "partial", "due-soon", "upcoming")
UNASSIGNED = "(unassigned)"
#: a closed case stands here in each of its programs, whatever the program's own stages say
CLOSED = "closed"
#: where a person stands in a program that declares no stage that fits
ENROLLED = "enrolled"


def working(case: Any, program: str, today: date) -> bool:
    """Whether the person holds a job today that belongs to ``program`` (or to no program in particular)."""
    return any(j.start <= today and (j.end is None or j.end >= today) and j.program in (None, program)
               for j in case.jobs)


def _walk(value: Any, parts: Sequence[str]) -> Any:
    for part in parts:
        if isinstance(value, dict):
            value = value.get(part)
        elif value is not None and not part.startswith("_"):
            value = getattr(value, part, None)
        else:
            return None
    return value


def stage(case: Any, program: Any, today: date) -> str:
    """Where a person stands in one program: the first of its declared ``stages:`` whose condition holds.

    Conditions are read as in rule files and data checks
    (:func:`careerpath.programs.constraints.holds`) over ``enrollment.<path>``
    (this program's enrollment), ``case.working`` (a current job in this
    program), ``case.<path>`` and ``today``. A closed case is ``closed``; a
    case no declared stage fits is ``enrolled``.
    """
    from ..programs.constraints import holds

    if case.status == "closed":
        return CLOSED
    enrollment = case.enrollments.get(program.id)

    def value_of(path: str) -> Any:
        parts = path.split(".")
        if parts[0] == "enrollment":
            return _walk(enrollment, parts[1:])
        if parts == ["case", "working"]:
            return working(case, program.id, today)
        if parts[0] == "case":
            return _walk(case, parts[1:])
        if parts == ["today"]:
            return today
        return None

    for name, condition in program.stages:
        if holds(condition, value_of, today):
            return name
    return ENROLLED


@dataclass
class Figures:
    agency: str
    today: date
    period: Period
    cases_total: int = 0
    cases_active: int = 0
    obligations_by_status: dict[str, int] = field(default_factory=dict)
    obligations_by_staff: dict[str, dict[str, int]] = field(default_factory=dict)
    past_due_by_staff: dict[str, int] = field(default_factory=dict)
    overdue: list[dict[str, Any]] = field(default_factory=list)
    cases_by_program: dict[str, int] = field(default_factory=dict)
    stages: dict[str, dict[str, int]] = field(default_factory=dict)
    languages: dict[str, int] = field(default_factory=dict)
    placements: int = 0
    cie_placements: int = 0
    hours_per_week_median: float | None = None
    wage_median: dict[str, float] = field(default_factory=dict)   # by currency
    days_to_job_median: float | None = None
    # cases whose case.yaml did not load, (id, file:line): counted nowhere else, so shown first
    unreadable: list[tuple[str, str]] = field(default_factory=list)

    @property
    def cie_rate(self) -> float | None:
        return self.cie_placements / self.placements if self.placements else None


def figures(cases: Sequence[CaseFolder], obligations: Iterable[Any], period: Period, today: date, agency: str,
            programs: Any = None) -> Figures:
    """Count everything the dashboard shows. ``obligations`` are the open ones (not done);
    ``programs`` is the caseload's program set (default: the built-in programs)."""
    if programs is None:
        from ..programs import load_programs

        programs = load_programs()
    f = Figures(agency, today, period)
    f.cases_total = len(cases)
    f.cases_active = sum(1 for case_folder in cases if case_folder.model.status == "active")
    by_status: Counter[str] = Counter()
    by_staff: dict[str, Counter[str]] = {}
    past_due_staff: Counter[str] = Counter()
    for ob in obligations:
        if ob.status in ("done", "invalid"):  # an unreadable case is Figures.unreadable, not a count
            continue
        by_status[ob.status] += 1
        for sid in ob.staff or (UNASSIGNED,):
            by_staff.setdefault(sid, Counter())[ob.status] += 1
        if ob.past_due:  # overdue, and partial months whose date has passed
            for sid in ob.staff or (UNASSIGNED,):
                past_due_staff[sid] += 1
            f.overdue.append({"case": ob.case, "rule": ob.rule, "title": ob.title,
                              "titles": dict(getattr(ob, "titles", None) or {}), "due": ob.due,
                              "status": ob.status, "days": (today - ob.due).days, "staff": list(ob.staff)})
    f.obligations_by_status = {s: by_status[s] for s in STATUSES}
    f.obligations_by_staff = {sid: {s: c[s] for s in STATUSES} for sid, c in sorted(by_staff.items())}
    f.past_due_by_staff = dict(sorted(past_due_staff.items()))
    f.overdue.sort(key=lambda o: (o["due"], o["case"], o["rule"]))
    counts: Counter[str] = Counter()
    stages: dict[str, Counter[str]] = {}
    languages: Counter[str] = Counter()
    hours, days_to_job = [], []
    wages: dict[str, list[float]] = {}
    for case_folder in cases:
        case = case_folder.model
        languages[case.person.language] += 1
        for pid in case.enrollments:
            counts[pid] += 1
            program = programs.get(pid)
            where = stage(case, program, today) if program is not None else ENROLLED
            stages.setdefault(pid, Counter())[where] += 1
        for job in case.jobs:
            if job.start not in period or job.start > today:
                continue
            f.placements += 1
            if job.integrated:
                f.cie_placements += 1
            if job.hours_per_week is not None:
                hours.append(job.hours_per_week)
            if job.wage is not None and job.wage > 0:
                wages.setdefault(job.currency or "?", []).append(job.wage)
            began = enrollment_start(case, job.program, programs)
            if began is not None and began <= job.start:
                days_to_job.append((job.start - began).days)
    f.cases_by_program = dict(sorted(counts.items()))
    f.stages = {pid: dict(sorted(c.items())) for pid, c in sorted(stages.items())}
    f.languages = dict(sorted(languages.items(), key=lambda kv: (-kv[1], kv[0])))
    f.hours_per_week_median = statistics.median(hours) if hours else None
    f.wage_median = {cur: statistics.median(v) for cur, v in sorted(wages.items())}
    f.days_to_job_median = statistics.median(days_to_job) if days_to_job else None
    return f


# ---------------------------------------------------------------- drawing

COLORS = {"overdue": "#b00020", "partial": "#b35900", "due-soon": "#8a6d00", "upcoming": "#2b6cb0"}
TEMPLATE = "report-dashboard.html.j2"


def context(f: Figures, *, programs: Any, staff: Iterable[Any], lang: str, stamp: str = "",
            root: Optional[Path] = None) -> dict:
    """What ``report-dashboard.html.j2`` sees: the figures, and how to show their ids in ``lang``:
    staff by name (careerpath.yaml), programs by name (program.yaml), stages in the page's language
    (a caseload's own program folders translate their own stages: ``root``)."""
    from . import pages

    cat = pages.catalog(lang, root)
    staff_names = {s.id: s.name for s in staff}
    staff_names = {sid: staff_names.get(sid) or (cat.gettext(sid) if sid == UNASSIGNED else sid)
                   for sid in [*f.obligations_by_staff, *f.past_due_by_staff,
                               *(sid for o in f.overdue for sid in o["staff"])]}
    program_names = {}
    for pid in f.cases_by_program:
        program = programs.get(pid)
        program_names[pid] = program.name_in(lang) if program is not None else pid
    stage_labels = {pid: {name: cat.gettext(name) for name in counts} for pid, counts in f.stages.items()}
    overdue = [{**o, "title": o["titles"].get(lang) or o["titles"].get(lang.split("-")[0]) or o["title"],
                "due": o["due"].isoformat(), "staff": ", ".join(staff_names.get(s, s) for s in o["staff"])}
               for o in f.overdue]
    return {
        "figures": f, "overdue": overdue, "agency": f.agency, "today": f.today.isoformat(), "period": f.period.label,
        "stamp": stamp, "statuses": STATUSES, "colors": COLORS, "staff_names": staff_names,
        "program_names": program_names, "stage_labels": stage_labels,
        "chart": pages.bar_chart, "number": pages.number, "percent": pages.percent,
    }


def render(f: Figures, *, programs: Any = None, staff: Iterable[Any] = (), lang: str = "en", default: str = "en",
           root: Optional[Path] = None, stamp: str = "") -> Any:
    """The dashboard page (``report-dashboard.html.j2``, a caseload's own if it has one) in ``lang``."""
    from . import pages

    if programs is None:
        from ..programs import load_programs

        programs = load_programs(root)
    staff = list(staff)
    return pages.render(root, TEMPLATE, lambda chosen: context(f, programs=programs, staff=staff, lang=chosen,
                                                              stamp=stamp, root=root), lang=lang, default=default)

