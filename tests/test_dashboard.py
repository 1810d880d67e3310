"""The dashboard's figures against a hand count, and the page it draws."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from types import SimpleNamespace

from careerpath import load
from careerpath.reports.dashboard import figures, render, stage
from careerpath.period import parse_period
from conftest import TODAY
from test_reports import FILES


def ob(case, rule, due, status, staff=("jsmith",)):
    return SimpleNamespace(case=case, rule=rule, title=rule, due=due, status=status, staff=staff)


OBLIGATIONS = [
    ob("amy", "dor.ipe", date(2026, 5, 21), "done"),
    ob("amy", "dor.ipe-review", date(2026, 11, 1), "overdue"),
    ob("amy", "referral.follow-up", date(2026, 12, 1), "due-soon"),
    ob("ivan", "czn.ipra-measures", date(2027, 1, 20), "upcoming", ("reva",)),
    ob("ivan", "czn.plan-service", date(2026, 10, 1), "overdue", ("reva",)),
    ob("ivan", "czn.retention-check", date(2026, 11, 30), "due-soon", ()),
]


def test_figures_match_a_hand_count(caseload):
    cl = load(caseload(FILES))
    cases = [cl.cases[c] for c in sorted(cl.cases)]
    f = figures(cases, OBLIGATIONS, parse_period("2026"), TODAY, "Test Agency")
    assert (f.cases_total, f.cases_active) == (2, 2)
    assert f.obligations_by_status == {"overdue": 2, "partial": 0, "due-soon": 2, "upcoming": 1}
    assert f.obligations_by_staff["jsmith"]["overdue"] == 1 and f.obligations_by_staff["reva"]["overdue"] == 1
    assert f.obligations_by_staff["(unassigned)"]["due-soon"] == 1
    assert [(o["case"], o["days"]) for o in f.overdue] == [("ivan", 52), ("amy", 21)]
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
    page = render(f)
    parser = _Page()
    parser.feed(page)
    assert parser.lang == "en"
    assert parser.tags.count("svg") >= 4 and "script" not in parser.tags and "link" not in parser.tags
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page
    assert "Иван" not in page and "Amy Invented" not in page  # the dashboard names cases by id only
    assert render(f) == page


def test_stages():
    from careerpath.models import Case

    c = Case.model_validate({"id": "x", "person": {"name": "N", "language": "en"},
                             "enrollments": {"ca-dor-vr": {"applied": "2026-01-01"}}})
    assert stage(c, "ca-dor-vr", TODAY) == "applied"
