"""The pipeline: a caseload folder and a day in, diagnostics and obligations out.

    load (loader) -> check (checks) -> compute (obligations)

:func:`due` is the same call narrowed to what ``careerpath due`` lists
(:mod:`careerpath.obligations.query`).

:func:`results` is the one call commands make: every diagnostic, every
obligation and the per-case fingerprints of a caseload for ``today``. With a
:class:`~careerpath.cache.Cache` passed in, it runs through the load cache:
only the cases whose files changed are loaded, checked and computed again,
and obligations are read back only for the cases asked for; the answer is
the one an uncached run gives (tests/test_cache.py). Without one, every file
is read and nothing is written. :func:`load` and :func:`validate` are the
same stages for library callers who want the loaded caseload itself.

The caseload's programs (built in, and its own ``programs/`` folders) flow through
every stage to the obligations engine and into the results key.

Checks and obligations are computed per case (a case plus careerpath.yaml).
A check that relates several cases must say so with ``check.scope =
"caseload"``; cached runs then step aside and check the whole caseload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from . import parallel
from .cache import Cache, Stats
from .cache import records as records_store
from .cache import results as results_store
from .cache import scan as scan_store
from .cache import store as file_store

# the loader, checks and obligations (pydantic, the models) are imported where they are used: a warm
# `due` answers from the results store without them (and a run that will compute imports them early: ready)

KEPT_BYTES = 16 << 20  # obligations computed in a run that are kept in memory as well as stored (issue 22)


def ready() -> None:
    """Import what computing a case takes: pydantic and the models, the loader, the checks, the rules and the
    engine, and read the built-in programs (~0.2 s). A command's :class:`~careerpath.cache.Cache` calls it
    during its scan (its ``ahead``: :func:`careerpath.replay.compute_ahead`) as soon as a case is known to have
    changed, while the scan's forked child goes on statting (both cores busy instead of this after the scan)."""
    from . import checks, daywindow, evidence, freetext, loader, memo, suggest  # noqa: F401
    from .cache import calendars  # noqa: F401
    from .documents import kinds  # noqa: F401  (the checks of a plan's translations ask for the kinds' audiences)
    from .i18n import tags  # noqa: F401
    from .obligations import engine, query  # noqa: F401
    from .programs import constraints, load_programs  # noqa: F401
    from .reports import facts, select  # noqa: F401  (a case's facts, kept with its results)

    load_programs()  # (the built-in folders, parsed once per process)


# ---------------------------------------------------------------- what comes out

@dataclass(frozen=True)
class ConfigSummary:
    """What output needs of careerpath.yaml (the full model is not kept: importing it costs a tenth of a second)."""

    agency: str
    default_language: str
    staff: tuple[str, ...] = ()  # staff ids (filters are checked against them)
    names: tuple[tuple[str, str], ...] = ()  # (staff id, name) for each staff member: tables show names


@dataclass
class Results:
    """A caseload's diagnostics and obligations for one day, as the uncached pipeline gives them.

    ``diagnostics`` equals ``validate(load(root), today)``;
    ``load_diagnostics`` equals ``load(root).diagnostics``;
    ``obligations(history=h)`` equals ``obligations.compute(load(root), today, include_closed_history=h)``.
    Through the cache, obligations are read from the results store only when
    asked for, and only those of the cases asked for.
    """

    diagnostics: list
    load_diagnostics: list
    cases: list[str]
    files: int
    config: ConfigSummary
    fingerprints: dict = field(default_factory=dict, repr=False)  # case id -> what its results were computed from
    stored: Optional[results_store.ObligationStore] = field(default=None, repr=False)  # the cached path
    _all: Optional[list] = field(default=None, repr=False)    # the uncached path keeps the objects

    def obligations(self, *, history: bool = False, done: bool = True, cases: Optional[Iterable[str]] = None) -> list:
        """Sorted obligations; without ``history`` those of closed cases/ended series are left out,
        without ``done`` the done ones (what ``due`` shows by default); ``cases``: only theirs."""
        wanted = None if cases is None else set(cases)
        if self._all is not None:
            found = [o for o in self._all if (history or not o.history) and (done or o.status != "done")
                     and (wanted is None or o.case in wanted)]
        elif self.stored is None:
            raise ValueError("these results were computed without obligations")
        else:
            ids = self.cases if wanted is None else [cid for cid in self.cases if cid in wanted]
            found = self.stored.obligations(ids, history, done)
        if not found:
            return found
        from .obligations import sort_key

        found.sort(key=sort_key)
        return found

    @property
    def cached(self) -> bool:
        return self.stored is not None


