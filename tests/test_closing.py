"""`careerpath close`: reasons from a list, program conditions, what a closure ends and what outlives it.

Dates are computed by hand in the comments; the closures are written with --no-commit (git is
tested in test_record.py).
"""

from __future__ import annotations

import json
import re
import textwrap

import pytest

from careerpath import i18n
from careerpath.closing import CORE_REASONS

DANA = """\
id: dana
status: active                  # kept open until the 12-month review of the ineligibility decision
# the person asked to keep the file open
opened: 2025-12-01
closure: null
person: {name: Invented Person, language: en}
staff: {counselor: jsmith}
enrollments:
  ca-dor-vr:
    applied: 2025-12-01
    eligibility:
      status: ineligible
      decided: 2026-01-23
      notice: {sent: 2026-01-26, reasons: true, rights: true, cap_info: true}
jobs: []
"""
CONTACT = "date: 2026-08-12\ntype: contact\nby: jsmith\n"


@pytest.fixture
def dana(caseload):
    return caseload({"cases/dana/case.yaml": DANA, "cases/dana/events/2026-08-12-contact.yaml": CONTACT})


def close(cli, root, *args, today="2026-11-22"):
    return cli("close", "dana", *args, "--by", "jsmith", "--no-commit", "-C", root, "--today", today)


def due_json(cli, root, today="2026-11-22", *args):
    r = cli("due", "-C", root, "--today", today, "--format", "json", "--no-cache", *args)
    assert r.code == 0, r.err
    return [(o["case"], o["rule"], o["due"], o["status"]) for o in json.loads(r.out)]


# ---------------------------------------------------------------- the 12-month ineligibility review outlives closure

@pytest.mark.parametrize("reason", ["moved", "ineligible", "declined-services", "transferred", "completed", "other"])
def test_the_ineligibility_review_stays_open_after_closing(cli, dana, reason):
    # decided 2026-01-23 + 12 months = 2027-01-23 (34 CFR 361.43(e))
    extra = ("--note", "left for a training program") if reason == "other" else ()
    r = close(cli, dana, "--reason", reason, *extra)
    assert r.code == 0, r.err
    assert "the closure ends no open obligation" in r.out
    assert effect(r.out) == {"ends": [], "stays": [("dor.ineligibility-review", "2027-01-23")]}
    assert due_json(cli, dana) == [("dana", "dor.ineligibility-review", "2027-01-23", "upcoming")]
    # and it comes due in its time, closed case or not
    assert due_json(cli, dana, "2027-02-01") == [("dana", "dor.ineligibility-review", "2027-01-23", "overdue")]
    text = (dana / "cases/dana/case.yaml").read_text()
    closure = {"date": "2026-11-22", "reason": reason, **({"note": "left for a training program"} if extra else {})}
    assert "closure: {" + ", ".join(f"{k}: {v}" for k, v in closure.items()) + "}\n" in text


@pytest.mark.parametrize("reason", ["unable-to-locate", "deceased"])
def test_the_ineligibility_review_ends_when_the_law_excuses_it(cli, dana, reason):
    # 361.43(e): no review when the person's whereabouts are unknown (or the condition is terminal)
    r = close(cli, dana, "--reason", reason)
    assert r.code == 0, r.err
    assert effect(r.out) == {"ends": [("dor.ineligibility-review", "2027-01-23")], "stays": []}
    assert "no obligation stays open after the closure" in r.out
    assert due_json(cli, dana) == []


def test_employed_needs_90_days_in_the_job_or_an_override(cli, dana):
    r = close(cli, dana, "--reason", "employed")
    assert r.code == 1 and "90 days" in r.err and "--override" in r.err
    assert "status: active" in (dana / "cases/dana/case.yaml").read_text()  # nothing written
    r = close(cli, dana, "--reason", "employed", "--override", "job coach confirmed a stable placement")
    assert r.code == 0, r.err
    text = (dana / "cases/dana/case.yaml").read_text()
    assert "closure: {date: 2026-11-22, reason: employed, override: job coach confirmed a stable placement}" in text
    assert cli("validate", "-C", dana, "--today", "2026-11-22").code == 0  # the override says why


