"""Obligations out: JSON rows, CSV, iCalendar, and the JSON Schema of the rows (which ones: :mod:`.query`).

Calendar feeds sync to the cloud: an entry names the case id and the rule,
never the person's name, birth date or disability. Each entry's UID is a hash
of (case, rule, due, item), so a calendar subscribed to the file updates an
entry instead of duplicating it, and DTSTAMP is a fixed instant so that the
same obligations give a byte-identical file.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence

from .engine import INVALID, Obligation

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "obligations.schema.json"
CSV_COLUMNS = ("case", "program", "rule", "title", "due", "status", "past_due", "done_on", "item", "detail",
               "staff", "citation", "confirmed", "source", "history", "incomplete", "uid")
DTSTAMP = datetime(2000, 1, 1, tzinfo=timezone.utc)  # fixed: reruns give identical bytes


def to_json(obligations: Iterable[Obligation]) -> str:
    """A JSON array of :meth:`Obligation.to_dict` (indent 2), as ``json.dumps`` of the list gives it."""
    return join_json(json_items(obligations))


def json_items(obligations: Iterable[Obligation]) -> list[str]:
    """Each obligation as it stands inside :func:`to_json`'s array (one level in), to be joined by
    :func:`join_json`; kept apart so that a stored view of ``due`` can keep them one by one."""
    return ["  " + json.dumps(o.to_dict(), ensure_ascii=False, indent=2).replace("\n", "\n  ") for o in obligations]


def join_json(items: Sequence[str]) -> str:
    return "".join(json_blocks(items))


def json_blocks(items: Sequence[str], size: int = 1024) -> Iterator[str]:
    """:func:`join_json` of ``items`` in blocks of ``size`` items, to be written one after the other: a large
    array (56 MB at 20,519 cases; a str of 2 bytes a character with one non-ASCII name) is never held whole."""
    if not items:
        yield "[]\n"
        return
    for start in range(0, len(items), size):
        block = ("[\n" if start == 0 else ",\n") + ",\n".join(items[start:start + size])
        yield block + "\n]\n" if start + size >= len(items) else block


def to_csv(obligations: Iterable[Obligation]) -> str:
    """A header of :data:`CSV_COLUMNS` and one row per obligation (booleans as true/false, staff space-separated)."""
    return join_csv(csv_rows(obligations))


def csv_rows(obligations: Iterable[Obligation]) -> list[str]:
    """Each obligation's CSV line (with its line end), to be joined by :func:`join_csv`."""
    from ..textsafe import csv_cell

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    out = []
    for o in obligations:
        row = o.to_dict()
        row["staff"] = " ".join(row["staff"])
        # text cells starting with = + - @ tab CR are prefixed with ' (OWASP): a spreadsheet shows, never runs them
        writer.writerow(["" if row[c] is None else str(row[c]).lower() if isinstance(row[c], bool) else csv_cell(row[c])
                         for c in CSV_COLUMNS])
        out.append(buf.getvalue())
        buf.seek(0)
        buf.truncate()
    return out


