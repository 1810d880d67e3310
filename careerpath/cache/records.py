"""Per-case records: a loaded case folder kept so that a changed case re-parses only its changed files.

``shards/NNNN.pickle`` (:data:`~careerpath.cache.store.SHARDS` files, cases
spread by :func:`~careerpath.cache.store.shard_of`) hold per case a
:class:`CaseRecord`: its loaded :class:`~careerpath.loader.CaseFolder` (models;
positions only for files with diagnostics, the rest re-read on demand), its
load diagnostics, and per file its stat key, parsed file (a loader.SourceFile) and diagnostics. A
record is valid for its case's fingerprint (:mod:`~careerpath.cache.scan`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional

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


def read_shard(folder: Path, key: bytes, shard: int, stats: Stats) -> dict[str, CaseRecord]:
    """{case id: record} of one shard ({} when missing or unusable)."""
    data = store.read(_path(folder, shard), key, stats)
    return data if isinstance(data, dict) else {}


def write_shard(folder: Path, key: bytes, shard: int, records: dict[str, CaseRecord]) -> None:
    store.write(_path(folder, shard), key, records)
