"""Outputs brought up to date by the watcher: after an edit settles, and when the day changes.

With ``careerpath watch`` running, a warm ``due`` is a replay of its stored
output (~0.1 s at 20,519 cases). An edit made that output stale, so the next
``due`` loaded the changed case, patched the table and stored it again in the
user's time (~0.5 s). Most edits are made in an editor seconds before the next
command is typed: the watcher now does that work in those seconds.

* **What is run.** When a command stores or replays an output (the full CLI, or the start-up
  path of :mod:`careerpath.replay`) while a watcher runs for the caseload, it also keeps the
  command: its arguments, working folder and the environment variables that
  decide an output (:data:`ENV`). The record is a signed cache file (:mod:`.store`) in the
  caseload's cache folder (``refresh/``, the :data:`KEPT` newest; one not run for a week is
  not run again), so only the user's own runs of ``careerpath`` put a command there: nothing
  from a caseload does.
* **When.** Once the journal has been quiet for :data:`SETTLE` seconds after a change to a
  case folder (longer than :data:`~careerpath.cache.scan.RACY_NS`: a file written later than
  that before a run keys nothing, and its output would not be stored), and when the local day
  changes (for the commands given no ``--today``). One command at a time, as a child process
  (``python -m careerpath``, stdout and stderr to ``/dev/null``; a command kept from a terminal
  writes to a pseudo-terminal of the same width, read and dropped, so that it stores the table
  that terminal shows), which asks the watcher what changed like any other run.
* **An upgrade.** Records are signed under the code key (:func:`~careerpath.cache.store.code_key`). Each round
  asks it again, so that a careerpath upgraded while the watcher runs finds the commands its own runs kept; the
  watcher's own code is the old one until it is restarted, its children the new one.
* **Why it is correct.** The child is an ordinary run: it stores an output under the key of
  every input it read, as any run does. A command typed later finds that output only if its
  own key, computed from the files as they are then, is the same; otherwise it recomputes as
  before. A refresh can make a later run faster, never different.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, Optional

from . import store

if TYPE_CHECKING:
    import subprocess

SETTLE = 2.5        # seconds of a quiet journal after a change before the outputs are made again
KEPT = 8            # commands kept per caseload (the newest, by when they last ran)
TOUCH = 3600.0      # seconds: a kept command's time is moved when it runs again, at most this often
UNUSED = 7 * 86400  # seconds: a kept command not run for this long is not run again (until it is)
LONGEST = 600.0     # seconds a refresh may run before it is stopped
FOLDER = "refresh"  # in the caseload's cache folder
MAX_COLUMNS = 4096  # the widest terminal a kept command is drawn for again

#: the environment a command's output depends on: its language and encoding, its day (TZ), where the cache and
#: its key are (XDG_DATA_HOME), the code it runs (PYTHONPATH), what it finds on PATH, the width and colours it
#: writes with
ENV = ("COLUMNS", "HOME", "LANG", "LANGUAGE", "NO_COLOR", "PATH", "PYTHONIOENCODING", "PYTHONPATH", "PYTHONUTF8",
       "TERM", "TZ", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME")
ENV_PREFIXES = ("LC_", "CAREERPATH_", "PYDANTIC_")


def _decides(name: str) -> bool:
    """Whether the environment variable ``name`` is one that decides an output (:data:`ENV`)."""
    return name in ENV or name.startswith(ENV_PREFIXES)


def environment() -> tuple:
    """This process's variables that decide an output, sorted: what a refresh runs the command with."""
    return tuple(sorted((k, v) for k, v in os.environ.items() if _decides(k)))


def folder_of(cache_folder: Path) -> Path:
    """Where the kept commands of the caseload cached in ``cache_folder`` are."""
    return Path(cache_folder) / FOLDER


