"""What ends an enrollment: a program's ``ends:`` and the day it gives (FORMAT.md, "When an enrollment ends").

One definition for the obligations engine (which stops a program's rules there)
and the reports (which count a person in a period up to it), so ``due`` and a
report never disagree on when an enrollment ended. Imports nothing of
careerpath: the engine reads it without reaching the program registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Optional


@dataclass(frozen=True)
class Ends:
    """What ends an enrollment (``ends:`` in program.yaml; FORMAT.md, "When an enrollment ends").

    The enrollment ends on the earliest of: the date in any of ``fields`` (enrollment
    fields), the first event of one of ``events`` (of this program, or untagged), and
    the case's closure date (every enrollment ends when its case closes). The engine
    stops the program's rules there, keeping the calendar month and quarter in which
    it ended; a rule marked ``outlives_closure`` goes on.
    """

    fields: tuple[str, ...] = ()
    events: tuple[str, ...] = ()



def enrollment_end(ends: Ends, program: str, enrollment: dict, events: Iterable[Any]) -> Optional[date]:
    """The day ``ends`` (a program's ``ends:``) ends an enrollment, closure aside, or None while it runs.

    The earliest of its ``ends.fields`` dates and the first event (by date) of an ``ends.events``
    type that is this program's or untagged. ``events`` are event models (``.type``, ``.date``,
    ``.program``); the caller leaves out those it does not count yet (after today).
    """
    dates = [enrollment.get(name) for name in ends.fields]
    if ends.events:
        dates += [min((ev.date for ev in events if ev.type in ends.events and ev.program in (None, program)
                       and isinstance(ev.date, date)), default=None)]
    dates = [d for d in dates if isinstance(d, date)]
    return min(dates) if dates else None
