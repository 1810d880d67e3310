"""What the programs still ask (issue 20): document content that was wrong, referral details, a
benefits-planning referral. Figures and expected text are written out by hand from the inline cases."""

from __future__ import annotations

import re
from datetime import date

import pytest

from conftest import CONFIG, TODAY, write_tree
from doc_cases import CASES

from careerpath.documents import engine, render
from careerpath.loader import load

SE_JOB = ("- {employer: Sunrise Bakery, title: Baker assistant, start: 2026-09-15, hours_per_week: 20, "
          "wage: 18.50, currency: USD, integrated: true, program: ca-dor-se}")


def caseload(tmp_path, **changes: str):
    """The documents' inline caseload with some files replaced (path -> text)."""
    files = {"careerpath.yaml": CONFIG, **CASES, **changes}
    cl = load(write_tree(tmp_path / "caseload", files))
    assert not [d for d in cl.diagnostics if d.severity == "error"], cl.diagnostics
    return cl


@pytest.fixture(scope="module")
def inline(tmp_path_factory):
    return caseload(tmp_path_factory.mktemp("asks"))


# ---------------------------------------------------------------- ipe-se: integrated only when it is

COWORKERS = "You work next to coworkers without disabilities."
GOAL = "Your goal is an integrated job: you work next to coworkers without disabilities"
GROUP = "Your job now is not yet integrated"


def ipe(tmp_path, job_line: str) -> str:
    case = CASES["cases/an-nguyen/case.yaml"].replace(SE_JOB, job_line)
    assert case != CASES["cases/an-nguyen/case.yaml"] or job_line == SE_JOB
    return render(caseload(tmp_path, **{"cases/an-nguyen/case.yaml": case}), "ipe-se", "an-nguyen",
                  today=TODAY, lang="en").text


def test_ipe_se_says_coworkers_without_disabilities_only_of_an_integrated_job(inline, tmp_path):
    integrated = render(inline, "ipe-se", "an-nguyen", today=TODAY, lang="en").text
    assert COWORKERS in integrated and GROUP not in integrated
    crew = ipe(tmp_path / "crew", SE_JOB.replace("integrated: true", "integrated: false"))
    assert COWORKERS not in crew and GROUP in crew and GOAL in crew  # the group crew: the goal, not a fact
    unknown = ipe(tmp_path / "unknown", SE_JOB.replace(", integrated: true", ""))
    assert COWORKERS not in unknown and GROUP not in unknown and GOAL in unknown
    ended = ipe(tmp_path / "ended", SE_JOB.replace("start: 2026-09-15", "start: 2026-09-15, end: 2026-10-01"))
    assert COWORKERS not in ended and GOAL in ended  # no current job: the goal only


# ---------------------------------------------------------------- referral-rc

def test_referral_rc_names_the_coordinator_once_and_prints_the_reason(tmp_path):
    ref = """\
        date: 2026-10-09
        to: San Andreas Regional Center (service coordinator Maria Lopez)
        kind: regional-center
        reason: Paratransit eligibility, to get to work without a family member driving.
        """
    cl = caseload(tmp_path, **{"cases/an-nguyen/referrals/2026-10-09-rc.yaml": ref})
    text = render(cl, "referral-rc", "an-nguyen", today=TODAY, lang="en").text
    head = text.split("## Person referred")[0]
    assert head.count("Maria Lopez") == 1 and "**Service coordinator:**" not in head
    assert "> Paratransit eligibility, to get to work without a family member driving." in text
    assert "_" * 70 not in text.split("## Reason for the referral")[1]  # no write-in lines


def test_referral_rc_without_a_reason_keeps_lines_to_write_it_in(inline):
    text = render(inline, "referral-rc", "an-nguyen", today=TODAY, lang="en").text
    head = text.split("## Person referred")[0]
    assert "**To:** San Andreas Regional Center" in head and "**Service coordinator:** Maria Lopez" in head
    reason = text.split("## Reason for the referral")[1].split("##")[0]
    assert reason.count("_" * 70) == 3


# ---------------------------------------------------------------- ЦЗН consent form

def test_the_consent_form_is_left_for_the_citizen_to_mark(inline):
    text = render(inline, "referral-psych", "olga-ivanova", today=TODAY).text  # the file says consent: agreed
    assert "- [ ] Согласен(на)" in text and "- [ ] Не согласен(на)" in text and "- [x] Согласен" not in text


# ---------------------------------------------------------------- dates and pages in print

