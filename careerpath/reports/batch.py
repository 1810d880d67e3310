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
    # the caseload read a shard of cases at a time (pipeline.case_shards; ``caseload`` is then its shell, without
    # cases): what ``parts`` goes through
    shards: Any = None
    # the results cache's answer for ``today`` (pipeline.results): the dashboard counts from it, case by case,
    # without loading any case; None: from ``caseload``, loaded
    results: Any = None
    _unreadable: Optional[list] = field(default=None, repr=False)  # found while reading the results

    def parts(self) -> Iterator["ReportRequest"]:
        """This request narrowed to one shard of cases at a time when it has ``shards`` (noting the unreadable
        cases as it goes), else itself: a report that goes through the parts holds one shard of cases and
        what it keeps of them."""
        if self.shards is None:
            yield self
            return
        from .. import pipeline

        unread: list = []
        for loaded in pipeline.iter_cases(self.shards):
            part = self.part(loaded)
            yield part
            unread += part.unreadable()
        self._unreadable = sorted(unread)

    def part(self, loaded: dict) -> "ReportRequest":
        """This request over one shard's cases (``loaded``: {case id: (CaseFolder, load diagnostics)}, as
        :func:`careerpath.pipeline.shard_cases` gives them): the shell with those cases and their diagnostics."""
        from dataclasses import replace

        from ..diagnostics import sort_key

        shell = self.caseload
        diags = [d for _folder, case_diags in loaded.values() for d in case_diags]
        caseload = replace(shell, cases={cid: loaded[cid][0] for cid in sorted(loaded)},
                           diagnostics=sorted([*shell.diagnostics, *diags], key=sort_key))
        return replace(self, caseload=caseload, shards=None)

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
        if self.shards is not None and self._unreadable is None:
            for _part in self.parts():  # (a report that read no case: they are looked at all the same)
                pass
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


def _emit(req: ReportRequest, result: BatchResult, name: str, text: str, what: str, sync_folder: bool = True) -> None:
    if req.redact is not None:
        text = req.redact(text)
    try:
        result.written.append((write_output(req.out_dir, name, text, sync_folder=sync_folder), what))
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


def _registries(req: ReportRequest, specs: list) -> list[tuple[Any, Any]]:
    """(spec, its Table or the RegistryError that stopped it) for each of ``specs``, built in one pass over
    the cases (a shard at a time when the request has shards)."""
    from . import pages

    programs = req.caseload.programs
    env = pages.environment(req.caseload.root)
    builders: dict[str, Any] = {}
    failed: dict[str, Exception] = {}
    for spec in specs:
        try:
            builders[spec.name] = registry.Builder(spec, programs.get(spec.program), req.period, req.today,
                                                   req.caseload.config, env, req.language)
        except registry.RegistryError as e:
            failed[spec.name] = e
    for part in req.parts() if builders else ():
        cases = part.cases()
        for name, builder in list(builders.items()):
            try:
                builder.add(cases)
            except registry.RegistryError as e:
                failed[name] = e
                del builders[name]
    out = []
    for spec in specs:
        if spec.name in failed:
            out.append((spec, failed[spec.name]))
            continue
        try:
            out.append((spec, builders[spec.name].table()))
        except registry.RegistryError as e:
            out.append((spec, e))
    return out


def run_registry(req: ReportRequest) -> BatchResult:
    """Every registry the caseload's programs declare (or those of ``req.registries``), CSV and HTML."""
    from . import pages

    result = BatchResult()
    for spec, table in _registries(req, registry.declared(req.caseload.programs, req.registries)):
        stem = f"registry-{spec.name}-{req.period.label}"
        if isinstance(table, registry.RegistryError):
            result.failed += [(f"{stem}.csv", str(table)), (f"{stem}.html", str(table))]
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
    specs = [s for s in registry.declared(req.caseload.programs, req.registries) if s.counts]
    for spec, table in _registries(req, specs):
        stem = f"{spec.name if 'portrait' in spec.name else 'portrait-' + spec.name}-{req.period.label}"
        if isinstance(table, registry.RegistryError):
            result.failed += [(f"{stem}.csv", str(table)), (f"{stem}.html", str(table))]
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
    found: list = []
    for part in req.parts():  # (by date then case: a case's entries are in one part, in their order)
        found += feedback.entries(part.cases(), req.period)
    found.sort(key=lambda x: (x[0], x[1]))
    journal = feedback.journal_of(found, req.period)
    _emit(req, result, f"feedback-{req.period.label}.csv", to_csv(journal), _rows(len(journal.rows)))
    shares = feedback.satisfaction_of(found, req.period)
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
    :func:`run_quarterly_shards` writes the same files from a caseload read shard by shard.
    """
    from .. import memo

    result = BatchResult()
    index_rows: list[dict] = []
    with memo.batch():  # templates and catalogues looked up once for all the documents
        for case_folder in quarterly_cases(req):
            part, rows = _quarterly_case(req, case_folder)
            _add(result, part)
            index_rows += rows
        _quarterly_index(req, result, index_rows)
    return result


def _quarterly_case(req: ReportRequest, case_folder: CaseFolder, found: Optional[list] = None
                    ) -> tuple[BatchResult, list[dict]]:
    """One case's quarterly reports written (``found``: its obligations, computed when None), and its index rows."""
    from ..documents import engine as documents

    result = BatchResult()
    rows: list[dict] = []
    folder = f"quarterly-{req.period.label}"
    default = req.caseload.config.default_language
    person_lang = case_folder.model.person.language
    written: set[str] = set()
    for lang in dict.fromkeys((person_lang, default)):
        try:
            doc = documents.render(req.caseload, QUARTERLY_KIND, case_folder.id, today=req.today, lang=lang,
                                   fmt=req.fmt, period=req.period.label, obligations=found)
        except documents.RenderError as e:
            reason = str(e).splitlines()[0]
            result.failed.append((f"{folder}/{case_folder.id}.{lang}.{req.fmt}", reason))
            rows.append({"case": case_folder.id, "lang": lang, "file": "", "failed": reason, "missing": ""})
            continue
        if doc.lang in written:  # the same document again (the person's language fell back to it)
            continue
        written.add(doc.lang)
        file = f"{case_folder.id}.{doc.lang}.{req.fmt}"
        # the folder is made durable once, after the last document (_quarterly_index)
        _emit(req, result, f"{folder}/{file}", doc.text, f"in {doc.lang}", sync_folder=False)
        rows.append({"case": case_folder.id, "lang": doc.lang, "file": file, "failed": "",
                     "missing": "" if doc.lang == lang else lang})
    return result, rows


