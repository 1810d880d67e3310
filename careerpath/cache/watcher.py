"""The change journal's keeper: ``careerpath watch`` (Linux inotify), answering "what changed since?".

One process per caseload watches ``cases/`` and every folder under each
case folder (but ``documents/``, which nothing reads) with inotify, and
journals which case folders changed, each with a sequence number. Commands
ask it over a Unix socket in the cache folder (:mod:`.journal` is the other
end and says why the answers can be trusted). The four system calls are
used directly (``ctypes``): a journal that vouches for the files must see
the kernel's queue overflow and the order of its events, which a library's
thread and callbacks would hide.

What it cannot see, it refuses or reports: a caseload on a network or
shared file system (changes made on another machine raise no event) is not
watched; a queue overflow starts a new session once the queue is drained
and every folder is watched again (clients then stat everything once); a
folder it cannot watch is named in every answer; ``cases/`` moved or
removed stops it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import json
import os
import select
import socket
import struct
import time
from pathlib import Path
from typing import Callable, Optional

from ..i18n import Message
from . import journal, refresh

IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE = 0x2, 0x4, 0x8
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200
IN_DELETE_SELF, IN_MOVE_SELF, IN_UNMOUNT, IN_Q_OVERFLOW, IN_IGNORED = 0x400, 0x800, 0x2000, 0x4000, 0x8000
IN_ONLYDIR, IN_DONT_FOLLOW, IN_ISDIR = 0x01000000, 0x02000000, 0x40000000
IN_NONBLOCK, IN_CLOEXEC = os.O_NONBLOCK, 0o2000000
MASK = (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
        | IN_DELETE_SELF | IN_MOVE_SELF | IN_DONT_FOLLOW | IN_ONLYDIR)
EVENT = struct.Struct("iIII")  # wd, mask, cookie, len (then the name, NUL-padded)
SKIPPED = "documents"          # a case's attachments: never read, not watched

# file systems whose changes can come from another machine (inotify sees only this kernel's)
SHARED_FILESYSTEMS = ("nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "virtiofs", "afs", "ceph", "glusterfs",
                      "lustre", "gpfs", "beegfs", "sshfs", "davfs", "vboxsf", "fuse")


class WatchError(Exception):
    """The caseload cannot be watched: the message says why and what to do."""


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if not hasattr(libc, "inotify_init1"):
        raise WatchError(Message("the change journal needs Linux inotify, which is not available here"))
    libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
    return libc


def filesystem(path: Path) -> str:
    """The type of the file system ``path`` is on (/proc/self/mounts), "" when unknown."""
    real = os.path.realpath(path)
    best, kind = "", ""
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as mounts:
            for line in mounts:
                parts = line.split()
                if len(parts) < 3:
                    continue
                point = parts[1].replace("\\040", " ")
                if (real == point or real.startswith(point.rstrip("/") + "/")) and len(point) >= len(best):
                    best, kind = point, parts[2]
    except OSError:
        return ""
    return kind


def shared(kind: str) -> bool:
    return kind in SHARED_FILESYSTEMS or kind.startswith("fuse.")


class Watcher:
    """The inotify watches of one caseload and the journal of its case folders."""

    def __init__(self, root: Path, cache_folder: Path):
        self.root = Path(root)
        self.cases = self.root / "cases"
        self.folder = journal.watch_folder(cache_folder)
        self.libc = _libc()
        self.fd = self.libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if self.fd < 0:
            raise WatchError(Message("inotify could not start: {reason}", reason=os.strerror(ctypes.get_errno())))
        self.paths: dict[int, str] = {}   # wd -> folder under cases/ ("" is cases/ itself)
        self.cookie_wd = -1
        self.session = os.urandom(8)
        self.seq = 0
        self.last: dict[str, int] = {}    # case folder name -> seq of its last change
        self.listing = 0                  # seq of the last change of cases/ itself
        self.unwatched: set[str] = set()  # case folders with a folder that could not be watched
        self.overflowed = False
        self.stopped = ""                 # why the journal can no longer vouch for anything
        self.cookies_seen: set[str] = set()
        self._cookie_n = 0

    # ------------------------------------------------------------ watches

    def start(self) -> None:
        """Watch the cookie folder and every folder of the caseload (before any question is answered)."""
        if os.path.islink(self.cases) or not self.cases.is_dir():
            raise WatchError(Message("cases/ is missing or a link: nothing to watch"))
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.cookie_wd = self._add(str(self.folder))
        if self.cookie_wd < 0:
            raise WatchError(Message("the cache folder cannot be watched: {reason}", reason=os.strerror(-self.cookie_wd)))
        self._watch_tree("")
        if "" not in self.paths.values():
            raise WatchError(Message("cases/ cannot be watched"))

    def _add(self, path: str) -> int:
        wd = self.libc.inotify_add_watch(self.fd, os.fsencode(path), MASK)
        if wd < 0:
            err = ctypes.get_errno()
            if err == errno.ENOSPC:
                raise WatchError(Message("the inotify watch limit is reached: raise fs.inotify.max_user_watches "
                                         "(sysctl), then start the watcher again"))
            return -err
        return wd

    def _watch_tree(self, rel: str) -> None:
        """Watch ``cases/<rel>`` and the folders under it (a case's ``documents/`` left out)."""
        stack = [rel]
        while stack:
            here = stack.pop()
            wd = self._add(str(self.cases / here) if here else str(self.cases))
            if wd < 0:
                if -wd not in (errno.ENOENT, errno.ENOTDIR) and here:
                    self.unwatched.add(here.split("/", 1)[0])  # (gone, or a link: the scan sees those itself)
                continue
            self.paths[wd] = here
            try:
                with os.scandir(self.cases / here if here else self.cases) as it:
                    for entry in it:
                        if not here and entry.name.startswith("."):
                            continue  # not a case folder (the scan lists none)
                        if "/" not in here and here and entry.name == SKIPPED:
                            continue
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(f"{here}/{entry.name}" if here else entry.name)
            except OSError:
                if here:
                    self.unwatched.add(here.split("/", 1)[0])

    # ------------------------------------------------------------ events

    def read(self, timeout: Optional[float]) -> bool:
        """Read and journal what the queue holds, waiting up to ``timeout`` (None: forever) for the first
        event; False when nothing came."""
        ready, _w, _x = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        while True:
            try:
                data = os.read(self.fd, 1 << 18)
            except BlockingIOError:
                return True
            except InterruptedError:
                continue
            pos = 0
            while pos + EVENT.size <= len(data):
                wd, mask, _cookie, size = EVENT.unpack_from(data, pos)
                raw = data[pos + EVENT.size:pos + EVENT.size + size].rstrip(b"\0")
                pos += EVENT.size + size
                self._event(wd, mask, os.fsdecode(raw))

    def _event(self, wd: int, mask: int, name: str) -> None:
        if mask & IN_Q_OVERFLOW:
            self.overflowed = True
            return
        if wd == self.cookie_wd:
            if mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT | IN_IGNORED):
                self.stopped = Message("the cache folder was moved or removed")
            elif mask & IN_CREATE and name.startswith("cookie-"):
                self.cookies_seen.add(name)
            return
        rel = self.paths.get(wd)
        if rel is None:
            return  # a watch already removed
        if mask & IN_IGNORED:
            del self.paths[wd]
            if rel == "":
                self.stopped = Message("cases/ was moved or removed")
            return
        if rel == "" and not name:  # cases/ itself
            if mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT):
                self.stopped = Message("cases/ was moved or removed")
            self.seq += 1
            self.listing = self.seq
            return
        if mask & IN_UNMOUNT:
            self.stopped = Message("a folder of the caseload was unmounted")
            return
        self.seq += 1
        if rel == "":
            self.listing = self.seq
            if name.startswith("."):
                return
            case = name
        else:
            case = rel.split("/", 1)[0]
        self.last[case] = self.seq
        if name and mask & IN_ISDIR and mask & (IN_CREATE | IN_MOVED_TO):
            child = f"{rel}/{name}" if rel else name
            if not ("/" not in rel and rel and name == SKIPPED):
                self._watch_tree(child)  # (a folder moved within the caseload: the same watches, new paths)

    def _recover(self) -> None:
        """After a queue overflow: drain the queue, watch every folder again, and start a new session (no mark
        of the old one is vouched for: events were lost)."""
        while self.overflowed:
            self.overflowed = False
            while self.read(0):
                pass
            self._watch_tree("")
        self.session = os.urandom(8)
        self.last.clear()
        self.listing = self.seq

    # ------------------------------------------------------------ questions

    def sync(self, timeout: float = journal.TIMEOUT) -> bool:
        """Make sure every change made before now is journaled (a cookie file, read back from the queue)."""
        deadline = time.monotonic() + timeout
        while True:
            self._cookie_n += 1
            name = f"cookie-{os.getpid()}-{self._cookie_n}"
            path = self.folder / name
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            try:
                while name not in self.cookies_seen and not self.overflowed and not self.stopped:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    self.read(left)
            finally:
                self.cookies_seen.discard(name)
                try:
                    os.unlink(path)
                except OSError:
                    pass
            if self.stopped:
                return False
            if not self.overflowed:
                return True
            self._recover()  # the cookie may be lost with the other events: a new session, a new cookie

    def answer(self, since: Optional[list]) -> dict:
        """The answer to a question about the mark ``since`` ([session hex, seq] or None), after :meth:`sync`."""
        known = (isinstance(since, list) and len(since) == 2 and since[0] == self.session.hex()
                 and isinstance(since[1], int) and since[1] <= self.seq)
        after = since[1] if known else self.seq  # type: ignore[index]
        names = sorted({n for n, s in self.last.items() if s > after} | self.unwatched) if known else []
        return {"session": self.session.hex(), "seq": self.seq, "known": known, "names": names,
                "listing": known and self.listing > after}

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def serve(root: Path, cache_folder: Path, *, ready: Callable[[int], None] = lambda n: None,
          should_stop: Callable[[], bool] = lambda: False, refresher: Optional[refresh.Refresher] = None) -> str:
    """Watch the caseload at ``root`` and answer questions until ``should_stop()`` or the journal can no longer
    vouch for anything; returns why it stopped ("" when asked to). Raises :class:`WatchError` when it cannot
    start (another watcher runs, a shared file system, no inotify, the watch limit). With ``refresher``, the
    kept commands' outputs are made again after a change settles and on a new day (:mod:`.refresh`)."""
    kind = filesystem(root)
    if shared(kind):
        raise WatchError(Message("the caseload is on a {kind} file system, where changes made on another machine "
                                 "raise no event: not watched (commands check every file, as without a watcher)",
                                 kind=kind))
    folder = journal.watch_folder(cache_folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    lock = os.open(folder / "lock", os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise WatchError(Message("another watcher is already running for this caseload")) from None
        watcher = Watcher(root, cache_folder)
        try:
            watcher.start()
            return _answer_questions(watcher, folder, ready, should_stop, refresher)
        finally:
            if refresher is not None:
                refresher.close()
            watcher.close()
    finally:
        os.close(lock)


def _answer_questions(watcher: Watcher, folder: Path, ready: Callable[[int], None],
                      should_stop: Callable[[], bool], refresher: Optional[refresh.Refresher]) -> str:
    sock_path = folder / journal.SOCKET
    try:
        os.unlink(sock_path)  # a watcher that was killed left it (we hold the lock: it is not another's)
    except FileNotFoundError:
        pass
    where, fd = journal.address(folder)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        old = os.umask(0o177)
        try:
            server.bind(where)
        finally:
            os.umask(old)
            if fd is not None:
                os.close(fd)
        server.listen(16)
        ready(len(watcher.paths))
        while not should_stop() and not watcher.stopped:
            wait = refresher.wait() if refresher is not None else 0.5
            readable, _w, _x = select.select([watcher.fd, server], [], [], wait)
            if watcher.fd in readable:
                watcher.read(0)
                if watcher.overflowed:
                    watcher._recover()
            if server in readable:
                _one_question(watcher, server, refresher)
            if refresher is not None:
                refresher.tick(watcher.seq)
        return watcher.stopped
    finally:
        server.close()
        try:
            os.unlink(sock_path)
        except OSError:
            pass


def _one_question(watcher: Watcher, server: socket.socket, refresher: Optional[refresh.Refresher] = None) -> None:
    conn, _addr = server.accept()
    with conn:
        conn.settimeout(journal.TIMEOUT)
        try:
            if journal.peer_uid(conn) != os.getuid():
                return
            data = b""
            while not data.endswith(b"\n") and len(data) < 4096:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
            question = json.loads(data.decode("utf-8"))
            if not isinstance(question, dict) or not watcher.sync():
                return  # no answer: the client checks every file
            answer = {**watcher.answer(question.get("since")), **refresh.status(refresher)}
            conn.sendall(json.dumps(answer).encode("utf-8"))
        except (OSError, ValueError):
            return
