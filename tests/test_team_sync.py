"""`careerpath sync` against a real bare repository served by `git daemon` on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
from pathlib import Path

import jsonschema
import pytest

from careerpath.cli.shapes import shapes
from conftest import CONFIG, TODAY
from gitservers import bare, git, git_daemon, identity
from test_record import CASE, PLAN

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

CASE_ID = "an-nguyen"
F = f"cases/{CASE_ID}/case.yaml"


@pytest.fixture
def team(tmp_path, cli, monkeypatch):
    """A server (bare repository behind git daemon) and two clones of one caseload: (url, first, second)."""
    monkeypatch.delenv("CAREERPATH_STAFF", raising=False)
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(var, raising=False)
    base = tmp_path / "srv"
    base.mkdir()
    bare(base / "caseload.git")
    with git_daemon(base) as prefix:
        url = f"{prefix}/caseload.git"
        first = tmp_path / "first"
        first.mkdir()
        git(first, "init", "-q", "-b", "main")
        identity(first, "Jordan Smith")
        (first / "cases" / CASE_ID).mkdir(parents=True)
        (first / "careerpath.yaml").write_text(CONFIG)
        (first / F).write_text(CASE)
        (first / f"cases/{CASE_ID}/plan.yaml").write_text(PLAN)
        assert cli("setup-merge", "-C", first).code == 0
        git(first, "add", "-A")
        git(first, "commit", "-qm", "start")
        assert cli("remote", "set", url, "-C", first).code == 0
        r = cli("sync", "-C", first, "--today", TODAY)
        assert r.code == 0, r.err
        second = tmp_path / "second"
        git(tmp_path, "clone", "-q", url, str(second))
        identity(second, "Kim Tran")
        yield url, first, second


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").stdout.strip()


def server_files(first: Path) -> list[str]:
    git(first, "fetch", "-q", "origin")
    return git(first, "ls-tree", "-r", "--name-only", "origin/main").stdout.split()


def sync_json(out: str) -> dict:
    """sync's --format json: one document of the shape docs/cli.md shows."""
    report = json.loads(out)
    jsonschema.validate(report, shapes()["sync"])
    return report


def log(cli, repo, *args):
    return cli("log", CASE_ID, *args, "-C", repo, "--today", TODAY)


def test_work_goes_out_and_comes_in_with_who_and_which_cases(team, cli):
    url, first, second = team
    assert log(cli, first, "monthly-review", "--by", "jsmith", "--date", "2026-11-03").code == 0
    r = cli("sync", "-C", first, "--today", TODAY)
    assert r.code == 0, r.err
    assert "went out: 1 commit" in r.out and CASE_ID in r.out
    assert cli("set", CASE_ID, "enrollments.ca-dor-vr.applied", "2026-08-28", "--reason", "stamp", "--by", "ktran", "-C", second,
               "--today", TODAY).code == 0
    r = cli("sync", "-C", second, "--today", TODAY, "--format", "json")
    assert r.code == 0, r.err
    report = sync_json(r.out)
    assert report["pushed"] is True
    assert [(c["author"], c["cases"]) for c in report["incoming"]] == [("Jordan Smith", [CASE_ID])]
    assert [c["cases"] for c in report["outgoing"]] == [[CASE_ID]]
    assert "registered the field-level merge driver" in r.err       # a plain clone gets the driver on first sync
    files = server_files(first)
    assert f"cases/{CASE_ID}/events/2026-11-03-monthly-review.yaml" in files
    assert "applied: 2026-08-28" in git(first, "show", "origin/main:" + F).stdout
    # the second clone's history is linear: its commit was rebased on the first one's
    assert len(git(second, "log", "--merges", "--format=%H").stdout.split()) == 0


def test_uncommitted_case_files_stop_sync_and_are_named(team, cli):
    url, first, second = team
    (second / F).write_text(CASE.replace("applied: 2026-09-01", "applied: 2026-08-01"))
    (second / f"cases/{CASE_ID}/events").mkdir()
    (second / f"cases/{CASE_ID}/events/2026-11-04-contact.yaml").write_text("date: 2026-11-04\ntype: contact\nby: jsmith\n")
    (second / "notes.txt").write_text("mine\n")   # not a case file: not sync's business
    before = head(second)
    r = cli("sync", "-C", second, "--today", TODAY)
    assert r.code == 1
    assert "uncommitted changes in case files" in r.err
    assert F in r.err and "2026-11-04-contact.yaml" in r.err and "notes.txt" not in r.err
    assert head(second) == before and "applied: 2026-08-01" in (second / F).read_text()


