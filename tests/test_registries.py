"""Registries as program data (`registries:` in program.yaml) and `report registry` running them.

The toy program (tests/toy_program.py) is a caseload's own folder, data only: every test here
declares its registries as YAML text, never as Python.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
import yaml

from careerpath import load
from careerpath.programs import load_programs
from conftest import TODAY
from toy_program import TOY_PROGRAM, add_toy

TOY_REGISTRIES = """\
registries:
  members:
    title: "Club members, {{ period.label }} ({{ program.name }})"
    dates: "%m/%d/%Y"
    each: enrollment
    where: period.overlaps(enrolled.start, enrolled.end)
    sort: [enrolled.start, case.id]
    columns:
      - {name: n, header: No., value: n}
      - {name: case, header: Case, value: case.id}
      - {name: joined, header: Joined, value: enrollment.joined}
      - {name: left, header: Left, value: enrolled.end}
      - {name: level, header: Level, value: "enrollment.level | upper"}
      - {name: coach, header: Coach, value: enrollment.coach}
      - {name: navigator, header: Navigator, value: "staff[case.staff.navigator].name"}
  meetings:
    title: "Club meetings, {{ period.label }}"
    each: event
    where: event.type == 'meeting' and event.date in period
    sort: [event.date, case.id]
    columns:
      - {name: date, header: Date, value: event.date}
      - {name: case, header: Case, value: case.id}
      - {name: summary, header: Summary, text: "{{ event.summary or '-' }} ({{ date(event.date, '%d %b') }})"}
  jobs:
    title: Jobs
    each: job
    where: job.start in period
    columns:
      - {name: case, header: Case, value: case.id}
      - {name: employer, header: Employer, value: job.employer}
      - {name: days, header: Days after joining, value: "(job.start - enrolled.start).days"}
