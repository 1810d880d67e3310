"""Date arithmetic for obligations: durations, month ends, quarters, working days.

Durations are written as in careerpath.yaml: a count and a unit, ``30d``,
``2w``, ``6m``, ``1y``; rule files may also use ``wd`` (working days in the
program's national calendar, from the ``holidays`` package) and a leading
``-``. Months and years go through :class:`dateutil.relativedelta`, which
clamps to the month end: Jan 31 + 1 month = Feb 28 (29 in a leap year), and
Feb 29 + 1 year = Feb 28. Offsets are always applied to the original date
(``start + 3 months``), never chained month by month, so a series anchored on
the 31st does not drift to the 28th.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Optional

from dateutil.relativedelta import relativedelta

from ..period import quarter_label, quarter_start  # noqa: F401  (the engine's quarters are the reports' quarters)

_DURATION = re.compile(r"^(-?)([0-9]{1,4})(d|w|m|y|wd)$")


class DurationError(ValueError):
    """A duration text that does not read as ``<count><unit>``."""


@dataclass(frozen=True)
class Duration:
    """A signed count of days, weeks, months, years or working days."""

    count: int
    unit: str  # d | w | m | y | wd

    @classmethod
    def parse(cls, text: str | int) -> "Duration":
        if isinstance(text, bool):
            raise DurationError("a duration is a count and a unit such as 30d, 2w, 6m, 1y")
        if isinstance(text, int):
            return cls(text, "d")
        m = _DURATION.match(str(text).strip())
        if not m:
            raise DurationError(f"{text!r} is not a duration such as 30d, 2w, 6m, 1y, 3wd")
        count = int(m.group(2))
        return cls(-count if m.group(1) else count, m.group(3))

    def __neg__(self) -> "Duration":
        return Duration(-self.count, self.unit)

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"

    def times(self, k: int) -> "Duration":
        return Duration(self.count * k, self.unit)

    def apply(self, start: date, calendar: str = "") -> Optional[date]:
        """``start`` shifted by this duration; None when it falls outside the calendar (year 1..9999)."""
        try:
            if self.unit == "d":
                return start + timedelta(days=self.count)
            if self.unit == "w":
                return start + timedelta(weeks=self.count)
            if self.unit == "m":
                return start + relativedelta(months=self.count)
            if self.unit == "y":
                return start + relativedelta(years=self.count)
            return add_working_days(start, self.count, calendar)
        except (OverflowError, ValueError):
            return None


def shift(start: Optional[date], offset: "Duration | None", calendar: str = "") -> Optional[date]:
    if start is None:
        return None
    if offset is None:
        return start
    return offset.apply(start, calendar)


def month_end(d: date) -> date:
    return d + relativedelta(day=31)


def month_start(d: date) -> date:
    return d.replace(day=1)


def quarter_end(d: date) -> date:
    return month_end(quarter_start(d) + relativedelta(months=2))


# {(calendar, year): what _holidays gives}: years given by seed_calendars, and every year looked up in this process
_SEEDED: dict = {}
_SEEN: dict = {}


def seed_calendars(years: dict) -> None:
    """Years of working-day calendars computed before with the same ``holidays`` package
    (:func:`calendars_seen` of an earlier process, kept by :mod:`careerpath.cache.calendars`): looked up
    here instead. Importing ``holidays`` loads every country (~80 ms), more than computing the case
    that needs it after an edit."""
    _SEEDED.update(years)


def calendars_seen() -> dict:
    """{(calendar, year): (public holidays, weekend weekdays, weekend working days)} of every year looked up."""
    return dict(_SEEN)


@lru_cache(maxsize=64)
def _holidays(calendar: str, year: int) -> tuple[frozenset, frozenset, frozenset]:
    """(public holidays, weekend weekdays, weekend days that are working days) of one year."""
    got = _SEEDED.get((calendar, year))
    if got is None:
        import holidays  # a maintained calendar, with Russia's transferred days off

        cal = holidays.country_holidays(calendar, years=year)
        got = (frozenset(cal), frozenset(getattr(cal, "weekend", {5, 6})),
               frozenset(getattr(cal, "weekend_workdays", ())))
    _SEEN[(calendar, year)] = got
    return got


def is_working_day(d: date, calendar: str) -> bool:
    """A working day: not a weekend unless moved to work, not a public holiday of ``calendar``."""
    if not calendar:
        return d.weekday() < 5
    off, weekend, workdays = _holidays(calendar, d.year)
    if d in workdays:
        return True
    return d.weekday() not in weekend and d not in off


def add_working_days(start: date, count: int, calendar: str = "") -> date:
    """The ``count``-th working day after ``start`` (before it when negative); 0 gives ``start``."""
    step = 1 if count >= 0 else -1
    d = start
    left = abs(count)
    while left:
        d += timedelta(days=step)
        if is_working_day(d, calendar):
            left -= 1
    return d
