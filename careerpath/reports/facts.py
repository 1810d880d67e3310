"""What the caseload-wide reports need of one case, as plain values the results cache can keep.

Why: ``report dashboard`` and ``report outcomes`` read every case (where each person stands in
each program, their jobs, their language). Reading 20,519 cases' models back
from the cache to count them costs more than the counting (a pydantic model
unpickles ten times slower than the same values as tuples), and holding them
all costs memory that grows with the caseload. So each case's *facts* are
computed where its obligations are (``pipeline._case_results``, with a
:class:`careerpath.daywindow.Day` that notes what the stages compare with
``today``), stored beside its obligations, and counted by the report one case
at a time. Without a cache (``--no-cache``, ``--redact``) the same function
is applied to the loaded models: both ways count the same values
(tests/test_report_facts.py).

A stage (``stages:`` in program.yaml) is the only fact that depends on the
day; a job's place in the report's period (and its retention, for ``report
outcomes``) is decided at report time from its dates, so the facts hold for
every period.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple, Optional, Sequence

UNASSIGNED = "(unassigned)"
#: a closed case stands here in each of its programs, whatever the program's own stages say
CLOSED = "closed"
#: where a person stands in a program that declares no stage that fits
ENROLLED = "enrolled"


class JobFacts(NamedTuple):
    employer: str
    title: Optional[str]
    start: date
    end: Optional[date]
    program: Optional[str]
    integrated: Optional[bool]
    hours_per_week: Optional[float]
    wage: Any
    currency: Optional[str]
    began: Optional[date]  # when the enrollment the job belongs to began (:func:`enrollment_start`)


class CaseFacts(NamedTuple):
    id: str
    status: str
    language: str
    staff: frozenset         # every staff id on the case (reports.select.case_staff)
    stages: tuple            # ((program id, stage), ...) in the order of the case's enrollments
    jobs: tuple              # (JobFacts, ...) in the order of case.yaml

    @property
    def programs(self) -> set:
        return {pid for pid, _stage in self.stages}


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


def enrollment_start(case: Any, program: Optional[str], programs: Any) -> Optional[date]:
    """When the enrollment ``program`` began (its declared ``start:`` field); for a job of no
    program, the earliest enrollment's start; with no enrollment start at all, ``opened``."""
    starts = {}
    for pid, enrollment in case.enrollments.items():
        declared = programs.get(pid)
        began = declared.began(enrollment) if declared is not None else None
        if began is not None:
            starts[pid] = began
    if program in starts:
        return starts[program]
    return min(starts.values()) if starts else case.opened


def of_case(case_folder: Any, programs: Any, today: date) -> Optional[CaseFacts]:
    """The facts of a loaded case (None when its case.yaml did not load: the report names it apart)."""
    from .select import case_staff

    case = case_folder.model
    if case is None:
        return None
    stages = []
    for pid in case.enrollments:
        program = programs.get(pid)
        stages.append((pid, stage(case, program, today) if program is not None else ENROLLED))
    jobs = tuple(JobFacts(j.employer, j.title, j.start, j.end, j.program, j.integrated, j.hours_per_week, j.wage,
                          j.currency, enrollment_start(case, j.program, programs)) for j in case.jobs)
    return CaseFacts(case_folder.id, case.status, case.person.language, frozenset(case_staff(case_folder, programs)),
                     tuple(stages), jobs)


def selected(facts: CaseFacts, *, cases: frozenset = frozenset(), staff: frozenset = frozenset(),
             programs: frozenset = frozenset()) -> bool:
    """Whether a case's facts pass the report's ``--case``, ``--staff`` and ``--program`` filters
    (as :func:`careerpath.reports.select.select_cases` decides for a loaded case)."""
    if cases and facts.id not in cases:
        return False
    if staff and not (facts.staff & staff):
        return False
    return not programs or bool(facts.programs & programs)
