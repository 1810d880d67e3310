"""The obligations engine: hand-computed due dates for every rule, statuses, history, a fifth program."""

from __future__ import annotations

import shutil
import textwrap
from datetime import date, timedelta
from typing import Optional

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from careerpath import models as m
from careerpath.checks import validate
from careerpath.loader import default_settings, load, model_of
from careerpath.programs import load_programs
from careerpath.obligations import Obligation, RulesError, compute, load_rules
from careerpath.obligations.dates import Duration, add_working_days, is_working_day, month_end, quarter_end, quarter_start

# The rule ids of FORMAT.md's table: every one must be implemented.
FORMAT_RULES = {
    "ccp.monthly-review", "ccp.quarterly-report", "ccp.annual-report", "ccp.authorization-end",
    "dor.eligibility-decision", "dor.ipe", "dor.ipe-review", "dor.ineligibility-review",
    "dor.employment-90-days", "dor.waiting-list-contact", "se.service-limit", "se.worksite-monitoring",
    "czn.plan-service", "czn.ipra-measures", "czn.reexamination", "czn.ipra-report-back",
    "czn.retention-check", "dds.cie-incentive", "referral.follow-up", "plan.objective",
}

HEAD = """\
id: p
person: {name: Test Person, language: en}
staff: {navigator: jsmith, counselor: jsmith, job-coach: ktran, curator: reva}
"""


def build(caseload, body: str, *, events: tuple = (), plan: Optional[str] = None, referrals: Optional[dict] = None,
          config: Optional[str] = None, head: str = HEAD):
    """One case `p`: case.yaml = HEAD + body; events = (date, type[, program]) tuples."""
    files = {"cases/p/case.yaml": head + textwrap.dedent(body)}
    for i, ev in enumerate(events):
        when, kind = ev[0], ev[1]
        text = f"date: {when}\ntype: {kind}\nby: jsmith\n" + (f"program: {ev[2]}\n" if len(ev) > 2 else "")
        files[f"cases/p/events/{when}-{kind}-{i}.yaml"] = text
    if plan is not None:
        files["cases/p/plan.yaml"] = textwrap.dedent(plan)
    for name, text in (referrals or {}).items():
        files[f"cases/p/referrals/{name}.yaml"] = textwrap.dedent(text)
    kwargs = {} if config is None else {"config": config}
    shutil.rmtree(caseload({}) / "cases", ignore_errors=True)  # the fixture reuses one folder per test
    return load(caseload(files, **kwargs))


def of(cl, today: date, rule: str, history: bool = False) -> list[Obligation]:
    """The obligations of one rule, by due date (compute itself puts past-due ones first)."""
    found = [o for o in compute(cl, today, include_closed_history=history) if o.rule == rule]
    return sorted(found, key=lambda o: (o.due, o.item))


def one(cl, today: date, rule: str, history: bool = False) -> Obligation:
    found = of(cl, today, rule, history)
    assert len(found) == 1, found
    return found[0]


def dues(obligations) -> list[tuple[str, str]]:
    return [(o.due.isoformat(), o.status) for o in sorted(obligations, key=lambda o: o.due)]


# ---------------------------------------------------------------- the rule book

def test_every_format_rule_is_data_with_titles_and_a_citation():
    book = load_rules()
    ids = {r.id for r in book.rules}
    assert FORMAT_RULES <= ids
    for rule in book.rules:
        assert set(rule.titles) >= {"en", "es", "vi", "hy", "hmn", "ru"}, rule.id
        assert rule.citation.strip(), rule.id
        assert rule.explain.strip(), rule.id
        # non-English/Russian titles are machine drafts until a native speaker reviews them
        assert rule.reviewed.get("en") and rule.reviewed.get("ru") and rule.reviewed.get("hmn") is False
    assert {r.program for r in book.rules} == {"", *load_programs().ids()}
    assert {r.id: r.confirmed for r in book.rules}["czn.ipra-report-back"] is False


# ---------------------------------------------------------------- DOR vocational rehabilitation

VR = """\
enrollments:
  ca-dor-vr:
    applied: 2026-01-31
"""


def test_eligibility_decision_is_60_days_after_application(caseload):
    cl = build(caseload, VR)
    o = one(cl, date(2026, 2, 1), "dor.eligibility-decision")
    assert (o.due, o.status, o.citation) == (date(2026, 4, 1), "upcoming", "34 CFR 361.41(b)(1); 9 CCR 7060(a)")
    assert o.source == "cases/p/case.yaml:6" and o.confirmed and o.staff == ("jsmith",)
    assert one(cl, date(2026, 3, 2), "dor.eligibility-decision").status == "due-soon"  # within warn_days (30)
    assert one(cl, date(2026, 4, 1), "dor.eligibility-decision").status == "due-soon"  # due today
    late = one(cl, date(2026, 4, 2), "dor.eligibility-decision")
    assert (late.status, late.past_due) == ("overdue", True)


def test_eligibility_decision_done_when_decided(caseload):
    cl = build(caseload, VR + "    eligibility: {status: eligible, decided: 2026-04-10}\n")
    o = one(cl, date(2026, 5, 1), "dor.eligibility-decision")
    assert (o.status, o.done_on, o.detail) == ("done", date(2026, 4, 10), "done 9 days late")
    # time travel: on 2026-04-05 the decision had not been made yet
    assert one(cl, date(2026, 4, 5), "dor.eligibility-decision").status == "overdue"


