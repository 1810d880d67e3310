"""The generic engine: rules (data) + a caseload -> a sorted list of obligations.

Nothing here names a program. For each case and each rule whose program the
person is enrolled in, the rule's kind (``once``, ``recurring``,
``per-item``) yields occurrences (a due date, the fact it came from, the
period it covers); each is then checked against the rule's ``done``
alternatives and given a status. Facts dated after ``today`` (events, done
dates) are ignored, so ``--today`` answers "what was overdue on that day?".

Where obligations stop (FORMAT.md, "When an enrollment ends"): a program rule
stops at the end of its enrollment, which the program declares (``ends:`` in
program.yaml: date fields such as ``end`` or ``authorized_until``, event types
such as ``transition``) and which the case's closure always brings; a rule's
``until`` (``transitioned``, a job's ``end``) stops it earlier. A rule marked
``outlives_closure`` is stopped by its ``until`` only. A calendar month or
quarter that began on or before that bound still counts (its review or report
stays due); an anniversary, a once or a per-item date after it is not
produced. What was due before the bound and was left undone when the bound
passed is *history*: kept by ``include_closed_history=True`` (``due --all``),
left out of the morning list.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Iterator, Optional

from ..i18n.messages import Message, join
from .dates import Duration, month_end, month_start, quarter_end, quarter_label, quarter_start, shift
from .facts import Facts, Node
from ..programs.ends import enrollment_end
from .rules import DateExpr, Done, Rule, RuleBook, _ANCHOR, load_rules

STATUSES = ("invalid", "overdue", "partial", "due-soon", "upcoming", "scheduled", "done")
#: the status of a planned appointment before its day (a rule marked ``scheduled``)
SCHEDULED = "scheduled"
MAX_OCCURRENCES = 2400  # 200 years of months: a bound on any series, whatever the data


@dataclass(frozen=True)
class Obligation:
    """One thing someone must do for one case by one date, and whether it is done."""

    case: str
    program: str  # program id; "" for case-wide rules (referral.follow-up, plan.objective)
    rule: str
    title: str  # English; see titles / title_in
    due: Optional[date]  # None only for an `invalid` entry (a case whose case.yaml did not load)
    status: str  # done | overdue | due-soon | upcoming | partial | invalid
    citation: str
    confirmed: bool
    source: str  # file:line of the fact the due date was computed from
    done_on: Optional[date] = None
    staff: tuple[str, ...] = ()
    detail: str = ""  # short, never personal data: a Message (notes, "done 3 days late", "1 of 2")
    item: str = ""  # which list element or period ("jobs[0]+6m", "2026-02", "g1.o2"): a key, part of uid
    past_due: bool = False  # due before today and not done (overdue, or partial after its date)
    history: bool = False  # its enrollment, case or series had ended by today
    incomplete: bool = False  # a file of its case failed to load: a missing event can make it look overdue, or done
    time: str = ""  # "HH:MM" when it happens at a time of day (an appointment); the calendar feed uses it
    minutes: int = 0  # how long it lasts, with ``time`` (0: the calendar's default hour)
    titles: dict[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)
    # the item in words for people, a Message, when the rule declares a `label:` (else "" and `item` is shown:
    # a period, a file name). `words` holds no case text (`service № 2`, `objective g1.o3`, `job № 1`): `due`,
    # its JSON and CSV go to cron mail and files. `described` quotes the case's own words too (`service "Résumé"
    # (№ 2)`, `objective g1.o3 "Two interviews"`): `show` prints it, on the screen that shows the person's name.
    words: str = field(default="", compare=False)
    described: str = field(default="", compare=False, repr=False)
    # how status, past_due, history and done_on follow the day (:func:`on_day`): (kind, warn days, bound);
    # () for an entry whose fields never move (a case that could not be read)
    basis: tuple = field(default=(), compare=False, hash=False, repr=False)

    def title_in(self, lang: str) -> str:
        base = (lang or "en").split("-")[0].lower()
        return self.titles.get(lang) or self.titles.get(base) or self.title

    @property
    def uid(self) -> str:
        """Stable across runs: the same case, rule, due date and item give the same id."""
        key = "\x1f".join((self.case, self.rule, self.due.isoformat() if self.due else "", self.item))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (ISO dates); the shape of ``careerpath due --format json``.

        An ``invalid`` entry has ``due`` null and says where its case.yaml failed (``file``, ``line``).
        """
        out = {
            "case": self.case, "program": self.program, "rule": self.rule, "title": self.title,
            "due": self.due.isoformat() if self.due else None, "status": self.status, "past_due": self.past_due,
            "done_on": self.done_on.isoformat() if self.done_on else None,
            "item": self.item, "item_words": self.words, "detail": self.detail, "staff": list(self.staff),
            "citation": self.citation, "confirmed": self.confirmed, "source": self.source,
            "history": self.history, "incomplete": self.incomplete, "uid": self.uid,
        }
        if self.time:
            out["time"] = self.time
            if self.minutes:
                out["minutes"] = self.minutes
        if self.status == INVALID:
            file, _sep, line = self.source.rpartition(":")
            out["file"], out["line"] = file, int(line)
        return out


