"""Which cases a report covers (``--case``, ``--staff``, ``--program``)."""

from __future__ import annotations

from typing import Iterable, Iterator

from ..loader import CaseFolder, Caseload


def case_staff(case_folder: CaseFolder) -> set[str]:
    case = case_folder.model
    if case is None:
        return set()
    ids = {v for v in case.staff.model_dump(by_alias=True).values() if v}
    czn = case.enrollments.ru_czn_disability
    if czn is not None and czn.curator:
        ids.add(czn.curator)
    return ids


def select_cases(caseload: Caseload, *, cases: Iterable[str] = (), staff: Iterable[str] = (),
                 programs: Iterable[str] = ()) -> Iterator[CaseFolder]:
    """Cases with a usable case.yaml matching every given filter, in id order."""
    cases, staff, programs = set(cases), set(staff), set(programs)
    for cid in sorted(caseload.cases):
        case_folder = caseload.cases[cid]
        if case_folder.model is None:
            continue
        if cases and cid not in cases:
            continue
        if staff and not (case_staff(case_folder) & staff):
            continue
        if programs and not ({pid for pid, _ in case_folder.model.enrollments.items()} & programs):
            continue
        yield case_folder