def test_agreed_extension_replaces_the_60_day_date(caseload):
    cl = build(caseload, VR + """\
    eligibility:
      status: pending
      extension: {until: 2026-05-15, reason: trial-work-experience, agreed: 2026-03-20}
""")
    o = one(cl, date(2026, 4, 2), "dor.eligibility-decision")
    assert (o.due, o.status, o.detail) == (date(2026, 5, 15), "upcoming", "agreed extension")
    assert o.source == "cases/p/case.yaml:9"


def test_closed_before_decision_has_no_decision_obligation(caseload):
    cl = build(caseload, VR + "    eligibility: {status: closed-before-decision}\n")
    assert of(cl, date(2026, 6, 1), "dor.eligibility-decision") == []


def test_ipe_is_90_days_after_eligibility(caseload):
    cl = build(caseload, VR + "    eligibility: {status: eligible, decided: 2026-03-31}\n")
    o = one(cl, date(2026, 4, 1), "dor.ipe")
    assert (o.due, o.status) == (date(2026, 6, 29), "upcoming")
    signed = build(caseload, VR + "    eligibility: {status: eligible, decided: 2026-03-31}\n    ipe: {signed: 2026-06-01}\n")
    assert one(signed, date(2026, 7, 1), "dor.ipe").status == "done"


def test_ipe_waits_for_release_from_the_waiting_list(caseload):
    waiting = VR + "    eligibility:\n      status: eligible\n      decided: 2026-03-31\n      waiting_list: {placed: 2026-04-02}\n"
    cl = build(caseload, waiting)
    assert of(cl, date(2026, 8, 1), "dor.ipe") == []  # no IPE clock while on the list
    released = build(caseload, waiting.replace("placed: 2026-04-02}", "placed: 2026-04-02, released: 2026-07-01}"))
    assert one(released, date(2026, 8, 1), "dor.ipe").due == date(2026, 9, 29)
    extended = build(caseload, VR + "    eligibility: {status: eligible, decided: 2026-03-31}\n"
                                    "    ipe: {extension: {until: 2026-08-15, agreed: 2026-06-20}}\n")
    assert one(extended, date(2026, 7, 1), "dor.ipe").due == date(2026, 8, 15)


def test_ipe_review_yearly_from_the_last_review(caseload):
    cl = build(caseload, VR + "    eligibility: {status: eligible, decided: 2024-12-01}\n"
                              "    ipe: {signed: 2025-01-10, reviews: [2025-12-01]}\n",
               events=(("2026-12-20", "ipe-review", "ca-dor-vr"),))
    got = dues(of(cl, date(2026, 11, 1), "dor.ipe-review"))
    assert got == [("2026-01-10", "done"), ("2026-12-01", "due-soon")]
    later = dues(of(cl, date(2027, 1, 5), "dor.ipe-review"))
    assert later == [("2026-01-10", "done"), ("2026-12-01", "done"), ("2027-12-20", "upcoming")]


def test_ineligibility_review_12_months(caseload):
    body = VR + """\
    eligibility:
      status: ineligible
      decided: 2026-01-31
      notice: {sent: 2026-02-01, reasons: true, rights: true, cap_info: true}
"""
    o = one(build(caseload, body), date(2027, 2, 1), "dor.ineligibility-review")
    assert (o.due, o.status) == (date(2027, 1, 31), "overdue")
    done = build(caseload, body, events=(("2027-01-20", "ineligibility-review"),))
    assert one(done, date(2027, 2, 1), "dor.ineligibility-review").done_on == date(2027, 1, 20)


def test_employment_90_days_is_informational(caseload):
    body = VR + "jobs:\n  - {employer: Bakery, start: 2026-01-31, program: ca-dor-vr}\n  - {employer: Other, start: 2026-01-01, program: ca-dds-ccp}\n"
    cl = build(caseload, body)
    before = one(cl, date(2026, 4, 20), "dor.employment-90-days")
    assert (before.due, before.status, before.item) == (date(2026, 5, 1), "due-soon", "jobs[0]")
    after = one(cl, date(2026, 5, 2), "dor.employment-90-days")
    assert (after.status, after.done_on, after.past_due) == ("done", date(2026, 5, 1), False)


def test_waiting_list_contact_every_90_days(caseload):
    body = VR + "    eligibility:\n      status: eligible\n      decided: 2026-06-20\n      waiting_list: {placed: 2026-06-29}\n"
    cl = build(caseload, body, events=(("2026-09-24", "contact"),))
    assert dues(of(cl, date(2026, 11, 22), "dor.waiting-list-contact")) == [("2026-09-27", "done"), ("2026-12-26", "upcoming")]
    # the contact must come after the previous due date: one made in the first period does not count twice
    assert dues(of(cl, date(2026, 12, 27), "dor.waiting-list-contact")) == [
        ("2026-09-27", "done"), ("2026-12-26", "overdue"), ("2027-03-26", "upcoming")]
    released = build(caseload, body.replace("placed: 2026-06-29}", "placed: 2026-06-29, released: 2026-11-01}"))
    assert [o.due for o in of(released, date(2027, 3, 1), "dor.waiting-list-contact", history=True)] == [date(2026, 9, 27)]
    assert of(released, date(2027, 3, 1), "dor.waiting-list-contact") == []  # series ended: history only


# ---------------------------------------------------------------- DOR supported employment

SE = """\
enrollments:
  ca-dor-se:
    type: individual
    start: 2024-02-29
    extended_services_source: Regional center
"""


