"""Issue 21, points 3 and 4: a recording commits only its own change, and one lock covers everything that commits.

Real repositories and real git processes: a hand edit, a staged change and
an uncommitted file are refused (or committed with --include-local-edits and
named); a recording killed between its write and its commit is found by the
next recording and by doctor; recordings and ``report --commit`` take turns
under one lock; git's own ``index.lock`` held by a live git process means
"try again" (exit 75), left by a dead one is named with its path, by the
recording, by ``report --commit`` and by doctor.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import ROOT, TODAY
from test_record import CASE, git, head_files, repo  # noqa: F401  (the fixture)

pytestmark = pytest.mark.skipif(subprocess.run(["git", "--version"], capture_output=True).returncode != 0,
                                reason="git is not installed; recording commits need it")

CCP_SET = ("set", "an-nguyen", "enrollments.ca-dds-ccp.authorized_until", "2027-03-01")


def state(repo: Path) -> tuple:
    """What must not move when a recording is refused: HEAD, the index, every file under cases/."""
    files = {p.relative_to(repo).as_posix(): p.read_bytes() for p in sorted((repo / "cases").rglob("*")) if p.is_file()}
    return git(repo, "rev-parse", "HEAD"), git(repo, "ls-files", "-s"), git(repo, "status", "--porcelain"), files


def hand_edit(repo: Path) -> bytes:
    """A colleague's uncommitted edit: a phone number added by hand to case.yaml."""
    path = repo / "cases/an-nguyen/case.yaml"
    text = path.read_text().replace("  language: vi\n", "  language: vi\n  phone: \"+1 408 555 0199\"\n")
    path.write_text(text)
    return text.encode()


def test_a_hand_edit_in_the_file_is_refused_not_committed_under_someone_elses_name(repo, cli):  # noqa: F811
    """The issue's reproduction: a phone changed by hand, then `set … authorized_until` by someone else."""
    hand_edit(repo)
    before = state(repo)
    r = cli(*CCP_SET, "--by", "ktran", "-C", repo, "--today", TODAY)
    assert r.code == 1, r.err
    assert "cases/an-nguyen/case.yaml" in r.err and "not committed" in r.err and "nothing was written" in r.err
    assert "`git commit`" in r.err and "git checkout -- cases/an-nguyen/case.yaml" in r.err
    assert "--include-local-edits" in r.err
    assert "555 0199" not in r.err and "Traceback" not in r.err
    assert state(repo) == before
    assert not list((repo / ".careerpath").glob("recording-*.json"))


def test_include_local_edits_commits_them_and_says_so(repo, cli):  # noqa: F811
    hand_edit(repo)
    r = cli(*CCP_SET, "--by", "ktran", "-C", repo, "--today", TODAY, "--include-local-edits")
    assert r.code == 0, r.err
    assert "committed with the changes that were not committed in: cases/an-nguyen/case.yaml" in r.err
    body = git(repo, "log", "-1", "--format=%B")
    assert "Local-edits: cases/an-nguyen/case.yaml" in body
    show = git(repo, "show", "HEAD")
    assert "phone" in show and "authorized_until: 2027-03-01" in show
    assert git(repo, "status", "--porcelain") == ""
    # `history` names the file's local edits in the commit that carried them, not silently
    hist = cli("history", "an-nguyen", "person.phone", "-C", repo, "--format", "json")
    entry = json.loads(hist.out)[0]
    assert entry["trailers"]["Local-edits"] == ["cases/an-nguyen/case.yaml"]


def test_a_staged_change_is_refused_too(repo, cli):  # noqa: F811
    hand_edit(repo)
    git(repo, "add", "cases/an-nguyen/case.yaml")
    before = state(repo)
    r = cli("close", "an-nguyen", "--reason", "moved", "--date", "2026-11-20", "-C", repo, "--today", TODAY)
    assert r.code == 1 and "staged changes" in r.err and "cases/an-nguyen/case.yaml" in r.err
    assert state(repo) == before


