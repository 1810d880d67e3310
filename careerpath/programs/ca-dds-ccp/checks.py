"""Checks of Coordinated Career Pathways that data cannot express: staff qualifications.

CCP's navigator needs a bachelor's degree and 3 years in developmental-disability
services (or an associate degree and 5 years), person-centered planning training
and ACRE-CE or CESP; a CES needs ACRE-CE or CESP and a high-school diploma
(CCP service description, service code 956; DOMAIN.md). An exception needs the
regional center's recommendation and a DDS decision. Loaded by
careerpath.programs.registry from this built-in folder only.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterator

from careerpath.diagnostics import Diagnostic
from careerpath.i18n import Message, join

_CERTIFICATE = Message("an ACRE certificate with customized-employment emphasis (ACRE-CE) or CESP")
_DEGREE_RANK = {"none": 0, "high-school": 1, "associate": 2, "bachelor": 3, "master": 4, "doctorate": 5}


def staff_qualification_gaps(staff: Any) -> list[Message]:
    """What a navigator or CES lacks against the CCP minimums (empty when qualified)."""
    rank = _DEGREE_RANK.get(staff.degree or "none", 0)
    years = staff.years_dd_experience or 0
    certified = bool({"CESP", "ACRE-CE"} & set(staff.certifications))
    gaps = []
    if staff.role == "navigator":
        if not ((rank >= 3 and years >= 3) or (rank >= 2 and years >= 5)):
            gaps.append(Message("a bachelor's degree and 3 years in DD services, or an associate degree and 5 years"))
        if not staff.person_centered_training:
            gaps.append(Message("person-centered thinking/planning training"))
        if not certified:
            gaps.append(_CERTIFICATE)
    elif staff.role == "ces":
        if not certified:
            gaps.append(_CERTIFICATE)
        if rank < 1:
            gaps.append(Message("a high-school diploma or equivalent"))
    return gaps


def check_staff_qualifications(caseload: Any, today: date) -> Iterator[Diagnostic]:
    doc = caseload.config_file
    if doc is None or doc.model is None:
        return
    for i, staff in enumerate(doc.model.staff):
        if staff.qualification_exception is not None:
            continue
        gaps = staff_qualification_gaps(staff)
        if gaps:
            # the staff id and role are ids and stored values, not personal data
            yield doc.diagnostic(("staff", i, "role"), "warning", "staff-qualification",
                                 Message("{path} ({id}) lacks the CCP minimum for {role}: {gaps}",
                                         path="staff[%d]" % i, id=staff.id, role=staff.role, gaps=join(gaps, "; ")),
                                 Message("record `qualification_exception: {approved: date, by: DDS}` once the regional "
                                         "center recommends and DDS approves an exception (CCP service description, "
                                         "service code 956)"))


CHECKS = (check_staff_qualifications,)
