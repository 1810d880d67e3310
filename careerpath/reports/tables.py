"""Tables as data and as CSV (UTF-8 with BOM, so Excel opens Cyrillic right); their HTML is a template
(:mod:`careerpath.reports.pages`)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any, Sequence


@dataclass
class Table:
    title: str
    columns: Sequence[str]          # stable machine names (CSV header)
    labels: Sequence[str]           # what a person reads (HTML header)
    rows: list[Sequence[Any]] = field(default_factory=list)
    lang: str = "en"


def cell(value: Any) -> str:
    """A value as a cell's text: the same in the CSV and on the page (yes/no, at most two decimals)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def to_csv(table: Table, *, bom: bool = True) -> str:
    """The table as CSV; a text cell starting with = + - @ tab or CR gets a leading ' (OWASP CSV injection).

    Text comes from cases (an employer ``=HYPERLINK(…)``): a spreadsheet shows it, never runs it.
    Numbers stay numbers (``-3`` is not text).
    """
    from ..textsafe import csv_cell

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([csv_cell(cell(v)) if isinstance(v, str) else cell(v) for v in row])
    return ("\ufeff" if bom else "") + buf.getvalue()
