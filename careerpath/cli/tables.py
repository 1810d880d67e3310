"""Tables that fit the terminal without cutting an id (``due`` and ``cases``).

A table is columns of text cells. On a terminal of ``width`` columns
:func:`layout` keeps every cell of an id column whole: it wraps the one text
column (the obligation), wraps list columns (staff) between items, and
when that is not enough drops columns in each table's documented order
(``drop``: 1 goes first). ``--wide`` keeps every column and wraps nothing.
When standard output is not a terminal the caller prints plain aligned
columns instead (width None): a pipe gets whole lines.

Nothing heavy is imported: the layout is plain string work.
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Sequence

GAP = 2
MIN_TEXT = 20   # a wrapped text column is never narrower than this (unless its text is shorter)


@dataclass(frozen=True)
class Column:
    header: str
    wrap: str = ""       # "" (never cut: ids, dates) | "text" (wrap between words) | "list" (wrap between comma-separated items)
    drop: int = 0        # 0: always shown; else dropped when the table does not fit, lowest number first


def cells(text: str) -> int:
    """How many terminal cells ``text`` takes (combining marks none, wide East Asian characters two)."""
    if text.isascii():  # (no ASCII character is a combining mark or wide: most cells of most tables)
        return len(text)
    return _cells(text)


@lru_cache(maxsize=1 << 14)
def _cells(text: str) -> int:
    """:func:`cells` of a text that is not all ASCII, character by character (a table repeats its names and
    obligations: at 20,519 cases this was 25 million character lookups, most of a terminal ``due``)."""
    n = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        n += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return n


def short_names(names: Sequence[tuple[str, str]]) -> dict[str, str]:
    """{staff id: short name} for a table of people: a name's first word in full and the initials of the others
    (``Daniel Ortiz`` -> ``Daniel O.``, ``Сафина Гульнара Ильдаровна`` -> ``Сафина Г. И.``).

    Which word is the family name is not known (Russian and Vietnamese names put it first), so no word is
    guessed at: the first stays as written. Two people whose short names would be the same keep their full names.
    """
    short: dict[str, str] = {}
    for sid, name in names:
        words = str(name).split()
        initials = [next((c for c in w if c.isalpha()), "") for w in words[1:]]
        short[sid] = " ".join([words[0], *(f"{c}." for c in initials if c)]) if words else sid
    taken = Counter(short.values())
    full = dict(names)
    return {sid: label if taken[label] == 1 else " ".join(str(full[sid]).split()) or sid for sid, label in short.items()}


def _min_width(col: Column, natural: int, values: Sequence[str]) -> int:
    if col.wrap == "text":
        return min(natural, MIN_TEXT)
    if col.wrap == "list":
        # an item and the comma after it
        return min(natural, max([cells(item.strip()) + 1 for v in values for item in v.split(",")] + [cells(col.header)]))
    return natural


@lru_cache(maxsize=1 << 14)
def _wrap(text: str, width: int, how: str) -> tuple[str, ...]:
    """``text`` in lines of at most ``width`` cells (kept whole when ``how`` is ""): a table's rows repeat
    the same obligations and names, each wrapped once."""
    if not how or cells(text) <= width:
        return (text,)
    if how == "list":
        sep = ", " if ", " in text else ","       # staff names are listed with a space, ids without
        lines: list[str] = []
        for item in (i.strip() for i in text.split(",")):
            if lines and cells(lines[-1]) + len(sep) + cells(item) + 1 <= width:
                lines[-1] += sep + item
            else:
                if lines:
                    lines[-1] += ","
                lines.append(item)
        return tuple(lines)
    return tuple(textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=True)) or ("",)


def layout(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: Optional[int],
           *, wide: bool = False) -> tuple[list[int], list[int]]:
    """(indexes of the columns shown, their widths) for ``width`` terminal columns.

    Every id column keeps its full width; with ``wide`` (or when everything
    fits) every column is shown at its natural width.
    """
    natural = [max([cells(c.header)] + [cells(r[i]) for r in rows]) for i, c in enumerate(columns)]
    shown = list(range(len(columns)))
    if wide or width is None or sum(natural) + GAP * (len(shown) - 1) <= width:
        return shown, [natural[i] for i in shown]
    droppable = sorted((c.drop, i) for i, c in enumerate(columns) if c.drop)
    while True:
        minimum = {i: _min_width(columns[i], natural[i], [r[i] for r in rows]) for i in shown}
        need = sum(minimum.values()) + GAP * (len(shown) - 1)
        if need <= width or not droppable:
            break
        shown.remove(droppable.pop(0)[1])
    widths = dict(minimum)
    spare = width - need
    # the room left goes to wrapped columns, the text one first, up to their natural width
    for kind in ("text", "list"):
        for i in shown:
            if columns[i].wrap == kind and spare > 0:
                grow = min(spare, natural[i] - widths[i])
                widths[i] += grow
                spare -= grow
    return shown, [widths[i] for i in shown]


def render(columns: Sequence[Column], rows: Sequence[Sequence[str]], width: Optional[int], *, wide: bool = False,
           styles: Optional[Sequence[str]] = None) -> str:
    """The table as text: a header line, then each row on one line or more.

    ``styles``: per row, an ANSI SGR code (``"1;31"``) for its first cell, or "" (colour only on a terminal).
    """
    from ..textsafe import escaped

    # a caseload's text is shown, never obeyed: cells are escaped here, so the colours are the only codes (show())
    rows = [[escaped(str(v), one_line=True) for v in row] for row in rows]
    shown, widths = layout(columns, rows, width, wide=wide)
    hows = ["" if wide else columns[i].wrap for i in shown]
    gap, final = " " * GAP, len(widths) - 1
    out = []

    def emit(values: Sequence[str], style: str = "") -> None:
        wrapped = [_wrap(values[i], w, how) if how else (values[i],) for i, w, how in zip(shown, widths, hows)]
        for n in range(max(map(len, wrapped))):
            parts = []
            for k, lines in enumerate(wrapped):
                cell = lines[n] if n < len(lines) else ""
                if k == final:
                    parts.append(cell)
                    break
                fill = " " * (widths[k] - cells(cell))
                parts.append(f"\x1b[{style}m{cell}\x1b[0m{fill}" if k == 0 and style and cell else cell + fill)
            out.append(gap.join(parts).rstrip() + "\n")

    emit([c.header for c in columns])
    for n, row in enumerate(rows):
        emit(row, styles[n] if styles else "")
    return "".join(out)


def show(table: str) -> None:
    """Print a table :func:`render` made: on a terminal past the CLI's escaping (its cells are escaped already,
    its colours are careerpath's own), else as any output."""
    import sys

    from ..textsafe import write_own

    write_own(sys.stdout, table)


def terminal_width() -> Optional[int]:
    """The width of the terminal standard output is, or None when it is not one (a pipe, a file)."""
    import shutil
    import sys

    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size((80, 24)).columns or 80


def colours() -> bool:
    import os

    return not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
