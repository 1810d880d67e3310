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
from .tables import Link, Table, to_csv, to_html


@dataclass
class Filters:
    cases: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()


@dataclass
class BatchResult:
    written: list[tuple[Path, str]] = field(default_factory=list)   # (path, what: "12 rows")
    failed: list[tuple[str, str]] = field(default_factory=list)     # (output name, reason)
    # cases left out of the figures because their case.yaml did not load: (case id, file:line)
    unreadable: list[tuple[str, str]] = field(default_factory=list)


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
    fmt: str = "html"                     # documents in batches (quarterly): html or md

    def cases(self) -> list[CaseFolder]:
        f = self.filters
        return list(select_cases(self.caseload, cases=f.cases, staff=f.staff, programs=f.programs))

    def unreadable(self) -> list[tuple[str, str]]:
        """(case id, file:line of its first error) of each case a report must leave out because its
        case.yaml did not load; --staff and --program cannot tell whether it belongs, so only --case narrows."""
        from ..obligations import INVALID, readability

        out = []
        for cid in sorted(self.caseload.cases):
            cf = self.caseload.cases[cid]
            if cf.model is not None or (self.filters.cases and cid not in self.filters.cases):
                continue
            diags = [d for d in self.caseload.diagnostics if d.file.startswith(f"cases/{cid}/")]
            entry = [o for o in readability(cf, [], diags) if o.status == INVALID]
            out.append((cid, entry[0].source if entry else f"{cf.folder}/case.yaml:1"))
        return out


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
    figures.unreadable = req.unreadable()
    page = dashboard.render(figures, stamp=req.stamp)
    _emit(req, result, "dashboard.html", page, f"{len(open_obligations)} open obligations")
    return result


def quarterly_cases(req: ReportRequest) -> list[CaseFolder]:
    """CCP cases active at some point in the period: enrolled then, and not closed before it began."""
    out = []
    for cf in req.cases():
        case = cf.model
        ccp = case.enrollments.ca_dds_ccp
        if ccp is None or ccp.start > req.period.end or (ccp.end is not None and ccp.end < req.period.start):
            continue
        if case.closure is not None and case.closure.date < req.period.start:
            continue
        out.append(cf)
    return out


def run_quarterly(req: ReportRequest) -> BatchResult:
    """The quarterly CCP report of every CCP case active in the period, plus an index page.

    Each case gets its report in the person's language and, where that differs,
    in the agency's default language too (the regional center reads that one).
    A case that cannot be rendered (missing data, file errors) is listed as
    failed in the index and in the result; the others are still written.
    """
    from ..documents import engine as documents

    result = BatchResult()
    folder = f"quarterly-{req.period.label}"
    default = req.caseload.config.default_language
    index_rows = []
    for cf in quarterly_cases(req):
        person_lang = cf.model.person.language
        written: set[str] = set()
        for lang in dict.fromkeys((person_lang, default)):
            try:
                doc = documents.render(req.caseload, "quarterly-report", cf.id, today=req.today, lang=lang,
                                       fmt=req.fmt, period=req.period.label)
            except documents.RenderError as e:
                reason = str(e).splitlines()[0]
                result.failed.append((f"{folder}/{cf.id}.{lang}.{req.fmt}", reason))
                index_rows.append((cf.id, lang, "", "not rendered: " + reason))
                continue
            if doc.lang in written:  # the same document again (the person's language fell back to it)
                continue
            written.add(doc.lang)
            file = f"{cf.id}.{doc.lang}.{req.fmt}"
            _emit(req, result, f"{folder}/{file}", doc.text, f"in {doc.lang}")
            note = "" if doc.lang == lang else f"no {lang} translation of this report yet"
            index_rows.append((cf.id, doc.lang, Link(file, file), note))
    table = Table(f"Quarterly CCP reports {req.period.label}", ("case", "language", "file", "note"),
                  ("case", "language", "file", "note"), index_rows, note=req.stamp)
    _emit(req, result, f"{folder}/index.html", to_html(table), f"{len(index_rows)} reports")
    return result


RUNNERS: dict[str, Callable[[ReportRequest], BatchResult]] = {
    "dashboard": run_dashboard,
    "quarterly": run_quarterly,
    "outcomes": run_outcomes,
    "registry": run_registry,
}


def run(req: ReportRequest) -> BatchResult:
    """Write the report; the cases it had to leave out (case.yaml did not load) are in ``unreadable``."""
    result = RUNNERS[req.kind](req)
    result.unreadable = req.unreadable()
    return result


def kinds() -> Iterable[str]:
    return RUNNERS.keys()
