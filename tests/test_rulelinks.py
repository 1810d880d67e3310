"""Rule: trailers come from the rule data (each program folder's rules.yaml, careerpath/rules/common.yaml)."""

from __future__ import annotations

import pytest

from careerpath import rulelinks
from careerpath.programs import load_programs

PROGRAMS = load_programs()

CCP = {"ca-dds-ccp": {"basis": "left-subminimum-wage", "start": "2026-03-02"}}
VR = {"ca-dor-vr": {"applied": "2026-09-01", "eligibility": {"status": "pending", "decided": None}}}
WAITING = {"ca-dor-vr": {"applied": "2026-09-01", "eligibility": {"status": "eligible", "decided": "2026-10-01",
                                                                   "waiting_list": {"placed": "2026-10-20"}}}}
CZN = {"ru-czn-disability": {"registered": "2023-03-02"}}


def case(**enrollments):
    return {"id": "x", "enrollments": enrollments}


@pytest.mark.parametrize("event,program,enrollments,expected", [
    ("monthly-review", None, CCP, ["ccp.monthly-review"]),
    ("monthly-review", None, VR, []),                              # not enrolled in CCP
    ("monthly-review", "ca-dor-vr", {**CCP, **VR}, []),            # a DOR event does not satisfy a CCP rule
    ("contact", None, VR, []),                                    # not on the waiting list
    ("contact", None, WAITING, ["dor.waiting-list-contact"]),
    ("contact", "ca-dds-ccp", {**CCP, **WAITING}, ["dor.waiting-list-contact"]),   # any_program
    ("retention-check", None, CCP, ["dds.cie-incentive"]),
    ("retention-check", None, CZN, ["czn.retention-check"]),
    ("ipra-report", None, CZN, ["czn.ipra-measures", "czn.ipra-report-back"]),
    ("note", None, {**CCP, **VR, **CZN}, []),
])
def test_event_links(event, program, enrollments, expected):
    assert sorted(rulelinks.for_event(PROGRAMS, event, program, case(**enrollments))) == expected


@pytest.mark.parametrize("fields,enrollments,expected", [
    (["enrollments.ca-dor-vr.applied"], VR, ["dor.eligibility-decision"]),
    (["plan.goals.0.objectives.1.done"], {}, ["plan.objective"]),
    (["plan.services.2.done"], CZN, ["czn.plan-service"]),
    (["plan.services.2.done"], CCP, []),
    (["enrollments.ca-dor-vr.ipe"], WAITING, ["dor.ipe", "dor.ipe-review"]),   # a whole mapping covers the fields under it
    (["referral.outcome"], {}, ["referral.follow-up"]),
    (["person.phone"], {**CCP, **VR}, []),
])
def test_field_links(fields, enrollments, expected):
    assert sorted(rulelinks.for_fields(PROGRAMS, fields, case(**enrollments))) == expected


def test_every_rule_id_is_known_and_belongs_to_its_program():
    ids = {link.id for link in rulelinks.links(PROGRAMS)}
    assert {"ccp.monthly-review", "dor.eligibility-decision", "plan.objective", "referral.follow-up"} <= ids
    assert rulelinks.program_of(PROGRAMS, "ccp.monthly-review") == "ca-dds-ccp"
    assert rulelinks.program_of(PROGRAMS, "referral.follow-up") == ""
