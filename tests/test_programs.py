"""A program is a folder: program.yaml (+ rules.yaml), read as data; a caseload may add its own."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from careerpath import schema
from careerpath.checks import validate
from careerpath.loader import file_models, load
from careerpath.programs import BUILTIN, load_programs
from toy_program import TOY_DOCUMENTS, TOY_PROGRAM, TOY_RULES, add_toy

TOY_ENDS = "ends: {fields: [left]}\n"  # the toy's own `ends:` line (its last), replaced by the one a test tries

TODAY = date(2026, 11, 22)
HEAD = """\
id: p
opened: 2026-03-02
person: {name: Invented Person, language: en}
staff: {navigator: jsmith}
"""


def test_every_shipped_program_file_matches_its_schema():
    jsonschema = pytest.importorskip("jsonschema")
    from careerpath.yamlfile import read_file

    program = json.loads(schema.render_program("program"))
    rules = json.loads(schema.render_program("rules"))
    folders = sorted(p for p in BUILTIN.iterdir() if (p / "program.yaml").is_file())
    assert [f.name for f in folders] == ["ca-dds-ccp", "ca-dor-se", "ca-dor-vr", "ru-czn-disability"]
    for folder in folders:
        jsonschema.validate(read_file(folder / "program.yaml", "p").data, program)
        jsonschema.validate(read_file(folder / "rules.yaml", "r").data, rules)
    import yaml

    jsonschema.validate(yaml.safe_load(TOY_PROGRAM), program)
    documents = json.loads(schema.render_program("documents"))
    shipped = sorted(BUILTIN.glob("*/documents.yaml")) + [BUILTIN.parent / "documents" / "kinds.yaml"]
    assert len(shipped) == 5
    for path in shipped:
        jsonschema.validate(read_file(path, "d").data, documents)
    jsonschema.validate(yaml.safe_load(TOY_DOCUMENTS), documents)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"kinds": {"x": {"title": "X", "audience": "family"}}}, documents)


def test_shipped_program_schemas_are_current():
    for kind in schema.PROGRAM_KINDS:
        shipped = (schema.SCHEMA_DIR / schema.file_name(kind)).read_text(encoding="utf-8")
        assert shipped == schema.render_program(kind), "run `careerpath schema --out careerpath/schemas`"


def test_a_caseload_program_validates_its_enrollments_at_their_lines(caseload):
    root = caseload({"cases/p/case.yaml": HEAD + "enrollments:\n  xx-toy:\n    joined: 2026-02-30\n"
                     "    level: regular\n    sessions: many\n    coach: Invented Coach\n"})
    add_toy(root)
    got = [(d.line, d.code) for d in validate(load(root), TODAY) if d.file == "cases/p/case.yaml"]
    assert got == [(7, "invalid-date"), (9, "wrong-type")]
    root2 = caseload({"cases/p/case.yaml": HEAD + "enrollments:\n  xx-toy:\n    joined: 2026-02-03\n"
                      "    left: 2026-02-01\n    level: regular\n"})
    add_toy(root2)
    got = {(d.line, d.code, d.message) for d in validate(load(root2), TODAY) if d.file == "cases/p/case.yaml"}
    assert got == {(8, "date-order", "the person left the club before joining it"),
                   (9, "toy-sessions", "a regular member needs `sessions` from 1 to 52")}


def test_without_its_folder_the_program_is_unknown_with_a_suggestion(caseload):
    root = caseload({"cases/p/case.yaml": HEAD + "enrollments:\n  xx-toy:\n    joined: 2026-02-03\n"})
    [d] = [d for d in validate(load(root), TODAY) if d.file == "cases/p/case.yaml"]
    assert (d.line, d.code) == (6, "unknown-program")
    add_toy(root)
    assert not [d for d in validate(load(root), TODAY) if d.severity == "error"]


def test_a_misspelled_program_key_still_shows_the_errors_inside_it(caseload):
    root = caseload({"cases/p/case.yaml": HEAD + "enrollments:\n  ca-dds-cpp:\n    basis: left-subminimum-wage\n"
                     "    start: 2026-03-02\n    authorized_until: 12/01/2027\n"})
    got = [(d.line, d.code, d.hint) for d in validate(load(root), TODAY) if d.file == "cases/p/case.yaml"]
    assert got == [(6, "unknown-program", "did you mean `ca-dds-ccp`?"), (9, "invalid-date", "write dates as YYYY-MM-DD, e.g. 2026-03-02")]


def test_a_broken_program_folder_is_a_diagnostic_and_the_others_still_load(caseload):
    root = caseload({})
    add_toy(root, program=TOY_PROGRAM.replace("type: choice", "type: chooser"), rules="")
    cl = load(root)
    [d] = [d for d in cl.diagnostics if d.file.startswith("programs/")]
    assert (d.file, d.line, d.code) == ("programs/xx-toy/program.yaml", 14, "program-invalid")
    assert "xx-toy" not in cl.programs and "ca-dor-vr" in cl.programs


def test_what_ends_an_enrollment_is_program_data(caseload):
    """`ends:` in program.yaml: the toy's weekly series stops when the person leaves, with no `until` in its rule."""
    from careerpath.obligations import compute

    root = caseload({"cases/p/case.yaml": HEAD + "enrollments:\n  xx-toy:\n    joined: 2026-03-02\n    left: 2026-03-20\n"})
    add_toy(root, program=TOY_PROGRAM.replace(TOY_ENDS, "ends:\n  fields: [left]\n"), rules=TOY_RULES.replace("    until: [enrollment.left]\n", ""))
    cl = load(root)
    assert cl.programs.get("xx-toy").ends.fields == ("left",)
    weekly = [o.due.isoformat() for o in compute(cl, date(2026, 6, 1), include_closed_history=True) if o.rule == "toy.weekly"]
    assert weekly == ["2026-03-09", "2026-03-16"]  # the anniversary of 2026-03-23 is after the end
    # an event type the program declares ends it too
    add_toy(root, program=TOY_PROGRAM.replace(TOY_ENDS, "ends:\n  events: [meeting]\n"), rules=TOY_RULES.replace("    until: [enrollment.left]\n", ""))
    (root / "cases/p/events").mkdir()
    (root / "cases/p/events/2026-03-12-meeting.yaml").write_text("date: 2026-03-12\ntype: meeting\n", encoding="utf-8")
    weekly = [o.due.isoformat() for o in compute(load(root), date(2026, 6, 1), include_closed_history=True) if o.rule == "toy.weekly"]
    assert weekly == ["2026-03-09"]