def test_a_file_never_committed_is_refused(repo, cli):  # noqa: F811
    """`careerpath new` does not commit: the whole file would go in under `set`'s subject."""
    folder = repo / "cases/new-person"
    folder.mkdir()
    (folder / "case.yaml").write_text(CASE.replace("id: an-nguyen", "id: new-person"))
    before = state(repo)
    r = cli("set", "new-person", "enrollments.ca-dor-vr.applied", "2026-08-28", "--reason", "the stamp", "-C", repo,
            "--today", TODAY)
    assert r.code == 1 and "cases/new-person/case.yaml is not committed yet" in r.err
    assert "commit it first" in r.err and "git checkout" not in r.err   # nothing to discard to: it was never committed
    assert state(repo) == before


def test_an_edit_elsewhere_does_not_stop_a_recording_of_another_file(repo, cli):  # noqa: F811
    edited = hand_edit(repo)
    r = cli("log", "an-nguyen", "contact", "--date", "2026-11-03", "--by", "jsmith", "-C", repo, "--today", TODAY)
    assert r.code == 0, r.err
    assert head_files(repo) == ["cases/an-nguyen/events/2026-11-03-contact.yaml"]
    assert (repo / "cases/an-nguyen/case.yaml").read_bytes() == edited      # still there, still uncommitted
    assert git(repo, "status", "--porcelain") == " M cases/an-nguyen/case.yaml\n"


def test_referral_outcome_checks_its_file(repo, cli):  # noqa: F811
    assert cli("refer", "an-nguyen", "--to", "Sunrise Bakery", "--kind", "other", "--date", "2026-11-03",
               "--by", "jsmith", "-C", repo, "--today", TODAY).code == 0
    path = repo / "cases/an-nguyen/referrals/2026-11-03-other.yaml"
    path.write_text(path.read_text() + "# a note by hand\n")
    r = cli("refer", "an-nguyen", "2026-11-03-other", "--outcome", "Hired", "--date", "2026-11-20", "-C", repo,
            "--today", TODAY)
    assert r.code == 1 and "cases/an-nguyen/referrals/2026-11-03-other.yaml" in r.err


# ---------------------------------------------------------------- killed recordings

