"""The results store: per case its diagnostics and obligations, one careerpath.yaml, one set of programs.

``results/root.pickle`` holds per case its fingerprint, load and check
diagnostics, file count, whether its obligations are stored, and the days
they hold for (and what belongs to no case: careerpath.yaml's diagnostics
and the listing of ``cases/``; the rule titles). ``results/NNNN.pickle``
(grouped like the shards) hold the obligations, pickled per case as two
blobs, the open ones apart from the rest (done, history), read only for the
cases whose obligations are asked for, and a third blob with what the
caseload reports count of the case (:mod:`careerpath.reports.facts`). Everything is written under the
*results key* (:func:`results_key`), which does not hold the day: a case's
results were computed on one day and hold until the first day on which they
could differ (its *window*, :mod:`careerpath.daywindow`); in between,
statuses are derived for the day asked (:func:`careerpath.obligations.on_day`).
"""

from __future__ import annotations

import hashlib
import pickle
from datetime import date
from itertools import repeat
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

from . import store
from .store import Stats

NO_TITLES: dict = {}  # what a stored obligation holds instead of its titles (kept once per rule)


def results_key(caseload_key: bytes, config_bytes: bytes) -> bytes:
    """What a case's results depend on besides its own files and the day (its window covers that):
    code and programs (``caseload_key``), careerpath.yaml."""
    return hashlib.blake2b(caseload_key + hashlib.sha256(config_bytes).digest(), digest_size=16).digest()


def day_key(rkey: bytes, today: date) -> bytes:
    """The results key and the day: what keys an output made for one day (``due``'s views, replays)."""
    return hashlib.blake2b(rkey + today.isoformat().encode(), digest_size=16).digest()


def read_root(folder: Path, rkey: bytes, stats: Stats) -> Optional[dict]:
    """``results/root.pickle``: {"cases_key", "root", "titles", "meta"}, or None."""
    res = store.read(folder / "results" / "root.pickle", rkey, stats)
    return res if isinstance(res, dict) and isinstance(res.get("meta"), dict) else None


def write_root(folder: Path, rkey: bytes, data: dict) -> None:
    store.write(folder / "results" / "root.pickle", rkey, data)


def read_span(folder: Path, rkey: bytes, stats: Stats) -> Optional[tuple[int, int]]:
    """``results/span.pickle``: the days (two ordinals, the second excluded) on which every stored result holds
    (the latest day a window starts, the first on which one ends), or None. A run on a day outside it computes
    something: the scan then prepares for that while it stats (:func:`careerpath.cache.scan.scan`)."""
    span = store.read(folder / "results" / "span.pickle", rkey, stats)
    return span if isinstance(span, tuple) and len(span) == 2 and all(type(d) is int for d in span) else None


def write_span(folder: Path, rkey: bytes, span: tuple[int, int]) -> None:
    store.write(folder / "results" / "span.pickle", rkey, span)


def pack(found: list) -> tuple[bytes, bytes, dict]:
    """One case's obligations as stored: (open blob, rest blob, {rule: titles}).

    Stored without their per-language titles (kept once per rule): "open" ones
    (not done, not history) apart from the rest, so the usual ``due``
    unpickles only what it shows. The obligations' titles are replaced in place.
    What is done or history on the day they were computed stays so on every
    later day of their window, so the rest never holds what a later day shows
    as open.
    """
    titles: dict = {}
    for o in found:
        titles.setdefault(o.rule, o.titles)
        object.__setattr__(o, "titles", NO_TITLES)  # frozen dataclass: restored on load
    open_ = [o for o in found if o.status != "done" and not o.history]
    rest = [o for o in found if o.status == "done" or o.history]
    open_blob = pickle.dumps(open_, pickle.HIGHEST_PROTOCOL) if open_ else b""
    rest_blob = pickle.dumps(rest, pickle.HIGHEST_PROTOCOL) if rest else b""
    return open_blob, rest_blob, titles