def sort_key(o: Obligation) -> tuple:
    """Cases that could not be read first (they may hide anything), then past due, then by date, case,
    program, rule, item (the date as its ordinal: the same order, and a key of ints and strings is
    cheaper to keep in the cache's stored views)."""
    if o.due is None:
        return (-1, 0, o.case, o.program, o.rule, o.item)
    return (0 if o.past_due else 1, o.due.toordinal(), o.case, o.program, o.rule, o.item)


#: the status and rule of the one entry a case whose case.yaml did not load gets
INVALID = "invalid"
INVALID_RULE = "case.invalid"


def readability(case_folder: Any, found: list[Obligation], load_diagnostics: Any = ()) -> list[Obligation]:
    """``found`` as the case's files allow: every obligation ``incomplete`` when a file of the case
    failed to load (an error diagnostic), and one ``invalid`` entry first when case.yaml itself did not
    load, naming the file, the line of its first error and how many (never a value).

    Why: a case whose case.yaml fails yields no obligations at all, and used to vanish from
    every list; a broken event file can make a deadline look overdue, or done.
    """
    errors = [d for d in load_diagnostics if getattr(d, "severity", "") == "error"]
    unread = case_folder.case is None or case_folder.case.model is None
    if not errors and not unread:
        return found
    from dataclasses import replace

    out = [replace(o, incomplete=True) for o in found]
    if unread:
        file = case_folder.case.file if case_folder.case is not None else f"{case_folder.folder}/case.yaml"
        own = sorted((d for d in errors if d.file == file), key=lambda d: (d.line, d.column))
        line = own[0].line if own else 1
        n = len(own)
        out.insert(0, Obligation(
            case=case_folder.id, program="", rule=INVALID_RULE, title=Message("Case file could not be read"), due=None,
            status=INVALID, citation="careerpath validate", confirmed=True, source=f"{file}:{line}",
            detail=Message("{n} error", n=n) if n == 1 else Message("{n} errors", n=n),
            incomplete=True))
    return out


@dataclass
class _Occurrence:
    due: date
    trigger: Node
    facts: Facts
    bound: Optional[date]
    item: str = ""
    note: str = ""
    words: Any = ""  # the item in words (a Message), per-item rules with a `label:`: no case text
    described: Any = ""  # the same with the case's own words (a service's name, an objective's text)
    period_start: Optional[date] = None
    period_end: Optional[date] = None
    next_due: Optional[date] = None
    next_period_end: Optional[date] = None


@dataclass(frozen=True)
class _Event:
    date: date
    type: str
    program: Optional[str]