def _killed(repo: Path, args: list[str], where: str) -> subprocess.CompletedProcess:
    """Run the CLI in a real process killed with SIGKILL at ``where``: 'commit' (written, not committed) or 'rename'."""
    hook = ("gitio.commit_paths = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)" if where == "commit" else
            "fsio.before_replace = lambda tmp, path: path.suffix == '.yaml' and os.kill(os.getpid(), signal.SIGKILL)")
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        from careerpath import fsio, gitio
        from careerpath.cli import main
        {hook}
        sys.exit(main({[str(a) for a in args]!r}))
    """)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_a_recording_killed_before_its_commit_is_found_by_the_next_one_and_by_doctor(repo, cli):  # noqa: F811
    proc = _killed(repo, [*CCP_SET, "--by", "ktran", "-C", str(repo), "--today", TODAY.isoformat()], "commit")
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "authorized_until: 2027-03-01" in (repo / "cases/an-nguyen/case.yaml").read_text()   # written,
    assert git(repo, "status", "--porcelain") == " M cases/an-nguyen/case.yaml\n"                 # not committed
    [journal_file] = (repo / ".careerpath").glob("recording-*.json")
    journal = json.loads(journal_file.read_text())
    assert journal["files"] == ["cases/an-nguyen/case.yaml"] and isinstance(journal["pid"], int)

    doctor = cli("doctor", "-C", repo, "--format", "json")
    found = {f["check"]: f for f in json.loads(doctor.out)}
    assert found["recording"]["status"] == "warn"
    assert "interrupted" in found["recording"]["detail"] and "cases/an-nguyen/case.yaml" in found["recording"]["detail"]

    # another file of the case: recorded, with a note about the leftover
    r = cli("log", "an-nguyen", "contact", "--date", "2026-11-03", "--by", "jsmith", "-C", repo, "--today", TODAY)
    assert r.code == 0, r.err
    assert "interrupted before its commit: cases/an-nguyen/case.yaml" in r.err
    assert head_files(repo) == ["cases/an-nguyen/events/2026-11-03-contact.yaml"]
    # the same file: refused, saying what it holds
    before = state(repo)
    r = cli("set", "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-08-28", "--reason", "the stamp", "-C", repo,
            "--today", TODAY)
    assert r.code == 1 and "holds an earlier recording that was interrupted" in r.err
    assert state(repo) == before
    # committed by hand: nothing left to report, the journal goes
    git(repo, "commit", "-qm", "finish the interrupted set", "--", "cases/an-nguyen/case.yaml")
    r = cli("log", "an-nguyen", "contact", "--date", "2026-11-04", "--by", "jsmith", "-C", repo, "--today", TODAY)
    assert r.code == 0 and "interrupted" not in r.err
    assert not list((repo / ".careerpath").glob("recording-*.json"))
    found = {f["check"]: f for f in json.loads(cli("doctor", "-C", repo, "--format", "json").out)}
    assert "recording" not in found


def test_a_write_killed_before_its_rename_leaves_a_temp_file_that_is_reported(repo, cli):  # noqa: F811
    original = (repo / "cases/an-nguyen/case.yaml").read_bytes()
    proc = _killed(repo, [*CCP_SET, "-C", str(repo), "--today", TODAY.isoformat()], "rename")
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert (repo / "cases/an-nguyen/case.yaml").read_bytes() == original
    temps = [p.name for p in (repo / "cases/an-nguyen").glob(".*.tmp")]
    assert len(temps) == 1
    r = cli("log", "an-nguyen", "contact", "--date", "2026-11-03", "--by", "jsmith", "-C", repo, "--today", TODAY)
    assert r.code == 0, r.err
    assert f"cases/an-nguyen/{temps[0]}" in r.err and "interrupted write" in r.err
    found = {f["check"]: f for f in json.loads(cli("doctor", "-C", repo, "--format", "json").out)}
    assert found["leftovers"]["status"] == "warn" and temps[0] in found["leftovers"]["detail"]


# ---------------------------------------------------------------- one lock

def _process(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "careerpath", *args],
                            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_report_commit_and_recordings_take_turns(repo, tmp_path):  # noqa: F811
    """The issue's collision: report --commit and log at once. Now every one commits, nothing stays staged."""
    start = git(repo, "rev-parse", "HEAD").strip()
    procs = [_process("report", "registry", "-C", str(repo), "--today", TODAY.isoformat(), "--period", "2026",
                      "--out", str(repo / "reports"), "--commit", "--quiet")]
    procs += [_process("log", "an-nguyen", "contact", "--date", "2026-11-03", "--by", "jsmith", "--summary", f"call {i}",
                       "-C", str(repo), "--today", TODAY.isoformat()) for i in range(3)]
    procs.append(_process("report", "outcomes", "-C", str(repo), "--today", TODAY.isoformat(), "--period", "2026",
                          "--out", str(repo / "reports"), "--commit", "--quiet"))
    results = [(p.wait(timeout=180), p.stderr.read()) for p in procs]
    assert [code for code, _ in results] == [0] * 5, results
    commits = git(repo, "rev-list", f"{start}..HEAD").split()
    assert len(commits) == 5
    subjects = sorted(git(repo, "log", "-1", "--format=%s", c).strip() for c in commits)
    assert sum(s.startswith("report ") for s in subjects) == 2
    assert git(repo, "status", "--porcelain") == ""


def test_report_commit_waits_for_the_recording_lock(repo, tmp_path):  # noqa: F811
    from filelock import FileLock

    from careerpath.fsio import COMMIT_LOCK, private_dir

    start = git(repo, "rev-parse", "HEAD")
    with FileLock(str(private_dir(repo) / COMMIT_LOCK)):
        proc = _process("report", "registry", "-C", str(repo), "--today", TODAY.isoformat(), "--period", "2026",
                        "--out", str(repo / "reports"), "--commit", "--wait", "0.5")
        code = proc.wait(timeout=60)
        err = proc.stderr.read()
    assert code == 75, err
    assert "written but not committed" in err and "Traceback" not in err
    assert git(repo, "rev-parse", "HEAD") == start
    assert git(repo, "diff", "--cached", "--name-only") == ""      # nothing left staged


# ---------------------------------------------------------------- git's index.lock

