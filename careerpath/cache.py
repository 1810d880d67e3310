"""The load cache: a warm run reads again only the files that changed.

Four layers, all under ``<caseload>/.careerpath/cache/`` (ignored by git; the
user cache folder when the caseload is read-only), every file written
atomically, private (0600), with a header and a check value:

``index.pickle``, ``index.delta``
    The scan: every case folder's entries (the folder, ``events/``,
    ``referrals/`` and the files in them) with their stat key (size,
    mtime_ns, inode, ctime_ns), and one fingerprint per case (a hash of its
    entries). A warm run stats the known entries (both cores on a large
    caseload) and lists again only the folders whose key changed. The delta
    holds the cases changed since the index was written, so an edit does not
    rewrite 24 MB.
``shards/NNNN.pickle``
    Per case: its loaded :class:`~careerpath.loader.CaseFolder` (models;
    positions only for files with diagnostics, the rest re-read on demand),
    its load diagnostics, and per file its stat key, document and
    diagnostics, so a changed case re-parses only its changed files.
``results/root.pickle``, ``results/NNNN.pickle``
    For one day, one ``careerpath.yaml`` and one set of rules: the root file
    holds per case its fingerprint, load and check diagnostics and file count
    (and what belongs to no case); the numbered files (grouped like the
    shards) the obligations, read only for the cases whose obligations are
    asked for.
``views/``
    A command's rows over the obligations (``careerpath due``'s text, json
    and csv), per format and set of options: a base and a delta of the cases
    rendered again since; see :func:`view`. With nothing changed and piped
    output, ``due`` reads only the index and its stored output (``outputs/``).

Invalidation: the *code key* (package version, the source of the modules that
turn files into results, the program rule files, Python's version) guards
every layer; a case's fingerprint guards its shard record and its results;
the results file is also keyed by ``careerpath.yaml``'s bytes and ``today``.
An entry whose mtime or ctime falls within :data:`RACY_NS` of the scan is
never trusted next time ("racy git"): a write in the same clock tick as the
scan cannot hide. Cached diagnostics are returned on every run, exactly as an
uncached run returns them. A missing, truncated, corrupt or foreign file is
ignored silently and rebuilt.

Checks and obligations are computed per case (a case plus careerpath.yaml).
A check that relates several cases must say so with ``check.scope =
"caseload"``; the results layer then steps aside and runs every check on the
whole caseload.
"""

from __future__ import annotations

import bisect
import hashlib
import marshal
import os
import pickle
import struct
import sys
import time
import zlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Optional

FORMAT = 2
MAGIC = b"careerpath-cache\n"
SHARDS = 1024  # an edit reads and writes one shard: ~20 cases at 20,519 (256 shards: 45 ms + 16 ms)
RACY_NS = 2_000_000_000        # entries changed this close to the scan are checked again next run
PARALLEL_MIN_CASES = 400       # below this, one process is faster than starting a pool (measured)
PARALLEL_MIN_ENTRIES = 40_000  # below this, stat the entries in one process
WORKERS = max(1, min(2, os.cpu_count() or 1))

_KEY = struct.Struct("<4q")
_POISON = _KEY.pack(-1, -1, -1, -1)
_PACKAGE = Path(__file__).resolve().parent
# the modules whose code decides what a file loads to, which diagnostics it has and what is due
_CODE_MODULES = ("__init__.py", "models.py", "yamlfile.py", "loader.py", "checks.py", "diagnostics.py",
                 "obligations.py", "obligations", "period.py", "cache.py",
                 "cli")  # the commands render the stored outputs


@dataclass
class Stats:
    """What the last cached run did (for tests and ``--debug``)."""

    cases: int = 0
    rescanned: int = 0         # case folders listed again
    parsed: int = 0            # files read and parsed
    reused: int = 0            # files taken from the cache
    recomputed: int = 0        # cases whose checks/obligations were computed
    parallel: bool = False
    output_hit: bool = False   # a command's whole output came from the cache
    view_cases: int = -1       # cases whose rows a stored view rendered again (-1: no stored view used)
    discarded: list[str] = field(default_factory=list)  # cache files found unusable


last_stats = Stats()


# ---------------------------------------------------------------- keys and files

def code_key() -> bytes:
    """What every cached result depends on besides the caseload itself."""
    from . import __version__

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
    from .programs.registry import fingerprint

    for path in sorted(_PACKAGE.glob("rules/*.yaml")):  # the case-wide rules
        h.update(path.relative_to(_PACKAGE).as_posix().encode())
        h.update(path.read_bytes())
    h.update(fingerprint())  # the built-in program folders (fields, rules, checks)
    return h.digest()


def caseload_key(root: Path) -> bytes:
    """The code key and the caseload's own program folders: what a case file loads to depends on both."""
    from .programs.registry import fingerprint

    return hashlib.blake2b(code_key() + fingerprint(root), digest_size=16).digest()


def cache_dir(root: Path) -> Path:
    """``<root>/.careerpath/cache`` when writable, else a folder under the user cache dir.

    ``CAREERPATH_CACHE_DIR`` (set by the tests, usable on CI) puts every
    caseload's cache in a subfolder of that folder instead.
    """
    override = os.environ.get("CAREERPATH_CACHE_DIR")
    if override:
        return Path(override) / hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:20]
    from .fsio import WriteError, private_dir

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


def _read(path: Path, key: bytes) -> Any:
    """The object stored at ``path`` under ``key``, or None (missing, torn, corrupt, foreign)."""
    head = len(MAGIC) + 16 + 16
    try:
        with open(path, "rb") as fh:
            top = fh.read(head)
            # another day's or version's file is known by its header: the rest is not read
            blob = fh.read() if len(top) == head and top.startswith(MAGIC) and top[len(MAGIC):-16] == key else b""
    except OSError:
        return None
    if not blob:
        last_stats.discarded.append(path.name)
        return None
    digest = top[-16:]
    payload = memoryview(blob)
    if _check(payload) != digest:
        last_stats.discarded.append(path.name)
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # a cache file we cannot read is a cache miss, never an error
        last_stats.discarded.append(path.name)
        return None


