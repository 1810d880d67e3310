"""A case that cannot be read stays on every list (issue 19).

tests/fixtures/unreadable holds four sample cases: jamal-carter's case.yaml lacks
`person.language` (it does not load), linh-tran has a broken event file,
ashley-brooks a broken plan.yaml, sergey-morozov is whole. Every list shows the
three damaged cases: the first as one `invalid` entry (first, naming file and
line, never a value), the others with each obligation marked `incomplete`.
"""

from __future__ import annotations

import csv
import io
import json
import shutil

import jsonschema
import pytest

from conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"

TODAY = "2026-11-20"
SOURCE = FIXTURES / "unreadable"
BAD_CASE, BROKEN_EVENT, BROKEN_PLAN, WHOLE = "jamal-carter", "linh-tran", "ashley-brooks", "sergey-morozov"


@pytest.fixture
def root(tmp_path):
    return shutil.copytree(SOURCE, tmp_path / "caseload", ignore=shutil.ignore_patterns(".careerpath"))


def due(cli, root, *args):
    return cli("due", "--caseload", root, "--today", TODAY, *args)


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cached", "uncached"])
def test_json_lists_the_unreadable_case_first_and_validates_against_the_schema(cli, root, cache):
    from careerpath.obligations.export import schema

    r = due(cli, root, "--format", "json", *cache)
    assert r.code == 0
    data = json.loads(r.out)
    first = data[0]
    assert {k: first[k] for k in ("case", "status", "rule", "due", "file", "line", "detail")} == {
        "case": BAD_CASE, "status": "invalid", "rule": "case.invalid", "due": None,
        "file": f"cases/{BAD_CASE}/case.yaml", "line": 6, "detail": "1 error"}
    assert [o for o in data if o["status"] == "invalid"] == [first]
    validator = jsonschema.Draft7Validator(schema(), format_checker=jsonschema.FormatChecker())
    assert [e.message for e in validator.iter_errors(data)] == []
    assert list(validator.iter_errors([dict(first, due="2026-11-20")]))  # invalid means no date
    by_case = {}
    for o in data:
        by_case.setdefault(o["case"], []).append(o)
    for damaged in (BROKEN_EVENT, BROKEN_PLAN):  # computed from what loaded, each one says so
        assert by_case[damaged] and all(o["incomplete"] for o in by_case[damaged])
    assert by_case[WHOLE] and not any(o["incomplete"] for o in by_case[WHOLE])
    assert all(o["incomplete"] for o in by_case[BAD_CASE])  # its plan's objectives, from a plan that loaded


def test_table_csv_and_ics_show_all_three(cli, root):
    from icalendar import Calendar

    table = due(cli, root).out.splitlines()
    assert table[1].split()[:2] == ["invalid", "-"] and BAD_CASE in table[1]
    assert f"cases/{BAD_CASE}/case.yaml:6, 1 error" in table[1]
    assert any(BROKEN_EVENT in line and "incomplete" in line for line in table)
    assert any(BROKEN_PLAN in line and "incomplete" in line for line in table)
    assert "1 case could not be read" in table[-1]
    rows = list(csv.DictReader(io.StringIO(due(cli, root, "--format", "csv").out)))
    assert rows[0]["status"] == "invalid" and rows[0]["due"] == "" and rows[0]["case"] == BAD_CASE
    assert {r["case"] for r in rows if r["incomplete"] == "true"} >= {BAD_CASE, BROKEN_EVENT, BROKEN_PLAN}
    cal = Calendar.from_ical(due(cli, root, "--format", "ics").out.encode())
    events = [c for c in cal.walk("VEVENT") if str(c["summary"]).startswith(BAD_CASE + ": Case file")]
    assert len(events) == 1 and events[0].decoded("dtstart").isoformat() == TODAY


def test_filters_do_not_hide_an_unreadable_case(cli, root):
    """--program, --rule, --staff, --within and --overdue cannot tell what it hides: it stays."""
    for args in (["--program", "ru-czn-disability"], ["--rule", "ccp.*"], ["--staff", "gsafina"],
                 ["--within", "1d"], ["--overdue"]):
        data = json.loads(due(cli, root, "--format", "json", *args).out)
        assert data[0]["status"] == "invalid", args
    assert json.loads(due(cli, root, "--format", "json", "--case", WHOLE).out)[0]["status"] != "invalid"
    only = json.loads(due(cli, root, "--format", "json", "--status", "invalid").out)
    assert [o["case"] for o in only] == [BAD_CASE]