class _Context:
    """What every rule of one case needs: facts, events, settings, dates.

    ``until`` is the first day after ``today`` on which the occurrences or their done-ness could
    differ (an event or done date reached, a recurring series' next period): until then, only what
    :func:`on_day` derives moves (every place the engine reads ``today`` for anything else calls
    :meth:`flips_on`). The load cache keeps a case's obligations that long.
    """

    def __init__(self, case_folder: Any, settings: Any, config_file: Any, today: date):
        self.today = today
        self.until = date.max
        self.services: dict[str, tuple] = {}  # program id -> its service catalogue (names plan services)
        self.case_id = case_folder.id
        case_model = case_folder.case.model if case_folder.case is not None else None
        self.case = case_model.model_dump(by_alias=True) if case_model is not None else None
        plan_model = case_folder.plan.model if case_folder.plan is not None else None
        plan = plan_model.model_dump(by_alias=True) if plan_model is not None else {}
        refs = [Node(d.model.model_dump(by_alias=True), d, ()) for d in case_folder.referrals if d.model is not None]
        appointments = [Node(d.model.model_dump(by_alias=True), d, ())
                        for d in getattr(case_folder, "appointments", ()) if d.model is not None]
        self.settings = settings
        self.roots = {
            "case": Node(self.case or {}, case_folder.case, ()),
            "plan": Node(plan, case_folder.plan, ()),
            "referrals": Node(refs, None, ()),
            "appointments": Node(appointments, None, ()),
            "settings": Node(settings.model_dump(), config_file, ("settings",)),
        }
        self.events = sorted((_Event(d.model.date, d.model.type, d.model.program)
                              for d in case_folder.events if d.model is not None and d.model.date <= today),
                             key=lambda e: e.date)
        for d in case_folder.events:
            if d.model is not None and d.model.date > today:
                self.flips_on(d.model.date)  # counted from that day on
        self.closed_on: Optional[date] = None
        self.closed_as: Optional[str] = None  # the closure reason
        if self.case is not None:
            closure = self.case.get("closure")
            if closure and closure.get("date"):
                self.closed_on = closure["date"]
                self.closed_as = closure.get("reason")
            elif self.case.get("status") == "closed":
                self.closed_on = today  # closed without a date: nothing more is due
                self.flips_on(today + timedelta(days=1))  # ... and the day it ends is every day
        staff = (self.case or {}).get("staff") or {}
        self.all_staff = tuple(sorted({v for v in staff.values() if isinstance(v, str)}))

    def flips_on(self, day: date) -> None:
        """What was computed may differ from ``day`` on (a day after today)."""
        if day < self.until:
            self.until = day

    def enrollment(self, program: str) -> Optional[dict]:
        if self.case is None:
            return None
        value = (self.case.get("enrollments") or {}).get(program)
        return value if isinstance(value, dict) else None


# ---------------------------------------------------------------- values from rules

def _offset(value: Any, settings: Any) -> Optional[Duration]:
    if value is None:
        return None
    if isinstance(value, str) and value.lstrip("-").startswith("settings."):
        negative = value.startswith("-")
        name = value.lstrip("-").split(".", 1)[1]
        setting = getattr(settings, name)
        # a whole-number setting counts days; one named *_working_days counts working days
        d = Duration(setting, "wd") if isinstance(setting, int) and name.endswith("_working_days") else Duration.parse(setting)
        return -d if negative else d
    return Duration.parse(value)


def _offsets(rule: Rule, settings: Any) -> list[Optional[Duration]]:
    if rule.offsets is None:
        return [None]
    values = getattr(settings, rule.offsets.split(".", 1)[1]) if isinstance(rule.offsets, str) else rule.offsets
    return [Duration.parse(v) for v in values]


