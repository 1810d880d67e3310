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
