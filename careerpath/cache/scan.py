"""The stat index: which case folders changed since the last run, without reading a file.

``index.pickle`` holds every case folder's entries (the folder, ``events/``,
``referrals/``, ``appointments/`` and the files in them) with their stat key (size, mtime_ns,
inode, ctime_ns), and one fingerprint per case (a hash of its entries). A
warm run stats the known entries (both cores on a large caseload) and lists
again only the folders whose key changed. ``index.delta`` holds the cases
changed or added since the index was written, those removed since and the
key of ``cases/``, so an edit, an added case or a removed one does not
rewrite 24 MB (~0.1 s at 20,519 cases).

An entry whose mtime or ctime falls within :data:`RACY_NS` of the scan is
never trusted next time ("racy git"): a write in the same clock tick as the
scan cannot hide.
"""

from __future__ import annotations

import bisect
import hashlib
import marshal
import os
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from . import store
from .store import Stats

RACY_NS = 2_000_000_000        # entries changed this close to the scan are checked again next run
PARALLEL_MIN_ENTRIES = 40_000  # below this, stat the entries in one process
CHUNK = 2048                   # entries per piece two processes claim (~7 ms of stat)
# cases kept in index.delta before index.pickle is written again: applying a case whose number of
# entries changed moves the lists behind it (~0.35 ms at 20,519 cases); writing the index costs ~90 ms
DELTA_MAX = 100

KEY = struct.Struct("<4q")
POISON = KEY.pack(-1, -1, -1, -1)
RACY_PREFIX = b"racy-or-linked:"  # a fingerprint that matches nothing: the case is looked at again next run


@dataclass
class Index:
    """Every case folder's entries and stat keys, in case order."""

    cases_key: bytes                  # the key of cases/ itself
    case_ids: list[str]               # sorted
    offsets: list[int]                # entries of case i: paths[offsets[i]:offsets[i+1]]
    paths: list[str]
    keys: bytearray                   # KEY.size bytes per entry
    fps: list[bytes]                  # one fingerprint per case
    base_id: bytes = b""              # which index.pickle this is (b"": not stored yet)
    patched: set = field(default_factory=set)  # cases changed or added since index.pickle: kept in index.delta
    removed: set = field(default_factory=set)  # cases of index.pickle gone since: kept in index.delta
    linked: set = field(default_factory=set)   # cases with a file of more than one hard link (journal: always statted)
    mark: Optional[tuple] = None      # the change journal's (session, seq) this index was scanned after
    marked: bool = False              # the mark changed in this run (stored even when no case changed)
    relisted: bool = False            # cases/ was listed again in this run (stored even when no case changed)

    def entries(self, i: int) -> tuple[list[str], bytes]:
        lo, hi = self.offsets[i], self.offsets[i + 1]
        return self.paths[lo:hi], bytes(self.keys[lo * KEY.size:hi * KEY.size])

    def position(self, case_id: str) -> Optional[int]:
        i = bisect.bisect_left(self.case_ids, case_id)
        return i if i < len(self.case_ids) and self.case_ids[i] == case_id else None

    def replace(self, i: int, paths: list[str], keys: bytes, fp: bytes, linked: bool = False) -> None:
        """Case ``i``'s entries are now ``paths`` with ``keys`` (a few list moves, not a rebuild)."""
        (self.linked.add if linked else self.linked.discard)(self.case_ids[i])
        lo, hi = self.offsets[i], self.offsets[i + 1]
        self.paths[lo:hi] = paths
        self.keys[lo * KEY.size:hi * KEY.size] = keys
        shift = len(paths) - (hi - lo)
        if shift:
            self.offsets[i + 1:] = [o + shift for o in self.offsets[i + 1:]]
        self.fps[i] = fp
        self.patched.add(self.case_ids[i])

    def insert(self, case_id: str, paths: list[str], keys: bytes, fp: bytes, linked: bool = False) -> None:
        """A case that is not in the index, put in its place in case order."""
        i = bisect.bisect_left(self.case_ids, case_id)
        at, n = self.offsets[i], len(paths)
        self.case_ids.insert(i, case_id)
        self.paths[at:at] = paths
        self.keys[at * KEY.size:at * KEY.size] = keys
        self.offsets[i + 1:] = [at + n, *(o + n for o in self.offsets[i + 1:])]
        self.fps.insert(i, fp)
        if linked:
            self.linked.add(case_id)
        self.patched.add(case_id)
        self.removed.discard(case_id)

    def remove(self, i: int) -> None:
        """Case ``i`` is gone."""
        lo, hi = self.offsets[i], self.offsets[i + 1]
        case_id = self.case_ids.pop(i)
        del self.paths[lo:hi]
        del self.keys[lo * KEY.size:hi * KEY.size]
        self.offsets[i + 1:] = [o - (hi - lo) for o in self.offsets[i + 2:]]
        self.fps.pop(i)
        self.linked.discard(case_id)
        self.patched.discard(case_id)
        self.removed.add(case_id)

    def digest(self) -> bytes:
        """Every case folder as this index keys it (cases/, the case ids and their fingerprints), hashed:
        what an output's key takes of the files."""
        h = hashlib.blake2b(self.cases_key, digest_size=16)
        h.update("\0".join(self.case_ids).encode("utf-8", "surrogateescape"))
        h.update(b"".join(self.fps))
        return h.digest()

    def fresh(self) -> bool:
        """Whether some case had an entry too fresh (or unreadable) to key when this index was scanned: its
        fingerprint matches nothing, so it is computed again on the next run whatever the scan finds."""
        return sum(map(len, self.fps)) != 16 * len(self.fps)  # (such a fingerprint is longer than a hash)

    def trusted(self) -> bool:
        """False when some entry was too fresh (or a link) to key anything on."""
        return self.cases_key != POISON and not self.fresh()

    def __getstate__(self) -> dict:  # one string for 270,000 paths pickles and loads ten times faster
        state = dict(self.__dict__)
        state["paths"] = "\0".join(self.paths)
        state["case_ids"] = "\0".join(self.case_ids)
        state["keys"] = bytes(self.keys)
        state["fps"] = b"".join(self.fps) if all(len(f) == 16 for f in self.fps) else self.fps
        state["patched"] = set()
        state["removed"] = set()
        state["marked"] = state["relisted"] = False
        return state

    def __setstate__(self, state: dict) -> None:
        paths, ids, fps = state["paths"], state["case_ids"], state["fps"]
        state["paths"] = paths.split("\0") if paths else []
        state["case_ids"] = ids.split("\0") if ids else []
        state["keys"] = bytearray(state["keys"])
        if isinstance(fps, bytes):
            state["fps"] = [fps[i:i + 16] for i in range(0, len(fps), 16)]
        state.setdefault("removed", set())  # (an index written before cases added or removed went to the delta)
        self.__dict__.update(state)


