"""`careerpath purge`: a case leaves the whole history, locally and on the server, and nowhere else is touched."""

from __future__ import annotations

import shutil

import pytest

from conftest import TODAY
from gitservers import git, identity
from test_team_server import OTHER, commit, server  # noqa: F401  (the fixture)
from test_record import CASE

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

NAME = "Nguyễn Văn An"


def every_object(repo) -> bytes:
    """The content of every object in the object store (reachable or not, packed or loose)."""
    import subprocess

    return subprocess.run(["git", "cat-file", "--batch-all-objects", "--batch"], cwd=repo, check=True,
                          capture_output=True).stdout


def trace(repo) -> list[str]:
    found = []
    if "an-nguyen" in git(repo, "log", "--all", "-p", "--format=%B").stdout:
        found.append("log")
    objects = every_object(repo)
    if NAME.encode() in objects or b"an-nguyen" in objects:
        found.append("objects")
    return found


@pytest.fixture
def history(server):
    srv, clone = server
    for day in ("03", "10", "17"):
        commit(clone, f"cases/an-nguyen/events/2026-11-{day}-contact.yaml", f"date: 2026-11-{day}\ntype: contact\nby: jsmith\n",
               f"an-nguyen: log contact 2026-11-{day}\n\nCase: an-nguyen")
    commit(clone, "cases/bo-li/events/2026-11-04-contact.yaml", "date: 2026-11-04\ntype: contact\nby: ktran\n", "bo-li: log contact")
    assert srv.push(clone, "ada", "main").returncode == 0
    git(clone, "remote", "add", "origin", str(srv.repo))
    git(clone, "fetch", "-q", "origin")
    git(clone, "branch", "-q", "--set-upstream-to=origin/main", "main")
    return srv, clone


def test_purge_leaves_no_trace_locally_or_on_the_server(history, cli, tmp_path):
    srv, clone = history
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(srv.repo), str(other))   # a colleague's clone, from before the purge
    identity(other, "Kim Tran")
    assert trace(clone) == ["log", "objects"]
    r = cli("purge", "an-nguyen", "--yes", "--by", "admin1", "--reference", "REQ-17", "-C", clone, "--today", TODAY)
    assert r.code == 0, r.err
    assert trace(clone) == []
    assert not (clone / "cases/an-nguyen").exists() and (clone / "cases/bo-li/case.yaml").exists()
    assert git(clone, "fsck", "--no-progress").returncode == 0
    assert "git push --force origin HEAD:main" in r.out and "every other clone" in r.out and "backups" in r.out
    journal = next((clone / "purges").glob("*.yaml")).read_text()
    assert "by: admin1" in journal and "reference: REQ-17" in journal and "an-nguyen" not in journal and NAME not in journal
    assert "bo-li: log contact" in git(clone, "log", "--format=%s").stdout       # the other case's history stays
    # the server takes the rewrite from an admin only
    assert "cannot be rewritten" in srv.push(clone, "jsmith", "--force", "main").stderr
    pushed = srv.push(clone, "ada", "--force", "main")
    assert pushed.returncode == 0, pushed.stderr
    git(srv.repo, "reflog", "expire", "--expire=now", "--all")
    git(srv.repo, "gc", "-q", "--prune=now")
    assert trace(srv.repo) == [] and git(srv.repo, "fsck", "--no-progress").returncode == 0
    # an old clone must not push the case back: sync refuses
    r = cli("sync", "-C", other, "--today", TODAY)
    assert r.code == 1 and "was rewritten" in r.err


def test_a_purge_marker_cannot_be_replayed_or_carry_other_changes(history, cli):
    srv, clone = history
    assert cli("purge", "an-nguyen", "--yes", "--by", "admin1", "-C", clone, "--today", TODAY).code == 0
    # an extra change on top of the purge: refused
    commit(clone, "cases/bo-li/events/2026-11-20-contact.yaml", "date: 2026-11-20\ntype: contact\nby: ktran\n")
    r = srv.push(clone, "ada", "--force", "main")
    assert r.returncode != 0 and "cannot be rewritten" in r.stderr      # the tip is not the marker
    git(clone, "reset", "-q", "--hard", "HEAD~1")
    # the server moved on meanwhile: the marker names a main commit that is no longer the server's
    helper = clone.parent / "helper"
    git(clone.parent, "clone", "-q", str(srv.repo), str(helper))
    identity(helper, "Ada Park")
    commit(helper, "cases/bo-li/events/2026-11-21-contact.yaml", "date: 2026-11-21\ntype: contact\nby: ktran\n")
    assert srv.push(helper, "ada", "main").returncode == 0
    r = srv.push(clone, "ada", "--force", "main")
    assert r.returncode != 0 and "does not name the server's main commit" in r.stderr


def test_purge_needs_yes_and_a_known_case(history, cli):
    srv, clone = history
    assert cli("purge", "an-nguyen", "-C", clone, "--by", "admin1").code == 2
    r = cli("purge", "nobody-here", "--yes", "--by", "admin1", "-C", clone)
    assert r.code == 1 and "no case nobody-here" in r.err
    assert trace(clone) == ["log", "objects"]
