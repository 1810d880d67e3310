"""Registries as program data (`registries:` in program.yaml) and `report registry` running them.

The toy program (tests/toy_program.py) is a caseload's own folder, data only: every test here
declares its registries as YAML text, never as Python.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
import yaml

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
    assert [r.name for r in czn.registries] == ["recipients", "portrait", "psych-referrals", "ipra-lists", "feedback"]


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
    # the closure ends it too, whichever comes first (the same end the obligations engine stops at)
    assert toy.ended({"joined": date(2026, 1, 5)}, (), date(2026, 3, 1)) == date(2026, 3, 1)
    assert toy.ended(enrollment, (), date(2026, 9, 1)) == date(2026, 6, 1)
    czn = load_programs().get("ru-czn-disability")
    assert czn.staff_of({"registered": date(2026, 1, 1), "curator": "gsafina"}) == [("curator", "gsafina")]


def test_ends_must_name_a_date_field(caseload):
    root = caseload({})
    add_toy(root, TOY_PROGRAM.replace("ends: {fields: [left]}", "ends: {fields: [level]}"))
    found = load_programs(root)
    assert "xx-toy" not in found and "`level` is not a date field of the enrollment" in found.diagnostics[0].message


def test_an_end_event_ends_the_enrollment_for_reports_as_for_due():
    """CCP's `transition` event ends the enrollment (FORMAT.md, "When an enrollment ends"): Program.ended
    reads the events as the engine does; an event of another program does not count."""
    from types import SimpleNamespace as Event

    ccp = load_programs().get("ca-dds-ccp")
    enrollment = {"start": date(2026, 1, 5), "authorized_until": date(2027, 1, 31)}
    assert ccp.ended(enrollment) == date(2027, 1, 31)  # it runs until the authorization ends
    events = [Event(type="transition", date=date(2026, 8, 14), program=None),
              Event(type="transition", date=date(2026, 7, 1), program="ca-dor-se")]
    assert ccp.ended(enrollment, events) == date(2026, 8, 14)
    assert ccp.ended(enrollment, events, date(2026, 8, 1)) == date(2026, 8, 1)


# ---------------------------------------------------------------- report registry


def _csv(path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines()


def test_report_registry_writes_every_registry_the_caseloads_programs_declare(caseload, cli, tmp_path):
    root = toy_caseload(caseload)
    out = tmp_path / "out"
    r = cli("report", "registry", "--caseload", root, "--today", TODAY, "--period", "2026", "--out", out)
    assert r.code == 0, r.err
    # bob's membership ended in 2025; dee is in another program; sorted by the day they joined
    assert _csv(out / "registry-members-2026.csv") == [
        "No.,Case,Joined,Left,Level,Coach,Navigator",  # a journal's CSV is headed as people read it
        "1,cy,02/01/2026,,STARTER,,Jordan Smith",
        "2,ann,03/01/2026,,STARTER,Coach Invented,Jordan Smith"]
    assert _csv(out / "registry-meetings-2026.csv") == ["Date,Case,Summary", "2026-04-02,ann,first club meeting (02 Apr)"]
    assert _csv(out / "registry-jobs-2026.csv") == ["Case,Employer,Days after joining", "ann,Invented Cafe,61"]
    page = (out / "registry-members-2026.html").read_text()
    assert "<title>Club members, 2026 (Toy job club)</title>" in page and '<html lang="en">' in page
    assert '<th scope="col">Navigator</th>' in page and "<td>Coach Invented</td>" in page
    # the built-in program's registries are there too (empty: nobody here is enrolled in it)
    assert _csv(out / "registry-recipients-2026.csv") == [
        "№,Дело,ФИО,Группа инвалидности,Дата постановки на учёт,Куратор,№ ИПРА,Статус дела"]
    assert '<html lang="ru">' in (out / "registry-recipients-2026.html").read_text()
    # 2025: bob, who left on 2025-12-20, and ann's 2025 meeting (before she joined, but a meeting of hers)
    cli("report", "registry", "--caseload", root, "--today", TODAY, "--period", "2025", "--out", out)
    assert _csv(out / "registry-members-2025.csv")[1:] == ["1,bob,01/10/2025,12/20/2025,REGULAR,,Jordan Smith"]
    # a text cell starting with `-` gets a leading ' in CSV (OWASP CSV injection: a spreadsheet would read it
    # as a formula); the page shows it as written
    assert _csv(out / "registry-meetings-2025.csv")[1:] == ["2025-04-02,ann,'- (02 Apr)"]
    assert "<td>- (02 Apr)</td>" in (out / "registry-meetings-2025.html").read_text()


def test_kind_chooses_registries_and_an_unknown_one_is_a_usage_error(caseload, cli, tmp_path):
    root = toy_caseload(caseload)
    out = tmp_path / "out"
    r = cli("report", "registry", "--kind", "members", "--kind", "jobs", "--caseload", root, "--today", TODAY,
            "--period", "2026", "--out", out)
    assert r.code == 0, r.err
    assert sorted(p.name for p in out.iterdir()) == ["registry-jobs-2026.csv", "registry-jobs-2026.html",
                                                    "registry-members-2026.csv", "registry-members-2026.html"]
    r = cli("report", "registry", "--kind", "member", "--caseload", root, "--today", TODAY, "--out", tmp_path / "o2")
    assert r.code == 2 and "`member` is not a registry" in r.err and "did you mean `members`?" in r.err
    r = cli("report", "registry", "--kind", "zzz", "--caseload", root, "--today", TODAY, "--out", tmp_path / "o2")
    assert r.code == 2 and "jobs, meetings, members" in r.err    # nothing close: every registry declared, sorted
    assert cli("report", "dashboard", "--kind", "members", "--caseload", root, "--today", TODAY).code == 2
    assert not (tmp_path / "o2").exists()


@pytest.mark.parametrize("value, words", [
    ("enrollment.joined +", "registries.members.columns[2].value: syntax error"),
    ("case.__class__.__mro__", "registries.members.columns[2].value: unsafe access blocked by the sandbox"),
    ("enrollment.joined.__class__", "registries.members.columns[2].value: unsafe access blocked by the sandbox"),
    ("enrollment.joined + 1", "registries.members.columns[2].value: cannot be evaluated (TypeError)"),
])
def test_a_broken_expression_fails_its_registry_only_naming_where_it_is_written(caseload, cli, tmp_path, value, words):
    root = toy_caseload(caseload, TOY_REGISTRIES.replace("value: enrollment.joined}", f"value: \"{value}\"}}"))
    out = tmp_path / "out"
    r = cli("report", "registry", "--caseload", root, "--today", TODAY, "--period", "2026", "--out", out)
    assert r.code == 1
    assert f"failed registry-members-2026.csv: programs/xx-toy/program.yaml: {words}" in r.err
    assert "Traceback" not in r.err and "Ann Invented" not in r.err
    written = sorted(p.name for p in out.iterdir())
    assert "registry-meetings-2026.csv" in written and not any("members" in n for n in written)


def test_a_template_cell_cannot_reach_out_of_the_sandbox_either(caseload, cli, tmp_path):
    root = toy_caseload(caseload, TOY_REGISTRIES.replace(
        "text: \"{{ event.summary or '-' }} ({{ date(event.date, '%d %b') }})\"", "text: \"{{ event.__class__ }}\""))
    r = cli("report", "registry", "--caseload", root, "--today", TODAY, "--period", "2026", "--out", tmp_path / "out")
    assert r.code == 1 and "registries.meetings.columns[2].text: unsafe access blocked by the sandbox" in r.err


def test_a_caseload_overrides_the_registry_page_and_a_broken_override_fails_only_the_pages(caseload, cli, tmp_path):
    root = toy_caseload(caseload)
    (root / "templates").mkdir()
    (root / "templates/report-registry.html.j2").write_text(
        "<!DOCTYPE html><title>{{ title }}</title><p>our own layout: {{ rows|length }} rows</p>\n")
    out = tmp_path / "out"
    assert cli("report", "registry", "--caseload", root, "--today", TODAY, "--period", "2026", "--out", out).code == 0
    assert (out / "registry-members-2026.html").read_text() == (
        "<!DOCTYPE html><title>Club members, 2026 (Toy job club)</title><p>our own layout: 2 rows</p>\n")
    (root / "templates/report-registry.html.j2").write_text("{{ rows.nothing.here }}\n{% for %}\n")
    r = cli("report", "registry", "--caseload", root, "--today", TODAY, "--period", "2026", "--out", tmp_path / "o2")
    assert r.code == 1 and "Traceback" not in r.err
    assert "failed registry-members-2026.html: template templates/report-registry.html.j2, line 2" in r.err
    assert (tmp_path / "o2" / "registry-members-2026.csv").is_file()


def test_the_sample_registries_are_the_centers_journals_in_russian(tmp_path, cli):
    from conftest import copy_samples

    root = copy_samples(tmp_path / "samples")
    out = tmp_path / "out"
    assert cli("report", "registry", "--caseload", root, "--today", TODAY, "--period", "2026", "--out", out,
               "--stamp").code == 0
    page = (out / "registry-ipra-lists-2026.html").read_text()
    # the page is in the registry's language, its one own sentence too; no review note (its words are the program's)
    assert '<html lang="ru">' in page and "<p>Сформировано 2026-11-22.</p>" in page and 'class="review"' not in page
    assert _csv(out / "registry-recipients-2026.csv")[1:] == [
        "1,alsu-galieva,Галиева Алсу Ринатовна,2,07.04.2025,Сафина Гульнара Ильдаровна,1342.16.16/2025,открыто",
        "2,sergey-morozov,Морозов Сергей Викторович,3,06.07.2026,Сафина Гульнара Ильдаровна,2214.5.16/2026,открыто"]
