"""The load cache: a warm run reads again only the files that changed.

Three layers, all under ``<caseload>/.careerpath/cache/`` (ignored by git; the
user cache folder when the caseload is read-only), every file written
atomically, private (0600), with a header and a checksum:

``index.pickle``
    The scan: every case folder's entries (the folder, ``events/``,
    ``referrals/`` and the files in them) with their stat key (size,
    mtime_ns, inode, ctime_ns), and one fingerprint per case (a hash of its
    entries). A warm run stats the known entries (both cores on a large
    caseload) and lists again only the folders whose key changed.
``shards/NN.pickle``
    Per case: its loaded :class:`~careerpath.loader.CaseFolder` (models;
    positions only for files with diagnostics, the rest re-read on demand),
    its load diagnostics, and per file its stat key, document and
    diagnostics, so a changed case re-parses only its changed files.
``results/root.pickle``, ``results/NNN.pickle``
    Per case (grouped like the shards), for one day, one ``careerpath.yaml``
    and one set of rules: the load and check diagnostics and the obligations;
    the root file holds what belongs to no case. ``careerpath due`` on an
    unchanged caseload reads only the index and these files (and with piped
    output, only the index and ``outputs.pickle``).

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

FORMAT = 1
MAGIC = b"careerpath-cache\n"
SHARDS = 256
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
    for path in sorted(_PACKAGE.glob("**/rules/*.yaml")):  # the program rule files
        h.update(path.relative_to(_PACKAGE).as_posix().encode())
        h.update(path.read_bytes())
    return h.digest()


def cache_dir(root: Path) -> Path:
    """``<root>/.careerpath/cache`` when writable, else a folder under the user cache dir.

    ``CAREERPATH_CACHE_DIR`` (set by the tests, usable on CI) puts every
    caseload's cache in a subfolder of that folder instead.
    """
    override = os.environ.get("CAREERPATH_CACHE_DIR")
    if override:
        return Path(override) / hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:20]
    local = root / ".careerpath" / "cache"
    try:
        local.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.access(local, os.W_OK):
            return local
    except OSError:
        pass
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:20]
    return base / "careerpath" / digest


def _read(path: Path, key: bytes) -> Any:
    """The object stored at ``path`` under ``key``, or None (missing, torn, corrupt, foreign)."""
    try:
        with open(path, "rb") as fh:
            blob = fh.read()
    except OSError:
        return None
    head = len(MAGIC) + 16 + 16
    if len(blob) < head or not blob.startswith(MAGIC):
        last_stats.discarded.append(path.name)
        return None
    stored_key = blob[len(MAGIC):len(MAGIC) + 16]
    digest = blob[len(MAGIC) + 16:head]
    payload = memoryview(blob)[head:]
    if stored_key != key or hashlib.blake2b(payload, digest_size=16).digest() != digest:
        last_stats.discarded.append(path.name)
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # a cache file we cannot read is a cache miss, never an error
        last_stats.discarded.append(path.name)
        return None


def _write(path: Path, key: bytes, obj: Any) -> None:
    """Store ``obj`` atomically (no fsync: a torn or lost file fails its checksum and is a miss)."""
    from .fsio import WriteError, atomic_write

    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    digest = hashlib.blake2b(payload, digest_size=16).digest()
    try:
        atomic_write(path, b"".join((MAGIC, key, digest, payload)), mode=0o600, durable=False)
    except WriteError:
        pass  # a cache that cannot be written only makes the next run slower


def shard_of(case_id: str) -> int:
    return zlib.crc32(case_id.encode("utf-8", "surrogateescape")) % SHARDS


# ---------------------------------------------------------------- the scan

@dataclass
class Index:
    """Every case folder's entries and stat keys, in case order."""

    cases_key: bytes                  # the key of cases/ itself
    case_ids: list[str]
    offsets: list[int]                # entries of case i: paths[offsets[i]:offsets[i+1]]
    paths: list[str]
    keys: bytes                       # _KEY.size bytes per entry
    fps: list[bytes]                  # one fingerprint per case

    def entries(self, i: int) -> tuple[list[str], bytes]:
        lo, hi = self.offsets[i], self.offsets[i + 1]
        return self.paths[lo:hi], self.keys[lo * _KEY.size:hi * _KEY.size]

    def __getstate__(self) -> dict:  # one string for 270,000 paths pickles and loads ten times faster
        state = dict(self.__dict__)
        state["paths"] = "\0".join(self.paths)
        state["case_ids"] = "\0".join(self.case_ids)
        state["fps"] = b"".join(self.fps) if all(len(f) == 16 for f in self.fps) else self.fps
        return state

    def __setstate__(self, state: dict) -> None:
        paths, ids, fps = state["paths"], state["case_ids"], state["fps"]
        state["paths"] = paths.split("\0") if paths else []
        state["case_ids"] = ids.split("\0") if ids else []
        if isinstance(fps, bytes):
            state["fps"] = [fps[i:i + 16] for i in range(0, len(fps), 16)]
        self.__dict__.update(state)


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
    """The index of the caseload now, and the case ids whose entries changed (or are new)."""
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
        old_pos = {cid: i for i, cid in enumerate(old.case_ids)}
        for j in changed:
            dirty.add(old.case_ids[bisect.bisect_right(old.offsets, j) - 1])
        case_ids = old.case_ids if same_list else _list_cases(rs)
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
    return Index(cases_key, case_ids, offsets, paths, b"".join(keys), fps), dirty


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
        _reroot(self.root, rec[2])
        self.new[file] = rec
        last_stats.reused += 1
        return rec[2], list(rec[3])

    def store(self, file: str, stat: Optional[os.stat_result], kind: str, doc: Any, diags: list) -> None:
        last_stats.parsed += 1
        if stat is not None:
            key = _key(stat, self.racy_after)
            if key != _POISON:
                self.new[file] = (key, kind, doc, tuple(diags))