def test_se_limit_24_months_from_a_leap_day(caseload):
    o = one(build(caseload, SE), date(2026, 2, 1), "se.service-limit")
    assert (o.due, o.status, o.staff) == (date(2026, 2, 28), "due-soon", ("ktran", "jsmith"))
    ext = build(caseload, SE + "    extension: {until: 2026-08-31, agreed: 2026-02-01}\n")
    assert one(ext, date(2026, 3, 1), "se.service-limit").due == date(2026, 8, 31)
    done = build(caseload, SE + "    transitioned: 2026-02-20\n")
    assert one(done, date(2026, 3, 1), "se.service-limit", history=True).status == "done"


MONITORED = SE + "jobs:\n  - {employer: Bakery, start: 2026-02-03, program: ca-dor-se}\n"


def test_two_monitoring_visits_in_february_satisfy_february_one_is_partial(caseload):
    two = build(caseload, MONITORED, events=(("2026-02-05", "worksite-monitoring"), ("2026-02-19", "worksite-monitoring")))
    feb = of(two, date(2026, 3, 5), "se.worksite-monitoring")
    assert [(o.item, o.status, o.done_on) for o in feb] == [("2026-02", "done", date(2026, 2, 19)), ("2026-03", "due-soon", None)]
    one_visit = build(caseload, MONITORED, events=(("2026-02-05", "worksite-monitoring"),))
    o = of(one_visit, date(2026, 3, 5), "se.worksite-monitoring")[0]
    assert (o.item, o.due, o.status, o.detail, o.past_due) == ("2026-02", date(2026, 2, 28), "partial", "1 of 2", True)
    none = build(caseload, MONITORED)
    assert of(none, date(2026, 3, 5), "se.worksite-monitoring")[0].status == "overdue"
    # a visit tagged for another program does not count
    other = build(caseload, MONITORED, events=(("2026-02-05", "worksite-monitoring", "ca-dds-ccp"),
                                               ("2026-02-19", "worksite-monitoring")))
    assert of(other, date(2026, 3, 5), "se.worksite-monitoring")[0].status == "partial"


def test_monitoring_stops_at_transition_keeping_the_month_of_the_transition(caseload):
    cl = build(caseload, MONITORED.replace("extended_services_source: Regional center\n",
                                           "extended_services_source: Regional center\n    transitioned: 2026-04-15\n"),
               events=(("2026-02-05", "worksite-monitoring"), ("2026-02-19", "worksite-monitoring")))
    got = [(o.item, o.status, o.history) for o in of(cl, date(2026, 9, 1), "se.worksite-monitoring", history=True)]
    # ongoing support ended on 04-15: April (begun before it) still counts, May does not exist;
    # March, left undone when support ended, is history; April fell due after the end and stays due
    assert got == [("2026-02", "done", True), ("2026-03", "overdue", True), ("2026-04", "overdue", False)]
    assert [o.item for o in of(cl, date(2026, 9, 1), "se.worksite-monitoring")] == ["2026-04"]


# ---------------------------------------------------------------- CCP

CCP = """\
enrollments:
  ca-dds-ccp:
    basis: left-subminimum-wage
    start: 2026-01-15
    authorized_until: 2027-01-14
"""


def test_monthly_review_each_month_and_stops_after_closure(caseload):
    cl = build(caseload, CCP, events=(("2026-01-20", "monthly-review"), ("2026-03-02", "monthly-review")))
    got = dues(of(cl, date(2026, 4, 10), "ccp.monthly-review"))
    assert got == [("2026-01-31", "done"), ("2026-02-28", "overdue"), ("2026-03-31", "done"), ("2026-04-30", "due-soon")]
    closed = build(caseload, CCP, events=(("2026-01-20", "monthly-review"),),
                   head=HEAD + "status: closed\nclosure: {date: 2026-04-10, reason: moved}\n")
    # the review of April, the month the case closed in, stays due; nothing after it exists
    assert dues(of(closed, date(2026, 9, 1), "ccp.monthly-review")) == [("2026-04-30", "overdue")]
    history = of(closed, date(2026, 9, 1), "ccp.monthly-review", history=True)
    assert dues(history) == [("2026-01-31", "done"), ("2026-02-28", "overdue"), ("2026-03-31", "overdue"),
                             ("2026-04-30", "overdue")]
    assert [o.history for o in history] == [True, True, True, False]  # left undone at the closure: history


def test_ended_enrollment_stops_monthly_reviews(caseload):
    cl = build(caseload, CCP + "    end: 2026-03-15\n")
    assert [o.item for o in of(cl, date(2026, 9, 1), "ccp.monthly-review", history=True)] == ["2026-01", "2026-02",
                                                                                            "2026-03"]


def test_quarterly_report_after_each_calendar_quarter(caseload):
    cl = build(caseload, CCP, events=(("2026-04-20", "quarterly-report"), ("2026-08-15", "quarterly-report")))
    got = [(o.item, o.due.isoformat(), o.status, o.detail) for o in of(cl, date(2026, 11, 22), "ccp.quarterly-report")]
    assert got == [("2026-Q1", "2026-04-30", "done", ""), ("2026-Q2", "2026-07-30", "done", "done 16 days late"),
                   ("2026-Q3", "2026-10-30", "overdue", ""), ("2026-Q4", "2027-01-30", "upcoming", "")]
    slow = CONFIG_WITH("  ccp_quarterly_report_days: 45\n")
    cl2 = build(caseload, CCP, config=slow)
    assert of(cl2, date(2026, 4, 1), "ccp.quarterly-report")[0].due == date(2026, 5, 15)