def _check(payload: Any) -> bytes:
    """A file's check value: its length and CRC-32 (16 bytes).

    It catches a torn or damaged file (a crash mid-write, a bad disk), which is
    all it is for: the cache is private to its user, and anyone who can write
    it can write the caseload. CRC-32 reads the 24 MB index in 6 ms; BLAKE2b
    took 27 ms.
    """
    return struct.pack("<QI4x", len(payload), zlib.crc32(payload))


def _write(path: Path, key: bytes, obj: Any) -> None:
    """Store ``obj`` atomically (no fsync: a torn or lost file fails its checksum and is a miss)."""
    from .fsio import WriteError, atomic_write

    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        atomic_write(path, b"".join((MAGIC, key, _check(payload), payload)), mode=0o600, durable=False)
    except WriteError:
        pass  # a cache that cannot be written only makes the next run slower


def shard_of(case_id: str) -> int:
    return zlib.crc32(case_id.encode("utf-8", "surrogateescape")) % SHARDS


# ---------------------------------------------------------------- the scan

@dataclass
class Index:
    """Every case folder's entries and stat keys, in case order."""

    cases_key: bytes                  # the key of cases/ itself
    case_ids: list[str]               # sorted
    offsets: list[int]                # entries of case i: paths[offsets[i]:offsets[i+1]]
    paths: list[str]
    keys: bytearray                   # _KEY.size bytes per entry
    fps: list[bytes]                  # one fingerprint per case
    base_id: bytes = b""              # which index.pickle this is (b"": not stored yet)
    patched: set = field(default_factory=set)  # cases changed since index.pickle: kept in index.delta

    def entries(self, i: int) -> tuple[list[str], bytes]:
        lo, hi = self.offsets[i], self.offsets[i + 1]
        return self.paths[lo:hi], bytes(self.keys[lo * _KEY.size:hi * _KEY.size])

    def position(self, case_id: str) -> Optional[int]:
        i = bisect.bisect_left(self.case_ids, case_id)
        return i if i < len(self.case_ids) and self.case_ids[i] == case_id else None

    def replace(self, i: int, paths: list[str], keys: bytes, fp: bytes) -> None:
        """Case ``i``'s entries are now ``paths`` with ``keys`` (a few list moves, not a rebuild)."""
        lo, hi = self.offsets[i], self.offsets[i + 1]
        self.paths[lo:hi] = paths
        self.keys[lo * _KEY.size:hi * _KEY.size] = keys
        shift = len(paths) - (hi - lo)
        if shift:
            self.offsets[i + 1:] = [o + shift for o in self.offsets[i + 1:]]
        self.fps[i] = fp
        self.patched.add(self.case_ids[i])

    def __getstate__(self) -> dict:  # one string for 270,000 paths pickles and loads ten times faster
        state = dict(self.__dict__)
        state["paths"] = "\0".join(self.paths)
        state["case_ids"] = "\0".join(self.case_ids)
        state["keys"] = bytes(self.keys)
        state["fps"] = b"".join(self.fps) if all(len(f) == 16 for f in self.fps) else self.fps
        state["patched"] = set()
        return state

    def __setstate__(self, state: dict) -> None:
        paths, ids, fps = state["paths"], state["case_ids"], state["fps"]
        state["paths"] = paths.split("\0") if paths else []
        state["case_ids"] = ids.split("\0") if ids else []
        state["keys"] = bytearray(state["keys"])
        if isinstance(fps, bytes):
            state["fps"] = [fps[i:i + 16] for i in range(0, len(fps), 16)]
        self.__dict__.update(state)


# cases kept in index.delta before index.pickle is written again: applying a case whose number of
# entries changed moves the lists behind it (~0.35 ms at 20,519 cases); writing the index costs ~90 ms
DELTA_MAX = 100


def _load_index(cdir: Path, key: bytes) -> Optional[Index]:
    """``index.pickle`` with ``index.delta`` (the cases changed since it was written) applied."""
    index = _read(cdir / "index.pickle", key)
    if not isinstance(index, Index):
        return None
    delta = _read(cdir / "index.delta", key)
    if isinstance(delta, tuple) and len(delta) == 2 and delta[0] == index.base_id and index.base_id:
        for case_id, (paths, keys, fp) in delta[1].items():
            i = index.position(case_id)
            if i is not None:
                index.replace(i, paths, keys, fp)
    return index


def _save_index(cdir: Path, key: bytes, index: Index, dirty: set) -> None:
    """Store the index after a scan: only its changed cases (``index.delta``) when it came from disk with
    the same cases, the whole of it otherwise (first run, a case added or removed, a long delta)."""
    if index.base_id and not dirty:
        return
    if not index.base_id or len(index.patched) > DELTA_MAX:
        index.base_id, index.patched = os.urandom(8), set()
        _write(cdir / "index.pickle", key, index)
        _forget(cdir / "index.delta")
        return
    changed = {}
    for case_id in sorted(index.patched):
        i = index.position(case_id)
        if i is not None:
            changed[case_id] = (*index.entries(i), index.fps[i])
    _write(cdir / "index.delta", key, (index.base_id, changed))


