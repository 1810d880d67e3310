"""Run one report kind over a caseload: returns what was written and what failed.

One failing output (a full disk, a refused path) does not stop the others; the
CLI exits 1 when any failed. Nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

from ..fsio import WriteError
from ..i18n.messages import message_of
from ..loader import CaseFolder, Caseload
from . import outcomes, registry
from .output import write_output
from ..period import Period
from .select import select_cases
from .tables import to_csv

#: the document kind `report quarterly` writes for every case enrolled in a program that lists it
QUARTERLY_KIND = "quarterly-report"


@dataclass
class Filters:
    cases: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()


@dataclass
class BatchResult:
    written: list[tuple[Path, str]] = field(default_factory=list)   # (path, what: "12 rows")
    failed: list[tuple[str, str]] = field(default_factory=list)     # (output name, reason)
    notes: list[str] = field(default_factory=list)                  # for stderr: Messages (a language fell back)
    # cases left out of the figures because their case.yaml did not load: (case id, file:line)
    unreadable: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Head:
    """What a report needs of a caseload besides its cases, when the cases come from the results cache
    (``ReportRequest.results``) and none is loaded: its folder, careerpath.yaml (agency, default language,
    staff with their names: objects with ``id`` and ``name``) and programs."""

    root: Path
    config: Any
    programs: Any
    diagnostics: list = field(default_factory=list)


def head_of(root: Path, config: Any, programs: Any) -> Head:
    """A :class:`Head` from the results' summary of careerpath.yaml (``pipeline.ConfigSummary``)."""
    from types import SimpleNamespace

    staff = [SimpleNamespace(id=sid, name=name) for sid, name in config.names]
    return Head(root, SimpleNamespace(agency=config.agency, default_language=config.default_language, staff=staff),
                programs)


@dataclass
class ReportRequest:
    caseload: Caseload  # or a Head when ``results`` brings the cases
    kind: str
    period: Period
    out_dir: Path
    today: date
    filters: Filters = field(default_factory=Filters)
    stamp: str = ""                       # the day a "Generated ..." line in HTML outputs names (--stamp)
    redact: Callable[[str], str] | None = None   # applied to every text written
    fmt: str = "html"                     # documents in batches (quarterly): html or md
    lang: str = ""                        # the pages' language (default: the caseload's default_language)
    registries: tuple[str, ...] = ()      # registry: only these (--kind); default: every one declared
    # the results cache's answer for ``today`` (pipeline.results): the dashboard counts from it, case by case,
    # without loading any case; None: from ``caseload``, loaded
    results: Any = None
    _unreadable: Optional[list] = field(default=None, repr=False)  # found while reading the results

    def chosen(self, facts: Any) -> bool:
        """Whether a readable case (its report facts) passes the filters (as :meth:`cases` chooses)."""
        from .facts import selected

        f = self.filters
        return selected(facts, cases=frozenset(f.cases), staff=frozenset(f.staff), programs=frozenset(f.programs))

    def each_case(self, obligations: bool = True) -> Iterator[tuple[str, Any, list]]:
        """(case id, its report facts, its open obligations on ``today``: not done, no history, sorted) for each
        case, the unreadable ones included (facts None); from the results cache shard by shard when there is
        one (noting the unreadable cases), else from the loaded caseload in id order. Without ``obligations``
        a loaded caseload's are not computed (the lists are empty)."""
        from .facts import of_case

        if self.results is not None:
            unread = []
            for cid, facts, found in self.results.stored.each_case(self.results.cases, obligations):
                if facts is None and (not self.filters.cases or cid in self.filters.cases):
                    unread.append((cid, found[0].source if found and found[0].status == "invalid"
                                   else f"cases/{cid}/case.yaml:1"))
                yield cid, facts, found
            self._unreadable = sorted(unread)
            return
        from ..obligations import compute

        by_case: dict[str, list] = {}
        for o in compute(self.caseload, self.today) if obligations else ():
            if o.status != "done":
                by_case.setdefault(o.case, []).append(o)
        programs = self.caseload.programs
        for cid in sorted(self.caseload.cases):
            yield cid, of_case(self.caseload.cases[cid], programs, self.today), by_case.get(cid, [])

    def cases(self) -> list[CaseFolder]:
        f = self.filters
        return list(select_cases(self.caseload, cases=f.cases, staff=f.staff, programs=f.programs))

    def unreadable(self) -> list[tuple[str, str]]:
        """(case id, file:line of its first error) of each case a report must leave out because its
        case.yaml did not load; --staff and --program cannot tell whether it belongs, so only --case narrows."""
        if self._unreadable is not None:
            return list(self._unreadable)
        from ..obligations import INVALID, readability

        out = []
        for cid in sorted(self.caseload.cases):
            case_folder = self.caseload.cases[cid]
            if case_folder.model is not None or (self.filters.cases and cid not in self.filters.cases):
                continue
            diags = [d for d in self.caseload.diagnostics if d.file.startswith(f"cases/{cid}/")]
            entry = [o for o in readability(case_folder, [], diags) if o.status == INVALID]
            out.append((cid, entry[0].source if entry else f"{case_folder.folder}/case.yaml:1"))
        return out

    @property
    def default_language(self) -> str:
        return self.caseload.config.default_language

    @property
    def language(self) -> str:
        return self.lang or self.default_language


