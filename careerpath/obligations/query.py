"""The morning list as a query: which obligations ``careerpath due`` shows, in what order, and when it fails.

    Query(within=, overdue=, statuses=, cases=, programs=, rules=, staff=, done=, history=)
        the filters of ``due`` (and ``show``), checked when made (:class:`QueryError`)
    due(source, today, query) -> DueList
        the obligations of a :class:`careerpath.pipeline.Results` (or a list from
        :func:`careerpath.obligations.compute`) that ``query`` keeps, sorted
    select(obligations, today, query) -> list[Obligation]
        the filter alone, row by row, order kept (the CLI's kept views use it per case)
    unknown_values(query, cases=, staff=, programs=, rules=) -> list[Unknown]
        filter values the caseload does not know, each with the nearest known one
    unknown(option, values, known, patterns=) -> list[Unknown]
        the same check for one option of any command (report, render, history, audit
        check theirs with it too: one place says what a known filter value is)
    mark(row) -> str;  tally(marks or {mark: count}) -> Tally;  fails(marks, on) -> bool
        what the summary line and ``--fail-on`` need of a row: its status and
        whether it is past due, as a short string a kept view can store

A row is anything with ``case``, ``status``, ``past_due``, ``history`` and
``to_dict()``: today an :class:`~careerpath.obligations.engine.Obligation`.
A case whose case.yaml did not load is one row with status ``invalid``
(:data:`~careerpath.obligations.engine.INVALID`): sorted first, kept by every
filter but ``cases`` and ``statuses`` (what it hides may be of any program,
rule, staff or date), and marked past due for ``--fail-on overdue`` (an
unreadable case may hide an overdue deadline); ``--fail-on invalid`` fails on
those alone.

Nothing here prints or reads files: the CLI renders a :class:`DueList`.
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable, Optional, Sequence

from .dates import Duration, DurationError
from .engine import INVALID, STATUSES, sort_key

#: ``--fail-on`` choices: which marks (see :func:`mark`) make a run fail.
FAIL_ON: dict[str, Callable[[str], bool]] = {
    "overdue": lambda m: m.endswith("!"),
    "due-soon": lambda m: m.endswith("!") or m == "due-soon",
    "invalid": lambda m: m == INVALID + "!",
}


class QueryError(ValueError):
    """A filter value that cannot be a filter (a usage error): ``option`` is the CLI option it comes from."""

    def __init__(self, option: str, value: str, choices: Sequence[str] = ()):
        super().__init__(f"{option} {value!r}")
        self.option, self.value, self.choices = option, value, tuple(choices)


@dataclass(frozen=True)
class Query:
    """What ``careerpath due`` is asked: every field is one of its options.

    ``within``: ``14d``, ``2w``, ``1m``, ``1y``: open ones due by today plus that
    (past-due ones included). ``overdue``: only past-due ones (overdue, or
    partial after its date). ``statuses``: only these statuses. ``cases``,
    ``staff``: ids; ``programs``: ids, ``common`` for the case-wide rules;
    ``rules``: ids or shell patterns (``dor.*``). ``done``: done ones too
    (implied by asking for the status ``done``); ``history``: those of closed
    cases and ended enrollments too (``--all`` is both).
    """

    within: Optional[str] = None
    overdue: bool = False
    statuses: tuple[str, ...] = ()
    cases: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()
    done: bool = False
    history: bool = False

    def __post_init__(self) -> None:
        for name in ("statuses", "cases", "programs", "rules", "staff"):  # lists from callers, kept hashable
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, name, tuple(value or ()))
        if self.within is not None:
            try:
                span = Duration.parse(self.within)
            except DurationError:
                raise QueryError("--within", self.within) from None
            if span.unit == "wd" or span.count < 0:
                raise QueryError("--within", self.within)
        for status in self.statuses:
            if status not in STATUSES:
                raise QueryError("--status", status, STATUSES)

    @property
    def with_done(self) -> bool:
        """Whether done ones can be in the answer."""
        return self.done or "done" in self.statuses

    @property
    def filtered(self) -> bool:
        """Whether anything narrows the list (the empty answer then says "with these filters")."""
        return bool(self.within or self.overdue or self.statuses or self.cases or self.programs or self.rules
                    or self.staff)

    def horizon(self, today: date) -> Optional[date]:
        return Duration.parse(self.within).apply(today) if self.within else None

    @property
    def only_leaves(self) -> bool:
        """Whether the rows :func:`select` keeps on a later day are among those it kept before, in the same
        order, for the same results: inside a case's window a row can become done (a date to know has come)
        or history (its bound passed), never the other way, and its past-due-ness is its due date's; nothing
        is asked here of the status, the horizon or past-due-ness (which the day moves both ways), and done
        and history rows are left out. For such a query, what :func:`select` decides by the day is
        :meth:`keeps_state`."""
        return not (self.within or self.overdue or self.statuses or self.with_done or self.history)

    def keeps_state(self, status: str, history: bool) -> bool:
        """Whether :func:`select` keeps a row in this state, as far as the state goes (an unreadable case's row
        always; a done one with done rows asked for; history with history asked for)."""
        return status == INVALID or ((status != "done" or self.with_done) and (not history or self.history))


def select(obligations: Iterable[Any], today: date, query: Query = Query()) -> list:
    """The rows of ``obligations`` that ``query`` keeps, order kept (done and history rows only when asked:
    :meth:`Query.keeps_state`, written out here for speed)."""
    horizon = query.horizon(today)
    with_done = query.with_done
    statuses, cases, programs = set(query.statuses), set(query.cases), set(query.programs)
    staff, rules = set(query.staff), query.rules
    out = []
    for o in obligations:
        if statuses and o.status not in statuses:
            continue
        if cases and o.case not in cases:
            continue
        if o.status == INVALID:  # a case that could not be read: it may hide anything the other filters ask for
            out.append(o)
            continue
        if o.status == "done" and not with_done:
            continue
        if o.history and not query.history:
            continue
        if query.overdue and not o.past_due:
            continue
        if horizon is not None and (o.status == "done" or o.due > horizon):
            continue
        if programs and (o.program or "common") not in programs:
            continue
        if rules and not any(fnmatch.fnmatchcase(o.rule, pattern) for pattern in rules):
            continue
        if staff and not staff.intersection(o.staff):
            continue
        out.append(o)
    return out


_MARKS: dict = {}


def mark(row: Any) -> str:
    """A row's status, with ``!`` when it is past due: all :func:`tally` and :func:`fails` need of it."""
    return _MARKS.get((row.status, row.past_due)) or mark_of(row.status, row.past_due)


