"""Safe file writes: atomic, private, and never half-written.

``atomic_write`` writes a temporary file in the target's folder, flushes and
fsyncs it, sets its mode, renames it over the target and fsyncs the folder: a
crash at any point leaves the old file or the new one, never a torn one.
New files are private (0600) and new folders 0700: case files hold personal data.

It writes only regular files: a target that is a symbolic link, a folder, a
device, a FIFO or a socket is refused (:func:`check_target`), because renaming
over it would replace the link or the device node, and a caseload or an
output path may be someone else's choice (a cloned repository). ``-`` and
``/dev/stdout`` are not files: the CLI writes them as a stream
(:data:`STREAMS`).
"""

from __future__ import annotations

import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Optional

from .i18n.messages import Message

FILE_MODE = 0o600
DIR_MODE = 0o700


# Test-only fault hook: called as ``before_replace(tmp, path)`` after the
# temporary file is written and fsynced, just before it is renamed over the
# target. Tests set it in a subprocess to kill the process at that instant and
# prove the original survives byte-identical (docs/recording.md). Production
# code never sets it.
before_replace: Callable[[Path, Path], None] | None = None


class WriteError(Exception):
    """A file could not be written (disk full, read-only folder, permissions, not a regular file);
    ``args[0]`` is a Message."""


def _reason(e: OSError) -> str:
    return e.strerror or str(e)


def _exists(path: Path) -> Message:
    return Message("{path} already exists; not overwritten", path=path)


#: Output names that mean "standard output": written as a stream, never replaced.
STREAMS = ("-", "/dev/stdout")

_KINDS = ((stat.S_ISLNK, Message("a symbolic link")), (stat.S_ISDIR, Message("a folder")),
          (stat.S_ISCHR, Message("a device")), (stat.S_ISBLK, Message("a device")),
          (stat.S_ISFIFO, Message("a FIFO (named pipe)")), (stat.S_ISSOCK, Message("a socket")))
_OTHER_KIND = Message("not a regular file")


def check_target(path: Path) -> None:
    """Raise WriteError unless ``path`` is absent or a regular file (a link to one is refused too).

    The link itself is looked at (``lstat``): a write never goes through a
    link and never replaces one, a device node, a FIFO or a folder.
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as e:
        raise WriteError(Message("cannot write {path}: {reason}", path=path, reason=_reason(e))) from None
    if stat.S_ISREG(mode):
        return
    raise WriteError(Message("{path} is {kind}; careerpath writes only regular files and leaves it as it is",
                             path=path, kind=next((name for test, name in _KINDS if test(mode)), _OTHER_KIND)))


def make_dirs(path: Path) -> list[Path]:
    """Create ``path`` and any missing parents, each new one 0700 (existing folders keep their mode).

    Returns the folders made, outermost first, so a failed operation can remove them again.
    """
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.exists() or folder.is_symlink():
            break
        missing.append(folder)
    made: list[Path] = []
    folder = path
    try:
        for folder in reversed(missing):  # Path.mkdir(parents=True) gives parents the default mode
            folder.mkdir(mode=DIR_MODE, exist_ok=True)
            made.append(folder)
    except OSError as e:
        raise WriteError(Message("cannot create the folder {path}: {reason}", path=folder, reason=_reason(e))) from None
    return made


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes | str, *, mode: int | None = None, exclusive: bool = False,
                 durable: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically; with ``exclusive`` refuse an existing file.

    Keeps an existing file's mode; new files get 0600. Raises WriteError, also
    when ``path`` is not a regular file (:func:`check_target`, checked before
    writing and again just before the rename).
    ``durable=False`` skips the fsyncs (and the fault hook): for caches, whose
    readers verify a checksum and treat a lost or torn file as a miss.
    """
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if exclusive and (path.exists() or path.is_symlink()):
        raise WriteError(_exists(path))
    check_target(path)
    make_dirs(path.parent)
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o777
        except OSError:
            mode = FILE_MODE
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if durable and before_replace is not None:
            before_replace(Path(tmp), path)
        if not exclusive:
            check_target(path)  # again: it may have been swapped while the data was written
        if exclusive:
            os.link(tmp, path)  # fails if the target appeared meanwhile
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
        tmp = None
        if durable:
            _fsync_dir(path.parent)
    except FileExistsError:
        raise WriteError(_exists(path)) from None
    except OSError as e:
        raise WriteError(Message("cannot write {path}: {reason}", path=path, reason=_reason(e))) from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


PRIVATE_DIR = ".careerpath"


def private_dir(root: Path) -> Path:
    """``root/.careerpath`` (0700), where the cache and the locks live.

    It holds a ``.gitignore`` of its own (``*``), as pytest's cache folder does,
    so git never shows or commits it whatever the caseload's .gitignore says.
    Raises WriteError when it cannot be made, or when ``.careerpath`` is a
    symbolic link or not a folder: a cloned repository may carry one leading
    anywhere, and the cache (personal data) and the locks are never written
    through it. The load cache then lives in the user's cache folder instead.
    """
    folder = Path(root) / PRIVATE_DIR
    try:
        mode = os.lstat(folder).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as e:
        raise WriteError(Message("cannot create the folder {path}: {reason}", path=folder,
                                 reason=_reason(e))) from None
    if mode is not None and stat.S_ISLNK(mode):
        raise WriteError(Message("`.careerpath` is a symbolic link; careerpath keeps its cache and locks only in a "
                                 "real folder and does not follow it"))
    if mode is not None and not stat.S_ISDIR(mode):
        raise WriteError(Message("`.careerpath` is not a folder; careerpath keeps its cache and locks there"))
    make_dirs(folder)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        try:
            atomic_write(ignore, "# made by careerpath: its cache and locks, never committed\n*\n", durable=False)
        except WriteError:
            pass  # the folder still works; git may show it
    return folder


#: The one lock of everything that commits in a caseload: recordings (log, refer,
#: set, close) and ``report --commit`` take it around their git work, so they
#: never meet on git's own ``index.lock``.
COMMIT_LOCK = "record.lock"


class LockBusy(Exception):
    """Another careerpath run holds the lock."""


@contextmanager
def caseload_lock(root: Path, wait: float, name: str = "lock",
                  on_wait: Optional[Callable[[], None]] = None) -> Iterator[None]:
    """Hold ``root/.careerpath/<name>`` (a private lock file) for the block.

    Waits up to ``wait`` seconds for another holder (calling ``on_wait`` once if
    it has to wait at all), then raises :class:`LockBusy`. Raises WriteError when
    the lock file cannot be made (a read-only caseload). The lock is released if
    the holder dies.
    """
    from filelock import FileLock, Timeout

    path = private_dir(root) / name
    lock = FileLock(str(path), mode=0o600)
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if on_wait is not None:
                on_wait()
            lock.acquire(timeout=wait)
    except Timeout:
        raise LockBusy(Message("another careerpath run holds {name} (waited {seconds} s)", name=PRIVATE_DIR + "/" + name,
                               seconds=format(wait, "g"))) from None
    except OSError as e:  # from either attempt: the lock file cannot be made or opened
        raise WriteError(Message("cannot take the lock {name}: {reason}", name=PRIVATE_DIR + "/" + name,
                                 reason=_reason(e))) from None
    try:
        yield
    finally:
        lock.release()