def test_html_dates_are_kept_whole(inline):
    html_doc = render(inline, "czn-plan", "olga-ivanova", today=TODAY, fmt="html").text
    assert '<td role="cell" data-label="Срок исполнения"><span class="date">23 мая 2026\u202fг.</span></td>' in html_doc
    assert ".date { white-space: nowrap; hyphens: manual; }" in html_doc
    md = render(inline, "czn-plan", "olga-ivanova", today=TODAY).text
    assert "class=" not in md and "| 23 мая 2026\u202fг. |" in md  # Markdown gets the plain text


def test_split_copies_gives_each_copy_the_title_and_footer():
    html_doc = ("<html><head><title>T</title></head><body><main>\n<h1>T</h1>\n<p>one</p>\n"
                f"{engine.COPY_BREAK}\n<p>two</p>\n<footer><p>F</p></footer>\n</main>\n</body>\n</html>\n")
    parts = engine.split_copies(html_doc)
    assert len(parts) == 2
    assert all(p.count("<h1>T</h1>") == 1 and p.count("<footer><p>F</p></footer>") == 1 for p in parts)
    assert "one" in parts[0] and "two" not in parts[0] and "two" in parts[1] and "one" not in parts[1]
    assert engine.split_copies("<main><h1>T</h1>x</main>") == ["<main><h1>T</h1>x</main>"]


def _texts(box):
    if type(box).__name__ == "TextBox":
        yield box.text
    for child in getattr(box, "children", None) or []:
        yield from _texts(child)


MONTHS_RU = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
             "октября", "ноября", "декабря")


def test_pdf_copies_count_their_own_pages_and_dates_are_not_hyphenated(tmp_path):
    pytest.importorskip("weasyprint", reason="the careerpath[pdf] extra is not installed")
    # enough services that one copy of the plan takes more than one A4 page
    services = "services:\n" + "".join(
        f"  - {{name: Профессиональное обучение и дополнительное профессиональное образование {i}, "
        f"program: ru-czn-disability, due: 2026-09-{10 + i}, result: Проведено профессиональное обучение}}\n"
        for i in range(14))
    cl = caseload(tmp_path, **{"cases/olga-ivanova/plan.yaml": services})
    html_doc = render(cl, "czn-plan", "olga-ivanova", today=TODAY, fmt="html").text
    pages = engine.pdf_layout(html_doc, "a4").pages
    numbers = [next(t for t in _texts(p._page_box) if re.fullmatch(r"\d+ / \d+", t)) for p in pages]
    half = len(pages) // 2
    assert len(pages) % 2 == 0 and half >= 2
    assert numbers == [f"{i} / {half}" for i in range(1, half + 1)] * 2  # each copy: 1 / n … n / n
    texts = [t for p in pages for t in _texts(p._page_box)]
    assert any("сентября" in t for t in texts)
    broken = [t for t in texts if t.endswith(("-", "\u2010", "\u00ad"))
              and any(m.startswith(t.split()[-1].rstrip("-\u2010\u00ad")) for m in MONTHS_RU)]
    assert broken == []


# ---------------------------------------------------------------- referral details

INTERP = """\
    date: 2026-10-05
    to: County Language Line
    kind: interpreter
    reason: Vietnamese interpreter for the IPP meeting.
    meeting: {date: 2026-10-20, time: "14:30", place: "San Andreas Regional Center, room 4", mode: in-person}
    """


def test_the_interpreter_request_prints_the_meeting(tmp_path):
    cl = caseload(tmp_path, **{"cases/an-nguyen/referrals/2026-10-05-interp.yaml": INTERP})
    text = render(cl, "interpreter-request", "an-nguyen", today=TODAY, lang="en").text
    when = text.split("## When and where")[1]
    for line in ("- **Meeting date:** October 20, 2026", "- **Time:** 14:30",
                 "- **Place:** San Andreas Regional Center, room 4", "- **How:** in person",
                 "Vietnamese interpreter for the IPP meeting."):
        assert line in when
    assert "_" * 70 not in when
    ru = render(cl, "interpreter-request", "an-nguyen", today=TODAY, lang="ru").text
    assert "- **Как:** лично" in ru and "- **Дата встречи:** 20 октября 2026\u202fг." in ru


