"""history and audit read real git repositories."""

from __future__ import annotations

import json
import shutil

import pytest

from test_record import git, repo  # noqa: F401  (the fixture)

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed; history comes from git")


def as_other_author(repo, name, email):
    git(repo, "config", "user.name", name)
    git(repo, "config", "user.email", email)


def test_history_shows_field_level_changes_newest_first(repo, cli):
    assert cli("set", "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-08-28", "--reason", "stamp", "-C", repo).code == 0
    as_other_author(repo, "Kim Tran", "kim@example.org")
    assert cli("log", "an-nguyen", "monthly-review", "--date", "2026-11-03", "--by", "ktran", "-C", repo).code == 0
    r = cli("history", "an-nguyen", "-C", repo)
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    # the author is the staff member (--by ktran), the committer this machine's git identity
    assert ("Kim Tran <ktran@careerpath.invalid> (committed by Kim Tran <kim@example.org>)  "
            "an-nguyen: log monthly-review 2026-11-03") in lines[0]
    assert "    added cases/an-nguyen/events/2026-11-03-monthly-review.yaml" in lines
    assert "        events/2026-11-03-monthly-review.type: (none) → monthly-review" in lines
    assert "        enrollments.ca-dor-vr.applied: 2026-09-01 → 2026-08-28" in lines
    assert lines.index("        enrollments.ca-dor-vr.applied: 2026-09-01 → 2026-08-28") > 0
    headers = [line for line in lines if not line.startswith(" ")]
    assert len(headers) == 3 and headers[-1].endswith("  start")  # newest first, the first commit last
    assert "Jordan Smith" in r.out


def test_history_of_one_field(repo, cli):
    cli("set", "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-08-28", "--reason", "stamp", "-C", repo)
    cli("set", "an-nguyen", "plan.goals.0.objectives.1.done", "2026-06-20", "-C", repo)
    cli("set", "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-08-27", "--reason", "stamp", "-C", repo)
    r = cli("history", "an-nguyen", "enrollments.ca-dor-vr.applied", "--format", "json", "-C", repo)
    data = json.loads(r.out)
    changes = [(c["old"], c["new"]) for e in data for f in e["files"] for c in f["fields"]]
    assert changes == [("2026-08-28", "2026-08-27"), ("2026-09-01", "2026-08-28"), (None, "2026-09-01")]
    assert all(c["field"] == "enrollments.ca-dor-vr.applied" for e in data for f in e["files"] for c in f["fields"])
    r = cli("history", "an-nguyen", "plan", "-C", repo)
    assert "plan.goals.0.objectives.1.done: (none) → 2026-06-20" in r.out
    assert "applied" not in r.out


def test_history_follows_a_renamed_case_folder(repo, cli):
    cli("set", "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-08-28", "--reason", "stamp", "-C", repo)
    git(repo, "mv", "cases/an-nguyen", "cases/an-nguyen-vr")
    case = repo / "cases/an-nguyen-vr/case.yaml"
    case.write_text(case.read_text().replace("id: an-nguyen\n", "id: an-nguyen-vr\n"))
    git(repo, "commit", "-qam", "rename the case")
    cli("set", "an-nguyen-vr", "enrollments.ca-dor-vr.applied", "2026-08-27", "--reason", "stamp", "-C", repo)
    r = cli("history", "an-nguyen-vr", "enrollments.ca-dor-vr.applied", "-C", repo)
    assert r.code == 0, r.err
    assert "2026-08-28 → 2026-08-27" in r.out
    assert "2026-09-01 → 2026-08-28" in r.out          # from before the rename
    r = cli("history", "an-nguyen-vr", "-C", repo)
    assert "renamed cases/an-nguyen-vr/case.yaml (from cases/an-nguyen/case.yaml)" in r.out
    assert "id: an-nguyen → an-nguyen-vr" in r.out
    findings = json.loads(cli("audit", "--format", "json", "-C", repo).out)
    assert [(f["case"], f["old"], f["new"]) for f in findings] == [
        ("an-nguyen-vr", "2026-09-01", "2026-08-28"), ("an-nguyen-vr", "2026-08-28", "2026-08-27")]


def test_audit_catches_changed_key_dates_and_changes_after_closure(repo, cli):
    assert cli("audit", "-C", repo).code == 0
    cli("set", "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-08-28", "--reason", "stamp", "--by", "ktran", "-C", repo)
    cli("close", "an-nguyen", "--reason", "completed", "--date", "2026-11-20", "--by", "ktran", "-C", repo)
    cli("set", "an-nguyen", "closure.date", "2026-11-25", "--reason", "stamp", "--by", "reva", "-C", repo)
    r = cli("audit", "--format", "json", "-C", repo)
    assert r.code == 1
    findings = json.loads(r.out)
    got = [(f["code"], f["field"], f["old"], f["new"], f["author"]) for f in findings]
    assert got == [
        ("key-date-changed", "enrollments.ca-dor-vr.applied", "2026-09-01", "2026-08-28", "Kim Tran"),
        ("changed-after-closure", None, None, None, "Роза Евдокимова"),
        ("key-date-changed", "closure.date", "2026-11-20", "2026-11-25", "Роза Евдокимова"),
    ]
    assert findings[0]["first"]["author"] == "Jordan Smith" and findings[0]["first"]["value"] == "2026-09-01"
    assert findings[1]["closed"]["author"] == "Kim Tran"
    assert findings[1]["files"] == ["cases/an-nguyen/case.yaml"]
    text = cli("audit", "-C", repo)
    assert text.code == 1
    assert "closure.date 2026-11-20 → 2026-11-25 (first set to 2026-11-20" in text.out
    assert "3 findings" in text.err


