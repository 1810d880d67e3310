"""Run one report kind over a caseload: returns what was written and what failed.

One failing output (a full disk, a refused path) does not stop the others; the
CLI exits 1 when any failed. Nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

from ..fsio import WriteError
from ..loader import CaseFolder, Caseload
from . import outcomes, registry
from .output import write_output
from ..period import Period
from .select import select_cases
from .tables import Table, to_csv, to_html


@dataclass
class Filters:
    cases: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()


@dataclass
class BatchResult:
    written: list[tuple[Path, str]] = field(default_factory=list)   # (path, what: "12 rows")
    failed: list[tuple[str, str]] = field(default_factory=list)     # (output name, reason)


@dataclass
class ReportRequest:
    caseload: Caseload
    kind: str
    period: Period
    out_dir: Path
    today: date
    filters: Filters = field(default_factory=Filters)
    stamp: str = ""                       # a note added to HTML outputs with --stamp
    redact: Callable[[str], str] | None = None   # applied to every text written

    def cases(self) -> list[CaseFolder]:
        f = self.filters
        return list(select_cases(self.caseload, cases=f.cases, staff=f.staff, programs=f.programs))


def _emit(req: ReportRequest, result: BatchResult, name: str, text: str, what: str) -> None:
    if req.redact is not None:
        text = req.redact(text)
    try:
        result.written.append((write_output(req.out_dir, name, text), what))
    except WriteError as e:
        result.failed.append((name, str(e)))


def _emit_table(req: ReportRequest, result: BatchResult, stem: str, table: Table, html_too: bool) -> None:
    what = f"{len(table.rows)} row{'s' if len(table.rows) != 1 else ''}"
    _emit(req, result, f"{stem}.csv", to_csv(table), what)
    if html_too:
        if req.stamp:
            table.note = (table.note + " " + req.stamp).strip()
        _emit(req, result, f"{stem}.html", to_html(table), what)


def run_outcomes(req: ReportRequest) -> BatchResult:
    result = BatchResult()
    table = outcomes.outcomes_table(req.cases(), req.period, req.today)
    _emit_table(req, result, f"outcomes-{req.period.label}", table, html_too=False)
    return result


def run_registry(req: ReportRequest) -> BatchResult:
    result = BatchResult()
    cases = req.cases()
    for kind in registry.KINDS:
        table = registry.BUILDERS[kind](cases, req.period)
        _emit_table(req, result, f"registry-{kind}-{req.period.label}", table, html_too=True)
    return result


def run_dashboard(req: ReportRequest) -> BatchResult:
    from ..obligations import compute
    from . import dashboard

    result = BatchResult()
    cases = req.cases()
    wanted = {cf.id for cf in cases}
    open_obligations = [o for o in compute(req.caseload, req.today) if o.case in wanted and o.status != "done"]
    figures = dashboard.figures(cases, open_obligations, req.period, req.today, req.caseload.config.agency)
    page = dashboard.render(figures, stamp=req.stamp)
    _emit(req, result, "dashboard.html", page, f"{len(open_obligations)} open obligations")
    return result


RUNNERS: dict[str, Callable[[ReportRequest], BatchResult]] = {
    "dashboard": run_dashboard,
    "outcomes": run_outcomes,
    "registry": run_registry,
}


def run(req: ReportRequest) -> BatchResult:
    return RUNNERS[req.kind](req)


def kinds() -> Iterable[str]:
    return RUNNERS.keys()
