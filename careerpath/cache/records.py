"""Per-case records: a loaded case folder kept so that a changed case re-parses only its changed files.

``shards/NNNN.pickle`` (:data:`~careerpath.cache.store.SHARDS` files, cases
spread by :func:`~careerpath.cache.store.shard_of`) hold per case a
:class:`CaseRecord`, pickled on its own (:class:`Shard`: a run unpickles only
the records it asks for): its loaded :class:`~careerpath.loader.CaseFolder`
(models; positions only for files with diagnostics, the rest re-read on
demand), its load diagnostics, and per file its stat key, parsed file (a
loader.SourceFile) and diagnostics. A record is valid for its case's
fingerprint (:mod:`~careerpath.cache.scan`).
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from . import scan, store
from .store import Stats


@dataclass
class CaseRecord:
    fp: bytes
    folder: Any                      # CaseFolder
    diags: list                      # the case's load diagnostics
    files: dict[str, tuple]          # rel -> (stat key, kind, SourceFile, diagnostics)


class Files:
    """The loader's :class:`~careerpath.loader.FileStore` over one case's previous record.

    ``new`` collects the files of the case as it loads now, reused or parsed:
    the ``files`` of its next record.
    """

    def __init__(self, root: Path, old: Optional[CaseRecord], racy_after: int, stats: Stats):
        self.root, self.old, self.racy_after, self.stats = root, old.files if old else {}, racy_after, stats
        self.new: dict[str, tuple] = {}

    def lookup(self, path: Path, file: str, kind: str) -> Optional[tuple[Any, list]]:
        rec = self.old.get(file)
        if rec is None:
            return None
        try:
            st = os.stat(path)
        except OSError:
            return None
        key = scan.stat_key(st, self.racy_after)
        if key == scan.POISON or key != rec[0] or rec[1] != kind:
            return None
        reroot(self.root, (rec[2],))
        self.new[file] = rec
        self.stats.reused += 1
        return rec[2], list(rec[3])

    def store(self, file: str, stat: Optional[os.stat_result], kind: str, doc: Any, diags: list) -> None:
        self.stats.parsed += 1
        if stat is not None:
            key = scan.stat_key(stat, self.racy_after)
            if key != scan.POISON:
                self.new[file] = (key, kind, doc, tuple(diags))


def reroot(root: Path, docs: Iterable) -> None:
    """Point cached parsed files' lazy positions at the caseload where it is now."""
    from ..yamlfile import LazyPositions

    base = os.fspath(root)
    for doc in docs:
        pos = doc.positions
        if isinstance(pos, LazyPositions) and not pos.loaded:
            pos.__dict__["_source"] = (f"{base}/{doc.file}", doc.file)  # (a Path join cost 5 µs a file)


def _path(folder: Path, shard: int) -> Path:
    return folder / "shards" / f"{shard:04d}.pickle"


class Shard:
    """The records of one shard, {case id: record}, each unpickled only when asked for.

    A new day computes again the ~10 cases whose window moved, an edit one: each is one of its shard's ~20
    records, and unpickling a whole shard took ~10 ms where one record takes ~0.3 ms. So a shard file holds
    {case id: the record pickled on its own}; the file as a whole is vouched for by its tag
    (:func:`careerpath.cache.store.read`) before any of it is unpickled.
    """

    def __init__(self, packed: dict[str, Optional[bytes]]) -> None:
        self.packed = packed                      # case id -> its pickled record (None: set here, not yet pickled)
        self.loaded: dict[str, CaseRecord] = {}

    def get(self, case_id: str) -> Optional[CaseRecord]:
        found = self.loaded.get(case_id)
        if found is None and self.packed.get(case_id) is not None:
            try:
                found = pickle.loads(self.packed[case_id])
            except Exception:  # a record this code cannot load (it would be a bug): the case is loaded afresh
                return None
            if not isinstance(found, CaseRecord):
                return None
            self.loaded[case_id] = found
        return found

    def __setitem__(self, case_id: str, record: CaseRecord) -> None:
        self.loaded[case_id] = record
        self.packed[case_id] = None

    def __delitem__(self, case_id: str) -> None:
        del self.packed[case_id]
        self.loaded.pop(case_id, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self.packed))

    def pack(self) -> dict[str, bytes]:
        """{case id: pickled record}: the records set here pickled, the others as they were read."""
        return {cid: blob if blob is not None else pickle.dumps(self.loaded[cid], protocol=pickle.HIGHEST_PROTOCOL)
                for cid, blob in self.packed.items()}


def read_shard(folder: Path, key: bytes, shard: int, stats: Stats) -> Shard:
    """The records of one shard (none when the file is missing or unusable)."""
    data = store.read(_path(folder, shard), key, stats)
    usable = isinstance(data, dict) and all(isinstance(blob, bytes) for blob in data.values())
    return Shard(data if usable else {})


def write_shard(folder: Path, key: bytes, shard: int, records: Shard) -> None:
    store.write(_path(folder, shard), key, records.pack())