def join_csv(rows: Sequence[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(CSV_COLUMNS)
    return buf.getvalue() + "".join(rows)


def _item_in(o: Obligation, lang: str) -> str:
    """The item of a per-item obligation as ``due`` words it (``service № 2``: the plan's numbering, no case
    text, for a feed that leaves the office), else its key (a month, a referral's file)."""
    from ..i18n import text

    return text(o.words, lang) if o.words else (o.item or "")


def to_ics(obligations: Iterable[Obligation], lang: str = "en", name: str = "careerpath",
           today: Optional[date] = None) -> bytes:
    """An RFC 5545 calendar: one all-day VEVENT per obligation (VEVENT, not VTODO:
    the common calendar apps show subscribed events but ignore subscribed to-dos).
    A case that could not be read is an event on ``today`` (it has no due date, and a
    feed that left it out would hide it)."""
    return join_ics(ics_items(obligations, lang, today), name)


def ics_items(obligations: Iterable[Obligation], lang: str = "en", today: Optional[date] = None) -> list[str]:
    """Each obligation's VEVENT, folded, with its CRLF line ends, to be joined by :func:`join_ics`;
    kept apart so that a stored view of ``due`` keeps them one by one (as it keeps JSON and CSV rows).

    Written directly, not through icalendar's object model (11 of 12.6 s of a 2,000-case feed went
    there): the same properties in the same order, TEXT escaped and lines folded as RFC 5545 says
    (:func:`ics_text`, :func:`ics_fold`); tests/test_ics.py parses the output back with icalendar.
    """
    out = []
    for o in obligations:
        start, end = event_times(o.due if o.due is not None else (today or date.min), o.time, o.minutes)
        summary = f"{o.case}: {o.title_in(lang)}"
        item = _item_in(o, lang)
        if item:
            summary += f" ({item})"
        lines = [f"status: {o.status}" + (" (incomplete)" if o.incomplete and o.status != INVALID else ""),
                 f"rule: {o.rule}", f"citation: {o.citation}"
                 f" ({'confirmed' if o.confirmed else 'needs source'})", f"source: {o.source}"]
        if o.done_on:
            lines.insert(1, f"done: {o.done_on.isoformat()}")
        if o.detail:
            lines.insert(1, str(o.detail))
        out.append("".join((
            "BEGIN:VEVENT\r\n",
            ics_fold("SUMMARY:" + ics_text(summary)),
            f"DTSTART{_ics_when(start)}\r\n",
            f"DTEND{_ics_when(end)}\r\n",
            f"DTSTAMP:{DTSTAMP:%Y%m%dT%H%M%SZ}\r\n",
            ics_fold("UID:" + ics_text(f"{o.uid}@careerpath")),
            ics_fold("CATEGORIES:" + ics_text(o.program or "common")),
            ics_fold("DESCRIPTION:" + ics_text("\n".join(lines))),
            "TRANSP:TRANSPARENT\r\n",
            "END:VEVENT\r\n",
        )))
    return out


def join_ics(items: Sequence[str], name: str = "careerpath") -> bytes:
    """The calendar around :func:`ics_items`' events, as UTF-8 bytes with CRLF line ends."""
    head = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//careerpath//obligations//EN\r\nCALSCALE:GREGORIAN\r\n"
            + ics_fold("X-WR-CALNAME:" + ics_text(f"{name} obligations")))
    # encoded event by event: one joined str (UCS-4 with one emoji), its copies and its encoding were 4-8 times
    # the feed (a 42 MB feed at 20,519 cases)
    return b"".join([head.encode("utf-8"), *(item.encode("utf-8") for item in items), b"END:VCALENDAR\r\n"])


def _ics_when(when: date | datetime) -> str:
    """A DTSTART/DTEND value with its parameter: ``;VALUE=DATE:20261201`` for a day, ``:20261201T100000``
    for a time of day (RFC 5545 floating time, as icalendar writes a naive datetime)."""
    if isinstance(when, datetime):
        return f":{_ics_date(when)}T{when.hour:02d}{when.minute:02d}{when.second:02d}"
    return f";VALUE=DATE:{_ics_date(when)}"


def _ics_date(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def ics_text(value: str) -> str:
    """An RFC 5545 TEXT value (3.3.11): backslash, semicolon and comma escaped, every line break
    (CRLF, LF or a lone CR) written as ``\\n``."""
    return (str(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def ics_fold(line: str, limit: int = 75) -> str:
    """One content line with its CRLF, folded (RFC 5545 3.1) so that no physical line is longer than
    ``limit`` octets: a fold is CRLF and one space, put between characters (never inside a UTF-8
    sequence) and never right after a backslash (an escape stays whole on one line, as icalendar
    writes it for clients that unfold badly)."""
    if len(line) < limit and line.isascii():
        return line + "\r\n"
    parts: list[str] = []
    current: list[str] = []
    count = 0
    for char in line:
        size = len(char.encode("utf-8"))
        if current and count + size >= limit:
            if len(current) > 1 and current[-1] == "\\":
                parts.append("".join(current[:-1]))
                current, count = ["\\"], 1
            else:
                parts.append("".join(current))
                current, count = [], 0
        current.append(char)
        count += size
    if current:
        parts.append("".join(current))
    return "\r\n ".join(parts) + "\r\n"


def event_times(day: date, time: str = "", minutes: int = 0) -> tuple[date | datetime, date | datetime]:
    """(DTSTART, DTEND) of one calendar entry: the whole day for an obligation; from ``time`` ("HH:MM")
    for ``minutes`` (default 60) for an appointment. The time is local wall-clock time written as an RFC
    5545 floating time (no zone: the caseload's clock, whatever zone the calendar app is in). A time
    that does not parse gives the whole day: the row is never lost."""
    try:
        hour, minute = (int(x) for x in time.split(":")) if time else (None, None)
        start = datetime(day.year, day.month, day.day, hour, minute) if hour is not None else None
    except ValueError:
        start = None
    if start is None:
        return day, day + timedelta(days=1)
    return start, start + timedelta(minutes=minutes or 60)


def schema() -> dict:
    """The JSON Schema (draft-07) of ``careerpath due --format json``."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
