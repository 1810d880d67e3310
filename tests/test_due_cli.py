"""`careerpath due`, `show` and `rules`: the CLI mirrors the library; formats; exit codes; the sample caseload."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import jsonschema
import pytest

from careerpath.loader import load
from careerpath.obligations import compute, load_rules
from careerpath.obligations.export import CSV_COLUMNS, SCHEMA_PATH, schema
from careerpath.obligations.query import select
from conftest import SAMPLE, TODAY, run_process

CASE = """\
id: p
person: {name: Test Person, language: en}
staff: {navigator: jsmith, counselor: jsmith, job-coach: ktran}
enrollments:
  ca-dor-vr:
    applied: 2026-01-31
  ca-dds-ccp:
    basis: left-subminimum-wage
    start: 2026-01-15
    authorized_until: 2027-01-14
"""


@pytest.fixture
def small(caseload):
    return caseload({
        "cases/p/case.yaml": CASE,
        "cases/p/events/2026-02-10-review.yaml": "date: 2026-02-10\ntype: monthly-review\nby: jsmith\n",
        "cases/q/case.yaml": "id: q\nperson: {name: Other Person, language: ru}\nstaff: {curator: reva}\n"
                             "enrollments:\n  ru-czn-disability:\n    registered: 2026-01-10\n    curator: reva\n"
                             "    ipra: {received: 2026-01-12, measures_due: 2026-06-01, measures: [{name: Профориентация}]}\n",
    })


def rows(cli, *args):
    r = cli("due", *args, "--format", "json")
    assert r.code in (0, 3), r.err
    return json.loads(r.out)


def test_json_equals_the_library(cli, small):
    day = date(2026, 4, 10)
    expected = [o.to_dict() for o in select(compute(load(small), day), day)]
    assert rows(cli, "--caseload", small, "--today", day.isoformat()) == expected
    everything = [o.to_dict() for o in compute(load(small), day, include_closed_history=True)]
    assert rows(cli, "--caseload", small, "--today", day.isoformat(), "--all") == everything
    assert any(r["status"] == "done" for r in everything)


def test_json_and_csv_are_byte_for_byte_the_standard_writers(cli, small):
    """json and csv are joined from per-obligation pieces (so the cache can keep them): the bytes
    must be what json.dumps of the whole list, and csv.writer over every row, give."""
    day = date(2026, 4, 10)
    obligations = compute(load(small), day, include_closed_history=True)
    args = ("due", "--caseload", small, "--today", day.isoformat(), "--all")
    assert cli(*args, "--format", "json").out == \
        json.dumps([o.to_dict() for o in obligations], ensure_ascii=False, indent=2) + "\n"
    assert cli(*args, "--format", "json", "--case", "nobody-here").code == 2
    assert cli(*args, "--format", "json", "--rule", "no.such.rule").code == 2  # a rule no program has
    assert cli(*args, "--format", "json", "--rule", "no.such.*").code == 2  # a pattern that matches none
    table = list(csv.reader(io.StringIO(cli(*args, "--format", "csv").out)))
    assert table[0] == list(CSV_COLUMNS) and len(table) == len(obligations) + 1
    assert [r[0] for r in table[1:]] == [o.case for o in obligations]
    assert [r[CSV_COLUMNS.index("uid")] for r in table[1:]] == [o.uid for o in obligations]


def test_json_validates_against_the_shipped_schema(cli, small):
    data = rows(cli, "--caseload", small, "--today", "2026-04-10", "--all")
    assert data
    validator = jsonschema.Draft7Validator(schema(), format_checker=jsonschema.FormatChecker())
    jsonschema.Draft7Validator.check_schema(schema())
    assert [e.message for e in validator.iter_errors(data)] == []
    assert SCHEMA_PATH.name == "obligations.schema.json" and SCHEMA_PATH.parent.name == "schemas"
    broken = [dict(data[0], due="2026-02-30", status="late")]
    assert len(list(validator.iter_errors(broken))) == 2


def test_filters(cli, small):
    base = ["--caseload", small, "--today", "2026-04-10"]
    assert {r["case"] for r in rows(cli, *base, "--case", "q")} == {"q"}
    assert {r["program"] for r in rows(cli, *base, "--program", "ca-dor-vr")} == {"ca-dor-vr"}
    # (no ccp.annual-report: the first anniversary, 2027-01-15, is after authorized_until 2027-01-14)
    assert {r["rule"] for r in rows(cli, *base, "--rule", "ccp.*")} == {
        "ccp.monthly-review", "ccp.quarterly-report", "ccp.authorization-end"}
    assert {r["rule"] for r in rows(cli, *base, "--rule", "ccp.monthly-review")} == {"ccp.monthly-review"}
    assert {r["case"] for r in rows(cli, *base, "--staff", "reva")} == {"q"}
    overdue = rows(cli, *base, "--overdue")
    assert overdue and all(r["past_due"] for r in overdue)
    within = rows(cli, *base, "--within", "2w")
    assert within and all(r["due"] <= "2026-04-24" for r in within)
    assert any(r["past_due"] for r in within)  # past-due ones are due now
    assert all(r["status"] != "done" for r in rows(cli, *base))


def test_explain_shows_rule_citation_and_source(cli, small):
    r = cli("due", "--caseload", small, "--today", "2026-04-10", "--explain", "--rule", "dor.eligibility-decision")
    assert r.code == 0
    assert "dor.eligibility-decision" in r.out and "34 CFR 361.41(b)(1)" in r.out
    assert "cases/p/case.yaml:6" in r.out and "overdue" in r.out


def test_plain_text_when_piped_and_the_language_of_titles(cli, small):
    r = cli("due", "--caseload", small, "--today", "2026-04-10")
    assert r.code == 0 and "\x1b[" not in r.out
    lines = r.out.splitlines()
    assert lines[0].split()[:4] == ["STATUS", "DUE", "WHEN", "CASE"]
    assert lines[1].startswith("overdue")
    n = len(rows(cli, "--caseload", small, "--today", "2026-04-10"))
    assert lines[-1].startswith(f"{n} obligations: ") and len(lines) == n + 2
    es = cli("due", "--caseload", small, "--today", "2026-04-10", "--lang", "es", "--rule", "dor.*")
    assert "Decisión de elegibilidad" in es.out


def test_fail_on_overdue_exits_3(cli, small):
    assert cli("due", "--caseload", small, "--today", "2026-04-10", "--fail-on", "overdue").code == 3
    assert cli("due", "--caseload", small, "--today", "2026-01-20", "--fail-on", "overdue").code == 0
    assert cli("due", "--caseload", small, "--today", "2026-01-20", "--fail-on", "due-soon").code == 3
    assert cli("due", "--caseload", small, "--fail-on", "never").code == 2


def test_usage_errors(cli, small):
    assert cli("due", "--caseload", small, "--today", "2026-02-30").code == 2
    assert cli("due", "--caseload", small, "--within", "soon").code == 2
    assert cli("due", "--caseload", small, "--format", "xml").code == 2
    r = cli("due", "--caseload", small, "--case", "nobody")
    assert r.code == 2 and "--case" in r.err and "nobody" not in r.err  # a case id is not echoed


def test_ics_round_trips_with_one_entry_per_obligation_and_stable_uids(cli, small, tmp_path):
    from icalendar import Calendar

    args = ["due", "--caseload", small, "--today", "2026-04-10", "--format", "ics", "--all"]
    out = tmp_path / "feed.ics"
    assert cli(*args, "--output", out).code == 0
    first = out.read_bytes()
    assert cli(*args, "--output", out).code == 0
    assert out.read_bytes() == first  # byte-identical reruns
    cal = Calendar.from_ical(first)
    events = cal.walk("VEVENT")
    expected = compute(load(small), date(2026, 4, 10), include_closed_history=True)
    assert len(events) == len(expected)
    assert [str(e["UID"]) for e in events] == [f"{o.uid}@careerpath" for o in expected]
    assert len({str(e["UID"]) for e in events}) == len(events)
    assert [e.decoded("DTSTART") for e in events] == [o.due for o in expected]
    text = first.decode("utf-8")
    assert "Test Person" not in text and "Other Person" not in text  # names never go to calendars
    # a later day changes statuses, not identities
    later = Calendar.from_ical(cli("due", "--caseload", small, "--today", "2026-05-10", "--format", "ics", "--all").out.encode())
    uids_later = {str(e["UID"]) for e in later.walk("VEVENT")}
    assert {str(e["UID"]) for e in events} & uids_later


def test_csv_has_a_header_and_one_row_per_obligation(cli, small):
    r = cli("due", "--caseload", small, "--today", "2026-04-10", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(r.out)))
    assert len(table) == len(rows(cli, "--caseload", small, "--today", "2026-04-10"))
    assert table[0]["past_due"] == "true" and table[0]["case"] == "p"


def test_show_one_case(cli, small):
    r = cli("show", "p", "--caseload", small, "--today", "2026-04-10")
    assert r.code == 0
    assert r.out.startswith("p — Test Person")
    # programs by their names and fields by their labels (issue 18), not ids and keys
    for part in ("DOR vocational rehabilitation", "Application date", "2026-01-31", "open obligations",
                 "Eligibility decision", "monthly-review"):
        assert part in r.out
    data = json.loads(cli("show", "p", "--caseload", small, "--today", "2026-04-10", "--format", "json").out)
    assert data["person"]["language"] == "en" and data["last_events"][0]["type"] == "monthly-review"
    assert {o["rule"] for o in data["obligations"]} >= {"dor.eligibility-decision", "ccp.monthly-review"}
    missing = cli("show", "pp", "--caseload", small)
    assert missing.code == 2 and "did you mean `p`" in missing.err


def test_rules_lists_citations_and_confirmation(cli):
    r = cli("rules")
    assert r.code == 0
    for rule in load_rules().rules:
        assert rule.id in r.out
    assert "needs-source" in r.out and "34 CFR 361.45(e)" in r.out
    data = json.loads(cli("rules", "--format", "json", "--program", "ru-czn-disability").out)
    assert {d["program"] for d in data} == {"ru-czn-disability"}
    assert {d["id"]: d["source"] for d in data}["czn.ipra-report-back"] == "needs-source"


def test_a_caseload_program_folder_adds_rules_and_a_broken_one_is_reported(cli, small):
    from toy_program import add_toy

    add_toy(small)
    assert "toy.check-in" in cli("rules", "--caseload", small).out
    assert "toy.check-in" not in cli("rules").out or "toy.check-in" not in cli("rules", "--caseload", SAMPLE).out
    (small / "programs" / "xx-toy" / "rules.yaml").write_text("rules:\n  - id: nope\n", encoding="utf-8")
    r = cli("due", "--caseload", small)
    assert "1 file has errors" in r.err  # the list says so; validate says where
    r = cli("validate", "--caseload", small)
    assert r.code == 1 and "programs/xx-toy/rules.yaml:2:" in r.out + r.err and "program-invalid" in r.out + r.err


def test_a_real_process_pipes_plain_text_and_exits_3(small):
    r = run_process("due", "--caseload", small, "--today", "2026-04-10", "--fail-on", "overdue")
    assert r.code == 3 and "\x1b[" not in r.out and "Traceback" not in r.err


# ---------------------------------------------------------------- the sample caseload

def test_sample_morning_list(cli):
    data = rows(cli, "--caseload", SAMPLE, "--today", TODAY.isoformat())
    by = {(r["case"], r["rule"], r["item"]): r for r in data}

    def status(case, rule, item=""):
        return (by[(case, rule, item)]["due"], by[(case, rule, item)]["status"])

    assert data[0]["past_due"] and not data[-1]["past_due"]
    assert not any(r["case"] == "quang-le" for r in data)  # closed case
    assert status("marco-delgado", "dor.eligibility-decision") == ("2026-11-30", "due-soon")
    assert status("marco-delgado", "referral.follow-up", "2026-10-01-dor-application") == ("2026-11-23", "due-soon")
    assert status("marco-delgado", "plan.objective", "g1.o3")[1] == "overdue"
    assert status("tigran-petrosyan", "dor.eligibility-decision") == ("2026-12-15", "due-soon")
    assert status("dana-whitfield", "dor.ineligibility-review") == ("2027-01-23", "upcoming")
    assert status("ani-hakobyan", "dor.ipe-review", "2027-11-05") == ("2027-11-05", "upcoming")
    assert status("ashley-brooks", "dor.waiting-list-contact", "2026-12-26")[0] == "2026-12-26"
    assert not any(r["case"] == "ashley-brooks" and r["rule"] == "dor.ipe" for r in data)
    assert status("jamal-carter", "se.worksite-monitoring", "2026-09") == ("2026-09-30", "partial")
    assert status("jamal-carter", "se.service-limit") == ("2028-03-02", "upcoming")
    assert status("linh-tran", "ccp.monthly-review", "2026-08") == ("2026-08-31", "overdue")
    assert status("linh-tran", "ccp.monthly-review", "2026-11") == ("2026-11-30", "due-soon")
    assert status("sofia-ramirez", "ccp.authorization-end") == ("2026-12-15", "due-soon")
    assert status("sofia-ramirez", "dds.cie-incentive", "jobs[0]+6m") == ("2026-12-15", "due-soon")
    assert status("ntxhi-vaj", "referral.follow-up", "2026-10-09-regional-center") == ("2026-11-06", "overdue")
    assert status("alsu-galieva", "czn.ipra-report-back") == ("2027-03-01", "upcoming")
    assert status("sergey-morozov", "czn.ipra-measures") == ("2026-12-11", "due-soon")
    everything = rows(cli, "--caseload", SAMPLE, "--today", TODAY.isoformat(), "--all")
    validator = jsonschema.Draft7Validator(schema(), format_checker=jsonschema.FormatChecker())
    assert [e.message for e in validator.iter_errors(everything)] == []
    assert {r["rule"] for r in everything} >= {"ccp.monthly-review", "dor.ipe", "se.worksite-monitoring", "czn.ipra-measures"}
    alld = {(r["case"], r["rule"], r["item"]): r for r in everything}
    assert alld[("alsu-galieva", "czn.ipra-measures", "")]["done_on"] == "2026-03-24"
    assert alld[("sofia-ramirez", "dds.cie-incentive", "jobs[0]+30d")]["status"] == "done"


def test_sample_time_travel_and_show(cli):
    earlier = rows(cli, "--caseload", SAMPLE, "--today", "2026-06-30")
    later = rows(cli, "--caseload", SAMPLE, "--today", TODAY.isoformat())
    assert earlier != later
    assert all(r["due"] <= "2026-06-30" for r in earlier if r["past_due"])
    r = cli("show", "jamal-carter", "--caseload", SAMPLE, "--today", TODAY.isoformat())
    assert r.code == 0 and "DOR supported employment" in r.out and "Worksite monitoring" in r.out


def test_rich_table_on_a_terminal_and_none_with_no_color(cli, small, monkeypatch):
    from careerpath.cli import duelist as cmd_due

    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("COLUMNS", "200")
    assert cmd_due.use_rich()
    r = cli("due", "--caseload", small, "--today", "2026-04-10", "--explain")
    assert r.code == 0 and "Eligibility decision" in r.out and "34 CFR 361.41(b)(1)" in r.out
    assert "[2026-03]" in r.out  # item brackets are text, not rich markup
    monkeypatch.setenv("NO_COLOR", "1")
    assert not cmd_due.use_rich()


@pytest.mark.parametrize("fixture", sorted(p.name for p in (SAMPLE.parent / "tests" / "fixtures").iterdir() if p.is_dir()))
def test_broken_caseloads_still_give_a_list(cli, fixture):
    root = SAMPLE.parent / "tests" / "fixtures" / fixture
    r = cli("due", "--caseload", root, "--today", "2026-11-22", "--all", "--format", "json")
    assert r.code == 0 and isinstance(json.loads(r.out), list)
    assert "Traceback" not in r.err


def test_short_names_keep_the_first_word_and_the_initials_and_never_merge_two_people():
    from careerpath.cli.tables import short_names

    assert short_names([("dortiz", "Daniel Ortiz"), ("gsafina", "Сафина Гульнара Ильдаровна"), ("kvang", "Kou Vang"),
                        ("solo", "Cher"), ("blank", "  ")]) == {
        "dortiz": "Daniel O.", "gsafina": "Сафина Г. И.", "kvang": "Kou V.", "solo": "Cher", "blank": "blank"}
    # two people who would both be "Maria R.": their full names, the others still short
    assert short_names([("mr1", "Maria Reyes"), ("mr2", "Maria  Rodríguez"), ("kv", "Kou Vang")]) == {
        "mr1": "Maria Reyes", "mr2": "Maria Rodríguez", "kv": "Kou V."}


def test_the_table_names_staff_and_machine_formats_keep_ids(cli):
    base = ("--caseload", SAMPLE, "--today", "2026-11-10", "--case", "linh-tran", "--case", "sergey-morozov", "--within", "1w")
    r = cli("due", *base)
    assert r.code == 0, r.err
    staff = [line.split("  ")[-1].strip() for line in r.out.splitlines()[1:-1]]
    assert "Nguyễn T. T., Daniel O." in staff and "Сафина Г. И., Каримов И. Р." in staff
    assert not any(sid in r.out for sid in ("tnguyen", "dortiz", "gsafina", "ikarimov"))
    ids = {s for row in rows(cli, *base) for s in row["staff"]}          # json: the ids, as before
    assert {"tnguyen", "dortiz", "gsafina", "ikarimov"} <= ids
    table = list(csv.DictReader(io.StringIO(cli("due", *base, "--format", "csv").out)))
    assert any("tnguyen" in row["staff"] and "dortiz" in row["staff"] for row in table) and "Daniel" not in str(table)
    assert cli("due", *base, "--staff", "dortiz").code in (0, 3)       # the filter still takes the id


def test_a_staff_id_not_in_careerpath_yaml_is_shown_as_it_is(cli, caseload):
    root = caseload({"cases/p/case.yaml": CASE.replace("navigator: jsmith, counselor: jsmith", "navigator: nobody")})
    r = cli("due", "--caseload", root, "--today", "2026-04-10", "--case", "p")
    assert r.code in (0, 3) and "nobody" in r.out.splitlines()[1]


def test_redact_staff_replaces_the_names_in_the_table(cli, small):
    base = ("--caseload", small, "--today", "2026-04-10", "--redact")
    kept = cli("due", *base)
    assert "Jordan S." in kept.out                                    # --redact alone keeps staff names
    r = cli("due", *base, "--redact-staff")
    assert r.code == 0, r.err
    assert "Staff " in r.out and "Jordan" not in r.out and "Kim" not in r.out and "Роза" not in r.out


def test_a_narrow_terminal_wraps_staff_names_whole():
    from careerpath.cli.tables import Column, render

    out = render([Column("CASE"), Column("STAFF", wrap="list")], [("p", "Jordan S., Kim T., Роза Е.")], 22)
    assert out.splitlines()[1:] == ["p     Jordan S.,", "      Kim T., Роза Е."]
