"""Program-rule checks one at a time, on inline caseloads."""

from __future__ import annotations

import pytest

from careerpath import validate
from careerpath.programs.registry import checks_module

snils_ok = checks_module("ru-czn-disability").snils_ok
staff_qualification_gaps = checks_module("ca-dds-ccp").staff_qualification_gaps
from careerpath.models import Staff
from conftest import TODAY


@pytest.mark.parametrize("snils, ok", [
    ("112-233-445 95", True),
    ("112-233-445 59", False),
    ("11223344595", True),
    ("001-001-998 00", True),    # below the numbers that carry a check
    ("000-000-000 00", True),
    ("123-456-789 64", True),
    ("123-456-78", False),
])
def test_snils_check_number(snils, ok):
    assert snils_ok(snils) is ok


def test_snils_check_sums_of_100_and_101_give_00():
    # weights 9..1: 100 -> 00, 101 -> 00, 102 -> 102 mod 101 = 01
    assert snils_ok("999-999-100 00") is (sum(int(d) * w for d, w in zip("999999100", range(9, 0, -1))) in (100, 101)
                                           or sum(int(d) * w for d, w in zip("999999100", range(9, 0, -1))) % 101 in (0, 100))


def test_navigator_and_ces_qualifications():
    nav = Staff(id="n", name="N", role="navigator", degree="bachelor", years_dd_experience=3,
                person_centered_training=True, certifications=["CESP"])
    assert staff_qualification_gaps(nav) == []
    assert len(staff_qualification_gaps(nav.model_copy(update={"degree": "associate"}))) == 1  # needs 5 years then
    assert staff_qualification_gaps(nav.model_copy(update={"degree": "associate", "years_dd_experience": 5})) == []
    ces = Staff(id="c", name="C", role="ces", degree="high-school", certifications=["ACRE-CE"])
    assert staff_qualification_gaps(ces) == []
    assert staff_qualification_gaps(ces.model_copy(update={"certifications": ["ACRE"]}))  # plain ACRE lacks the CE emphasis
    assert staff_qualification_gaps(Staff(id="x", name="X", role="counselor")) == []


def codes(root):
    return [(d.code, d.line) for d in validate(root, TODAY)]


def test_school_exit_within_two_years_of_start(caseload):
    case = """\
    id: s
    person: {name: Invented, language: en}
    enrollments:
      ca-dds-ccp: {basis: exiting-secondary-education, start: 2026-01-10, school_exit: %s}
    """
    assert codes(caseload({"cases/s/case.yaml": case % "2028-01-10"})) == []
    assert codes(caseload({"cases/s/case.yaml": case % "2028-01-11"})) == [("ccp-school-exit", 4)]


def test_group_se_bounds(caseload):
    case = """\
    id: g
    person: {name: Invented, language: en}
    enrollments:
      ca-dor-se: {type: group, group_size: %d, start: 2026-01-10, extended_services_source: Invented RC}
    """
    for size, ok in ((2, False), (3, True), (8, True), (9, False)):
        assert (codes(caseload({"cases/g/case.yaml": case % size})) == []) is ok, size


def test_future_events_warn_relative_to_today(caseload):
    root = caseload({
        "cases/f/case.yaml": "id: f\nperson: {name: Invented, language: en}\n",
        "cases/f/events/2026-11-23-note.yaml": "date: 2026-11-23\ntype: note\n",
    })
    assert codes(root) == [("future-date", 1)]
    from datetime import date

    assert validate(root, date(2026, 11, 23)) == []


def test_a_rejected_field_does_not_cause_follow_on_findings(caseload):
    root = caseload({"cases/d/case.yaml": """\
    id: d
    person: {name: Invented, language: en}
    enrollments:
      ca-dor-vr: {applied: 2026-09-01, eligibility: {status: eligble, decided: 2026-10-01}}
    """})
    assert [c for c, _ in codes(root)] == ["invalid-value"]


@pytest.mark.parametrize("kind, hint", [
    ("worksite-visit", "did you mean `worksite-monitoring`?"),
    ("monthly-reveiw", "did you mean `monthly-review`?"),
    ("zzz", "`careerpath programs` lists the event types; docs/format.md the history-only ones"),
])
def test_an_unknown_event_type_is_an_error_with_a_suggestion(caseload, kind, hint):
    root = caseload({"cases/p/case.yaml": "id: p\nperson: {name: Invented, language: en}\n",
                     "cases/p/events/2026-11-01-x.yaml": f"date: 2026-11-01\ntype: {kind}\n"})
    [d] = [d for d in validate(root, TODAY) if d.file.startswith("cases/p/events/")]
    assert (d.line, d.column, d.severity, d.code, d.hint) == (2, 7, "error", "unknown-event-type", hint)


def test_every_known_event_type_validates(caseload):
    from careerpath.programs import load_programs

    files = {"cases/p/case.yaml": "id: p\nperson: {name: Invented, language: en}\n"}
    for i, kind in enumerate(load_programs().known_event_types()):
        files[f"cases/p/events/2026-11-01-{i}.yaml"] = f"date: 2026-11-01\ntype: {kind}\n"
    assert [d for d in validate(caseload(files), TODAY) if d.severity == "error"] == []