def test_setting_a_date_the_first_time_is_no_finding(repo, cli):
    cli("set", "an-nguyen", "enrollments.ca-dor-vr.eligibility.status", "eligible",
        "enrollments.ca-dor-vr.eligibility.decided", "2026-10-15", "-C", repo)
    cli("set", "an-nguyen", "enrollments.ca-dor-vr.ipe.signed", "2026-12-01", "-C", repo)
    r = cli("audit", "-C", repo)
    assert r.code == 0 and r.out == ""


def test_audit_since_and_reopened_case(repo, cli):
    cli("close", "an-nguyen", "--reason", "moved", "--date", "2026-11-20", "-C", repo)
    cli("log", "an-nguyen", "contact", "--by", "jsmith", "--date", "2026-11-21", "-C", repo)
    r = cli("audit", "--format", "json", "-C", repo)
    assert [f["code"] for f in json.loads(r.out)] == ["changed-after-closure"]
    assert json.loads(cli("audit", "--since", "2199-01-01", "--format", "json", "-C", repo).out) == []
    assert cli("audit", "--since", "2026-02-30", "-C", repo).code == 2


def test_history_outside_git_is_a_clear_error(caseload, cli):
    root = caseload({"cases/a/case.yaml": "id: a\nperson: {name: A, language: en}\n"})
    r = cli("history", "a", "-C", root)
    assert r.code == 1 and "not in a git repository" in r.err and "Traceback" not in r.err


def test_a_broken_version_is_marked_not_diffed(repo, cli):
    case = repo / "cases/an-nguyen/case.yaml"
    good = case.read_text()
    case.write_text(good + "bad: [unclosed\n")
    git(repo, "commit", "-qam", "broken hand edit")
    case.write_text(good)
    git(repo, "commit", "-qam", "fixed")
    r = cli("history", "an-nguyen", "--format", "json", "-C", repo)
    data = json.loads(r.out)
    assert [f["unreadable"] for e in data[:2] for f in e["files"]] == [True, True]
    assert all(f["fields"] == [] for e in data[:2] for f in e["files"])
    assert cli("audit", "-C", repo).code == 0


def test_audit_sees_through_a_broken_version(repo, cli):
    case = repo / "cases/an-nguyen/case.yaml"
    good = case.read_text()
    case.write_text(good.replace("applied: 2026-09-01", "applied: [broken"))
    git(repo, "commit", "-qam", "broken hand edit")
    case.write_text(good.replace("applied: 2026-09-01", "applied: 2026-07-01"))
    git(repo, "commit", "-qam", "fixed, with another date")
    findings = json.loads(cli("audit", "--format", "json", "-C", repo).out)
    assert [(f["field"], f["old"], f["new"], f["subject"]) for f in findings] == [
        ("enrollments.ca-dor-vr.applied", "2026-09-01", "2026-07-01", "fixed, with another date")]


def test_audit_catches_a_backdated_event_and_a_deleted_one(repo, cli):
    cli("log", "an-nguyen", "monthly-review", "--date", "2026-11-03", "--by", "jsmith", "-C", repo)
    cli("log", "an-nguyen", "contact", "--date", "2026-11-04", "--by", "jsmith", "-C", repo)
    event = repo / "cases/an-nguyen/events/2026-11-03-monthly-review.yaml"
    git(repo, "mv", str(event), str(event.with_name("2026-10-31-monthly-review.yaml")))
    moved = event.with_name("2026-10-31-monthly-review.yaml")
    moved.write_text(moved.read_text().replace("date: 2026-11-03", "date: 2026-10-31"))
    git(repo, "commit", "-qam", "backdate")
    git(repo, "rm", "-q", "cases/an-nguyen/events/2026-11-04-contact.yaml")
    git(repo, "commit", "-qm", "drop a contact")
    findings = json.loads(cli("audit", "--format", "json", "-C", repo).out)
    got = [(f["code"], f["field"], f["old"], f["new"]) for f in findings]
    assert got == [("key-date-changed", "events/2026-10-31-monthly-review.date", "2026-11-03", "2026-10-31"),
                   ("record-deleted", None, "2026-11-04", None)]


def test_audit_json_equals_the_library(repo, cli):
    from careerpath.history import audit

    cli("set", "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-08-28", "--reason", "stamp", "-C", repo)
    r = cli("audit", "--format", "json", "-C", repo)
    assert r.code == 1
    assert json.loads(r.out) == [f.to_dict() for f in audit(repo)]