def CONFIG_WITH(settings_lines: str) -> str:
    from conftest import CONFIG

    return CONFIG + "settings:\n" + settings_lines


def test_annual_report_on_anniversaries_from_a_leap_day(caseload):
    body = CCP.replace("start: 2026-01-15", "start: 2024-02-29").replace("authorized_until: 2027-01-14", "authorized_until: 2028-12-31")
    cl = build(caseload, body, events=(("2025-02-01", "annual-report"), ("2026-01-15", "annual-report")))
    got = dues(of(cl, date(2026, 3, 1), "ccp.annual-report"))
    # 2025-02-01 is within 30 days before 2025-02-28; 2026-01-15 is 44 days before 2026-02-28: too early
    assert got == [("2025-02-28", "done"), ("2026-02-28", "overdue"), ("2027-02-28", "upcoming")]
    assert dues(of(cl, date(2027, 3, 1), "ccp.annual-report"))[-1] == ("2028-02-29", "upcoming")
    # authorized until the day before that anniversary: no annual report after the end
    short = build(caseload, body.replace("2028-12-31", "2028-02-28"))
    assert dues(of(short, date(2027, 3, 1), "ccp.annual-report"))[-1] == ("2027-02-28", "overdue")
    assert dues(of(short, date(2028, 6, 1), "ccp.annual-report", history=True))[-1] == ("2027-02-28", "overdue")


def test_authorization_end_done_by_an_extension_request(caseload):
    o = one(build(caseload, CCP), date(2026, 12, 20), "ccp.authorization-end")
    assert (o.due, o.status, o.confirmed) == (date(2027, 1, 14), "due-soon", False)
    early = build(caseload, CCP, events=(("2026-03-01", "extension-request"),))
    assert one(early, date(2026, 12, 20), "ccp.authorization-end").status == "due-soon"  # too early to count
    asked = build(caseload, CCP, events=(("2026-11-30", "extension-request"),))
    assert one(asked, date(2026, 12, 20), "ccp.authorization-end").done_on == date(2026, 11, 30)
    moved = build(caseload, CCP.replace("2027-01-14", "2027-07-14"))
    assert one(moved, date(2026, 12, 20), "ccp.authorization-end").due == date(2027, 7, 14)


# ---------------------------------------------------------------- when a CCP enrollment ends (FORMAT.md)
# CCP above: start 2026-01-15, authorized until 2027-01-14. Monthly reviews are due at each month's end,
# quarterly reports 30 days after each quarter, annual reports on 15 January. Dates below are by hand.

CCP_RULES = ("ccp.monthly-review", "ccp.quarterly-report", "ccp.annual-report", "ccp.authorization-end")


def ccp_view(cl, today: date) -> dict:
    """rule -> [(item or due, status, history)] for the four CCP rules, history included."""
    out = {}
    for rule in CCP_RULES:
        out[rule] = [(o.item or o.due.isoformat(), o.status, o.history) for o in of(cl, today, rule, history=True)]
    return out


def live(cl, today: date) -> list[tuple[str, str]]:
    """What the morning list shows of the CCP rules (open, not history): (rule, item or due)."""
    return sorted((o.rule, o.item or o.due.isoformat()) for o in compute(cl, today)
                  if o.rule in CCP_RULES and o.status != "done")


MONTHS_2026 = [f"2026-{m:02d}" for m in range(1, 13)]


def test_a_transition_mid_month_ends_ccp_keeping_that_months_review_and_quarters_report(caseload):
    cl = build(caseload, CCP, events=(("2026-06-12", "transition"),))
    got = ccp_view(cl, date(2026, 11, 22))
    # reviews January to June (the transition's month), none from July; January-May were left undone at the end
    assert [i for i, _s, _h in got["ccp.monthly-review"]] == MONTHS_2026[:6]
    assert [h for _i, _s, h in got["ccp.monthly-review"]] == [True] * 5 + [False]
    # Q2 (April-June, due 2026-07-30) is the final partial quarter; no Q3
    assert [(i, h) for i, _s, h in got["ccp.quarterly-report"]] == [("2026-Q1", True), ("2026-Q2", False)]
    assert got["ccp.annual-report"] == []  # the first anniversary, 2027-01-15, is after the end
    assert got["ccp.authorization-end"] == []  # due 2027-01-14, after the end
    assert live(cl, date(2026, 11, 22)) == [("ccp.monthly-review", "2026-06"), ("ccp.quarterly-report", "2026-Q2")]
    # the final month's review and report done: nothing of CCP is left on the list
    finished = build(caseload, CCP, events=(("2026-06-12", "transition"), ("2026-06-20", "monthly-review"),
                                            ("2026-07-10", "quarterly-report")))
    assert live(finished, date(2026, 11, 22)) == []
    # a transition of another program (supported employment's own) does not end CCP
    other = build(caseload, CCP, events=(("2026-06-12", "transition", "ca-dor-se"),))
    assert [i for i, _s, _h in ccp_view(other, date(2026, 11, 22))["ccp.monthly-review"]] == MONTHS_2026[:11]
    # before the transition happened (--today earlier), nothing had ended
    assert [i for i, _s, _h in ccp_view(cl, date(2026, 6, 1))["ccp.monthly-review"]] == MONTHS_2026[:6]
    assert [i for i, _s, _h in ccp_view(cl, date(2026, 6, 1))["ccp.quarterly-report"]] == ["2026-Q1", "2026-Q2"]