def _emit(req: ReportRequest, result: BatchResult, name: str, text: str, what: str) -> None:
    if req.redact is not None:
        text = req.redact(text)
    try:
        result.written.append((write_output(req.out_dir, name, text), what))
    except WriteError as e:
        result.failed.append((name, message_of(e)))


def _emit_page(req: ReportRequest, result: BatchResult, name: str, make: Callable[[], Any], what: str) -> None:
    """Write an HTML page made by ``make`` (a pages.Page); a broken template (a caseload's override)
    fails this output only."""
    from ..documents.engine import RenderError

    try:
        page = make()
    except RenderError as e:
        result.failed.append((name, str(e)))
        return
    result.notes.extend(page.notes)
    _emit(req, result, name, page.text, what)


def _rows(n: int) -> str:
    return f"{n} row{'s' if n != 1 else ''}"


def run_outcomes(req: ReportRequest) -> BatchResult:
    from . import pages

    result = BatchResult()
    programs = req.caseload.programs
    table = outcomes.outcomes_table((facts for _cid, facts, _found in req.each_case(obligations=False)
                                     if facts is not None and req.chosen(facts)), req.period, req.today)
    stem = f"outcomes-{req.period.label}"
    _emit(req, result, f"{stem}.csv", to_csv(table), _rows(len(table.rows)))
    _emit_page(req, result, f"{stem}.html", lambda: pages.render(
        req.caseload.root, outcomes.TEMPLATE,
        lambda lang: outcomes.context(table, req.period, programs=programs, lang=lang, stamp=req.stamp),
        lang=req.language, default=req.default_language), _rows(len(table.rows)))
    return result


def run_registry(req: ReportRequest) -> BatchResult:
    """Every registry the caseload's programs declare (or those of ``req.registries``), CSV and HTML."""
    from . import pages

    result = BatchResult()
    cases = req.cases()
    programs = req.caseload.programs
    env = pages.environment(req.caseload.root)
    for spec in registry.declared(programs, req.registries):
        stem = f"registry-{spec.name}-{req.period.label}"
        try:
            table = registry.build(spec, programs.get(spec.program), cases, req.period, req.today,
                                   req.caseload.config, env, req.language)
        except registry.RegistryError as e:
            result.failed += [(f"{stem}.csv", str(e)), (f"{stem}.html", str(e))]
            continue
        _emit(req, result, f"{stem}.csv", to_csv(table), _rows(len(table.rows)))
        _emit_page(req, result, f"{stem}.html", lambda: pages.render(
            req.caseload.root, registry.TEMPLATE, registry.context(table, stamp=req.stamp),
            lang=table.lang, default=req.default_language), _rows(len(table.rows)))
    return result


