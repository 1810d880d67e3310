"""``report outcomes``: one CSV row per job, placements and retention, for funders.

Retention at each checkpoint (30 days, 90 days, 6 and 12 months after the
start) is ``yes`` when the job had not ended by then, ``no`` when it had, and
``pending`` while the checkpoint is still after ``today``. ``days_to_job`` counts
from the start of the enrollment the job belongs to (its ``program``, else the
earliest enrollment, else ``opened``).
"""

from __future__ import annotations

from datetime import date
from typing import Iterable

from dateutil.relativedelta import relativedelta

from ..loader import CaseFolder
from ..models import Case
from ..period import Period
from .tables import Table

CHECKPOINTS = (("retained_30d", relativedelta(days=30)), ("retained_90d", relativedelta(days=90)),
               ("retained_6m", relativedelta(months=6)), ("retained_12m", relativedelta(months=12)))

COLUMNS = ("case", "program", "language", "employer", "title", "start", "end", "hours_per_week", "wage", "currency",
           "integrated", "days_to_job", *(name for name, _ in CHECKPOINTS))


def enrollment_start(case: Case, program: str | None) -> date | None:
    starts = {}
    e = case.enrollments
    if e.ca_dds_ccp:
        starts["ca-dds-ccp"] = e.ca_dds_ccp.start
    if e.ca_dor_vr:
        starts["ca-dor-vr"] = e.ca_dor_vr.applied
    if e.ca_dor_se:
        starts["ca-dor-se"] = e.ca_dor_se.start
    if e.ru_czn_disability:
        starts["ru-czn-disability"] = e.ru_czn_disability.registered
    if program in starts:
        return starts[program]
    return min(starts.values()) if starts else case.opened


def retention(start: date, end: date | None, offset: relativedelta, today: date) -> str:
    checkpoint = start + offset
    if end is not None and end < checkpoint:
        return "no"
    return "pending" if checkpoint > today else "yes"


def outcomes_table(cases: Iterable[CaseFolder], period: Period, today: date) -> Table:
    rows = []
    for case_folder in cases:
        case = case_folder.model
        for job in sorted(case.jobs, key=lambda j: (j.start, j.employer)):
            if not period.overlaps(job.start, job.end) or job.start > today:
                continue
            began = enrollment_start(case, job.program)
            rows.append((
                case.id, job.program or "", case.person.language, job.employer, job.title or "",
                job.start.isoformat(), job.end.isoformat() if job.end else "", job.hours_per_week, job.wage,
                job.currency or "", job.integrated, (job.start - began).days if began else None,
                *(retention(job.start, job.end, off, today) for _, off in CHECKPOINTS),
            ))
    return Table(f"Employment outcomes {period.label}", COLUMNS, COLUMNS, rows)