def test_no_network_exits_75_and_loses_nothing(team, cli, tmp_path):
    url, first, second = team
    assert log(cli, second, "contact", "--by", "ktran", "--date", "2026-11-05").code == 0
    before = head(second)
    import socket

    with socket.socket() as s:      # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    git(second, "remote", "set-url", "origin", f"git://127.0.0.1:{dead}/caseload.git")
    r = cli("sync", "-C", second, "--today", TODAY)
    assert r.code == 75, r.err
    assert "cannot reach `origin`" in r.err
    assert head(second) == before and git(second, "status", "--porcelain").stdout == ""
    git(second, "remote", "set-url", "origin", url)
    r = cli("sync", "-C", second, "--today", TODAY)
    assert r.code == 0 and "went out: 1 commit" in r.out


def test_same_new_event_name_on_both_sides_gets_a_number_not_an_overwrite(team, cli):
    url, first, second = team
    assert log(cli, first, "contact", "--by", "jsmith", "--date", "2026-11-06", "--summary", "Called").code == 0
    assert cli("sync", "-C", first, "--today", TODAY).code == 0
    assert log(cli, second, "contact", "--by", "ktran", "--date", "2026-11-06", "--summary", "Visited").code == 0
    r = cli("sync", "-C", second, "--today", TODAY)
    assert r.code == 0, r.err
    name = f"cases/{CASE_ID}/events/2026-11-06-contact"
    assert f"renamed your new {name}.yaml to {name}-2.yaml" in r.out
    assert "by: jsmith" in git(first, "show", f"origin/main:{name}.yaml").stdout if server_files(first) else False
    assert "by: ktran" in git(first, "show", f"origin/main:{name}-2.yaml").stdout
    assert cli("validate", "-C", second, "--today", TODAY, "--no-cache").code == 0


def add(repo: Path, rel: str, text: str) -> None:
    """A file written and committed by hand (appointments and surveys have no recording command)."""
    (repo / rel).parent.mkdir(parents=True, exist_ok=True)
    (repo / rel).write_text(text)
    git(repo, "add", "--", rel)
    git(repo, "commit", "-qm", "add " + rel.rsplit("/", 1)[-1])


@pytest.mark.parametrize("rel, mine, theirs", [
    (f"cases/{CASE_ID}/appointments/2026-12-03-ipp-meeting.yaml",
     "date: 2026-12-03\nkind: ipp-meeting\nstaff: [ktran]\nsummary: Visited\n",
     "date: 2026-12-03\nkind: ipp-meeting\nstaff: [jsmith]\nsummary: Called\n"),
    ("surveys/2026-10-21-quality.yaml",
     "date: 2026-10-21\nname: Phone survey\naudience: citizens\nrespondents: 12\nby: ktran\n",
     "date: 2026-10-21\nname: Quality survey\naudience: citizens\nrespondents: 40\nby: jsmith\n"),
])
def test_same_new_appointment_or_survey_name_on_both_sides_keeps_both(team, cli, rel, mine, theirs):
    url, first, second = team
    add(first, rel, theirs)
    assert cli("sync", "-C", first, "--today", TODAY).code == 0
    add(second, rel, mine)
    r = cli("sync", "-C", second, "--today", TODAY)
    assert r.code == 0, r.err
    numbered = rel[:-len(".yaml")] + "-2.yaml"
    assert f"renamed your new {rel} to {numbered}" in r.out
    git(first, "fetch", "-q", "origin")
    assert git(first, "show", f"origin/main:{rel}").stdout == theirs          # the server's stays under its name
    assert git(first, "show", f"origin/main:{numbered}").stdout == mine       # yours is kept, numbered
    assert cli("validate", "-C", second, "--today", TODAY, "--no-cache").code == 0