def mark_of(status: str, past_due: bool) -> str:
    """:func:`mark` of a row with this status and past-due-ness."""
    found = _MARKS.get((status, past_due))
    if found is None:
        found = _MARKS[status, past_due] = status + ("!" if past_due or status == INVALID else "")
    return found


@dataclass(frozen=True)
class Tally:
    """How many rows are past due, due soon (or partial, not yet late), later, and done; and how many
    cases could not be read (``invalid``, not counted as past due)."""

    past_due: int = 0
    due_soon: int = 0
    upcoming: int = 0
    done: int = 0
    invalid: int = 0

    @property
    def total(self) -> int:
        return self.past_due + self.due_soon + self.upcoming + self.done + self.invalid

    def to_dict(self) -> dict[str, int]:
        return {"total": self.total, "invalid": self.invalid, "past_due": self.past_due, "due_soon": self.due_soon,
                "upcoming": self.upcoming, "done": self.done}


def tally(marks: Iterable[str] | Mapping[str, int]) -> Tally:
    """The :class:`Tally` of rows given by their :func:`mark` (or by how many rows have each mark)."""
    counts = marks if isinstance(marks, Mapping) else Counter(marks)
    past = soon = done = later = unread = 0
    for m, n in counts.items():
        if m == INVALID + "!":
            unread += n
        elif m.endswith("!"):
            past += n
        elif m in ("due-soon", "partial"):
            soon += n
        elif m == "done":
            done += n
        else:
            later += n
    return Tally(past, soon, later, done, unread)