def _reroot(root: Path, doc: Any) -> None:
    """Point a cached document's lazy positions at the caseload where it is now."""
    from .yamlfile import LazyPositions

    pos = doc.positions
    if isinstance(pos, LazyPositions) and not pos.loaded:
        pos.__dict__["_source"] = (str(root / doc.file), doc.file)


def _load_shard(cdir: Path, key: bytes, n: int) -> dict[str, CaseRecord]:
    data = _read(cdir / "shards" / f"{n:03d}.pickle", key)
    return data if isinstance(data, dict) else {}


def _load_one(root: Path, case_id: str, fp: bytes, old: Optional[CaseRecord], racy_after: int) -> CaseRecord:
    """Load one case folder, reusing its unchanged files."""
    from .loader import load_case

    if old is not None and old.fp == fp:
        for doc in old.folder.documents():
            _reroot(root, doc)
        last_stats.reused += len(old.files)
        return old
    files = _Files(root, old, racy_after)
    diags: list = []
    folder = load_case(root, root / "cases" / case_id, diags, files)
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
    root, cdir, key, shard, cases, live, mode, today, config, rules_dirs = task
    saved, last_stats = last_stats, Stats()
    try:
        records = _load_shard(cdir, key, shard)
        racy_after = time.time_ns() - RACY_NS
        out: dict = {}
        changed = False
        for case_id, fp in cases:
            old = records.get(case_id)
            rec = _load_one(root, case_id, fp, old, racy_after)
            if rec is not old:
                changed = True
                records[case_id] = rec
            if mode == "load":
                out[case_id] = (rec.folder, rec.diags)
            else:
                out[case_id] = (fp, *_case_results(root, config, rec, today, rules_dirs, mode == "obligations"))
        stale = [k for k in records if k not in live]
        for k in stale:
            del records[k]
        if changed or stale:
            _write(cdir / "shards" / f"{shard:03d}.pickle", key, records)
        return out, last_stats
    finally:
        last_stats = saved