@pytest.mark.parametrize("ends, line, words", [
    ("ends:\n  fields: [level]\n", 39, "`level` is not a date field"),
    ("ends:\n  fields: [nope]\n", 39, "`nope` is not a date field"),
    ("ends:\n  events: [transition]\n", 39, "`transition` is not an event type this program declares"),
    ("ends:\n  when: [x]\n", 39, "`when` is not a key of `ends`"),
    ("ends: [left]\n", 38, "`ends` is {fields"),
])
def test_a_wrong_ends_declaration_is_a_diagnostic_at_its_line(caseload, ends, line, words):
    root = caseload({})
    add_toy(root, program=TOY_PROGRAM.replace(TOY_ENDS, ends))
    [d] = [d for d in load(root).diagnostics if d.file.startswith("programs/")]
    assert (d.file, d.line, d.code) == ("programs/xx-toy/program.yaml", line, "program-invalid") and words in d.message


def test_a_caseload_cannot_replace_a_built_in_program(caseload):
    root = caseload({})
    folder = root / "programs" / "ca-dor-vr"
    folder.mkdir(parents=True)
    (folder / "program.yaml").write_text(TOY_PROGRAM.replace("id: xx-toy", "id: ca-dor-vr"), encoding="utf-8")
    cl = load(root)
    assert [d.code for d in cl.diagnostics if d.file.startswith("programs/")] == ["program-invalid"]
    assert cl.programs.get("ca-dor-vr").builtin


def test_a_caseload_programs_checks_py_is_never_run(caseload, tmp_path):
    marker = tmp_path / "ran"
    root = caseload({})
    folder = add_toy(root)
    (folder / "checks.py").write_text(f"open({str(marker)!r}, 'w').write('x')\nCHECKS = ()\n", encoding="utf-8")
    cl = load(root)
    validate(cl, TODAY)
    assert not marker.exists()
    assert [d.code for d in cl.diagnostics if d.file == "programs/xx-toy/checks.py"] == ["program-code-ignored"]


def test_a_programs_folder_linking_outside_is_not_read(caseload, tmp_path):
    outside = tmp_path / "elsewhere"
    add_toy(outside)
    root = caseload({})
    (root / "programs").symlink_to(outside / "programs")
    cl = load(root)
    assert "xx-toy" not in cl.programs
    assert [d.code for d in cl.diagnostics if d.file == "programs"] == ["symlink-outside"]


def test_the_case_schema_of_a_caseload_includes_its_programs(caseload):
    root = caseload({})
    add_toy(root)
    case = file_models(load_programs(root))["case"].model_json_schema(by_alias=True)
    assert "xx-toy" in json.dumps(case) and "xx-toy" not in json.dumps(file_models(load_programs())["case"].model_json_schema(by_alias=True))


def test_new_takes_the_options_a_program_declares(cli, caseload):
    root = caseload({})
    add_toy(root)
    r = cli("new", "a", "--name", "Invented", "--language", "en", "-p", "xx-toy", "--joined", "2026-11-02",
            "--caseload", root, "--today", TODAY.isoformat())
    assert r.code == 0, r.err
    text = (root / "cases/a/case.yaml").read_text(encoding="utf-8")
    assert "  xx-toy:\n    joined: 2026-11-02\n" in text
    r = cli("new", "b", "--name", "Invented", "--language", "en", "-p", "xx-toy", "--joind", "2026-11-02",
            "--caseload", root)
    assert r.code == 2 and "--joined" in r.err


