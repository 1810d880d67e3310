"""``report outcomes``: one CSV row per job, placements and retention, for funders.

Retention at each checkpoint (30 days, 90 days, 6 and 12 months after the
start) is ``yes`` when the job had not ended by then, ``no`` when it had, and
``pending`` while the checkpoint is still after ``today``. ``days_to_job`` counts
from the start of the enrollment the job belongs to (its ``program``, else the
earliest enrollment, else ``opened``); an enrollment's start is the field its
program declares as ``start:`` in program.yaml.

The CSV is for funders' spreadsheets (stored values: program ids, yes/no); the
HTML page (``report-outcomes.html.j2``) shows the same rows for people.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from dateutil.relativedelta import relativedelta

from ..period import Period
from .facts import CaseFacts
from .tables import Table

CHECKPOINTS = (("retained_30d", relativedelta(days=30)), ("retained_90d", relativedelta(days=90)),
               ("retained_6m", relativedelta(months=6)), ("retained_12m", relativedelta(months=12)))

COLUMNS = ("case", "program", "language", "employer", "title", "start", "end", "hours_per_week", "wage", "currency",
           "integrated", "days_to_job", *(name for name, _ in CHECKPOINTS))


def retention(start: date, end: date | None, offset: relativedelta, today: date) -> str:
    checkpoint = start + offset
    if end is not None and end < checkpoint:
        return "no"
    return "pending" if checkpoint > today else "yes"


def outcomes_table(cases: Iterable[CaseFacts], period: Period, today: date) -> Table:
    """One row per job of ``cases`` (their report facts, :mod:`careerpath.reports.facts`) that overlaps
    ``period`` and has started by ``today``: by case id, then by start and employer (``cases`` may come in
    any order, as the results cache reads them: only the rows are held)."""
    rows = []
    for case in cases:
        for job in sorted(case.jobs, key=lambda j: (j.start, j.employer)):
            if not period.overlaps(job.start, job.end) or job.start > today:
                continue
            began = job.began
            rows.append((
                case.id, job.program or "", case.language, job.employer, job.title or "",
                job.start.isoformat(), job.end.isoformat() if job.end else "", job.hours_per_week, job.wage,
                job.currency or "", job.integrated, (job.start - began).days if began else None,
                *(retention(job.start, job.end, off, today) for _, off in CHECKPOINTS),
            ))
    rows.sort(key=lambda row: row[0])  # stable: a case's jobs stay in their order
    return Table(f"Employment outcomes {period.label}", COLUMNS, COLUMNS, rows)


TEMPLATE = "report-outcomes.html.j2"


def context(table: Table, period: Period, *, programs: Any, lang: str, stamp: str = "") -> dict:
    """What ``report-outcomes.html.j2`` sees: one mapping per job (the CSV's columns, as text),
    with the program's name in ``lang`` beside its id."""
    from .tables import cell

    jobs = []
    for row in table.rows:
        job = {name: cell(value) for name, value in zip(table.columns, row)}
        declared = programs.get(job["program"]) if job["program"] else None
        job["program_name"] = declared.name_in(lang) if declared is not None else job["program"]
        jobs.append(job)
    return {"jobs": jobs, "period": period.label, "stamp": stamp}