def _date_of(expr: DateExpr, facts: Facts) -> Optional[Node]:
    if expr.first:
        best: Optional[Node] = None
        for item in facts.each(expr.first):
            f = facts.with_item(item)
            if not f.holds(expr.where):
                continue
            node = f.date(expr.date)
            if node is not None and (best is None or node.value < best.value):
                best = node
        return best
    return facts.date(expr.date)


def _candidate(exprs: tuple[DateExpr, ...], facts: Facts, ctx: _Context, calendar: str) -> Optional[tuple[date, Node, str]]:
    """The first candidate whose condition holds and whose date is set: (due, trigger, note)."""
    for expr in exprs:
        if not facts.holds(expr.when):
            continue
        node = _date_of(expr, facts)
        if node is None:
            continue
        due = shift(node.value, _offset(expr.offset, ctx.settings), calendar)
        if due is not None:
            return due, node, expr.note
    return None


def _bound(rule: Rule, facts: Facts, ctx: _Context, end: Optional[date]) -> Optional[date]:
    """The last day the rule runs for this case: the enrollment's end, the closure, the rule's ``until``."""
    dates: list = []
    if not (rule.outlives_closure and rule.outlives(ctx.closed_as if ctx.closed_on else None)):
        dates += [ctx.closed_on, end]
    for path in rule.until:
        node = facts.date(path)
        dates.append(node.value if node else None)
    dates = [d for d in dates if isinstance(d, date)]
    return min(dates) if dates else None


#: the longest case text an item's words quote before "…": a service's or an objective's words fit a table cell
WORDS_MAX = 40


def _short(value: Any) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= WORDS_MAX else text[:WORDS_MAX - 1].rstrip() + "…"


def _item_words(rule: Rule, item: Node, facts: Facts, name: str, offset: Any) -> tuple[Any, Any]:
    """The item of a per-item rule in words (Messages), as its ``label:`` says: without and with the case's
    own text (see :attr:`Obligation.words`); ("", "") without a label.

    Positions are counted from 1 as the plan numbers them (``№ 2``); case text is shortened to
    :data:`WORDS_MAX` characters. ``offset`` is the rule's offset for this occurrence (None: none).
    """
    label = rule.label
    if label is None:
        return "", ""
    public = _public_words(label.noun, item, name)
    if offset is not None:
        public = Message("{what}, {when} after it began", what=public, when=_duration_words(offset))
    value = facts.value(label.text)
    text = _short(value) if value not in (None, "") else ""
    position = item.path[-1] + 1 if item.path and isinstance(item.path[-1], int) else 0
    if label.noun == "service":
        words = Message('service "{text}" (№ {n})', text=text, n=position) if position else \
            Message('service "{text}"', text=text)
    elif label.noun == "objective":
        words = Message('objective {id} "{text}"', id=name, text=text) if text else Message("objective {id}", id=name)
    elif label.noun == "job":
        words = Message("job at {employer}", employer=text) if text else Message("job № {n}", n=position)
    else:
        words = Message("referral to {to}", to=text) if text else Message("referral of {date}", date=name)
    if offset is not None:
        words = Message("{what}, {when} after it began", what=words, when=_duration_words(offset))
    return public, words


def _public_words(noun: str, item: Node, name: str) -> Any:
    """The item by its number or id only (no case text): ``service № 2``, ``objective g1.o3``, ``job № 1``,
    ``referral 2026-11-09-psychological-support`` (its file name: a date and a kind)."""
    position = item.path[-1] + 1 if item.path and isinstance(item.path[-1], int) else 0
    if noun == "service":
        return Message("service № {n}", n=position)
    if noun == "objective":
        return Message("objective {id}", id=name)
    if noun == "job":
        return Message("job № {n}", n=position)
    return Message("referral {file}", file=name)