def test_an_authorization_lapsing_mid_quarter_with_no_request(caseload):
    cl = build(caseload, CCP.replace("authorized_until: 2027-01-14", "authorized_until: 2026-08-14"))
    got = ccp_view(cl, date(2026, 11, 22))
    assert [i for i, _s, _h in got["ccp.monthly-review"]] == MONTHS_2026[:8]  # August (the lapse) still counts
    assert got["ccp.monthly-review"][-1] == ("2026-08", "overdue", False)  # due 2026-08-31, after the lapse: due
    assert [(i, h) for i, _s, h in got["ccp.quarterly-report"]] == [("2026-Q1", True), ("2026-Q2", True),
                                                                     ("2026-Q3", False)]  # Q3 due 2026-10-30
    assert got["ccp.annual-report"] == []
    assert got["ccp.authorization-end"] == [("2026-08-14", "overdue", False)]  # nobody asked: it stays overdue
    assert live(cl, date(2026, 11, 22)) == [("ccp.authorization-end", "2026-08-14"), ("ccp.monthly-review", "2026-08"),
                                            ("ccp.quarterly-report", "2026-Q3")]
    # on the day of the lapse the August review and the Q3 report are simply the next ones
    assert [(i, s) for i, s, _h in ccp_view(cl, date(2026, 8, 14))["ccp.quarterly-report"]][-1] == ("2026-Q3", "upcoming")


def test_an_extension_request_within_the_window_is_done_but_projects_nothing_until_extended(caseload):
    body = CCP.replace("authorized_until: 2027-01-14", "authorized_until: 2026-12-31")
    cl = build(caseload, body, events=(("2026-11-02", "extension-request"),))
    got = ccp_view(cl, date(2027, 2, 15))
    assert got["ccp.authorization-end"] == [("2026-12-31", "done", False)]  # 2026-11-02 is within 6 months
    # the authorization in force still ends 2026-12-31: December's review and Q4's report are the last
    assert [i for i, _s, _h in got["ccp.monthly-review"]] == MONTHS_2026
    assert [i for i, _s, _h in got["ccp.quarterly-report"]] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert got["ccp.quarterly-report"][-1] == ("2026-Q4", "overdue", False)  # due 2027-01-30
    assert got["ccp.annual-report"] == []  # 2027-01-15 is after 2026-12-31
    # the regional center extends to 2027-06-30: the series go on (January is overdue, February due soon)
    extended = build(caseload, body.replace("2026-12-31", "2027-06-30"), events=(("2026-11-02", "extension-request"),))
    got = ccp_view(extended, date(2027, 2, 15))
    assert [(i, s) for i, s, _h in got["ccp.monthly-review"]][-2:] == [("2027-01", "overdue"), ("2027-02", "due-soon")]
    assert got["ccp.annual-report"] == [("2027-01-15", "overdue", False)]
    assert got["ccp.authorization-end"] == [("2027-06-30", "upcoming", False)]  # the request answered the old date


def test_closing_the_case_ends_ccp_keeping_the_months_review_and_the_quarters_report(caseload):
    cl = build(caseload, CCP, events=(("2026-04-28", "monthly-review"),),
               head=HEAD + "status: closed\nclosure: {date: 2026-05-20, reason: completed}\n")
    got = ccp_view(cl, date(2026, 11, 22))
    assert [i for i, _s, _h in got["ccp.monthly-review"]] == MONTHS_2026[:5]
    assert got["ccp.monthly-review"][-2:] == [("2026-04", "done", True), ("2026-05", "overdue", False)]
    assert [(i, h) for i, _s, h in got["ccp.quarterly-report"]] == [("2026-Q1", True), ("2026-Q2", False)]
    assert got["ccp.annual-report"] == [] and got["ccp.authorization-end"] == []
    assert live(cl, date(2026, 11, 22)) == [("ccp.monthly-review", "2026-05"), ("ccp.quarterly-report", "2026-Q2")]
    # an explicit `end` acts alike; the earliest of end, closure, authorization and transition wins
    ended = build(caseload, CCP + "    end: 2026-05-20\n", events=(("2026-09-01", "transition"),))
    assert live(ended, date(2026, 11, 22)) == [("ccp.monthly-review", "2026-05"), ("ccp.quarterly-report", "2026-Q2")]


def test_cie_incentive_30_days_6_and_12_months(caseload):
    body = CCP + "jobs:\n  - {employer: Library, start: 2026-01-31, integrated: true, wage: 18.2}\n" \
                 "  - {employer: Workshop, start: 2026-01-31, integrated: false}\n"
    cl = build(caseload, body, events=(("2026-03-05", "retention-check"),))
    got = [(o.item, o.due.isoformat(), o.status) for o in of(cl, date(2026, 6, 1), "dds.cie-incentive")]
    assert got == [("jobs[0]+30d", "2026-03-02", "done"), ("jobs[0]+6m", "2026-07-31", "upcoming"),
                   ("jobs[0]+12m", "2027-01-31", "upcoming")]
    ended = build(caseload, body.replace("start: 2026-01-31, integrated: true", "start: 2026-01-31, end: 2026-05-01, integrated: true"))
    assert [o.item for o in of(ended, date(2026, 4, 1), "dds.cie-incentive")] == ["jobs[0]+30d"]


# ---------------------------------------------------------------- ЦЗН

