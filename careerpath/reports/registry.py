"""``report registry``: the registries and journals the caseload's programs declare, as CSV and HTML.

A program declares its registries in its program.yaml (``registries:``, see
:mod:`careerpath.programs.registries`): what a row is, which rows a period
keeps, their order, and each column as a Jinja expression. This module
evaluates those declarations; it knows no program. Expressions run in the
documents' sandboxed environment (a caseload's own program is data: nothing in
it runs outside the sandbox), with one difference: a field that is not there
reads as nothing (``enrollment.a.b`` is empty when the enrollment has no ``a``),
so a declaration need not guard every optional field.

Names an expression sees:

``case``        the case (``case.id``, ``case.status``, ``case.closure.date``, ...)
``person``      the person (``person.name``, ``person.language``, ...)
``enrollment``  the case's enrollment in the declaring program (its fields as written)
``enrolled``    ``enrolled.start`` and ``enrolled.end``: the date of the program's declared
                ``start:`` field, and the day the enrollment ends (its ``ends:``, else the
                case's closure; the same end ``due`` stops its obligations at)
``referral``, ``event``, ``job``   the row's item (``each: referral`` ...)
``period``      ``period.label``, ``period.start``, ``period.end``; ``x in period``,
                ``period.overlaps(start, end)`` (a missing date is in no period)
``today``, ``agency``, ``program`` (``id``, ``name``), ``staff`` (id -> ``name``, ``role``, ...)
``n``           the row's number after sorting (columns only)
``date(value)`` a date written in the registry's ``dates`` format ("" for none)

A cell's value is written as the CSV and the page show it: a date in the
registry's ``dates`` format, nothing for a missing value, yes/no, a list as
its items joined by ", ".
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any, Iterable, Iterator, Optional

from ..loader import CaseFolder
from ..period import Period
from .tables import Table, cell


class RegistryError(Exception):
    """A registry declaration cannot be evaluated; the message names program.yaml and the place in it
    (never a value from a case)."""


def declared(programs: Any, names: Iterable[str] = ()) -> list[Any]:
    """The registries the programs declare (each name once, in program order), or only ``names``."""
    found = programs.registries()
    wanted = list(names)
    return [found[n] for n in found if not wanted or n in wanted]


@functools.lru_cache(maxsize=8)
def _environment(env: Any) -> Any:
    """The documents' environment, where a missing field reads as nothing instead of an error."""
    from jinja2 import ChainableUndefined, UndefinedError
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment
    from jinja2.utils import missing

    if not isinstance(env, SandboxedEnvironment):  # a registry is a caseload's data: never outside the sandbox
        raise TypeError("registries are evaluated in the documents' SandboxedEnvironment only")

    class Missing(ChainableUndefined):
        """Nothing, for a field that is not there; but access the sandbox refuses fails loudly
        (a plain ChainableUndefined would print it as an empty cell)."""

        __slots__ = ()

        def __init__(self, hint: Any = None, obj: Any = missing, name: Any = None, exc: Any = UndefinedError) -> None:
            if isinstance(exc, type) and issubclass(exc, SecurityError):
                raise exc(hint or "unsafe access")
            super().__init__(hint, obj, name, exc)

    return env.overlay(undefined=Missing)


@functools.lru_cache(maxsize=512)
def _expression(env: Any, source: str) -> Any:
    return env.compile_expression(source, undefined_to_none=True)


@functools.lru_cache(maxsize=512)
def _template(env: Any, source: str) -> Any:
    return env.from_string(source)


def _where(spec: Any, part: str) -> str:
    return f"{spec.source}: registries.{spec.name}.{part}"


def _failure(spec: Any, part: str, error: Exception) -> RegistryError:
    from jinja2 import TemplateSyntaxError
    from jinja2.exceptions import SecurityError

    if isinstance(error, TemplateSyntaxError):
        what = f"syntax error: {error.message}"
    elif isinstance(error, SecurityError):
        what = "unsafe access blocked by the sandbox"
    else:  # the message may quote a value: name the kind of error only
        what = f"cannot be evaluated ({type(error).__name__})"
    return RegistryError(f"{_where(spec, part)}: {what}")


