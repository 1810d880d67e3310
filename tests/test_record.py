"""Recording commands against real temporary git repositories."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import CONFIG, TODAY

LATE_ENTRIES_OFF = "settings:\n  late_entry_days: 3660\n"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed; recording commits need it")

CASE = """\
# yaml-language-server: $schema=../../schemas/case.schema.json
id: an-nguyen
status: active                # active | closed
opened: 2026-03-02
closure: null                 # when closed: {date, reason}
person:
  name: Nguyễn Văn An
  language: vi
staff: {navigator: jsmith}
enrollments:
  ca-dds-ccp:
    basis: left-subminimum-wage
    start: 2026-03-02
  ca-dor-vr:
    applied: 2026-09-01       # DOR stamp date
    eligibility:
      status: pending
      decided: null
    ipe: null
jobs: []
"""

PLAN = """\
goals:
  - id: g1
    area: employment
    statement: Work part-time at a bakery
    objectives:
      - {id: g1.o1, text: Discovery profile, due: 2026-05-01, done: 2026-04-28}
      - {id: g1.o2, text: Two informational interviews, due: 2026-07-01, done: null}
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(caseload, monkeypatch):
    """A caseload committed to a fresh git repository with its own identity (never the global config)."""
    monkeypatch.delenv("CAREERPATH_STAFF", raising=False)
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(var, raising=False)
    # recordings here are dated before the real clock; the late-entry tests set their own limit
    root = caseload({"cases/an-nguyen/case.yaml": CASE, "cases/an-nguyen/plan.yaml": PLAN, "notes.txt": "x\n"},
                    config=CONFIG + LATE_ENTRIES_OFF)
    git(root, "init", "-q")
    git(root, "config", "user.name", "Jordan Smith")
    git(root, "config", "user.email", "jordan@example.org")
    git(root, "config", "commit.gpgsign", "false")
    git(root, "config", "careerpath.staff", "jsmith")   # who records here (docs/recording.md, "Who")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    return root


def head_files(repo: Path) -> list[str]:
    return git(repo, "show", "--name-only", "--format=", "HEAD").split()


def test_log_commits_exactly_the_new_event(repo, cli):
    r = cli("log", "an-nguyen", "monthly-review", "--date", "2026-11-03", "--by", "jsmith",
            "--summary", "Reviewed progress", "--caseload", repo, "--today", TODAY.isoformat())
    assert r.code == 0, r.err
    event = repo / "cases/an-nguyen/events/2026-11-03-monthly-review.yaml"
    assert event.read_text().splitlines() == [
        "# yaml-language-server: $schema=../../../schemas/event.schema.json",
        "date: 2026-11-03", "type: monthly-review", "by: jsmith", "summary: Reviewed progress"]
    assert head_files(repo) == ["cases/an-nguyen/events/2026-11-03-monthly-review.yaml"]
    # the author is the staff member (no email in careerpath.yaml: the id at careerpath.invalid),
    # the committer the machine's git identity
    assert git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>") == \
        "Jordan Smith <jsmith@careerpath.invalid>|Jordan Smith <jordan@example.org>\n"
    message = git(repo, "log", "-1", "--format=%B")
    assert message.splitlines()[0] == "an-nguyen: log monthly-review 2026-11-03"
    trailers = git(repo, "log", "-1", "--format=%(trailers:only,unfold)").split("\n")
    assert {"Case: an-nguyen", "Program: ca-dds-ccp", "Rule: ccp.monthly-review", "Staff: jsmith"} <= set(trailers)
    assert git(repo, "status", "--porcelain") == ""


def test_second_event_same_day_gets_a_unique_name(repo, cli):
    for _ in range(2):
        assert cli("log", "an-nguyen", "contact", "--date", "2026-11-03", "--by", "jsmith", "-C", repo).code == 0
    names = sorted(p.name for p in (repo / "cases/an-nguyen/events").iterdir())
    assert names == ["2026-11-03-contact-2.yaml", "2026-11-03-contact.yaml"]


def test_staged_unrelated_change_stays_staged_and_uncommitted(repo, cli):
    (repo / "notes.txt").write_text("changed\n")
    git(repo, "add", "notes.txt")
    (repo / "cases/an-nguyen/plan.yaml").write_text(PLAN + "# unstaged edit\n")
    r = cli("set", "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-08-28", "--reason", "stamp", "-C", repo, "--by", "jsmith")
    assert r.code == 0, r.err
    assert head_files(repo) == ["cases/an-nguyen/case.yaml"]
    status = git(repo, "status", "--porcelain").splitlines()
    assert "M  notes.txt" in status            # still staged, not committed
    assert " M cases/an-nguyen/plan.yaml" in status
    assert git(repo, "show", "HEAD:notes.txt") == "x\n"