def _key(st: os.stat_result, racy_after: int) -> bytes:
    if st.st_mtime_ns >= racy_after or st.st_ctime_ns >= racy_after:
        return _POISON
    return _KEY.pack(st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def _scan_case(root: str, case_id: str, racy_after: int) -> tuple[list[str], list[bytes]]:
    """The entries of one case folder that can change what it loads to, with their keys."""
    rel = f"cases/{case_id}"
    paths, keys = [rel], []
    try:
        st = os.stat(f"{root}/{rel}")
        keys.append(_key(st, racy_after) if not os.path.islink(f"{root}/{rel}") else _POISON)
        with os.scandir(f"{root}/{rel}") as it:
            top = sorted(it, key=lambda e: e.name)
    except OSError:
        return paths, [_POISON]
    for entry in top:
        if entry.name == "documents":
            continue  # attachments: never read
        try:
            if entry.is_symlink():
                keys[0] = _POISON  # a link's target can change unseen: never cache this case
            paths.append(f"{rel}/{entry.name}")
            keys.append(_key(entry.stat(follow_symlinks=False), racy_after))
            if entry.name in ("events", "referrals") and entry.is_dir(follow_symlinks=False):
                with os.scandir(entry.path) as it:
                    for sub in sorted(it, key=lambda e: e.name):
                        if sub.is_symlink():
                            keys[0] = _POISON
                        paths.append(f"{rel}/{entry.name}/{sub.name}")
                        keys.append(_key(sub.stat(follow_symlinks=False), racy_after))
        except OSError:
            keys[0] = _POISON
            keys.extend([_POISON] * (len(paths) - len(keys)))
    return paths, keys


def _fingerprint(paths: list[str], keys: bytes) -> bytes:
    if _POISON in [keys[i:i + _KEY.size] for i in range(0, len(keys), _KEY.size)]:
        return b"racy-or-linked:" + os.urandom(8)  # matches nothing: computed again next run
    h = hashlib.blake2b(digest_size=16)
    h.update("\n".join(paths).encode("utf-8", "surrogateescape"))
    h.update(keys)
    return h.digest()


def _inside(root: str, path: str) -> bool:
    from .loader import inside

    return inside(Path(root), Path(path))


def _list_cases(root: str) -> list[str]:
    """The names under cases/ that the loader loads as case folders."""
    if os.path.islink(f"{root}/cases") and not _inside(root, f"{root}/cases"):
        return []  # the loader reports it and reads nothing under it
    try:
        with os.scandir(f"{root}/cases") as it:
            names = []
            for entry in it:
                if entry.name.startswith("."):
                    continue
                try:
                    if entry.is_symlink() and not _inside(root, entry.path):
                        continue  # the loader reports it and does not follow it
                    if entry.is_dir():
                        names.append(entry.name)
                except OSError:
                    continue
    except OSError:
        return []
    return sorted(names)


def _stat_range(root_fd: int, paths: list[str], keys: bytes, lo: int, hi: int) -> list[int]:
    """Indices in [lo, hi) whose current key differs from the stored one."""
    pack, stat, size = _KEY.pack, os.stat, _KEY.size
    current = []
    append = current.append
    for i in range(lo, hi):
        try:
            st = stat(paths[i], dir_fd=root_fd, follow_symlinks=False)
            append(pack(st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns))
        except OSError:
            append(b"gone" * 8)
    if b"".join(current) == keys[lo * size:hi * size]:
        return []
    return [lo + j for j, k in enumerate(current) if k != keys[(lo + j) * size:(lo + j + 1) * size]]


def _changed_entries(root: str, paths: list[str], keys: bytes) -> list[int]:
    """Entries whose stat key changed; half of them in a forked child when there are many."""
    root_fd = os.open(root, os.O_RDONLY)
    try:
        n = len(paths)
        if n < PARALLEL_MIN_ENTRIES or WORKERS < 2 or not hasattr(os, "fork"):
            return _stat_range(root_fd, paths, keys, 0, n)
        mid = n // 2
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: stat the second half, send back the changed indices
            code = 0
            try:
                os.close(rfd)
                data = marshal.dumps(_stat_range(root_fd, paths, keys, mid, n))
                with os.fdopen(wfd, "wb") as out:
                    out.write(data)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(wfd)
        last_stats.parallel = True
        first = _stat_range(root_fd, paths, keys, 0, mid)
        with os.fdopen(rfd, "rb") as inp:
            data = inp.read()
        _, status = os.waitpid(pid, 0)
        if status != 0 or not data:
            return first + _stat_range(root_fd, paths, keys, mid, n)
        return first + marshal.loads(data)
    finally:
        os.close(root_fd)


def scan(root: Path, old: Optional[Index]) -> tuple[Index, set[str]]:
    """The index of the caseload now, and the case ids whose entries changed (or are new).

    ``old`` is updated in place and returned when the same cases are there.
    """
    racy_after = time.time_ns() - RACY_NS
    rs = str(root)
    try:
        cases_st = os.stat(f"{rs}/cases")
        cases_key = _key(cases_st, racy_after) if not os.path.islink(f"{rs}/cases") else _POISON
    except OSError:
        cases_key = _POISON
    old_pos: dict[str, int] = {}
    dirty: set[str] = set()
    if old is not None:
        changed = _changed_entries(rs, old.paths, old.keys)
        same_list = cases_key == old.cases_key and cases_key != _POISON
        if not changed and same_list:  # the usual warm run: the old index is the index
            last_stats.rescanned = 0
            return old, dirty
        for j in changed:
            dirty.add(old.case_ids[bisect.bisect_right(old.offsets, j) - 1])
        if same_list:  # an edit: only the changed cases' entries are replaced
            for cid in sorted(dirty):
                p, kl = _scan_case(rs, cid, racy_after)
                k = b"".join(kl)
                old.replace(old.position(cid), p, k, _fingerprint(p, k))  # type: ignore[arg-type]
            last_stats.rescanned = len(dirty)
            return old, dirty
        old_pos = {cid: i for i, cid in enumerate(old.case_ids)}
        case_ids = _list_cases(rs)
    else:
        case_ids = _list_cases(rs)
    paths: list[str] = []
    keys: list[bytes] = []
    offsets = [0]
    fps = []
    for cid in case_ids:
        i = old_pos.get(cid)
        if i is not None and cid not in dirty:
            p, k = old.entries(i)  # type: ignore[union-attr]
            paths.extend(p)
            keys.append(k)
            fps.append(old.fps[i])  # type: ignore[union-attr]
        else:
            dirty.add(cid)
            p, kl = _scan_case(rs, cid, racy_after)
            k = b"".join(kl)
            paths.extend(p)
            keys.append(k)
            fps.append(_fingerprint(p, k))
        offsets.append(len(paths))
    last_stats.rescanned = len(dirty)
    return Index(cases_key, case_ids, offsets, paths, bytearray(b"".join(keys)), fps), dirty


# ---------------------------------------------------------------- per-case records

@dataclass
class CaseRecord:
    fp: bytes
    folder: Any                      # CaseFolder
    diags: list                      # the case's load diagnostics
    files: dict[str, tuple]          # rel -> (stat key, kind, document, diagnostics)


class _Files:
    """The loader's FileStore over one case's previous record."""

    def __init__(self, root: Path, old: Optional[CaseRecord], racy_after: int):
        self.root, self.old, self.racy_after = root, old.files if old else {}, racy_after
        self.new: dict[str, tuple] = {}

    def lookup(self, path: Path, file: str, kind: str) -> Optional[tuple[Any, list]]:
        rec = self.old.get(file)
        if rec is None:
            return None
        try:
            st = os.stat(path)
        except OSError:
            return None
        key = _key(st, self.racy_after)
        if key == _POISON or key != rec[0] or rec[1] != kind:
            return None
        _reroot(self.root, (rec[2],))
        self.new[file] = rec
        last_stats.reused += 1
        return rec[2], list(rec[3])

    def store(self, file: str, stat: Optional[os.stat_result], kind: str, doc: Any, diags: list) -> None:
        last_stats.parsed += 1
        if stat is not None:
            key = _key(stat, self.racy_after)
            if key != _POISON:
                self.new[file] = (key, kind, doc, tuple(diags))


def _reroot(root: Path, docs: Iterable) -> None:
    """Point cached documents' lazy positions at the caseload where it is now."""
    from .yamlfile import LazyPositions

    base = os.fspath(root)
    for doc in docs:
        pos = doc.positions
        if isinstance(pos, LazyPositions) and not pos.loaded:
            pos.__dict__["_source"] = (f"{base}/{doc.file}", doc.file)  # (a Path join cost 5 µs a file)


def _load_shard(cdir: Path, key: bytes, n: int) -> dict[str, CaseRecord]:
    data = _read(cdir / "shards" / f"{n:04d}.pickle", key)
    return data if isinstance(data, dict) else {}


def _load_one(root: Path, case_id: str, fp: bytes, old: Optional[CaseRecord], racy_after: int,
              programs: Any = None) -> CaseRecord:
    """Load one case folder, reusing its unchanged files."""
    from .loader import load_case

    if old is not None and old.fp == fp:
        _reroot(root, old.folder.documents())
        last_stats.reused += len(old.files)
        return old
    files = _Files(root, old, racy_after)
    diags: list = []
    folder = load_case(root, root / "cases" / case_id, diags, files, programs=programs)
    return CaseRecord(fp, folder, diags, files.new)


# ---------------------------------------------------------------- work on groups of cases (one shard each)

def _case_files(case_id: str, diags: Iterable) -> list:
    prefix = f"cases/{case_id}/"
    return [d for d in diags if d.file.startswith(prefix) or d.file == f"cases/{case_id}"]


def _work(task: tuple) -> tuple[dict, Stats]:
    """One shard's cases: load them (reusing the cache) and compute what ``mode`` asks.

    mode "load": returns {case_id: (CaseFolder, load diagnostics)};
    mode "results" / "obligations": returns {case_id: (fp, load diagnostics, check diagnostics,
    open obligations, other obligations, files, titles)} for ``today`` (obligations None in "results").
    Writes the shard back when anything in it changed, dropping cases gone from ``live``.
    """
    global last_stats
    from .programs import load_programs

    root, cdir, key, shard, cases, live, mode, today, config = task
    saved, last_stats = last_stats, Stats()
    programs = load_programs(root)
    try:
        records = _load_shard(cdir, key, shard)
        racy_after = time.time_ns() - RACY_NS
        out: dict = {}
        changed = False
        for case_id, fp in cases:
            old = records.get(case_id)
            rec = _load_one(root, case_id, fp, old, racy_after, programs)
            if rec is not old:
                changed = True
                records[case_id] = rec
            if mode == "load":
                out[case_id] = (rec.folder, rec.diags)
            else:
                out[case_id] = (fp, *_case_results(root, config, rec, today, programs, mode == "obligations"))
        stale = [k for k in records if k not in live]
        for k in stale:
            del records[k]
        if changed or stale:
            _write(cdir / "shards" / f"{shard:04d}.pickle", key, records)
        return out, last_stats
    finally:
        last_stats = saved


def _case_results(root: Path, config: tuple, rec: CaseRecord, today: date, programs: Any,
                  want_obligations: bool) -> tuple:
    """One case's (load diagnostics, check diagnostics, open obligations, the others, files, titles).

    Obligations are stored pickled, without their per-language titles (kept once
    per rule in ``titles``): "open" ones (not done, not history) apart from the
    rest, so the usual ``due`` unpickles only what it shows.
    """
    from .checks import run_checks
    from .loader import Caseload

    cfg, cfg_doc = config
    case_id = rec.folder.id
    cl = Caseload(root, cfg, cfg_doc, {case_id: rec.folder}, list(rec.diags), programs)
    checks = tuple(set(_case_files(case_id, run_checks(cl, today))) - set(rec.diags))
    open_blob = rest_blob = None  # None: not computed (validate does not need them)
    titles: dict = {}
    book = _book(programs) if want_obligations else None
    if want_obligations and book is None:
        open_blob = rest_blob = b""  # no obligations engine: none due
    if book is not None:
        from .obligations import case_obligations

        found = case_obligations(rec.folder, book, cfg.settings, today, cfg_doc)
        for o in found:
            titles.setdefault(o.rule, o.titles)
            object.__setattr__(o, "titles", _NO_TITLES)  # frozen dataclass: restored on load
        open_ = [o for o in found if o.status != "done" and not o.history]
        rest = [o for o in found if o.status == "done" or o.history]
        open_blob = pickle.dumps(open_, pickle.HIGHEST_PROTOCOL) if open_ else b""
        rest_blob = pickle.dumps(rest, pickle.HIGHEST_PROTOCOL) if rest else b""
    last_stats.recomputed += 1
    return tuple(rec.diags), checks, open_blob, rest_blob, sum(1 for _ in rec.folder.documents()), titles


_NO_TITLES: dict = {}


def _book(programs: Any) -> Any:
    """The obligation rule book of ``programs`` (every program's rules and the case-wide ones)."""
    from .obligations import load_rules

    return load_rules(programs)


def _run(tasks: list[tuple], parallel: bool) -> list[tuple[dict, Stats]]:
    if parallel and len(tasks) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        last_stats.parallel = True
        with ProcessPoolExecutor(WORKERS, mp_context=ctx) as pool:
            return list(pool.map(_work, tasks, chunksize=1))
    return [_work(t) for t in tasks]


def _merge_stats(parts: list[Stats]) -> None:
    for s in parts:
        last_stats.parsed += s.parsed
        last_stats.reused += s.reused
        last_stats.recomputed += s.recomputed
        last_stats.discarded += s.discarded


def _tasks(root: Path, cdir: Path, key: bytes, index: Index, wanted: Iterable[str], mode: str,
           today: Optional[date], config: Any) -> list[tuple]:
    fp = dict(zip(index.case_ids, index.fps))
    live: dict[int, set] = {}
    for cid in index.case_ids:
        live.setdefault(shard_of(cid), set()).add(cid)
    groups: dict[int, list] = {}
    for cid in wanted:
        groups.setdefault(shard_of(cid), []).append((cid, fp[cid]))
    return [(root, cdir, key, n, groups[n], live[n], mode, today, config) for n in sorted(groups)]


def _load_chunk(task: tuple) -> list[tuple[str, Any, list]]:
    from .loader import load_case

    from .programs import load_programs

    root, names = task
    programs = load_programs(root)
    out = []
    for name in names:
        diags: list = []
        out.append((name, load_case(root, root / "cases" / name, diags, programs=programs), diags))
    return out


def load_cases_parallel(root: Path, folders: list[Path]) -> dict[str, tuple[Any, list]]:
    """Case folders loaded by a pool of processes, {name: (CaseFolder, diagnostics)}; {} when too few to pay.

    The uncached loader's way to use every core on a large caseload; the order
    of the result does not matter (the caller walks its own sorted listing).
    """
    if len(folders) < PARALLEL_MIN_CASES or WORKERS < 2:
        return {}
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    names = [f.name for f in folders]
    size = max(20, len(names) // (WORKERS * 16))
    chunks = [(root, names[i:i + size]) for i in range(0, len(names), size)]
    ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    out: dict[str, tuple[Any, list]] = {}
    with ProcessPoolExecutor(WORKERS, mp_context=ctx) as pool:
        for part in pool.map(_load_chunk, chunks):
            for name, folder, diags in part:
                out[name] = (folder, diags)
    return out


# ---------------------------------------------------------------- public entry points

def load_cached(root: Path) -> Any:
    """``loader.load(root)`` through the cache: the same Caseload, unchanged files not parsed again."""
    global last_stats
    from .loader import load_root

    last_stats = Stats()
    root = Path(root)
    cdir = cache_dir(root)
    key = caseload_key(root)
    index, dirty = scan(root, _load_index(cdir, key))
    last_stats.cases = len(index.case_ids)
    parallel = len(dirty) >= PARALLEL_MIN_CASES and WORKERS > 1
    results = _run(_tasks(root, cdir, key, index, index.case_ids, "load", None, None), parallel)
    _merge_stats([s for _, s in results])
    loaded: dict[str, tuple] = {}
    for part, _ in results:
        loaded.update(part)

    def case_loader(root_: Path, folder: Path, diags: list, programs: Any = None) -> Any:
        got = loaded.get(folder.name)
        if got is None:  # appeared after the scan: load it plainly
            from .loader import load_case

            return load_case(root_, folder, diags, programs=programs)
        diags.extend(got[1])
        return got[0]

    cl = load_root(root, case_loader)
    _save_index(cdir, key, index, dirty)
    return cl


_prepared: dict = {}  # the scan of output_token(), handed on to results() in the same process


def _prepare(root: Path, today: date) -> tuple:
    """Keys and the scan: (cache dir, code key, careerpath.yaml bytes, results key, index, dirty)."""
    global last_stats
    last_stats = Stats()
    cdir = cache_dir(root)
    key = caseload_key(root)
    try:
        config_bytes = (root / "careerpath.yaml").read_bytes()
    except OSError:
        config_bytes = b"\0missing"
    rkey = hashlib.blake2b(key + hashlib.sha256(config_bytes).digest() + today.isoformat().encode(),
                           digest_size=16).digest()
    index, dirty = scan(root, _load_index(cdir, key))
    last_stats.cases = len(index.case_ids)
    return cdir, key, config_bytes, rkey, index, dirty


# ---------------------------------------------------------------- the output of a command, for unchanged input

OUTPUTS_KEPT = 8


def output_token(root: Path, today: date, request: str) -> Optional[bytes]:
    """A key for a command's output: every input (files, settings, rules, today, code) and ``request``
    (the command and its options). None when some input is too fresh to trust.

    The scan it does is handed on to the ``results()`` call that follows in the same process.
    """
    root = Path(root)
    state = _prepare(root, today)
    _prepared.clear()
    _prepared[(root, today)] = state
    cdir, key, config_bytes, rkey, index, dirty = state
    if index.cases_key == _POISON or any(fp.startswith(b"racy-or-linked:") for fp in index.fps):
        return None
    h = hashlib.blake2b(rkey + index.cases_key, digest_size=16)
    h.update("\0".join(index.case_ids).encode("utf-8", "surrogateescape"))
    h.update(b"".join(index.fps))
    h.update(request.encode("utf-8", "surrogateescape"))
    return h.digest()


def forget_scan() -> None:
    """Drop a scan output_token() kept for results(): the command is over, files may change.

    A scan no results() call used (the output was replayed) still updates the
    index when it found changes, so the next run does not scan those cases again.
    """
    for cdir, key, _config, _rkey, index, dirty in _prepared.values():
        _save_index(cdir, key, index, dirty)
    _prepared.clear()


def cached_output(root: Path, token: bytes) -> Optional[tuple[bytes, bytes, int]]:
    """(stdout, stderr, exit code) stored under ``token``, or None."""
    kept = _read(cache_dir(Path(root)) / "outputs" / f"{token.hex()}.pickle", code_key())
    if isinstance(kept, tuple) and len(kept) == 3:
        last_stats.output_hit = True
        return kept
    return None


def store_output(root: Path, token: bytes, out: bytes, err: bytes, code: int) -> None:
    """Keep this output (one file per token), and only the :data:`OUTPUTS_KEPT` newest."""
    folder = cache_dir(Path(root)) / "outputs"
    _write(folder / f"{token.hex()}.pickle", code_key(), (out, err, code))
    _prune(folder, OUTPUTS_KEPT)


@dataclass(frozen=True)
class ConfigSummary:
    """What output needs of careerpath.yaml (the full model is not kept: importing it costs a tenth of a second)."""

    agency: str
    default_language: str


@dataclass
class Results:
    """A caseload's diagnostics and obligations for one day, as the uncached pipeline gives them.

    ``diagnostics`` equals ``checks.validate(load(root), today)``;
    ``load_diagnostics`` equals ``load(root).diagnostics``;
    ``obligations(history=h)`` equals ``obligations.compute(load(root), today, include_closed_history=h)``.
    Through the cache, obligations are read from the results files only when asked
    for, and only those of the cases asked for.
    """

    diagnostics: list
    load_diagnostics: list
    cases: list[str]
    files: int
    config: ConfigSummary
    fingerprints: dict = field(default_factory=dict, repr=False)  # case id -> what its results were computed from
    _store: Any = field(default=None, repr=False)             # _ObligationStore (cached path)
    _all: Optional[list] = field(default=None, repr=False)    # the uncached path keeps the objects

    def obligations(self, *, history: bool = False, done: bool = True, cases: Optional[Iterable[str]] = None) -> list:
        """Sorted obligations; without ``history`` those of closed cases/ended series are left out,
        without ``done`` the done ones (what ``due`` shows by default); ``cases``: only theirs."""
        wanted = None if cases is None else set(cases)
        if self._all is not None:
            found = [o for o in self._all if (history or not o.history) and (done or o.status != "done")
                     and (wanted is None or o.case in wanted)]
        elif self._store is None:
            raise ValueError("these results were computed without obligations")
        else:
            ids = self.cases if wanted is None else [cid for cid in self.cases if cid in wanted]
            found = self._store.obligations(ids, history, done)
        if not found:
            return found
        from .obligations import sort_key

        found.sort(key=sort_key)
        return found

    @property
    def cached(self) -> bool:
        return self._store is not None


class _ObligationStore:
    """The pickled obligations of a results run, read shard by shard on demand.

    A case whose stored obligations are missing or do not match its fingerprint
    (a shard lost or damaged since) is computed again and stored.
    """

    def __init__(self, cdir: Path, rkey: bytes, fps: dict, titles: dict, fresh: dict, recompute: Any):
        self.cdir, self.rkey, self.fps, self.titles = cdir, rkey, fps, titles
        self.fresh = fresh            # case id -> (open blob, rest blob), computed in this run
        self.recompute = recompute    # ids -> {case id: (open blob, rest blob)}

    def blobs(self, ids: list[str]) -> list[tuple[bytes, bytes]]:
        found: dict = {cid: self.fresh[cid] for cid in ids if cid in self.fresh}
        by_shard: dict[int, list] = {}
        for cid in ids:
            if cid not in found:
                by_shard.setdefault(shard_of(cid), []).append(cid)
        for n, group in sorted(by_shard.items()):
            part = _read(self.cdir / "results" / f"{n:04d}.pickle", self.rkey)
            part = part if isinstance(part, dict) else {}
            for cid in group:
                row = part.get(cid)
                if isinstance(row, tuple) and len(row) == 3 and row[0] == self.fps[cid]:
                    found[cid] = row[1:]
        missing = [cid for cid in ids if cid not in found]
        if missing:
            again = self.recompute(missing)
            self.fresh.update(again)
            found.update(again)
        return [found[cid] for cid in ids]

    def obligations(self, ids: list[str], history: bool, done: bool) -> list:
        found: list = []
        loads = pickle.loads
        for open_blob, rest_blob in self.blobs(ids):
            if open_blob:
                found.extend(loads(open_blob))
            if rest_blob and (done or history):
                found.extend(o for o in loads(rest_blob) if (history or not o.history) and (done or o.status != "done"))
        titles, setattr_ = self.titles, object.__setattr__
        for o in found:
            setattr_(o, "titles", titles.get(o.rule, _NO_TITLES))  # shared per rule; nobody mutates it
        return found


def _store_obligations(cdir: Path, rkey: bytes, live: Iterable[str], rows: dict) -> None:
    """Write the obligations of ``rows`` ({case id: (fp, open blob, rest blob)}) into their shards.

    Each shard touched is read, cases no longer in the caseload are dropped from it, and it is written back.
    """
    live = set(live)
    by_shard: dict[int, dict] = {}
    for cid, row in rows.items():
        by_shard.setdefault(shard_of(cid), {})[cid] = row
    for n, group in by_shard.items():
        path = cdir / "results" / f"{n:04d}.pickle"
        part = _read(path, rkey)
        part = {cid: row for cid, row in part.items() if cid in live} if isinstance(part, dict) else {}
        part.update(group)
        _write(path, rkey, part)


def results(root: Path, today: date, *, use_cache: bool = True,
            obligations: bool = True) -> Results:
    """Every diagnostic and every obligation of the caseload for ``today`` (see :class:`Results`).

    On a warm cache only the cases whose files changed are loaded and computed
    again. ``results/root.pickle`` holds, per case, its fingerprint, diagnostics
    and file count; ``results/NNNN.pickle`` its pickled obligations, read when
    :meth:`Results.obligations` asks for them.
    """
    global last_stats
    root = Path(root)
    if not use_cache:
        last_stats = Stats()
        return _uncached(root, today, obligations)
    state = _prepared.pop((root, today), None) or _prepare(root, today)
    cdir, key, config_bytes, rkey, index, dirty = state
    res = _read(cdir / "results" / "root.pickle", rkey)
    if not (isinstance(res, dict) and isinstance(res.get("meta"), dict)):
        res = None
    meta: dict = res["meta"] if res else {}  # case id -> (fp, load diags, check diags, files, obligations stored)
    root_state = None
    if res and res.get("cases_key") == index.cases_key and index.cases_key != _POISON:
        root_state = res["root"]
    fresh_root = root_state is None
    need = [cid for cid, fp in zip(index.case_ids, index.fps)
            if meta.get(cid, (None,))[0] != fp or (obligations and not meta[cid][4])]
    config = None
    if need or root_state is None:
        from . import checks

        from .programs import load_programs

        if any(getattr(c, "scope", "case") != "case" for c in checks.CHECKS + tuple(c for p in load_programs(root) for c in p.code_checks)):
            return _uncached(root, today, obligations)  # a check across cases: no per-case results
        if root_state is None:
            config, root_load, root_checks = _root_state(root, today)
            root_state = (_summary(config[0]), tuple(root_load), tuple(root_checks))
    titles: dict = dict(res.get("titles", {})) if res else {}
    fps = dict(zip(index.case_ids, index.fps))

    def compute(ids: list[str], mode: str) -> dict:
        """{case id: (fp, load diags, check diags, open blob, rest blob, files)} for ``ids``, computed now."""
        nonlocal config
        if config is None:  # the workers need careerpath.yaml only
            from .loader import load_config

            config = load_config(root, [])
        parallel = len(ids) >= PARALLEL_MIN_CASES and WORKERS > 1
        parts = _run(_tasks(root, cdir, key, index, ids, mode, today, config), parallel)
        _merge_stats([s for _, s in parts])
        out: dict = {}
        for part, _ in parts:
            for cid, row in part.items():
                titles.update(row[-1])
                out[cid] = row[:-1]
        return out

    fresh: dict = {}
    if need:
        computed = compute(need, "obligations" if obligations else "results")
        for cid, (fp, ld, cd, open_blob, rest_blob, n) in computed.items():
            meta[cid] = (fp, ld, cd, n, open_blob is not None)
            if open_blob is not None:
                fresh[cid] = (open_blob, rest_blob)
        if fresh:
            _store_obligations(cdir, rkey, index.case_ids, {cid: (fps[cid], *fresh[cid]) for cid in fresh})
    live = {cid: meta[cid] for cid in index.case_ids}
    load_diags: set = set(root_state[1])
    check_diags: set = set(root_state[2])
    files = 1 if config_bytes != b"\0missing" else 0
    for fp, ld, cd, n, _stored in live.values():
        if ld:
            load_diags.update(ld)
        if cd:
            check_diags.update(cd)
        files += n
    if need or fresh_root or len(live) != len(meta):
        _write(cdir / "results" / "root.pickle", rkey,
               {"cases_key": index.cases_key, "root": root_state, "titles": titles, "meta": live})
    _save_index(cdir, key, index, dirty)

    def recompute(ids: list[str]) -> dict:
        again = compute(ids, "obligations")
        rows = {cid: again[cid][3:5] for cid in ids}
        _store_obligations(cdir, rkey, index.case_ids, {cid: (fps[cid], *rows[cid]) for cid in ids})
        return rows

    from .diagnostics import sort_key

    store = _ObligationStore(cdir, rkey, fps, titles, fresh, recompute) if obligations else None
    return Results(sorted(load_diags | check_diags, key=sort_key), sorted(load_diags, key=sort_key),
                   list(index.case_ids), files, root_state[0], fps, store)


# ---------------------------------------------------------------- a table over the obligations, kept

VIEWS_KEPT = 8


def _fold_at(cases: int) -> int:
    """How many re-rendered cases a view's delta holds before they are folded into its base."""
    return max(100, cases // 50)


def view(found: Results, request: str, render: Any, *, history: bool = False, done: bool = True) -> tuple[list, list]:
    """The rows of a command's table over ``found``'s obligations, kept, and rendered again only for changed cases.

    ``render(obligations)`` turns sorted obligations (all of them, or those of
    some cases) into rows ``(case id, sort key, cells, mark)``, in order. What it
    gives may depend only on the obligations, on ``request`` (the command's
    options and language) and on what the results key covers (today, settings,
    rules, code). Returns ``(cells, marks)`` for every row in sort-key order:
    exactly what rendering ``found.obligations(history=…, done=…)`` gives.

    Kept in two files under ``views/``: ``<key>.pickle``, the base (every row,
    and the fingerprint of every case it was rendered from), and ``<key>.delta``,
    the rows of the cases rendered again since (changed, added). After an edit
    only the edited case is rendered, only the small delta is written, and the
    base's rows are sorted together with it; the delta is folded into a new base
    when it holds more than :func:`_fold_at` cases. The :data:`VIEWS_KEPT` newest
    views of the current results key (day, settings, rules, code) are kept.
    """
    if not found.cached:
        rows = render(found.obligations(history=history, done=done))
        return [r[2] for r in rows], [r[3] for r in rows]
    store = found._store
    vkey = hashlib.blake2b(store.rkey + repr((history, done, request)).encode("utf-8", "surrogateescape"),
                           digest_size=16).digest()
    folder = store.cdir / "views"
    day = store.rkey.hex()[:12]  # views of another day, settings or rules are deleted when a base is written
    base_path, delta_path = folder / f"{day}-{vkey.hex()[:20]}.pickle", folder / f"{day}-{vkey.hex()[:20]}.delta"
    base = _read(base_path, vkey)
    if not (isinstance(base, tuple) and len(base) == 6):
        base = (b"", {}, [], [], [], [])
    base_id, base_fps, owners, keys, cells, marks = base
    delta = _read(delta_path, vkey) if base_id else None
    if not (isinstance(delta, tuple) and len(delta) == 2 and delta[0] == base_id):
        delta = (base_id, {})
    rendered: dict = delta[1]  # case id -> (fp, keys, cells, marks) of the cases rendered since the base
    fps = found.fingerprints
    stale = [cid for cid in found.cases
             if (rendered[cid][0] if cid in rendered else base_fps.get(cid)) != fps[cid]]
    last_stats.view_cases = len(stale)
    live = set(found.cases)
    gone = [cid for cid in rendered if cid not in live]
    for cid in gone:
        del rendered[cid]
    if stale:
        new: dict = {cid: (fps[cid], [], [], []) for cid in stale}
        for case_id, key, row, mark in render(found.obligations(history=history, done=done, cases=stale)):
            _fp, k, c, m = new[case_id]
            k.append(key)
            c.append(row)
            m.append(mark)
        rendered.update(new)
    if not rendered and len(base_fps) == len(live):  # the base as it is (no case gone, none rendered again)
        return cells, marks
    drop = rendered.keys() | (base_fps.keys() - live)
    if drop:
        kept = [i for i, cid in enumerate(owners) if cid not in drop]
        if len(kept) != len(owners):
            owners, keys, cells, marks = ([seq[i] for i in kept] for seq in (owners, keys, cells, marks))
    for cid, (_fp, k, c, m) in rendered.items():
        owners += [cid] * len(k)
        keys += k
        cells += c
        marks += m
    order = sorted(range(len(keys)), key=keys.__getitem__)  # sorted base + a few rows: one merge
    owners, keys, cells, marks = ([seq[i] for i in order] for seq in (owners, keys, cells, marks))
    if not base_id or len(rendered) > _fold_at(len(live)):
        _write(base_path, vkey, (os.urandom(8), dict(fps), owners, keys, cells, marks))
        _forget(delta_path)
        for other in folder.glob("*"):
            if not other.name.startswith((day, ".")):  # (".": another run's file being written)
                _forget(other)
        _prune(folder, VIEWS_KEPT)
    elif stale or gone:
        _write(delta_path, vkey, (base_id, rendered))
    return cells, marks


def _forget(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _prune(folder: Path, keep: int) -> None:
    """Delete all but the ``keep`` newest ``*.pickle`` files of ``folder`` (and the ``.delta`` of each)."""
    try:
        files = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns)
        for old in files[:-keep]:
            old.unlink()
            _forget(old.with_suffix(".delta"))
    except OSError:
        pass


def _root_state(root: Path, today: date) -> tuple[tuple, list, list]:
    """careerpath.yaml (model, document), and the load and check diagnostics that belong to no case folder."""
    from .checks import run_checks
    from .loader import CaseFolder, load_root

    cl = load_root(root, lambda r, folder, d, programs=None: CaseFolder(folder.name, f"cases/{folder.name}"))
    empty = type(cl)(root, cl.config, cl.config_doc, {}, [], cl.programs)
    return (cl.config, cl.config_doc), list(cl.diagnostics), list(set(run_checks(empty, today)) - set(cl.diagnostics))


def _uncached(root: Path, today: date, obligations: bool = True) -> Results:
    from .checks import validate
    from .diagnostics import sort_key
    from .loader import load

    cl = load(root, cache=False)
    diags = validate(cl, today)
    book = _book(cl.programs) if obligations else None
    found = None
    if book is not None:
        from .obligations import compute

        found = compute(cl, today, include_closed_history=True, rules=book)
    files = sum(1 for cf in cl.cases.values() for _ in cf.documents()) + (1 if cl.config_doc else 0)
    return Results(diags, sorted(cl.diagnostics, key=sort_key), sorted(cl.cases), files, _summary(cl.config),
                   _all=found or [])


def _summary(config: Any) -> ConfigSummary:
    return ConfigSummary(config.agency or "", config.default_language or "en")