def _duration_words(offset: Any) -> Any:
    """``6m`` as words (``6 mo``): short forms, so no plural rules are needed."""
    d = offset if isinstance(offset, Duration) else Duration.parse(str(offset))
    unit = {"d": Message("{n} d", n=d.count), "w": Message("{n} wk", n=d.count), "m": Message("{n} mo", n=d.count),
            "y": Message("{n} yr", n=d.count), "wd": Message("{n} working d", n=d.count)}
    return unit.get(d.unit, str(offset))


def _item_name(rule: Rule, item: Node, facts: Facts, ctx: "_Context") -> str:
    if rule.item:
        value = facts.value(rule.item)
        if value not in (None, ""):
            if rule.item_names == "services" and isinstance(value, str):
                from ..programs.services import find

                known = find(ctx.services.get(rule.program, ()), value)
                # a name the catalogue does not know is free text (it may say anything): where it is written
                return known.name if known is not None else item.label()
            return str(value)
    return item.label()


# ---------------------------------------------------------------- occurrences by kind

def _once(rule: Rule, facts: Facts, ctx: _Context, end: Optional[date]) -> Iterator[_Occurrence]:
    found = _candidate(rule.due, facts, ctx, rule.calendar)
    if found is not None:
        due, node, note = found
        bound = _bound(rule, facts, ctx, end)
        if bound is None or due <= bound:
            yield _Occurrence(due, node, facts, bound, note=note)


def _per_item(rule: Rule, facts: Facts, ctx: _Context, end: Optional[date]) -> Iterator[_Occurrence]:
    offsets = _offsets(rule, ctx.settings)
    for item in facts.each(rule.each or ""):
        f = facts.with_item(item)
        if not f.holds(rule.where):
            continue
        found = _candidate(rule.due, f, ctx, rule.calendar)
        if found is None:
            continue
        base, node, note = found
        name = _item_name(rule, item, f, ctx)
        bound = _bound(rule, f, ctx, end)
        for off in offsets:
            due = shift(base, off, rule.calendar)
            if due is None or (bound is not None and due > bound):
                continue
            yield _Occurrence(due, node, f, bound, item=f"{name}+{off}" if off is not None else name, note=note,
                              **dict(zip(("words", "described"), _item_words(rule, item, f, name, off))))


def _every(rule: Rule, settings: Any) -> Duration:
    """A recurring rule's interval: its ``every`` duration, or the duration setting it names."""
    return _offset(rule.every or "1y", settings) or Duration.parse("1y")


def _periods(rule: Rule, start: date, every: Optional[Duration] = None) -> Iterator[tuple[date, date, str]]:
    """(period start, period end, label) for calendar periods or anniversaries of ``start``."""
    if rule.every == "month":
        first = month_start(start)
        for k in range(MAX_OCCURRENCES):
            ps = shift(first, Duration(k, "m"))
            if ps is None:
                return
            yield ps, month_end(ps), ps.strftime("%Y-%m")
    elif rule.every == "quarter":
        first = quarter_start(start)
        for k in range(MAX_OCCURRENCES):
            ps = shift(first, Duration(3 * k, "m"))
            if ps is None:
                return
            yield ps, quarter_end(ps), quarter_label(ps)
    else:
        every = every or Duration.parse(rule.every or "1y")
        previous = start
        for k in range(1, MAX_OCCURRENCES):
            end = every.times(k).apply(start)
            if end is None:
                return
            yield previous + timedelta(days=1), end, end.isoformat()
            previous = end