def test_set_changes_one_line_and_names_the_rule(repo, cli):
    before = (repo / "cases/an-nguyen/case.yaml").read_text()
    r = cli("set", "an-nguyen", "enrollments.ca-dor-vr.eligibility.status", "eligible",
            "enrollments.ca-dor-vr.eligibility.decided", "2026-10-15", "-C", repo)
    assert r.code == 0, r.err
    after = (repo / "cases/an-nguyen/case.yaml").read_text()
    assert after == before.replace("status: pending", "status: eligible").replace("decided: null", "decided: 2026-10-15")
    body = git(repo, "log", "-1", "--format=%B")
    assert "Rule: dor.eligibility-decision" in body and "Program: ca-dor-vr" in body


def test_set_in_plan_yaml(repo, cli):
    r = cli("set", "an-nguyen", "plan.goals.0.objectives.1.done", "2026-06-20", "-C", repo)
    assert r.code == 0, r.err
    assert "- {id: g1.o2, text: Two informational interviews, due: 2026-07-01, done: 2026-06-20}" in \
        (repo / "cases/an-nguyen/plan.yaml").read_text()
    assert head_files(repo) == ["cases/an-nguyen/plan.yaml"]
    assert "Rule: plan.objective" in git(repo, "log", "-1", "--format=%B")


@pytest.mark.parametrize("field,value", [
    ("enrollments.ca-dor-vr.applied", "2026-02-30"),          # not a real date
    ("enrollments.ca-dor-vr.applyed", "2026-02-03"),          # unknown field
    ("enrollments.ca-dor-vr.eligibility.decided", "2026-10-15"),  # decided while pending: a rule error
    ("enrollments.ca-dor-vr.eligibility.status", "elligible"),   # not an allowed value
    ("opened", "2027-01-01x"),
    ("jobs.3.start", "2026-01-01"),                           # no such list item
    ("jobs.1", "{employer: Sunrise Bakery, start: 2026-11-03}"),  # not the next number (the list is empty)
    ("jobs.0", "null"),                                      # a new item needs a value
    ("jobs.0", "{employer: Sunrise Bakery}"),                # a job without its start date
    ("status", "closed"),                                    # closed without closure
])
def test_set_refuses_invalid_values_and_writes_nothing(repo, cli, field, value):
    path = repo / "cases/an-nguyen/case.yaml"
    before = path.read_bytes()
    head = git(repo, "rev-parse", "HEAD")
    r = cli("set", "an-nguyen", field, value, "--reason", "a correction", "-C", repo)
    assert r.code == 1
    assert "nothing was written" in r.err or "not a field" in r.err or "does not exist" in r.err
    assert "Traceback" not in r.err
    assert path.read_bytes() == before
    assert git(repo, "rev-parse", "HEAD") == head
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_set_appends_a_job_with_the_next_number(repo, cli):
    path = repo / "cases/an-nguyen/case.yaml"
    before = path.read_text()
    r = cli("set", "an-nguyen", "jobs.0", "{employer: Sunrise Bakery, start: 2026-11-03, hours_per_week: 20, "
            "integrated: true}", "-C", repo)
    assert r.code == 0, r.err
    after = path.read_text()
    assert after == before.replace("jobs: []\n", "jobs:\n  - {employer: Sunrise Bakery, start: 2026-11-03, "
                                   "hours_per_week: 20, integrated: true}\n")
    assert head_files(repo) == ["cases/an-nguyen/case.yaml"]
    r = cli("set", "an-nguyen", "jobs.1", "{employer: Hillside Grocery, start: 2026-11-20}", "-C", repo)
    assert r.code == 0, r.err
    assert path.read_text().endswith("integrated: true}\n  - {employer: Hillside Grocery, start: 2026-11-20}\n")
    from careerpath.loader import load

    case = load(repo).cases["an-nguyen"].case.model
    assert [(j.employer, j.start.isoformat()) for j in case.jobs] == [("Sunrise Bakery", "2026-11-03"),
                                                                      ("Hillside Grocery", "2026-11-20")]