def run_portrait(req: ReportRequest) -> BatchResult:
    """Each portrait the programs declare (a registry with ``counts:``): the counts as CSV, and a page with a
    table and a bar chart per counted column, in the registry's language."""
    from . import pages

    result = BatchResult()
    cases = req.cases()
    programs = req.caseload.programs
    env = pages.environment(req.caseload.root)
    for spec in [s for s in registry.declared(programs, req.registries) if s.counts]:
        stem = f"{spec.name if 'portrait' in spec.name else 'portrait-' + spec.name}-{req.period.label}"
        try:
            table = registry.build(spec, programs.get(spec.program), cases, req.period, req.today,
                                   req.caseload.config, env, req.language)
        except registry.RegistryError as e:
            result.failed += [(f"{stem}.csv", str(e)), (f"{stem}.html", str(e))]
            continue
        counts = registry.portrait(table, spec)
        _emit(req, result, f"{stem}.csv", to_csv(counts), _rows(len(counts.rows)))
        _emit_page(req, result, f"{stem}.html", lambda: pages.render(
            req.caseload.root, registry.PORTRAIT_TEMPLATE, registry.portrait_context(table, counts, spec, stamp=req.stamp),
            lang=table.lang, default=req.default_language), _rows(len(counts.rows)))
    return result


def run_feedback(req: ReportRequest) -> BatchResult:
    """The feedback journal and the satisfaction shares (CSV), and each program's own `feedback` registry."""
    from . import feedback

    result = BatchResult()
    cases = req.cases()
    journal = feedback.journal(cases, req.period)
    _emit(req, result, f"feedback-{req.period.label}.csv", to_csv(journal), _rows(len(journal.rows)))
    shares = feedback.satisfaction(cases, req.period)
    _emit(req, result, f"feedback-satisfaction-{req.period.label}.csv", to_csv(shares), _rows(len(shares.rows)))
    if feedback.REGISTRY in req.caseload.programs.registries():
        journals = run_registry(ReportRequest(**{**req.__dict__, "registries": (feedback.REGISTRY,)}))
        result.written += journals.written
        result.failed += journals.failed
        result.notes += journals.notes
    return result


def run_surveys(req: ReportRequest) -> BatchResult:
    """The caseload's surveys of the period, their totals by quarter, the yearly satisfaction trend and the
    survey duties (CSV). Surveys belong to the caseload, not to a case: --case, --staff, --program do not
    narrow them."""
    from . import surveys

    result = BatchResult()
    label = req.period.label
    for name, table in ((f"surveys-{label}.csv", surveys.listing(req.caseload, req.period, req.today)),
                        (f"surveys-totals-{label}.csv", surveys.totals(req.caseload, req.period, req.today)),
                        (f"surveys-satisfaction-{label}.csv", surveys.trend(req.caseload, req.period, req.today)),
                        (f"surveys-obligations-{label}.csv", surveys.duty_table(req.caseload, req.period, req.today))):
        _emit(req, result, name, to_csv(table), _rows(len(table.rows)))
    return result


def run_dashboard(req: ReportRequest) -> BatchResult:
    """The dashboard page, counted one case at a time (from the results cache when the request has it)."""
    from . import dashboard

    result = BatchResult()
    tally = dashboard.Tally(req.caseload.config.agency, req.today, req.period)
    n_open = 0
    for _cid, facts, found in req.each_case():
        if facts is None or not req.chosen(facts):
            continue
        tally.case(facts)
        for ob in found:
            tally.obligation(ob)
        n_open += len(found)
    figures = tally.figures()
    figures.unreadable = req.unreadable()
    _emit_page(req, result, "dashboard.html", lambda: dashboard.render(
        figures, programs=req.caseload.programs, staff=req.caseload.config.staff, lang=req.language,
        default=req.default_language, root=req.caseload.root, stamp=req.stamp),
        f"{n_open} open obligations")
    return result