def test_employed_on_the_90th_day_and_not_before(cli, caseload):
    body = DANA.replace("      status: ineligible\n      decided: 2026-01-23\n      notice: {sent: 2026-01-26, "
                        "reasons: true, rights: true, cap_info: true}\n",
                        "      status: eligible\n      decided: 2026-01-23\n    ipe: {signed: 2026-03-01}\n")
    body = body.replace("jobs: []", "jobs:\n  - {employer: Invented Cafe, start: 2026-09-01, program: ca-dor-vr}")
    root = caseload({"cases/dana/case.yaml": body})
    # 2026-09-01 + 90 days = 2026-11-30 (30 days of September after the 1st, 31 of October, 29 of November)
    assert close(cli, root, "--reason", "employed", "--date", "2026-11-29", today="2026-12-01").code == 1
    r = close(cli, root, "--reason", "employed", "--date", "2026-11-30", today="2026-12-01")
    assert r.code == 0, r.err
    # hand-edited to close earlier, validate warns (34 CFR 361.56)
    path = root / "cases/dana/case.yaml"
    path.write_text(path.read_text().replace("date: 2026-11-30", "date: 2026-11-01"))
    r = cli("validate", "-C", root, "--today", "2026-12-01", "--format", "json")
    assert [(d["code"], d["line"]) for d in json.loads(r.out)] == [("closure-condition", 5)]


# ---------------------------------------------------------------- reasons, notes, dates, comments

def test_an_unknown_reason_is_a_usage_error_with_a_suggestion(cli, dana):
    r = close(cli, dana, "--reason", "movd")
    assert r.code == 2 and "did you mean `moved`?" in r.err and "employed, ineligible" in r.err
    r = close(cli, dana, "--reason", "other")
    assert r.code == 2 and "--note" in r.err
    assert "status: active" in (dana / "cases/dana/case.yaml").read_text()


def test_every_reason_is_documented_in_the_help(cli):
    text = re.sub(r"-\s+", "-", " ".join(cli("close", "--help").out.split()))  # help wraps after a hyphen
    assert all(reason in text for reason in CORE_REASONS)


def test_a_closure_before_a_recorded_event_is_refused(cli, dana):
    before = (dana / "cases/dana/case.yaml").read_bytes()
    r = close(cli, dana, "--reason", "moved", "--date", "2026-08-11")
    assert r.code == 1 and "cases/dana/events/2026-08-12-contact.yaml" in r.err
    assert (dana / "cases/dana/case.yaml").read_bytes() == before
    assert close(cli, dana, "--reason", "moved", "--date", "2026-08-12").code == 0  # the same day is fine


def test_close_removes_its_stale_comment_and_keeps_the_rest(cli, dana):
    assert close(cli, dana, "--reason", "moved").code == 0
    head = (dana / "cases/dana/case.yaml").read_text().splitlines()[:5]
    assert head == ["id: dana", "status: closed", "# the person asked to keep the file open", "opened: 2025-12-01",
                    "closure: {date: 2026-11-22, reason: moved}"]


# ---------------------------------------------------------------- show: the closure date, in every language

@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("reason", CORE_REASONS)
def test_show_prints_the_closure_date_and_reason(cli, caseload, lang, reason):
    closed = DANA.replace("status: active                  # kept open until the 12-month review of the "
                          "ineligibility decision\n", "status: closed\n").replace(
        "closure: null", "closure: {date: 2026-10-30, reason: " + reason + (", note: x" if reason == "other" else "")
        + ", override: y}")
    root = caseload({"cases/dana/case.yaml": closed})
    r = cli("--lang", lang, "show", "dana", "-C", root, "--today", "2026-11-22")
    assert r.code == 0, r.err
    line = r.out.splitlines()[2]
    previous = i18n.current()
    try:
        i18n.use(lang)
        closing, opening = i18n.display_date("2026-10-30"), i18n.display_date("2025-12-01")
        shown_reason = i18n.display("closure-reason", reason)
    finally:
        i18n.use(previous)
    assert closing in line and opening in line and shown_reason in line, line
    assert line.index(closing) < line.index(opening)  # the closure first, never the opening as the closure


def test_the_display_of_reasons_follows_the_core_list():
    assert i18n.DISPLAY_VALUES["closure-reason"] == CORE_REASONS


# ---------------------------------------------------------------- other rules that outlive a closure (hand-computed)

CZN = """\
id: dana
status: closed
opened: 2026-02-01
closure: {date: 2026-05-10, reason: REASON}
person: {name: Invented Person, language: ru}
staff: {curator: reva}
enrollments:
  ru-czn-disability:
    registered: 2026-02-01
jobs:
  - {employer: Invented Plant, start: 2026-03-02, program: ru-czn-disability}
"""