def test_set_appends_a_goal_to_the_plan(repo, cli):
    r = cli("set", "an-nguyen", "plan.goals.1", "{id: g2, area: employment, statement: Keep the bakery job, "
            "objectives: []}", "-C", repo)
    assert r.code == 0, r.err
    text = (repo / "cases/an-nguyen/plan.yaml").read_text()
    assert text.startswith(PLAN) and "{id: g2, area: employment, statement: Keep the bakery job, objectives: []}" in text
    assert r.code == 0 and cli("validate", "-C", repo, "--today", TODAY).code == 0


def test_errors_never_show_the_value(repo, cli):
    r = cli("set", "an-nguyen", "person.birth_date", "1999-02-31", "-C", repo)
    assert r.code == 1
    assert "1999-02-31" not in r.err and "person.birth_date" in r.err


def test_unknown_staff_is_refused(repo, cli):
    r = cli("log", "an-nguyen", "contact", "--by", "nobody", "-C", repo)
    assert r.code == 1 and "not a staff id" in r.err
    assert not (repo / "cases/an-nguyen/events").exists() or not any((repo / "cases/an-nguyen/events").iterdir())


def test_staff_from_environment_and_git_config(repo, cli, monkeypatch):
    git(repo, "config", "careerpath.staff", "ktran")
    assert cli("log", "an-nguyen", "contact", "--date", "2026-11-01", "-C", repo).code == 0
    assert "by: ktran" in (repo / "cases/an-nguyen/events/2026-11-01-contact.yaml").read_text()
    monkeypatch.setenv("CAREERPATH_STAFF", "jsmith")
    assert cli("log", "an-nguyen", "contact", "--date", "2026-11-02", "-C", repo).code == 0
    assert "by: jsmith" in (repo / "cases/an-nguyen/events/2026-11-02-contact.yaml").read_text()


def test_log_without_staff_asks_who(repo, cli):
    git(repo, "config", "--unset", "careerpath.staff")
    r = cli("log", "an-nguyen", "contact", "-C", repo)
    assert r.code == 1 and "--by" in r.err


def test_no_commit_and_outside_git(repo, cli, caseload, tmp_path):
    r = cli("log", "an-nguyen", "contact", "--by", "jsmith", "--date", "2026-11-01", "--no-commit", "-C", repo)
    assert r.code == 0 and "committed" not in r.out
    assert "?? cases/an-nguyen/events/" in git(repo, "status", "--porcelain")
    plain = tmp_path / "plain"
    shutil.copytree(repo, plain, ignore=shutil.ignore_patterns(".git"))
    r = cli("log", "an-nguyen", "contact", "--by", "jsmith", "--date", "2026-11-05", "-C", plain)
    assert r.code == 0
    assert r.err.count("not in a git work tree") == 1
    assert (plain / "cases/an-nguyen/events/2026-11-05-contact.yaml").is_file()


def test_refer_and_close_the_referral(repo, cli):
    r = cli("refer", "an-nguyen", "--to", "Sunrise Bakery", "--kind", "other", "--documents", "resume,consent",
            "--follow-up", "2026-12-01", "--consent", "agreed", "--date", "2026-11-03", "--by", "jsmith", "-C", repo)
    assert r.code == 0, r.err
    path = repo / "cases/an-nguyen/referrals/2026-11-03-other.yaml"
    text = path.read_text()
    assert "documents: [resume, consent]" in text and "follow_up: 2026-12-01" in text and "outcome: null" in text
    assert "Rule: referral.follow-up" in git(repo, "log", "-1", "--format=%B")
    r = cli("refer", "an-nguyen", "2026-11-03-other", "--outcome", "Interview set", "--date", "2026-11-20", "-C", repo)
    assert r.code == 0, r.err
    assert path.read_text() == text.replace("outcome: null", "outcome: {date: 2026-11-20, conclusion: Interview set}")
    assert git(repo, "log", "-1", "--format=%s") == "an-nguyen: referral 2026-11-03-other outcome 2026-11-20\n"
    r = cli("refer", "an-nguyen", "2026-11-03-other", "--outcome", "again", "--date", "2026-11-21", "-C", repo)
    assert r.code == 1 and "already has an outcome" in r.err


def test_close_case(repo, cli):
    r = cli("close", "an-nguyen", "--reason", "moved", "--date", "2026-11-20", "-C", repo)
    assert r.code == 0, r.err
    text = (repo / "cases/an-nguyen/case.yaml").read_text()
    # comments naming `closed` describe the field and stay
    assert "status: closed                # active | closed" in text
    assert "closure: {date: 2026-11-20, reason: moved} # when closed: {date, reason}" in text
    assert cli("close", "an-nguyen", "--reason", "moved", "-C", repo).code == 1  # already closed
    assert cli("validate", "-C", repo, "--today", TODAY.isoformat()).code == 0


