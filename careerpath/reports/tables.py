"""Tables as CSV (UTF-8 with BOM, so Excel opens Cyrillic right) and as a self-contained HTML page."""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass, field
from typing import Any, Sequence


@dataclass(frozen=True)
class Link:
    """A cell that links to another file of the output (HTML); CSV shows the text."""

    text: str
    href: str


@dataclass
class Table:
    title: str
    columns: Sequence[str]          # stable machine names (CSV header)
    labels: Sequence[str]           # what a person reads (HTML header)
    rows: list[Sequence[Any]] = field(default_factory=list)
    lang: str = "en"
    note: str = ""


def _cell(value: Any) -> str:
    from ..textsafe import csv_cell

    if isinstance(value, Link):
        return csv_cell(value.text)
    if isinstance(value, str):  # text from a case (an employer "=HYPERLINK(…)"): shown, never run as a formula
        return csv_cell(value)
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
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" if bom else "") + buf.getvalue()


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:1.5rem;line-height:1.4;color:#111}
h1{font-size:1.4rem}table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eee}tr{break-inside:avoid}
@page{size:A4;margin:1.5cm}@media print{body{margin:0}}
"""


def to_html(table: Table) -> str:
    e = html.escape
    head = "".join(f"<th scope=\"col\">{e(label)}</th>" for label in table.labels)
    def td(v: Any) -> str:
        if isinstance(v, Link):
            return f'<td><a href="{e(v.href)}">{e(v.text)}</a></td>'
        return f"<td>{e(_cell(v))}</td>"

    body = "\n".join("<tr>" + "".join(td(v) for v in row) + "</tr>" for row in table.rows)
    note = f"<p>{e(table.note)}</p>\n" if table.note else ""
    return (f"<!DOCTYPE html>\n<html lang=\"{e(table.lang)}\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{e(table.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
            f"<h1>{e(table.title)}</h1>\n{note}<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n"
            f"</main>\n</body>\n</html>\n")
