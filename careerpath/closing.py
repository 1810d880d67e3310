"""Closing a case: the reasons, the conditions a program sets, and what a closure ends.

A closure (``closure: {date, reason}`` in case.yaml, written by ``careerpath
close``) ends every enrollment of the case, and with them the rules that do
not outlive a closure (docs/obligations.md, "When an enrollment ends"). This
module says:

* which reasons there are: :data:`CORE_REASONS`, plus those a program
  declares (``closure: {reasons: [...]}`` in its program.yaml);
* what a program requires before a case closes for a reason
  (``closure: {conditions: [{reason, needs: <rule id>, message, hint}]}``: an
  obligation of that rule must be done by the closure date; DOR's
  ``employed`` needs the 90 days in the job of 34 CFR 361.56);
* what a closure ends and what stays open (:func:`effect`), by computing the
  case's obligations with and without it.

Nothing here writes: :func:`careerpath.record.plan_close` plans the edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Optional, Union

from .i18n.messages import Message

#: Why a case closes (FORMAT.md's `closure.reason`); programs may add their own.
CORE_REASONS: tuple[str, ...] = ("employed", "ineligible", "declined-services", "unable-to-locate", "moved",
                                 "deceased", "transferred", "completed", "other")
#: Reasons that say nothing by themselves: a note must say what happened.
NOTE_REQUIRED: tuple[str, ...] = ("other",)


class ClosureError(Exception):
    """A closure that cannot be made as asked; ``usage`` when the request itself is wrong (exit 2)."""

    def __init__(self, message: Message, hint: Union[Message, str] = "", *, usage: bool = False):
        super().__init__(message)
        self.message, self.hint, self.usage = message, hint, usage


@dataclass(frozen=True)
class Condition:
    """A program's condition for closing a case for ``reason``: an obligation of rule ``needs`` done by then.

    ``message`` and ``hint`` are written in program.yaml: messages declared in data
    (:meth:`careerpath.i18n.Message.declared`), extracted into the catalogue with the
    program's other texts.
    """

    reason: str
    needs: str
    message_text: str
    hint_text: str = ""
    program: str = ""

    @property
    def message(self) -> Message:
        return Message.declared(self.message_text)

    @property
    def hint(self) -> Union[Message, str]:
        return Message.declared(self.hint_text) if self.hint_text else ""


def reasons(programs: Any) -> tuple[str, ...]:
    """Every closure reason: the core ones, then each program's own, in order."""
    out = list(CORE_REASONS)
    for p in programs:
        out += [r for r in p.closure_reasons if r not in out]
    return tuple(out)


def suggest(value: str, choices: Any) -> Optional[str]:
    """The choice a mistyped ``value`` most likely means (None when nothing is close)."""
    from .suggest import one

    return one(value, choices)


def check_reason(reason: str, note: Optional[str], programs: Any) -> None:
    """Refuse an unknown reason (with did-you-mean) and ``other`` without a note. Raises ClosureError(usage)."""
    known = reasons(programs)
    if reason not in known:
        near = suggest(reason, known)
        from .suggest import did_you_mean

        raise ClosureError(Message("--reason must be one of: {list}", list=", ".join(known)),
                           did_you_mean(near) if near else "", usage=True)
    if reason in NOTE_REQUIRED and not (note or "").strip():
        raise ClosureError(Message("--reason {name} needs --note saying why the case closes", name=reason), usage=True)


def conditions(programs: Any, enrolled: Any) -> list[Condition]:
    """The closure conditions of the programs the case is enrolled in."""
    return [c for p in programs if p.id in enrolled for c in p.closure_conditions]


def unmet(case_folder: Any, programs: Any, settings: Any, config_file: Any, reason: str, day: date) -> list[Condition]:
    """The conditions for closing ``case_folder`` for ``reason`` on ``day`` that do not hold.

    A condition holds when an obligation of its rule is done on ``day`` (computed
    as on that day: later events and dates do not count).
    """
    case = case_folder.case.model if case_folder.case is not None else None
    enrolled = set(case.enrollments) if case is not None else set()
    wanted = [c for c in conditions(programs, enrolled) if c.reason == reason]
    if not wanted:
        return []
    from .obligations import case_obligations, load_rules

    found = case_obligations(case_folder, load_rules(programs), settings, day, config_file)
    done = {o.rule for o in found if o.status == "done" and o.due <= day}
    return [c for c in wanted if c.needs not in done]


def later_records(case_folder: Any, day: date) -> list[str]:
    """Files of events and referrals dated after ``day`` (a closure before them would contradict the record)."""
    return sorted(d.file for d in (*case_folder.events, *case_folder.referrals) if d.model is not None and d.model.date > day)


def open_obligations(case_folder: Any, programs: Any, settings: Any, config_file: Any, today: date) -> list:
    """The case's obligations on the morning list of ``today``: not done, not history; sorted."""
    from .obligations import case_obligations, load_rules, sort_key

    found = case_obligations(case_folder, load_rules(programs), settings, today, config_file)
    return sorted((o for o in found if o.status != "done" and not o.history), key=sort_key)


def effect(before: Any, after: Any, programs: Any, settings: Any, config_file: Any, today: date) -> tuple[list, list]:
    """(what the closure ends, what stays open after it): open obligations of the case before and after.

    ``before`` and ``after`` are the case folder without and with the closure.
    Ended: open before, and done, history or gone after. Open: open after (the
    final month's review, the final quarter's report, the rules that outlive a
    closure).
    """
    was = open_obligations(before, programs, settings, config_file, today)
    now = open_obligations(after, programs, settings, config_file, today)
    still = {o.uid for o in now}
    return [o for o in was if o.uid not in still], now


def effect_of_change(root: Any, change: Any, today: date) -> tuple[list, list]:
    """:func:`effect` of a planned closure (a :class:`careerpath.record.Change` of case.yaml), on ``today``.

    The case folder is read from disk; case.yaml is taken from the change (its
    bytes before and after), so this answers the same before and after the write.
    """
    from pathlib import Path

    from .loader import CONFIG_FILE, empty_config, load_case, validate_data
    from .programs import load_programs
    from .yamlfile import read_bytes, read_file

    root = Path(root)
    programs = load_programs(root)
    config_file, _diags = validate_data(CONFIG_FILE, "careerpath", read_file(root / CONFIG_FILE, CONFIG_FILE), programs)
    settings = (config_file.model or empty_config(programs)).settings
    folder = root / "cases" / change.case_id
    before = load_case(root, folder, [], programs=programs)
    after = load_case(root, folder, [], programs=programs)
    for fc in change.files:
        if fc.kind == "case":
            after.case, _more = validate_data(fc.rel, "case", read_bytes(fc.after, fc.rel), programs)
            if fc.before is not None:
                before.case, _more = validate_data(fc.rel, "case", read_bytes(fc.before, fc.rel), programs)
    return effect(before, after, programs, settings, config_file, today)
