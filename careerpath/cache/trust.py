"""Which cache files may be read at all: the user's cache key, file ownership, and git.

Cache files are pickles, and unpickling can run any code the file asks for.
A caseload arrives by ``git clone``, and everything in it is someone else's
input, ``.careerpath/`` included if they force-added it. So a cache file is
unpickled only when all of these hold:

- it is a regular file (not a symbolic link), owned by the user running
  careerpath and private to them (no group or other bits);
- its HMAC-SHA256 (see :mod:`careerpath.cache.store`), under a key that lives
  outside every caseload (:func:`key_path`, one per user, 0600, made on first
  use), matches. Nobody without that key can make a file that passes, and
  the check is done before a byte of the payload is unpickled;
- the cache folder inside a caseload is a real folder of the user's, and
  nothing under ``.careerpath/`` is tracked by git (:func:`tracked`): a
  tracked cache came from someone else's commit, so careerpath neither reads
  nor writes that folder and keeps its cache in the user cache folder instead.

This module is the bottom layer: it reads the key and answers questions about
files and git; :mod:`~careerpath.cache.store` applies the answers.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Optional

from ..fsio import ReadRefused, read_regular

KEY_BYTES = 32
PRIVATE = ".careerpath"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_POSIX = hasattr(os, "geteuid")
# what a cache key file was validated as: path -> (its stat identity, the key)
_KEYS: dict[str, tuple[tuple, bytes]] = {}


class KeyRefused(Exception):
    """The cache key file exists but cannot be trusted (the reason is the message; no value in it)."""


# ---------------------------------------------------------------- the user's key

def key_path() -> Path:
    """``$XDG_DATA_HOME/careerpath/cache.key`` (``~/.local/share/careerpath/cache.key``).

    In the data folder, not the cache folder: the key is not a cache to clear
    with the others (a new key only turns every cache file into a miss). A
    relative ``XDG_DATA_HOME`` is ignored, as the XDG specification says.
    """
    base = os.environ.get("XDG_DATA_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "share"
    return root / "careerpath" / "cache.key"


def owner_problem(st: os.stat_result, *, folder: bool = False) -> Optional[str]:
    """Why a file (or folder) with this ``lstat`` cannot be trusted, or None.

    A file must be a regular file, owned by the effective user, with no group or
    other permission bits; a folder must be a real folder of the user's that no
    one else can write to.
    """
    if folder:
        if not stat.S_ISDIR(st.st_mode):
            return "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a folder"
    elif not stat.S_ISREG(st.st_mode):
        return "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a regular file"
    if _POSIX:
        if st.st_uid != os.geteuid():
            return "owned by another user"
        if st.st_mode & (0o022 if folder else 0o077):
            return "writable by others" if folder else "readable or writable by others"
    return None


def _identity(st: os.stat_result) -> tuple:
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_uid, st.st_mode


def user_key(*, create: bool = True) -> Optional[bytes]:
    """The user's cache key (made on first use with ``create``), or None when it cannot be had.

    None means no cache file can be read or written: every run reads the
    caseload as ``--no-cache`` does. :func:`key_state` says why.
    """
    try:
        return _key(create)
    except (KeyRefused, OSError):
        return None


def key_state() -> tuple[Path, str, str]:
    """(key path, "ok" | "missing" | "refused", reason) for ``doctor``; never makes the key."""
    path = key_path()
    try:
        return path, ("ok" if _key(False) is not None else "missing"), ""
    except KeyRefused as e:
        return path, "refused", str(e)
    except OSError as e:
        return path, "refused", e.strerror or type(e).__name__


def _key(create: bool) -> Optional[bytes]:
    path = key_path()
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return _create(path) if create else None
    known = _KEYS.get(str(path))
    if known is not None and known[0] == _identity(st):  # a chmod or chown changes ctime: checked again
        return known[1]
    key, st = _read_key(path)
    _KEYS[str(path)] = (_identity(st), key)
    return key


def _read_key(path: Path) -> tuple[bytes, os.stat_result]:
    problem = owner_problem(os.lstat(path.parent), folder=True)
    if problem:
        raise KeyRefused(f"its folder {path.parent} is {problem}")
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
    except OSError as e:
        if os.path.islink(path):
            raise KeyRefused("it is a symbolic link") from None
        raise KeyRefused(e.strerror or type(e).__name__) from None
    try:
        st = os.fstat(fd)
        problem = owner_problem(st)
        if problem:
            raise KeyRefused(f"it is {problem} (it must be yours, mode 0600)")
        data = os.read(fd, KEY_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) != KEY_BYTES:
        raise KeyRefused(f"it does not hold a key of {KEY_BYTES} bytes")
    return data, st


def _create(path: Path) -> Optional[bytes]:
    """Make the key: random bytes in a private temporary file, linked into place (never over another key)."""
    folder = path.parent
    import secrets
    import tempfile

    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".cache.key.", dir=folder)  # 0600
    try:
        try:
            os.write(fd, secrets.token_bytes(KEY_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # atomic, and fails when another run made the key first: that one is the key
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: exclusive create (a reader may miss it once)
            try:
                with open(tmp, "rb") as src, os.fdopen(
                        os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600), "wb") as out:
                    out.write(src.read())
            except FileExistsError:
                pass
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass
    key, st = _read_key(path)
    _KEYS[str(path)] = (_identity(st), key)
    return key


# ---------------------------------------------------------------- git

def git_index(root: Path) -> Optional[Path]:
    """The index file git reads for the repository holding ``root`` (None: not in a git work tree).

    Found the way git finds it (``GIT_INDEX_FILE``, ``GIT_DIR``, or the nearest
    ``.git`` folder or ``gitdir:`` file upward), without running git: the
    result of :func:`tracked` is kept keyed on this file's stat data, so a
    warm run needs no git process.
    """
    cwd = Path.cwd()
    if os.environ.get("GIT_INDEX_FILE"):
        return cwd / os.environ["GIT_INDEX_FILE"]
    if os.environ.get("GIT_DIR"):
        return cwd / os.environ["GIT_DIR"] / "index"
    try:
        here = Path(root).resolve()
    except OSError:
        return None
    for folder in (here, *here.parents):
        dot = folder / ".git"
        try:
            st = os.lstat(dot)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode):
            return dot / "index"
        try:  # a worktree's `.git` file ("gitdir: …"); a FIFO or a device here must not block or flood
            line = read_regular(dot, limit=4096).decode("utf-8", errors="replace").strip()
        except ReadRefused:
            return None
        if line.startswith("gitdir:"):
            return folder / line[len("gitdir:"):].strip() / "index"
        return None
    return None


def tracked(root: Path) -> Optional[list[str]]:
    """The paths under ``root/.careerpath/`` that git tracks ([] none), or None when git could not tell.

    Runs ``git ls-files`` with the repository's command hooks off
    (``core.fsmonitor``): the repository may be someone else's.
    """
    import subprocess  # (here: most commands never ask git, and importing it costs ~8 ms)

    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0"}
    for name in ("GIT_INDEX_FILE", "GIT_DIR"):  # relative to where we run, not to the caseload
        if env.get(name):
            env[name] = os.path.abspath(env[name])
    try:
        proc = subprocess.run(["git", "-c", "core.fsmonitor=false", "ls-files", "-z", "--cached", "--", PRIVATE],
                              cwd=root, env=env, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    return sorted(p for p in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if p)


def stat_identity(path: Path) -> Optional[tuple]:
    """A file's stat data as a key (None when it cannot be statted): git replaces its index by renaming a new one."""
    try:
        return _identity(os.stat(path))
    except OSError:
        return None