# ---------------------------------------------------------------- the public stages

def load(root: Path | str, *, cache: Optional[Cache] = None) -> Any:
    """The caseload at ``root`` (problems in files become diagnostics).

    With ``cache``, unchanged files are not parsed again (the same Caseload,
    diagnostics included); without, every file is read and nothing written.
    """
    from .loader import CaseloadNotFound, load as load_uncached

    root = Path(root)
    if cache is None:
        return load_uncached(root)
    if not root.is_dir():
        raise CaseloadNotFound(f"{root} is not a folder")
    return _load_cached(root, cache)


def load_one(root: Path | str, case_id: str) -> Any:
    """The caseload at ``root`` with only ``case_id``'s folder loaded (plus careerpath.yaml and the programs).

    What one person's commands (``show``, ``render``) need: for that case it
    is what :func:`load` gives, byte for byte in their output
    (tests/test_one_case.py), at the cost of one case at any caseload size.
    ``cases`` is empty when there is no such case folder. Not through the
    cache: parsing one case's dozen files costs less than reading the shard
    of cached records it sits in, and nothing is written. What relates cases
    to each other is not looked at: ``validate`` checks the whole caseload.
    """
    from .loader import load_one as load_one_uncached

    return load_one_uncached(root, case_id)


def evidence(root: Path | str, *, cache: Optional[Cache] = None) -> list:
    """The evidence problems of every case (:func:`careerpath.evidence.check` of :func:`load`), sorted.

    With ``cache``, each case's are found where it is loaded, in the workers, shard by shard, and only they
    come back: the caseload's models are never all held at once (a cold ``validate`` of 20,519 cases held
    them all; docs/performance.md, "Issue 22: memory of a cold run"). The documents are read every time.
    """
    from .evidence import check

    root = Path(root)
    if cache is None:
        return check(load(root))
    from .loader import CaseloadNotFound

    if not root.is_dir():
        raise CaseloadNotFound(f"{root} is not a folder")
    return _evidence_cached(root, cache)


def validate(caseload: Any, today: date) -> list:
    """Every diagnostic of a caseload (loading, schema, references, domain rules), sorted; uncached."""
    from .checks import validate as check
    from .loader import Caseload

    return check(caseload if isinstance(caseload, Caseload) else load(caseload), today)


def results(root: Path | str, today: date, *, cache: Optional[Cache] = None,
            obligations: bool = True) -> Results:
    """Every diagnostic and (unless ``obligations=False``) every obligation of the caseload for ``today``.

    ``cache``: a :class:`~careerpath.cache.Cache` to go through (what it did is
    in ``cache.stats``), or None to read every file and write nothing.
    The rules are those of the caseload's programs (see :mod:`careerpath.programs`).
    """
    root = Path(root)
    if cache is None:
        return _uncached(root, today, obligations)
    return _cached(root, today, obligations, cache)


def due(root: Path | str, today: date, query: Any = None, *, cache: Optional[Cache] = None) -> Any:
    """What ``careerpath due`` lists for ``query`` (a :class:`careerpath.obligations.query.Query`; None:
    the default morning list) on ``today``: a :class:`~careerpath.obligations.query.DueList`.

    ``cache`` as :func:`results` takes it.
    """
    from .obligations.query import Query, due as query_due

    return query_due(results(root, today, cache=cache), today, query if query is not None else Query())


# ---------------------------------------------------------------- uncached

def _uncached(root: Path, today: date, obligations: bool) -> Results:
    from .checks import validate as check
    from .diagnostics import sort_key
    from .loader import load as load_uncached

    caseload = load_uncached(root)
    diags = check(caseload, today)
    book = _book(caseload.programs) if obligations else None
    found = None
    if book is not None:
        from .obligations import compute

        found = compute(caseload, today, include_closed_history=True, rules=book)
    files = sum(1 for case_folder in caseload.cases.values() for _ in case_folder.files()) + (1 if caseload.config_file else 0)
    return Results(diags, sorted(caseload.diagnostics, key=sort_key), sorted(caseload.cases), files, _summary(caseload.config),
                   _all=found or [])