def _add(result: BatchResult, part: BatchResult) -> None:
    result.written += part.written
    result.failed += part.failed
    result.notes += part.notes


def _quarterly_index(req: ReportRequest, result: BatchResult, index_rows: list[dict]) -> None:
    """The index page, after the documents: their folder's entries are made durable first (one fsync for all)."""
    from ..fsio import sync_folder
    from . import pages

    sync_folder(req.out_dir / f"quarterly-{req.period.label}")

    _emit_page(req, result, f"quarterly-{req.period.label}/index.html", lambda: pages.render(
        req.caseload.root, "report-quarterly-index.html.j2",
        {"period": req.period.label, "reports": index_rows, "stamp": req.stamp},
        lang=req.language, default=req.default_language), f"{len(index_rows)} reports")


# ---------------------------------------------------------------- quarterly, shard by shard

#: what the workers of run_quarterly_shards read (inherited when the pool forks): (request, results)
_SHARD_RUN: Optional[tuple] = None


def run_quarterly_shards(req: ReportRequest, results: Any = None) -> BatchResult:
    """:func:`run_quarterly` over a caseload read one shard of cases at a time (``req.shards``: a
    :class:`careerpath.pipeline.CaseShards`; ``req.caseload`` its shell), so memory does not grow with the
    caseload; on both cores when there are enough cases. ``results``: the caseload's
    :class:`careerpath.pipeline.Results` for ``req.today``, whose cached obligations the documents use
    (None: each case's are computed). The files, the index and the result are :func:`run_quarterly`'s,
    in the same order; ``unreadable`` is filled (as :func:`run` does).

    Not for ``--redact``: its placeholders are numbered over the whole caseload.
    """
    import os

    from .. import memo, parallel

    global _SHARD_RUN
    shards = req.shards
    tasks = list(range(len(shards.tasks)))
    _SHARD_RUN = (req, results)
    # templates and catalogues looked up once for all the documents (once per worker: forked inside)
    with memo.batch():
        try:
            if parallel.worth_a_pool(shards.size) and len(tasks) > 1 and hasattr(os, "fork"):
                n = max(1, min(len(tasks), parallel.WORKERS * 8))  # runs of shards in turn: a worker's share each
                size = -(-len(tasks) // n)
                parts = parallel.pool_map(_quarterly_shards, [tasks[i:i + size] for i in range(0, len(tasks), size)])
            else:
                parts = [_quarterly_shards(tasks)]
        finally:
            _SHARD_RUN = None
        result = BatchResult()
        index_rows: list[dict] = []
        cases = sorted((c for cases, _u in parts for c in cases), key=lambda c: c[0])
        for _cid, part, rows in cases:
            _add(result, part)
            index_rows += rows
        _quarterly_index(req, result, index_rows)
    result.unreadable = sorted((u for _c, unreadable in parts for u in unreadable), key=lambda u: u[0])
    return result


def _quarterly_shards(numbers: list[int]) -> tuple[list, list]:
    """The quarterly reports of the cases of the shards ``numbers`` (one shard in memory at a time): per case
    (case id, BatchResult, index rows), and the unreadable cases."""
    from .. import pipeline

    req, results = _SHARD_RUN
    out: list = []
    unreadable: list = []
    for n in numbers:
        sub = req.part(pipeline.shard_cases(req.shards.tasks[n]))
        chosen = quarterly_cases(sub)
        found = _kept_obligations(results, [c.id for c in chosen])
        out += [(c.id, *_quarterly_case(sub, c, found.get(c.id))) for c in chosen]
        unreadable += sub.unreadable()
    return out, unreadable


def _kept_obligations(results: Any, ids: list[str]) -> dict[str, list]:
    """{case id: its obligations as a document uses them (dated, by date, rule and item)} from ``results``
    (the cache's, computed only where something changed), for each of ``ids`` whose order is certain: a case
    with two obligations of the same date, rule and item is left out (its document computes them, in the
    engine's order)."""
    if results is None or not ids:
        return {}
    by_case: dict[str, list] = {cid: [] for cid in ids}
    for o in results.obligations(history=True, cases=ids):
        if o.due is not None:
            by_case[o.case].append(o)
    out = {}
    for cid, found in by_case.items():
        found.sort(key=lambda o: (o.due, o.rule, o.item))
        if all((a.due, a.rule, a.item) != (b.due, b.rule, b.item) for a, b in zip(found, found[1:])):
            out[cid] = found
    return out


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
#: the reports that read the cases from the cache a shard at a time when there is one
SHARD_BY_SHARD = ("quarterly", "registry", "portrait", "feedback")


def run(req: ReportRequest) -> BatchResult:
    """Write the report; the cases it had to leave out (case.yaml did not load) are in ``unreadable``."""
    result = RUNNERS[req.kind](req)
    result.unreadable = req.unreadable()
    return result


def kinds() -> Iterable[str]:
    return RUNNERS.keys()