def test_a_meeting_is_checked(tmp_path):
    bad = INTERP.replace('time: "14:30"', 'time: "25:00"').replace("mode: in-person", "mode: carrier-pigeon")
    cl = load(write_tree(tmp_path / "c", {"careerpath.yaml": CONFIG, **CASES,
                                         "cases/an-nguyen/referrals/2026-10-05-interp.yaml": bad}))
    errors = [d.format() for d in cl.diagnostics if d.severity == "error"]
    assert any("meeting.time" in e for e in errors) and any("meeting.mode" in e for e in errors), errors


def test_ineligibility_consultation_and_evidence_are_ticked(inline, tmp_path):
    before = render(inline, "ineligibility-checklist", "maria-lopez", today=TODAY, lang="en").text
    assert "- [ ] That DOR talked with the person" in before and "- [ ] The evidence is clear" in before
    case = CASES["cases/maria-lopez/case.yaml"].replace(
        "cap_info: false}", "cap_info: false, consulted: 2026-06-20, evidence: trial-work-experience}")
    cl = caseload(tmp_path, **{"cases/maria-lopez/case.yaml": case})
    text = render(cl, "ineligibility-checklist", "maria-lopez", today=TODAY, lang="en").text
    assert "- [x] That DOR talked with the person" in text and "- [x] The evidence is clear" in text
    assert "- **Talked with the person:** June 20, 2026" in text
    assert "- **Evidence considered:** a trial work experience with supports" in text


def test_benefits_planning_is_a_referral_kind(tmp_path):
    ref = """\
        date: 2026-11-02
        to: Work incentives planner, Disability Benefits 101
        kind: benefits-planning
        reason: SSI and a first paycheck.
        follow_up: 2026-11-30
        """
    cl = caseload(tmp_path, **{"cases/an-nguyen/referrals/2026-11-02-benefits.yaml": ref})
    refs = [r.model for r in cl.cases["an-nguyen"].referrals if r.model.kind == "benefits-planning"]
    assert [r.reason for r in refs] == ["SSI and a first paycheck."]


# ---------------------------------------------------------------- the ЦЗН service catalogue

def test_the_czn_catalogue_holds_the_seeds_49_services():
    from careerpath.programs import load_programs

    services = load_programs().get("ru-czn-disability").services
    assert len(services) == 49  # seed 004: «Всего 49 услуг»
    assert len({s.id for s in services}) == len({s.name for s in services}) == 49
    assert all(s.gloss for s in services)
    assert services[0].name == "Содействие гражданам в поиске подходящей работы"


def test_a_plan_service_names_the_catalogue_by_id_or_name_and_a_near_miss_gets_a_suggestion(tmp_path):
    from careerpath.checks import validate

    plan = """\
        services:
          - {name: psychological-support, program: ru-czn-disability, due: 2026-05-23}
          - {name: Содействие гражданам в поиске подходящей работы, program: ru-czn-disability, due: 2026-06-01}
          - {name: Профессиональная ориентация, program: ru-czn-disability, due: 2026-04-01}
          - {name: Составление резюмэ, program: ru-czn-disability, due: 2026-04-02}
          - {name: Уборка снега, program: ru-czn-disability, due: 2026-04-03}
          - {name: Something else, due: 2026-04-03}
        """
    cl = caseload(tmp_path, **{"cases/olga-ivanova/plan.yaml": plan})
    found = [(d.line, d.hint) for d in validate(cl, TODAY) if d.code == "unknown-service"]
    # lines 4-6 of plan.yaml: the short form and the misspelling get a suggestion, the unknown one the file
    assert found == [(4, "did you mean `vocational-guidance`?"), (5, "did you mean `resume`?"),
                     (6, "the program's `services.yaml` lists each service's id and name")]
    text = render(cl, "czn-plan", "olga-ivanova", today=TODAY).text
    assert "| 1 | Психологическая поддержка безработных граждан | 23 мая 2026\u202fг. |" in text  # the id, printed by name
    assert "| 3 | Профессиональная ориентация |" in text  # an unknown name, as written


# ---------------------------------------------------------------- the feedback journal

def _feedback(day: str, rating, channel: str, *, anonymous: bool = False, text: str = "") -> str:
    lines = [f"date: {day}", "type: feedback", "by: reva", "program: ru-czn-disability", f"channel: {channel}"]
    if rating is not None:
        lines.append(f"rating: {rating}")
    if text:
        lines.append(f"text: {text}")
    if anonymous:
        lines.append("anonymous: true")
    return "\n".join(lines) + "\n"