def _evaluate(env: Any, spec: Any, part: str, source: str, context: dict, *, text: bool = False) -> Any:
    from jinja2 import TemplateError

    try:
        if text:
            return _template(env, source).render(context)
        value = _expression(env, source)(**context)
    except (TemplateError, TypeError, ValueError, AttributeError, KeyError, IndexError, ZeroDivisionError) as e:
        raise _failure(spec, part, e) from None
    return _defined(value)


def _defined(value: Any) -> Any:
    from jinja2 import Undefined

    return None if isinstance(value, Undefined) else value


def _rows(spec: Any, program: Any, cases: Iterable[CaseFolder], today: date) -> Iterator[dict]:
    """One context per row: the case, its enrollment, and the item (``each``) the row is about.

    ``enrolled.end`` is the day the enrollment ends as the obligations engine sees it
    (:meth:`careerpath.programs.Program.ended`: what the program's ``ends:`` declares, the
    events of it recorded by ``today``, the closure)."""
    for case_folder in cases:
        case = case_folder.model
        if case is None or program.id not in case.enrollments:
            continue
        enrollment = case.enrollments[program.id]
        events = [d.model for d in case_folder.events if d.model is not None and d.model.date <= today]
        end = program.ended(enrollment, events, case.closure.date if case.closure is not None else None)
        base = {"case": case, "person": case.person, "enrollment": enrollment,
                "enrolled": {"start": program.began(enrollment), "end": end}}
        if spec.each == "enrollment":
            yield base
        elif spec.each == "job":
            for job in case.jobs:
                yield {**base, "job": job}
        else:
            docs = case_folder.referrals if spec.each == "referral" else case_folder.events
            for doc in docs:
                if doc.model is not None:
                    yield {**base, spec.each: doc.model}


def _sort_key(values: list) -> tuple:
    """Rows in order of their sort values: missing first; numbers, dates and text each in their own order."""
    out = []
    for v in values:
        if v is None:
            out.append((0, 0, ""))
        elif isinstance(v, (bool, int, float)):
            out.append((1, 0, float(v)))
        elif isinstance(v, date):
            out.append((1, 1, v.toordinal()))
        elif isinstance(v, str):
            out.append((1, 2, v))
        else:
            out.append((1, 3, str(v)))
    return tuple(out)


def build(spec: Any, program: Any, cases: Iterable[CaseFolder], period: Period, today: date, config: Any,
          env: Any, lang: str = "") -> Table:
    """The table of one registry for ``period``: its rows kept, sorted, numbered and made into cells.

    ``env`` is the documents' Jinja environment (:func:`careerpath.reports.pages.environment`);
    ``lang`` the report's language, for a registry that declares none. Raises
    :class:`RegistryError` when an expression of the declaration fails.
    """
    builder = Builder(spec, program, period, today, config, env, lang)
    builder.add(cases)
    return builder.table()


