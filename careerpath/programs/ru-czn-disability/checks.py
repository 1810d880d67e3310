"""Checks of the employment-center program that data cannot express: the SNILS check number.

Loaded by careerpath.programs.registry from this built-in folder (a caseload's
own program folders are data only: their checks.py is never run).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Iterator

from careerpath.diagnostics import Diagnostic
from careerpath.i18n import Message


def snils_ok(snils: str) -> bool:
    """The SNILS check-number test (Пенсионный фонд РФ): weights 9..1 over the first nine digits."""
    digits = re.sub(r"\D", "", snils)
    if len(digits) != 11:
        return False
    number, check = digits[:9], int(digits[9:])
    if int(number) <= 1001998:  # numbers up to 001-001-998 carry no check number
        return True
    total = sum(int(d) * w for d, w in zip(number, range(9, 0, -1)))
    if total < 100:
        expected = total
    elif total in (100, 101):
        expected = 0
    else:
        expected = total % 101
        if expected == 100:
            expected = 0
    return check == expected


def check_snils(caseload: Any, today: date) -> Iterator[Diagnostic]:
    """A SNILS (in any case, enrolled here or not) must pass its check-number test."""
    for case_folder in caseload.cases.values():
        doc = case_folder.case
        case = doc.model if doc is not None else None
        if case is None:
            continue
        snils = case.identifiers.snils
        if snils is not None and not snils_ok(snils):
            yield doc.diagnostic(("identifiers", "snils"), "error", "snils-check",
                                 Message("`identifiers.snils` fails the check-number test"),
                                 Message("re-type the number from the insurance certificate; one digit is usually swapped"))


CHECKS = (check_snils,)