def test_close_before_opening_is_refused(repo, cli):
    r = cli("close", "an-nguyen", "--reason", "completed", "--date", "2025-01-01", "-C", repo)
    assert r.code == 1 and "date-order" in r.err


def test_dry_run_shows_the_diff_and_writes_nothing(repo, cli):
    before = (repo / "cases/an-nguyen/case.yaml").read_bytes()
    r = cli("set", "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-08-28", "--reason", "stamp", "--dry-run", "-C", repo)
    assert r.code == 0
    assert "-    applied: 2026-09-01       # DOR stamp date" in r.out
    assert "+    applied: 2026-08-28       # DOR stamp date" in r.out
    assert (repo / "cases/an-nguyen/case.yaml").read_bytes() == before


def test_missing_git_identity_falls_back_to_the_staff_member(repo, cli, monkeypatch, tmp_path):
    git(repo, "config", "--unset", "user.name")
    git(repo, "config", "--unset", "user.email")
    monkeypatch.setenv("HOME", str(tmp_path))            # no global identity either
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("EMAIL", raising=False)
    r = cli("log", "an-nguyen", "contact", "--by", "ktran", "--date", "2026-11-01", "-C", repo)
    assert r.code == 0, r.err
    assert git(repo, "log", "-1", "--format=%an <%ae>") == "Kim Tran <ktran@careerpath.invalid>\n"
    assert "no user.name" in r.err


def test_failing_hook_reports_written_but_not_committed(repo, cli):
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho refused by hook >&2\nexit 1\n")
    hook.chmod(0o755)
    r = cli("log", "an-nguyen", "contact", "--by", "jsmith", "--date", "2026-11-01", "-C", repo)
    assert r.code == 1 and "not committed" in r.err
    assert (repo / "cases/an-nguyen/events/2026-11-01-contact.yaml").is_file()


def test_pre_commit_hooks_definition():
    import yaml

    from conftest import ROOT

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "careerpath-validate")
    assert hook["entry"] == "careerpath validate" and hook["language"] == "python"
    assert hook["pass_filenames"] is False and hook["always_run"] is True


def test_json_and_library_agree_on_history(repo, cli):
    from careerpath.history import history

    cli("set", "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-08-28", "--reason", "stamp", "-C", repo)
    r = cli("history", "an-nguyen", "--format", "json", "-C", repo)
    assert r.code == 0
    assert json.loads(r.out) == [e.to_dict() for e in history(repo, "an-nguyen")]


@pytest.mark.parametrize("command", ["log", "refer", "set", "close", "history", "audit"])
def test_every_recording_command_has_help_with_an_example(cli, command):
    r = cli(command, "--help")
    assert r.code == 0
    assert "Example" in r.out


def test_caseload_in_a_subfolder_of_the_repository(caseload, cli, tmp_path):
    from conftest import write_tree, CONFIG

    top = tmp_path / "top"
    write_tree(top, {"caseload/careerpath.yaml": CONFIG, "caseload/cases/an-nguyen/case.yaml": CASE, "README": "x\n"})
    git(top, "init", "-q")
    git(top, "config", "user.name", "Jordan Smith")
    git(top, "config", "user.email", "jordan@example.org")
    git(top, "add", "-A")
    git(top, "commit", "-qm", "start")
    r = cli("set", "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-08-28", "--reason", "stamp", "--by", "jsmith",
            "-C", top / "caseload")
    assert r.code == 0, r.err
    assert head_files(top) == ["caseload/cases/an-nguyen/case.yaml"]
    r = cli("history", "an-nguyen", "enrollments.ca-dor-vr.applied", "-C", top / "caseload")
    assert "2026-09-01 → 2026-08-28" in r.out
    r = cli("audit", "--format", "json", "-C", top / "caseload")
    assert r.code == 1 and json.loads(r.out)[0]["files"] == ["cases/an-nguyen/case.yaml"]


def test_unchanged_value_writes_and_commits_nothing(repo, cli):
    head = git(repo, "rev-parse", "HEAD")
    r = cli("set", "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-09-01", "--reason", "stamp", "-C", repo)
    assert r.code == 0 and "nothing to change" in r.err
    assert git(repo, "rev-parse", "HEAD") == head