def register(cache_folder: Path, key: bytes, root: Path, args: list, dated: bool, columns: int = 0) -> None:
    """Keep ``args`` (a command line that stores its output) for the caseload's watcher to run again, on a
    terminal ``columns`` wide when it ran on one (0: piped); written only when it is not already there as it is."""
    try:
        cwd = os.getcwd()
    except OSError:
        return
    record = (str(root), list(args), cwd, environment(), bool(dated), int(columns))
    name = hashlib.blake2b(repr(record).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
    path = folder_of(cache_folder) / f"{name}.pickle"
    try:
        if store.read(path, key) == record:
            if time.time() - path.stat().st_mtime > TOUCH:
                os.utime(path)  # the newest are kept
            return
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        store.write(path, key, record)
        store.prune(path.parent, KEPT)
    except OSError:
        pass  # no refresh: the command recomputes when it runs, as without one


class Kept(NamedTuple):
    """A kept command, as :func:`commands` reads it."""

    args: list          # the command line after ``careerpath``
    cwd: str            # the folder it ran in
    env: dict           # the variables that decide its output (:data:`ENV`)
    dated: bool         # given ``--today``: a new day leaves its output as it is
    columns: int        # the terminal it was drawn for, or 0 (piped)


def commands(cache_folder: Path, key: bytes, root: Path) -> list[Kept]:
    """The kept commands of the caseload at ``root``, newest first; a record that is not the user's own, or not of this code, or of a command not
    run for :data:`UNUSED` seconds, is left out."""
    got, root_real, times = [], os.path.realpath(root), {}
    try:
        found = list(folder_of(cache_folder).glob("*.pickle"))
    except OSError:
        return []
    for path in found:
        try:
            times[path] = path.stat().st_mtime
        except OSError:  # (pruned by a run meanwhile)
            continue
    for path in sorted(times, key=times.__getitem__, reverse=True):
        if time.time() - times[path] > UNUSED:
            break
        record = store.read(path, key)
        if not (isinstance(record, tuple) and len(record) == 6):
            continue
        where, args, cwd, env, dated, columns = record
        if (isinstance(where, str) and os.path.realpath(where) == root_real and isinstance(args, list)
                and all(isinstance(a, str) for a in args) and isinstance(cwd, str) and isinstance(env, tuple)
                and all(isinstance(kv, tuple) and len(kv) == 2 and all(isinstance(x, str) for x in kv) for kv in env)
                and isinstance(dated, bool) and type(columns) is int and 0 <= columns <= MAX_COLUMNS):
            got.append(Kept(args, cwd, dict(env), dated, columns))
    return got


class Refresher:
    """The watcher's side: after a quiet :data:`SETTLE` seconds or a new day, run the kept commands one by one.

    :meth:`tick` is called from the watcher's loop (at least every :meth:`wait` seconds) with the journal's
    sequence number; nothing here blocks.
    """

    def __init__(self, root: Path, cache_folder: Path, *, settle: float = SETTLE,
                 today: Callable[[], date] = date.today, clock: Callable[[], float] = time.monotonic,
                 code_key: Callable[[], bytes] = store.code_key):
        self.root, self.cache_folder = Path(root), Path(cache_folder)
        self.code_key = code_key     # asked at each round: what the kept commands are signed under
        self.key = code_key()        # the last key asked (kept when asking fails)
        self.settle, self.today, self.clock = settle, today, clock
        self.day = today()
        self.seen_seq = 0              # the journal's sequence number when last looked at
        self.changed_at: Optional[float] = None  # when it last moved (None: nothing to bring up to date)
        self.queue: list[Kept] = []    # commands of the round under way
        self.child: Optional["subprocess.Popen"] = None
        self.started = 0.0
        self.rounds = 0                # rounds finished (the watcher's answers say it)

    @property
    def busy(self) -> bool:
        return self.child is not None  # (a round's queue is never left without a command running)

    def wait(self) -> float:
        """How soon :meth:`tick` wants to be called again."""
        if self.busy:
            return 0.05
        if self.changed_at is not None:
            return max(0.05, min(0.5, self.changed_at + self.settle - self.clock()))
        return 0.5

    def tick(self, seq: int) -> None:
        now = self.clock()
        if seq != self.seen_seq:
            self.seen_seq, self.changed_at = seq, now
        if self.child is not None:
            if self.child.poll() is None:
                if now - self.started < LONGEST:
                    return
                self.child.kill()
                self.child.wait()
            self.child = None
            self._next()
            return
        day = self.today()
        if day != self.day:
            self.day = day
            self._round(undated_only=self.changed_at is None)
        elif self.changed_at is not None and now - self.changed_at >= self.settle:
            self._round(undated_only=False)

    def _round(self, undated_only: bool) -> None:
        self.changed_at = None  # a change from now on starts another round once it settles
        # careerpath upgraded (or its rules, programs or holidays package) while this watcher runs: its commands
        # keep themselves under the new code's key, and the children run the new code (~3 ms to ask)
        try:
            self.key = self.code_key()
        except Exception:  # (a package file unreadable mid-upgrade: this round reads under the key it had)
            pass
        self.queue = [c for c in commands(self.cache_folder, self.key, self.root) if not (undated_only and c.dated)]
        self._next()

    def _next(self) -> None:
        """Start the round's next command that can start; the round is finished when none is left."""
        import subprocess

        while self.queue:
            args, cwd, env, _dated, columns = self.queue.pop(0)
            if not os.path.isdir(cwd):
                continue
            # the watcher's own environment (what Python itself needs), but what decides an output as the command had it
            env = {**{k: v for k, v in os.environ.items() if not _decides(k)}, **env}
            terminal = _terminal(columns) if columns else None
            if columns and terminal is None:
                continue  # (no pseudo-terminal: what a pipe would store is not what that terminal shows)
            try:
                self.child = subprocess.Popen([sys.executable, "-m", "careerpath", *args], cwd=cwd, env=env,
                                              stdin=subprocess.DEVNULL,
                                              stdout=terminal if terminal is not None else subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL, close_fds=True)
            except OSError:
                continue
            finally:
                if terminal is not None:
                    os.close(terminal)  # (the child has it; the reader sees the end when the child closes it)
            self.started = self.clock()
            return
        self.rounds += 1

    def close(self) -> None:
        """Stop a refresh under way (its output is not stored: nothing is half written)."""
        import subprocess

        self.queue = []
        if self.child is not None:
            if self.child.poll() is None:
                self.child.terminate()
                try:
                    self.child.wait(10)
                except subprocess.TimeoutExpired:
                    self.child.kill()
                    self.child.wait()
            self.child = None


def _terminal(columns: int) -> Optional[int]:
    """The child end of a pseudo-terminal ``columns`` wide whose other end a thread reads and drops (a table
    drawn for a terminal waits for it to be read), or None when none can be had (the command is not run)."""
    import fcntl
    import struct
    import termios
    import threading

    try:
        reader, child = os.openpty()
    except OSError:
        return None
    try:
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    except OSError:
        os.close(reader)
        os.close(child)
        return None

    def drop() -> None:
        try:
            while os.read(reader, 1 << 16):
                pass
        except OSError:  # EIO: the child closed the terminal
            pass
        finally:
            os.close(reader)

    threading.Thread(target=drop, name="careerpath-refresh-terminal", daemon=True).start()
    return child


def status(refresher: Optional[Any]) -> dict:
    """What a watcher's answer says of its refreshes."""
    if refresher is None:
        return {"refresh": False, "refreshing": False, "rounds": 0}
    return {"refresh": True, "refreshing": refresher.busy, "rounds": refresher.rounds}
