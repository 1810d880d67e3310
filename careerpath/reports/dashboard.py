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
from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence

from ..period import Period
from .facts import CLOSED, ENROLLED, UNASSIGNED, CaseFacts, of_case, stage, working

if TYPE_CHECKING:
    from ..loader import CaseFolder

STATUSES = ("overdue", "partial", "due-soon", "upcoming")
# where people stand, and how a case is read for the counts: careerpath.reports.facts (the results cache keeps them)
__all__ = ["CLOSED", "ENROLLED", "UNASSIGNED", "Figures", "Tally", "count", "figures", "render", "stage", "working"]


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


def figures(cases: Sequence["CaseFolder"], obligations: Iterable[Any], period: Period, today: date, agency: str,
            programs: Any = None) -> Figures:
    """Count everything the dashboard shows. ``obligations`` are the open ones (not done);
    ``programs`` is the caseload's program set (default: the built-in programs)."""
    if programs is None:
        from ..programs import load_programs

        programs = load_programs()
    return count((of_case(case_folder, programs, today) for case_folder in cases), obligations, period, today, agency)


def count(cases: Iterable[CaseFacts], obligations: Iterable[Any], period: Period, today: date, agency: str) -> Figures:
    """:func:`figures` from each case's facts (:mod:`careerpath.reports.facts`) and the open obligations."""
    tally = Tally(agency, today, period)
    for ob in obligations:
        tally.obligation(ob)
    for case in cases:
        tally.case(case)
    return tally.figures()


class Tally:
    """The dashboard's figures counted one case and one obligation at a time (nothing of a case is kept but
    its past-due obligations): what lets a large caseload's dashboard be counted straight from the results
    cache, shard by shard."""

    def __init__(self, agency: str, today: date, period: Period):
        self.f = Figures(agency, today, period)
        self.by_status: Counter[str] = Counter()
        self.by_staff: dict[str, Counter[str]] = {}
        self.past_due_staff: Counter[str] = Counter()
        self.programs: Counter[str] = Counter()
        self.stages: dict[str, Counter[str]] = {}
        self.languages: Counter[str] = Counter()
        self.hours: list = []
        self.days_to_job: list = []
        self.wages: dict[str, list] = {}

    def obligation(self, ob: Any) -> None:
        """Count one open obligation (done ones and an unreadable case's entry are not counted)."""
        if ob.status in ("done", "invalid"):  # an unreadable case is Figures.unreadable, not a count
            return
        self.by_status[ob.status] += 1
        for sid in ob.staff or (UNASSIGNED,):
            self.by_staff.setdefault(sid, Counter())[ob.status] += 1
        if ob.past_due:  # overdue, and partial months whose date has passed
            for sid in ob.staff or (UNASSIGNED,):
                self.past_due_staff[sid] += 1
            today = self.f.today
            self.f.overdue.append({"case": ob.case, "rule": ob.rule, "title": ob.title,
                                   "titles": dict(getattr(ob, "titles", None) or {}), "due": ob.due,
                                   "status": ob.status, "days": (today - ob.due).days, "staff": list(ob.staff)})

    def case(self, case: CaseFacts) -> None:
        """Count one readable case."""
        f = self.f
        f.cases_total += 1
        if case.status == "active":
            f.cases_active += 1
        self.languages[case.language] += 1
        for pid, where in case.stages:
            self.programs[pid] += 1
            self.stages.setdefault(pid, Counter())[where] += 1
        for job in case.jobs:
            if job.start not in f.period or job.start > f.today:
                continue
            f.placements += 1
            if job.integrated:
                f.cie_placements += 1
            if job.hours_per_week is not None:
                self.hours.append(job.hours_per_week)
            if job.wage is not None and job.wage > 0:
                self.wages.setdefault(job.currency or "?", []).append(job.wage)
            if job.began is not None and job.began <= job.start:
                self.days_to_job.append((job.start - job.began).days)

    def figures(self) -> Figures:
        f = self.f
        f.obligations_by_status = {s: self.by_status[s] for s in STATUSES}
        f.obligations_by_staff = {sid: {s: c[s] for s in STATUSES} for sid, c in sorted(self.by_staff.items())}
        f.past_due_by_staff = dict(sorted(self.past_due_staff.items()))
        f.overdue.sort(key=lambda o: (o["due"], o["case"], o["rule"]))
        f.cases_by_program = dict(sorted(self.programs.items()))
        f.stages = {pid: dict(sorted(c.items())) for pid, c in sorted(self.stages.items())}
        f.languages = dict(sorted(self.languages.items(), key=lambda kv: (-kv[1], kv[0])))
        f.hours_per_week_median = statistics.median(self.hours) if self.hours else None
        f.wage_median = {cur: statistics.median(v) for cur, v in sorted(self.wages.items())}
        f.days_to_job_median = statistics.median(self.days_to_job) if self.days_to_job else None
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
    from ..documents.context import language_name

    language_names = {code: language_name(code, lang) for code in f.languages}
    overdue = [{**o, "title": o["titles"].get(lang) or o["titles"].get(lang.split("-")[0]) or o["title"],
                "due": o["due"].isoformat(), "staff": ", ".join(staff_names.get(s, s) for s in o["staff"])}
               for o in f.overdue]
    return {
        "figures": f, "overdue": overdue, "agency": f.agency, "today": f.today.isoformat(), "period": f.period.label,
        "stamp": stamp, "statuses": STATUSES, "colors": COLORS, "staff_names": staff_names,
        "program_names": program_names, "stage_labels": stage_labels, "language_names": language_names,
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