def _recurring(rule: Rule, facts: Facts, ctx: _Context, end: Optional[date]) -> Iterator[_Occurrence]:
    assert rule.start is not None
    node = _date_of(rule.start, facts)
    if node is None:
        return
    start = shift(node.value, _offset(rule.start.offset, ctx.settings))
    if start is None:
        return
    bound = _bound(rule, facts, ctx, end)
    offset = _offset(rule.offset, ctx.settings)
    if rule.restart == "on-done":
        yield from _chain(rule, facts, ctx, node, start, bound, offset)
        return
    # the calendar month or quarter in which the bound falls still counts; an anniversary after it does not
    calendar_periods = rule.every in ("month", "quarter")
    periods = _periods(rule, start, None if calendar_periods else _every(rule, ctx.settings))
    current = next(periods, None)
    while current is not None:
        ps, pe, label = current
        due = shift(pe, offset, rule.calendar)
        if due is None or (bound is not None and (ps if calendar_periods else pe) > bound):
            return
        following = next(periods, None)
        next_due = shift(following[1], offset, rule.calendar) if following else None
        yield _Occurrence(due, node, facts, bound, item=label, period_start=ps, period_end=pe, next_due=next_due,
                          next_period_end=following[1] if following else None)
        if due >= ctx.today:
            ctx.flips_on(due + timedelta(days=1))  # once this one is past, the one after it is produced
            return  # past periods and the next one only
        current = following


def _chain(rule: Rule, facts: Facts, ctx: _Context, node: Node, start: date, bound: Optional[date],
           offset: Optional[Duration]) -> Iterator[_Occurrence]:
    every = _every(rule, ctx.settings)
    anchor = start
    for _ in range(MAX_OCCURRENCES):
        pe = every.apply(anchor)
        due = shift(pe, offset, rule.calendar) if pe else None
        if due is None or (bound is not None and due > bound):
            return
        occ = _Occurrence(due, node, facts, bound, item=due.isoformat(), period_start=anchor + timedelta(days=1),
                          period_end=pe, next_due=shift(pe, every), next_period_end=shift(pe, every))
        yield occ
        done_on, _ = _satisfied(rule, occ, ctx)
        if done_on is None or done_on <= anchor:  # open, or done without a usable date: the chain ends here
            return
        anchor = done_on


_KINDS = {"once": _once, "recurring": _recurring, "per-item": _per_item}


# ---------------------------------------------------------------- done and status

def _window_bound(text: str, occ: _Occurrence) -> Optional[date]:
    m = _ANCHOR.match(text)
    assert m is not None  # checked when the rule file was loaded
    name, sign, dur = m.groups()
    if name == "*":
        return None
    if name in ("period_start", "period_end", "due", "next_due", "next_period_end"):
        base = getattr(occ, name)
    elif name == "trigger":
        base = occ.trigger.value
    else:
        node = occ.facts.date(name)
        base = node.value if node else None
    if base is None:
        return None
    if dur:
        d = Duration.parse(dur)
        base = shift(base, -d if sign == "-" else d)
    return base


def _count(rule: Rule, done: Done, occ: _Occurrence, ctx: _Context) -> list[date]:
    lo = _window_bound(done.window[0], occ)
    hi = _window_bound(done.window[1], occ)
    found: list[date] = []
    if done.event:
        for ev in ctx.events:
            if ev.type not in done.event:
                continue
            if rule.program and not done.any_program and ev.program not in (None, rule.program):
                continue
            found.append(ev.date)
    if done.dates:
        for node in occ.facts.each(done.dates + ".*"):
            if isinstance(node.value, date):
                if node.value <= ctx.today:
                    found.append(node.value)
                else:
                    ctx.flips_on(node.value)
    return sorted(d for d in found if (lo is None or d >= lo) and (hi is None or d <= hi))


def _satisfied(rule: Rule, occ: _Occurrence, ctx: _Context) -> tuple[Optional[date], int]:
    """(the day it was done or None, the most events counted by any partial alternative)."""
    best_partial = 0
    done_days: list[date] = []
    undated = False
    for done in rule.done:
        if done.field:
            value = occ.facts.value(done.field)
            if isinstance(value, date):
                if value <= ctx.today:
                    done_days.append(value)
                else:
                    ctx.flips_on(value)
            elif value not in (None, False, [], {}, ""):
                undated = True
            continue
        dates = _count(rule, done, occ, ctx)
        if len(dates) >= done.count:
            done_days.append(dates[done.count - 1])
        else:
            best_partial = max(best_partial, len(dates))
    if done_days:
        return min(done_days), 0
    if undated:
        return date.min, 0
    return None, best_partial