def _summary(config: Any) -> ConfigSummary:
    return ConfigSummary(config.agency or "", config.default_language or "en",
                         tuple(sorted({s.id for s in (config.staff or ())})),
                         tuple(sorted({(s.id, s.name) for s in (config.staff or ())})))


def _book(programs: Any) -> Any:
    """The obligation rule book of ``programs``: every program's rules and the case-wide ones."""
    from .obligations import load_rules

    return load_rules(programs)


# ---------------------------------------------------------------- cached

def _load_cached(root: Path, cache: Cache) -> Any:
    """``loader.load(root)`` through the cache: the same Caseload, unchanged files not parsed again."""
    from .loader import load_case, load_root

    stats, folder, key = cache.stats, cache.folder(root), cache.key_for(root)
    index, dirty = cache.scanned(root)
    stats.cases = len(index.case_ids)
    parts = _run(_tasks(root, folder, key, index, index.case_ids, "load", None, None), stats,
                 parallel.worth_a_pool(len(dirty)))
    loaded: dict[str, tuple] = {}
    for part in parts:
        loaded.update(part)

    def case_loader(root_: Path, case_folder: Path, diags: list, programs: Any = None) -> Any:
        got = loaded.get(case_folder.name)
        if got is None:  # appeared after the scan: load it plainly
            return load_case(root_, case_folder, diags, programs=programs)
        diags.extend(got[1])
        return got[0]

    caseload = load_root(root, case_loader)
    scan_store.save_index(folder, key, index, dirty)
    return caseload


def _evidence_cached(root: Path, cache: Cache) -> list:
    """:func:`evidence` through the cache: the scan and the shards of :func:`_load_cached`, the check in the
    workers."""
    from .diagnostics import sort_key
    from .evidence import check_case
    from .loader import CaseFolder, load_case, load_root

    stats, folder, key = cache.stats, cache.folder(root), cache.key_for(root)
    index, dirty = cache.scanned(root)
    stats.cases = len(index.case_ids)
    found: dict = {}
    for part in _run_each(_tasks(root, folder, key, index, index.case_ids, "evidence", None, None), stats,
                          parallel.worth_a_pool(len(dirty))):
        found.update(part)
    plain: list = []

    def case_loader(root_: Path, case_folder: Path, diags: list, programs: Any = None) -> Any:
        if case_folder.name in found:  # checked in a worker: the listing only needs a folder
            return CaseFolder(case_folder.name, f"cases/{case_folder.name}")
        loaded = load_case(root_, case_folder, diags, programs=programs)  # appeared after the scan
        plain.append(loaded)
        return loaded

    caseload = load_root(root, case_loader)
    out = [d for cid in caseload.cases if cid in found for d in found[cid]]
    for case_folder in plain:
        out.extend(check_case(root, case_folder, caseload.programs))
    scan_store.save_index(folder, key, index, dirty)
    return sorted(out, key=sort_key)


