"""`careerpath report`: periods, outcomes, Russian registries, cron behaviour (lock, reruns, exit codes)."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date

import pytest

from careerpath.reports.outcomes import retention
from careerpath.period import PeriodError, last_complete_quarter, parse_period
from conftest import copy_samples, ROOT, TODAY, run_process
from dateutil.relativedelta import relativedelta

FILES = {
    "cases/ivan/case.yaml": """\
    id: ivan
    person: {name: Иван Вымышленный, language: ru}
    identifiers: {snils: "112-233-445 95"}
    enrollments:
      ru-czn-disability:
        registered: 2026-02-10
        curator: reva
        disability: {group: 2}
        ipra:
          number: "1533.33.16/2026"
          protocol_date: 2026-01-20
          received: 2026-02-01
          measures_due: 2027-01-20
          measures:
            - {name: Профессиональная ориентация, from: 2026-02-15, to: 2026-06-01, executor: ЦЗН, done: 2026-05-20}
            - {name: Содействие в поиске подходящей работы, from: 2026-03-01, to: 2026-12-01, executor: ЦЗН}
    jobs:
      - {employer: Вымышленный завод, start: 2026-06-01, hours_per_week: 40, wage: 30000, currency: RUB, integrated: true, program: ru-czn-disability}
    """,
    "cases/ivan/referrals/2026-03-05-psych.yaml": """\
    date: 2026-03-05
    to: Вымышленный центр реабилитации
    kind: psychological-support
    documents: [passport, work-record-book, ipra, consent]
    consent: agreed
    follow_up: 2026-04-05
    """,
    "cases/amy/case.yaml": """\
    id: amy
    person: {name: Amy Invented, language: en}
    staff: {counselor: jsmith}
    enrollments:
      ca-dor-vr: {applied: 2026-01-10, eligibility: {status: eligible, decided: 2026-02-20}}
    jobs:
      - {employer: Invented Books, start: 2026-03-01, end: 2026-04-15, hours_per_week: 20, wage: 18.5, currency: USD, integrated: true, program: ca-dor-vr}
      - {employer: Invented Bakery, start: 2026-05-01, hours_per_week: 25, wage: 19, currency: USD, integrated: true}
    """,
}


@pytest.mark.parametrize("text, start, end", [
    ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
    ("2026-q1", date(2026, 1, 1), date(2026, 3, 31)),
    ("2028-02", date(2028, 2, 1), date(2028, 2, 29)),
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
])
def test_periods(text, start, end):
    p = parse_period(text)
    assert (p.start, p.end) == (start, end)


@pytest.mark.parametrize("bad", ["2026-Q5", "2026-13", "26", "Q3", "2026-Q3 extra"])
def test_bad_periods(bad):
    with pytest.raises(PeriodError):
        parse_period(bad)


def test_last_complete_quarter():
    assert last_complete_quarter(date(2026, 11, 22)).label == "2026-Q3"
    assert last_complete_quarter(date(2026, 1, 5)).label == "2025-Q4"


def test_retention_checkpoints():
    start = date(2026, 3, 1)
    assert retention(start, date(2026, 4, 15), relativedelta(days=30), TODAY) == "yes"
    assert retention(start, date(2026, 4, 15), relativedelta(days=90), TODAY) == "no"
    assert retention(date(2026, 10, 1), None, relativedelta(months=6), TODAY) == "pending"


def test_outcomes_csv_one_row_per_job(caseload, cli):
    root = caseload(FILES)
    r = cli("report", "outcomes", "--caseload", root, "--today", TODAY, "--period", "2026", "--out", root / "out")
    assert r.code == 0, r.err
    raw = (root / "out/outcomes-2026.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("case,program,language,employer")
    rows = {tuple(l.split(",")[:4]) for l in lines[1:]}
    assert rows == {("amy", "ca-dor-vr", "en", "Invented Books"), ("amy", "", "en", "Invented Bakery"),
                    ("ivan", "ru-czn-disability", "ru", "Вымышленный завод")}
    books = next(l for l in lines if "Invented Books" in l).split(",")
    assert books[11:] == ["50", "yes", "no", "no", "no"]  # 2026-01-10 -> 2026-03-01; left after 45 days
    assert "wrote" in r.err and "outcomes-2026.csv" in r.err
    # the same rows for people: program names instead of ids, in a page from report-outcomes.html.j2
    page = (root / "out/outcomes-2026.html").read_text()
    assert "<title>Employment outcomes 2026</title>" in page and page.count("<tr><td>") == 3
    assert "<td>DOR vocational rehabilitation</td>" in page and "<td>ca-dor-vr</td>" not in page


def test_registry_csv_and_html_in_russian(caseload, cli):
    root = caseload(FILES)
    r = cli("report", "registry", "--caseload", root, "--today", TODAY, "--period", "2026", "--out", root / "out")
    assert r.code == 0, r.err
    recipients = (root / "out/registry-recipients-2026.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(recipients) == 2 and recipients[1].startswith("1,ivan,Иван Вымышленный,2,10.02.2026,Роза Евдокимова,1533.33.16/2026")
    psych = (root / "out/registry-psych-referrals-2026.csv").read_text(encoding="utf-8-sig")
    assert "05.03.2026" in psych and "согласен" in psych and "ожидается заключение" in psych
    ipra = (root / "out/registry-ipra-lists-2026.csv").read_text(encoding="utf-8-sig")
    assert "1/2" in ipra and "20.01.2027" in ipra
    page = (root / "out/registry-recipients-2026.html").read_text()
    assert '<html lang="ru">' in page and "Реестр получателей" in page and "<script" not in page and "http" not in page
    # a period the citizen's registration does not touch gives an empty registry
    cli("report", "registry", "--caseload", root, "--today", TODAY, "--period", "2025", "--out", root / "out")
    assert len((root / "out/registry-recipients-2025.csv").read_text(encoding="utf-8-sig").splitlines()) == 1


def test_rerun_changes_no_byte_and_files_are_private(caseload, cli):
    root = caseload(FILES)
    args = ("--caseload", root, "--today", TODAY, "--period", "2026", "--out", root / "out", "--quiet")
    assert cli("report", "registry", *args).code == 0
    first = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (root / "out").iterdir()}
    assert cli("report", "registry", *args).code == 0
    second = {p.name: p.read_bytes() for p in (root / "out").iterdir()}
    assert {k: v[0] for k, v in first.items()} == second
    assert all((root / "out" / name).stat().st_mode & 0o077 == 0 for name in second)


def test_filters_and_usage_errors(caseload, cli):
    root = caseload(FILES)
    out = root / "out"
    assert cli("report", "outcomes", "--caseload", root, "--today", TODAY, "--staff", "jsmith", "--out", out).code == 0
    lines = (out / "outcomes-2026.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    assert {l.split(",")[0] for l in lines} == {"amy"}
    # ivan's curator is named only in his enrollment (a `type: staff` field of the program): he is hers
    assert cli("report", "outcomes", "--caseload", root, "--today", TODAY, "--staff", "reva", "--out", out).code == 0
    lines = (out / "outcomes-2026.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    assert {l.split(",")[0] for l in lines} == {"ivan"}
    assert cli("report", "nonsense", "--caseload", root).code == 2
    assert cli("report", "outcomes", "--caseload", root, "--period", "2026-Q9").code == 2
    assert cli("report", "outcomes", "--caseload", root, "--case", "nobody").code == 2


def test_a_held_lock_makes_the_second_run_exit_75_after_the_wait(caseload):
    root = caseload(FILES)
    (root / ".careerpath").mkdir()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time, filelock\n"
        f"lock = filelock.FileLock({str(root / '.careerpath/lock')!r}); lock.acquire()\n"
        "print('held', flush=True); time.sleep(30)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        r = run_process("report", "outcomes", "--caseload", root, "--today", TODAY, "--wait", "1", "--out", root / "out")
        waited = time.monotonic() - started
        assert r.code == 75, r.err
        assert "lock" in r.err and "Traceback" not in r.err
        assert waited >= 1.0
        assert not (root / "out").exists()
    finally:
        holder.kill()
        holder.wait()
    # the holder is gone (even killed, the lock frees): the next run goes through
    assert run_process("report", "outcomes", "--caseload", root, "--today", TODAY, "--out", root / "out").code == 0


def test_a_failed_output_exits_1_and_the_others_are_written(caseload, cli, monkeypatch):
    from careerpath.fsio import WriteError
    from careerpath.reports import output

    real = output.atomic_write

    def flaky(path, data, **kw):
        if "psych" in str(path):
            raise WriteError(f"cannot write {path}: No space left on device")
        return real(path, data, **kw)

    monkeypatch.setattr(output, "atomic_write", flaky)
    root = caseload(FILES)
    r = cli("report", "registry", "--caseload", root, "--today", TODAY, "--period", "2026", "--out", root / "out")
    assert r.code == 1
    assert "failed registry-psych-referrals-2026.csv" in r.err
    written = sorted(p.name for p in (root / "out").iterdir())
    assert "registry-recipients-2026.csv" in written and not any("psych" in n for n in written)


@pytest.mark.skipif(__import__("shutil").which("git") is None, reason="git is not installed")
def test_commit_puts_the_reports_in_one_commit_naming_the_period(caseload, cli):
    root = caseload(FILES)

    def git(*args):
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout

    git("init", "-q")
    git("config", "user.name", "Report Runner")
    git("config", "user.email", "runner@example.invalid")
    (root / ".gitignore").write_text(".careerpath/\nreports/\n")
    git("add", "-A")
    git("commit", "-qm", "caseload")
    (root / "careerpath.yaml").write_text((root / "careerpath.yaml").read_text() + "# staged, unrelated\n")
    git("add", "careerpath.yaml")
    args = ("report", "registry", "--caseload", root, "--today", TODAY, "--period", "2026", "--commit")
    r = cli(*args)
    assert r.code == 0, r.err
    assert git("log", "-1", "--format=%s%n%an").splitlines() == ["report registry 2026", "Report Runner"]
    files = set(git("show", "--name-only", "--format=", "HEAD").split())
    assert files == {f"reports/registry-{k}-2026.{ext}" for k in ("recipients", "portrait", "feedback", "psych-referrals", "ipra-lists")
                     for ext in ("csv", "html")}
    assert "Period: 2026" in git("log", "-1", "--format=%B")
    assert git("diff", "--cached", "--name-only").split() == ["careerpath.yaml"]  # still staged, not committed
    head = git("rev-parse", "HEAD")
    r = cli(*args)  # same inputs: nothing new to commit
    assert r.code == 0 and git("rev-parse", "HEAD") == head and "nothing committed" in r.err


def test_quarterly_reports_every_ccp_case_active_in_the_period_with_an_index(tmp_path, cli):
    import shutil

    from conftest import SAMPLE

    root = tmp_path / "samples"
    copy_samples(root)
    out = tmp_path / "out"
    args = ("report", "quarterly", "--caseload", root, "--today", TODAY, "--period", "2026-Q3", "--out", out)
    r = cli(*args)
    assert r.code == 0, r.err
    folder = out / "quarterly-2026-Q3"
    files = sorted(p.name for p in folder.iterdir())
    # every CCP case of the samples is active in Q3 2026 (checked by hand against sample-cases/cases/*/case.yaml)
    ccp = sorted(p.parent.name for p in (root / "cases").glob("*/case.yaml") if "  ca-dds-ccp:" in p.read_text())
    assert sorted({f.split(".")[0] for f in files if f != "index.html"}) == ccp
    assert "index.html" in files
    # Spanish speakers get a Spanish report and the agency's English one
    assert {"marco-delgado.es.html", "marco-delgado.en.html"} <= set(files)
    assert '<html lang="es"' in (folder / "marco-delgado.es.html").read_text()
    index = (folder / "index.html").read_text()
    assert all(f'href="{f}"' in index for f in files if f != "index.html")
    assert "<h1>Quarterly reports 2026-Q3</h1>" in index and "CCP" not in index
    before = {f: (folder / f).read_bytes() for f in files}
    assert cli(*args).code == 0
    assert {f: (folder / f).read_bytes() for f in files} == before  # a rerun changes no byte
    # a period before any CCP enrollment gives an empty index and no reports
    cli("report", "quarterly", "--caseload", root, "--today", TODAY, "--period", "2020-Q1", "--out", out)
    assert sorted(p.name for p in (out / "quarterly-2020-Q1").iterdir()) == ["index.html"]


def test_the_quarterly_report_covers_every_program_that_lists_it(caseload, cli, tmp_path):
    """Which cases get a quarterly report is read from the programs: those whose program.yaml lists
    the quarterly-report document kind (here a caseload's own program, data only), enrolled in the quarter."""
    from toy_program import TOY_PROGRAM, add_toy

    root = caseload({
        "cases/ann/case.yaml": "id: ann\nperson: {name: Ann Invented, language: en}\nenrollments:\n"
                               "  xx-toy: {joined: 2026-08-01}\n",
        "cases/bob/case.yaml": "id: bob\nperson: {name: Bob Invented, language: en}\nenrollments:\n"
                               "  xx-toy: {joined: 2026-01-05, left: 2026-06-30}\n",
        "cases/cy/case.yaml": "id: cy\nperson: {name: Cy Invented, language: en}\nenrollments:\n"
                              "  xx-toy: {joined: 2026-10-01}\n",
        "cases/dee/case.yaml": FILES["cases/amy/case.yaml"].replace("id: amy", "id: dee"),
    })
    add_toy(root, TOY_PROGRAM.replace("documents: [toy-card, interpreter-request]",
                                      "documents: [toy-card, interpreter-request, quarterly-report]"))
    out = tmp_path / "out"
    r = cli("report", "quarterly", "--caseload", root, "--today", TODAY, "--period", "2026-Q3", "--out", out)
    index = (out / "quarterly-2026-Q3" / "index.html").read_text()
    # ann joined in Q3; bob left before it, cy joined after it; dee's program has no quarterly report
    assert index.count("<tr><td>") == 1 and "<tr><td>ann</td>" in index, index
    # the toy program's people lack what the CCP report prints (a navigator, a plan): listed, not rendered
    assert r.code == 1 and "not rendered: cannot render quarterly-report for case ann: missing data" in index


def test_no_report_module_names_a_program_or_an_enrollment_field():
    """Reports read what programs declare (stages, start, end, registries, staff fields): no program id,
    and no field a program declares for its enrollments, is written in careerpath/reports/, history.py
    or the report pages' templates."""
    import re

    from careerpath import models
    from careerpath.programs import load_programs

    files = sorted((ROOT / "careerpath" / "reports").glob("*.py")) + [ROOT / "careerpath" / "history.py"]
    files += sorted((ROOT / "templates").glob("report-*.html.j2")) + sorted((ROOT / "templates").glob("_report*"))
    assert len(files) > 12
    ids = re.compile(r"ca_dds_ccp|ca_dor_vr|ca_dor_se|ru_czn_disability|ca-dds-ccp|ca-dor-vr|ca-dor-se|ru-czn-disability")
    # an enrollment field, unless the core models use the same word (a job has a start and an end too)
    core = {name for cls in vars(models).values() if isinstance(cls, type) and issubclass(cls, models.Model)
            for name in cls.model_fields} | {"from", "type", "name", "date", "status", "to", "reason", "number", "group"}
    fields = {path[-1] for p in load_programs() for path, _spec in p.walk() if path[-1] != "*"} - core
    assert {"registered", "ipra", "applied", "eligibility", "transitioned", "basis", "service_coordinator"} <= fields
    attribute = re.compile(r"(?:\.|\[[\"'])(" + "|".join(sorted(map(re.escape, fields))) + r")\b")
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not ids.search(text), (path.name, ids.search(text).group(0))
        found = attribute.search(text)
        assert not found, (path.name, found.group(0))


GOLDEN = ROOT / "tests" / "golden" / "reports"


@pytest.mark.parametrize("kind", ["registry", "outcomes", "dashboard"])
def test_sample_reports_match_their_goldens(kind, tmp_path, cli):
    """The sample caseload's reports, byte for byte. The registries and the outcomes CSV are what the
    hand-written registry.py and outcomes.py wrote before they became program data and templates;
    the dashboard shows names instead of ids since then. UPDATE_GOLDEN=1 rewrites them."""
    import os

    root = copy_samples(tmp_path / "samples")
    out = tmp_path / "out"
    r = cli("report", kind, "--caseload", root, "--today", TODAY, "--period", "2026", "--out", out, "--quiet")
    assert r.code == 0, r.err
    written = sorted(p.name for p in out.iterdir())
    assert written
    for name in written:
        golden = GOLDEN / name
        if os.environ.get("UPDATE_GOLDEN") == "1":
            golden.write_bytes((out / name).read_bytes())
        assert golden.is_file(), f"missing golden {name}: UPDATE_GOLDEN=1 pytest tests/test_reports.py"
        assert (out / name).read_bytes() == golden.read_bytes(), f"{name} differs (UPDATE_GOLDEN=1 to accept)"


def sample_personal_values(root) -> set[str]:
    """Every personal value in the sample caseload, read from the loaded files (names, dates, numbers)."""
    from careerpath import load

    values: set[str] = set()
    for cf in load(root).cases.values():
        c = cf.model
        p = c.person
        values |= {p.name, *p.name.split(), p.preferred_name or "", p.phone or "", p.email or "", p.address or ""}
        if p.birth_date:
            values |= {p.birth_date.isoformat(), p.birth_date.strftime("%d.%m.%Y"), p.birth_date.strftime("%m/%d/%Y")}
        if p.representative:
            values |= {p.representative.name, p.representative.phone or ""}
        values |= {v for v in c.identifiers.model_dump().values() if v}
        ccp = c.enrollments.ca_dds_ccp
        if ccp and ccp.service_coordinator:
            values.add(ccp.service_coordinator)
    return {v for v in values if len(v) >= 4}  # short name parts (e.g. "An") would match ordinary words


@pytest.mark.parametrize("kind", ["dashboard", "quarterly", "registry", "outcomes"])
def test_redacted_reports_hold_no_personal_value(kind, tmp_path, cli):
    import shutil

    from conftest import SAMPLE

    root = tmp_path / "samples"
    copy_samples(root)
    out = tmp_path / "out"
    r = cli("report", kind, "--caseload", root, "--today", TODAY, "--period", "2026-Q3", "--out", out, "--redact")
    assert r.code == 0, r.err
    secrets = sample_personal_values(root)
    assert len(secrets) > 40
    written = [p for p in out.rglob("*") if p.is_file()]
    assert written
    for path in written:
        text = path.read_text(encoding="utf-8-sig")
        leaked = sorted(s for s in secrets if s in text)
        assert not leaked, (path.name, leaked)
    # the same report without --redact does carry names where the document needs them (control)
    if kind in ("quarterly", "registry"):
        cli("report", kind, "--caseload", root, "--today", TODAY, "--period", "2026-Q3", "--out", tmp_path / "plain")
        assert any(s in p.read_text(encoding="utf-8-sig") for p in (tmp_path / "plain").rglob("*.*") for s in secrets)


def test_a_lapsed_ccp_authorization_ends_the_quarterly_reports_after_its_final_quarter(tmp_path, cli):
    """One end for `due` and the reports (FORMAT.md, "When an enrollment ends"): a CCP authorization that
    lapses mid-quarter with no extension ends the enrollment there. The report of that quarter is still
    made (and still due), none after. Hand-computed: authorized_until 2026-08-15 lies in 2026-Q3."""
    import json

    root = tmp_path / "samples"
    copy_samples(root)
    case = root / "cases" / "sofia-ramirez" / "case.yaml"
    text = case.read_text(encoding="utf-8")
    assert "authorized_until: 2026-12-15" in text
    case.write_text(text.replace("authorized_until: 2026-12-15", "authorized_until: 2026-08-15"), encoding="utf-8")
    out = tmp_path / "out"
    for period, expected in (("2026-Q3", True), ("2026-Q4", False)):
        r = cli("report", "quarterly", "--caseload", root, "--today", TODAY, "--period", period, "--out", out)
        assert r.code == 0, r.err
        index = (out / f"quarterly-{period}" / "index.html").read_text()
        assert ("<tr><td>sofia-ramirez</td>" in index) is expected, (period, index)
    r = cli("due", "--caseload", root, "--today", TODAY, "--all", "--case", "sofia-ramirez", "--rule",
            "ccp.quarterly-report", "--format", "json")
    items = sorted(o["item"] for o in json.loads(r.out))
    assert items and items[-1] == "2026-Q3", items  # the final partial quarter's report, nothing after
