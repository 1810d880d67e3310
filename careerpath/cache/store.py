"""Cache files: where they live, how each is written and read, the key that guards them all.

Every file is :data:`MAGIC`, a 16-byte key, a 16-byte check value (the
payload's length and CRC-32) and the payload (pickle, highest protocol),
written atomically and private (0600). :func:`read` gives None for a missing,
torn, corrupt or foreign file (written under another key: another version of
careerpath, another day or set of rules): a cache miss, never an error.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import struct
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

FORMAT = 4  # 4: diagnostics and obligation details hold i18n Messages (msgid and arguments), not plain text
MAGIC = b"careerpath-cache\n"
SHARDS = 1024  # an edit reads and writes one shard: ~20 cases at 20,519 (256 shards: 45 ms + 16 ms)

_PACKAGE = Path(__file__).resolve().parents[1]
# the modules whose code decides what a file loads to, which diagnostics it has, what is due and how
# a kept row or output looks ("cli": the commands render the stored views and outputs)
_CODE_MODULES = ("__init__.py", "models.py", "yamlfile.py", "loader.py", "ids.py", "checks.py", "diagnostics.py",
                 "obligations.py", "obligations", "period.py", "i18n", "parallel.py", "pipeline.py", "cache",
                 "cli", "programs")


@dataclass
class Stats:
    """What a cached run did (for tests and benchmarks); kept by the :class:`~careerpath.cache.Cache` passed in."""

    cases: int = 0
    rescanned: int = 0         # case folders listed again
    parsed: int = 0            # files read and parsed
    reused: int = 0            # files taken from the cache
    recomputed: int = 0        # cases whose checks/obligations were computed
    parallel: bool = False
    output_hit: bool = False   # a command's whole output came from the cache
    view_cases: int = -1       # cases whose rows a stored view rendered again (-1: no stored view used)
    discarded: list[str] = field(default_factory=list)  # cache files found unusable

    def add(self, other: "Stats") -> None:
        """Count in what a worker process did."""
        self.parsed += other.parsed
        self.reused += other.reused
        self.recomputed += other.recomputed
        self.discarded += other.discarded


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
    return h.digest()


def caseload_key(code_key: bytes, root: Path) -> bytes:
    """``code_key`` and the caseload's own program folders (their bytes: nothing is parsed)."""
    from ..programs.files import fingerprint

    return hashlib.blake2b(code_key + fingerprint(root), digest_size=16).digest()


def cache_dir(root: Path) -> Path:
    """``<root>/.careerpath/cache`` when writable, else a folder under the user cache dir.

    ``CAREERPATH_CACHE_DIR`` (set by the tests, usable on CI) puts every
    caseload's cache in a subfolder of that folder instead.
    """
    override = os.environ.get("CAREERPATH_CACHE_DIR")
    if override:
        return Path(override) / hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:20]
    from ..fsio import WriteError, private_dir

    try:
        local = private_dir(root) / "cache"
        local.mkdir(mode=0o700, exist_ok=True)
        if os.access(local, os.W_OK):
            return local
    except (OSError, WriteError):
        pass
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:20]
    return base / "careerpath" / digest


def shard_of(case_id: str) -> int:
    """Which of the :data:`SHARDS` files holds a case's record and results."""
    return zlib.crc32(case_id.encode("utf-8", "surrogateescape")) % SHARDS


def read(path: Path, key: bytes, stats: Optional[Stats] = None) -> Any:
    """The object stored at ``path`` under ``key``, or None (missing, torn, corrupt, foreign).

    A file found unusable is named in ``stats.discarded``.
    """
    head = len(MAGIC) + 16 + 16
    try:
        with open(path, "rb") as fh:
            top = fh.read(head)
            # another day's or version's file is known by its header: the rest is not read
            blob = fh.read() if len(top) == head and top.startswith(MAGIC) and top[len(MAGIC):-16] == key else b""
    except OSError:
        return None
    discarded = stats.discarded if stats is not None else []
    if not blob:
        discarded.append(path.name)
        return None
    payload = memoryview(blob)
    if _check(payload) != top[-16:]:
        discarded.append(path.name)
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # a cache file we cannot read is a cache miss, never an error
        discarded.append(path.name)
        return None


def _check(payload: Any) -> bytes:
    """A file's check value: its length and CRC-32 (16 bytes).

    It catches a torn or damaged file (a crash mid-write, a bad disk), which is
    all it is for: the cache is private to its user, and anyone who can write
    it can write the caseload. CRC-32 reads the 24 MB index in 6 ms; BLAKE2b
    took 27 ms.
    """
    return struct.pack("<QI4x", len(payload), zlib.crc32(payload))


def write(path: Path, key: bytes, obj: Any) -> None:
    """Store ``obj`` atomically (no fsync: a torn or lost file fails its checksum and is a miss)."""
    from ..fsio import WriteError, atomic_write

    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        atomic_write(path, b"".join((MAGIC, key, _check(payload), payload)), mode=0o600, durable=False)
    except WriteError:
        pass  # a cache that cannot be written only makes the next run slower


def forget(path: Path) -> None:
    """Delete a cache file if it is there."""
    try:
        path.unlink()
    except OSError:
        pass


def prune(folder: Path, keep: int) -> None:
    """Delete all but the ``keep`` newest ``*.pickle`` files of ``folder`` (and the ``.delta`` of each)."""
    try:
        files = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns)
        for old in files[:-keep]:
            old.unlink()
            forget(old.with_suffix(".delta"))
    except OSError:
        pass