CZN = """\
enrollments:
  ru-czn-disability:
    registered: 2025-11-10
    curator: reva
    disability: {group: 2, set_on: 2024-08-01, until: 2027-08-01, reexamination: 2027-07-01}
    ipra:
      received: 2026-03-02
      measures_due: 2026-12-01
      measures:
        - {name: Профессиональная ориентация, from: 2026-03-05, to: 2026-06-01}
"""


def test_ipra_measures_with_and_without_a_report(caseload):
    without = one(build(caseload, CZN), date(2026, 12, 2), "czn.ipra-measures")
    assert (without.due, without.status, without.staff) == (date(2026, 12, 1), "overdue", ("reva",))
    with_report = build(caseload, CZN, events=(("2026-11-20", "ipra-report"),))
    o = one(with_report, date(2026, 12, 2), "czn.ipra-measures")
    assert (o.status, o.done_on) == ("done", date(2026, 11, 20))
    stale = build(caseload, CZN, events=(("2026-02-20", "ipra-report"),))  # a report on the previous IPRA
    assert one(stale, date(2026, 12, 2), "czn.ipra-measures").status == "overdue"


def test_ipra_report_back_one_month_before_the_term_ends(caseload):
    o = one(build(caseload, CZN), date(2027, 6, 1), "czn.ipra-report-back")
    assert (o.due, o.status, o.confirmed) == (date(2027, 7, 1), "due-soon", False)
    early = build(caseload, CZN, events=(("2026-11-20", "ipra-report"),))  # answers the measures, not the report-back
    assert one(early, date(2027, 6, 1), "czn.ipra-report-back").status == "due-soon"
    sent = build(caseload, CZN, events=(("2026-11-20", "ipra-report"), ("2027-05-20", "ipra-report")))
    assert one(sent, date(2027, 6, 1), "czn.ipra-report-back").done_on == date(2027, 5, 20)
    two = build(caseload, CZN, config=CONFIG_WITH("  czn_ipra_report_before: 2m\n"))
    assert one(two, date(2027, 1, 1), "czn.ipra-report-back").due == date(2027, 6, 1)


def test_reexamination_is_an_informational_reminder(caseload):
    cl = build(caseload, CZN)
    assert dues(of(cl, date(2027, 6, 15), "czn.reexamination")) == [("2027-07-01", "due-soon")]
    assert dues(of(cl, date(2027, 7, 2), "czn.reexamination")) == [("2027-07-01", "done")]


def test_ipra_measures_list_counts_russian_working_days(caseload):
    # 2024-04-26 is a Friday; Saturday 27 April was a working day, 28 April - 1 May days off
    cl = build(caseload, CZN.replace("received: 2026-03-02", "received: 2024-04-26").replace(
        "        - {name: Профессиональная ориентация, from: 2026-03-05, to: 2026-06-01}\n", "").replace("measures:\n", "measures: []\n"))
    o = one(cl, date(2024, 5, 2), "czn.ipra-measures-list")
    assert (o.due, o.status, o.confirmed) == (date(2024, 5, 3), "due-soon", False)
    one_day = CONFIG_WITH("  czn_ipra_list_working_days: 1\n")
    body = CZN.replace("received: 2026-03-02", "received: 2024-04-26").replace("measures:\n", "measures: []\n").replace(
        "        - {name: Профессиональная ориентация, from: 2026-03-05, to: 2026-06-01}\n", "")
    assert one(build(caseload, body, config=one_day), date(2024, 4, 26), "czn.ipra-measures-list").due == date(2024, 4, 27)
    assert one(build(caseload, CZN), date(2026, 3, 10), "czn.ipra-measures-list").status == "done"


def test_retention_checks_from_settings(caseload):
    body = CZN + "jobs:\n  - {employer: Завод, start: 2026-01-31}\n  - {employer: Old, start: 2020-01-01, end: 2020-06-01}\n"
    cl = build(caseload, body, events=(("2026-03-12", "retention-check"), ("2026-06-01", "retention-check")))
    got = [(o.item, o.due.isoformat(), o.status) for o in of(cl, date(2026, 8, 1), "czn.retention-check")]
    # 03-12 is within 14 days of 03-02; 06-01 is not near 07-31
    assert got == [("jobs[0]+30d", "2026-03-02", "done"), ("jobs[0]+6m", "2026-07-31", "overdue"),
                   ("jobs[0]+12m", "2027-01-31", "upcoming")]
    weekly = build(caseload, body, config=CONFIG_WITH("  retention_checks: [2w]\n"))
    assert [o.due for o in of(weekly, date(2026, 8, 1), "czn.retention-check")] == [date(2026, 2, 14)]


def test_plan_services_of_the_czn_program(caseload):
    plan = """\
    goals: []
    services:
      - {name: Составление резюме, program: ru-czn-disability, due: 2026-04-01, done: null}
      - {name: Профессиональная ориентация, program: ru-czn-disability, due: 2026-03-20, done: 2026-03-18}
      - {name: Discovery, program: ca-dds-ccp, due: 2026-03-01}
      - {name: job-fairs, program: ru-czn-disability, due: 2026-04-10, done: null}
    """
    cl = build(caseload, CZN, plan=plan)
    got = [(o.item, o.due.isoformat(), o.status) for o in of(cl, date(2026, 4, 2), "czn.plan-service")]
    # by where it is written when the catalogue does not know the name (free text stays out of the list);
    # by the catalogue's name when the plan names the service by its id (`job-fairs`)
    assert got == [("services[1]", "2026-03-20", "done"), ("services[0]", "2026-04-01", "overdue"),
                   ("Организация ярмарок вакансий и учебных рабочих мест", "2026-04-10", "due-soon")]
    assert of(cl, date(2026, 4, 2), "czn.plan-service")[1].source == "cases/p/plan.yaml:3"


