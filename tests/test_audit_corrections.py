"""Issue 15, the rest of the audit trail: corrections (amend, revert), what audit reads from a commit's diff
(a hand commit's back-dated event, a clock set back) and the export for an auditor, in real git repositories."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from conftest import TODAY
from test_audit_trail import head, office, run  # noqa: F401  (the fixture)
from test_record import git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed; the audit trail is git")


def shaped(command: str, text: str):
    """The JSON a command printed, checked against its documented shape (careerpath/cli/shapes.py)."""
    import jsonschema

    from careerpath.cli.shapes import shapes

    data = json.loads(text)
    jsonschema.validate(data, shapes()[command])
    return data


def due_rows(cli, repo, *args):
    r = cli("due", "--format", "json", "--all", "-C", repo, "--today", TODAY.isoformat(), *args)
    return json.loads(r.out)


def review_status(cli, repo, month: str) -> str:
    rows = [o for o in due_rows(cli, repo) if o["rule"] == "ccp.monthly-review" and o.get("item") == month]
    assert len(rows) == 1, rows
    return rows[0]["status"]


# ---------------------------------------------------------------- amend

def test_amend_corrects_a_recorded_event_as_a_new_commit_and_due_follows(office, cli):
    r = run(cli, office, "log", "an-nguyen", "monthly-review", "--date", "2026-11-20", "--by", "jsmith")
    assert r.code == 0, r.err
    recorded = head(office, "%H")
    assert review_status(cli, office, "2026-11") == "done"
    # no reason, no staff: refused, nothing written
    event = office / "cases/an-nguyen/events/2026-11-20-monthly-review.yaml"
    before = event.read_bytes()
    r = run(cli, office, "amend", "an-nguyen", "2026-11-20-monthly-review", "date", "2026-10-30", "--by", "jsmith")
    assert r.code == 2 and "--reason" in r.err
    r = run(cli, office, "amend", "an-nguyen", "2026-11-20-monthly-review", "date", "2026-10-30", "--reason", "x")
    assert r.code == 2 and "--by" in r.err
    assert event.read_bytes() == before and head(office, "%H") == recorded
    r = run(cli, office, "amend", "an-nguyen", "2026-11-20-monthly-review", "date", "2026-10-30", "--by", "ktran",
            "--reason", "the review was held in October; logged under the wrong month")
    assert r.code == 0, r.err
    assert head(office, "%s") == "an-nguyen: amend events/2026-11-20-monthly-review: date 2026-10-30"
    body = head(office, "%B").splitlines()
    assert f"Corrects: {recorded}" in body
    assert "Reason: the review was held in October; logged under the wrong month" in body
    assert head(office, "%an") == "Kim Tran" and head(office, "%P") == recorded   # a new commit: history kept
    assert "date: 2026-10-30" in event.read_text()
    # due follows the file: October's review is done now, November's is not
    assert review_status(cli, office, "2026-10") == "done"
    assert review_status(cli, office, "2026-11") != "done"
    # history shows the correction under what it corrects, and the correction says what it corrects
    text = cli("history", "an-nguyen", "-C", office).out
    assert f"    corrects {recorded[:10]}" in text
    assert (f"    corrected by {head(office, '%H')[:10]} on {head(office, '%aI')[:10]} by Kim Tran: "
            "the review was held in October; logged under the wrong month") in text
    entries = shaped("history", cli("history", "an-nguyen", "--format", "json", "-C", office).out)
    assert entries[0]["corrects"] == recorded
    assert [c["commit"] for c in entries[1]["corrected_by"]] == [entries[0]["commit"]]
    findings = shaped("audit", cli("audit", "--format", "json", "-C", office).out)
    corrections = [f for f in findings if f["code"] == "correction"]
    assert [(f["corrects"]["commit"], f["corrects"]["subject"], f["reason"], f["author"]) for f in corrections] == [
        (recorded, "an-nguyen: log monthly-review 2026-11-20",
         "the review was held in October; logged under the wrong month", "Kim Tran")]
    # the event's date changed after it was first set: also a key-date change, with the reason
    changed = [f for f in findings if f["code"] == "key-date-changed"]
    assert [(f["field"], f["old"], f["new"], f["reason"]) for f in changed] == [
        ("events/2026-11-20-monthly-review.date", "2026-11-20", "2026-10-30",
         "the review was held in October; logged under the wrong month")]
    assert "corrects " + recorded[:10] in cli("audit", "-C", office).out


def test_amend_refuses_what_the_format_refuses_and_unknown_records(office, cli):
    assert run(cli, office, "log", "an-nguyen", "contact", "--date", "2026-11-20", "--by", "jsmith").code == 0
    r = run(cli, office, "amend", "an-nguyen", "2026-11-20-contact", "date", "2026-13-40", "--by", "jsmith",
            "--reason", "typo")
    assert r.code != 0 and head(office, "%s") == "an-nguyen: log contact 2026-11-20"
    r = run(cli, office, "amend", "an-nguyen", "2026-01-01-nothing", "date", "2026-11-19", "--by", "jsmith",
            "--reason", "typo")
    assert r.code == 2 and "has no event or referral" in r.err
    r = run(cli, office, "amend", "an-nguyen", "2026-11-20-contact", "date", "--by", "jsmith", "--reason", "typo")
    assert r.code == 2 and "FIELD VALUE" in r.err
    # a personal value never goes into the subject
    r = run(cli, office, "amend", "an-nguyen", "events/2026-11-20-contact", "summary", "Called Nguyễn Văn An's sister",
            "--by", "jsmith", "--reason", "the summary was missing")
    assert r.code == 0, r.err
    assert head(office, "%s") == "an-nguyen: amend events/2026-11-20-contact: summary"


# ---------------------------------------------------------------- revert

def test_revert_undoes_one_recording_and_due_follows(office, cli):
    assert run(cli, office, "log", "an-nguyen", "monthly-review", "--date", "2026-11-20", "--by", "jsmith").code == 0
    logged = head(office, "%H")
    assert run(cli, office, "set", "an-nguyen", "person.interpreter", "true", "--by", "jsmith").code == 0
    assert review_status(cli, office, "2026-11") == "done"
    r = run(cli, office, "revert", logged, "--by", "jsmith")
    assert r.code == 2 and "--reason" in r.err
    r = run(cli, office, "revert", "not-a-commit", "--by", "jsmith", "--reason", "wrong person")
    assert r.code == 2 and "COMMIT is not a commit of the current branch" in r.err
    r = run(cli, office, "revert", logged[:12], "--by", "ktran", "--reason", "logged for the wrong person")
    assert r.code == 0, r.err
    assert not (office / "cases/an-nguyen/events/2026-11-20-monthly-review.yaml").exists()
    assert head(office, "%s") == f"an-nguyen: revert {logged[:10]}"
    assert f"Corrects: {logged}" in head(office, "%B")
    assert git(office, "show", "--name-status", "--format=", "HEAD").split() == [
        "D", "cases/an-nguyen/events/2026-11-20-monthly-review.yaml"]
    assert review_status(cli, office, "2026-11") != "done"
    assert git(office, "status", "--porcelain") == ""
    # the later, unrelated change stays
    assert "interpreter: true" in (office / "cases/an-nguyen/case.yaml").read_text()
    # reverting it again: the file is gone, nothing to undo
    r = run(cli, office, "revert", logged, "--by", "ktran", "--reason", "again")
    assert r.code == 2 and "changed since commit" in r.err
    # the record is deleted by a correction: audit shows both, with the reason
    codes = [(f["code"], f["reason"]) for f in json.loads(cli("audit", "--format", "json", "-C", office).out)]
    assert ("record-deleted", "logged for the wrong person") in codes and ("correction", "logged for the wrong person") in codes


def test_revert_of_a_field_change_keeps_later_changes_to_other_lines(office, cli):
    assert run(cli, office, "set", "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-08-28", "--by", "jsmith",
               "--reason", "the stamp").code == 0
    changed = head(office, "%H")
    assert run(cli, office, "set", "an-nguyen", "person.interpreter", "true", "--by", "jsmith").code == 0
    r = run(cli, office, "revert", changed, "--by", "ktran", "--reason", "the stamp was misread")
    assert r.code == 0, r.err
    text = (office / "cases/an-nguyen/case.yaml").read_text()
    assert "applied: 2026-09-01       # DOR stamp date" in text and "interpreter: true" in text
    # reverting a key date back is a key-date change with its reason
    findings = json.loads(cli("audit", "--format", "json", "-C", office).out)
    assert [(f["old"], f["new"], f["reason"]) for f in findings if f["code"] == "key-date-changed"][-1] == (
        "2026-08-28", "2026-09-01", "the stamp was misread")
    # a change of the same line since: refused, nothing written
    assert run(cli, office, "set", "an-nguyen", "person.interpreter", "false", "--by", "jsmith").code == 0
    interp = [e["commit"] for e in json.loads(cli("history", "an-nguyen", "person.interpreter", "--format", "json",
                                                  "-C", office).out)][-1]
    before = head(office, "%H")
    r = run(cli, office, "revert", interp, "--by", "jsmith", "--reason", "no")
    assert r.code == 2 and "in the same lines" in r.err
    assert head(office, "%H") == before


def test_revert_refuses_a_commit_outside_one_case(office, cli):
    (office / "careerpath.yaml").write_text((office / "careerpath.yaml").read_text() + "# a comment\n")
    git(office, "commit", "-qam", "config")
    r = run(cli, office, "revert", "HEAD", "--by", "jsmith", "--reason", "no")
    assert r.code == 2 and "outside the case folders" in r.err
    r = run(cli, office, "revert", "HEAD~1", "--by", "jsmith", "--reason", "no")   # the first commit: adds everything
    assert r.code == 2


# ---------------------------------------------------------------- what audit reads from the diff

def _commit_at(repo, when: str, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


EVENT = "date: {date}\ntype: monthly-review\nby: jsmith\n"


def test_a_hand_commit_adding_a_backdated_event_is_a_late_entry(office, cli):
    events = office / "cases/an-nguyen/events"
    events.mkdir()
    (events / "2026-08-28-monthly-review.yaml").write_text(EVENT.format(date="2026-08-28"))
    git(office, "add", "-A")
    _commit_at(office, "2026-11-22T10:00:00+00:00", "commit", "-qm", "review")
    findings = json.loads(cli("audit", "--format", "json", "-C", office).out)
    late = [f for f in findings if f["code"] == "late-entry"]
    assert [(f["late_days"], f["marked"], f["files"]) for f in late] == [
        (86, False, ["cases/an-nguyen/events/2026-08-28-monthly-review.yaml"])]
    assert ("cases/an-nguyen/events/2026-08-28-monthly-review.yaml entered 86 days after its date, by a commit "
            "careerpath did not make (read from its diff)") in cli("audit", "-C", office).out
    # a case folder added whole brings its past: not a late entry (nor is what the first commit held)
    other = office / "cases/b-case"
    (other / "events").mkdir(parents=True)
    (other / "case.yaml").write_text((office / "cases/an-nguyen/case.yaml").read_text().replace("id: an-nguyen", "id: b-case"))
    (other / "events/2026-05-01-monthly-review.yaml").write_text(EVENT.format(date="2026-05-01"))
    git(office, "add", "-A")
    _commit_at(office, "2026-11-22T10:30:00+00:00", "commit", "-qm", "a case transferred in")
    assert len([f for f in json.loads(cli("audit", "--format", "json", "-C", office).out) if f["code"] == "late-entry"]) == 1
    # on time: nothing; the limit is the caseload's setting
    (events / "2026-11-20-monthly-review.yaml").write_text(EVENT.format(date="2026-11-20"))
    git(office, "add", "-A")
    _commit_at(office, "2026-11-22T11:00:00+00:00", "commit", "-qm", "on time")
    assert len([f for f in json.loads(cli("audit", "--format", "json", "-C", office).out) if f["code"] == "late-entry"]) == 1
    config = office / "careerpath.yaml"
    config.write_text(config.read_text() + "settings:\n  late_entry_days: 100\n")
    git(office, "commit", "-qam", "a long limit")
    assert [f for f in json.loads(cli("audit", "--format", "json", "-C", office).out) if f["code"] == "late-entry"] == []


def test_a_late_entry_careerpath_marked_is_read_from_its_trailers_only(office, cli):
    assert run(cli, office, "log", "an-nguyen", "contact", "--date", "2026-09-01", "--by", "jsmith").code == 0
    late = [f for f in json.loads(cli("audit", "--format", "json", "-C", office).out) if f["code"] == "late-entry"]
    assert [(f["late_days"], f["marked"]) for f in late] == [(82, True)]


def test_a_clock_set_back_is_a_finding(office, cli):
    _commit_at(office, "2026-11-01T09:00:00+00:00", "commit", "--amend", "-qm", "start")
    events = office / "cases/an-nguyen/events"
    events.mkdir()
    (events / "2026-11-20-contact.yaml").write_text("date: 2026-11-20\ntype: contact\nby: jsmith\n")
    git(office, "add", "-A")
    _commit_at(office, "2026-11-21T09:00:00+00:00", "commit", "-qm", "contact")
    parent = head(office, "%H")
    # the next commit's clock says a day earlier than its parent's
    (events / "2026-11-20-contact.yaml").write_text("date: 2026-11-20\ntype: contact\nby: jsmith\nsummary: Called\n")
    _commit_at(office, "2026-11-20T09:00:00+00:00", "commit", "-qam", "summary")
    # and one enters a date after the day it was committed
    (events / "2026-12-05-contact.yaml").write_text("date: 2026-12-05\ntype: contact\nby: jsmith\n")
    git(office, "add", "-A")
    _commit_at(office, "2026-11-22T09:00:00+00:00", "commit", "-qm", "ahead")
    findings = [f for f in shaped("audit", cli("audit", "--format", "json", "-C", office).out) if f["code"] == "clock-set-back"]
    assert [f["clock"] for f in findings] == [
        {"parent": parent, "parent_date": "2026-11-21T09:00:00+00:00", "date": "2026-11-20T09:00:00+00:00"},
        {"record": "cases/an-nguyen/events/2026-12-05-contact.yaml", "record_date": "2026-12-05",
         "commit_date": "2026-11-22"}]
    text = cli("audit", "-C", office).out
    assert f"committed at 2026-11-20T09:00:00+00:00, before its parent {parent[:10]} (2026-11-21T09:00:00+00:00)" in text
    assert "cases/an-nguyen/events/2026-12-05-contact.yaml enters 2026-12-05, after the day it was committed (2026-11-22)" in text


# ---------------------------------------------------------------- the export for an auditor's visit

MREYES = "Marisol Reyes"  # the sample staff member mreyes


@pytest.fixture
def toured(cli, tmp_path, monkeypatch):
    """The sample caseload in a repository of its own, with a history: a key date changed with a reason, a late
    entry, evidence attached, a correction. Commit dates are fixed, so the history is the same on every run."""
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-11-22T10:00:00+00:00")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-11-22T10:00:00+00:00")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    (tmp_path / "gitconfig").write_text("[user]\n\tname = Front Office PC\n\temail = frontdesk@agency.example\n"
                                        "[commit]\n\tgpgsign = false\n")
    root = tmp_path / "tour"
    assert cli("init", "--sample", root).code == 0
    staff = cli("cases", "--format", "json", "-C", root, "--today", TODAY.isoformat())
    assert staff.code == 0, staff.err
    return root


def _key_date_case(root) -> tuple[str, str, str]:
    """A sample case with a key date set (the first in id order), that field's address and the day before its value."""
    from datetime import date, timedelta

    from careerpath.history import key_dates
    from careerpath.programs import load_programs
    from careerpath.yamlfile import read_file
    from careerpath.history import flatten

    keys = key_dates(load_programs(root))
    for folder in sorted((root / "cases").iterdir()):
        data = flatten(read_file(folder / "case.yaml", "case.yaml").data)
        for k in sorted(keys):
            if data.get(k) is not None and k != "closure.date" and data.get("status") == "active":
                return folder.name, k, (date.fromisoformat(str(data[k])) - timedelta(days=1)).isoformat()
    raise AssertionError("the sample caseload has a key date")