@dataclass(frozen=True)
class Summary:
    """What a warm run needs of the index when the change journal says nothing changed since ``mark``
    (``index.mark``, written with the index: a few hundred bytes instead of 24 MB)."""

    mark: tuple        # the journal's (session, seq) the index was scanned after
    cases_key: bytes
    digest: bytes      # :meth:`Index.digest`
    cases: int


def read_summary(folder: Path, key: bytes, stats: Stats) -> Optional[Summary]:
    """``index.mark``, or None."""
    summary = store.read(folder / "index.mark", key, stats)
    return summary if isinstance(summary, Summary) else None


def unchanged(root: Path, summary: Summary, news: Any, stats: Stats) -> bool:
    """Whether the change journal's answer ``news`` (about ``summary``'s mark) vouches that nothing changed
    since the summary was made: no case named, cases/ not changed (no case too fresh or linked when it was
    made: such a summary is not written). Otherwise the index is read and brought up to date."""
    if news is None or not news.known or news.since != summary.mark or news.names or news.listing:
        return False
    try:
        cases_key = stat_key(os.stat(f"{root}/cases"), racy_after()) if not os.path.islink(f"{root}/cases") else POISON
    except OSError:
        return False
    if cases_key != summary.cases_key or cases_key == POISON:
        return False
    stats.journal, stats.rescanned = True, 0
    return True


def load_index(folder: Path, key: bytes, stats: Stats) -> Optional[Index]:
    """``index.pickle`` with ``index.delta`` (the cases changed, added or removed since it was written) applied."""
    index = store.read(folder / "index.pickle", key, stats)
    if not isinstance(index, Index):
        return None
    delta = store.read(folder / "index.delta", key, stats)
    if isinstance(delta, tuple) and len(delta) in (3, 5) and delta[0] == index.base_id and index.base_id:
        # (a delta of three is one written before added and removed cases went to the delta: cases changed only)
        _, changed, mark, cases_key, removed = delta if len(delta) == 5 else (*delta, index.cases_key, ())
        for case_id in removed:
            i = index.position(case_id)
            if i is not None:
                index.remove(i)
        for case_id, (paths, keys, fp, linked) in changed.items():
            i = index.position(case_id)
            if i is not None:
                index.replace(i, paths, keys, fp, linked)
            else:
                index.insert(case_id, paths, keys, fp, linked)
        index.mark, index.cases_key = mark, cases_key
    index.marked = False
    return index


