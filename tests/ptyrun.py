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


def run_at_width(args: list[str], columns: int, *, env: dict | None = None, timeout: float = 120) -> tuple[int, str]:
    """(exit code, what the terminal showed, colours removed) of ``careerpath ARGS`` at ``columns`` wide."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    full = {k: v for k, v in (env or os.environ).items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    full.setdefault("TERM", "xterm")
    proc = subprocess.Popen([sys.executable, "-m", "careerpath", *args], stdin=slave, stdout=slave, stderr=subprocess.PIPE,
                            env=full, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], timeout)
        if not ready:
            proc.kill()
            raise TimeoutError(args)
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    code = proc.wait(timeout)
    text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    return code, ANSI.sub("", text)