def test_recording_on_a_closed_case_is_allowed_with_a_note(repo, cli):
    r = cli("close", "an-nguyen", "--reason", "transferred", "--date", "2026-11-20", "-C", repo)
    assert "closed;" not in r.err
    r = cli("log", "an-nguyen", "contact", "--by", "jsmith", "--date", "2026-11-21", "-C", repo)
    assert r.code == 0 and "the case is closed" in r.err


@pytest.mark.parametrize("summary", ["2026-01-01", "yes", "#not a comment", "&a", "*b", "!!python/object:os.system",
                                     "line1\nline2", "{a: 1}", "null", "- item", "'", '"'])
def test_free_text_comes_back_as_the_same_text_for_any_yaml_reader(repo, cli, summary):
    import yaml

    r = cli("log", "an-nguyen", "note", "--by", "jsmith", "--date", "2026-11-01", "--summary", summary, "-C", repo)
    assert r.code == 0, r.err
    path = repo / "cases/an-nguyen/events/2026-11-01-note.yaml"
    assert yaml.safe_load(path.read_text())["summary"] == summary     # PyYAML, YAML 1.1 rules
    assert cli("validate", "-C", repo, "--today", TODAY.isoformat()).code == 0


def test_symlinked_case_file_is_not_written_through(repo, cli, tmp_path):
    outside = tmp_path / "outside.yaml"
    case = repo / "cases/an-nguyen/case.yaml"
    outside.write_bytes(case.read_bytes())
    case.unlink()
    case.symlink_to(outside)
    r = cli("set", "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-08-28", "--reason", "stamp", "-C", repo)
    assert r.code == 1
    assert b"2026-09-01" in outside.read_bytes() and case.is_symlink()


@pytest.mark.parametrize("typo, meant", [("montly-review", "monthly-review"), ("worksite-visit", "worksite-monitoring"),
                                         ("phonecall", "phone-call"), ("quaterly-report", "quarterly-report")])
def test_a_mistyped_event_type_is_refused_with_a_suggestion(repo, cli, typo, meant):
    head = git(repo, "rev-parse", "HEAD")
    r = cli("log", "an-nguyen", typo, "--by", "jsmith", "--date", "2026-11-01", "-C", repo)
    assert r.code == 2 and f"did you mean `{meant}`?" in r.err and typo not in r.err  # the value is not echoed
    assert not (repo / "cases/an-nguyen/events").exists() and git(repo, "rev-parse", "HEAD") == head


@pytest.mark.parametrize("kind", ["monthly-review", "contact", "home-visit", "email", "job-coaching"])
def test_every_known_type_is_logged(repo, cli, kind):
    assert cli("log", "an-nguyen", kind, "--by", "jsmith", "--date", "2026-11-01", "-C", repo).code == 0


def test_a_misspelled_program_is_refused_with_a_suggestion(repo, cli):
    r = cli("log", "an-nguyen", "monthly-review", "--program", "ca-dds-cpp", "--by", "jsmith", "-C", repo)
    assert r.code == 2 and "did you mean `ca-dds-ccp`?" in r.err


def test_set_killed_before_the_rename_leaves_the_case_and_history_untouched(repo):
    import signal
    import sys
    import textwrap

    from conftest import ROOT

    case = repo / "cases/an-nguyen/case.yaml"
    before = case.read_bytes()
    head = git(repo, "rev-parse", "HEAD")
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        from careerpath import fsio
        from careerpath.cli import main
        fsio.before_replace = lambda tmp, path: os.kill(os.getpid(), signal.SIGKILL)
        main(["set", "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-08-28", "--reason", "stamp", "-C", {str(repo)!r}])
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert case.read_bytes() == before
    assert git(repo, "rev-parse", "HEAD") == head
    assert cli_validate_clean(repo)


def cli_validate_clean(root) -> bool:
    from careerpath.checks import validate

    return not [d for d in validate(root, TODAY) if d.severity == "error"]


def test_repository_of_another_user_is_reported_not_ignored(repo, cli, monkeypatch):
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")   # git's own switch for this case
    r = cli("log", "an-nguyen", "contact", "--by", "jsmith", "--date", "2026-11-01", "-C", repo)
    # git's state is checked before writing (uncommitted edits, its lock): a repository git refuses is refused first
    assert r.code == 1 and "safe.directory" in r.err and "nothing was written" in r.err
    assert not (repo / "cases/an-nguyen/events").exists() or not any((repo / "cases/an-nguyen/events").iterdir())
    assert cli("audit", "-C", repo).code == 1