def _cached(root: Path, today: date, obligations: bool, cache: Cache) -> Results:
    """:func:`results` through the cache.

    ``results/root.pickle`` holds, per case, its fingerprint, diagnostics,
    file count and window (the days its results hold for, from the day they
    were computed to the first day they could differ; statuses are derived
    for the day in between); ``results/NNNN.pickle`` its pickled obligations,
    read when :meth:`Results.obligations` asks for them. A case is computed
    again when its files changed or ``today`` is outside its window: on a new
    morning, only the cases whose window ended (a recurring period began, an
    event's or a done date's day came).
    """
    stats = cache.stats
    prepared = cache.prepare(root, today)
    folder, key, rkey, index = prepared.folder, prepared.key, prepared.rkey, prepared.index
    res = results_store.read_root(folder, rkey, stats)
    # case id -> (fp, load diags, check diags, files, obligations stored, window from, window until); the window
    # as ordinals: 20,519 cases' two dates each took ~60 ms to pickle, ints a tenth of it
    meta: dict = res["meta"] if res else {}
    day = today.toordinal()
    root_state = None
    if (res and res.get("cases_key") == index.cases_key and index.cases_key != scan_store.POISON
            and _within(res.get("root_window"), today)):
        root_state, root_window = res["root"], res["root_window"]
    fresh_root = root_state is None

    # the cases to compute: new, changed, without stored obligations when asked for them, or outside their window
    # (one expression, no call per case: 20,519 of them every run)
    need = [cid for cid, fp, m in zip(index.case_ids, index.fps, map(meta.get, index.case_ids))
            if m is None or m[0] != fp or (obligations and not m[4]) or not m[5] <= day < m[6]]
    config = None
    if need or root_state is None:
        from . import checks

        from .programs import load_programs

        code_checks = tuple(c for p in load_programs(root) for c in p.code_checks)
        if any(getattr(c, "scope", "case") != "case" for c in checks.CHECKS + code_checks):
            return _uncached(root, today, obligations)  # a check across cases: no per-case results
        if root_state is None:
            config, root_load, root_checks, until = _root_state(root, today)
            root_state = (_summary(config[0]), tuple(root_load), tuple(root_checks))
            root_window = (today, until)
    titles: dict = dict(res.get("titles", {})) if res else {}
    fps = dict(zip(index.case_ids, index.fps))

    def computed(ids: list[str], mode: str) -> Iterator[dict]:
        """{case id: (fp, load diags, check diags, open blob, rest blob, facts blob, files, until)} for ``ids``,
        computed now, one shard at a time as the workers give them."""
        nonlocal config
        if config is None:  # the workers need careerpath.yaml only
            from .loader import load_config

            config = load_config(root, [])
        in_pool = parallel.worth_a_pool(len(ids))
        # in this process every task can look at the caseload's whole set of live cases; a pool's task is sent
        # its own shard's (a set of 20,519 ids pickled per task)
        for part in _run_each(_tasks(root, folder, key, index, ids, mode, today, config,
                                     None if in_pool else live_ids, fps), stats, in_pool):
            out: dict = {}
            for cid, row in part.items():
                titles.update(row[-1])
                out[cid] = row[:-1]
            yield out

    live_ids = frozenset(index.case_ids)
    # obligations computed now are stored shard by shard as they come; the first KEPT_BYTES of them are also
    # kept to be read from memory (a new day's or an edit's few cases are not read back), the rest are read
    # back from the store when asked for (holding a cold run's every blob cost it hundreds of MiB); those that
    # could not be written (a cache without a key, a full disk) are kept whatever their size
    kept: dict = {}
    room = KEPT_BYTES
    if need:
        for part in computed(need, "obligations" if obligations else "results"):
            rows: dict = {}
            for cid, (fp, ld, cd, open_blob, rest_blob, facts_blob, n, until) in part.items():
                meta[cid] = (fp, ld, cd, n, open_blob is not None, day, until.toordinal())
                if open_blob is not None:
                    rows[cid] = (_stamp(meta[cid]), open_blob, rest_blob, facts_blob)
            if not rows:
                continue
            size = sum(len(row[1]) + len(row[2]) + len(row[3] or b"") for row in rows.values())
            if not results_store.store_obligations(folder, rkey, live_ids, rows, stats) or size <= room:
                kept.update((cid, row[1:]) for cid, row in rows.items())
                room -= size
    live = {cid: meta[cid] for cid in index.case_ids}
    load_diags: set = set(root_state[1])
    check_diags: set = set(root_state[2])
    files = 1 if not prepared.config_bytes.startswith(b"\0missing") else 0
    for _fp, ld, cd, n, *_rest in live.values():
        if ld:
            load_diags.update(ld)
        if cd:
            check_diags.update(cd)
        files += n
    changed = need or fresh_root or len(live) != len(meta)
    if changed:
        results_store.write_root(folder, rkey, {"cases_key": index.cases_key, "root": root_state,
                                                "root_window": root_window, "titles": titles, "meta": live})
    if changed or prepared.span is None:
        # the days every stored result holds for: a later run outside them prepares to compute during its scan
        span = (max([root_window[0].toordinal(), *map(itemgetter(5), live.values())]),
                min([root_window[1].toordinal(), *map(itemgetter(6), live.values())]))
        if span != prepared.span:
            results_store.write_span(folder, rkey, span)
    prepared.save_index()

    stamps = dict(zip(live, map(_stamp, live.values())))

    def recompute(ids: list[str]) -> dict:
        # stored obligations lost or damaged: computed again today, inside each case's window (only cases
        # within it are read from the store), so they are what the window's first day gave: same stamp
        again: dict = {}
        for part in computed(ids, "obligations"):
            again.update(part)
        rows = {cid: again[cid][3:6] for cid in ids}
        results_store.store_obligations(folder, rkey, live_ids, {cid: (stamps[cid], *rows[cid]) for cid in ids}, stats)
        return rows

    from .diagnostics import sort_key

    stored = (results_store.ObligationStore(folder, rkey, today, stamps, titles, kept, recompute, stats)
              if obligations else None)
    found = Results(sorted(load_diags | check_diags, key=sort_key), sorted(load_diags, key=sort_key),
                    list(index.case_ids), files, root_state[0], fps, stored)
    from .collector import leave

    # the scan's index (270,000 paths at 20,519 cases, ~8 ms to free) and the results (every case's stamp, ~12 ms)
    # are kept to the end of a console run, whichever command asked for them
    leave(prepared, found)
    return found