def save_index(folder: Path, key: bytes, index: Index, dirty: set) -> None:
    """Store the index after a scan: only the cases changed, added or removed since ``index.pickle`` was
    written (``index.delta``, with the key of ``cases/``) when it came from disk, the whole of it otherwise
    (first run, more than :data:`DELTA_MAX` cases in the delta)."""
    if index.base_id and not dirty and not index.marked and not index.relisted:
        return
    if not index.base_id or len(index.patched) + len(index.removed) > DELTA_MAX:
        index.base_id, index.patched, index.removed = os.urandom(8), set(), set()
        store.write(folder / "index.pickle", key, index)
        store.forget(folder / "index.delta")
    else:
        changed = {}
        for case_id in sorted(index.patched):
            i = index.position(case_id)
            if i is not None:
                changed[case_id] = (*index.entries(i), index.fps[i], case_id in index.linked)
        store.write(folder / "index.delta", key, (index.base_id, changed, index.mark, index.cases_key,
                                                  sorted(index.removed)))
    # (written after the index: a summary is a true statement about the files at its mark whatever the index)
    if index.mark is not None and index.trusted() and not index.linked:
        store.write(folder / "index.mark", key, Summary(index.mark, index.cases_key, index.digest(), len(index.case_ids)))
    else:
        store.forget(folder / "index.mark")


def racy_after() -> int:
    """Entries changed after this time (ns) are keyed so that they match nothing next run."""
    return time.time_ns() - RACY_NS