def _log_process(repo: Path, summary: str, env: dict | None = None) -> subprocess.Popen:
    import os
    import sys

    from conftest import ROOT

    return subprocess.Popen(
        [sys.executable, "-m", "careerpath", "log", "an-nguyen", "contact", "--date", "2026-11-03", "--by", "jsmith",
         "--summary", summary, "--caseload", str(repo), "--today", TODAY.isoformat()],
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)


def test_recordings_at_the_same_moment_take_turns(repo):
    """Five people log the same kind of event in one clone at the same moment: each gets its own
    file and its own commit holding exactly that file; nobody trips over git's index lock."""
    start = git(repo, "rev-parse", "HEAD").strip()
    procs = [_log_process(repo, f"call {i}") for i in range(5)]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]
    assert [code for code, _out, _err in results] == [0] * 5, results
    events = sorted(p.name for p in (repo / "cases/an-nguyen/events").iterdir())
    assert len(events) == 5
    commits = git(repo, "rev-list", f"{start}..HEAD").split()
    assert len(commits) == 5
    committed = [git(repo, "show", "--name-only", "--format=", c).split() for c in commits]
    assert all(len(files) == 1 for files in committed)
    assert sorted(f[0].rsplit("/", 1)[1] for f in committed) == events
    summaries = sorted(git(repo, "show", f"HEAD:cases/an-nguyen/events/{e}").split("summary: ")[1].strip() for e in events)
    assert summaries == [f"call {i}" for i in range(5)]
    assert git(repo, "status", "--porcelain") == ""  # .careerpath/ ignores itself


def test_a_recording_that_waits_too_long_writes_nothing(repo):
    from filelock import FileLock

    from careerpath.fsio import private_dir

    start = git(repo, "rev-parse", "HEAD").strip()
    with FileLock(str(private_dir(repo) / "record.lock")):
        proc = _log_process(repo, "late", {"CAREERPATH_RECORD_WAIT": "0.5", "CAREERPATH_LANG": "en"})
        code = proc.wait(timeout=60)
        err = proc.stderr.read()
    assert code == 75, err
    assert "waiting for another recording" in err and "nothing was written" in err and "Traceback" not in err
    assert not (repo / "cases/an-nguyen/events").exists()
    assert git(repo, "rev-parse", "HEAD").strip() == start
    proc = _log_process(repo, "on time")  # the lock is free again
    assert proc.wait(timeout=60) == 0, proc.stderr.read()


def test_a_caseload_that_cannot_hold_the_lock_records_nothing_and_says_why(repo, cli):
    (repo / ".careerpath").write_text("a file where the folder should be\n")  # fails as root too
    head = git(repo, "rev-parse", "HEAD")
    r = cli("log", "an-nguyen", "contact", "--by", "jsmith", "-C", repo, "--today", TODAY)
    assert r.code == 1 and "nothing was written" in r.err and "Traceback" not in r.err
    assert not (repo / "cases/an-nguyen/events").exists()
    assert git(repo, "rev-parse", "HEAD") == head


def test_recording_commands_check_their_input_in_one_order(cli, tmp_path):
    """The shared start of the recording commands (cmd_record._recording): the format first, then FIELD VALUE
    pairs, then the caseload; nothing is written when any of them is wrong."""
    nowhere = tmp_path / "no-caseload"
    nowhere.mkdir()
    r = cli("set", "an-nguyen", "status", "closed", "reason", "--format", "xml", "-C", nowhere)
    assert r.code == 2 and "--format must be one of: text, json" in r.err
    r = cli("set", "an-nguyen", "status", "closed", "reason", "-C", nowhere)
    assert r.code == 2 and "`reason` has no VALUE" in r.err
    r = cli("amend", "an-nguyen", "2026-11-03-contact", "date", "-C", nowhere)
    assert r.code == 2 and "`date` has no VALUE" in r.err
    for args in (("log", "an-nguyen", "contact", "--format", "yaml"), ("refer", "an-nguyen", "--format", "yaml"),
                 ("close", "an-nguyen", "--reason", "moved", "--format", "yaml"),
                 ("attach", "an-nguyen", "x.pdf", "--for", "closure.date", "--format", "yaml"),
                 ("revert", "0123abcd", "--format", "yaml")):
        r = cli(*args, "-C", nowhere)
        assert r.code == 2 and "--format must be one of" in r.err, args
    assert list(nowhere.iterdir()) == []
