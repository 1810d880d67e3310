"""Cache files: where they live, how each is written and read, the keys that guard them.

Every file is :data:`MAGIC`, a 16-byte key (what the contents depend on: code,
settings, day), a 32-byte tag and the payload (pickle, highest protocol),
written atomically and private (0600). The tag is an HMAC-SHA256 of the
file's name, key and payload under the user's cache key
(:func:`careerpath.cache.trust.user_key`, kept outside every caseload), and
:func:`read` checks it, and that the file is a regular file of the user's,
*before* unpickling anything: a cache file that someone else made (a
force-added ``.careerpath/`` in a cloned repository, another user's file)
never gets to run code; it is ignored and rebuilt. :func:`read` gives None for
a missing, torn, corrupt, foreign (another key: another version of
careerpath, another day or set of rules) or untrusted file: a cache miss,
never an error.

:func:`place` decides where a caseload's cache lives (inside it unless that
folder is a link, someone else's, or tracked by git).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from . import trust

FORMAT = 7  # 4: diagnostics and obligation details hold i18n Messages; 5: an HMAC under the user's key;
# 6: results hold each case's window of days, not one day; 7: case folders hold appointments
            # instead of a CRC-32 (files of earlier formats are never read)
MAGIC = b"careerpath-cache 5\n"
TAG = 32    # HMAC-SHA256
HEAD = len(MAGIC) + 16 + TAG
SUBFOLDERS = ("shards", "results", "views", "outputs")
_OPEN = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
SHARDS = 1024  # an edit reads and writes one shard: ~20 cases at 20,519 (256 shards: 45 ms + 16 ms)

_PACKAGE = Path(__file__).resolve().parents[1]
# the modules whose code decides what a file loads to, which diagnostics it has, what is due and how
# a kept row or output looks ("cli": the commands render the stored views and outputs)
_CODE_MODULES = ("__init__.py", "models.py", "yamlfile.py", "loader.py", "ids.py", "checks.py", "diagnostics.py",
                 "obligations.py", "obligations", "period.py", "i18n", "parallel.py", "pipeline.py", "daywindow.py",
                 "cache", "cli", "programs", "replay.py", "start.py", "where.py")  # (the last three: how a stored output is found)


@dataclass
class Stats:
    """What a cached run did (for tests and benchmarks); kept by the :class:`~careerpath.cache.Cache` passed in."""

    cases: int = 0
    rescanned: int = 0         # case folders listed again
    parsed: int = 0            # files read and parsed
    reused: int = 0            # files taken from the cache
    recomputed: int = 0        # cases whose checks/obligations were computed
    parallel: bool = False
    journal: bool = False      # the change journal vouched for the unchanged cases (only those it named were statted)
    output_hit: bool = False   # a command's whole output came from the cache
    view_cases: int = -1       # cases whose rows a stored view rendered again (-1: no stored view used)
    page_cases: int = -1       # cases whose lines a kept page of due's table made again (-1: no page patched)
    discarded: list[str] = field(default_factory=list)  # cache files found unusable (names)
    untrusted: list[str] = field(default_factory=list)  # cache files not read: someone else's or a link (paths)

    def add(self, other: "Stats") -> None:
        """Count in what a worker process did."""
        self.parsed += other.parsed
        self.reused += other.reused
        self.recomputed += other.recomputed
        self.discarded += other.discarded
        self.untrusted += other.untrusted


def package_key() -> Optional[bytes]:
    """A key of the installed ``holidays`` package, found without importing it; None when it is not found."""
    from importlib.util import find_spec

    try:
        spec = find_spec("holidays")
        origin = Path(spec.origin) if spec is not None and spec.origin else None
        if origin is None:
            return None
        st = origin.stat()
        version = (origin.parent / "version.py").read_bytes()
    except (ImportError, OSError, ValueError):
        return None
    h = hashlib.blake2b(b"holidays|%d|%d|" % (st.st_size, st.st_mtime_ns), digest_size=16)
    h.update(str(origin).encode("utf-8", "surrogateescape") + b"\0" + version)
    return h.digest()


def code_key() -> bytes:
    """What every cached result depends on besides the caseload itself."""
    from .. import __version__

    h = hashlib.blake2b(digest_size=16)
    h.update(f"{FORMAT}|{__version__}|{sys.version_info[:2]}|".encode())
    for name in _CODE_MODULES:
        path = _PACKAGE / name
        for source in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            h.update(source.relative_to(_PACKAGE).as_posix().encode())
            try:
                h.update(source.read_bytes())
            except OSError:
                h.update(b"-")
    from ..programs.files import fingerprint

    for path in sorted(_PACKAGE.glob("rules/*.yaml")):  # the case-wide rules
        h.update(path.relative_to(_PACKAGE).as_posix().encode())
        h.update(path.read_bytes())
    h.update(fingerprint())  # the built-in program folders (fields, rules, checks)
    # the installed holidays package: a new version's holiday lists move working-day deadlines
    h.update(package_key() or b"no holidays package")
    return h.digest()


def caseload_key(code_key: bytes, root: Path) -> bytes:
    """``code_key`` and the caseload's own program folders (their bytes: nothing is parsed)."""
    from ..programs.files import fingerprint

    return hashlib.blake2b(code_key + fingerprint(root), digest_size=16).digest()


