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
from typing import Iterable, Optional, Sequence

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
    return "[\n" + ",\n".join(items) + "\n]\n" if items else "[]\n"


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


def to_ics(obligations: Iterable[Obligation], lang: str = "en", name: str = "careerpath",
           today: Optional[date] = None) -> bytes:
    """An RFC 5545 calendar: one all-day VEVENT per obligation (VEVENT, not VTODO:
    the common calendar apps show subscribed events but ignore subscribed to-dos).
    A case that could not be read is an event on ``today`` (it has no due date, and a
    feed that left it out would hide it)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//careerpath//obligations//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{name} obligations")
    for o in obligations:
        ev = Event()
        ev.add("uid", f"{o.uid}@careerpath")
        ev.add("dtstamp", DTSTAMP)
        start, end = event_times(o.due if o.due is not None else (today or date.min), o.time, o.minutes)
        ev.add("dtstart", start)
        ev.add("dtend", end)
        summary = f"{o.case}: {o.title_in(lang)}"
        if o.item:
            summary += f" ({o.item})"
        ev.add("summary", summary)
        lines = [f"status: {o.status}" + (" (incomplete)" if o.incomplete and o.status != INVALID else ""),
                 f"rule: {o.rule}", f"citation: {o.citation}"
                 f" ({'confirmed' if o.confirmed else 'needs source'})", f"source: {o.source}"]
        if o.done_on:
            lines.insert(1, f"done: {o.done_on.isoformat()}")
        if o.detail:
            lines.insert(1, o.detail)
        ev.add("description", "\n".join(lines))
        ev.add("categories", [o.program or "common"])
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    return cal.to_ical()


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
