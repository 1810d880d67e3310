"""For how many days a computation made on ``today`` holds: a day that notes what it is compared with.

Why: a case's checks and obligations depend on its files and on ``today``.
The load cache keeps them across days (a new morning recomputes only the
cases whose answer may have moved, docs/performance.md) and must know, for
each case, the first later day on which the answer could differ. The
obligations engine says so itself (it derives statuses at display time and
notes the few places where the day decides what exists:
:mod:`careerpath.obligations.engine`); the checks are many small functions
written without any of this in mind, so they are given a :class:`Day`
instead: a ``datetime.date`` that equals ``today`` in every way and notes, in
its :class:`Window`, every date it is compared with. Comparing ``today`` with
a date ``x`` gives the same answer on every day before ``x`` (and after it),
so the answer holds until the nearest such ``x`` after ``today``. ``today +
30 days`` is a Day too (compared with ``x``, it flips at ``x - 30`` days).
Any other use of the day (its fields, formatting, hashing, pickling, a
difference between dates, arithmetic with anything but days) may carry the
day itself into the answer, so the answer is taken to hold for ``today``
only. That rule is what makes the window safe whatever the code does: the
day is only ever read through methods that note it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

ONE_DAY = timedelta(days=1)


class Window:
    """The days ``[today, until)`` on which everything computed with one :class:`Day` stays the same."""

    def __init__(self, today: date):
        self.today = date(today.year, today.month, today.day)
        self.until = date.max

    def flips_on(self, day: date) -> None:
        """A comparison with the day may answer differently from ``day`` on (nothing when that is not later)."""
        if self.today < day < self.until:
            self.until = day

    def exact(self) -> None:
        """The day itself went into the answer: it holds for today only."""
        self.until = min(self.until, self.today + ONE_DAY)

    def day(self) -> "Day":
        """The day to compute with."""
        return Day(self, 0)


def _plain(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, (datetime, Day))


class Day(date):
    """``window.today + offset`` days, noting in ``window`` what it is compared with (see the module)."""

    def __new__(cls, window: Window, offset: int = 0, *rest):
        if not isinstance(window, Window):  # date's own methods (replace, ...) build a plain date
            return date(window, offset, *rest)
        d = window.today + timedelta(days=offset)
        self = date.__new__(cls, d.year, d.month, d.day)
        object.__setattr__(self, "_window", window)
        object.__setattr__(self, "_offset", offset)
        return self

    def _seen(self, other: object, at: int, next_: int) -> None:
        """Compared with ``other``: with ``b`` the day on which this Day equals it, the answer may change
        on ``b`` (``at``) and on the day after (``next_``); ``<`` and ``>=`` change on ``b``, ``<=`` and
        ``>`` the day after, ``==`` and ``!=`` on both."""
        if isinstance(other, Day) and other._window is self._window:
            return  # both move with the day: their order never changes
        if _plain(other):
            try:
                b = other - timedelta(days=self._offset)  # type: ignore[operator]
                if at:
                    self._window.flips_on(b)
                if next_:
                    self._window.flips_on(b + ONE_DAY)
            except OverflowError:
                pass  # beyond the calendar: never reached
        else:
            self._window.exact()

    # comparisons: noted, answered as a date would (``x > day`` is asked as ``day < x``)
    def __lt__(self, other):
        self._seen(other, 1, 0)
        return date.__lt__(self, other)

    def __le__(self, other):
        self._seen(other, 0, 1)
        return date.__le__(self, other)

    def __gt__(self, other):
        self._seen(other, 0, 1)
        return date.__gt__(self, other)

    def __ge__(self, other):
        self._seen(other, 1, 0)
        return date.__ge__(self, other)

    def __eq__(self, other):
        self._seen(other, 1, 1)
        return date.__eq__(self, other)

    def __ne__(self, other):
        self._seen(other, 1, 1)
        return date.__ne__(self, other)

    # moving by whole days keeps it a Day; anything else reads the day itself
    def __add__(self, other):
        if isinstance(other, timedelta) and other == timedelta(days=other.days):
            return Day(self._window, self._offset + other.days)
        self._window.exact()
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other):
        if isinstance(other, timedelta) and other == timedelta(days=other.days):
            return Day(self._window, self._offset - other.days)
        if isinstance(other, Day) and other._window is self._window:
            return timedelta(days=self._offset - other._offset)
        self._window.exact()
        if isinstance(other, date) and not isinstance(other, datetime):
            return self._date() - (other._date() if isinstance(other, Day) else other)
        return NotImplemented

    def __rsub__(self, other):
        self._window.exact()
        if isinstance(other, date) and not isinstance(other, datetime):
            return other - self._date()
        return NotImplemented

    def _date(self) -> date:
        return date(self._window.today.year, self._window.today.month, self._window.today.day) + timedelta(days=self._offset)

    def replace(self, *args, **kw):  # date's own replace would make a Day without a window
        return self._date().replace(*args, **kw)

    def __hash__(self):
        self._window.exact()
        return date.__hash__(self)

    def __str__(self):
        self._window.exact()
        return date.__str__(self)

    def __repr__(self):
        self._window.exact()
        return date.__repr__(self)

    def __format__(self, spec):
        self._window.exact()
        return date.__format__(self, spec)

    def __reduce_ex__(self, protocol):
        self._window.exact()
        return (date, (self.year, self.month, self.day))

    def __reduce__(self):
        return self.__reduce_ex__(2)

    def __copy__(self):
        self._window.exact()
        return self._date()

    def __deepcopy__(self, memo):
        return self.__copy__()

    def __getattribute__(self, name: str):
        if not name.startswith("_"):  # year, month, isoformat, strftime, weekday, replace, ...
            object.__getattribute__(self, "_window").exact()
        return object.__getattribute__(self, name)

    def __setattr__(self, name, value):
        raise AttributeError("a Day is read-only")


def plain(value: object) -> object:
    """``value`` with no :class:`Day` left in it, as pickle would carry it (a copy through pickle)."""
    import pickle

    return pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