class ObligationStore:
    """The stored obligations of a results run, read shard by shard on demand.

    A case whose stored obligations are missing or do not match its fingerprint
    (a shard lost or damaged since) is computed again by ``recompute`` and stored.
    """

    def __init__(self, folder: Path, rkey: bytes, today: date, stamps: dict, titles: dict, fresh: dict,
                 recompute: Callable[[list[str]], dict], stats: Stats):
        self.folder, self.rkey, self.stamps, self.titles, self.stats = folder, rkey, stamps, titles, stats
        self.today = today
        self.dkey = day_key(rkey, today)  # what a view of these obligations on this day is keyed by
        self.fresh = fresh            # case id -> (open blob, rest blob, facts blob), computed in this run and not stored
        self.recompute = recompute    # ids -> {case id: (open blob, rest blob, facts blob)}

    def blobs(self, ids: list[str]) -> list[tuple[bytes, bytes, bytes]]:
        found: dict = {cid: self.fresh[cid] for cid in ids if cid in self.fresh}
        by_shard: dict[int, list] = {}
        for cid in ids:
            if cid not in found:
                by_shard.setdefault(store.shard_of(cid), []).append(cid)
        for n, group in sorted(by_shard.items()):
            part = store.read(self.folder / "results" / f"{n:04d}.pickle", self.rkey, self.stats)
            part = part if isinstance(part, dict) else {}
            for cid in group:
                row = part.get(cid)
                if isinstance(row, tuple) and len(row) == 4 and row[0] == self.stamps[cid]:
                    found[cid] = row[1:]
        missing = [cid for cid in ids if cid not in found]
        if missing:
            again = self.recompute(missing)
            self.fresh.update(again)
            found.update(again)
        return [found[cid] for cid in ids]

    def obligations(self, ids: list[str], history: bool, done: bool) -> list:
        """The obligations of ``ids`` on this store's day (unsorted); without ``history`` or ``done`` those are left out."""
        return self._on_day(self.kept(ids, done or history), history, done)

    def _on_day(self, kept: list, history: bool, done: bool) -> list:
        """``kept`` obligations derived for this store's day; without ``history`` or ``done`` those left out."""
        from ..obligations.engine import on_day

        return [o for o in map(on_day, kept, repeat(self.today))
                if (history or not o.history) and (done or o.status != "done")]

    def _unpacked(self, blob: bytes) -> list:
        """A stored blob's obligations, their titles put back (shared per rule; nobody mutates them)."""
        if not blob:
            return []
        found = pickle.loads(blob)
        titles, setattr_ = self.titles, object.__setattr__
        for o in found:
            setattr_(o, "titles", titles.get(o.rule, NO_TITLES))
        return found

    def kept(self, ids: list[str], rest: bool) -> list:
        """The obligations of ``ids`` as they were computed, on the first day of their case's window (not
        derived for this store's day: :func:`careerpath.obligations.on_day` does that), case by case in
        ``ids``' order; the open ones only unless ``rest`` (done or history on that day: they stay so on
        every later day of the window, so a later day's open ones are all among the open ones)."""
        found: list = []
        for open_blob, rest_blob, _facts in self.blobs(ids):
            found += self._unpacked(open_blob)
            if rest:
                found += self._unpacked(rest_blob)
        return found


    def each_case(self, ids: Iterable[str], obligations: bool = True) -> Iterator[tuple[str, Any, list]]:
        """(case id, report facts, open obligations on this store's day (no history), sorted) for each of ``ids``, shard by
        shard (not in ``ids``' order): each shard's file is read once, and what is yielded is all that is held.
        The facts are a :class:`careerpath.reports.facts.CaseFacts`, None for a case whose case.yaml did not
        load (its open obligations then hold its ``invalid`` entry). Without ``obligations`` the lists are
        empty but for such a case's."""
        from ..obligations.engine import sort_key

        by_shard: dict[int, list] = {}
        for cid in ids:
            by_shard.setdefault(store.shard_of(cid), []).append(cid)
        for _n, group in sorted(by_shard.items()):
            for cid, (open_blob, _rest, facts_blob) in zip(group, self.blobs(group)):
                facts = pickle.loads(facts_blob) if facts_blob else None
                kept = self._unpacked(open_blob) if obligations or facts is None else []
                found = self._on_day(kept, history=False, done=False)
                found.sort(key=sort_key)
                yield cid, facts, found


def store_obligations(folder: Path, rkey: bytes, live: Iterable[str], rows: dict[str, Any], stats: Stats) -> bool:
    """Write the obligations of ``rows`` ({case id: (stamp, open blob, rest blob, facts blob)}) into their shards;
    a stamp is the case's fingerprint and window, as the root's record of it says. Whether every shard was
    written (the caller keeps what was not).

    Each shard touched is read, cases no longer in the caseload are dropped from it, and it is written back.
    ``live``: the caseload's case ids (a set is used as it is: a cold run calls this once per shard).
    """
    live = live if isinstance(live, (set, frozenset)) else set(live)
    written = True
    by_shard: dict[int, dict] = {}
    for cid, row in rows.items():
        by_shard.setdefault(store.shard_of(cid), {})[cid] = row
    for n, group in by_shard.items():
        path = folder / "results" / f"{n:04d}.pickle"
        part = store.read(path, rkey, stats)
        part = {cid: row for cid, row in part.items() if cid in live} if isinstance(part, dict) else {}
        part.update(group)
        written = store.write(path, rkey, part) and written
    return written
