"""Filter values are checked: a value the caseload or the rules do not know is a usage error.

``careerpath due --staff tnguyn`` used to print "nothing due (with these
filters)" and exit 0: a typo read as an all-clear. Every filter option
(``--case``, ``--staff``, ``--program``, ``--rule``, ``--status``, a report or
document kind) goes through :func:`require` before anything is listed: an
unknown value exits 2 with "did you mean …". Staff and case values are not
echoed (a name typed where an id belongs is personal data); the suggestion is a
known id, as the lists print them anyway.
"""

from __future__ import annotations

import fnmatch
from typing import Iterable, Optional, Sequence

from ..i18n import _
from .common import CliError

#: options whose value is not repeated in the message
_NOT_ECHOED = ("--case", "CASE", "--staff")


def _texts(option: str) -> tuple[str, str]:
    """(message, hint when nothing is close) for one option, through the catalogue."""
    return {
        "--case": (_("{option}: not a case of this caseload"), _("`careerpath due` lists every case")),
        "CASE": (_("{option}: not a case of this caseload"), _("`careerpath due` lists every case")),
        "--staff": (_("{option}: not a staff id of this caseload"), _("staff ids: {list}")),
        "--program": (_("{option}: `{value}` is not a program of this caseload"), _("programs: {list}")),
        "--rule": (_("{option}: `{value}` matches no rule"), _("`careerpath rules` lists them")),
        "--status": (_("{option}: `{value}` is not a status"), _("statuses: {list}")),
    }[option]


def _message(option: str, value: str, known: Sequence[str]) -> tuple[str, str]:
    from ..suggest import one

    message, fallback = _texts(option)
    near = one(value, known)
    hint = _("did you mean `{name}`?").format(name=near) if near else fallback.format(list=", ".join(known))
    return message.format(option=option, value="" if option in _NOT_ECHOED else value), hint


def require(option: str, values: Optional[Iterable[str]], known: Iterable[str], *, patterns: bool = False) -> None:
    """Exit 2 (a CliError) at the first of ``values`` that ``known`` does not hold.

    ``patterns``: values may be shell patterns (``dor.*``); one that matches nothing is unknown too.
    """
    values = [v for v in values or () if v is not None]
    if not values:
        return
    known = sorted(set(known))
    for value in values:
        if value in known:
            continue
        if patterns and any(ch in value for ch in "*?[") and fnmatch.filter(known, value):
            continue
        message, hint = _message(option, value, known)
        raise CliError(message, code=2, hint=hint)


def program_ids(programs: Iterable[str]) -> list[str]:
    """The values ``--program`` takes: the programs' ids and ``common`` (the case-wide rules)."""
    return [*programs, "common"]
