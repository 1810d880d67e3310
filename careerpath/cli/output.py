"""One output layer: what every command writes, as text, json or csv.

A command computes its answer with the library, then hands it here:

    check_format(value, allowed)      the command's --format, or a usage error (exit 2)
    emit(data, format, text=..., columns=..., output=None)
                                      json: ``data`` as one JSON document; csv: ``data`` (a list of
                                      mappings) under ``columns``; text: ``text()`` prints the human form
    write(content, output=None)       standard output, or a file written atomically (--output)
    json_text(data), csv_text(rows, columns)    the bytes json and csv are made of
    note(message)                     a line on standard error, prefixed ``careerpath:``

The rules every command keeps:

- with ``--format json`` standard output holds exactly one JSON document
  (UTF-8, indent 2, a final newline) and nothing else; its shape is the
  library result's ``to_dict()`` and is documented in docs/cli.md
  (:mod:`careerpath.cli.shapes`);
- diagnostics, progress ("wrote …"), notes and warnings go to standard
  error in every format, so a pipe never mixes them with the data;
- a usage error, a refusal or a failure prints nothing on standard output
  (one exception: a ``sync`` that stops mid-way has already fetched or
  rebased, and its report of that, with the error, is still the answer).

Nothing heavy is imported here (``careerpath --help`` loads this module).
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

TEXT, JSON, CSV = "text", "json", "csv"
TEXT_JSON = (TEXT, JSON)
TEXT_JSON_CSV = (TEXT, JSON, CSV)


def check_format(value: str, allowed: Sequence[str]) -> str:
    """``value`` when it is one of ``allowed``; else the usage error every command gives (exit 2)."""
    if value in allowed:
        return value
    from ..i18n import _
    from .base import CliError

    raise CliError(_("--format must be one of: {choices}").format(choices=", ".join(allowed)), code=2)


def _plain(value: Any) -> Any:
    """JSON for the values library results hold besides JSON's own: dates (ISO), paths, sets and tuples."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"{type(value).__name__} is not JSON")


def json_text(data: Any) -> str:
    """``data`` as the JSON every command prints: indent 2, non-ASCII kept, one final newline."""
    import json

    return json.dumps(data, ensure_ascii=False, indent=2, default=_plain) + "\n"


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """A header of ``columns`` and one line per row: booleans true/false, None empty, lists space-separated."""
    import csv
    import io

    from ..textsafe import csv_cell

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        # text from a caseload starting with = + - @ tab or CR gets a leading ' (OWASP CSV injection):
        # a spreadsheet shows it, never runs it; numbers stay numbers
        writer.writerow([csv_cell(_cell(v)) if isinstance(v, (str, list, tuple)) else _cell(v)
                         for v in (row.get(c) for c in columns)])
    return buf.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return " ".join(_cell(v) for v in value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def write(content: str | bytes | Iterable[str], output: Any = None, *, mode: Optional[int] = None) -> None:
    """``content`` on standard output, or into ``output`` (atomically: a reader never sees half a file).
    An iterable of str is written block by block (a large output is not held whole on its way to stdout).

    ``output`` is None, a path, or a :class:`~careerpath.cli.common.Output`
    (what ``output_of`` made of ``--out``/``--output``); ``-`` and
    ``/dev/stdout`` are standard output, written as a stream. A file target
    must be a regular file or absent: a link, a folder, a device or a FIFO is
    refused with exit 1 naming it, and nothing is written (fsio.check_target;
    a cloned caseload or a script may aim an output anywhere).
    """
    from ..fsio import STREAMS

    path = getattr(output, "path", output)
    if path is None or str(path) in STREAMS:
        if isinstance(content, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
        else:
            for block in [content] if isinstance(content, str) else content:
                sys.stdout.write(block)
            sys.stdout.flush()
        return
    if not isinstance(content, (str, bytes)):
        content = tuple(block.encode("utf-8") for block in content)  # as atomic_write encodes a str
    from ..fsio import WriteError, atomic_write
    from ..i18n import _, message_of, text
    from .base import CliError

    try:
        atomic_write(Path(path), content, mode=mode)
    except WriteError as e:
        # fsio's message names the file and why ("cannot write X: reason", "X is a FIFO…"): not wrapped again
        raise CliError(message_of(e), code=1) from None


def emit(data: Any, format: str, text: Optional[Callable[[], Any]] = None, *,
         columns: Optional[Sequence[str]] = None, output: Optional[Path] = None) -> None:
    """Write a command's answer in ``format``.

    json: ``data`` (JSON-ready, or holding dates, paths and objects with
    ``to_dict()``); csv: ``data`` is a list of mappings written under
    ``columns``; text: ``text()`` prints the human form (``data`` unused).
    """
    if format == JSON:
        write(json_text(data), output)
    elif format == CSV:
        if columns is None:
            raise ValueError("csv needs columns")
        write(csv_text(data, columns), output)
    elif text is not None:
        text()


def note(message: str) -> None:
    """A line for the person, never for the pipe: standard error, prefixed ``careerpath:``."""
    print("careerpath: " + message, file=sys.stderr)


def progress(message: str) -> None:
    """A line of progress ("wrote …") on standard error, without the prefix."""
    print(message, file=sys.stderr)