# ---------------------------------------------------------------- the caseload shard by shard

@dataclass
class CaseShards:
    """A caseload to go through one shard of cases at a time (:func:`case_shards`), never all of it at once.

    ``shell`` is the caseload without its cases: careerpath.yaml, the programs,
    the surveys and the diagnostics that belong to no case folder (a case
    folder's own are in its shard); ``ids`` the case folders :func:`load` would
    load, sorted; ``tasks`` the work, one item per shard (in shard order), for
    :func:`shard_cases`, which may run in a worker process; ``size`` how many
    cases the tasks load.
    """

    shell: Any
    ids: list[str]
    tasks: list[tuple]
    size: int = 0


def case_shards(root: Path | str, cache: Cache, today: date, only: Optional[Iterable[str]] = None) -> CaseShards:
    """The caseload at ``root`` ready to be loaded shard by shard through ``cache``
    (:func:`shard_cases`): what :func:`load` gives, case by case, holding one shard's cases at a time.

    ``today``: the day of the :func:`results` call for this root that follows (it takes the scan made
    here, so every file is statted once). ``only``: the tasks load these cases only (``ids`` still lists
    every case folder).
    """
    from .loader import CaseFolder, CaseloadNotFound, load_root

    root = Path(root)
    if not root.is_dir():
        raise CaseloadNotFound(f"{root} is not a folder")
    listed: list[str] = []

    def stub(root_: Path, case_folder: Path, diags: list, programs: Any = None) -> Any:
        listed.append(case_folder.name)  # the folders load_root would load: loaded later, a shard at a time
        return CaseFolder(case_folder.name, f"cases/{case_folder.name}")

    prepared = cache.prepare(root, today, keep=True)
    folder, key, index = prepared.folder, prepared.key, prepared.index
    shell = load_root(root, stub)
    shell.cases = {}
    indexed = set(index.case_ids)
    ids = sorted(listed)
    wanted = None if only is None else set(only)
    chosen = ids if wanted is None else [c for c in ids if c in wanted]
    tasks: list[tuple] = [(task, ()) for task in _tasks(root, folder, key, index, [c for c in chosen if c in indexed],
                                                          "load", None, None)]
    strays = [c for c in chosen if c not in indexed]  # appeared after the scan: loaded plainly, as load does
    if strays:
        tasks.append((None, (root, tuple(strays))))
    return CaseShards(shell, ids, tasks, len(chosen))


def shard_cases(task: tuple) -> dict:
    """One task of :attr:`CaseShards.tasks`: {case id: (CaseFolder, its load diagnostics)} of its cases,
    read from the cache's shard (what changed is loaded again and the shard written back)."""
    shard_task, strays = task
    if shard_task is not None:
        return _work_on_shard(shard_task)[0]
    from .loader import load_case
    from .programs import load_programs

    root, ids = strays
    programs = load_programs(root)
    out: dict = {}
    for cid in ids:
        diags: list = []
        out[cid] = (load_case(root, root / "cases" / cid, diags, programs=programs), diags)
    return out


def iter_cases(shards: CaseShards) -> Iterable[dict]:
    """Each shard's {case id: (CaseFolder, load diagnostics)} in turn, nothing kept between them."""
    for task in shards.tasks:
        yield shard_cases(task)


def _within(window: Any, today: date) -> bool:
    """Whether ``today`` is in a stored window ``(from, until)`` (until excluded)."""
    return isinstance(window, tuple) and len(window) == 2 and window[0] <= today < window[1]


#: what a case's stored obligations are checked against, from its meta row: its fingerprint and window (two
#: ordinals); an itemgetter, so that the stamps of 20,519 cases are made without a Python call each
_stamp = itemgetter(0, 5, 6)


