"""Real git servers for tests: bare repositories served by `git daemon`, sshd and gitolite on localhost.

No mock of git: a test pushes and fetches over a real protocol to a real
server process, started here on a free port and stopped when the test ends.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest


def git(cwd: Path, *args: str, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, check=check, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited ({proc.returncode}) before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextmanager
def git_daemon(base: Path, env: dict | None = None):
    """Serve every bare repository under ``base`` at git://127.0.0.1:PORT/<name> (push enabled); yields the URL prefix."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    for _attempt in range(5):
        port = free_port()
        proc = subprocess.Popen(
            ["git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={port}", f"--base-path={base}",
             "--export-all", "--enable=receive-pack", "--informative-errors", str(base)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
        try:
            wait_for_port(port, proc)
        except RuntimeError:
            stop(proc)
            continue
        try:
            yield f"git://127.0.0.1:{port}"
        finally:
            stop(proc)
        return
    pytest.skip("git daemon could not listen on 127.0.0.1")


def bare(path: Path, branch: str = "main") -> Path:
    git(path.parent, "init", "-q", "--bare", "-b", branch, str(path))
    return path


def identity(repo: Path, name: str) -> None:
    git(repo, "config", "user.name", name)
    git(repo, "config", "user.email", f"{name}@example.org")
    git(repo, "config", "commit.gpgsign", "false")


# ---------------------------------------------------------------- sshd and gitolite

SSHD = "/usr/sbin/sshd"


def ssh_key(folder: Path, name: str) -> Path:
    """A new ed25519 key pair ``folder/name`` (+ .pub); returns the private key's path."""
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed (Debian: openssh-client)")
    key = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    return key


def ssh_command(key: Path, port: int) -> str:
    """A GIT_SSH_COMMAND that logs in with ``key`` and trusts the throw-away server's host key."""
    return (f"ssh -p {port} -i {key} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no "
            "-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR")


@contextmanager
def sshd(folder: Path, authorized_keys: Path, permit_environment: str):
    """sshd as the current user on a free 127.0.0.1 port, keys only, host keys made here; yields the port."""
    import getpass

    if not os.path.exists(SSHD) or shutil.which("ssh") is None:
        pytest.skip("sshd is not installed (Debian: openssh-server)")
    folder.mkdir(parents=True, exist_ok=True)
    host_key = folder / "host_ed25519"
    if not host_key.exists():
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)], check=True)
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)   # the privilege-separation folder sshd expects
    user = getpass.getuser()
    for _attempt in range(5):
        port = free_port()
        config = folder / "sshd_config"
        config.write_text("\n".join([
            f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {host_key}", f"PidFile {folder / 'sshd.pid'}",
            f"AuthorizedKeysFile {authorized_keys}", "StrictModes no", "PasswordAuthentication no",
            "KbdInteractiveAuthentication no", "UsePAM no", "PermitRootLogin prohibit-password", f"AllowUsers {user}",
            f"PermitUserEnvironment {permit_environment}", "LogLevel ERROR", ""]))
        proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for_port(port, proc)
        except RuntimeError:
            stop(proc)
            continue
        try:
            yield port, user
        finally:
            stop(proc)
        return
    pytest.skip("sshd could not listen on 127.0.0.1")


def gitolite(home: Path, admin_key: Path, users: dict[str, Path], repo: str) -> Path:
    """A gitolite3 home (its own HOME) with ``users`` (name -> public key) allowed RW+ on ``repo``; returns repositories/."""
    if shutil.which("gitolite") is None:
        pytest.skip("gitolite3 is not installed (Debian: gitolite3)")
    env = {**os.environ, "HOME": str(home)}
    home.mkdir(parents=True, exist_ok=True)
    subprocess.run(["gitolite", "setup", "-pk", str(admin_key)], env=env, check=True, capture_output=True)
    keydir = home / ".gitolite" / "keydir"
    for name, pub in users.items():
        shutil.copy(pub, keydir / f"{name}.pub")
    conf = home / ".gitolite" / "conf" / "gitolite.conf"
    conf.write_text(conf.read_text() + f"\nrepo {repo}\n    RW+ = {' '.join(sorted(users))}\n")
    subprocess.run(["gitolite", "setup"], env=env, check=True, capture_output=True)  # compile, make repos, write keys
    keys = home / ".ssh" / "authorized_keys"
    # sshd logs every key in as the current user: point gitolite-shell at this gitolite's HOME
    keys.write_text(keys.read_text().replace('command="', f'environment="HOME={home}",command="'))
    return home / "repositories"