def quarterly_cases(req: ReportRequest) -> list[CaseFolder]:
    """Cases enrolled in a program that lists the quarterly report among its documents, active at some
    point in the period: enrolled by its end (the program's ``start:``), not ended before it began (what
    the program's ``ends:`` declares, or the closure: the end the obligations engine stops at, so the
    report of the quarter in which an enrollment ended is still made, and none after)."""
    programs = [p for p in req.caseload.programs if QUARTERLY_KIND in p.documents]
    out = []
    for case_folder in req.cases():
        case = case_folder.model
        if case.closure is not None and case.closure.date < req.period.start:
            continue
        for program in programs:
            enrollment = case.enrollments.get(program.id)
            if enrollment is None:
                continue
            began = program.began(enrollment)
            ended = program.ended(enrollment, _events_by(case_folder, req.today),
                                  case.closure.date if case.closure is not None else None)
            if (began is None or began <= req.period.end) and (ended is None or ended >= req.period.start):
                out.append(case_folder)
                break
    return out


def _events_by(case_folder: CaseFolder, today: date) -> list:
    """The case's events recorded by ``today`` (what ends an enrollment counts only once it happened)."""
    return [d.model for d in case_folder.events if d.model is not None and d.model.date <= today]


def run_quarterly(req: ReportRequest) -> BatchResult:
    """The quarterly report of every case active in the period in a program that has one, plus an index page.

    Each case gets its report in the person's language and, where that differs,
    in the agency's default language too (the regional center reads that one).
    A case that cannot be rendered (missing data, file errors) is listed as
    failed in the index and in the result; the others are still written.
    """
    from ..documents import engine as documents
    from . import pages

    result = BatchResult()
    folder = f"quarterly-{req.period.label}"
    default = req.caseload.config.default_language
    index_rows = []
    for case_folder in quarterly_cases(req):
        person_lang = case_folder.model.person.language
        written: set[str] = set()
        for lang in dict.fromkeys((person_lang, default)):
            try:
                doc = documents.render(req.caseload, QUARTERLY_KIND, case_folder.id, today=req.today, lang=lang,
                                       fmt=req.fmt, period=req.period.label)
            except documents.RenderError as e:
                reason = str(e).splitlines()[0]
                result.failed.append((f"{folder}/{case_folder.id}.{lang}.{req.fmt}", reason))
                index_rows.append({"case": case_folder.id, "lang": lang, "file": "", "failed": reason, "missing": ""})
                continue
            if doc.lang in written:  # the same document again (the person's language fell back to it)
                continue
            written.add(doc.lang)
            file = f"{case_folder.id}.{doc.lang}.{req.fmt}"
            _emit(req, result, f"{folder}/{file}", doc.text, f"in {doc.lang}")
            index_rows.append({"case": case_folder.id, "lang": doc.lang, "file": file, "failed": "",
                               "missing": "" if doc.lang == lang else lang})
    _emit_page(req, result, f"{folder}/index.html", lambda: pages.render(
        req.caseload.root, "report-quarterly-index.html.j2",
        {"period": req.period.label, "reports": index_rows, "stamp": req.stamp},
        lang=req.language, default=req.default_language), f"{len(index_rows)} reports")
    return result


RUNNERS: dict[str, Callable[[ReportRequest], BatchResult]] = {
    "dashboard": run_dashboard,
    "quarterly": run_quarterly,
    "outcomes": run_outcomes,
    "feedback": run_feedback,
    "surveys": run_surveys,
    "portrait": run_portrait,
    "registry": run_registry,
}


#: the reports that count from the results cache (each case's report facts and open obligations) when there is one
FROM_RESULTS = ("dashboard", "outcomes")


def run(req: ReportRequest) -> BatchResult:
    """Write the report; the cases it had to leave out (case.yaml did not load) are in ``unreadable``."""
    result = RUNNERS[req.kind](req)
    result.unreadable = req.unreadable()
    return result


def kinds() -> Iterable[str]:
    return RUNNERS.keys()
