"""Filter values are checked: a value the caseload or the rules do not know is a usage error.

``careerpath due --staff tnguyn`` used to print "nothing due (with these
filters)" and exit 0: a typo read as an all-clear. Every filter option
(``--case``, ``--staff``, ``--program``, ``--rule``, ``--status``, a report or
document kind) goes through :func:`require` before anything is listed: an
unknown value exits 2 with "did you mean …". What counts as known is decided
in the library (:func:`careerpath.obligations.query.unknown`, which
``due``'s :func:`~careerpath.obligations.query.unknown_values` uses too); this
module only words the usage error. Staff and case values are not
echoed (a name typed where an id belongs is personal data); the suggestion is a
known id, as the lists print them anyway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence

from ..i18n import _
from .base import CliError

if TYPE_CHECKING:
    from ..obligations.query import Unknown

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
        "--kind": (_("{option}: `{value}` is not a registry of this caseload's programs"),
                   _("the programs declare these registries: {list}")),
    }[option]


def _message(found: "Unknown", known: Sequence[str]) -> tuple[str, str]:
    message, fallback = _texts(found.option)
    hint = (_("did you mean `{name}`?").format(name=found.nearest) if found.nearest
            else fallback.format(list=", ".join(known) or "-"))
    return message.format(option=found.option, value="" if found.option in _NOT_ECHOED else found.value), hint


def require(option: str, values: Optional[Iterable[str]], known: Iterable[str], *, patterns: bool = False) -> None:
    """Exit 2 (a CliError) at the first of ``values`` that ``known`` does not hold.

    ``patterns``: values may be shell patterns (``dor.*``); one that matches nothing is unknown too.
    Which values are known is the library's :func:`careerpath.obligations.query.unknown`; this only words it.
    """
    if not values:
        return
    from ..obligations.query import unknown

    known = sorted(set(known))
    found = unknown(option, values, known, patterns=patterns)
    if found:
        raise_unknown(found[0], known)


def raise_unknown(found: "Unknown", known: Sequence[str] = ()) -> None:
    """Exit 2 for one :class:`~careerpath.obligations.query.Unknown` filter value, with did-you-mean."""
    message, hint = _message(found, sorted(set(known)))
    raise CliError(message, code=2, hint=hint)


def program_ids(programs: Iterable[str]) -> list[str]:
    """The values ``--program`` takes: the programs' ids and ``common`` (the case-wide rules)."""
    return [*programs, "common"]


def one_case(root: Any, case: str, *, whole: bool = False, cache: Optional[Any] = None) -> Any:
    """The caseload a command about one person works on: that case's folder, careerpath.yaml and the programs
    (:func:`careerpath.pipeline.load_one`), at the cost of one case however large the caseload.

    ``whole``: load every case instead (``--redact`` numbers its placeholders over the whole caseload, and
    hides other people's names wherever they appear), through ``cache`` as :func:`careerpath.pipeline.load`
    takes it. An unknown CASE exits 2 with did-you-mean over the listing of ``cases/``.
    """
    from ..pipeline import load, load_one

    if whole:
        loaded = load(root, cache=cache)
        require("CASE", [case], loaded.cases)
        return loaded
    loaded = load_one(root, case)
    if case not in loaded.cases:
        from ..loader import case_folder_names

        require("CASE", [case], [name for name in case_folder_names(root) if name != case])
    return loaded
