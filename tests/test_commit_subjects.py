"""Commit subjects carry no personal value (issue 21, point 6).

``git log`` is read by everyone with the repository: a ``set`` subject shows a
field's value only when the field is declared non-personal (program.yaml's
``personal:`` for enrollment fields, models.core_personal for the core).
Every field of the format is checked: each core leaf of case.yaml and
plan.yaml, and each field every built-in program (and the toy program made of
data) declares; then the issue's reproductions go through ``plan_set``.
"""

from __future__ import annotations

import shutil
import typing

import pytest
from pydantic import BaseModel

from careerpath import models as m
from careerpath.programs import load_programs
from careerpath.record import is_personal, plan_set
from conftest import SAMPLE

#: The core leaves whose value may be shown (reviewed by hand: dates, statuses, choices, flags, hours,
#: ids of cases, staff, programs, goals and objectives, a currency code). Adding a field to the
#: format makes this test fail until it is placed on one side or the other.
CORE_SHOWN = {
    "case": {"id", "status", "opened", "closure.date", "staff.navigator", "staff.ces", "staff.counselor",
             "staff.curator", "staff.psychologist", "staff.job-coach", "jobs.0.start", "jobs.0.end",
             "jobs.0.hours_per_week", "jobs.0.currency", "jobs.0.integrated", "jobs.0.program"},
    "plan": {"goals.0.id", "goals.0.area", "goals.0.objectives.0.id", "goals.0.objectives.0.due",
             "goals.0.objectives.0.done", "services.0.program", "services.0.start", "services.0.due",
             "services.0.done"},
}


def _leaves(model: type, prefix: tuple = ()) -> typing.Iterator[tuple]:
    """Every leaf path of a core model (list items at index 0), by the names files use."""
    for name, info in model.model_fields.items():
        key = info.alias or name
        inner = m._unwrap(info.annotation)
        if typing.get_origin(inner) is list:
            item = m._unwrap(typing.get_args(inner)[0])
            if isinstance(item, type) and issubclass(item, BaseModel):
                yield from _leaves(item, prefix + (key, 0))
            else:
                yield prefix + (key, 0)
        elif isinstance(inner, type) and issubclass(inner, BaseModel):
            yield from _leaves(inner, prefix + (key,))
        else:
            yield prefix + (key,)


@pytest.mark.parametrize("kind", ["case", "plan"])
def test_every_core_field_is_personal_unless_reviewed_as_shown(kind):
    programs = load_programs(None)
    leaves = list(_leaves(m.FILE_MODELS[kind]))
    assert len(leaves) > 15
    shown = {".".join(map(str, p)) for p in leaves if not is_personal(programs, kind, p)}
    assert shown == CORE_SHOWN[kind]
    # a whole person, every identifier and a wage are personal whatever their type (a birth date is a date)
    for path in leaves:
        if path[0] in ("person", "identifiers") or path[-1] == "wage":
            assert is_personal(programs, kind, path), path


def test_every_enrollment_field_follows_its_program_declaration(tmp_path):
    from toy_program import add_toy

    root = tmp_path / "caseload"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".careerpath"))
    add_toy(root)
    programs = load_programs(root)
    seen = 0
    for program in programs:
        for path, spec in program.walk():
            concrete = tuple(0 if p == "*" else p for p in path)
            assert is_personal(programs, "case", ("enrollments", program.id, *concrete)) == spec.personal, \
                (program.id, path)
            seen += 1
    assert seen > 40
    # a caseload's own program follows the same rule: text is personal unless it says `personal: false`
    assert is_personal(programs, "case", ("enrollments", "xx-toy", "coach"))
    assert not is_personal(programs, "case", ("enrollments", "xx-toy", "sessions"))
    assert not is_personal(programs, "case", ("enrollments", "xx-toy", "joined"))
    # a field no program declares, or a whole enrollment at once, never shows its value
    assert is_personal(programs, "case", ("enrollments", "ca-dds-ccp", "no_such_field"))
    assert is_personal(programs, "case", ("enrollments", "no-such-program", "start"))
    assert is_personal(programs, "case", ("enrollments", "ca-dds-ccp"))


@pytest.mark.parametrize("case, field, value", [
    ("linh-tran", "enrollments.ca-dds-ccp.service_coordinator", "Andrea Solís Becerra"),
    ("alsu-galieva", "enrollments.ru-czn-disability.ipra.number", "9999.16.16/2026"),
    ("linh-tran", "plan.own_words", "I want to work with animals"),
    ("linh-tran", "person.birth_date", "2008-03-22"),
    ("linh-tran", "person.phone", "+1 408 555 0199"),
    ("linh-tran", "identifiers.uci", "8203118"),
])
def test_a_personal_value_never_reaches_the_subject(case, field, value):
    change = plan_set(SAMPLE, case, field, value, by="tnguyen")
    assert change.subject == f"{case}: set {field}"
    assert value not in change.subject and value not in "\n".join(f"{k}: {v}" for k, v in change.trailers)


@pytest.mark.parametrize("case, field, value", [
    ("linh-tran", "enrollments.ca-dds-ccp.authorized_until", "2027-03-01"),
    ("linh-tran", "opened", "2026-02-03"),
    # an office's name, declared `personal: false` in ca-dds-ccp/program.yaml
    ("linh-tran", "enrollments.ca-dds-ccp.regional_center", "Harbor Lights Regional Center"),
    ("linh-tran", "staff.ces", "mreyes"),
])
def test_a_declared_non_personal_value_is_in_the_subject(case, field, value):
    change = plan_set(SAMPLE, case, field, value, by="tnguyen")
    assert change.subject == f"{case}: set {field} {value}"
