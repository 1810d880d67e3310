"""Surveys at caseload level (issue 20): `surveys/<date>-<slug>.yaml`, the survey duties of seed 004 (two
client surveys a quarter, a yearly satisfaction survey of people with disabilities) and `report surveys`.
Every figure below is counted by hand from the files written here or in sample-cases/surveys/."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from conftest import CONFIG, write_tree

from careerpath.loader import load
from careerpath.reports import surveys

SAMPLE = Path(__file__).resolve().parent.parent / "sample-cases"


def survey(day: str, audience: str = "citizens", respondents: int = 40, more: str = "") -> str:
    return f"date: {day}\nname: Оценка качества\naudience: {audience}\nrespondents: {respondents}\n{more}"


def caseload(tmp_path, files: dict, config: str = CONFIG):
    cl = load(write_tree(tmp_path / "caseload", {"careerpath.yaml": config, **files}))
    assert not [d for d in cl.diagnostics if d.severity == "error"], cl.diagnostics
    return cl


def test_the_sample_reproduces_the_seeds_satisfaction_from_78_3_to_82_6_percent():
    cl = load(SAMPLE)
    assert not [d for d in cl.diagnostics if d.severity != "info"], cl.diagnostics
    trend = surveys.trend(cl, surveys.parse_period("2026"), date(2026, 11, 22))
    # 2025: the yearly survey of people with disabilities, 94 satisfied of 120 = 78.33%;
    # 2026: 33 of 40 (March), 85% of 40 = 34 (May), 123 of 150 (October), 33 of 40 (November): 223 of 270 = 82.59%
    assert trend.rows == [("2025", 1, 120, 94.0, 78.3, None), ("2026", 4, 270, 223.0, 82.6, 4.3)]
    totals = surveys.totals(cl, surveys.parse_period("2026"), date(2026, 11, 22))
    # the staff survey of April counts as a survey, not as a client survey
    assert totals.rows[1] == ("2026-Q2", 3, 2, 85 + 40 + 123, 1, 34.0, 85.0)
    assert totals.rows[-1] == ("2026", 9, 8, 848, 4, 223.0, 82.6)
    assert all(d.status == "done" for d in surveys.duties(cl, date(2026, 11, 22)))


def test_a_quarter_with_one_survey_is_overdue_at_its_end(tmp_path):
    cl = caseload(tmp_path, {
        "surveys/2026-01-20-a.yaml": survey("2026-01-20"),
        "surveys/2026-02-10-b.yaml": survey("2026-02-10", "employers", 12),
        "surveys/2026-05-12-c.yaml": survey("2026-05-12"),
        # a survey of the staff is no client survey: Q2 still has one
        "surveys/2026-06-01-d.yaml": survey("2026-06-01", "staff", 85),
    })

    def status(today: date, item: str) -> tuple:
        got = [(d.status, d.count, d.required) for d in surveys.duties(cl, today)
               if d.rule == "surveys.per-quarter" and d.item == item]
        return got[0] if got else None

    assert status(date(2026, 6, 30), "2026-Q1") == ("done", 2, 2)
    assert status(date(2026, 6, 30), "2026-Q2") == ("partial", 1, 2)   # its last day: not yet late
    assert status(date(2026, 7, 1), "2026-Q2") == ("overdue", 1, 2)    # the day after the quarter ends
    assert status(date(2026, 7, 1), "2026-Q3") == ("upcoming", 0, 2)   # due 30 September: beyond warn_days
    assert status(date(2026, 9, 1), "2026-Q3") == ("due-soon", 0, 2)
    assert status(date(2026, 7, 1), "2026-Q4") is None                  # not yet begun
    yearly = [d for d in surveys.duties(cl, date(2027, 1, 1)) if d.rule == "surveys.yearly-satisfaction"]
    assert [(d.item, d.status) for d in yearly] == [("2026", "overdue"), ("2027", "upcoming")]
    assert yearly[0].citation.endswith("(ЦЗН, «Формы обратной связи»)") and yearly[0].confirmed


def test_the_setting_changes_the_count_and_zero_turns_the_duties_off(tmp_path):
    files = {"surveys/2026-01-20-a.yaml": survey("2026-01-20"),
             "surveys/2026-03-02-b.yaml": survey("2026-03-02", "people-with-disabilities", 30, "satisfied: 24\n")}
    three = caseload(tmp_path / "three", files, CONFIG + "settings:\n  surveys_per_quarter: 3\n")
    q1 = [d for d in surveys.duties(three, date(2026, 4, 1)) if d.item == "2026-Q1"]
    assert [(d.status, d.count, d.required) for d in q1] == [("overdue", 2, 3)]
    # a satisfaction survey of people with disabilities answers the year's duty
    assert [d.status for d in surveys.duties(three, date(2026, 4, 1)) if d.item == "2026"] == ["done"]
    off = caseload(tmp_path / "off", files, CONFIG + "settings:\n  surveys_per_quarter: 0\n")
    assert surveys.duties(off, date(2026, 4, 1)) == []
    assert surveys.duties(caseload(tmp_path / "none", {}), date(2026, 4, 1)) == []  # no surveys kept: no duties


def test_survey_files_are_checked_and_a_questionnaire_must_exist(tmp_path):
    root = write_tree(tmp_path / "caseload", {
        "careerpath.yaml": CONFIG,
        "surveys/2026-01-20-a.yaml": survey("2026-01-20", more="questionnaire: surveys/q/none.pdf\n"),
        "surveys/2026-01-21-b.yaml": survey("2026-01-21", "pensioners"),
        "surveys/2026-01-22-c.yaml": survey("2026-01-22", more="satisfied_share: 120\n"),
    })
    codes = sorted((d.file, d.code) for d in load(root).diagnostics if d.severity in ("error", "warning"))
    assert ("surveys/2026-01-20-a.yaml", "questionnaire-missing") in codes
    assert {f for f, c in codes if c != "questionnaire-missing"} == {"surveys/2026-01-21-b.yaml", "surveys/2026-01-22-c.yaml"}


def test_report_surveys_writes_the_list_totals_trend_and_duties(tmp_path, cli):
    import shutil

    out, root = tmp_path / "out", tmp_path / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".careerpath"))
    r = cli("report", "surveys", "--period", "2026", "--out", out, "-C", root, "--today", "2026-11-22")
    assert r.code == 0, r.err
    trend = (out / "surveys-satisfaction-2026.csv").read_text(encoding="utf-8-sig").splitlines()
    assert trend == ["year,satisfaction_surveys,respondents,satisfied,share_pct,change_pts",
                     "2025,1,120,94,78.3,", "2026,4,270,223,82.6,4.3"]
    listed = (out / "surveys-2026.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(listed) == 10 and listed[4].startswith("2026-05-20,Оценка качества оказания услуг службы занятости,"
                                                      "2026-Q2,citizens,in-person,40,34,85,")
    duties = (out / "surveys-obligations-2026.csv").read_text(encoding="utf-8-sig").splitlines()
    assert [line.split(",")[:4] for line in duties[1:]] == [
        ["surveys.per-quarter", "2026-Q1", "2026-03-31", "done"], ["surveys.per-quarter", "2026-Q2", "2026-06-30", "done"],
        ["surveys.per-quarter", "2026-Q3", "2026-09-30", "done"], ["surveys.per-quarter", "2026-Q4", "2026-12-31", "done"],
        ["surveys.yearly-satisfaction", "2026", "2026-12-31", "done"]]