# ---------------------------------------------------------------- case-wide

def test_referral_follow_up_and_plan_objectives(caseload):
    plan = """\
    goals:
      - id: g1
        area: employment
        statement: A job
        objectives:
          - {id: g1.o1, text: Profile, due: 2026-05-01, done: 2026-04-28}
          - {id: g1.o2, text: Interviews, due: 2026-07-01, done: null}
          - {id: g1.o3, text: Someday}
    """
    referrals = {
        "2026-10-01-rc": "date: 2026-10-01\nto: Regional center\nkind: regional-center\nby: ktran\nfollow_up: 2026-11-01\n",
        "2026-09-01-done": "date: 2026-09-01\nto: X\nkind: other\nfollow_up: 2026-09-15\noutcome: {date: 2026-09-10}\n",
        "2026-09-02-none": "date: 2026-09-02\nto: Y\nkind: other\n",
    }
    cl = build(caseload, CCP, plan=plan, referrals=referrals)
    objs = [(o.item, o.due.isoformat(), o.status, o.program) for o in of(cl, date(2026, 7, 2), "plan.objective")]
    assert objs == [("g1.o1", "2026-05-01", "done", ""), ("g1.o2", "2026-07-01", "overdue", "")]
    refs = of(cl, date(2026, 11, 2), "referral.follow-up")
    assert [(o.item, o.status, o.staff) for o in refs] == [("2026-09-01-done", "done", ("jsmith", "ktran", "reva")),
                                                          ("2026-10-01-rc", "overdue", ("ktran",))]
    assert refs[1].source == "cases/p/referrals/2026-10-01-rc.yaml:5"


# ---------------------------------------------------------------- engine properties

def test_sorted_past_due_first_then_by_date_and_deterministic(caseload):
    cl = build(caseload, CCP + VR.replace("enrollments:\n", ""), events=(("2026-03-02", "monthly-review"),))
    a = compute(cl, date(2026, 4, 10))
    b = compute(load(cl.root), date(2026, 4, 10))
    assert a == b
    flags = [o.past_due for o in a]
    assert flags == sorted(flags, reverse=True)
    for group in (True, False):
        ds = [o.due for o in a if o.past_due is group]
        assert ds == sorted(ds)
    assert all(o.to_dict()["due"] == o.due.isoformat() for o in a)


def test_documents_with_errors_still_compute_what_loaded(caseload):
    body = VR + "    eligibility: {status: maybe}\njobs:\n  - {employer: X, start: 2026-13-01}\n"
    cl = build(caseload, body, events=(("2026-02-01", "monthly-review"),))
    assert any(d.severity == "error" for d in cl.diagnostics)
    o = one(cl, date(2026, 2, 1), "dor.eligibility-decision")
    assert o.due == date(2026, 4, 1)


def test_an_unreadable_case_file_does_not_crash(caseload):
    root = caseload({"cases/p/case.yaml": "id: [\n", "cases/p/plan.yaml": "goals:\n  - id: g1\n    area: employment\n"
                     "    statement: x\n    objectives: [{id: g1.o1, text: t, due: 2026-01-01}]\n"})
    cl = load(root)
    found = compute(cl, date(2026, 2, 1))
    # the case stays listed, first, as invalid; what its plan gives is kept and marked incomplete
    assert [(o.rule, o.status, o.incomplete) for o in found] == [("case.invalid", "invalid", True),
                                                                 ("plan.objective", "overdue", True)]
    assert found[0].due is None and found[0].source == "cases/p/case.yaml:2"  # where the YAML parser stops


def test_uids_are_stable_and_distinct(caseload):
    cl = build(caseload, CCP)
    first = compute(cl, date(2026, 6, 1))
    again = compute(load(cl.root), date(2026, 6, 1))
    assert [o.uid for o in first] == [o.uid for o in again]
    assert len({o.uid for o in first}) == len(first)


# ---------------------------------------------------------------- a fifth program: data only

def test_a_fifth_program_needs_only_a_folder(caseload):
    from toy_program import add_toy

    root = caseload({"cases/p/case.yaml": HEAD + "enrollments:\n  xx-toy:\n    joined: 2026-03-02\n    left: 2026-03-20\n",
                     "cases/p/events/2026-03-10-contact.yaml": "date: 2026-03-10\ntype: contact\n",
                     "cases/p/events/2026-03-05-meeting.yaml": "date: 2026-03-05\ntype: meeting\n"})
    add_toy(root)
    cl = load(root)
    assert not [d for d in validate(cl, date(2026, 4, 1)) if d.severity == "error"]
    got = [o for o in compute(cl, date(2026, 4, 1), include_closed_history=True) if o.program == "xx-toy"]
    assert [(o.rule, o.due.isoformat(), o.status, o.source) for o in got] == [
        ("toy.weekly", "2026-03-16", "overdue", "cases/p/case.yaml:6"),  # past due first
        ("toy.weekly", "2026-03-09", "done", "cases/p/case.yaml:6"),
        ("toy.check-in", "2026-03-16", "done", "cases/p/case.yaml:6"),
    ]
    assert all(o.history for o in got if o.rule == "toy.weekly")  # the person left on 03-20
    assert got[0].title_in("ru") in ("Занятие", "Проверка")