def _case_results(root: Path, config: tuple, rec: CaseRecord, today: date, rules_dirs: tuple,
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
    cl = Caseload(root, cfg, cfg_doc, {case_id: rec.folder}, list(rec.diags))
    checks = tuple(set(_case_files(case_id, run_checks(cl, today))) - set(rec.diags))
    open_blob = rest_blob = None  # None: not computed (validate does not need them)
    titles: dict = {}
    book = _book(rules_dirs) if want_obligations else None
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


def _book(rules_dirs: tuple) -> Any:
    """The obligation rule book (None before the obligations engine exists), once per process."""
    if not ((_PACKAGE / "obligations.py").is_file() or (_PACKAGE / "obligations").is_dir()):
        return None  # (find_spec could answer from another install of careerpath)
    from .obligations import load_rules

    return load_rules(rules_dirs)


def _rules_key(rules_dirs: tuple) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for folder in rules_dirs:
        h.update(str(Path(folder).resolve()).encode())
        for path in sorted(Path(folder).glob("*.yaml")):
            h.update(path.name.encode())
            try:
                h.update(path.read_bytes())
            except OSError:
                h.update(b"-")
    return h.digest()


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
           today: Optional[date], config: Any, rules_dirs: tuple = ()) -> list[tuple]:
    fp = dict(zip(index.case_ids, index.fps))
    live: dict[int, set] = {}
    for cid in index.case_ids:
        live.setdefault(shard_of(cid), set()).add(cid)
    groups: dict[int, list] = {}
    for cid in wanted:
        groups.setdefault(shard_of(cid), []).append((cid, fp[cid]))
    return [(root, cdir, key, n, groups[n], live[n], mode, today, config, rules_dirs) for n in sorted(groups)]


def _load_chunk(task: tuple) -> list[tuple[str, Any, list]]:
    from .loader import load_case

    root, names = task
    out = []
    for name in names:
        diags: list = []
        out.append((name, load_case(root, root / "cases" / name, diags), diags))
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
    key = code_key()
    old = _read(cdir / "index.pickle", key)
    index, dirty = scan(root, old if isinstance(old, Index) else None)
    last_stats.cases = len(index.case_ids)
    parallel = len(dirty) >= PARALLEL_MIN_CASES and WORKERS > 1
    results = _run(_tasks(root, cdir, key, index, index.case_ids, "load", None, None), parallel)
    _merge_stats([s for _, s in results])
    loaded: dict[str, tuple] = {}
    for part, _ in results:
        loaded.update(part)

    def case_loader(root_: Path, folder: Path, diags: list) -> Any:
        got = loaded.get(folder.name)
        if got is None:  # appeared after the scan: load it plainly
            from .loader import load_case

            return load_case(root_, folder, diags)
        diags.extend(got[1])
        return got[0]

    cl = load_root(root, case_loader)
    _write(cdir / "index.pickle", key, index)
    return cl


_prepared: dict = {}  # the scan of output_token(), handed on to results() in the same process


def _prepare(root: Path, today: date, rules_dirs: tuple) -> tuple:
    """Keys and the scan: (cache dir, code key, careerpath.yaml bytes, results key, old index, index, dirty)."""
    global last_stats
    last_stats = Stats()
    cdir = cache_dir(root)
    key = code_key()
    try:
        config_bytes = (root / "careerpath.yaml").read_bytes()
    except OSError:
        config_bytes = b"\0missing"
    rkey = hashlib.blake2b(key + hashlib.sha256(config_bytes).digest() + today.isoformat().encode()
                           + _rules_key(rules_dirs), digest_size=16).digest()
    old = _read(cdir / "index.pickle", key)
    index, dirty = scan(root, old if isinstance(old, Index) else None)
    last_stats.cases = len(index.case_ids)
    return cdir, key, config_bytes, rkey, old, index, dirty


