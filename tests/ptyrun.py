"""Run careerpath at a real pseudo-terminal of a given width (os.openpty + TIOCSWINSZ), for the table tests."""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def on_terminal(args: list[str], columns: int, *, env: dict | None = None, timeout: float = 120,
                python: tuple[str, ...] = ()) -> tuple[int, bytes, bytes]:
    """(exit code, every byte the terminal got, stderr from a pipe) of ``python [PYTHON] -m careerpath ARGS`` with
    stdout on a terminal ``columns`` wide (its size, not one the environment names)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    full = {k: v for k, v in (env or os.environ).items() if k not in ("COLUMNS", "LINES")}
    full.setdefault("TERM", "xterm")
    proc = subprocess.Popen([sys.executable, *python, "-m", "careerpath", *args], stdin=slave, stdout=slave,
                            stderr=subprocess.PIPE, env=full, close_fds=True)
    os.close(slave)
    chunks, errs, err_fd, open_fds = [], [], proc.stderr.fileno(), {master}
    open_fds.add(err_fd)
    while open_fds:  # (both read as they come: a child that fills its stderr pipe would wait for ever)
        ready, _, _ = select.select(list(open_fds), [], [], timeout)
        if not ready:
            proc.kill()
            raise TimeoutError(args)
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                data = b""
            if not data:
                open_fds.discard(fd)
            else:
                (chunks if fd == master else errs).append(data)
    os.close(master)
    proc.stderr.close()
    code = proc.wait(timeout)
    err = b"".join(errs)
    return code, b"".join(chunks), err


def run_at_width(args: list[str], columns: int, *, env: dict | None = None, timeout: float = 120) -> tuple[int, str]:
    """(exit code, what the terminal showed, colours removed) of ``careerpath ARGS`` at ``columns`` wide."""
    full = {k: v for k, v in (env or os.environ).items() if k != "NO_COLOR"}
    code, shown, _err = on_terminal(args, columns, env=full, timeout=timeout)
    text = shown.decode("utf-8", "replace").replace("\r\n", "\n")
    return code, ANSI.sub("", text)