def stat_key(st: os.stat_result, racy_after: int) -> bytes:
    """An entry's key: size, mtime, inode and ctime; :data:`POISON` when too fresh to trust."""
    if st.st_mtime_ns >= racy_after or st.st_ctime_ns >= racy_after:
        return POISON
    return KEY.pack(st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def _scan_case(root: str, case_id: str, racy_after: int) -> tuple[list[str], list[bytes], bool]:
    """The entries of one case folder that can change what it loads to, with their keys, and whether a file
    among them has another hard link."""
    rel = f"cases/{case_id}"
    paths, keys = [rel], []
    linked = False
    try:
        st = os.stat(f"{root}/{rel}")
        keys.append(stat_key(st, racy_after) if not os.path.islink(f"{root}/{rel}") else POISON)
        with os.scandir(f"{root}/{rel}") as it:
            top = sorted(it, key=lambda e: e.name)
    except OSError:
        return paths, [POISON], False
    for entry in top:
        if entry.name == "documents":
            continue  # attachments: never read
        try:
            if entry.is_symlink():
                keys[0] = POISON  # a link's target can change unseen: never cache this case
            paths.append(f"{rel}/{entry.name}")
            st = entry.stat(follow_symlinks=False)
            keys.append(stat_key(st, racy_after))
            linked = linked or (st.st_nlink > 1 and not entry.is_dir(follow_symlinks=False))
            if entry.name in ("events", "referrals", "appointments") and entry.is_dir(follow_symlinks=False):
                with os.scandir(entry.path) as it:
                    for sub in sorted(it, key=lambda e: e.name):
                        if sub.is_symlink():
                            keys[0] = POISON
                        paths.append(f"{rel}/{entry.name}/{sub.name}")
                        st = sub.stat(follow_symlinks=False)
                        keys.append(stat_key(st, racy_after))
                        linked = linked or (st.st_nlink > 1 and not sub.is_dir(follow_symlinks=False))
        except OSError:
            keys[0] = POISON
            keys.extend([POISON] * (len(paths) - len(keys)))
    return paths, keys, linked


def _fingerprint(paths: list[str], keys: bytes) -> bytes:
    if POISON in [keys[i:i + KEY.size] for i in range(0, len(keys), KEY.size)]:
        return RACY_PREFIX + os.urandom(8)
    h = hashlib.blake2b(digest_size=16)
    h.update("\n".join(paths).encode("utf-8", "surrogateescape"))
    h.update(keys)
    return h.digest()


def _inside(root: str, path: str) -> bool:
    from ..loader import inside

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
    pack, stat, size = KEY.pack, os.stat, KEY.size
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


def _changed_entries(root: str, paths: list[str], keys: bytes, stats: Stats,
                     ahead: Optional[Callable[[], None]] = None, known: bool = False,
                     first: tuple = ()) -> list[int]:
    """Entries whose stat key changed, sorted; on a large caseload a forked child stats too.

    The entries are cut in :data:`CHUNK` pieces. This process takes them from
    the first, the child from the last, each claiming a piece (a byte of shared
    memory) before it stats it and skipping those the other claimed: both cores
    stay busy to the end whatever else runs on them. Two may claim the same
    piece in the same instant; it is then statted twice, never missed.

    ``ahead`` is called once in this process as soon as either side knows that
    some entry changed (the imports a recompute needs, ~0.2 s), or at once when
    ``known`` (something else changed): meanwhile the child goes on claiming
    this process's pieces. ``first``: ranges of entries likely to have changed
    (the cases changed lately), statted first to know it sooner; their entries
    are statted again with their pieces (what is found comes from the pieces).
    """
    from .. import parallel

    root_fd = os.open(root, os.O_RDONLY)
    try:
        n = len(paths)
        if n < PARALLEL_MIN_ENTRIES or parallel.WORKERS < 2 or not hasattr(os, "fork"):
            return _stat_range(root_fd, paths, keys, 0, n)
        import mmap  # (only here: a warm run of a small caseload, or one the journal vouches for, never forks)

        pieces = -(-n // CHUNK)
        try:
            shared = mmap.mmap(-1, pieces + 1)  # one claim byte per piece, then "a change was found"
            shared[pieces] = known
            rfd, wfd = os.pipe()
        except OSError:  # (no memory or no descriptor left: one process does it all)
            return _stat_range(root_fd, paths, keys, 0, n)
        try:
            pid = os.fork()
        except OSError:  # (a process limit)
            os.close(rfd)
            os.close(wfd)
            return _stat_range(root_fd, paths, keys, 0, n)
        if pid == 0:  # the child: claim pieces from the last, send back the changed indices
            code = 0
            try:
                os.close(rfd)
                data = marshal.dumps(_claim(root_fd, paths, keys, shared, reversed(range(pieces)), 2))
                with os.fdopen(wfd, "wb") as out:
                    out.write(data)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(wfd)
        stats.parallel = True
        if ahead is not None and not known and any(_stat_range(root_fd, paths, keys, lo, hi) for lo, hi in first):
            shared[pieces] = 1
        mine = _claim(root_fd, paths, keys, shared, range(pieces), 1, ahead)
        with os.fdopen(rfd, "rb") as inp:
            data = inp.read()
        _, status = os.waitpid(pid, 0)
        if status != 0 or not data:  # the child failed: every piece this process did not stat, here
            theirs = []
            for p in range(pieces):
                if shared[p] != 1:
                    theirs.extend(_stat_range(root_fd, paths, keys, p * CHUNK, min(n, (p + 1) * CHUNK)))
        else:
            theirs = marshal.loads(data)
        shared.close()
        return sorted(set(mine).union(theirs))
    finally:
        os.close(root_fd)


def _claim(root_fd: int, paths: list[str], keys: bytes, shared: Any, order: Any, me: int,
           ahead: Optional[Callable[[], None]] = None) -> list[int]:
    """Stat the pieces in ``order`` that the other side has not claimed (``me``: this side's claim byte in
    ``shared``, the claims' shared ``mmap``)."""
    n, changed, found = len(paths), [], len(shared) - 1
    for p in order:
        if ahead is not None and shared[found]:
            ahead, call = None, ahead
            try:
                call()
            except Exception:  # (what it prepares is done again where it is needed, and fails there in its words)
                pass
        if shared[p]:
            continue
        shared[p] = me
        got = _stat_range(root_fd, paths, keys, p * CHUNK, min(n, (p + 1) * CHUNK))
        if got:
            changed.extend(got)
            shared[found] = 1
    return changed


def _suspects(old: Index, news: Any) -> list[str]:
    """The cases of ``old`` a warm run must stat, by the journal's answer: those it names, those whose entries
    were too fresh or linked to key, those with a hard-linked file."""
    named = set(news.names) | old.linked
    named.update(cid for cid, fp in zip(old.case_ids, old.fps) if fp.startswith(RACY_PREFIX))
    return sorted(cid for cid in named if old.position(cid) is not None)


def scan(root: Path, old: Optional[Index], stats: Stats, news: Any = None,
         ahead: Optional[Callable[[], None]] = None, computing: bool = False) -> tuple[Index, set[str]]:
    """The index of the caseload now, and the case ids whose entries changed (or are new).

    ``old`` is updated in place and returned when the same cases are there.
    ``news`` is the change journal's answer (:class:`~careerpath.cache.journal.News`, asked just before;
    None without a watcher): when it vouches for ``old``'s mark, only the cases it names are statted.
    ``ahead``: what to do while a forked child stats, once some case is known to have changed or to be new,
    or at once when ``computing`` (the caller knows results will be computed) (:func:`_changed_entries`).
    """
    racy = racy_after()
    rs = str(root)
    try:
        cases_st = os.stat(f"{rs}/cases")
        cases_key = stat_key(cases_st, racy) if not os.path.islink(f"{rs}/cases") else POISON
    except OSError:
        cases_key = POISON
    old_pos: dict[str, int] = {}
    dirty: set[str] = set()
    if old is not None:
        stats.journal = news is not None and news.known
        if news is not None and news.known:  # the journal says which cases may have changed
            for cid in _suspects(old, news):
                i = old.position(cid)
                p, kl, linked = _scan_case(rs, cid, racy)
                k = b"".join(kl)
                fp = _fingerprint(p, k)  # (a new one every time for entries too fresh to key: looked at again)
                if fp != old.fps[i] or (cid in old.linked) != linked:  # type: ignore[index]
                    old.replace(i, p, k, fp, linked)  # type: ignore[arg-type]
                    dirty.add(cid)
            same_list = not news.listing and cases_key == old.cases_key and cases_key != POISON
        else:
            # (at once: cases/ itself changed, a case added or removed; or a case is computed again anyway; and
            # the cases changed since the index was written are looked at first: an edit is often of the same case)
            recent = tuple((old.offsets[i], old.offsets[i + 1]) for i in map(old.position, sorted(old.patched))
                           if i is not None)
            changed = _changed_entries(rs, old.paths, old.keys, stats, ahead,
                                       computing or cases_key != old.cases_key or old.fresh(), recent)
            same_list = cases_key == old.cases_key and cases_key != POISON
            for j in changed:
                dirty.add(old.case_ids[bisect.bisect_right(old.offsets, j) - 1])
            for cid in sorted(dirty):  # an edit: only the changed cases' entries are replaced
                p, kl, linked = _scan_case(rs, cid, racy)
                k = b"".join(kl)
                old.replace(old.position(cid), p, k, _fingerprint(p, k), linked)  # type: ignore[arg-type]
        if same_list:  # the usual warm run (nothing changed: the old index is the index), or an edit
            stats.rescanned = len(dirty)
            _mark(old, news)
            return old, dirty
        old_pos = {cid: i for i, cid in enumerate(old.case_ids)}
    case_ids = _list_cases(rs)
    paths: list[str] = []
    keys: list[bytes] = []
    offsets = [0]
    fps = []
    linked_ids = set()
    for cid in case_ids:
        i = old_pos.get(cid)
        if i is not None and cid not in dirty:  # (checked above: by its stat keys, or vouched for by the journal)
            p, k = old.entries(i)  # type: ignore[union-attr]
            paths.extend(p)
            keys.append(k)
            fps.append(old.fps[i])  # type: ignore[union-attr]
            if cid in old.linked:  # type: ignore[union-attr]
                linked_ids.add(cid)
        else:
            dirty.add(cid)
            p, kl, linked = _scan_case(rs, cid, racy)
            k = b"".join(kl)
            paths.extend(p)
            keys.append(k)
            fps.append(_fingerprint(p, k))
            if linked:
                linked_ids.add(cid)
        offsets.append(len(paths))
    stats.rescanned = len(dirty)
    index = Index(cases_key, case_ids, offsets, paths, bytearray(b"".join(keys)), fps, linked=linked_ids,
                  relisted=True)
    if old is not None and old.base_id:  # the stored index and a delta of what differs from it now
        listed = set(case_ids)
        index.base_id = old.base_id
        index.patched = (old.patched | dirty) & listed
        index.removed = (old.removed | (set(old.case_ids) - listed)) - listed
    _mark(index, news)
    return index, dirty


def _mark(index: Index, news: Any) -> None:
    """The index was scanned after the journal's answer ``news``: it holds as of that answer's mark (without an
    answer the old mark still holds: a scan cannot be older than it)."""
    if news is not None and index.mark != news.mark:
        index.mark, index.marked = news.mark, True
