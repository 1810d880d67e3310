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
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([cell(v) for v in row])
    return ("\ufeff" if bom else "") + buf.getvalue()