class Builder:
    """One registry's table built from cases given in parts (:meth:`add`: a shard of cases at a time, in any
    order), then made (:meth:`table`): rows sorted by the declaration's ``sort``, ties in the order of case
    ids and of the rows within a case, as :func:`build` over every case in id order gives them. What is
    kept between parts is the rows the period keeps. Raises :class:`RegistryError` as :func:`build` does."""

    def __init__(self, spec: Any, program: Any, period: Period, today: date, config: Any, env: Any, lang: str = ""):
        self.spec, self.program, self.today = spec, program, today
        self.env = _environment(env)
        self.lang = spec.lang or lang or "en"

        def date_text(value: Any, fmt: Optional[str] = None) -> str:
            value = _defined(value)
            return value.strftime(fmt or spec.dates) if isinstance(value, date) else ""

        self.date_text = date_text
        self.shared = {"period": period, "today": today, "agency": config.agency,
                       "program": {"id": program.id, "name": program.name_in(self.lang)},
                       "staff": {s.id: s for s in config.staff}, "date": date_text}
        self.title = _evaluate(self.env, spec, "title", spec.title, self.shared, text=True)
        self.kept: list = []

    def add(self, cases: Iterable[CaseFolder]) -> None:
        env, spec, shared = self.env, self.spec, self.shared
        for case_folder in cases:
            for seq, row in enumerate(_rows(spec, self.program, (case_folder,), self.today)):
                context = {**shared, **row}
                if spec.where and not _evaluate(env, spec, "where", spec.where, context):
                    continue
                key = _sort_key([_evaluate(env, spec, f"sort[{i}]", s, context) for i, s in enumerate(spec.sort)])
                self.kept.append((key, case_folder.id, seq, context))

    def table(self) -> Table:
        env, spec, date_text = self.env, self.spec, self.date_text
        kept = sorted(self.kept, key=lambda entry: entry[:3])

        def shown(value: Any) -> Any:
            if isinstance(value, date):
                return date_text(value)
            if isinstance(value, (list, tuple)):
                return ", ".join(cell(shown(v)) for v in value)
            return value

        rows = []
        for n, (_key, _case, _seq, context) in enumerate(kept, 1):
            context = {**context, "n": n}
            values = []
            for i, column in enumerate(spec.columns):
                if column.text:
                    values.append(_evaluate(env, spec, f"columns[{i}].text", column.text, context, text=True))
                else:
                    values.append(shown(_evaluate(env, spec, f"columns[{i}].value", column.value, context)))
            rows.append(values)
        # a registry is a journal people read: its CSV is headed in the registry's language, as its page is
        # (`name` stays the column's stable id in the declaration)
        headers = tuple(c.header for c in spec.columns)
        return Table(self.title, headers, headers, rows, lang=self.lang)


TEMPLATE = "report-registry.html.j2"


def context(table: Table, *, stamp: str = "") -> dict:
    """What ``report-registry.html.j2`` sees: the title, the headers and the cells as text."""
    return {"title": table.title, "labels": list(table.labels), "rows": [[cell(v) for v in row] for row in table.rows],
            "stamp": stamp, "content_lang": table.lang}


# ---------------------------------------------------------------- portraits (`counts:`)

PORTRAIT_TEMPLATE = "report-portrait.html.j2"
PORTRAIT_COLUMNS = ("column", "value", "people", "share_pct")


def portrait(table: Table, spec: Any) -> Table:
    """How many rows of a registry hold each value of its ``counts`` columns: one row per (column, value),
    the most frequent first (ties by value), with its share of all rows in percent (one decimal)."""
    from collections import Counter

    rows: list[tuple] = []
    total = len(table.rows)
    names = [c.name for c in spec.columns]  # the table is headed in its language; `counts` names columns by id
    for name in spec.counts:
        i = names.index(name)
        counted = Counter(cell(row[i]) for row in table.rows)
        for value, n in sorted(counted.items(), key=lambda kv: (-kv[1], kv[0])):
            rows.append((name, value, n, round(100 * n / total, 1) if total else None))
    return Table(table.title, PORTRAIT_COLUMNS, PORTRAIT_COLUMNS, rows, lang=table.lang)


def portrait_context(table: Table, counts: Table, spec: Any, *, stamp: str = "") -> dict:
    """What ``report-portrait.html.j2`` sees: the title, the people listed and, per counted column, its
    header, its rows as text and its bar chart."""
    from .pages import bar_chart

    headers = dict(zip((c.name for c in spec.columns), table.labels))
    parts = []
    for name in spec.counts:
        mine = [r for r in counts.rows if r[0] == name]
        parts.append({"header": headers[name], "rows": [(r[1], r[2], cell(r[3])) for r in mine],
                      "chart": bar_chart(headers[name], {r[1]: r[2] for r in mine})})
    return {"title": table.title, "total": len(table.rows), "parts": parts, "stamp": stamp, "content_lang": table.lang}
