"""``report feedback``: the feedback journal and the share of satisfied people by quarter and year.

A ``feedback`` event (docs/format.md) has a ``channel``, a ``rating`` from 1
(very dissatisfied) to 5 (very satisfied), the person's ``text`` and
``anonymous``. The journal lists every feedback event dated in the period
(an anonymous one names no case). The satisfaction table has a row for each
calendar quarter inside the period and one for the whole period: entries,
entries with a rating, ratings of 4 or 5, and their share of the rated
entries in percent (one decimal; empty when nothing was rated). A program's
own journal with its own headers (the ЦЗН's «Журнал обратной связи») is a
registry named ``feedback`` in its program.yaml; ``report feedback`` writes it
too.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Optional

from ..loader import CaseFolder
from ..models import SATISFIED_FROM
from ..period import Period, parse_period, quarter_label, quarter_start
from .tables import Table

EVENT_TYPE = "feedback"
#: a program's registry of this name is its own feedback journal (written by `report feedback` as well)
REGISTRY = "feedback"
JOURNAL_COLUMNS = ("date", "case", "program", "channel", "rating", "satisfied", "text", "by")
SHARE_COLUMNS = ("period", "entries", "rated", "satisfied", "share_pct")


def entries(cases: Iterable[CaseFolder], period: Period) -> list[tuple[date, str, Any]]:
    """(date, case id, event) of every feedback event dated in ``period``, by date then case."""
    out = []
    for case_folder in cases:
        for doc in case_folder.events:
            event = doc.model
            if event is not None and event.type == EVENT_TYPE and event.date in period:
                out.append((event.date, case_folder.id, event))
    return sorted(out, key=lambda x: (x[0], x[1]))


def satisfied(event: Any) -> Optional[bool]:
    return None if event.rating is None else event.rating >= SATISFIED_FROM


def journal(cases: Iterable[CaseFolder], period: Period) -> Table:
    return journal_of(entries(cases, period), period)


def journal_of(found: list[tuple[date, str, Any]], period: Period) -> Table:
    """The journal of ``found`` (:func:`entries`, by date then case)."""
    rows = [(day.isoformat(), "" if e.anonymous else case_id, e.program or "", e.channel or "", e.rating,
             satisfied(e), e.text or e.summary or "", e.by or "")
            for day, case_id, e in found]
    return Table(f"Feedback journal {period.label}", JOURNAL_COLUMNS, JOURNAL_COLUMNS, rows)


def share(found: list[tuple[date, str, Any]], label: str) -> tuple:
    rated = [e for _d, _c, e in found if e.rating is not None]
    happy = sum(1 for e in rated if satisfied(e))
    pct = round(100 * happy / len(rated), 1) if rated else None
    return (label, len(found), len(rated), happy, pct)


def quarters(period: Period) -> list[Period]:
    """The calendar quarters that lie wholly inside ``period``, in order (none for a month)."""
    out, day = [], quarter_start(period.start)
    while day <= period.end:
        q = parse_period(quarter_label(day))
        if period.start <= q.start and q.end <= period.end:
            out.append(q)
        day = date(day.year + (day.month == 10), (day.month + 2) % 12 + 1, 1)
    return out


def satisfaction(cases: Iterable[CaseFolder], period: Period) -> Table:
    return satisfaction_of(entries(list(cases), period), period)


def satisfaction_of(found: list[tuple[date, str, Any]], period: Period) -> Table:
    """The satisfaction shares of ``found`` (:func:`entries`)."""
    rows = [share([x for x in found if x[0] in q], q.label) for q in quarters(period)]
    if len(rows) != 1 or rows[0][0] != period.label:
        rows.append(share(found, period.label))
    return Table(f"Satisfaction {period.label}", SHARE_COLUMNS, SHARE_COLUMNS, rows)