# ---------------------------------------------------------------- the output of a command, for unchanged input

OUTPUTS_KEPT = 8


def output_token(root: Path, today: date, rules_dirs: tuple, request: str) -> Optional[bytes]:
    """A key for a command's output: every input (files, settings, rules, today, code) and ``request``
    (the command and its options). None when some input is too fresh to trust.

    The scan it does is handed on to the ``results()`` call that follows in the same process.
    """
    root = Path(root)
    rules_dirs = tuple(str(Path(d).resolve()) for d in rules_dirs)
    state = _prepare(root, today, rules_dirs)
    _prepared.clear()
    _prepared[(root, today, rules_dirs)] = state
    cdir, key, config_bytes, rkey, old, index, dirty = state
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
    for cdir, key, _config, _rkey, old, index, dirty in _prepared.values():
        if dirty or not isinstance(old, Index):
            _write(cdir / "index.pickle", key, index)
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
    try:
        files = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns)
        for old in files[:-OUTPUTS_KEPT]:
            old.unlink()
    except OSError:
        pass


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
    """

    diagnostics: list
    load_diagnostics: list
    cases: list[str]
    files: int
    config: ConfigSummary
    _blobs: list = field(default_factory=list, repr=False)   # per case: (open, rest) pickled
    _titles: dict = field(default_factory=dict, repr=False)
    _all: Optional[list] = field(default=None, repr=False)   # the uncached path keeps the objects

    def obligations(self, *, history: bool = False, done: bool = True) -> list:
        """Sorted obligations; without ``history`` those of closed cases/ended series are left out,
        without ``done`` the done ones (what ``due`` shows by default)."""
        if self._all is not None:
            found = [o for o in self._all if (history or not o.history) and (done or o.status != "done")]
        else:
            found = []
            for open_blob, rest_blob in self._blobs:
                if open_blob is None:
                    raise ValueError("these results were computed without obligations")
                if open_blob:
                    found.extend(pickle.loads(open_blob))
                if rest_blob and (done or history):
                    found.extend(o for o in pickle.loads(rest_blob)
                                 if (history or not o.history) and (done or o.status != "done"))
            titles, setattr_ = self._titles, object.__setattr__
            for o in found:
                setattr_(o, "titles", titles.get(o.rule, _NO_TITLES))  # shared per rule; nobody mutates it
        if not found:
            return found
        from .obligations import sort_key

        found.sort(key=sort_key)
        return found


def results(root: Path, today: date, *, use_cache: bool = True, rules_dirs: tuple = (),
            obligations: bool = True) -> Results:
    """Every diagnostic and every obligation of the caseload for ``today`` (see :class:`Results`).

    On a warm cache only the cases whose files changed are loaded and computed again.
    """
    global last_stats
    root = Path(root)
    rules_dirs = tuple(str(Path(d).resolve()) for d in rules_dirs)
    if not use_cache:
        last_stats = Stats()
        return _uncached(root, today, rules_dirs, obligations)
    state = _prepared.pop((root, today, rules_dirs), None) or _prepare(root, today, rules_dirs)
    cdir, key, config_bytes, rkey, old, index, dirty = state
    res = _read(cdir / "results" / "root.pickle", rkey)
    prev: dict = {}
    if isinstance(res, dict):
        for n in sorted({shard_of(cid) for cid in index.case_ids}):
            part = _read(cdir / "results" / f"{n:03d}.pickle", rkey)
            if isinstance(part, dict):
                prev.update(part)
    root_state = None
    if isinstance(res, dict) and res.get("cases_key") == index.cases_key and index.cases_key != _POISON:
        root_state = res["root"]
    fresh_root = root_state is None
    need = [cid for cid, fp in zip(index.case_ids, index.fps)
            if prev.get(cid, (None,))[0] != fp or (obligations and prev[cid][3] is None)]
    if need or root_state is None:
        from . import checks

        if any(getattr(c, "scope", "case") != "case" for c in checks.CHECKS):
            return _uncached(root, today, rules_dirs, obligations)  # a check across cases: no per-case results
        if root_state is None:
            config, root_load, root_checks = _root_state(root, today)
            root_state = (_summary(config[0]), tuple(root_load), tuple(root_checks))
        else:  # the workers need careerpath.yaml only
            from .loader import load_config

            config = load_config(root, [])
    per_case: dict[str, tuple] = {cid: prev[cid] for cid in index.case_ids if cid in prev}
    titles: dict = dict(res.get("titles", {})) if isinstance(res, dict) else {}
    if need:
        parallel = len(need) >= PARALLEL_MIN_CASES and WORKERS > 1
        mode = "obligations" if obligations else "results"
        parts = _run(_tasks(root, cdir, key, index, need, mode, today, config, rules_dirs), parallel)
        _merge_stats([s for _, s in parts])
        for part, _ in parts:
            for cid, row in part.items():
                titles.update(row[-1])
                per_case[cid] = row[:-1]
    load_diags: set = set(root_state[1])
    check_diags: set = set(root_state[2])
    blobs = []
    files = 1 if config_bytes != b"\0missing" else 0
    for cid in index.case_ids:
        fp, ld, cd, open_blob, rest_blob, n = per_case[cid]
        load_diags.update(ld)
        check_diags.update(cd)
        blobs.append((open_blob, rest_blob))
        files += n
    if need or fresh_root:
        _write(cdir / "results" / "root.pickle", rkey,
               {"cases_key": index.cases_key, "root": root_state, "titles": titles})
        changed = {shard_of(cid) for cid in need} | ({shard_of(cid) for cid in index.case_ids} if fresh_root else set())
        rows: dict[int, dict] = {n: {} for n in changed}
        for cid in index.case_ids:
            n = shard_of(cid)
            if n in rows:
                rows[n][cid] = per_case[cid]
        for n, part in rows.items():
            _write(cdir / "results" / f"{n:03d}.pickle", rkey, part)
    if dirty or not isinstance(old, Index):
        _write(cdir / "index.pickle", key, index)
    from .diagnostics import sort_key

    return Results(sorted(load_diags | check_diags, key=sort_key), sorted(load_diags, key=sort_key),
                   list(index.case_ids), files, root_state[0], blobs, titles)


def _root_state(root: Path, today: date) -> tuple[tuple, list, list]:
    """careerpath.yaml (model, document), and the load and check diagnostics that belong to no case folder."""
    from .checks import run_checks
    from .loader import CaseFolder, load_root

    cl = load_root(root, lambda r, folder, d: CaseFolder(folder.name, f"cases/{folder.name}"))
    empty = type(cl)(root, cl.config, cl.config_doc, {}, [])
    return (cl.config, cl.config_doc), list(cl.diagnostics), list(set(run_checks(empty, today)) - set(cl.diagnostics))


def _uncached(root: Path, today: date, rules_dirs: tuple = (), obligations: bool = True) -> Results:
    from .checks import validate
    from .diagnostics import sort_key
    from .loader import load

    cl = load(root, cache=False)
    diags = validate(cl, today)
    book = _book(rules_dirs) if obligations else None
    found = None
    if book is not None:
        from .obligations import compute

        found = compute(cl, today, include_closed_history=True, rules=book)
    files = sum(1 for cf in cl.cases.values() for _ in cf.documents()) + (1 if cl.config_doc else 0)
    return Results(diags, sorted(cl.diagnostics, key=sort_key), sorted(cl.cases), files, _summary(cl.config),
                   _all=found or [])


def _summary(config: Any) -> ConfigSummary:
    return ConfigSummary(config.agency or "", config.default_language or "en")
