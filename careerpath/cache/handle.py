"""The cache choice a caller passes down: :class:`Cache` (the pipeline's ``cache=None`` means no cache)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable, Optional

from ..fsio import ReadRefused, read_regular
from . import journal, results, scan, store
from .store import Stats


class Prepared:
    """A caseload scanned and keyed for one day: where a cached run starts.

    When the change journal vouches that nothing changed since the last scan
    (:func:`careerpath.cache.scan.unchanged`), the index is not read until
    something asks for it: a replayed output needs only its digest.
    """

    def __init__(self, folder: Path, key: bytes, config_bytes: bytes, rkey: bytes, today: date, dkey: bytes,
                 scanned: Callable[[], tuple], summary: Optional[scan.Summary] = None,
                 span: Optional[tuple[int, int]] = None):
        self.folder = folder              # the cache folder
        self.key = key                    # the code key with the caseload's program folders
        self.config_bytes = config_bytes  # careerpath.yaml as read for the results key
        self.rkey = rkey                  # the results key (no day: each case's results say which days they hold for)
        self.today = today
        self.dkey = dkey                  # the results key and the day: what an output of this day is keyed by
        self.summary = summary            # the index as the journal vouches for it, when it was not read
        self.span = span                  # the stored results' span (:func:`.results.read_span`), as read
        self._scanned = scanned
        self._index: Optional[scan.Index] = None
        self._dirty: set = set()
        if summary is None:
            self._index, self._dirty = scanned()

    @property
    def index(self) -> scan.Index:
        """The index (read and checked now when only its summary was)."""
        if self._index is None:
            self._index, self._dirty = self._scanned()
        return self._index

    @property
    def dirty(self) -> set:
        """Cases whose entries changed since the stored index."""
        self.index
        return self._dirty

    def digest(self) -> Optional[bytes]:
        """What the index says of every case folder, hashed (None when some entry is too fresh to trust)."""
        if self._index is None and self.summary is not None:
            return self.summary.digest
        return self.index.digest() if self.index.trusted() else None

    def save_index(self) -> None:
        if self._index is not None:
            scan.save_index(self.folder, self.key, self._index, self._dirty)


class Cache:
    """Use the load cache: made by the caller (the CLI, once per command) and passed to the pipeline.

    It holds what the run did (:attr:`stats`), the code key (computed once),
    and the scan a stored output was keyed on (see
    :func:`careerpath.cli.views.output_token`), kept for the results call that
    follows so each file is statted once per command. Nothing of it outlives
    the object: there is no process-wide cache state.
    """

    def __init__(self, stats: Optional[Stats] = None, *, journal: bool = True,
                 ahead: Optional[Callable[[], None]] = None):
        self.stats = stats if stats is not None else Stats()
        self.journal = journal  # ask a running ``careerpath watch`` what changed (:mod:`.journal`)
        # done during a scan once a case is known to have changed, while the stat child goes on (:func:`.scan.scan`);
        # the CLI passes the imports of a recompute (:func:`careerpath.replay.compute_ahead`)
        self.ahead = ahead
        self._key: Optional[bytes] = None
        self._keys: dict[Path, bytes] = {}
        self._places: dict[Path, store.Place] = {}
        self._kept: dict[tuple, Prepared] = {}

    @property
    def key(self) -> bytes:
        """The code key (:func:`~careerpath.cache.store.code_key`)."""
        if self._key is None:
            self._key = store.code_key()
        return self._key

    def key_for(self, root: Path) -> bytes:
        """The code key and the caseload's own program folders: what a case file loads to depends on both."""
        root = Path(root)
        if root not in self._keys:
            self._keys[root] = store.caseload_key(self.key, root)
        return self._keys[root]

    def folder(self, root: Path) -> Path:
        """Where the cache of the caseload at ``root`` lives."""
        return self.place(root).folder

    def place(self, root: Path) -> store.Place:
        """Where the cache lives and why not in the caseload (:func:`~careerpath.cache.store.place`), decided once."""
        root = Path(root)
        if root not in self._places:
            self._places[root] = store.place(root)
        return self._places[root]

    def prepare(self, root: Path, today: date, *, keep: bool = False) -> Prepared:
        """Scan the caseload and key its results for ``today``; with ``keep``, keep the scan for the next call.

        Without ``keep``, a scan kept for the same root and day is taken
        (and no longer kept) instead of scanning again.
        """
        what = (Path(root), today)
        if what in self._kept:  # scanned moments ago in this command (the start-up path, an output key)
            return self._kept[what] if keep else self._kept.pop(what)
        folder = self.folder(root)
        try:  # the safe reader: a FIFO or a link to /dev/zero here is the loader's diagnostic, not a hang
            config_bytes = read_regular(Path(root) / "careerpath.yaml", root=Path(root))
        except ReadRefused as e:
            config_bytes = b"\0missing" if e.missing else b"\0refused " + e.code.encode()
        config_bytes += _surveys_key(Path(root))
        key = self.key_for(root)
        rkey = results.results_key(key, config_bytes)
        span = results.read_span(folder, rkey, self.stats)
        # a day some stored result does not hold for (or none stored under this key): something is computed
        computing = span is None or not span[0] <= today.toordinal() < span[1]
        summary = news = None
        if self.journal and journal.running(folder):  # one question to the watcher, about index.mark's mark
            summary = scan.read_summary(folder, key, self.stats)
            if summary is not None:
                news = journal.news(folder, summary.mark)
                if not scan.unchanged(Path(root), summary, news, self.stats):
                    summary = None
        prepared = Prepared(folder, key, config_bytes, rkey, today, results.day_key(rkey, today),
                            lambda: self.scanned(root, news, computing), summary, span)
        self.stats.cases = summary.cases if summary is not None else len(prepared.index.case_ids)
        if keep:
            self._kept.clear()
            self._kept[what] = prepared
        return prepared

    def scanned(self, root: Path, news: Optional[journal.News] = None,
                computing: bool = False) -> tuple[scan.Index, set]:
        """The stored index brought up to date (what the change journal names, or every entry statted) and the
        cases whose entries changed. ``news``: the journal's answer already given in this command, taken when
        it is about the index's own mark (asked before this scan, so it still holds for it). ``computing``:
        results will be computed whatever the scan finds (:attr:`ahead` is done at once, during the scan)."""
        folder, key = self.folder(root), self.key_for(root)
        old = scan.load_index(folder, key, self.stats)
        mark = old.mark if old is not None else None
        if not self.journal:
            news = None
        elif news is None or news.since != mark:
            news = journal.news(folder, mark)
        return scan.scan(Path(root), old, self.stats, news, self.ahead, computing)

    def finish(self) -> None:
        """The command is over (files may change): drop kept scans, storing the index of any that found changes.

        A scan no results call used (the output was replayed) still updates the
        index, so the next run does not scan those cases again.
        """
        for prepared in self._kept.values():
            prepared.save_index()
        self._kept.clear()


def _surveys_key(root: Path) -> bytes:
    """The caseload's ``surveys/`` folder as stat data (names, sizes, times): its diagnostics belong to no
    case, so they are kept with careerpath.yaml's. Surveys change a few times a quarter; a change there
    recomputes the stored results as a change of careerpath.yaml does."""
    import os

    out = []
    top = root / "surveys"
    try:
        for folder, dirs, files in os.walk(top, followlinks=False):
            dirs.sort()
            for name in sorted(files):
                st = os.lstat(os.path.join(folder, name))
                out.append(f"{os.path.relpath(os.path.join(folder, name), top)}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}")
        if os.path.islink(top):
            out.append("\0link")
    except OSError:
        out.append("\0unreadable")
    return ("\0surveys\0" + "\n".join(out)).encode("utf-8", "surrogateescape") if out else b""
