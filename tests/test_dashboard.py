"""The dashboard's figures against a hand count, and the page it draws."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from types import SimpleNamespace

from careerpath import load
from careerpath.reports.dashboard import figures, render, stage
from careerpath.period import parse_period
from conftest import copy_samples, TODAY
from test_reports import FILES


def ob(case, rule, due, status, staff=("jsmith",)):
    return SimpleNamespace(case=case, rule=rule, title=rule, due=due, status=status, staff=staff,
                           past_due=status != "done" and due < TODAY)


OBLIGATIONS = [
    ob("amy", "dor.ipe", date(2026, 5, 21), "done"),
    ob("amy", "dor.ipe-review", date(2026, 11, 1), "overdue"),
    ob("amy", "referral.follow-up", date(2026, 12, 1), "due-soon"),
    ob("ivan", "czn.ipra-measures", date(2027, 1, 20), "upcoming", ("reva",)),
    ob("ivan", "czn.plan-service", date(2026, 10, 1), "overdue", ("reva",)),
    ob("ivan", "czn.retention-check", date(2026, 11, 30), "due-soon", ()),
    ob("amy", "se.worksite-monitoring", date(2026, 10, 31), "partial"),
]


def test_figures_match_a_hand_count(caseload):
    cl = load(caseload(FILES))
    cases = [cl.cases[c] for c in sorted(cl.cases)]
    f = figures(cases, OBLIGATIONS, parse_period("2026"), TODAY, "Test Agency")
    assert (f.cases_total, f.cases_active) == (2, 2)
    assert f.obligations_by_status == {"overdue": 2, "partial": 1, "due-soon": 2, "upcoming": 1}
    assert f.obligations_by_staff["jsmith"]["overdue"] == 1 and f.obligations_by_staff["reva"]["overdue"] == 1
    assert f.obligations_by_staff["(unassigned)"]["due-soon"] == 1
    # the chart of past-due work by staff counts what the past-due list shows (the partial month too)
    assert f.past_due_by_staff == {"jsmith": 2, "reva": 1}
    # past due: both overdue items and the partial month whose date has passed
    assert [(o["case"], o["days"], o["status"]) for o in f.overdue] == [
        ("ivan", 52, "overdue"), ("amy", 22, "partial"), ("amy", 21, "overdue")]
    assert f.cases_by_program == {"ca-dor-vr": 1, "ru-czn-disability": 1}
    assert f.languages == {"en": 1, "ru": 1}
    # jobs started in 2026: Invented Books (20 h, 18.5), Invented Bakery (25 h, 19), the factory (40 h, 30000 RUB)
    assert (f.placements, f.cie_placements, f.cie_rate) == (3, 3, 1.0)
    assert f.hours_per_week_median == 25
    assert f.wage_median == {"RUB": 30000, "USD": 18.75}
    # days to job: 2026-01-10 -> 03-01 = 50, -> 05-01 = 111, 2026-02-10 -> 06-01 = 111
    assert f.days_to_job_median == 111
    assert f.stages["ca-dor-vr"] == {"eligible, no IPE": 1}
    assert f.stages["ru-czn-disability"] == {"employed": 1}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.lang, self.text = [], None, []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "html":
            self.lang = dict(attrs).get("lang")

    def handle_data(self, data):
        self.text.append(data)


def test_page_is_self_contained_with_charts(caseload):
    cl = load(caseload(FILES))
    f = figures([cl.cases[c] for c in sorted(cl.cases)], OBLIGATIONS, parse_period("2026"), TODAY, "Test Agency")
    page = render(f, programs=cl.programs, staff=cl.config.staff).text
    parser = _Page()
    parser.feed(page)
    assert parser.lang == "en"
    assert parser.tags.count("svg") >= 4 and "script" not in parser.tags and "link" not in parser.tags
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page
    assert "Иван" not in page and "Amy Invented" not in page  # the dashboard names cases by id only
    # staff by their names in careerpath.yaml, programs by the names their program.yaml gives
    assert "<td>Jordan Smith</td>" in page and "<td>Роза Евдокимова</td>" in page and "<td>jsmith</td>" not in page
    assert "DOR vocational rehabilitation by stage" in page and "ca-dor-vr by stage" not in page
    assert render(f, programs=cl.programs, staff=cl.config.staff).text == page


def _case(enrollments: dict, **more):
    from careerpath.loader import model_of

    return model_of("case", {"id": "x", "person": {"name": "N", "language": "en"}, "enrollments": enrollments, **more})


def test_stages_follow_each_programs_declaration():
    from careerpath.programs import load_programs

    programs = load_programs()
    vr, se, czn = programs.get("ca-dor-vr"), programs.get("ca-dor-se"), programs.get("ru-czn-disability")
    assert stage(_case({"ca-dor-vr": {"applied": "2026-01-01"}}), vr, TODAY) == "applied"
    decided = {"applied": "2026-01-01", "eligibility": {"status": "eligible", "decided": "2026-02-01"}}
    assert stage(_case({"ca-dor-vr": decided}), vr, TODAY) == "eligible, no IPE"
    listed = {**decided, "eligibility": {**decided["eligibility"], "waiting_list": {"placed": "2026-02-01"}}}
    assert stage(_case({"ca-dor-vr": listed}), vr, TODAY) == "waiting list"
    signed = {**decided, "ipe": {"signed": "2026-03-01"}}
    assert stage(_case({"ca-dor-vr": signed}), vr, TODAY) == "IPE in progress"
    job = {"employer": "E", "start": "2026-04-01", "program": "ca-dor-vr"}
    assert stage(_case({"ca-dor-vr": signed}, jobs=[job]), vr, TODAY) == "employed"
    # a job of another program is not this program's placement; an ended job is no job today
    assert stage(_case({"ca-dor-vr": signed}, jobs=[{**job, "program": "ca-dor-se"}]), vr, TODAY) == "IPE in progress"
    assert stage(_case({"ca-dor-vr": signed}, jobs=[{**job, "end": "2026-05-01"}]), vr, TODAY) == "IPE in progress"
    # `on_or_before: today`: a transition dated after today has not happened yet
    assert stage(_case({"ca-dor-se": {"type": "individual", "start": "2026-01-01", "transitioned": "2026-11-01",
                                      "extended_services_source": "RC"}}), se, TODAY) == "extended services"
    assert stage(_case({"ca-dor-se": {"type": "individual", "start": "2026-01-01", "transitioned": "2026-12-01",
                                      "extended_services_source": "RC"}}), se, TODAY) == "job search"
    assert stage(_case({"ru-czn-disability": {"registered": "2026-01-01", "ipra": {"received": "2026-02-01"}}}),
                 czn, TODAY) == "IPRA measures"
    # a closed case is closed in every program, whatever the program's own stages say
    closed = _case({"ru-czn-disability": {"registered": "2026-01-01"}}, status="closed",
                   closure={"date": "2026-06-01", "reason": "moved"})
    assert stage(closed, czn, TODAY) == "closed"


def test_a_program_made_of_data_shows_in_the_dashboard_and_the_outcomes_report(caseload, cli, tmp_path):
    """The toy fifth program (tests/toy_program.py, a folder in the caseload, no Python, no subclassing or
    monkeypatching): its cases are counted under its name, by the stages its program.yaml declares; its
    days to a job count from its declared `start:`, in the dashboard and in the outcomes report, where
    its jobs are listed under its id (CSV) and its name (HTML) and `--program xx-toy` picks them."""
    from toy_program import add_toy

    root = caseload({
        "cases/ann/case.yaml": """\
            id: ann
            person: {name: Ann Invented, language: en}
            staff: {navigator: jsmith}
            enrollments:
              xx-toy: {joined: 2026-03-01}
            jobs:
              - {employer: Invented Cafe, start: 2026-05-01, hours_per_week: 10, wage: 17, currency: USD, integrated: true, program: xx-toy}
            """,
        "cases/bob/case.yaml": """\
            id: bob
            person: {name: Bob Invented, language: en}
            staff: {navigator: jsmith}
            enrollments:
              xx-toy: {joined: 2026-09-01, level: regular, sessions: 4}
              ca-dor-vr: {applied: 2026-01-10}
            jobs:
              - {employer: Invented Books, start: 2026-10-01, end: 2026-10-20, hours_per_week: 20, wage: 18, currency: USD, integrated: true, program: xx-toy}
            """,
        "cases/cy/case.yaml": """\
            id: cy
            person: {name: Cy Invented, language: en}
            staff: {navigator: jsmith}
            enrollments:
              xx-toy: {joined: 2026-10-01}
            """,
    })
    add_toy(root)
    assert cli("validate", "--caseload", root, "--today", TODAY).code == 0
    cl = load(root)
    f = figures([cl.cases[c] for c in sorted(cl.cases)], [], parse_period("2026"), TODAY, "Test Agency", cl.programs)
    assert f.cases_by_program == {"xx-toy": 3, "ca-dor-vr": 1}
    assert f.stages["xx-toy"] == {"employed": 1, "in the club": 2}
    # ann: 2026-03-01 (joined) -> 2026-05-01 = 61; bob: 2026-09-01 (joined, not DOR's 01-10) -> 10-01 = 30
    assert f.days_to_job_median == 45.5
    r = cli("report", "dashboard", "--caseload", root, "--today", TODAY, "--period", "2026", "--out", tmp_path / "out")
    assert r.code == 0, r.err
    page = (tmp_path / "out" / "dashboard.html").read_text()
    assert "Cases by program: DOR vocational rehabilitation 1, Toy job club 3" in page
    assert "Toy job club by stage: employed 1, in the club 2" in page
    assert "<b>45.5</b>median days to job" in page
    # its own locale folder translates its own stages (the caseload's catalogues come first)
    po = root / "programs" / "xx-toy" / "locale" / "ru" / "LC_MESSAGES" / "documents.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "in the club"\nmsgstr "в клубе"\n', encoding="utf-8")
    r = cli("--lang", "ru", "report", "dashboard", "--caseload", root, "--today", TODAY, "--period", "2026",
            "--out", tmp_path / "ru")
    assert r.code == 0, r.err
    assert "в клубе 2" in (tmp_path / "ru" / "dashboard.html").read_text()

    out = tmp_path / "outcomes"
    r = cli("report", "outcomes", "--caseload", root, "--today", TODAY, "--period", "2026", "--program", "xx-toy",
            "--out", out)
    assert r.code == 0, r.err
    rows = (out / "outcomes-2026.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[1:] == [
        "ann,xx-toy,en,Invented Cafe,,2026-05-01,,10,17,USD,yes,61,yes,yes,yes,pending",
        "bob,xx-toy,en,Invented Books,,2026-10-01,2026-10-20,20,18,USD,yes,30,no,no,no,no",
    ]
    html_page = (out / "outcomes-2026.html").read_text()
    assert html_page.count("<td>Toy job club</td>") == 2 and "xx-toy" not in html_page
    # the program's name in the page's language, from its program.yaml `names:`
    r = cli("--lang", "ru", "report", "outcomes", "--caseload", root, "--today", TODAY, "--period", "2026",
            "--out", tmp_path / "ru")
    assert r.code == 0, r.err
    assert "<td>Клуб по трудоустройству</td>" in (tmp_path / "ru" / "outcomes-2026.html").read_text()


# ---------------------------------------------------------------- on the sample caseload

from browser import colour_counts, needs_chromium, screenshot  # noqa: E402
from conftest import SAMPLE  # noqa: E402


def _sample_copy(tmp_path):
    import shutil

    root = tmp_path / "samples"
    copy_samples(root)
    return root


def test_sample_dashboard_matches_a_hand_count(tmp_path, cli):
    root = _sample_copy(tmp_path)
    r = cli("report", "dashboard", "--caseload", root, "--today", TODAY, "--period", "2026", "--out", tmp_path / "out")
    assert r.code == 0, r.err
    page = (tmp_path / "out" / "dashboard.html").read_text()
    # counted by hand from sample-cases/cases/*/case.yaml: 13 cases, 1 closed; five jobs started in 2026,
    # four of them integrated (the group SE crew is not); hours 35, 16, 20, 32, 16 -> median 20;
    # USD wages 18.75, 17.25, 21.50, 18.20 -> median 18.475; RUB 190
    for value, label in (("12", "active cases"), ("5", "placements"),
                         ("80%", "share of placements in competitive integrated employment (CIE)"),
                         ("20", "median hours/week"), ("18.48", "median wage, USD per hour"),
                         ("190", "median wage, RUB per hour")):
        assert f"<b>{value}</b>{label}" in page, label
    # languages: en 3, es 2, hmn 2, hy 2, ru 2, vi 2; programs: ccp 5, dor-vr 8, dor-se 2, czn 2 (by their names)
    assert "People by language: English 3, Spanish 2, Hmong 2, Armenian 2, Russian 2, Vietnamese 2" in page
    assert ("Cases by program: Coordinated Career Pathways (CCP) 5, DOR supported employment 2, "
            "DOR vocational rehabilitation 8, Employment center, disability groups I-III (Russia) 2") in page
    # stages as each program.yaml declares them, counted by hand from the case files
    assert "DOR vocational rehabilitation by stage: IPE in progress 3, applied 2, closed 1, ineligible 1, waiting list 1" in page
    assert "Coordinated Career Pathways (CCP) by stage: career planning 4, employed 1" in page


def test_dashboard_and_rerun_change_nothing(tmp_path, cli):
    root = _sample_copy(tmp_path)
    args = ("report", "dashboard", "--caseload", root, "--today", TODAY, "--out", tmp_path / "out", "--quiet")
    assert cli(*args).code == 0
    first = (tmp_path / "out" / "dashboard.html").read_bytes()
    assert cli(*args).code == 0
    assert (tmp_path / "out" / "dashboard.html").read_bytes() == first
    assert not any((root / ".careerpath").glob("*.tmp"))


@needs_chromium
def test_dashboard_charts_show_in_chromium(tmp_path, cli):
    root = _sample_copy(tmp_path)
    assert cli("report", "dashboard", "--caseload", root, "--today", TODAY, "--out", tmp_path / "out").code == 0
    colours = colour_counts(screenshot(tmp_path / "out" / "dashboard.html", tmp_path / "dash.png", 1200, 1600))
    assert colours.get((0xB0, 0x00, 0x20), 0) > 500      # the overdue bars
    assert colours.get((0x2B, 0x6C, 0xB0), 0) > 500      # upcoming and program bars
    assert colours.get((255, 255, 255), 0) > 1200 * 1600 // 3   # a page, not a smear


def test_the_dashboard_speaks_the_language_asked_for(caseload, cli, tmp_path):
    """Its words from the documents catalogue, program names from program.yaml, stage names translated;
    an unreviewed catalogue says so on the page."""
    root = caseload(FILES)
    r = cli("--lang", "ru", "report", "dashboard", "--caseload", root, "--today", TODAY, "--period", "2026",
            "--out", tmp_path / "out")
    assert r.code == 0, r.err
    page = (tmp_path / "out" / "dashboard.html").read_text()
    assert '<html lang="ru">' in page and "<h2>Дела по программам и этапам</h2>" in page
    assert "Профессиональная реабилитация DOR: по этапам: право на услуги есть, IPE нет 1" in page
    assert '<p class="review">Перевод ещё не проверен носителем языка.</p>' in page
    assert "<th scope=\"col\">просрочено</th>" in page and "Open obligations" not in page
    # the caseload's default language when none is asked for
    (root / "careerpath.yaml").write_text((root / "careerpath.yaml").read_text().replace("default_language: en",
                                                                                         "default_language: es"))
    assert cli("report", "dashboard", "--caseload", root, "--today", TODAY, "--out", tmp_path / "es").code == 0
    assert '<html lang="es">' in (tmp_path / "es" / "dashboard.html").read_text()


def test_a_caseload_overrides_the_dashboard_and_untranslated_words_fall_back_whole(caseload, cli, tmp_path):
    """An override is used; when it brings words the catalogue lacks, the page is written in English
    (never half in one language), and stderr says so."""
    from careerpath.documents.engine import builtin_templates

    root = caseload(FILES)
    (root / "templates").mkdir()
    text = (builtin_templates() / "report-dashboard.html.j2").read_text()
    (root / "templates/report-dashboard.html.j2").write_text(
        text.replace("{% block body %}\n", '{% block body %}\n<p>{{ _("Words no catalogue has yet") }}</p>\n'))
    r = cli("--lang", "ru", "report", "dashboard", "--caseload", root, "--today", TODAY, "--out", tmp_path / "out")
    assert r.code == 0, r.err
    page = (tmp_path / "out" / "dashboard.html").read_text()
    assert '<html lang="en">' in page and "<p>Words no catalogue has yet</p>" in page and "Open obligations" in page
    # the note itself is in the user's language (a Message), naming the page and both languages
    assert "у report-dashboard.html.j2 нет полного перевода на язык 'ru'; записано на 'en'" in r.err