def _checked(caseload: Any, today: date) -> tuple[list, date]:
    """The check diagnostics of ``caseload`` on ``today``, and the first later day they may differ
    (the checks see a :class:`careerpath.daywindow.Day`, which notes what it is compared with)."""
    from .checks import run_checks
    from .daywindow import Window, plain

    window = Window(today)
    found = run_checks(caseload, window.day())
    found = plain(found)  # no Day leaves: what carries the day itself ends the window today
    return found, window.until


def _root_state(root: Path, today: date) -> tuple[tuple, list, list, date]:
    """careerpath.yaml (model, document), the load and check diagnostics that belong to no case folder,
    and the first day after ``today`` those checks may differ."""
    from .loader import load_root

    caseload = load_root(root, None)
    empty = type(caseload)(root, caseload.config, caseload.config_file, {}, [], caseload.programs)
    found, until = _checked(empty, today)
    return ((caseload.config, caseload.config_file), list(caseload.diagnostics),
            list(set(found) - set(caseload.diagnostics)), until)


# ---------------------------------------------------------------- work on groups of cases (one shard each)

def _tasks(root: Path, folder: Path, key: bytes, index: scan_store.Index, wanted: Iterable[str], mode: str,
           today: Optional[date], config: Any, live_ids: Optional[frozenset] = None,
           fps: Optional[dict] = None) -> list[tuple]:
    """One task per shard holding a case of ``wanted``. Each is given the live cases (its shard's records of
    other cases are dropped): ``live_ids`` when given (the caseload's, for tasks run in this process), else
    its own shard's (finding those hashes every case id of the caseload: ~10 ms at 20,519 cases). ``fps``:
    {case id: fingerprint} of ``index`` when the caller has it."""
    fp = fps if fps is not None else dict(zip(index.case_ids, index.fps))
    groups: dict[int, list] = {}
    for cid in wanted:
        groups.setdefault(file_store.shard_of(cid), []).append((cid, fp[cid]))
    if live_ids is not None:
        return [(root, folder, key, n, groups[n], live_ids, mode, today, config) for n in sorted(groups)]
    live: dict[int, set] = {n: set() for n in groups}  # the live cases of each shard worked on
    for cid, n in zip(index.case_ids, file_store.shards_of(index.case_ids)):
        if n in live:
            live[n].add(cid)
    return [(root, folder, key, n, groups[n], live[n], mode, today, config) for n in sorted(groups)]


def _run(tasks: list[tuple], stats: Stats, in_pool: bool) -> list[dict]:
    """Each task's output, on both cores when ``in_pool``; what the workers did is added to ``stats``."""
    return list(_run_each(tasks, stats, in_pool))


def _run_each(tasks: list[tuple], stats: Stats, in_pool: bool) -> Iterator[dict]:
    """Each task's output in order, as it comes (on both cores when ``in_pool``); what the workers did is
    added to ``stats``."""
    if in_pool and len(tasks) > 1:
        stats.parallel = True
        done = parallel.pool_each(_work_on_shard, tasks)
    else:
        done = map(_work_on_shard, tasks)
    for out, worker_stats in done:
        stats.add(worker_stats)
        yield out


def _work_on_shard(task: tuple) -> tuple[dict, Stats]:
    """One shard's cases: load them (reusing the cache) and compute what ``mode`` asks.

    mode "load": returns {case_id: (CaseFolder, load diagnostics)};
    mode "evidence": returns {case_id: its evidence problems (:func:`careerpath.evidence.check_case`)};
    mode "results" / "obligations": returns {case_id: (fp, load diagnostics, check diagnostics,
    open obligations, other obligations, report facts, files, until, titles)} for ``today`` (obligations and facts
    None in "results";
    until: the first day after ``today`` on which they may differ).
    Writes the shard back when anything in it changed, dropping cases gone from ``live``.
    """
    from .evidence import check_case
    from .programs import load_programs

    root, folder, key, shard, cases, live, mode, today, config = task
    programs = load_programs(root)
    stats = Stats()
    computes = mode in ("results", "obligations")
    if computes:  # working-day calendars known from an earlier run: no import of the holidays package
        from .cache import calendars
        from .obligations import dates

        known = calendars.read(folder, key, stats)  # (the key holds the holidays package's: store.code_key)
        dates.seed_calendars(known)
    records = records_store.read_shard(folder, key, shard, stats)
    racy_after = scan_store.racy_after()
    out: dict = {}
    changed = False
    for case_id, fp in cases:
        old = records.get(case_id)
        rec = _load_one(root, case_id, fp, old, racy_after, stats, programs)
        if rec is not old:
            changed = True
            records[case_id] = rec
        if mode == "load":
            out[case_id] = (rec.folder, rec.diags)
        elif mode == "evidence":
            out[case_id] = tuple(check_case(root, rec.folder, programs))
        else:
            out[case_id] = (fp, *_case_results(root, config, rec, today, programs, mode == "obligations"))
            stats.recomputed += 1
    stale = [k for k in records if k not in live]
    for k in stale:
        del records[k]
    if changed or stale:
        records_store.write_shard(folder, key, shard, records)
    if computes:
        seen = dates.calendars_seen()
        if not seen.keys() <= known.keys():
            calendars.write(folder, key, {**known, **seen})
    return out, stats