@dataclass(frozen=True)
class Place:
    """Where a caseload's cache lives, and why not inside the caseload when it does not."""

    folder: Path
    local: bool = False             # ``<root>/.careerpath/cache``
    refused: str = ""               # why the caseload's own cache folder is not used ("" when it is, or is not writable)
    tracked: Optional[tuple[str, ...]] = None  # paths under ``.careerpath/`` that git tracks (None: not asked)


_TRACKED = hashlib.blake2b(b"tracked-by-git|%d" % FORMAT, digest_size=16).digest()


def cache_dir(root: Path) -> Path:
    """The cache folder of the caseload at ``root`` (:func:`place`)."""
    return place(root).folder


def place(root: Path) -> Place:
    """``<root>/.careerpath/cache`` when it can be trusted and written, else a folder under the user cache dir.

    The caseload's own folder is not used when ``.careerpath/``, the cache
    folder or one of its subfolders is a symbolic link or someone else's, or
    when git tracks anything under ``.careerpath/`` (a tracked cache came from a
    commit: someone else's files; they are left as they are, unread). Whether
    git tracks anything is asked once per state of git's index (kept in
    ``tracked.pickle``), so a warm run starts no git process.

    ``CAREERPATH_CACHE_DIR`` (set by the tests, usable on CI) puts every
    caseload's cache in a subfolder of that folder instead.
    """
    digest = hashlib.sha256(str(Path(root).resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:20]
    override = os.environ.get("CAREERPATH_CACHE_DIR")
    if override:
        return Place(Path(override) / digest)
    root = Path(root)
    local = root / trust.PRIVATE / "cache"
    refused = _folder_problem(root)
    tracked: Optional[tuple[str, ...]] = None
    memo = None
    if not refused:
        tracked = ()
        index = trust.git_index(root)
        state = (str(index), trust.stat_identity(index)) if index is not None else (None, None)
        # no git work tree, or no index yet (nothing was ever added): nothing is tracked
        if state[1] is not None and read(local / "tracked.pickle", _TRACKED) != state:
            found = trust.tracked(root)
            if found is None:
                refused, tracked = "git could not say whether files under .careerpath/ are tracked", None
            elif found:
                refused, tracked = "files under .careerpath/ are tracked by git", tuple(found)
            else:
                memo = state
    if not refused:
        from ..fsio import WriteError, private_dir

        try:
            private_dir(root)
            local.mkdir(mode=0o700, exist_ok=True)
            if not _folder_problem(root) and os.access(local, os.W_OK):
                if memo is not None:
                    write(local / "tracked.pickle", _TRACKED, memo)
                return Place(local, True, tracked=tracked)
        except (OSError, WriteError):
            pass  # a read-only caseload: the user cache folder, nothing to warn about
    base = os.environ.get("XDG_CACHE_HOME", "")
    user = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return Place(user / "careerpath" / digest, False, refused, tracked)


def tracked_files(root: Path, where: Optional[Place] = None) -> tuple[str, ...]:
    """The paths under ``<root>/.careerpath/`` that git tracks: as ``where`` found them, or asked of git now."""
    if where is not None and where.tracked is not None:
        return where.tracked
    if trust.git_index(Path(root)) is None:
        return ()
    return tuple(trust.tracked(Path(root)) or ())


def _folder_problem(root: Path) -> str:
    """Why ``<root>/.careerpath/``, its ``cache/`` or a subfolder of that cannot hold the cache ("" when they can).

    A real folder of the user's is made private (0700) if it is not: git makes
    the folders it checks out with the user's umask.
    """
    private = root / trust.PRIVATE
    for folder in (private, private / "cache", *(private / "cache" / sub for sub in SUBFOLDERS)):
        try:
            st = os.lstat(folder)
        except FileNotFoundError:
            if folder == private:
                return ""
            continue
        except OSError as e:
            return f"{folder.relative_to(root).as_posix()}: {e.strerror or type(e).__name__}"
        problem = trust.owner_problem(st, folder=True)
        if problem is None and st.st_mode & 0o077:
            try:
                os.chmod(folder, 0o700)
            except OSError:
                problem = "open to others"
        if problem:
            return f"{folder.relative_to(root).as_posix()} is {problem}"
    return ""


def shard_of(case_id: str) -> int:
    """Which of the :data:`SHARDS` files holds a case's record and results."""
    return zlib.crc32(case_id.encode("utf-8", "surrogateescape")) % SHARDS


def shards_of(case_ids: list[str]) -> list[int]:
    """:func:`shard_of` of each of ``case_ids`` (one expression, no call per case: a whole caseload's)."""
    crc32 = zlib.crc32
    return [crc32(cid.encode("utf-8", "surrogateescape")) % SHARDS for cid in case_ids]


def read(path: Path, key: bytes, stats: Optional[Stats] = None) -> Any:
    """The object stored at ``path`` under ``key``, or None (missing, torn, corrupt, foreign, untrusted).

    Nothing is unpickled unless :func:`read_payload` vouched for the bytes.
    """
    payload = read_payload(path, key, stats)
    if payload is None:
        return None
    from ..collector import paused

    try:
        with paused():  # an index or a view is millions of objects, none in a cycle: no collection while they load
            return pickle.loads(payload)
    except Exception:  # a file we wrote that this code cannot load (it would be a bug): a cache miss
        if stats is not None:
            stats.discarded.append(path.name)
        return None


def read_payload(path: Path, key: bytes, stats: Optional[Stats] = None) -> Optional[memoryview]:
    """The payload stored at ``path`` under ``key``, once it is known to be the user's own; else None.

    The file must be a regular file of the user's, private to them, and its tag
    the HMAC of its name, key and payload under the user's key. A file of
    someone else's (or a link) is named in ``stats.untrusted``; one whose tag
    does not match (damaged, or made without the key) in ``stats.discarded``.
    Only then may a caller decode the bytes (pickle, or any faster format a
    file kind adopts): nothing decodes a byte nobody vouched for.
    """
    secret = trust.user_key()
    if secret is None:
        return None  # no key, no cache: every file is a miss and none is written
    try:
        fd = os.open(path, _OPEN)  # not a link; a FIFO does not block
    except FileNotFoundError:
        return None
    except OSError:
        if stats is not None and os.path.islink(path):
            stats.untrusted.append(str(path))
        return None
    try:
        with os.fdopen(fd, "rb") as fh:
            if trust.owner_problem(os.fstat(fh.fileno())):
                if stats is not None:
                    stats.untrusted.append(str(path))
                return None
            top = fh.read(HEAD)
            # another day's or version's file is known by its header: the rest is not read
            blob = fh.read() if len(top) == HEAD and top.startswith(MAGIC) and top[len(MAGIC):-TAG] == key else b""
    except OSError:
        return None
    payload = memoryview(blob)
    if not blob or not hmac.compare_digest(_tag(secret, path, key, payload), top[-TAG:]):
        if stats is not None:
            stats.discarded.append(path.name)
        return None
    return payload


def _tag(secret: bytes, path: Path, key: bytes, payload: Any) -> bytes:
    """A file's tag: HMAC-SHA256 under the user's key of its name (folder/file), its key and its payload.

    The name is in it so that one genuine file cannot stand in for another
    (a shard for a view). With SHA-NI it reads the 24 MB index of 20,519 cases
    in ~20 ms (the CRC-32 that only caught damage took 6-14 ms); see
    docs/performance.md.
    """
    h = hmac.new(secret, f"{path.parent.name}/{path.name}\0".encode("utf-8", "surrogateescape") + key, "sha256")
    h.update(payload)
    return h.digest()


def write(path: Path, key: bytes, obj: Any) -> bool:
    """Store ``obj`` (pickled) atomically (no fsync: a torn or lost file fails its tag and is a miss);
    whether it was written."""
    return write_payload(path, key, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def write_payload(path: Path, key: bytes, payload: bytes) -> bool:
    """Store ``payload`` under ``key`` with its tag, atomically and private (0600); nothing without a key.
    Whether it was written."""
    from ..fsio import WriteError, atomic_write

    secret = trust.user_key()
    if secret is None:
        return False
    try:
        atomic_write(path, (MAGIC, key, _tag(secret, path, key, payload), payload), mode=0o600, durable=False)
    except WriteError:
        return False  # a cache that cannot be written only makes the next run slower
    return True


def forget(path: Path) -> None:
    """Delete a cache file if it is there."""
    try:
        path.unlink()
    except OSError:
        pass


def prune(folder: Path, keep: int, prefix: Optional[str] = None) -> None:
    """Delete all but the ``keep`` newest ``*.pickle`` files of ``folder`` (and the ``.delta`` of each); with
    ``prefix``, first every file whose name does not start with it (those of another results key), but for
    another run's file being written (``.``)."""
    try:
        if prefix is not None:
            for other in folder.glob("*"):
                if not other.name.startswith((prefix, ".")):
                    forget(other)
        files = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns)
        for old in files[:-keep]:
            old.unlink()
            forget(old.with_suffix(".delta"))
    except OSError:
        pass
