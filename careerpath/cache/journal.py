"""The change journal, client side: ask a running ``careerpath watch`` what changed since the last scan.

A warm run otherwise stats every entry of every case folder
(:mod:`.scan`): about 270,000 system calls at 20,519 cases, most of a warm
``due``. A watcher (:mod:`.watcher`, Linux inotify) that has been running
since before the last scan already knows which case folders changed; the
index remembers where in the watcher's journal it was scanned (its *mark*:
the watcher's session and sequence number), and the next run asks for the
cases changed after that mark and stats only those.

Why it is correct (docs/performance.md, "the change journal"):

* **Nothing before the answer is missed.** The watcher answers only after it
  has created a *cookie* file in a watched folder and read its own event
  back: the kernel queues inotify events in the order the changes were made,
  so every change finished before the question was asked has been read and
  journaled by then (watchman's sync cookies work the same way).
* **A mark is taken before the scan it describes.** The run asks first, then
  stats what the answer names; a change after the answer is journaled after
  the mark, so the next run sees it; one during the scan is seen twice.
* **Anything the journal cannot vouch for is statted as before**: no
  watcher, a watcher of another session (restarted, or its queue
  overflowed: it starts a new session once it has drained the queue and
  watched every folder again), an answer that does not come within
  :data:`TIMEOUT`, cases whose entries were too fresh or linked
  (:data:`~careerpath.cache.scan.RACY_PREFIX`), files with a second hard
  link (a write through the other name reaches no watched folder), and
  folders the watcher could not watch (it names them in every answer).

The socket is in the cache folder (private to the user), and an answer is
taken only from a process of the same user (``SO_PEERCRED``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    import socket

TIMEOUT = 2.0           # seconds to wait for an answer before statting everything
SOCKET = "socket"       # in the cache folder's ``watch/``
MAX_ANSWER = 64 << 20   # bytes: names of every case of a very large caseload fit


@dataclass(frozen=True)
class News:
    """What a watcher answered: where its journal is now, and what changed after the mark asked about."""

    session: bytes
    seq: int                  # the journal's position when it answered: the mark of a scan made after it
    known: bool               # the mark asked about is of this session: ``names`` and ``listing`` can be trusted
    names: frozenset          # case folders (names under cases/) changed after the mark, or never watched
    listing: bool             # cases/ itself changed (a case added, removed or renamed)
    since: Optional[tuple] = None  # the mark asked about
    refreshing: bool = False  # the watcher is making the kept commands' outputs again (:mod:`.refresh`)
    rounds: int = 0           # how many times it has done so
    refresh: bool = False     # it does so at all (not ``watch --no-refresh``)

    @property
    def mark(self) -> tuple[bytes, int]:
        return (self.session, self.seq)


def watch_folder(cache_folder: Path) -> Path:
    """Where a watcher of the caseload cached in ``cache_folder`` keeps its socket, lock and cookies."""
    return Path(cache_folder) / "watch"


def address(folder: Path) -> tuple[str, Optional[int]]:
    """A socket address for ``folder/socket`` short enough for AF_UNIX (108 bytes): the path, or a path
    through an open descriptor of the folder (``/proc/self/fd/N/socket``, Linux) and that descriptor."""
    path = str(folder / SOCKET)
    if len(os.fsencode(path)) < 100:
        return path, None
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    return f"/proc/self/fd/{fd}/{SOCKET}", fd


def peer_uid(sock: "socket.socket") -> Optional[int]:
    """The user id of the process at the other end of a Unix socket (Linux), or None."""
    import socket
    import struct

    try:
        data = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        return struct.unpack("3i", data)[1]
    except (AttributeError, OSError):
        return None


def running(cache_folder: Path) -> bool:
    """Whether a watcher's socket is there (one stat; whether it answers is :func:`news`'s business)."""
    return os.path.exists(watch_folder(cache_folder) / SOCKET)


def news(cache_folder: Path, mark: Optional[tuple[bytes, int]], timeout: float = TIMEOUT) -> Optional[News]:
    """Ask the caseload's watcher what changed after ``mark`` (None: no mark yet). None when no watcher answers
    (then every entry is statted, as without one)."""
    folder = watch_folder(cache_folder)
    if not running(cache_folder):  # the usual case without a watcher: one stat (and socket and json not imported)
        return None
    import json
    import socket

    fd = None
    try:
        where, fd = address(folder)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(where)
            if peer_uid(sock) != os.getuid():
                return None
            since = None if mark is None else [mark[0].hex(), int(mark[1])]
            sock.sendall(json.dumps({"since": since}).encode("ascii") + b"\n")
            chunks, size = [], 0
            while True:
                chunk = sock.recv(1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_ANSWER:
                    return None
        return _parse(b"".join(chunks), mark)
    except (OSError, ValueError):
        return None
    finally:
        if fd is not None:
            os.close(fd)


def _parse(data: bytes, mark: Optional[tuple[bytes, int]]) -> Optional[News]:
    """The answer, checked field by field; None for anything malformed."""
    import json

    answer = json.loads(data.decode("utf-8"))
    if not isinstance(answer, dict):
        return None
    session, seq, known = answer.get("session"), answer.get("seq"), answer.get("known")
    names, listing = answer.get("names"), answer.get("listing")
    if not (isinstance(session, str) and isinstance(seq, int) and isinstance(known, bool)
            and isinstance(names, list) and all(isinstance(n, str) for n in names) and isinstance(listing, bool)):
        return None
    session_bytes = bytes.fromhex(session)
    # an answer about another session's mark (or no mark) vouches for nothing
    known = known and mark is not None and mark[0] == session_bytes and seq >= mark[1]
    refreshing, rounds = answer.get("refreshing"), answer.get("rounds")
    return News(session_bytes, seq, known, frozenset(names), listing, mark, refreshing is True,
                rounds if isinstance(rounds, int) else 0, answer.get("refresh") is True)
