"""Registries a program declares: tables of its people for a period, as data (``registries:`` in program.yaml).

A registry (a journal, a list of recipients) is written in the program's
folder, not in Python. ``careerpath report registry`` runs every registry the
caseload's programs declare; :mod:`careerpath.reports.registry` evaluates them.
::

    registries:
      recipients:                      # the output is registry-recipients-<period>.csv and .html
        title: "Реестр получателей, {{ period.label }}"   # a Jinja template
        lang: ru                       # the language of the page (default: the report's)
        dates: "%d.%m.%Y"              # how date values are written (default: ISO 8601)
        each: enrollment               # one row per: enrollment | referral | event | job
        where: period.overlaps(enrolled.start, enrolled.end)   # a Jinja expression; false rows are left out
        sort: [enrolled.start, case.id]                        # Jinja expressions, in order
        columns:
          - {name: n, header: "№", value: n}                   # `name`: the CSV header
          - {name: case, header: Дело, value: case.id}         # `value`: a Jinja expression
          - {name: measures, header: Мероприятия,              # `text`: a Jinja template (loops)
             text: "{% for m in enrollment.ipra.measures %}{{ m.name }}{{ '; ' if not loop.last }}{% endfor %}"}
        counts: [disability_group]     # optional: `report portrait` counts these columns' values

Rows come from the cases enrolled in the program (``each: enrollment``: one
row per such case; ``referral``, ``event``, ``job``: one row per item of
theirs). Expressions run in the documents' sandboxed Jinja environment (see
:mod:`careerpath.reports.registry` for the names they see). Only the shape is
checked here, when the folder is read; the expressions are compiled when a
report runs, and a broken one fails that output with its place in program.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .fields import FieldError, check_keys, declarations

#: what one row of a registry is
SOURCES = ("enrollment", "referral", "event", "job")
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_COLUMN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KEYS = {"title", "lang", "dates", "each", "where", "sort", "columns", "counts"}
_COLUMN_KEYS = {"name", "header", "value", "text"}


@dataclass(frozen=True)
class Column:
    """One column: its CSV name, the header a person reads, and how its cells are made."""

    name: str
    header: str
    value: str = ""   # a Jinja expression (a typed value: dates are written with the registry's `dates`)
    text: str = ""    # or a Jinja template (the cell's text)


@dataclass(frozen=True)
class RegistrySpec:
    """One registry of a program, as declared (expressions still as text)."""

    name: str
    title: str
    each: str
    columns: tuple[Column, ...]
    where: str = ""
    sort: tuple[str, ...] = ()
    lang: str = ""
    dates: str = "%Y-%m-%d"
    program: str = ""          # the declaring program's id
    source: str = ""           # program.yaml as the user names it
    line: int = 1              # where its name is written there
    # columns whose values are counted (`report portrait`: how many rows hold each value, as a table
    # and a chart); a registry with `counts` is a portrait of the people it lists
    counts: tuple[str, ...] = ()


def _text(raw: dict, key: str, where: tuple, *, required: bool = False) -> str:
    value = raw.get(key)
    if value is None:
        if required:
            raise FieldError(where, f"a registry needs `{key}`")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise FieldError(where + (key,), f"`{key}` is text")
    return str(value)


def _column(raw: Any, where: tuple) -> Column:
    if not isinstance(raw, dict):
        raise FieldError(where, "a column is {name, header, value} (or `text` instead of `value`)")
    check_keys(raw, where, _COLUMN_KEYS, "a column")
    name = _text(raw, "name", where, required=True)
    if not _COLUMN.match(name):
        raise FieldError(where + ("name",), "a column's `name` is a word of letters, digits and underscores")
    header = _text(raw, "header", where, required=True)
    value, text = _text(raw, "value", where), _text(raw, "text", where)
    if bool(value) == bool(text):
        raise FieldError(where, "a column has either `value` (an expression) or `text` (a template)")
    return Column(name, header, value, text)


def parse_registries(raw: Any, program: str, source: str) -> tuple[RegistrySpec, ...]:
    """``registries:`` of a program.yaml as :class:`RegistrySpec` values; FieldError (with its path) when malformed."""
    if raw is None:
        return ()
    out = []
    for name, decl, where in declarations(raw, "registries", _NAME, _KEYS, "registry",
                                          "a registry is {title, each, columns, ...}"):
        each = decl.get("each")
        if each not in SOURCES:
            raise FieldError(where + ("each",), f"`each` is one of {', '.join(SOURCES)}")
        columns = decl.get("columns")
        if not isinstance(columns, list) or not columns:
            raise FieldError(where + ("columns",), "`columns` is a list of {name, header, value}")
        cols = tuple(_column(c, where + ("columns", i)) for i, c in enumerate(columns))
        names = [c.name for c in cols]
        twice = next((n for n in names if names.count(n) > 1), None)
        if twice:
            raise FieldError(where + ("columns",), f"two columns are named `{twice}`")
        sort = decl.get("sort") or []
        if isinstance(sort, str):
            sort = [sort]
        if not isinstance(sort, list) or not all(isinstance(s, str) for s in sort):
            raise FieldError(where + ("sort",), "`sort` is a list of expressions")
        counts = decl.get("counts") or []
        if not isinstance(counts, list) or not all(isinstance(c, str) and c in names for c in counts):
            raise FieldError(where + ("counts",), "`counts` is a list of the registry's column names")
        lang = _text(decl, "lang", where)
        if lang and not re.match(r"^[a-z]{2,3}$", lang):
            raise FieldError(where + ("lang",), "`lang` is a language code (en, es, vi, hy, hmn, ru)")
        out.append(RegistrySpec(name=name, title=_text(decl, "title", where, required=True), each=each, columns=cols,
                                where=_text(decl, "where", where), sort=tuple(sort), lang=lang,
                                dates=_text(decl, "dates", where) or "%Y-%m-%d", program=program, source=source,
                                counts=tuple(counts)))
    return tuple(out)


__all__ = ["Column", "RegistrySpec", "SOURCES", "parse_registries"]