def test_retention_checks_outlive_the_closure(cli, caseload):
    # job start 2026-03-02: checks at +30d = 2026-04-01, +6m = 2026-09-02, +12m = 2027-03-02
    root = caseload({"cases/dana/case.yaml": CZN.replace("REASON", "employed")})
    got = [(rule, due, status) for _c, rule, due, status in due_json(cli, root) if rule == "czn.retention-check"]
    assert got == [("czn.retention-check", "2026-04-01", "overdue"), ("czn.retention-check", "2026-09-02", "overdue"),
                   ("czn.retention-check", "2027-03-02", "upcoming")]
    gone = caseload({"cases/dana/case.yaml": CZN.replace("REASON", "deceased")})
    assert [r for r in due_json(cli, gone) if r[1] == "czn.retention-check"] == []


CCP = """\
id: dana
status: active
opened: 2026-01-15
closure: null
person: {name: Invented Person, language: en}
staff: {navigator: jsmith}
enrollments:
  ca-dds-ccp:
    basis: left-subminimum-wage
    start: 2026-01-15
    authorized_until: 2027-01-14
jobs:
  - {employer: Invented Library, start: 2026-02-02, integrated: true, wage: 18.5}
"""


def test_close_prints_what_it_ends_and_what_stays_open(cli, caseload):
    root = caseload({"cases/dana/case.yaml": CCP})
    r = close(cli, root, "--reason", "completed", "--date", "2026-03-20", today="2026-03-20")
    assert r.code == 0, r.err

    got = effect(r.out)
    # monthly reviews of January and February (overdue) end; the authorization end (2027-01-14) falls after
    # the closure (no annual report either way: its anniversary, 2027-01-15, is after the authorization)
    assert sorted(got["ends"]) == [("ccp.authorization-end", "2027-01-14"),
                                   ("ccp.monthly-review", "2026-01-31"), ("ccp.monthly-review", "2026-02-28")]
    # March (the month of the closure) and Q1 (its quarter, due 2026-04-30) stay; the CIE milestones of the
    # job started 2026-02-02 (+30d 2026-03-04, +6m 2026-08-02, +12m 2027-02-02) outlive the closure
    assert sorted(got["stays"]) == [
        ("ccp.monthly-review", "2026-03-31"), ("ccp.quarterly-report", "2026-04-30"),
        ("dds.cie-incentive", "2026-03-04"), ("dds.cie-incentive", "2026-08-02"), ("dds.cie-incentive", "2027-02-02")]
    assert sorted((rule, due) for _c, rule, due, _s in due_json(cli, root, "2026-03-20")) == sorted(got["stays"])


def effect(out: str) -> dict[str, list[tuple[str, str]]]:
    """close's two lists: (rule, due) under "the closure ends" and under "stay(s) open"."""
    got: dict[str, list] = {"ends": [], "stays": []}
    part = None
    for line in out.splitlines():
        if line.startswith("the closure ends"):
            part = "ends"
        elif "open after the closure" in line:
            part = "stays"
        elif line.startswith("  ") and part:
            status, due, rule = line.split()[:3]
            got[part].append((rule, due))
    return got



def test_a_dry_run_shows_the_effect_and_writes_nothing(cli, dana):
    before = (dana / "cases/dana/case.yaml").read_bytes()
    r = cli("close", "dana", "--reason", "moved", "--by", "jsmith", "--dry-run", "-C", dana, "--today", "2026-11-22")
    assert r.code == 0 and "+status: closed" in r.out and "stays open after the closure" in r.out
    assert (dana / "cases/dana/case.yaml").read_bytes() == before


def test_a_program_may_add_reasons_and_conditions_as_data(cli, caseload):
    from toy_program import TOY_PROGRAM, add_toy

    root = caseload({"cases/dana/case.yaml": textwrap.dedent("""\
        id: dana
        status: active
        person: {name: Invented Person, language: en}
        staff: {navigator: jsmith}
        enrollments:
          xx-toy: {joined: 2026-03-02}
        """)})
    add_toy(root, program=TOY_PROGRAM + textwrap.dedent("""\
        closure:
          reasons: [graduated]
          conditions:
            - {reason: graduated, needs: toy.check-in, message: a member graduates after the two-week check-in}
        """))
    # the check-in is due 2026-03-16 and done by a contact between 03-02 and then
    assert close(cli, root, "--reason", "graduatd", today="2026-04-01").code == 2
    r = close(cli, root, "--reason", "graduated", "--date", "2026-04-01", today="2026-04-01")
    assert r.code == 1 and "two-week check-in" in r.err
    (root / "cases/dana/events").mkdir()
    (root / "cases/dana/events/2026-03-10-contact.yaml").write_text("date: 2026-03-10\ntype: contact\n")
    assert close(cli, root, "--reason", "graduated", "--date", "2026-04-01", today="2026-04-01").code == 0
