"""The audit trail answers who, when and why (issue 15), in real git repositories."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import CONFIG, TODAY
from test_record import CASE, PLAN, git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed; the audit trail is git")

# jsmith has a work email; ktran has none (her commits say ktran@careerpath.invalid)
STAFF_CONFIG = CONFIG.replace("{id: jsmith, name: Jordan Smith, role: counselor,",
                              "{id: jsmith, name: Jordan Smith, email: jordan.smith@agency.example, role: counselor,")


@pytest.fixture
def office(caseload, monkeypatch):
    """A caseload on a shared office machine: git's identity is the machine's, no staff member configured."""
    monkeypatch.delenv("CAREERPATH_STAFF", raising=False)
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(var, raising=False)
    root = caseload({"cases/an-nguyen/case.yaml": CASE, "cases/an-nguyen/plan.yaml": PLAN}, config=STAFF_CONFIG)
    git(root, "init", "-q")
    git(root, "config", "user.name", "Front Office PC")
    git(root, "config", "user.email", "frontdesk@agency.example")
    git(root, "config", "commit.gpgsign", "false")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    return root


def head(repo, fmt: str) -> str:
    return git(repo, "log", "-1", f"--format={fmt}").strip()


def run(cli, repo, *args):
    return cli(*args, "-C", repo, "--today", TODAY.isoformat())


# ---------------------------------------------------------------- who

def test_the_author_is_the_staff_member_and_the_committer_the_machine(office, cli):
    r = run(cli, office, "log", "an-nguyen", "contact", "--date", "2026-11-20", "--by", "jsmith")
    assert r.code == 0, r.err
    assert head(office, "%an <%ae>") == "Jordan Smith <jordan.smith@agency.example>"
    assert head(office, "%cn <%ce>") == "Front Office PC <frontdesk@agency.example>"
    # from the environment and from git config too; without an email, the id at careerpath.invalid
    git(office, "config", "careerpath.staff", "ktran")
    assert run(cli, office, "log", "an-nguyen", "contact", "--date", "2026-11-21").code == 0
    assert head(office, "%an <%ae>|%(trailers:key=Staff,valueonly)") == "Kim Tran <ktran@careerpath.invalid>|ktran"


def test_history_and_audit_show_author_and_committer_and_filter_by_staff(office, cli):
    run(cli, office, "log", "an-nguyen", "contact", "--date", "2026-11-20", "--by", "jsmith")
    run(cli, office, "set", "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-08-28", "--by", "ktran",
        "--reason", "the receipt stamp reads 08-28")
    r = cli("history", "an-nguyen", "-C", office)
    lines = r.out.splitlines()
    assert ("Kim Tran <ktran@careerpath.invalid> (committed by Front Office PC <frontdesk@agency.example>)  "
            "an-nguyen: set enrollments.ca-dor-vr.applied 2026-08-28") in lines[0]
    assert lines[1] == "    reason: the receipt stamp reads 08-28"
    assert "Jordan Smith <jordan.smith@agency.example> (committed by Front Office PC" in r.out
    # the first commit was made by the machine itself: no "committed by"
    assert [h for h in lines if not h.startswith(" ")][-1].endswith("Front Office PC <frontdesk@agency.example>  start")
    mine = json.loads(cli("history", "an-nguyen", "--by", "jsmith", "--format", "json", "-C", office).out)
    assert [e["subject"] for e in mine] == ["an-nguyen: log contact 2026-11-20"]
    assert mine[0]["committer"] == "Front Office PC" and mine[0]["author"] == "Jordan Smith"
    findings = json.loads(cli("audit", "--format", "json", "-C", office).out)
    # a correction to a date 86 days back is a late entry as well
    assert [(f["code"], f["author"], f["committer"], f["staff"], f["reason"]) for f in findings] == [
        ("late-entry", "Kim Tran", "Front Office PC", "ktran", "the receipt stamp reads 08-28"),
        ("key-date-changed", "Kim Tran", "Front Office PC", "ktran", "the receipt stamp reads 08-28")]
    assert json.loads(cli("audit", "--by", "jsmith", "--format", "json", "-C", office).out) == []
    assert len(json.loads(cli("audit", "--by", "ktran", "--format", "json", "-C", office).out)) == 2


def test_a_hand_commit_is_found_by_the_staff_members_email(office, cli):
    case = office / "cases/an-nguyen/case.yaml"
    case.write_text(case.read_text().replace("opened: 2026-03-02", "opened: 2026-03-03"))
    git(office, "-c", "user.name=Jordan", "-c", "user.email=Jordan.Smith@agency.example", "commit", "-qam", "fix opened")
    assert [e["subject"] for e in json.loads(cli("history", "an-nguyen", "--by", "jsmith", "--format", "json",
                                                "-C", office).out)] == ["fix opened"]
    assert json.loads(cli("history", "an-nguyen", "--by", "ktran", "--format", "json", "-C", office).out) == []


def test_a_key_date_needs_a_known_staff_member(office, cli):
    before = (office / "cases/an-nguyen/case.yaml").read_bytes()
    r = run(cli, office, "set", "an-nguyen", "enrollments.ca-dor-vr.eligibility.status", "eligible",
            "enrollments.ca-dor-vr.eligibility.decided", "2026-10-15")
    assert r.code == 2 and "say who changes the key date enrollments.ca-dor-vr.eligibility.decided" in r.err
    r = run(cli, office, "close", "an-nguyen", "--reason", "moved", "--date", "2026-11-20")
    assert r.code == 2 and "closure.date" in r.err
    assert (office / "cases/an-nguyen/case.yaml").read_bytes() == before
    assert head(office, "%s") == "start"
    # other fields need nobody: the commit is the machine's, as before
    r = run(cli, office, "set", "an-nguyen", "person.interpreter", "true")
    assert r.code == 0, r.err
    assert head(office, "%an") == "Front Office PC"


# ---------------------------------------------------------------- why

def test_a_key_date_that_had_a_value_changes_only_with_a_reason(office, cli):
    before = (office / "cases/an-nguyen/case.yaml").read_bytes()
    r = run(cli, office, "set", "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-08-28", "--by", "jsmith")
    assert r.code == 2
    assert "enrollments.ca-dor-vr.applied already had a value: say why it changes with --reason TEXT" in r.err
    assert "2026-08-28" not in r.err and "2026-09-01" not in r.err   # fields by path, not by value
    assert (office / "cases/an-nguyen/case.yaml").read_bytes() == before
    # a whole mapping over a key date counts too
    r = run(cli, office, "set", "an-nguyen", "enrollments.ca-dor-vr", "{applied: 2026-08-20, eligibility: {status: pending}}",
            "--by", "jsmith")
    assert r.code == 2 and "enrollments.ca-dor-vr.applied" in r.err
    r = run(cli, office, "set", "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-08-28", "--by", "jsmith",
            "--reason", "certified-mail slip\nfound in the paper file")
    assert r.code == 0, r.err
    assert "Reason: certified-mail slip found in the paper file" in head(office, "%B").splitlines()
    text = cli("audit", "-C", office)
    assert "enrollments.ca-dor-vr.applied 2026-09-01 → 2026-08-28" in text.out
    assert "    reason: certified-mail slip found in the paper file" in text.out


def test_setting_a_key_date_the_first_time_needs_no_reason(office, cli):
    r = run(cli, office, "set", "an-nguyen", "enrollments.ca-dor-vr.eligibility.status", "eligible",
            "enrollments.ca-dor-vr.eligibility.decided", "2026-10-15", "--by", "jsmith")
    assert r.code == 0, r.err
    assert "Reason:" not in head(office, "%B")


def test_close_keeps_its_reason_and_takes_the_audit_note(office, cli):
    # a closure date left from an earlier closure: changing it is a key-date change
    case = office / "cases/an-nguyen/case.yaml"
    case.write_text(case.read_text().replace("closure: null", "closure: {date: 2026-06-01, reason: moved}"))
    git(office, "commit", "-qam", "an earlier closure, reopened")
    r = run(cli, office, "close", "an-nguyen", "--reason", "completed", "--date", "2026-11-20", "--by", "jsmith")
    assert r.code == 2 and "closure.date already had a value: say why it changes with --note TEXT" in r.err
    r = run(cli, office, "close", "an-nguyen", "--reason", "completed", "--date", "2026-11-20", "--by", "jsmith",
            "--note", "closed again after the job started")
    assert r.code == 0, r.err
    assert "reason: completed" in case.read_text()
    assert "note: closed again after the job started" in case.read_text()  # --note is also closure.note
    assert "Reason: closed again after the job started" in head(office, "%B")
    findings = json.loads(cli("audit", "--format", "json", "-C", office).out)
    assert [(f["field"], f["old"], f["new"], f["reason"]) for f in findings if f["code"] == "key-date-changed"] == [
        ("closure.date", "2026-06-01", "2026-11-20", "closed again after the job started")]


def test_a_hand_edited_key_date_shows_no_reason_in_audit(office, cli):
    case = office / "cases/an-nguyen/case.yaml"
    case.write_text(case.read_text().replace("applied: 2026-09-01", "applied: 2026-08-01"))
    git(office, "commit", "-qam", "dates")
    text = cli("audit", "-C", office)
    assert text.code == 1 and "    no reason given" in text.out


# ---------------------------------------------------------------- when

def test_a_backdated_monthly_review_is_a_late_entry_that_cleared_an_overdue_obligation(office, cli):
    r = run(cli, office, "log", "an-nguyen", "monthly-review", "--date", "2026-08-28", "--by", "jsmith")
    assert r.code == 0, r.err
    assert "late entry: the date is 86 days before today" in r.err
    assert "ccp.monthly-review (due 2026-08-31, 83 days overdue) done" in r.err
    body = head(office, "%B").splitlines()
    assert "Late-entry: 86 days" in body
    assert "Cleared: ccp.monthly-review due 2026-08-31 2026-08, 83 days overdue" in body
    # on time: no trailer
    assert run(cli, office, "log", "an-nguyen", "monthly-review", "--date", "2026-11-20", "--by", "jsmith").code == 0
    assert "Late-entry" not in head(office, "%B")
    r = cli("audit", "--format", "json", "-C", office)
    assert r.code == 1
    late = [f for f in json.loads(r.out) if f["code"] == "late-entry"]
    assert [(f["late_days"], f["cleared"], f["files"], f["author"]) for f in late] == [
        (86, ["ccp.monthly-review due 2026-08-31 2026-08, 83 days overdue"],
         ["cases/an-nguyen/events/2026-08-28-monthly-review.yaml"], "Jordan Smith")]
    text = cli("audit", "-C", office).out
    assert "cases/an-nguyen/events/2026-08-28-monthly-review.yaml entered 86 days after its date" in text
    assert "    made an overdue obligation done: ccp.monthly-review due 2026-08-31 2026-08, 83 days overdue" in text
    assert "    late entry: 86 days" in cli("history", "an-nguyen", "-C", office).out


def test_the_late_entry_limit_is_a_setting(office, cli):
    config = office / "careerpath.yaml"
    config.write_text(config.read_text() + "settings:\n  late_entry_days: 100\n")
    git(office, "commit", "-qam", "a long limit")
    r = run(cli, office, "log", "an-nguyen", "monthly-review", "--date", "2026-08-28", "--by", "jsmith")
    assert r.code == 0 and "late entry" not in r.err and "Late-entry" not in head(office, "%B")
    # a late field change, in a dry run: the JSON says so and nothing is written
    r = run(cli, office, "set", "an-nguyen", "jobs.0", "{employer: Invented Bakery, start: 2026-06-01}",
            "--dry-run", "--format", "json")
    data = json.loads(r.out)
    assert data["late_entry"] == 174 and "Late-entry: 174 days" in data["message"]
    assert not (office / "cases/an-nguyen/case.yaml").read_text().count("Invented Bakery")


# ---------------------------------------------------------------- proof

def test_attach_copies_the_scan_records_its_hash_and_commits_both(office, cli, tmp_path):
    import hashlib

    scan = tmp_path / "2026-09-01-application-receipt.pdf"
    scan.write_bytes(b"%PDF-1.4 invented receipt stamp 2026-09-01\n")
    r = run(cli, office, "attach", "an-nguyen", scan, "--for", "enrollments.ca-dor-vr.applied", "--by", "jsmith")
    assert r.code == 0, r.err
    copy = office / "cases/an-nguyen/documents/2026-09-01-application-receipt.pdf"
    assert copy.read_bytes() == scan.read_bytes()
    digest = hashlib.sha256(scan.read_bytes()).hexdigest()
    text = (office / "cases/an-nguyen/case.yaml").read_text()
    assert text.endswith("evidence:\n  enrollments.ca-dor-vr.applied: {file: documents/2026-09-01-application-receipt.pdf, "
                         f"sha256: {digest}}}\n")
    assert sorted(git(office, "show", "--name-only", "--format=", "HEAD").split()) == [
        "cases/an-nguyen/case.yaml", "cases/an-nguyen/documents/2026-09-01-application-receipt.pdf"]
    assert head(office, "%an") == "Jordan Smith"
    r = cli("validate", "-C", office, "--today", TODAY.isoformat())
    assert r.code == 0, r.out
    # the scan edited after attaching: validate says so (through a warm cache too)
    copy.write_bytes(b"%PDF-1.4 invented receipt stamp 2026-08-28\n")
    r = cli("validate", "-C", office, "--today", TODAY.isoformat(), "--format", "json")
    assert r.code == 1
    assert [(d["code"], d["file"]) for d in json.loads(r.out) if d["code"].startswith("evidence")] == [
        ("evidence-hash-mismatch", "cases/an-nguyen/case.yaml")]
    copy.unlink()
    r = cli("validate", "-C", office, "--today", TODAY.isoformat())
    assert r.code == 1 and "evidence-missing" in r.out


def test_attach_refuses_what_is_not_a_key_date_or_would_replace_another_file(office, cli, tmp_path):
    scan = tmp_path / "receipt.pdf"
    scan.write_bytes(b"one")
    r = run(cli, office, "attach", "an-nguyen", scan, "--for", "opened", "--by", "jsmith")
    assert r.code == 2 and "--for must name a key date" in r.err
    r = run(cli, office, "attach", "an-nguyen", scan, "--for", "closure.date")
    assert r.code == 2 and "--by" in r.err
    docs = office / "cases/an-nguyen/documents"
    docs.mkdir()
    (docs / "receipt.pdf").write_bytes(b"another scan")
    r = run(cli, office, "attach", "an-nguyen", scan, "--for", "enrollments.ca-dor-vr.applied", "--by", "jsmith")
    assert r.code == 2 and "already holds another file" in r.err
    assert (docs / "receipt.pdf").read_bytes() == b"another scan"
    assert "evidence" not in (office / "cases/an-nguyen/case.yaml").read_text()


def test_evidence_outside_documents_is_an_error(office, cli):
    case = office / "cases/an-nguyen/case.yaml"
    case.write_text(case.read_text() + "evidence:\n  closure.date: {file: documents/x.pdf, sha256: "
                    + "a" * 64 + "}\n  opened: {file: documents/y.pdf, sha256: " + "a" * 64 + "}\n")
    r = cli("validate", "-C", office, "--today", TODAY.isoformat(), "--format", "json")
    codes = sorted(d["code"] for d in json.loads(r.out) if d["code"].startswith("evidence"))
    assert codes == ["evidence-missing", "evidence-missing", "evidence-not-key-date"]
    # a path out of documents/ is refused by the format itself, and by the evidence check through a link
    case.write_text(case.read_text().replace("documents/x.pdf", "../../careerpath.yaml"))
    r = cli("validate", "-C", office, "--today", TODAY.isoformat())
    assert r.code == 1 and "evidence.closure.date.file" in r.out.replace(":", ".") or "schema" in r.out
    case.write_text(case.read_text().replace("../../careerpath.yaml", "documents/x.pdf"))
    (office / "cases/an-nguyen/documents").mkdir()
    (office / "cases/an-nguyen/documents/x.pdf").symlink_to(office / "careerpath.yaml")
    r = cli("validate", "-C", office, "--today", TODAY.isoformat(), "--format", "json")
    codes = sorted(d["code"] for d in json.loads(r.out) if d["code"].startswith("evidence"))
    assert codes == ["evidence-missing", "evidence-not-key-date", "evidence-outside-documents"]


def test_audit_flags_evidence_edited_after_attaching_and_a_date_changed_without_new_evidence(office, cli, tmp_path):
    scan = tmp_path / "receipt.pdf"
    scan.write_bytes(b"stamp 2026-09-01")
    assert run(cli, office, "attach", "an-nguyen", scan, "--for", "enrollments.ca-dor-vr.applied", "--by", "jsmith").code == 0
    copy = office / "cases/an-nguyen/documents/receipt.pdf"
    copy.write_bytes(b"stamp 2026-08-28")
    git(office, "commit", "-qam", "a better scan")
    r = run(cli, office, "set", "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-08-28", "--by", "ktran",
            "--reason", "the stamp")
    assert r.code == 0, r.err
    findings = [f for f in json.loads(cli("audit", "--format", "json", "-C", office).out)
                if f["code"].startswith("evidence")]
    assert [(f["code"], f["field"], f["files"]) for f in findings] == [
        ("evidence-changed", "enrollments.ca-dor-vr.applied", ["cases/an-nguyen/documents/receipt.pdf"]),
        ("evidence-not-updated", "enrollments.ca-dor-vr.applied", ["cases/an-nguyen/case.yaml"])]
    text = cli("audit", "-C", office).out
    assert "cases/an-nguyen/documents/receipt.pdf, the evidence of enrollments.ca-dor-vr.applied, changed after it was attached" in text
    assert "enrollments.ca-dor-vr.applied changed (2026-09-01 → 2026-08-28) but its evidence did not" in text
    # attaching the new scan again is no finding
    scan.write_bytes(b"stamp 2026-08-28, again")
    copy.unlink()  # a local edit: refused unless the recording may commit it too
    assert run(cli, office, "attach", "an-nguyen", scan, "--for", "enrollments.ca-dor-vr.applied", "--by", "ktran").code == 1
    assert run(cli, office, "attach", "an-nguyen", scan, "--for", "enrollments.ca-dor-vr.applied", "--by", "ktran",
               "--include-local-edits").code == 0
    after = [f for f in json.loads(cli("audit", "--format", "json", "-C", office).out) if f["code"].startswith("evidence")]
    assert after == findings