def test_an_old_gitattributes_is_completed_by_setup_merge_and_named_until_then(team, cli):
    url, first, second = team
    from careerpath.team.merge import PATTERNS

    old = [f"{p} merge=careerpath" for p in PATTERNS if "appointments" not in p and not p.startswith("surveys")]
    (first / ".gitattributes").write_text("# careerpath: case files merge field by field (careerpath merge-driver; "
                                          "docs/team.md)\n" + "\n".join(old) + "\n")
    git(first, "commit", "-qam", "attributes from before appointments and surveys")
    r = cli("sync", "-C", first, "--today", TODAY)
    assert r.code == 0, r.err
    assert "cases/*/appointments/*.yaml, surveys/*.yaml merge line by line here" in r.err
    assert git(first, "status", "--porcelain").stdout == ""                  # sync changed no file of the clone
    found = {f["check"]: f for f in json.loads(cli("doctor", "-C", first, "--format", "json").out)}
    assert found["merge driver"]["status"] == "warn" and "surveys/*.yaml" in found["merge driver"]["detail"]
    assert cli("setup-merge", "-C", first).code == 0
    text = (first / ".gitattributes").read_text()
    assert text.count("# careerpath:") == 1 and "surveys/*.yaml merge=careerpath" in text
    assert git(first, "status", "--porcelain").stdout == ""                  # committed
    r = cli("sync", "-C", first, "--today", TODAY)
    assert r.code == 0 and "line by line" not in r.err
    r = cli("sync", "-C", second, "--today", TODAY)                          # the other clone gets it by syncing
    assert r.code == 0 and git(second, "check-attr", "merge", "--", "surveys/x.yaml").stdout.strip().endswith("careerpath")


def test_same_field_changed_on_both_sides_stops_with_its_path_then_resolves(team, cli):
    url, first, second = team
    assert cli("set", CASE_ID, "enrollments.ca-dor-vr.applied", "2026-08-28", "--reason", "stamp", "--by", "jsmith", "-C", first).code == 0
    assert cli("sync", "-C", first, "--today", TODAY).code == 0
    assert cli("set", CASE_ID, "enrollments.ca-dor-vr.applied", "2026-08-30", "--reason", "stamp", "--by", "ktran", "-C", second).code == 0
    assert cli("set", CASE_ID, "person.language", "en", "--by", "ktran", "-C", second).code == 0
    r = cli("sync", "-C", second, "--today", TODAY, "--format", "json")
    assert r.code == 1
    assert f"conflict: {F}: `enrollments.ca-dor-vr.applied` was changed on both sides" in r.err
    stopped = sync_json(r.out)   # stopped mid-way: what happened so far, with the error
    assert stopped["conflicts"] == [[F, "enrollments.ca-dor-vr.applied"]] and not stopped["pushed"]
    assert "error" in stopped and "2026-08-30" not in r.out and "2026-08-28" not in r.out
    assert "2026-08-30" not in r.err and "2026-08-28" not in r.err
    assert cli("validate", "-C", second, "--today", TODAY, "--no-cache").code == 1
    # running sync again without resolving says so, and changes nothing
    assert "stopped at a conflict" in cli("sync", "-C", second, "--today", TODAY).err
    # resolve: keep our date, drop the markers
    lines = (second / F).read_text().splitlines(keepends=True)
    start = next(i for i, l in enumerate(lines) if l.startswith("<<<<<<<"))
    mid = next(i for i, l in enumerate(lines) if l.startswith("======="))
    end = next(i for i, l in enumerate(lines) if l.startswith(">>>>>>>"))
    (second / F).write_text("".join(lines[:start] + lines[mid + 1:end] + lines[end + 1:]))
    git(second, "add", F)
    r = cli("sync", "-C", second, "--today", TODAY)
    assert r.code == 0, r.err
    server = git(first, "show", "origin/main:" + F).stdout if not git(first, "fetch", "-q").returncode else ""
    assert "applied: 2026-08-30" in server and "language: en" in server


def test_merge_mode_makes_a_merge_commit(team, cli):
    url, first, second = team
    assert log(cli, first, "contact", "--by", "jsmith", "--date", "2026-11-07").code == 0
    assert cli("sync", "-C", first, "--today", TODAY).code == 0
    assert log(cli, second, "monthly-review", "--by", "ktran", "--date", "2026-11-07").code == 0
    r = cli("sync", "--merge", "-C", second, "--today", TODAY)
    assert r.code == 0, r.err
    assert len(git(second, "log", "--merges", "--format=%H").stdout.split()) == 1
    assert len(server_files(first)) == len(git(second, "ls-tree", "-r", "--name-only", "HEAD").stdout.split())