def test_the_audit_export_of_the_sample_history_renders_and_is_byte_identical_on_a_rerun(toured, cli, tmp_path):
    case, field, earlier = _key_date_case(toured)
    scan = tmp_path / "receipt.pdf"
    scan.write_bytes(b"%PDF-1.4 invented receipt\n")
    r = cli("attach", case, scan, "--for", field, "--by", "mreyes", "-C", toured, "--today", TODAY.isoformat())
    assert r.code == 0, r.err
    r = cli("set", case, field, earlier, "--by", "mreyes", "--reason", "the receipt stamp", "-C", toured,
            "--today", TODAY.isoformat())
    assert r.code == 0, r.err
    outputs = {}
    for fmt in ("json", "csv", "html"):
        first = cli("audit", "export", "--format", fmt, "-C", toured)
        again = cli("audit", "export", "--format", fmt, "-C", toured)
        assert first.code == 0, first.err
        assert first.out.encode() == again.out.encode()
        outputs[fmt] = first.out
    data = shaped("audit export", outputs["json"])
    [mine] = [c for c in data["cases"] if c["case"] == case]
    steps = [(t["kind"], t["field"], t["old"], t["new"], t["reason"]) for t in mine["timeline"] if t["field"] == field]
    assert steps[-1][:4] == ("date", field, steps[-1][2], earlier) and steps[-1][4] == "the receipt stamp"
    assert ("evidence", field) in [(s[0], s[1]) for s in steps]
    changed = [t for t in mine["timeline"] if t["field"] == field and t["kind"] == "date"][-1]
    assert changed["evidence"]["file"] == "documents/receipt.pdf" and len(changed["evidence"]["sha256"]) == 64
    assert changed["author"] == MREYES and changed["staff"] == "mreyes" and changed["committer"] == "Front Office PC"
    assert [f["code"] for f in mine["findings"]].count("key-date-changed") == 1
    assert "evidence-not-updated" in [f["code"] for f in mine["findings"]]
    # csv: a header, then a row per item and per finding
    lines = outputs["csv"].splitlines()
    assert lines[0].startswith("case,kind,field,code,old,new,date,commit,author")
    assert len(lines) - 1 == sum(len(c["timeline"]) + len(c["findings"]) for c in data["cases"])
    # html: one self-contained page
    page = outputs["html"]
    assert page.startswith("<!DOCTYPE html>") and f'<section id="case-{case}">' in page
    assert "http://" not in page and "https://" not in page and "<script" not in page and " src=" not in page
    from html.parser import HTMLParser

    HTMLParser().feed(page)
    # --case, --since/--until, --redact
    only = json.loads(cli("audit", "export", "--case", case, "-C", toured).out)
    assert [c["case"] for c in only["cases"]] == [case]
    assert json.loads(cli("audit", "export", "--until", "2026-11-21", "-C", toured).out)["cases"] == []
    assert cli("audit", "export", "--case", "nobody-here", "-C", toured).code == 2
    red = cli("audit", "export", "--redact", "--redact-staff", "-C", toured)
    assert red.code == 0 and case not in red.out and MREYES not in red.out
    assert red.out == cli("audit", "export", "--redact", "--redact-staff", "-C", toured).out
    # to a file, atomically
    out = tmp_path / "audit.html"
    assert cli("audit", "export", "--format", "html", "-o", out, "-C", toured).code == 0
    assert out.read_text(encoding="utf-8") == page
    assert cli("audit", "export", "--format", "text", "-C", toured).code == 2
