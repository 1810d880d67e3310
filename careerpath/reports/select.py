"""Which cases a report covers (``--case``, ``--staff``, ``--program``)."""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from ..loader import CaseFolder, Caseload


def case_staff(case_folder: CaseFolder, programs: Any = None) -> set[str]:
    """Every staff id on a case: its ``staff:`` roles, and each staff field (``type: staff``) its
    programs declare for their enrollments (a curator named in the enrollment, say)."""
    case = case_folder.model
    if case is None:
        return set()
    ids = {v for v in case.staff.model_dump(by_alias=True).values() if v}
    if programs is None:
        from ..programs import load_programs

        programs = load_programs()
    for pid, enrollment in case.enrollments.items():
        program = programs.get(pid)
        if program is not None:
            ids.update(sid for _role, sid in program.staff_of(enrollment))
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
        if staff and not (case_staff(case_folder, caseload.programs) & staff):
            continue
        if programs and not (set(case_folder.model.enrollments) & programs):
            continue
        yield case_folder