def fails(marks: Iterable[str], on: Optional[str]) -> bool:
    """Whether rows with these marks fail ``--fail-on on`` (never without ``on``)."""
    if on is None:
        return False
    if on not in FAIL_ON:
        raise QueryError("--fail-on", on, tuple(FAIL_ON))
    test = FAIL_ON[on]
    return any(test(m) for m in marks)


@dataclass(frozen=True)
class DueList:
    """The answer to a :class:`Query` on one day: its rows, sorted (past due first, then by date)."""

    today: date
    query: Query
    rows: list = field(default_factory=list)

    @property
    def marks(self) -> list[str]:
        return [mark(r) for r in self.rows]

    def tally(self) -> Tally:
        return tally(self.marks)

    def fails(self, on: Optional[str]) -> bool:
        """Whether ``careerpath due --fail-on on`` exits 3 for this list."""
        return fails(self.marks, on)

    def to_dicts(self) -> list[dict]:
        """The rows as ``careerpath due --format json`` prints them."""
        return [r.to_dict() for r in self.rows]


def due(source: Any, today: date, query: Query = Query()) -> DueList:
    """What ``careerpath due`` lists for ``query`` on ``today``.

    ``source`` is a :class:`careerpath.pipeline.Results` for that day (its
    obligations are read, through the cache, only as far as the query needs)
    or the list :func:`careerpath.obligations.compute` gives with
    ``include_closed_history=True``.
    """
    if hasattr(source, "obligations"):
        rows = source.obligations(history=query.history, done=query.with_done)
    else:
        rows = sorted(source, key=sort_key)
    return DueList(today, query, select(rows, today, query))


@dataclass(frozen=True)
class Unknown:
    """A filter value the caseload does not know, and the nearest one it does (or "")."""

    option: str
    value: str
    nearest: str = ""


def unknown(option: str, values: Optional[Iterable[str]], known: Iterable[str], *,
            patterns: bool = False) -> list[Unknown]:
    """The ``values`` of one filter option that ``known`` does not hold, each with the nearest known one.

    ``patterns``: a value may be a shell pattern (``dor.*``); it is known when it matches some known
    value. The nearest is careerpath's one did-you-mean ranking (:mod:`careerpath.suggest`).
    """
    from ..suggest import one

    values = [v for v in values or () if v is not None]
    if not values:
        return []
    pool = sorted(set(known))
    have = set(pool)
    out = []
    for value in values:
        if value in have or (patterns and any(fnmatch.fnmatchcase(r, value) for r in pool)):
            continue
        out.append(Unknown(option, value, one(value, pool) or ""))
    return out


def unknown_values(query: Query, *, cases: Optional[Iterable[str]] = None, staff: Optional[Iterable[str]] = None,
                   programs: Optional[Iterable[str]] = None, rules: Optional[Iterable[str]] = None) -> list[Unknown]:
    """The values of ``query`` that name nothing known; a kind left None is not checked.

    A rule pattern is known when it matches some rule id; ``common`` is always a program.
    """
    out: list[Unknown] = []
    if cases is not None:
        out += unknown("--case", query.cases, cases)
    if staff is not None:
        out += unknown("--staff", query.staff, staff)
    if programs is not None:
        out += unknown("--program", query.programs, [*programs, "common"])
    if rules is not None:
        out += unknown("--rule", query.rules, rules, patterns=True)
    return out


__all__ = ["FAIL_ON", "DueList", "Query", "QueryError", "Tally", "Unknown", "due", "fails", "mark", "select", "tally",
           "unknown", "unknown_values"]
