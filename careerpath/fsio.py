"""Safe file writes: atomic, private, and never half-written.

``atomic_write`` writes a temporary file in the target's folder, flushes and
fsyncs it, sets its mode, renames it over the target and fsyncs the folder: a
crash at any point leaves the old file or the new one, never a torn one.
New files are private (0600) and new folders 0700: case files hold personal data.

It reads caseload files through one reader, :func:`read_regular` (and
:func:`open_regular` for large ones read in blocks): regular files only, a link
only when it stays inside the caseload, at most a size limit, opened without
blocking. ``tests/test_safe_reads.py`` fails when code anywhere else in the
package reads a file another way without being on its list of reasons.

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


#: the size limit of a caseload file read whole (case files, careerpath.yaml, program files, templates)
MAX_READ = 1024 * 1024
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class ReadRefused(Exception):
    """A caseload file was not read: ``code`` is the diagnostic code (``symlink-outside``, ``file-unreadable``,
    ``file-too-large``), ``message`` and ``hint`` Messages; ``missing`` when there is no file at all."""

    def __init__(self, code: str, message: Message, hint: Optional[Message] = None, *, missing: bool = False):
        super().__init__(message)
        self.code, self.message, self.hint, self.missing = code, message, hint, missing


def inside(root: Path, path: Path) -> bool:
    """Whether ``path``, links resolved, lies within ``root`` (links leading outside are not followed)."""
    try:
        Path(path).resolve().relative_to(Path(root).resolve())
        return True
    except (ValueError, OSError):
        return False


def _refuse_kind(st: os.stat_result) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise ReadRefused("file-unreadable", Message("a folder stands where a file belongs"))
    if not stat.S_ISREG(st.st_mode):  # a FIFO would block, a device (/dev/zero) never ends
        raise ReadRefused("file-unreadable", Message("not a regular file (a pipe, socket or device); it is not read"))


def _too_large(size: int, limit: int) -> ReadRefused:
    return ReadRefused("file-too-large", Message("the file is {size} bytes; the limit is {limit}",
                                                 size=format(size, ","), limit=format(limit, ",")),
                       Message("case files are small; move attachments to documents/"))


def open_regular(path: Path, *, root: Optional[Path] = None, limit: Optional[int] = MAX_READ,
                 stat_out: Optional[list] = None) -> int:
    """A file descriptor of the regular file at ``path``, for reading (the caller closes it).

    Refused with :class:`ReadRefused`: a symbolic link whose target lies outside
    ``root`` (``symlink-outside``; with ``root`` None any link is followed), a
    folder, FIFO, device or socket (``file-unreadable``), a file larger than
    ``limit`` bytes (``file-too-large``; None: no limit, for scans read in
    blocks), any error of the system (``file-unreadable``). The kind is looked
    at before opening (a device is never opened) and again on the open
    descriptor, which is opened without blocking and, when the path is not a
    link, without following one: a file swapped for a FIFO or a link in between
    is refused too. ``stat_out`` receives the descriptor's ``os.stat_result``.
    """
    try:
        st = os.lstat(path)
        flags = _READ_FLAGS | _NOFOLLOW
        if stat.S_ISLNK(st.st_mode):
            if root is not None and not inside(root, path):
                raise ReadRefused("symlink-outside", Message("a symbolic link points outside the caseload; it is not followed"),
                                  Message("copy the file into the caseload instead of linking to it"))
            st = os.stat(path)
            flags = _READ_FLAGS
        _refuse_kind(st)
        if limit is not None and st.st_size > limit:
            raise _too_large(st.st_size, limit)
        fd = os.open(path, flags)
        try:
            st = os.fstat(fd)
            _refuse_kind(st)
            if limit is not None and st.st_size > limit:
                raise _too_large(st.st_size, limit)
            # (O_NONBLOCK stays: reads of a regular file never wait on it)
        except BaseException:
            os.close(fd)
            raise
    except OSError as e:
        raise ReadRefused("file-unreadable", Message("cannot read the file ({reason})", reason=e.strerror or type(e).__name__),
                          missing=isinstance(e, FileNotFoundError)) from None
    if stat_out is not None:
        stat_out.append(st)
    return fd


def read_regular(path: Path, *, root: Optional[Path] = None, limit: Optional[int] = MAX_READ,
                 stat_out: Optional[list] = None) -> bytes:
    """The bytes of a caseload file, through the checks of :func:`open_regular` (the one way the package
    reads a file a caseload holds): as many as the file had when opened, and never more than ``limit``."""
    seen: list = []
    fd = open_regular(path, root=root, limit=limit, stat_out=seen)
    if stat_out is not None:
        stat_out.extend(seen)
    # the size it had when opened (at most ``limit``: checked on the descriptor); a file that reports
    # 0 bytes (a pseudo-file) is read up to the limit, one byte more to see it is too large
    size = seen[0].st_size or ((limit + 1) if limit is not None else 1 << 30)
    chunks, got = [], 0
    try:  # os.read on the descriptor: no buffered file object (and its fstat) per case file
        while got < size:
            chunk = os.read(fd, min(size - got, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except OSError as e:
        raise ReadRefused("file-unreadable", Message("cannot read the file ({reason})",
                                                     reason=e.strerror or type(e).__name__)) from None
    finally:
        os.close(fd)
    data = b"".join(chunks) if len(chunks) != 1 else chunks[0]
    if limit is not None and len(data) > limit:
        raise _too_large(len(data), limit)
    return data


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
    """fsync ``folder``'s entries; nothing when it is not a folder (a FIFO planted where a report's folder goes
    fails with ENOTDIR here instead of blocking the open: O_DIRECTORY, O_NONBLOCK)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sync_folder(folder: Path) -> None:
    """Make the entries of ``folder`` durable (renames into it by :func:`atomic_write` with ``sync_folder=False``)."""
    _fsync_dir(Path(folder))


def atomic_write(path: Path, data: bytes | str | tuple[bytes, ...], *, mode: int | None = None,
                 exclusive: bool = False, durable: bool = True, sync_folder: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically; with ``exclusive`` refuse an existing file.
    ``data`` may be a tuple of bytes, written one after the other (a large cache file is not copied to be joined).

    Keeps an existing file's mode; new files get 0600. Raises WriteError, also
    when ``path`` is not a regular file (:func:`check_target`, checked before
    writing and again just before the rename).
    ``durable=False`` skips the fsyncs (and the fault hook): for caches, whose
    readers verify a checksum and treat a lost or torn file as a miss.
    ``sync_folder=False`` (with ``durable``) leaves the folder's fsync to the caller: a batch writing
    thousands of files into one folder calls :func:`sync_folder` once after the last one.
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
        fd, tmp = _temporary(path)
        with os.fdopen(fd, "wb") as fh:
            for part in data if isinstance(data, tuple) else (data,):
                fh.write(part)
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
        if durable and sync_folder:
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


def _temporary(path: Path) -> tuple[int, str]:
    """A new file beside ``path`` (``.<name>.<random>.tmp``, 0600, never an existing name), open for writing: what
    ``tempfile.mkstemp`` makes, without importing tempfile (with shutil and random, ~8 ms of a command that writes
    one cache file)."""
    extra = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        name = os.path.join(path.parent, f".{path.name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(name, os.O_RDWR | os.O_CREAT | os.O_EXCL | extra, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path.name}")


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