def _required(rule: Rule) -> int:
    return max((d.count for d in rule.done if d.event or d.dates), default=1)


def _obligation(rule: Rule, occ: _Occurrence, ctx: _Context, warn_days: int) -> Obligation:
    today = ctx.today
    # a Message: English in JSON and CSV, rendered in the user's language by the CLI
    detail = [Message.declared(occ.note)] if occ.note else []
    done_on: Optional[date] = None
    kind = _FIXED
    if rule.informational:
        kind = _INFORMATIONAL
        status, done_on = _by_date(kind, occ.due, today, warn_days)
    else:
        done_on, partial = _satisfied(rule, occ, ctx)
        if done_on == date.min:
            done_on, status = None, "done"
        elif done_on is not None:
            status = "done"
            if done_on > occ.due:
                detail.append(Message("done {n} days late", n=(done_on - occ.due).days))
        elif partial:
            status = "partial"
            detail.append(Message("{n} of {m}", n=partial, m=_required(rule)))
        else:
            kind = _SCHEDULED if rule.scheduled else _DATED
            status, done_on = _by_date(kind, occ.due, today, warn_days)
    staff: list[str] = []
    for path in rule.staff:
        value = occ.facts.value(path)
        for one in (value if isinstance(value, list) else [value]):  # an appointment names its staff in a list
            if isinstance(one, str) and one and one not in staff:
                staff.append(one)
    time = occ.facts.value(rule.time) if rule.time else None
    minutes = occ.facts.value(rule.minutes) if rule.minutes else None
    return Obligation(
        time=time if isinstance(time, str) else "",
        minutes=minutes if isinstance(minutes, int) and not isinstance(minutes, bool) and isinstance(time, str) else 0,
        case=ctx.case_id, program=rule.program, rule=rule.id, title=rule.title, due=occ.due, status=status,
        citation=rule.citation, confirmed=rule.confirmed, source=occ.trigger.source(), done_on=done_on,
        staff=tuple(staff) or ctx.all_staff, detail=join(detail, "; "), item=occ.item,
        words=occ.words, described=occ.described, past_due=status != "done" and occ.due < today,
        # left undone when its enrollment or series ended: history (what fell due in the final period stays due)
        history=occ.bound is not None and occ.bound <= today and occ.due < occ.bound, titles=dict(rule.titles),
        basis=(kind, warn_days, occ.bound),
    )


# how an obligation's status follows the day (Obligation.basis[0])
_FIXED = 0          # done (an event, a date, a field) or partial: the files decide, not the day
_DATED = 1          # not done: overdue, due-soon or upcoming by its date
_INFORMATIONAL = 2  # a date to know: done once it has come
_SCHEDULED = 3      # a planned appointment not yet recorded: scheduled until its day, then overdue


def _by_date(kind: int, due: date, today: date, warn_days: int) -> tuple[str, Optional[date]]:
    """(status, done_on) of an obligation the day decides."""
    if kind == _INFORMATIONAL:
        if due <= today:
            return "done", due
        return ("due-soon" if due <= today + timedelta(days=warn_days) else "upcoming"), None
    if due < today:
        return "overdue", None
    if kind == _SCHEDULED:
        return SCHEDULED, None
    return ("due-soon" if due <= today + timedelta(days=warn_days) else "upcoming"), None


def on_day(o: Obligation, today: date) -> Obligation:
    """``o`` (computed on an earlier day) as it stands on ``today``: status, past_due, history and
    done_on derived from its due date, bound and kind, as :func:`case_obligations` on ``today`` gives
    them while its case's window lasts (:func:`case_window`). ``o`` itself when nothing moved."""
    if not o.basis:
        return o
    status, past_due, history, done_on = state_on(o.basis, o.due, o.status, o.done_on, today)
    if status == o.status and past_due == o.past_due and history == o.history and done_on == o.done_on:
        return o
    from dataclasses import replace

    return replace(o, status=status, past_due=past_due, history=history, done_on=done_on)