@pytest.fixture
def busy_git(repo):  # noqa: F811
    """A real `git commit -- notes.txt` stopped in its pre-commit hook: it holds index.lock (and has closed it).

    (A commit of paths, like careerpath's own, or ``-a``, keeps the lock while the hook runs.)
    """
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexec sleep 60\n")
    hook.chmod(0o755)
    (repo / "notes.txt").write_text("someone's change\n")
    proc = subprocess.Popen(["git", "commit", "-qm", "slow", "--", "notes.txt"], cwd=repo, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    lock = repo / ".git" / "index.lock"
    deadline = time.monotonic() + 20
    while not lock.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert lock.exists(), "git commit did not take its lock"
    try:
        yield proc, lock
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)
        hook.unlink(missing_ok=True)


def test_a_live_index_lock_means_try_again_never_remove_it(busy_git, repo, cli, monkeypatch):  # noqa: F811
    proc, lock = busy_git
    monkeypatch.setenv("CAREERPATH_RECORD_WAIT", "1")
    before = state(repo)
    r = cli("log", "an-nguyen", "contact", "--date", "2026-11-03", "--by", "jsmith", "-C", repo, "--today", TODAY)
    assert r.code == 75, r.err
    assert str(lock) in r.err and "git is working in this repository" in r.err and "nothing was written" in r.err
    assert "waiting for git" in r.err
    assert "rm " not in r.err and "remove" not in r.err
    assert state(repo) == before
    found = {f["check"]: f for f in json.loads(cli("doctor", "-C", repo, "--format", "json").out)}
    assert found["git lock"]["status"] == "ok" and str(proc.pid) in found["git lock"]["detail"]


def test_a_stale_index_lock_is_named_with_its_path(busy_git, repo, cli, tmp_path):  # noqa: F811
    proc, lock = busy_git
    os.kill(proc.pid, signal.SIGKILL)     # git dies; its hook (a `sleep`) lives on; the lock stays
    proc.wait(timeout=30)
    assert lock.exists()
    before = state(repo)
    r = cli("log", "an-nguyen", "contact", "--date", "2026-11-03", "--by", "jsmith", "-C", repo, "--today", TODAY)
    assert r.code == 1, r.err
    assert f"{lock} was left by a git process that is no longer running" in r.err and f"rm {lock}" in r.err
    assert state(repo) == before
    found = {f["check"]: f for f in json.loads(cli("doctor", "-C", repo, "--format", "json").out)}
    assert found["git lock"]["status"] == "fail" and str(lock) in found["git lock"]["detail"]
    assert cli("doctor", "-C", repo).code == 1
    r = cli("report", "registry", "-C", repo, "--today", TODAY, "--period", "2026", "--out", repo / "reports", "--commit",
            "--quiet")
    assert r.code == 1 and str(lock) in r.err and "written but not committed" in r.err
    lock.unlink()
    (repo / ".git" / "hooks" / "pre-commit").unlink()   # the slow hook has done its part
    r = cli("log", "an-nguyen", "contact", "--date", "2026-11-03", "--by", "jsmith", "-C", repo, "--today", TODAY)
    assert r.code == 0, r.err


def test_gits_own_lock_failure_names_the_file(repo):  # noqa: F811
    """git's last line ("remove the file manually") is not what careerpath shows."""
    from careerpath import gitio

    lock = repo / ".git" / "index.lock"
    lock.write_text("")
    (repo / "notes.txt").write_text("changed\n")
    with pytest.raises(gitio.GitError) as caught:
        gitio.run(["add", "notes.txt"], repo)
    assert caught.value.lock is not None and str(caught.value.lock).endswith(".git/index.lock")
    assert ".git/index.lock exists" in caught.value.message and "manually" not in caught.value.message


def test_lock_holders_finds_a_process_with_the_file_open(tmp_path):
    from careerpath import gitio

    lock = tmp_path / "index.lock"
    lock.write_text("")
    holder = subprocess.Popen([sys.executable, "-c", f"f = open({str(lock)!r}); import time; time.sleep(60)"])
    try:
        deadline = time.monotonic() + 10
        while holder.pid not in gitio.lock_holders(lock, [tmp_path / "elsewhere"]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert holder.pid in gitio.lock_holders(lock, [tmp_path / "elsewhere"])
    finally:
        holder.kill()
        holder.wait()
    assert gitio.lock_holders(lock, [tmp_path / "elsewhere"]) == []
