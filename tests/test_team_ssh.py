"""Pushes over SSH to a real sshd on localhost: plain SSH (CAREERPATH_PUSHER per key) and gitolite3 (GL_USER)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gitservers import git, gitolite, identity, ssh_command, ssh_key, sshd
from test_record import CASE
from test_team_server import CONFIG, OTHER, commit

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def start_clone(folder: Path) -> Path:
    folder.mkdir()
    git(folder, "init", "-q", "-b", "main")
    identity(folder, "Ada Park")
    for rel, text in {"careerpath.yaml": CONFIG, "cases/an-nguyen/case.yaml": CASE, "cases/bo-li/case.yaml": OTHER}.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    git(folder, "add", "-A")
    git(folder, "commit", "-qm", "start")
    return folder


def push(clone: Path, key: Path, port: int, url: str, *args: str):
    return git(clone, "push", url, *args, check=False, env={"GIT_SSH_COMMAND": ssh_command(key, port)})


def test_plain_ssh_maps_each_key_to_a_pusher(tmp_path, cli):
    keys = tmp_path / "keys"
    keys.mkdir()
    ada, jsmith = ssh_key(keys, "ada"), ssh_key(keys, "jsmith")
    authorized = tmp_path / "authorized_keys"
    # the documented plain-SSH setup: one account, each key says who it is (sshd: PermitUserEnvironment CAREERPATH_PUSHER)
    authorized.write_text(f'environment="CAREERPATH_PUSHER=ada" {(keys / "ada.pub").read_text()}'
                          f'environment="CAREERPATH_PUSHER=jsmith" {(keys / "jsmith.pub").read_text()}')
    repo = tmp_path / "srv" / "caseload.git"
    repo.parent.mkdir()
    git(repo.parent, "init", "-q", "--bare", "-b", "main", str(repo))
    assert cli("server", "install-hook", repo).code == 0
    clone = start_clone(tmp_path / "clone")
    with sshd(tmp_path / "sshd", authorized, "CAREERPATH_PUSHER") as (port, user):
        url = f"ssh://{user}@127.0.0.1:{port}{repo}"
        r = push(clone, jsmith, port, url, "main")
        assert r.returncode != 0 and "first push to an empty repository must come from an admin" in r.stderr
        r = push(clone, ada, port, url, "main")
        assert r.returncode == 0, r.stderr
        commit(clone, "cases/bo-li/events/2026-11-03-contact.yaml", "date: 2026-11-03\ntype: contact\nby: jsmith\n")
        r = push(clone, jsmith, port, url, "main")
        assert r.returncode != 0 and "`jsmith` may not change these files" in r.stderr and "cases/bo-li/" in r.stderr
        git(clone, "reset", "-q", "--hard", "HEAD~1")
        commit(clone, "cases/an-nguyen/events/2026-11-03-contact.yaml", "date: 2026-11-03\ntype: contact\nby: jsmith\n")
        r = push(clone, jsmith, port, url, "main")
        assert r.returncode == 0, r.stderr


def test_gitolite_users_are_checked_by_their_gitolite_name(tmp_path, cli):
    keys = tmp_path / "keys"
    keys.mkdir()
    admin, ada, jsmith = ssh_key(keys, "admin"), ssh_key(keys, "ada"), ssh_key(keys, "jsmith")
    home = tmp_path / "gitolite"
    repos = gitolite(home, keys / "admin.pub", {"ada": keys / "ada.pub", "jsmith": keys / "jsmith.pub"}, "caseload")
    assert cli("server", "install-hook", repos / "caseload.git").code == 0
    clone = start_clone(tmp_path / "clone")
    with sshd(tmp_path / "sshd", home / ".ssh" / "authorized_keys", "HOME") as (port, user):
        url = f"ssh://{user}@127.0.0.1:{port}/caseload"
        r = push(clone, ada, port, url, "main")
        assert r.returncode == 0, r.stderr
        commit(clone, "cases/bo-li/case.yaml", OTHER.replace("opened: 2026-03-02", "opened: 2026-03-03"))
        r = push(clone, jsmith, port, url, "main")             # gitolite allows RW+, careerpath does not
        assert r.returncode != 0 and "`jsmith` may not change these files" in r.stderr
        git(clone, "reset", "-q", "--hard", "HEAD~1")
        commit(clone, "cases/an-nguyen/case.yaml", CASE.replace("opened: 2026-03-02", "opened: 2026-02-30"))
        r = push(clone, jsmith, port, url, "main")
        assert r.returncode != 0 and "cases/an-nguyen/case.yaml:4:9 invalid-date" in r.stderr
        git(clone, "reset", "-q", "--hard", "HEAD~1")
        commit(clone, "cases/an-nguyen/case.yaml", CASE.replace("opened: 2026-03-02", "opened: 2026-03-01"))
        assert push(clone, jsmith, port, url, "main").returncode == 0
        git(clone, "reset", "-q", "--hard", "HEAD~1")
        commit(clone, "cases/an-nguyen/case.yaml", CASE.replace("opened: 2026-03-02", "opened: 2026-03-04"))
        r = push(clone, ada, port, url, "--force", "main")      # gitolite's RW+ allows a rewind; the hook does not
        assert r.returncode != 0 and "cannot be rewritten" in r.stderr