def state_on(basis: tuple, due: date, status: str, done_on: Optional[date], today: date) -> tuple:
    """(status, past_due, history, done_on) on ``today`` of an obligation with this ``basis`` (not empty),
    due date, and status and done_on as computed (they stay for a done or partial one): what
    :func:`on_day` derives; kept views of ``due`` derive their rows' with it at print time."""
    kind, warn_days, bound = basis
    if kind != _FIXED:
        status, done_on = _by_date(kind, due, today, warn_days)
    return (status, status != "done" and due < today, bound is not None and bound <= today and due < bound,
            done_on)


def case_obligations(case_folder: Any, book: RuleBook, settings: Any, today: date, config_file: Any = None,
                     load_diagnostics: Any = ()) -> list[Obligation]:
    """Every obligation of one case folder (history included), unsorted; ``load_diagnostics`` (those of
    the case's files) mark what a failed file may have hidden (:func:`readability`)."""
    return case_window(case_folder, book, settings, today, config_file, load_diagnostics)[0]


def case_window(case_folder: Any, book: RuleBook, settings: Any, today: date, config_file: Any = None,
                load_diagnostics: Any = ()) -> tuple[list[Obligation], date]:
    """:func:`case_obligations` and the first day after ``today`` on which they may differ by more than
    :func:`on_day` derives (``date.max``: never, as far as the files go). For every day ``d`` from
    ``today`` to before that one, ``[on_day(o, d) for o in found]`` equals ``case_obligations(..., d)``
    (tests/test_new_day.py)."""
    ctx = _Context(case_folder, settings, config_file, today)
    ctx.services = book.services
    out: list[Obligation] = []
    ends: dict[str, Optional[date]] = {}
    for rule in book.rules:
        end = None
        roots = ctx.roots
        if rule.program:
            enrollment = ctx.enrollment(rule.program)
            if enrollment is None:
                continue
            if rule.program not in ends:
                declared = book.ends.get(rule.program)
                ends[rule.program] = enrollment_end(declared, rule.program, enrollment, ctx.events) if declared else None
            end = ends[rule.program]
            roots = {**roots, "enrollment": Node(enrollment, case_folder.case, ("enrollments", rule.program))}
        facts = Facts(roots)
        if not facts.holds(rule.when):
            continue
        for occ in _KINDS[rule.kind](rule, facts, ctx, end):
            out.append(_obligation(rule, occ, ctx, settings.warn_days))
    return readability(case_folder, out, load_diagnostics), ctx.until


def compute(caseload: Any, today: date, *, include_closed_history: bool = False,
            rules: Optional[RuleBook] = None) -> list[Obligation]:
    """Every obligation of the caseload on ``today``, sorted: past due first, then by date, case, rule.

    Obligations of closed cases, ended enrollments and finished series are left
    out unless ``include_closed_history``. ``rules`` defaults to those of the
    caseload's programs (a new program is a new folder). Documents with errors
    are used as far as they loaded; nothing here raises for case data.
    """
    book = rules if rules is not None else load_rules(caseload.programs)
    settings = caseload.settings
    out: list[Obligation] = []
    by_case: dict[str, list] = {}
    for d in caseload.diagnostics:
        parts = d.file.split("/")
        if len(parts) > 2 and parts[0] == "cases":
            by_case.setdefault(parts[1], []).append(d)
    for case_id in sorted(caseload.cases):
        out.extend(case_obligations(caseload.cases[case_id], book, settings, today, caseload.config_file,
                                    by_case.get(case_id, ())))
    if not include_closed_history:
        out = [o for o in out if not o.history]
    out.sort(key=sort_key)
    return out