def _load_one(root: Path, case_id: str, fp: bytes, old: Optional[records_store.CaseRecord], racy_after: int,
              stats: Stats, programs: Any = None) -> records_store.CaseRecord:
    """Load one case folder, reusing its record when the fingerprint matches, else its unchanged files."""
    from .loader import load_case

    if old is not None and old.fp == fp:
        records_store.reroot(root, old.folder.files())
        stats.reused += len(old.files)
        return old
    files = records_store.Files(root, old, racy_after, stats)
    diags: list = []
    case_folder = load_case(root, root / "cases" / case_id, diags, files, programs=programs)
    return records_store.CaseRecord(fp, case_folder, diags, files.new)


def _case_files(case_id: str, diags: Iterable) -> list:
    prefix = f"cases/{case_id}/"
    return [d for d in diags if d.file.startswith(prefix) or d.file == f"cases/{case_id}"]


def _case_results(root: Path, config: tuple, rec: records_store.CaseRecord, today: date, programs: Any,
                  want_obligations: bool) -> tuple:
    """One case's (load diagnostics, check diagnostics, open obligations, the others, report facts, files, until,
    titles); obligations as :func:`careerpath.cache.results.pack` stores them, facts as :func:`_facts`; until: the
    first day after ``today`` on which the checks, the obligations (beyond their statuses) or the facts may differ."""
    from .loader import Caseload

    config_model, config_file = config   # careerpath.yaml: its model and its parsed file
    case_id = rec.folder.id
    caseload = Caseload(root, config_model, config_file, {case_id: rec.folder}, list(rec.diags), programs)
    found_checks, until = _checked(caseload, today)
    checks = tuple(set(_case_files(case_id, found_checks)) - set(rec.diags))
    open_blob = rest_blob = None  # None: not computed (validate does not need them)
    titles: dict = {}
    book = _book(programs) if want_obligations else None
    if want_obligations and book is None:
        open_blob = rest_blob = b""  # no obligations engine: none due
    facts_blob = None
    if book is not None:
        from .obligations import case_window

        found, lasts = case_window(rec.folder, book, config_model.settings, today, config_file, rec.diags)
        until = min(until, lasts)
        open_blob, rest_blob, titles = results_store.pack(found)
    if want_obligations:
        facts_blob, lasts = _facts(rec.folder, programs, today)
        until = min(until, lasts)
    return (tuple(rec.diags), checks, open_blob, rest_blob, facts_blob, sum(1 for _ in rec.folder.files()), until,
            titles)


def _facts(case_folder: Any, programs: Any, today: date) -> tuple[bytes, date]:
    """What the caseload reports count of one case (:mod:`careerpath.reports.facts`), pickled, and the first
    day after ``today`` on which it may differ (a program's stages compare dates with the day)."""
    import pickle

    from .daywindow import Window
    from .reports.facts import of_case

    window = Window(today)
    facts = of_case(case_folder, programs, window.day())
    blob = pickle.dumps(facts, pickle.HIGHEST_PROTOCOL)  # a Day left in the facts ends the window today
    return blob, window.until


__all__ = ["Cache", "CaseShards", "ConfigSummary", "Results", "Stats", "case_shards", "due", "evidence", "iter_cases",
           "load", "load_one", "results", "shard_cases", "validate"]
