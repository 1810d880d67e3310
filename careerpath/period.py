"""Reporting periods: a calendar quarter, month or year, written 2026-Q3, 2026-11 or 2026."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from .i18n.messages import Message

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.I)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


def quarter_start(d: date) -> date:
    """The first day of the calendar quarter ``d`` is in."""
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def quarter_label(d: date) -> str:
    """``2026-Q3``: the calendar quarter ``d`` is in."""
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


class PeriodError(ValueError):
    """The text is not a period careerpath understands."""


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # inclusive

    def __contains__(self, day: object) -> bool:
        # a missing value (None, or an unset field in a registry expression) is in no period
        return isinstance(day, date) and self.start <= day <= self.end

    def overlaps(self, start: date | None, end: date | None) -> bool:
        """Whether a span [start, end] (open ends allowed: None, or anything not a date) touches the period."""
        return (not isinstance(start, date) or start <= self.end) and (not isinstance(end, date) or end >= self.start)


#: Years a period may be in: the caseload's own span (year 0 or 9999 would leave the calendar).
FIRST_YEAR, LAST_YEAR = 1900, 2200


def parse_period(text: str) -> Period:
    text = text.strip()
    year_text = text[:4]
    if year_text.isdigit() and len(text) >= 4 and not FIRST_YEAR <= int(year_text) <= LAST_YEAR \
            and (_QUARTER.match(text) or _MONTH.match(text) or _YEAR.match(text)):
        raise PeriodError(Message("{text}: the year must be from {first} to {last}", text=text, first=FIRST_YEAR,
                                  last=LAST_YEAR))
    if m := _QUARTER.match(text):
        year, q = int(m.group(1)), int(m.group(2))
        start = date(year, 3 * q - 2, 1)
        return Period(f"{year}-Q{q}", start, start + relativedelta(months=3) - timedelta(days=1))
    if m := _MONTH.match(text):
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(Message("{text}: month must be 01-12", text=text))
        start = date(year, month, 1)
        return Period(f"{year}-{month:02d}", start, start + relativedelta(months=1) - timedelta(days=1))
    if m := _YEAR.match(text):
        year = int(m.group(1))
        return Period(str(year), date(year, 1, 1), date(year, 12, 31))
    raise PeriodError(Message("{text} is not a period: write 2026-Q3, 2026-11 or 2026", text=repr(text)))


def last_complete_quarter(today: date) -> Period:
    """The calendar quarter before the one ``today`` is in (what a quarterly cron run reports on)."""
    return parse_period(quarter_label(quarter_start(today) - relativedelta(months=3)))


def year_of(today: date) -> Period:
    return parse_period(str(today.year))