def test_programs_lists_the_caseloads_own(cli, caseload):
    root = caseload({})
    add_toy(root)
    r = cli("programs", "--caseload", root, "--format", "json")
    data = {p["id"]: p for p in json.loads(r.out)}
    assert not data["xx-toy"]["builtin"] and data["ca-dds-ccp"]["builtin"]
    assert data["xx-toy"]["rules"] == ["toy.check-in", "toy.weekly"]
    assert {"option": "--joined", "field": "joined", "required": False, "help": "the day the person joined (YYYY-MM-DD)"} \
        in data["xx-toy"]["new_options"]
    assert cli("programs", "xx-toy").code == 2  # outside that caseload the program does not exist


def test_settings_are_declared_by_programs(caseload):
    root = caseload({}, config="agency: A\nsettings:\n  czn_ipra_list_working_days: 5\n  ccp_quarterly_report_dayz: 3\n")
    cl = load(root)
    assert cl.settings.czn_ipra_list_working_days == 5 and cl.settings.warn_days == 30
    [d] = [d for d in cl.diagnostics if d.code == "unknown-field"]
    assert d.hint == "did you mean `ccp_quarterly_report_days`?"


def test_a_fifth_program_from_a_folder_alone_works_in_every_command(cli, caseload, tmp_path):
    """Issue 14's end-to-end check: the toy program (tests/toy_program.py) is only a folder in the
    caseload's programs/ (no Python, no subclassing, no monkeypatching). In a git repository: validate
    reports its own field errors at their lines; due lists its obligations with their citations; its
    own document kind renders; the dashboard counts its cases under its name; `log` and `set` write
    its Program and Rule trailers."""
    import subprocess

    config = ("agency: Invented Agency\ndefault_language: en\nstaff:\n"
              "  - {id: jsmith, name: Jordan Smith, role: navigator, languages: [en]}\n")
    root = caseload({
        "cases/ann/case.yaml": "id: ann\nopened: 2026-10-01\nperson: {name: Ann Invented, language: en, phone: 555-0100}\n"
                               "staff: {navigator: jsmith}\nenrollments:\n  xx-toy: {joined: 2026-10-01, sessions: 3}\n",
        "cases/bad/case.yaml": HEAD.replace("id: p", "id: bad") + "enrollments:\n  xx-toy:\n    joined: 2026-10-01\n"
                               "    level: regular\n    sessions: 99\n",
    }, config=config)
    add_toy(root)

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout

    git("init", "-q")
    git("config", "user.name", "Test Machine")
    git("config", "user.email", "machine@example.org")
    git("config", "commit.gpgsign", "false")
    git("add", "-A")
    git("commit", "-qm", "start")

    v = cli("validate", "--caseload", root, "--today", TODAY, "--format", "json")
    assert v.code == 1
    found = [(d["file"], d["line"], d["code"]) for d in json.loads(v.out) if d["severity"] == "error"]
    assert found == [("cases/bad/case.yaml", 9, "invalid-value")], found  # `sessions: 99` > its max 52; ann is clean

    due = json.loads(cli("due", "--caseload", root, "--today", TODAY, "--all", "--format", "json").out)
    mine = {o["rule"]: o for o in due if o["case"] == "ann"}
    assert mine["toy.check-in"]["due"] == "2026-10-15" and mine["toy.check-in"]["citation"] == "Toy Act 1"
    assert mine["toy.weekly"]["citation"] == "Toy Act 2" and mine["toy.weekly"]["program"] == "xx-toy"

    card = cli("render", "toy-card", "ann", "--caseload", root, "--today", TODAY)
    assert card.code == 0, card.err
    assert "Ann" in card.out and "October 15, 2026" in card.out  # the check-in date comes from its rule

    out = tmp_path / "reports"
    assert cli("report", "dashboard", "--caseload", root, "--today", TODAY, "--out", out).code in (0, 1)
    assert "Toy job club" in (out / "dashboard.html").read_text(encoding="utf-8")

    r = cli("log", "ann", "meeting", "--date", "2026-11-20", "--by", "jsmith", "--program", "xx-toy",
            "--caseload", root, "--today", TODAY)
    assert r.code == 0, r.err
    message = git("log", "-1", "--format=%B")
    assert "Case: ann" in message and "Program: xx-toy" in message and "Rule: toy.weekly" in message, message
    r = cli("set", "ann", "enrollments.xx-toy.joined", "2026-10-02", "--by", "jsmith", "--reason", "typo", "--caseload", root,
            "--today", TODAY)
    assert r.code == 0, r.err
    message = git("log", "-1", "--format=%B")
    assert "Program: xx-toy" in message and "Rule: toy.check-in" in message, message
