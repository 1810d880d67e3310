"""Planned meetings and appointments (issue 20): `cases/<id>/appointments/<date>-<slug>.yaml` shows in `due`
(status `scheduled`), in `show` and in the ICS feed with its time and a stable UID (read back with the
icalendar parser); `log --from-appointment` records it; the Lanterman rules on IPP meetings. Dates below
are counted by hand."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import yaml
from conftest import CONFIG, write_tree

from careerpath.loader import load
from careerpath.obligations import compute

SAMPLE = Path(__file__).resolve().parent.parent / "sample-cases"

CASE = """\
id: ana
opened: 2026-01-05
person: {name: Ana Testperson, language: en}
staff: {navigator: jsmith}
enrollments:
  ca-dds-ccp:
    basis: left-subminimum-wage
    start: 2026-01-05
    authorized_until: 2027-01-04
    ipp_date: 2023-02-01
"""
IPP = """\
date: 2026-12-03
time: "14:00"
minutes: 90
kind: ipp-meeting
place: Regional center, room B
mode: in-person
who: [service coordinator, mother]
staff: [jsmith]
program: ca-dds-ccp
requested: 2026-11-12
"""


def build(tmp_path, **more: str):
    files = {"careerpath.yaml": CONFIG, "cases/ana/case.yaml": CASE,
             "cases/ana/appointments/2026-12-03-ipp-meeting.yaml": IPP, **more}
    root = write_tree(tmp_path / "caseload", files)
    cl = load(root)
    assert not [d for d in cl.diagnostics if d.severity == "error"], cl.diagnostics
    return root, cl


def of(cl, today: date, rule: str) -> list:
    return [o for o in compute(cl, today, include_closed_history=True) if o.rule == rule]


def test_an_appointment_is_scheduled_until_its_day_then_overdue_until_recorded(tmp_path):
    _root, cl = build(tmp_path)
    before = of(cl, date(2026, 11, 22), "appointment.planned")
    assert [(o.status, o.due, o.time, o.minutes, o.staff, o.item) for o in before] == [
        ("scheduled", date(2026, 12, 3), "14:00", 90, ("jsmith",), "2026-12-03-ipp-meeting")]
    assert [o.status for o in of(cl, date(2026, 12, 3), "appointment.planned")] == ["scheduled"]  # its own day
    assert [o.status for o in of(cl, date(2026, 12, 4), "appointment.planned")] == ["overdue"]    # passed, not recorded


def test_an_ipp_meeting_requested_in_writing_is_due_within_30_days(tmp_path):
    _root, cl = build(tmp_path)
    # requested 12 November: 12 November + 30 days = 12 December
    rule = of(cl, date(2026, 12, 13), "ccp.ipp-meeting-request")
    assert [(o.due, o.status, o.confirmed) for o in rule] == [(date(2026, 12, 12), "overdue", False)]
    assert "Lanterman" in rule[0].citation
    # an IPP meeting before the request does not answer it; one after it does
    _r, held = build(tmp_path / "held", **{
        "cases/ana/events/2026-11-01-ipp-meeting.yaml": "date: 2026-11-01\ntype: ipp-meeting\nby: jsmith\n",
        "cases/ana/events/2026-12-03-ipp-meeting.yaml": "date: 2026-12-03\ntype: ipp-meeting\nby: jsmith\n"})
    assert [(o.status, o.done_on) for o in of(held, date(2026, 12, 13), "ccp.ipp-meeting-request")] == \
        [("done", date(2026, 12, 3))]
    _r, early = build(tmp_path / "early", **{
        "cases/ana/events/2026-11-01-ipp-meeting.yaml": "date: 2026-11-01\ntype: ipp-meeting\nby: jsmith\n"})
    assert [o.status for o in of(early, date(2026, 12, 13), "ccp.ipp-meeting-request")] == ["overdue"]
    # the setting (needs source) moves it: 14 days -> 26 November
    _r, short = build(tmp_path / "short", **{"careerpath.yaml": CONFIG + "settings:\n  ccp_ipp_request_days: 14\n"})
    assert [o.due for o in of(short, date(2026, 12, 13), "ccp.ipp-meeting-request")] == [date(2026, 11, 26)]


def test_the_ipp_is_reviewed_every_three_years(tmp_path):
    _root, cl = build(tmp_path)
    # ipp_date 1 February 2023 + 3 years = 1 February 2026; no IPP meeting since: overdue on 22 November 2026
    assert [(o.due, o.status) for o in of(cl, date(2026, 11, 22), "ccp.ipp-review")] == [(date(2026, 2, 1), "overdue")]
    _r, met = build(tmp_path / "met", **{
        "cases/ana/events/2026-03-10-ipp-meeting.yaml": "date: 2026-03-10\ntype: ipp-meeting\nby: jsmith\n"})
    # reviewed 10 March 2026 (late); the next review counts from it: 10 March 2029, after the authorization ends
    assert [(o.due, o.status, o.done_on) for o in of(met, date(2026, 11, 22), "ccp.ipp-review")] == \
        [(date(2026, 2, 1), "done", date(2026, 3, 10))]
    _r, yearly = build(tmp_path / "yearly", **{"careerpath.yaml": CONFIG + "settings:\n  ccp_ipp_review_every: 1y\n",
                                               "cases/ana/appointments/2026-12-03-ipp-meeting.yaml": IPP})
    assert [o.due for o in of(yearly, date(2026, 11, 22), "ccp.ipp-review")] == [date(2024, 2, 1)]


def sample(tmp_path) -> Path:
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".careerpath"))
    return root


def test_due_lists_the_samples_appointments_and_the_feed_has_their_times(tmp_path, cli):
    from icalendar import Calendar

    root = sample(tmp_path)
    r = cli("due", "-C", root, "--today", "2026-11-22", "--format", "json", "--status", "scheduled")
    assert r.code == 0, r.err
    rows = json.loads(r.out)
    assert [(o["case"], o["due"], o["time"], o["item"]) for o in rows] == [
        ("ntxhi-vaj", "2026-12-03", "13:45", "2026-12-03-interpreter"),
        ("ntxhi-vaj", "2026-12-03", "14:00", "2026-12-03-ipp-meeting"),
        ("linh-tran", "2026-12-08", "10:30", "2026-12-08-iep-meeting")]
    feeds = []
    for _ in range(2):
        ics = cli("due", "-C", root, "--today", "2026-11-22", "--format", "ics", "--rule", "appointment.planned")
        assert ics.code == 0, ics.err
        feeds.append(ics.out)
    assert feeds[0] == feeds[1]
    events = [c for c in Calendar.from_ical(feeds[0]).walk("VEVENT")]
    got = {str(e["uid"]): (e.decoded("dtstart"), e.decoded("dtend")) for e in events}
    # the IPP meeting: 14:00 for 90 minutes; the IEP meeting: 10:30, an hour (no `minutes`)
    assert got[rows[1]["uid"] + "@careerpath"] == (datetime(2026, 12, 3, 14, 0), datetime(2026, 12, 3, 15, 30))
    assert got[rows[2]["uid"] + "@careerpath"] == (datetime(2026, 12, 8, 10, 30), datetime(2026, 12, 8, 11, 30))
    assert "Ntxhi Vaj" not in feeds[0] and "Central Valley" not in feeds[0]  # no names, no places in the cloud
    # the IPP meeting requested in writing on 12 November: due 12 December
    req = json.loads(cli("due", "-C", root, "--today", "2026-11-22", "--format", "json",
                         "--rule", "ccp.ipp-meeting-request").out)
    assert [(o["case"], o["due"], o["status"]) for o in req] == [("ntxhi-vaj", "2026-12-12", "due-soon")]
    shown = cli("show", "ntxhi-vaj", "-C", root, "--today", "2026-11-22")
    assert shown.code == 0, shown.err
    assert "scheduled 2026-12-03  Planned appointment [14:00, 2026-12-03-ipp-meeting]" in shown.out


def test_log_from_appointment_records_the_event_and_marks_the_appointment(tmp_path, cli):
    root, _cl = build(tmp_path)
    r = cli("log", "ana", "--from-appointment", "2026-12-03-ipp-meeting", "--summary", "IPP updated",
            "--no-commit", "-C", root, "--today", "2026-12-03")
    assert r.code == 0, r.err
    event = yaml.safe_load((root / "cases/ana/events/2026-12-03-ipp-meeting.yaml").read_text(encoding="utf-8"))
    assert event == {"date": date(2026, 12, 3), "type": "ipp-meeting", "by": "jsmith", "program": "ca-dds-ccp",
                     "summary": "IPP updated"}
    planned = yaml.safe_load((root / "cases/ana/appointments/2026-12-03-ipp-meeting.yaml").read_text(encoding="utf-8"))
    assert planned["recorded"] == "events/2026-12-03-ipp-meeting.yaml" and planned["time"] == "14:00"
    cl = load(root)
    assert [o.status for o in of(cl, date(2026, 12, 4), "appointment.planned")] == ["done"]
    assert [(o.status, o.done_on) for o in of(cl, date(2026, 12, 4), "ccp.ipp-meeting-request")] == \
        [("done", date(2026, 12, 3))]
    again = cli("log", "ana", "--from-appointment", "2026-12-03-ipp-meeting", "--no-commit", "-C", root,
                "--today", "2026-12-03")
    assert again.code == 2 and "already recorded" in again.err
    missing = cli("log", "ana", "--from-appointment", "2026-12-09-nothing", "--no-commit", "-C", root, "--today", "2026-12-03")
    assert missing.code == 2
    assert cli("log", "ana", "--by", "jsmith", "--no-commit", "-C", root).code == 2  # neither TYPE nor an appointment