def test_a_push_race_is_retried(team, cli, tmp_path):
    """Between sync's fetch and its push, a third clone pushes (from the second clone's pre-push hook)."""
    url, first, second = team
    third = tmp_path / "third"
    git(tmp_path, "clone", "-q", url, str(third))
    identity(third, "Third")
    assert log(cli, third, "contact", "--by", "reva", "--date", "2026-11-08").code == 0
    marker = tmp_path / "raced"
    hook = second / ".git" / "hooks" / "pre-push"
    hook.write_text(f"#!/bin/sh\nif [ ! -e '{marker}' ]; then touch '{marker}'; "
                    f"git -C '{third}' push -q origin HEAD:main >/dev/null 2>&1; fi\nexit 0\n")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    assert log(cli, second, "monthly-review", "--by", "ktran", "--date", "2026-11-08").code == 0
    r = cli("sync", "-C", second, "--today", TODAY, "--format", "json")
    assert r.code == 0, r.err
    report = json.loads(r.out)
    assert marker.exists() and report["attempts"] == 2 and report["pushed"]
    files = server_files(first)
    assert f"cases/{CASE_ID}/events/2026-11-08-contact.yaml" in files
    assert f"cases/{CASE_ID}/events/2026-11-08-monthly-review.yaml" in files


def test_commits_that_add_errors_are_not_pushed(team, cli):
    url, first, second = team
    (second / F).write_text(CASE.replace("staff: {navigator: jsmith}", "staff: {navigator: nobody}"))
    git(second, "commit", "-qam", "bad staff")
    before = git(first, "ls-remote", url, "main").stdout
    r = cli("sync", "-C", second, "--today", TODAY, "--format", "json")
    assert r.code == 1
    assert sync_json(r.out)["pushed"] is False
    assert f"{F}:" in r.err and "unknown-staff" in r.err and "nobody" not in r.err.split("unknown-staff")[0][-40:]
    assert git(first, "ls-remote", url, "main").stdout == before


def test_init_with_remote_and_remote_set(tmp_path, cli):
    root = tmp_path / "new"
    r = cli("init", root, "--remote", "git://127.0.0.1:9/x.git")
    assert r.code == 0, r.err
    assert git(root, "remote", "get-url", "origin").stdout.strip() == "git://127.0.0.1:9/x.git"
    assert cli("remote", "set", "git://127.0.0.1:9/y.git", "-C", root).code == 0
    assert git(root, "remote", "get-url", "origin").stdout.strip() == "git://127.0.0.1:9/y.git"
    assert cli("remote", "set", "--", "-oops", "-C", root).code == 2
    assert "merge=careerpath" in (root / ".gitattributes").read_text()


def test_doctor_checks_the_remote_and_the_merge_driver(team, cli, tmp_path):
    url, first, second = team
    r = cli("doctor", "-C", first, "--format", "json")
    found = {f["check"]: f for f in json.loads(r.out)}
    assert found["merge driver"]["status"] == "ok"
    assert found["remote"]["status"] == "ok" and "answers" in found["remote"]["detail"]
    assert url not in r.out                                   # a URL can hold a token: never printed
    git(first, "remote", "set-url", "origin", "git://127.0.0.1:9/nothing.git")
    git(first, "config", "--unset", "merge.careerpath.driver")
    found = {f["check"]: f for f in json.loads(cli("doctor", "-C", first, "--format", "json").out)}
    assert found["remote"]["status"] == "warn" and found["merge driver"]["status"] == "warn"
    assert found["merge driver"]["fix"] == "careerpath setup-merge"


def test_a_conflict_is_named_by_its_field_in_any_language(team, cli, monkeypatch):
    """The merge driver speaks the user's language on stderr; sync reads its conflicts as data, not those words."""
    url, first, second = team
    assert cli("set", CASE_ID, "enrollments.ca-dor-vr.applied", "2026-08-28", "--reason", "stamp", "--by", "jsmith", "-C", first).code == 0
    assert cli("sync", "-C", first, "--today", TODAY).code == 0
    assert cli("set", CASE_ID, "enrollments.ca-dor-vr.applied", "2026-08-30", "--reason", "stamp", "--by", "ktran", "-C", second).code == 0
    monkeypatch.setenv("CAREERPATH_LANG", "ru")      # git runs the driver as a process: it inherits this
    r = cli("sync", "-C", second, "--today", TODAY, "--format", "json")
    assert r.code == 1
    out = json.loads(r.out)
    assert out["conflicts"] == [[F, "enrollments.ca-dor-vr.applied"]], out
    assert "остановлен на конфликте" in r.err, r.err   # the CLI itself spoke Russian
    assert not list((second / ".git").glob("careerpath-merge-conflicts*")), "the driver's record is cleared"