"""

CASES = {
    "cases/ann/case.yaml": """\
        id: ann
        person: {name: Ann Invented, language: en}
        staff: {navigator: jsmith}
        enrollments:
          xx-toy: {joined: 2026-03-01, coach: Coach Invented}
        jobs:
          - {employer: Invented Cafe, start: 2026-05-01, program: xx-toy}
        """,
    "cases/ann/events/2026-04-02-meeting.yaml": "date: 2026-04-02\ntype: meeting\nsummary: first club meeting\n",
    "cases/ann/events/2025-04-02-meeting.yaml": "date: 2025-04-02\ntype: meeting\n",
    "cases/bob/case.yaml": """\
        id: bob
        person: {name: Bob Invented, language: en}
        staff: {navigator: jsmith}
        enrollments:
          xx-toy: {joined: 2025-01-10, left: 2025-12-20, level: regular, sessions: 4}
        """,
    "cases/cy/case.yaml": """\
        id: cy
        person: {name: Cy Invented, language: en}
        staff: {navigator: jsmith}
        enrollments:
          xx-toy: {joined: 2026-02-01}
        """,
    "cases/dee/case.yaml": """\
        id: dee
        person: {name: Dee Invented, language: en}
        staff: {counselor: jsmith}
        enrollments:
          ca-dor-vr: {applied: 2026-01-10}
        """,
}


def toy_caseload(caseload, registries: str = TOY_REGISTRIES, cases: dict = CASES):
    root = caseload(cases)
    add_toy(root, TOY_PROGRAM + registries)
    return root


# ---------------------------------------------------------------- declarations


def test_the_shipped_and_the_toy_registries_match_the_program_schema():
    jsonschema = pytest.importorskip("jsonschema")
    from careerpath import schema

    program = json.loads(schema.render_program("program"))
    jsonschema.validate(yaml.safe_load(TOY_PROGRAM + TOY_REGISTRIES), program)
    bad = yaml.safe_load(TOY_PROGRAM + TOY_REGISTRIES.replace("each: job", "each: jobs"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, program)
    czn = load_programs().get("ru-czn-disability")
    assert [r.name for r in czn.registries] == ["recipients", "psych-referrals", "ipra-lists"]


def test_a_caseload_programs_registries_are_read_with_where_they_are_written(caseload):
    root = toy_caseload(caseload)
    toy = load_programs(root).get("xx-toy")
    members, meetings, jobs = toy.registries
    assert (members.name, members.each, members.dates, members.program) == ("members", "enrollment", "%m/%d/%Y", "xx-toy")
    assert [c.name for c in members.columns] == ["n", "case", "joined", "left", "level", "coach", "navigator"]
    assert meetings.columns[2].text and not meetings.columns[2].value
    text = (root / "programs/xx-toy/program.yaml").read_text().splitlines()
    assert text[members.line - 1].strip() == "members:" and text[jobs.line - 1].strip() == "jobs:"
    assert set(load_programs(root).registries()) >= {"members", "meetings", "jobs", "recipients"}


@pytest.mark.parametrize("broken, where, words", [
    ("each: job", "each: jobs", "`each` is one of"),
    ("{name: days, header: Days after joining, value:", "{name: days, header: Days after joining, text: x, value:",
     "either `value`"),
    ("    title: Jobs\n", "", "needs `title`"),
    ("{name: employer, header: Employer,", "{name: case, header: Employer,", "two columns are named `case`"),
    ("    sort: [event.date, case.id]\n", "    sort: {a: b}\n", "`sort` is a list"),
])
def test_a_malformed_registry_is_a_diagnostic_at_its_line_and_the_program_is_left_out(caseload, cli, broken, where,
                                                                                      words):
    assert broken in TOY_REGISTRIES
    root = toy_caseload(caseload, TOY_REGISTRIES.replace(broken, where))
    found = load_programs(root)
    assert "xx-toy" not in found
    (diag,) = [d for d in found.diagnostics if d.severity == "error"]
    assert diag.file == "programs/xx-toy/program.yaml" and diag.code == "program-invalid" and words in diag.message
    assert diag.line > TOY_PROGRAM.count("\n")  # inside the registries, not at 1:1
    r = cli("validate", "--caseload", root, "--today", TODAY)
    assert r.code == 1 and f"programs/xx-toy/program.yaml:{diag.line}:" in r.out + r.err


def test_a_registry_name_another_program_declared_is_refused_and_only_that_registry_left_out(caseload):
    root = toy_caseload(caseload, TOY_REGISTRIES.replace("  members:", "  recipients:"))
    found = load_programs(root)
    toy = found.get("xx-toy")
    assert toy is not None and [r.name for r in toy.registries] == ["meetings", "jobs"]
    (diag,) = found.diagnostics
    assert "recipients is already declared by ru-czn-disability" in diag.message
    assert (diag.file, diag.line) == ("programs/xx-toy/program.yaml",
                                      (TOY_PROGRAM + TOY_REGISTRIES).splitlines().index("  members:") + 1)
    assert found.registries()["recipients"].program == "ru-czn-disability"


def test_start_end_and_staff_fields_are_read_as_declared(caseload):
    root = caseload({})
    add_toy(root, TOY_PROGRAM.replace("  coach: {type: text, redact: name}", """\
  coach: {type: staff, role: coach}
  helpers:
    type: list
    items:
      type: mapping
      fields:
        who: {type: staff, role: helper}
        since: {type: date}"""))
    toy = load_programs(root).get("xx-toy")
    enrollment = {"joined": date(2026, 1, 5), "left": date(2026, 6, 1), "coach": "jsmith",
                  "helpers": [{"who": "ktran"}, {"who": None}, {"who": "reva", "since": date(2026, 2, 1)}]}
    assert (toy.began(enrollment), toy.ended(enrollment)) == (date(2026, 1, 5), date(2026, 6, 1))
    assert toy.staff_of(enrollment) == [("coach", "jsmith"), ("helper", "ktran"), ("helper", "reva")]
    assert toy.ended({"joined": date(2026, 1, 5)}) is None
    czn = load_programs().get("ru-czn-disability")
    assert czn.staff_of({"registered": date(2026, 1, 1), "curator": "gsafina"}) == [("curator", "gsafina")]


def test_end_must_name_a_date_field(caseload):
    root = caseload({})
    add_toy(root, TOY_PROGRAM.replace("end: left", "end: level"))
    found = load_programs(root)
    assert "xx-toy" not in found and "`end: level` names no enrollment date field" in found.diagnostics[0].message