def test_a_malformed_rule_file_names_its_line(caseload):
    from toy_program import TOY_RULES, add_toy

    root = caseload({})
    add_toy(root, rules=TOY_RULES.replace("kind: once", "kind: sometimes"))
    diags = [d for d in load(root).diagnostics if d.code == "program-invalid"]
    assert [(d.file, d.line) for d in diags] == [("programs/xx-toy/rules.yaml", 6)] and "kind" in diags[0].message
    add_toy(root, rules=TOY_RULES.replace("toy.weekly", "ccp.monthly-review"))
    cl = load(root)
    assert "xx-toy" not in cl.programs and load_rules(cl.programs)  # left out, so the rules stay unique
    assert [(d.file, d.code) for d in cl.diagnostics if d.file.startswith("programs/")] == [
        ("programs/xx-toy/rules.yaml", "program-invalid")]


def test_month_arithmetic_clamps_to_month_end():
    assert Duration.parse("1m").apply(date(2026, 1, 31)) == date(2026, 2, 28)
    assert Duration.parse("1m").apply(date(2028, 1, 31)) == date(2028, 2, 29)
    assert Duration.parse("24m").apply(date(2024, 2, 29)) == date(2026, 2, 28)
    assert Duration.parse("-1m").apply(date(2027, 3, 31)) == date(2027, 2, 28)
    assert Duration.parse("60d").apply(date(2026, 1, 31)) == date(2026, 4, 1)
    assert Duration.parse("90d").apply(date(2026, 3, 31)) == date(2026, 6, 29)
    assert quarter_end(date(2026, 11, 22)) == date(2026, 12, 31) and quarter_start(date(2026, 5, 31)) == date(2026, 4, 1)
    assert Duration.parse("9999y").apply(date(2026, 1, 1)) is None


dates_ = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))


@settings(max_examples=200, deadline=None)
@given(dates_, st.integers(min_value=0, max_value=120))
def test_month_offsets_never_skip_a_month(d, k):
    shifted = Duration(k, "m").apply(d)
    assert (shifted.year * 12 + shifted.month) - (d.year * 12 + d.month) == k
    assert shifted.day == min(d.day, month_end(shifted).day)


@settings(max_examples=200, deadline=None)
@given(dates_)
def test_quarters_partition_the_year(d):
    qs, qe = quarter_start(d), quarter_end(d)
    assert qs <= d <= qe and qs.month in (1, 4, 7, 10) and qs.day == 1
    assert qe + timedelta(days=1) == quarter_start(qe + timedelta(days=1))


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2027, 12, 1)), st.integers(min_value=1, max_value=15))
def test_working_days_land_on_a_working_day_and_count_exactly(d, n):
    end = add_working_days(d, n, "RU")
    assert is_working_day(end, "RU")
    days = [d + timedelta(days=i) for i in range(1, (end - d).days + 1)]
    assert sum(is_working_day(x, "RU") for x in days) == n


def test_docs_rule_table_is_generated_from_the_rule_files():
    from careerpath.obligations.rules import markdown
    from conftest import ROOT

    text = (ROOT / "docs" / "obligations.md").read_text(encoding="utf-8")
    start, end = "<!-- rules:start -->\n", "<!-- rules:end -->"
    section = text[text.index(start) + len(start):text.index(end)]
    assert section == markdown(load_rules()), "regenerate the table in docs/obligations.md from rules.markdown()"


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), st.integers(min_value=0, max_value=900))
def test_monthly_series_are_consecutive_months_up_to_the_next_one(start, days_later):
    """Every month from the start month to the first month end on or after today, each once."""
    from careerpath.loader import CaseFolder, SourceFile
    from careerpath.obligations import case_obligations
    from careerpath.yamlfile import Positions

    today = start + timedelta(days=days_later)
    case = model_of("case", {"id": "p", "person": {"name": "X", "language": "en"}, "enrollments": {
        "ca-dds-ccp": {"basis": "left-subminimum-wage", "start": start.isoformat()}}})
    cf = CaseFolder("p", "cases/p", case=SourceFile("cases/p/case.yaml", "case", case, Positions(), True))
    got = [o for o in case_obligations(cf, load_rules(), default_settings(load_programs()), today) if o.rule == "ccp.monthly-review"]
    dues_ = sorted(o.due for o in got)
    assert dues_[0] == month_end(start)
    assert all(month_end(a + timedelta(days=1)) == b for a, b in zip(dues_, dues_[1:]))
    assert dues_[-1] >= today and all(d < today for d in dues_[:-1])
    assert all(o.status == "overdue" for o in got if o.due < today)


def test_hostile_corpus_files_never_crash_compute(tmp_path):
    """Every file of the hostile corpus, dropped in as any kind of case file, still gives a list."""
    from conftest import ROOT

    corpus = sorted((ROOT / "tests" / "corpus").glob("*.yaml"))
    assert corpus
    for i, source in enumerate(corpus):
        for rel in ("cases/x/case.yaml", "cases/x/plan.yaml", "cases/x/events/2026-01-01-e.yaml",
                    "cases/x/referrals/2026-01-01-r.yaml", "careerpath.yaml"):
            root = tmp_path / f"{i}-{rel.replace('/', '_')}"
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / "careerpath.yaml").write_text("agency: A\n", encoding="utf-8")
            shutil.copyfile(source, root / rel)
            assert isinstance(compute(load(root), date(2026, 11, 22), include_closed_history=True), list)
