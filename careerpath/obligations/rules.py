"""Program rules as data: the rule-file format and its loader.

One YAML file per program (``careerpath/programs/<program>/rules.yaml``, plus
``common.yaml`` for case-wide rules). The engine knows three rule kinds and a
small vocabulary; everything program-specific lives in the files:

``once``      one due date: the first ``due`` candidate whose date is set
              (e.g. an agreed extension first, else application + 60 days).
``recurring`` a series from a ``start`` date: ``every: month`` or
              ``quarter`` (calendar periods) or a duration (``1y``, ``90d``:
              anniversaries of the start); ``restart: on-done`` makes a chain
              where the next due counts from the day the last one was done.
``per-item``  one due date per element of a list (``case.jobs.*``,
              ``plan.services.*``, ``plan.goals.*.objectives.*``,
              ``referrals.*``, ``appointments.*``), times each of ``offsets``.

Dates are *paths* into the case facts: ``case.…``, ``enrollment.…`` (this
program's enrollment), ``plan.…``, ``item.…`` (the list element), ``settings.…``.
``done`` lists alternatives: ``field`` (a path that is set), or ``event``
(types, a ``window`` and a ``count``; ``dates`` adds a list of dates that
count like events). See docs/obligations.md for every rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field as dc_field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..i18n.languages import LANGUAGES
from .dates import Duration, DurationError

PACKAGE_RULES = Path(__file__).resolve().parent.parent / "rules"
ROOTS = ("case", "enrollment", "plan", "item", "settings", "referrals", "appointments")
ANCHORS = ("period_start", "period_end", "due", "next_due", "next_period_end", "trigger")
_PATH = re.compile(r"^[a-z_]+(\.([a-z_][a-z0-9_-]*|\*))*$")
_ANCHOR = re.compile(r"^\s*([a-z_*][a-z0-9_.*-]*)\s*(?:([+-])\s*([0-9]{1,4}(?:d|w|m|y|wd)))?\s*$")


class RulesError(Exception):
    """A rule file is malformed; ``message`` names the file and line (``diagnostic`` says it as a value)."""

    def __init__(self, message: str, diagnostic: Any = None):
        super().__init__(message)
        self.message, self.diagnostic = message, diagnostic


def _check_path(value: str) -> str:
    if not _PATH.match(value) or value.split(".")[0] not in ROOTS:
        raise ValueError(f"{value!r} is not a fact path (it starts with one of {', '.join(ROOTS)})")
    return value


def _check_offset(value: Any) -> Any:
    """An offset: a duration (``60d``, ``-1m``, ``3wd``), a whole number of days, or ``[-]settings.<name>``."""
    if isinstance(value, str) and value.lstrip("-").startswith("settings."):
        return value
    try:
        Duration.parse(value)
    except DurationError as e:
        raise ValueError(str(e)) from None
    return value


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Spec):
    """``{path: expected}``: null = unset, a list = one of, ``{set: true}`` = set, else equal."""

    items: tuple[tuple[str, Any], ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _from_mapping(cls, data: Any) -> Any:
        if isinstance(data, dict) and "items" not in data:
            for key in data:
                _check_path(key)
            return {"items": tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in data.items())}
        return data


class DateExpr(_Spec):
    """A date: ``date`` (a path) shifted by ``offset``; with ``first``, the earliest over a list."""

    date: str
    offset: Optional[Union[str, int]] = None
    when: Condition = Condition()
    first: Optional[str] = None  # a list path: take the earliest `date` (item.…) over its elements
    where: Condition = Condition()
    note: str = ""

    _p = field_validator("date")(lambda cls, v: _check_path(v))
    _o = field_validator("offset")(lambda cls, v: v if v is None else _check_offset(v))

    @field_validator("first")
    @classmethod
    def _first(cls, v: Optional[str]) -> Optional[str]:
        return v if v is None else _check_path(v)


def _check_anchor(value: str) -> str:
    m = _ANCHOR.match(value)
    if not m:
        raise ValueError(f"{value!r} is not a window bound such as `due - 30d`, `period_end`, `*`")
    name = m.group(1)
    if name != "*" and name not in ANCHORS:
        _check_path(name)
    return value


class Done(_Spec):
    """One way an obligation is satisfied."""

    field: Optional[str] = None
    event: tuple[str, ...] = ()
    dates: Optional[str] = None
    window: tuple[str, str] = ("*", "*")
    count: int = Field(1, ge=1, le=31)
    any_program: bool = False  # count events of any program, not only this one's (and untagged ones)

    @model_validator(mode="after")
    def _one(self) -> "Done":
        if bool(self.field) == bool(self.event or self.dates):
            raise ValueError("a `done` entry has either `field` or `event`/`dates`")
        for p in (self.field, self.dates):
            if p:
                _check_path(p)
        for bound in self.window:
            _check_anchor(bound)
        return self


#: what a per-item rule's ``label: {noun: …}`` may call its item (the engine words each one: docs/obligations.md)
LABEL_NOUNS = ("service", "objective", "job", "referral")


class ItemLabel(_Spec):
    """``label: {noun: service, text: item.name}``: how ``due`` and ``show`` name a per-item rule's item in
    words (``service "Résumé" (№ 2)``) instead of where it is written (``services[1]``)."""

    noun: Literal["service", "objective", "job", "referral"]
    text: str

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        return _check_path(v)


class Outlives(_Spec):
    """``outlives_closure: {unless: [reasons]}``: the rule goes on after the closure unless it closed for one of these."""

    unless: tuple[str, ...] = ()


class Rule(_Spec):
    """One obligation rule, as written in a program file."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$")
    program: str = ""
    titles: dict[str, str]
    citation: str
    confirmed: bool
    kind: Literal["once", "recurring", "per-item"]
    informational: bool = False
    when: Condition = Condition()
    # once / per-item
    due: tuple[DateExpr, ...] = ()
    each: Optional[str] = None
    where: Condition = Condition()
    offsets: Optional[Union[str, tuple[Union[str, int], ...]]] = None
    item: Optional[str] = None  # a path whose value names the item (default: where it is written)
    label: Optional[ItemLabel] = None  # per-item: the item in words for people (its `item` stays the key)
    # `services`: the item's value names a service of the program's catalogue (by id or name); shown by
    # the catalogue's name, so a plan that writes the id lists the service as people know it
    item_names: Optional[Literal["services"]] = None
    # an appointment (planned, not an obligation to produce something): `scheduled` until its day, then
    # overdue until it is recorded; `time` is the path of its time of day ("HH:MM"), for the calendar feed
    scheduled: bool = False
    time: Optional[str] = None
    minutes: Optional[str] = None  # the path of how long it lasts, in minutes
    # recurring
    start: Optional[DateExpr] = None
    every: Optional[str] = None
    offset: Optional[Union[str, int]] = None
    restart: Optional[Literal["on-done"]] = None
    # all
    until: tuple[str, ...] = ()
    # true (or {unless: [closure reasons]}): the law keeps it running after the case closes and the
    # enrollment ends (the 12-month ineligibility review, 34 CFR 361.43(e)); only `until` stops it
    outlives_closure: Union[bool, Outlives] = False
    done: tuple[Done, ...] = ()
    staff: tuple[str, ...] = ()
    explain: str = ""
    reviewed: dict[str, bool] = {}
    calendar: str = ""
    source_file: str = ""

    @field_validator("titles")
    @classmethod
    def _titles(cls, v: dict[str, str]) -> dict[str, str]:
        missing = [lang for lang in LANGUAGES if not v.get(lang)]
        if missing:
            raise ValueError(f"titles lack {', '.join(missing)}")
        return v

    @field_validator("until", "staff")
    @classmethod
    def _paths(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_check_path(p) for p in v)

    @field_validator("each", "item", "time", "minutes")
    @classmethod
    def _path(cls, v: Optional[str]) -> Optional[str]:
        return v if v is None else _check_path(v)

    @field_validator("every")
    @classmethod
    def _every(cls, v: Optional[str]) -> Optional[str]:
        if v is not None and v.startswith("settings."):
            return v  # a duration setting (the IPP review's 3 years): the caseload may change it
        if v is not None and v not in ("month", "quarter"):
            d = Duration.parse(v)
            if d.count <= 0 or d.unit == "wd":
                raise ValueError("`every` is month, quarter or a positive duration in d, w, m or y")
        return v

    @field_validator("offset")
    @classmethod
    def _offset(cls, v: Any) -> Any:
        return v if v is None else _check_offset(v)

    @field_validator("offsets")
    @classmethod
    def _offsets(cls, v: Any) -> Any:
        if v is None:
            return v
        if isinstance(v, str):
            if not v.startswith("settings."):
                raise ValueError("`offsets` is a list of durations or `settings.<name>`")
            return v
        return tuple(_check_offset(x) for x in v)

    @model_validator(mode="after")
    def _shape(self) -> "Rule":
        if self.kind in ("once", "per-item") and not self.due:
            raise ValueError(f"a {self.kind} rule needs `due`")
        if self.kind == "per-item" and not self.each:
            raise ValueError("a per-item rule needs `each` (a list path ending in .*)")
        if self.kind == "recurring" and (self.start is None or self.every is None):
            raise ValueError("a recurring rule needs `start` and `every`")
        if not self.done and not self.informational:
            raise ValueError("a rule needs `done` unless it is `informational`")
        return self

    @property
    def title(self) -> str:
        return self.titles["en"]

    def outlives(self, reason: Optional[str]) -> bool:
        """Whether this rule goes on after a closure for ``reason`` (None: the enrollment ended otherwise)."""
        if isinstance(self.outlives_closure, Outlives):
            return reason not in self.outlives_closure.unless
        return bool(self.outlives_closure)

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` (a BCP 47 tag; ``vi-VN`` reads ``vi``), English when there is none."""
        base = (lang or "en").split("-")[0].lower()
        return self.titles.get(lang) or self.titles.get(base) or self.titles["en"]

    @property
    def status_of_source(self) -> str:
        return "confirmed" if self.confirmed else "needs-source"

    def to_dict(self) -> dict[str, Any]:
        """What ``careerpath rules --format json`` prints for this rule."""
        return {"id": self.id, "program": self.program, "kind": self.kind, "title": self.title,
                "titles": dict(self.titles), "citation": self.citation, "confirmed": self.confirmed,
                "source": self.status_of_source, "informational": self.informational, "explain": self.explain,
                "file": self.source_file}


class RuleFile(_Spec):
    """A rule file: ``rules`` (a program's own ``rules.yaml``; ``common.yaml`` also sets its header)."""

    program: str = Field("", pattern=r"^$|^[a-z0-9][a-z0-9-]*$")
    staff: tuple[str, ...] = ()
    reviewed: dict[str, bool] = {}
    calendar: str = ""
    rules: tuple[dict, ...]


@dataclass(frozen=True)
class RuleBook:
    """Every rule loaded, in file order, the programs' names, and what ends each program's enrollment."""

    rules: tuple[Rule, ...]
    programs: dict[str, dict[str, str]]
    files: tuple[str, ...]
    ends: dict[str, Any] = dc_field(default_factory=dict)  # program id -> programs.registry.Ends
    services: dict[str, tuple] = dc_field(default_factory=dict)  # program id -> its catalogue (ServiceSpec)

    def by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}


def _where(positions: Any, file: str, loc: tuple) -> tuple[int, int]:
    """(line, column) of a pydantic error location (the nearest enclosing value that exists)."""
    return positions.value(tuple(loc))


def _error(file: str, positions: Any, loc: tuple, message: str) -> RulesError:
    from ..diagnostics import Diagnostic

    line, col = _where(positions, file, loc) if positions is not None else (1, 1)
    return RulesError(f"{file}:{line}: {message}", Diagnostic(file, line, col, "error", "program-invalid", message))


def load_rule_file(path: Path, shown: str, program: Any = None) -> list[Rule]:
    """The rules of one file; ``program`` (a Program) supplies the id, staff, calendar and review marks.

    Raises :class:`RulesError` (with file:line, and as a diagnostic) when the file is malformed.
    """
    from ..yamlfile import read_file

    parsed = read_file(path, shown)  # the project's hardened reader: no tags, no alias bombs
    errors = [d for d in parsed.diagnostics if d.severity == "error"]
    if parsed.data is None or errors:
        first = errors[0] if errors else None
        message = first.message if first else "empty rule file"
        raise RulesError(f"{shown}:{first.line if first else 1}: {message}", first)
    try:
        rf = RuleFile.model_validate(parsed.data)
    except ValidationError as e:
        err = e.errors(include_url=False, include_input=False)[0]
        raise _error(shown, parsed.positions, err["loc"], f"{'.'.join(map(str, err['loc']))}: {err['msg']}") from None
    header = {"program": rf.program, "calendar": rf.calendar, "reviewed": rf.reviewed, "staff": rf.staff}
    if program is not None:
        header = {"program": program.id, "calendar": program.calendar, "reviewed": dict(program.reviewed),
                  "staff": tuple(program.staff)}
    rules = []
    for i, raw in enumerate(rf.rules):
        try:
            rule = Rule.model_validate({**header, "source_file": path.name, **raw})
        except ValidationError as e:
            err = e.errors(include_url=False, include_input=False)[0]
            loc = ("rules", i, *err["loc"])
            raise _error(shown, parsed.positions, loc, f"rule {raw.get('id', i)}: "
                                                        f"{'.'.join(map(str, err['loc'])) or '(rule)'}: {err['msg']}") from None
        rules.append(rule)
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise _error(shown, parsed.positions, (), f"rule {rule.id} is defined twice")
        seen.add(rule.id)
    return rules


@lru_cache(maxsize=1)
def common_rules() -> tuple[Rule, ...]:
    """The case-wide rules (``careerpath/rules/common.yaml``): every case has them, whatever its programs."""
    return tuple(load_rule_file(PACKAGE_RULES / "common.yaml", "careerpath/rules/common.yaml"))


def load_rules(programs: Any = None) -> RuleBook:
    """Every rule of ``programs`` (a ProgramSet; default: the built-in programs) and the case-wide ones.

    Raises :class:`RulesError` when two rules share an id.
    """
    if programs is None:
        from ..programs import load_programs

        programs = load_programs()
    book = programs.rulebook()
    seen: dict[str, str] = {}
    for rule in book.rules:
        if rule.id in seen:
            raise RulesError(f"rule {rule.id} is defined by {seen[rule.id] or 'the case-wide rules'} and "
                             f"{rule.program or 'the case-wide rules'}")
        seen[rule.id] = rule.program
    return book


def markdown(book: RuleBook) -> str:
    """The rule table of docs/obligations.md, generated from the rule files (a test keeps them in step)."""
    lines = ["| rule | program | kind | due, and done when | citation | source |", "|---|---|---|---|---|---|"]
    for r in book.rules:
        text = " ".join(r.explain.split()).replace("|", "\\|")
        lines.append(f"| `{r.id}` | {r.program or 'all cases'} | {r.kind}{' (informational)' if r.informational else ''} "
                     f"| {text} | {r.citation.replace('|', '/')} | {r.status_of_source} |")
    return "\n".join(lines) + "\n"