def test_fail_on(cli, root):
    assert due(cli, root, "--fail-on", "overdue", "--case", BAD_CASE).code == 3  # nothing overdue, but unreadable
    assert due(cli, root, "--fail-on", "invalid").code == 3
    assert due(cli, root, "--fail-on", "invalid", "--case", WHOLE).code == 0
    assert due(cli, root, "--fail-on", "due-soon", "--case", BAD_CASE).code == 3
    (root / "cases" / BAD_CASE / "case.yaml").write_text(
        (root / "cases" / BAD_CASE / "case.yaml").read_text().replace("person:\n", "person:\n  language: en\n", 1))
    assert due(cli, root, "--fail-on", "invalid").code == 0  # repaired: the cache follows


def test_show(cli, root):
    out = cli("show", BAD_CASE, "--caseload", root, "--today", TODAY).out
    assert "invalid" in out and f"cases/{BAD_CASE}/case.yaml:6, 1 error" in out
    out = cli("show", BROKEN_EVENT, "--caseload", root, "--today", TODAY).out
    assert "incomplete" in out
    data = json.loads(cli("show", BAD_CASE, "--caseload", root, "--today", TODAY, "--format", "json").out)
    assert data["obligations"][0]["status"] == "invalid"


@pytest.mark.parametrize("kind", ["dashboard", "outcomes", "registry", "quarterly"])
def test_every_report_writes_its_files_exits_1_and_names_the_missing_case(cli, root, tmp_path, kind):
    out = tmp_path / "reports"
    r = cli("report", kind, "--caseload", root, "--today", TODAY, "--period", "2026-Q4", "--out", out)
    assert r.code == 1, r.err
    assert "wrote" in r.err and f"cases/{BAD_CASE}/case.yaml:6" in r.err and "missing from the figures" in r.err
    assert any(out.rglob("*.*"))
    if kind == "dashboard":
        page = (out / "dashboard.html").read_text()
        box = page.index("Cases that could not be read: 1")
        assert box < page.index("active cases") and f"cases/{BAD_CASE}/case.yaml:6" in page
        assert "Nothing is overdue.</p>" not in page


def test_a_null_case_file_is_invalid_too(cli, root):
    (root / "cases" / WHOLE / "case.yaml").write_text("~\n")
    data = json.loads(due(cli, root, "--format", "json", "--status", "invalid").out)
    assert {(o["case"], o["line"]) for o in data} == {(BAD_CASE, 6), (WHOLE, 1)}


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cached", "uncached"])
def test_the_dashboards_unreadable_box_names_no_case_id_with_redact(cli, root, tmp_path, cache):
    """The box lists file:line of each unreadable case; with --redact the case id in the path is a placeholder
    (a case id is usually the person's name), in the page, on stderr and in --format json alike."""
    out = tmp_path / "out"
    r = cli("report", "dashboard", "--caseload", root, "--today", TODAY, "--out", out, "--redact", "--format", "json",
            *cache)
    page = (out / "dashboard.html").read_text(encoding="utf-8")
    box = page[page.index('aria-label="unreadable cases"'):]
    box = box[:box.index("</section>")]
    for text in (box, r.err, r.out):
        assert "jamal" not in text.casefold() and "carter" not in text.casefold(), text
    assert "<code>cases/case-" in box and "/case.yaml:6</code>" in box
    shown = json.loads(r.out)["unreadable"]
    assert len(shown) == 1 and shown[0]["case"].startswith("case-") and shown[0]["file"].endswith("/case.yaml:6")
    plain = cli("report", "dashboard", "--caseload", root, "--today", TODAY, "--out", tmp_path / "plain", *cache)
    assert f"<code>cases/{BAD_CASE}/case.yaml:6</code>" in (tmp_path / "plain" / "dashboard.html").read_text()  # can fail
    assert plain.code == 1