FEEDBACK = {  # 2026: Q1 two (5, 3), Q2 none, Q3 three (4, 2, unrated), Q4 one (4); one in 2025 left out
    "cases/olga-ivanova/events/2026-02-10-feedback.yaml": _feedback("2026-02-10", 5, "in-person", text="Спасибо"),
    "cases/olga-ivanova/events/2026-03-31-feedback.yaml": _feedback("2026-03-31", 3, "phone"),
    "cases/olga-ivanova/events/2026-07-01-feedback.yaml": _feedback("2026-07-01", 4, "online"),
    "cases/olga-ivanova/events/2026-08-15-feedback.yaml": _feedback("2026-08-15", 2, "suggestion-box", anonymous=True,
                                                                    text="Долго ждать"),
    "cases/olga-ivanova/events/2026-09-30-feedback.yaml": _feedback("2026-09-30", None, "online", text="Без оценки"),
    "cases/olga-ivanova/events/2026-10-02-feedback.yaml": _feedback("2026-10-02", 4, "phone"),
    "cases/olga-ivanova/events/2025-12-31-feedback.yaml": _feedback("2025-12-31", 1, "phone"),
}


def test_report_feedback_writes_the_journal_and_the_satisfaction_by_quarter_and_year(tmp_path, cli):
    root = write_tree(tmp_path / "caseload", {"careerpath.yaml": CONFIG, **CASES, **FEEDBACK})
    out = tmp_path / "out"
    r = cli("report", "feedback", "--period", "2026", "--out", out, "-C", root, "--today", "2026-11-22")
    assert r.code == 0, r.err
    shares = (out / "feedback-satisfaction-2026.csv").read_text(encoding="utf-8-sig").splitlines()
    # satisfied = rating 4 or 5, over the rated entries: Q1 1 of 2, Q3 1 of 2 (one unrated), Q4 1 of 1, year 3 of 5
    assert shares == ["period,entries,rated,satisfied,share_pct", "2026-Q1,2,2,1,50", "2026-Q2,0,0,0,",
                      "2026-Q3,3,2,1,50", "2026-Q4,1,1,1,100", "2026,6,5,3,60"]
    journal = (out / "feedback-2026.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(journal) == 7 and journal[1].startswith("2026-02-10,olga-ivanova,ru-czn-disability,in-person,5,yes,")
    assert journal[4] == "2026-08-15,,ru-czn-disability,suggestion-box,2,no,Долго ждать,reva"  # anonymous: no case
    ru = (out / "registry-feedback-2026.csv").read_text(encoding="utf-8-sig").splitlines()
    assert ru[0] == "n,date,name,channel,rating,text,by" and len(ru) == 7
    assert ru[4] == "4,15.08.2026,анонимно,ящик для предложений,2,Долго ждать,Роза Евдокимова"
    page = (out / "registry-feedback-2026.html").read_text(encoding="utf-8")
    assert "Журнал обратной связи" in page and "<th" in page and "Оценка (1–5)" in page
    q3 = cli("report", "feedback", "--period", "2026-Q3", "--out", out, "-C", root, "--today", "2026-11-22")
    assert q3.code == 0
    assert (out / "feedback-satisfaction-2026-Q3.csv").read_text(encoding="utf-8-sig").splitlines()[1:] == \
        ["2026-Q3,3,2,1,50"]


def test_log_records_feedback_and_refuses_its_options_on_other_types(tmp_path, cli):
    root = write_tree(tmp_path / "caseload", {"careerpath.yaml": CONFIG, **CASES})
    r = cli("log", "olga-ivanova", "feedback", "--date", "2026-11-20", "--by", "reva", "--channel", "phone",
            "--rating", "5", "--text", "Всё понятно", "--anonymous", "--no-commit", "-C", root, "--today", "2026-11-22")
    assert r.code == 0, r.err
    import yaml

    data = yaml.safe_load((root / "cases/olga-ivanova/events/2026-11-20-feedback.yaml").read_text(encoding="utf-8"))
    assert data == {"date": date(2026, 11, 20), "type": "feedback", "by": "reva", "channel": "phone", "rating": 5,
                    "text": "Всё понятно", "anonymous": True}
    for bad in (["contact", "--rating", "4"], ["feedback", "--rating", "6"], ["feedback", "--channel", "fax"]):
        r = cli("log", "olga-ivanova", *bad, "--by", "reva", "--no-commit", "-C", root, "--today", "2026-11-22")
        assert r.code == 2, (bad, r.err)
