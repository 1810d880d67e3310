"""The load cache gives exactly what an uncached run gives, after every kind of change.

Each test builds a caseload, runs through the cache, changes something, and
compares the cached result (diagnostics, load diagnostics, every obligation with
its file:line, counts) with a run that reads every file again. The ``Stats``
of the :class:`~careerpath.cache.Cache` passed in (for a command: ``Result.stats``)
show the cache was really used (files reused, not parsed).
"""

from __future__ import annotations

import os
import pickle
import re
import shutil
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from conftest import ROOT, SAMPLE, TODAY

sys.path.insert(0, str(ROOT / "benchmarks"))

from careerpath import parallel, pipeline  # noqa: E402
from careerpath.cache import Cache, scan, store  # noqa: E402
from careerpath.checks import validate  # noqa: E402
from careerpath.cli import views  # noqa: E402
from careerpath.loader import load  # noqa: E402
from careerpath.yamlfile import LazyPositions, read_file, resolve_plain  # noqa: E402

N_CASES = 12


@pytest.fixture(autouse=True)
def trust_fresh_files(monkeypatch, tmp_path):
    """Files written by a test are seconds old: trust them (racy-git checks are tested on their own)."""
    monkeypatch.setattr(scan, "RACY_NS", 0)
    monkeypatch.setenv("CAREERPATH_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def generated(tmp_path):
    from make_caseload import generate

    root = tmp_path / "gen"
    generate(str(root), N_CASES, 5, TODAY)
    return root


def outputs(root: Path, use_cache: bool) -> tuple:
    """What the pipeline gives for ``root`` (through a fresh Cache, or none), and that Cache's Stats."""
    handle = Cache() if use_cache else None
    r = pipeline.results(root, TODAY, cache=handle)
    return ([d.to_dict() for d in r.diagnostics], [d.to_dict() for d in r.load_diagnostics],
            [o.to_dict() for o in r.obligations(history=True)],
            [o.to_dict() for o in r.obligations(history=False, done=False)], r.files, r.cases, r.config), \
        handle.stats if handle else None


def same_as_uncached(root: Path) -> tuple:
    cached, stats = outputs(root, True)
    assert cached == outputs(root, False)[0]
    return cached, stats


def grow(path: Path, text: str = "\n# edited\n") -> None:
    """An edit that changes the size (an edit in the same clock tick is caught by the size)."""
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_uncached_results_are_the_plain_pipeline(generated):
    r = pipeline.results(generated, TODAY)
    assert r.diagnostics == validate(load(generated), TODAY)
    assert r.load_diagnostics == sorted(load(generated).diagnostics, key=lambda d: (d.file, d.line, d.column, d.code, d.message))
    from careerpath.obligations import compute

    assert [o.to_dict() for o in r.obligations(history=True)] == \
        [o.to_dict() for o in compute(load(generated), TODAY, include_closed_history=True)]
    assert [o.to_dict() for o in r.obligations()] == [o.to_dict() for o in compute(load(generated), TODAY)]


def test_the_generated_caseload_validates_clean(generated):
    assert validate(load(generated), TODAY) == []


def test_cold_then_warm_equals_uncached_and_warm_parses_nothing(generated):
    first, stats = same_as_uncached(generated)
    assert stats.parsed > 0 and stats.recomputed == N_CASES
    second, stats = same_as_uncached(generated)
    assert second == first
    assert (stats.parsed, stats.rescanned, stats.recomputed) == (0, 0, 0)


def test_samples_through_the_cache():
    first, _ = same_as_uncached(SAMPLE)
    second, stats = same_as_uncached(SAMPLE)
    assert second == first and stats.parsed == 0


def test_editing_one_file_reparses_only_that_file(generated):
    same_as_uncached(generated)
    event = sorted((generated / "cases" / "c000003" / "events").iterdir())[0]
    grow(event, "\nsummary2: a typo'd field\n")
    result, stats = same_as_uncached(generated)
    assert (stats.rescanned, stats.parsed, stats.recomputed) == (1, 1, 1)
    assert any(d["code"] == "unknown-key" and d["file"].endswith(event.name) for d in result[0])


def test_an_edit_keeping_size_but_not_mtime_is_seen(generated):
    same_as_uncached(generated)
    case = generated / "cases" / "c000002" / "case.yaml"
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("status: active", "status: closed", 1) if "status: active" in text
                    else text.replace("status: closed", "status: active", 1), encoding="utf-8")
    st_ = case.stat()
    os.utime(case, ns=(st_.st_atime_ns, st_.st_mtime_ns + 1_000_000_000))
    result, stats = same_as_uncached(generated)
    assert stats.parsed == 1
    assert any(d["code"] == "closure-mismatch" for d in result[0])


def test_adding_deleting_renaming_files_and_cases(generated):
    same_as_uncached(generated)
    events = generated / "cases" / "c000004" / "events"
    events.mkdir(exist_ok=True)
    (events / "2026-11-20-note.yaml").write_text("date: 2026-11-20\ntype: note\nsummary: added\n", encoding="utf-8")
    _, stats = same_as_uncached(generated)
    assert stats.parsed == 1
    victim = sorted((generated / "cases" / "c000005").rglob("*.yaml"))[-1]
    victim.unlink()
    same_as_uncached(generated)
    some = sorted((generated / "cases" / "c000006" / "events").iterdir())[0]
    some.rename(some.with_name("2020-01-01-renamed.yaml"))  # the date in the name now differs
    result, _ = same_as_uncached(generated)
    assert any(d["code"] == "file-name" and "renamed" in d["file"] for d in result[0])
    shutil.copytree(generated / "cases" / "c000007", generated / "cases" / "copied")
    result, _ = same_as_uncached(generated)
    assert "copied" in result[5] and any(d["code"] == "case-id-mismatch" for d in result[0])
    shutil.rmtree(generated / "cases" / "c000008")
    result, _ = same_as_uncached(generated)
    assert "c000008" not in result[5]


def test_changing_a_setting_recomputes_every_case(generated):
    same_as_uncached(generated)
    config = generated / "careerpath.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("warn_days: 30", "warn_days: 90"), encoding="utf-8")
    result, stats = same_as_uncached(generated)
    assert stats.recomputed == N_CASES and stats.parsed == 0  # files are reused, results are not
    assert any(o["status"] == "due-soon" for o in result[2])


def test_validate_then_due_computes_obligations_once(generated):
    handle = Cache()
    validated = pipeline.results(generated, TODAY, cache=handle, obligations=False)
    assert handle.stats.recomputed == N_CASES
    with pytest.raises(ValueError):
        validated.obligations()
    same_as_uncached(generated)  # due: computes the obligations the validate run skipped
    _, stats = same_as_uncached(generated)
    assert stats.recomputed == 0
    handle = Cache()
    again = pipeline.results(generated, TODAY, cache=handle, obligations=False)
    assert handle.stats.recomputed == 0 and again.diagnostics == validated.diagnostics


def test_a_new_day_recomputes_only_the_cases_whose_window_ended(generated):
    """tests/test_new_day.py has the full property; here: the cached results of a later day are the
    uncached ones, and a day inside every case's window recomputes nothing."""
    same_as_uncached(generated)
    from datetime import timedelta

    handle = Cache()
    pipeline.results(generated, TODAY + timedelta(days=1), cache=handle)
    assert handle.stats.recomputed < N_CASES
    handle = Cache()
    later = pipeline.results(generated, TODAY + timedelta(days=40), cache=handle)
    assert 0 < handle.stats.recomputed  # a new month began: the monthly series moved
    uncached = pipeline.results(generated, TODAY + timedelta(days=40))
    assert [d.to_dict() for d in later.diagnostics] == [d.to_dict() for d in uncached.diagnostics]
    assert [o.to_dict() for o in later.obligations(history=True)] == \
        [o.to_dict() for o in uncached.obligations(history=True)]


def test_changing_a_caseload_program_changes_the_result(generated):
    from toy_program import TOY_RULES, add_toy

    first, _ = same_as_uncached(generated)
    folder = add_toy(generated, rules=TOY_RULES.replace("every: 1w", "every: 2w"))
    text = (generated / "cases/c000003/case.yaml").read_text(encoding="utf-8")
    (generated / "cases/c000003/case.yaml").write_text(
        text.replace("enrollments:\n", "enrollments:\n  xx-toy:\n    joined: 2026-01-05\n", 1), encoding="utf-8")
    second, _ = same_as_uncached(generated)
    assert [o for o in second[2] if o["program"] == "xx-toy"] and second[2] != first[2]
    (folder / "rules.yaml").write_text(TOY_RULES, encoding="utf-8")  # every week now: more occurrences
    third, stats = same_as_uncached(generated)
    assert stats.recomputed == N_CASES  # a program's rules changed: every case is computed again
    toy = lambda r: [o for o in r[2] if o["program"] == "xx-toy"]  # noqa: E731
    assert len(toy(third)) > len(toy(second))


def test_code_key_follows_the_package_rule_files(tmp_path, monkeypatch):
    pkg = tmp_path / "pkg"
    (pkg / "rules").mkdir(parents=True)
    (pkg / "rules" / "x.yaml").write_text("a: 1\n")
    monkeypatch.setattr(store, "_PACKAGE", pkg)
    before = store.code_key()
    (pkg / "rules" / "x.yaml").write_text("a: 2\n")
    assert store.code_key() != before


def test_the_cache_key_follows_a_caseloads_program_folders(generated):
    from toy_program import TOY_PROGRAM, add_toy

    before = store.caseload_key(b"k", generated)
    folder = add_toy(generated)
    with_toy = store.caseload_key(b"k", generated)
    (folder / "program.yaml").write_text(TOY_PROGRAM.replace("max: 52", "max: 53"), encoding="utf-8")
    assert len({before, with_toy, store.caseload_key(b"k", generated)}) == 3


@pytest.mark.parametrize("name,damage", [("index.pickle", "truncate"), ("results/root.pickle", "truncate"),
                                         ("shard", "truncate"), ("index.pickle", "garbage"),
                                         ("results", "foreign"), ("shard", "foreign")])
def test_a_damaged_cache_file_is_discarded_and_rebuilt(generated, name, damage):
    first, _ = same_as_uncached(generated)
    cdir = store.cache_dir(generated)
    path = (next((cdir / "shards").iterdir()) if name == "shard" else
            sorted((cdir / "results").glob("[0-9]*.pickle"))[0] if name == "results" else cdir / name)
    blob = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(blob[: len(blob) // 2])
    elif damage == "garbage":
        path.write_bytes(blob[:60] + b"\0" * (len(blob) - 60))
    else:  # another version's file: same magic, another key
        path.write_bytes(store.MAGIC + b"\1" * 16 + blob[len(store.MAGIC) + 16:])
    if name == "shard":  # shards are read when cases are computed again: a setting changes
        grow(generated / "careerpath.yaml")
        first, _ = same_as_uncached(generated)
        path.write_bytes(blob[: len(blob) // 2])
        grow(generated / "careerpath.yaml", "# again\n")
    second, stats = same_as_uncached(generated)
    if name != "shard":
        assert second == first
    assert path.name in stats.discarded
    third, stats = same_as_uncached(generated)  # and rebuilt
    assert third == second and not stats.discarded and stats.parsed == 0


def test_a_cache_file_that_unpickles_to_nonsense_is_ignored(generated):
    first, _ = same_as_uncached(generated)
    cdir = store.cache_dir(generated)
    store.write(cdir / "index.pickle", store.code_key(), {"not": "an index"})
    store.write(cdir / "results" / "root.pickle", b"x" * 16, ["nonsense"])
    second, _ = same_as_uncached(generated)
    assert second == first


def test_cached_diagnostics_are_shown_again(cli, caseload, monkeypatch):
    root = caseload({
        "cases/a/case.yaml": """\
            id: a
            person: {name: Test Person, language: en}
            identifiers: {snils: "112-233-445 96"}
            enrollments: {}
            colour: blue
        """,
        "cases/a/events/2026-01-05-note.yaml": "date: 2026-01-05\ntype: note\nby: nobody\n",
    })
    first = cli("validate", "--caseload", root, "--today", TODAY)
    second = cli("validate", "--caseload", root, "--today", TODAY)
    assert first.code == second.code == 1
    assert first.out == second.out
    for code in ("snils-check", "unknown-key", "unknown-staff"):
        assert code in second.out
    assert second.stats.parsed == 0  # the second run read nothing again
    # positions are exact on the cached run: the snils line, the unknown key's line
    assert "case.yaml:3:" in second.out and "case.yaml:5:1" in second.out
    assert cli("--no-cache", "validate", "--caseload", root, "--today", TODAY).out == second.out


def test_library_calls_write_nothing_unless_given_a_cache(caseload, monkeypatch, tmp_path):
    """careerpath.load/validate and pipeline.results without a Cache leave every folder as it was."""
    import careerpath

    monkeypatch.delenv("CAREERPATH_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    root = caseload({"cases/a/case.yaml": "id: a\nperson: {name: P, language: en}\n"})
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    assert careerpath.load(root).cases and careerpath.validate(root, TODAY) is not None
    assert pipeline.results(root, TODAY).cases == ["a"]
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before and not (tmp_path / "xdg").exists()
    pipeline.results(root, TODAY, cache=Cache())  # the same call with a Cache writes one
    assert (root / ".careerpath" / "cache" / "index.pickle").is_file()


def test_the_default_place_is_inside_the_caseload_and_git_ignored(caseload, monkeypatch):
    monkeypatch.delenv("CAREERPATH_CACHE_DIR")
    root = caseload({"cases/a/case.yaml": "id: a\nperson: {name: P, language: en}\n"})
    pipeline.results(root, TODAY, cache=Cache())
    assert (root / ".careerpath" / "cache" / "index.pickle").is_file()
    mode = (root / ".careerpath" / "cache" / "index.pickle").stat().st_mode & 0o777
    assert mode == 0o600  # case data: private
    from careerpath.scaffold import GITIGNORE

    assert ".careerpath/" in GITIGNORE.splitlines()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_caseload_caches_under_the_user_cache_dir(caseload, monkeypatch, tmp_path):
    monkeypatch.delenv("CAREERPATH_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    root = caseload({"cases/a/case.yaml": "id: a\nperson: {name: P, language: en}\n"})
    os.chmod(root, 0o555)
    try:
        pipeline.results(root, TODAY, cache=Cache())
    finally:
        os.chmod(root, 0o755)
    assert not (root / ".careerpath").exists()
    assert list((tmp_path / "xdg" / "careerpath").iterdir())


def test_a_read_only_caseload_falls_back(caseload, monkeypatch, tmp_path):
    """As root a read-only folder is writable; make the local place unusable instead."""
    monkeypatch.delenv("CAREERPATH_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    root = caseload({"cases/a/case.yaml": "id: a\nperson: {name: P, language: en}\n"})
    (root / ".careerpath").write_text("a file where the folder would go")
    pipeline.results(root, TODAY, cache=Cache())
    assert list((tmp_path / "xdg" / "careerpath").iterdir())


def test_files_changed_just_before_the_scan_are_checked_again(generated, monkeypatch):
    monkeypatch.setattr(scan, "RACY_NS", 10**18)  # everything counts as just written
    same_as_uncached(generated)
    _, stats = same_as_uncached(generated)
    assert stats.rescanned == N_CASES and stats.reused == 0  # nothing trusted, nothing wrong


def test_symlinked_entries_are_never_cached(generated):
    if not hasattr(os, "symlink"):
        pytest.skip("no symlinks")
    events = generated / "cases" / "c000009" / "events"
    events.mkdir(exist_ok=True)
    target = sorted((generated / "cases" / "c000010").rglob("*.yaml"))[0]
    (events / "2026-11-01-linked.yaml").symlink_to(target)
    same_as_uncached(generated)
    _, stats = same_as_uncached(generated)
    assert stats.rescanned == 1


def test_both_cores_give_the_same_result(generated, monkeypatch):
    serial, _ = same_as_uncached(generated)
    shutil.rmtree(store.cache_dir(generated))
    monkeypatch.setattr(parallel, "PARALLEL_MIN_CASES", 1)
    monkeypatch.setattr(scan, "PARALLEL_MIN_ENTRIES", 1)
    monkeypatch.setattr(parallel, "WORKERS", 2)
    pooled, stats = same_as_uncached(generated)  # the uncached side uses the pool too
    assert stats.parallel and pooled == serial
    grow(sorted((generated / "cases" / "c000010").rglob("*.yaml"))[0])
    again, stats = same_as_uncached(generated)  # the forked stat check
    assert stats.rescanned == 1


def _entries(root: Path) -> tuple[list[str], bytes]:
    """Every file under ``root`` (relative paths) and its stat key now."""
    paths = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    return paths, b"".join(scan.KEY.pack(st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)
                           for st in (os.stat(root / p) for p in paths))


def _forked(monkeypatch, chunk: int = 2) -> None:
    """The scan of a few entries as of a large caseload: a forked child, pieces of ``chunk`` entries."""
    monkeypatch.setattr(scan, "PARALLEL_MIN_ENTRIES", 1)
    monkeypatch.setattr(scan, "CHUNK", chunk)
    monkeypatch.setattr(parallel, "WORKERS", 2)


def _grown(root: Path, paths: list[str], at: list[int]) -> list[int]:
    """Grow the entries at ``at`` (indices into ``paths``); their sorted indices."""
    chosen = sorted(set(at))
    for i in chosen:
        grow(root / paths[i])
    return chosen


@pytest.mark.parametrize("chunk", [1, 3, 7, 64])
def test_claimed_pieces_find_every_change(generated, monkeypatch, chunk):
    """Two processes claim pieces of the entries from either end: every changed entry is found once, whatever
    the piece size, with changes in the first, the last and a middle piece, and none when none changed."""
    _forked(monkeypatch, chunk)
    paths, keys = _entries(generated)
    stats = store.Stats()
    assert scan._changed_entries(str(generated), paths, keys, stats) == [] and stats.parallel
    chosen = _grown(generated, paths, [0, 1, len(paths) // 2, len(paths) - 2, len(paths) - 1])
    assert scan._changed_entries(str(generated), paths, keys, stats) == chosen


def test_a_failed_stat_child_is_done_again_here(generated, monkeypatch):
    """A child that dies before it reports: this process stats every piece it did not claim itself."""
    _forked(monkeypatch, 5)
    paths, keys = _entries(generated)
    chosen = _grown(generated, paths, [2, len(paths) // 3, len(paths) - 1])

    class Broken:  # the child's report cannot be made: it exits 1 (the parent only loads)
        loads = staticmethod(__import__("marshal").loads)

        @staticmethod
        def dumps(_value):
            raise OSError("no report")

    monkeypatch.setattr(scan, "marshal", Broken)
    assert scan._changed_entries(str(generated), paths, keys, store.Stats()) == chosen


def test_no_fork_means_one_process_stats_everything(generated, monkeypatch):
    """A process limit (fork fails) or no memory for the claims: the entries are statted here, all of them."""
    _forked(monkeypatch)
    paths, keys = _entries(generated)
    chosen = _grown(generated, paths, [0, len(paths) // 2, len(paths) - 1])

    def refused(*_args):
        raise OSError(11, "Resource temporarily unavailable")

    for name in ("fork", "pipe"):
        with monkeypatch.context() as m:
            m.setattr(scan.os, name, refused)
            stats = store.Stats()
            assert scan._changed_entries(str(generated), paths, keys, stats) == chosen and not stats.parallel


def test_ahead_runs_once_while_the_child_stats_and_only_after_a_change(generated, monkeypatch):
    """A cache's ``ahead`` (the imports a recompute needs) runs once in the scanning process when an entry
    changed or a case was added, never on a run where nothing changed; one that fails changes nothing."""
    _forked(monkeypatch)
    calls = []

    def ahead():
        calls.append(os.getpid())

    def run(**kw):
        handle = Cache(ahead=kw.get("ahead", ahead))
        got = pipeline.results(generated, TODAY, cache=handle)
        assert [o.to_dict() for o in got.obligations(history=True)] == \
            [o.to_dict() for o in pipeline.results(generated, TODAY).obligations(history=True)]
        return handle.stats

    run()
    assert calls == []  # the first run: no index to compare with, nothing to do ahead
    run()
    assert calls == []  # nothing changed
    grow(sorted((generated / "cases" / "c000007").rglob("*.yaml"))[-1])
    assert run().rescanned == 1 and calls == [os.getpid()]
    shutil.copytree(generated / "cases" / "c000003", generated / "cases" / "c000099")
    run()
    assert calls == [os.getpid()] * 2

    def broken():
        raise RuntimeError("ahead failed")

    grow(sorted((generated / "cases" / "c000002").rglob("*.yaml"))[0])
    assert run(ahead=broken).rescanned == 1


def _stats_here(monkeypatch, pieces_only: bool = False, slow_child: float = 0.0) -> list:
    """A list that gets this process's id at each of its ``_stat_range`` calls (with ``pieces_only``, those of
    the pieces it claims); the child's calls go to its own copy of the list. ``slow_child``: seconds the stat
    child waits before each piece, so that this process surely claims its first piece before the child, which
    takes them from the other end, comes to it (on a busy machine it may otherwise claim them all)."""
    seen: list = []
    real = scan._stat_range
    here = os.getpid()

    def counting(*args):
        if not pieces_only or sys._getframe(1).f_code.co_name == "_claim":
            seen.append(os.getpid())
            if slow_child and os.getpid() != here:
                time.sleep(slow_child)
        return real(*args)

    monkeypatch.setattr(scan, "_stat_range", counting)
    return seen


def test_ahead_at_once_after_a_run_that_could_not_key_a_case(generated, monkeypatch):
    """A case whose file was too fresh to key last run is computed again whatever the scan finds: ``ahead``
    runs before this process stats its first piece, not when the scan comes to that case."""
    _forked(monkeypatch)
    pipeline.results(generated, TODAY, cache=Cache())
    statted = _stats_here(monkeypatch)
    when: list = []

    def run():
        handle = Cache(ahead=lambda: when.append(statted.count(os.getpid())))
        statted.clear()
        pipeline.results(generated, TODAY, cache=handle)
        return handle.stats

    edited = sorted((generated / "cases" / "c000006").rglob("*.yaml"))[-1]
    grow(edited)
    real_key = scan.stat_key
    # the edited file (only it: not cases/, not its folder) as a write in the same clock tick as the scan
    monkeypatch.setattr(scan, "stat_key", lambda st, racy: scan.POISON if st.st_ino == edited.stat().st_ino
                        else real_key(st, racy))
    run()
    assert len(when) == 1
    monkeypatch.setattr(scan, "stat_key", real_key)
    assert run().recomputed >= 1 and when[1:] == [0]
    run()  # keyed now: nothing to do ahead
    assert len(when) == 2


def test_a_case_changed_lately_is_looked_at_first(generated, monkeypatch):
    """The cases changed since the index was written (its delta) are statted before the pieces: editing one of
    them again runs ``ahead`` before this process claimed a piece; what is found still comes from the pieces."""
    _forked(monkeypatch, 4)
    pipeline.results(generated, TODAY, cache=Cache())
    claimed = _stats_here(monkeypatch, pieces_only=True, slow_child=0.05)
    when: list = []

    def run():
        handle = Cache(ahead=lambda: when.append(claimed.count(os.getpid())))
        claimed.clear()
        got = pipeline.results(generated, TODAY, cache=handle)
        assert [o.to_dict() for o in got.obligations(history=True)] == \
            [o.to_dict() for o in pipeline.results(generated, TODAY).obligations(history=True)]
        return handle.stats

    edited = sorted((generated / "cases" / "c000006").rglob("*.yaml"))[-1]
    grow(edited)
    assert run().rescanned == 1 and len(when) == 1  # found by the pieces: c000006 is now in the delta
    grow(edited)
    assert run().rescanned == 1 and when[1] == 0  # again: known before any piece
    grow(sorted((generated / "cases" / "c000001").glob("*.yaml"))[0])  # not lately: in this process's first piece
    assert run().rescanned == 1 and when[2] >= 1


def test_a_day_outside_the_stored_span_prepares_at_once(generated, monkeypatch):
    """``results/span.pickle``: the days every stored result holds for. A run on a day inside it computes
    nothing and does nothing ahead; on a day outside it ``ahead`` runs (during the scan) and the results are
    still the uncached ones."""
    from datetime import timedelta

    from careerpath.cache import results as results_store

    _forked(monkeypatch)
    calls = []
    pipeline.results(generated, TODAY, cache=Cache())
    inside = outside = 0
    for step in range(0, 120, 9):
        day = TODAY + timedelta(days=step)
        handle = Cache(ahead=lambda: calls.append(day))
        prepared = handle.prepare(generated, day, keep=True)  # (the scan the results call takes, as the CLI does)
        span = prepared.span
        assert span is not None
        got = pipeline.results(generated, day, cache=handle)
        assert [o.to_dict() for o in got.obligations(history=True)] == \
            [o.to_dict() for o in pipeline.results(generated, day).obligations(history=True)]
        if span[0] <= day.toordinal() < span[1]:
            inside += 1
            assert handle.stats.recomputed == 0 and day not in calls
        else:
            outside += 1
            assert calls.count(day) == 1
        after = results_store.read_span(handle.folder(generated), prepared.rkey, handle.stats)
        assert after[0] <= day.toordinal() < after[1]
        assert after == _span_of(handle, generated, prepared.rkey)
    assert inside and outside
    # the case whose window ends first removed: the span is that of the cases left (written with the results)
    res = results_store.read_root(handle.folder(generated), prepared.rkey, handle.stats)
    first = min(res["meta"], key=lambda cid: (res["meta"][cid][6], cid))
    before = results_store.read_span(handle.folder(generated), prepared.rkey, handle.stats)
    shutil.rmtree(generated / "cases" / first)
    handle = Cache()
    prepared = handle.prepare(generated, day, keep=True)
    pipeline.results(generated, day, cache=handle)
    after = results_store.read_span(handle.folder(generated), prepared.rkey, handle.stats)
    assert after == _span_of(handle, generated, prepared.rkey) and after != before


def _span_of(handle, root: Path, rkey: bytes) -> tuple[int, int]:
    """The span derived from ``results/root.pickle``: the latest window start, the first window end."""
    from careerpath.cache import results as results_store

    res = results_store.read_root(handle.folder(root), rkey, handle.stats)
    starts = [m[5] for m in res["meta"].values()] + [res["root_window"][0].toordinal()]
    ends = [m[6] for m in res["meta"].values()] + [res["root_window"][1].toordinal()]
    return max(starts), min(ends)


def test_a_commands_cache_prepares_to_compute():
    """What a command's scan does ahead (the CLI's cache and the start-up path's): the imports of a recompute
    and the built-in programs (pipeline.ready); a library caller's Cache() does nothing ahead."""
    import subprocess

    from careerpath.cli.base import Globals, cache_of
    from careerpath.replay import compute_ahead

    class Ctx:
        obj = Globals()

        def find_root(self):
            return self

    assert cache_of(Ctx()).ahead is compute_ahead and Cache().ahead is None  # (the start-up path's: test_replay.py)
    code = ("import sys\nfrom careerpath.replay import compute_ahead\ncompute_ahead()\n"
            "from careerpath.programs import registry\n"
            "print(all(m in sys.modules for m in ('pydantic', 'careerpath.loader', 'careerpath.checks', "
            "'careerpath.obligations.engine')) and bool(registry._BUILTIN_CACHE))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"


def test_load_through_the_cache_is_load(generated):
    plain = pipeline.load(generated)
    for _ in range(2):
        handle = Cache()
        cached = pipeline.load(generated, cache=handle)
        assert cached.diagnostics == plain.diagnostics
        assert sorted(cached.cases) == sorted(plain.cases)
        for cid, cf in plain.cases.items():
            other = cached.cases[cid]
            assert [d.file for d in other.files()] == [d.file for d in cf.files()]
            assert [d.model for d in other.files()] == [d.model for d in cf.files()]
    assert handle.stats.parsed == 0


def test_lazy_positions_equal_the_full_parse(generated):
    for path in sorted(generated.rglob("*.yaml"))[:60]:
        rel = path.relative_to(generated).as_posix()
        fast = read_file(path, rel, fast=True)
        full = read_file(path, rel)
        assert isinstance(fast.positions, LazyPositions) and not fast.positions.loaded
        assert fast.data == full.data
        assert fast.positions.values == full.positions.values and fast.positions.keys == full.positions.keys
        # and it survives pickling (the cache stores it unloaded)
        again = pickle.loads(pickle.dumps(read_file(path, rel, fast=True).positions))
        assert again.values == full.positions.values


def test_fast_path_falls_back_for_problem_files(tmp_path):
    for text in ("a: 1\na: 2\n", "a: !!python/object:os.system x\n", "<<: {a: 1}\n", "a: [" * 70 + "]" * 70 + "\n"):
        path = tmp_path / "x.yaml"
        path.write_text(text)
        fast, full = read_file(path, "x.yaml", fast=True), read_file(path, "x.yaml")
        assert fast.diagnostics == full.diagnostics and fast.diagnostics
        assert not isinstance(fast.positions, LazyPositions)


# the YAML 1.2 core schema rule by rule: the specification resolve_plain's one pattern must follow
# (https://yaml.org/spec/1.2.2/#1032-tag-resolution)
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT10 = re.compile(r"^[-+]?[0-9]+$")
_INT8 = re.compile(r"^0o[0-7]+$")
_INT16 = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")


def _resolve_plain_reference(text: str) -> object:
    """resolve_plain written out rule by rule."""
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    try:
        if _INT10.match(text):
            return int(text)
        if _INT8.match(text):
            return int(text[2:], 8)
        if _INT16.match(text):
            return int(text[2:], 16)
    except ValueError:  # more digits than Python converts (4,300): keep it as text
        return text
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return float("-inf") if text.startswith("-") else float("inf")
    if _NAN.match(text):
        return float("nan")
    return text



_PLAIN = st.characters(blacklist_characters="\n\r")  # a plain scalar from libyaml never holds a line break


@given(st.one_of(st.text(alphabet="0123456789+-.eEoxabcdfinNaAIlLuUrtTsS~_:", max_size=8), st.text(_PLAIN, max_size=6),
                 st.just("9" * 5000)))
def test_resolve_plain_follows_the_rules_it_replaces(text):
    a, b = resolve_plain(text), _resolve_plain_reference(text)
    if isinstance(a, float) and a != a:
        assert isinstance(b, float) and b != b
    else:
        assert (a, type(a)) == (b, type(b))


def test_due_output_is_replayed_only_while_nothing_changed(cli, generated):
    args = ("due", "--caseload", generated, "--today", TODAY)
    first = cli(*args)
    assert not first.stats.output_hit
    second = cli(*args)
    assert second.stats.output_hit and (second.out, second.err, second.code) == (first.out, first.err, first.code)
    assert cli("--no-cache", *args).out == first.out
    overdue = cli(*args, "--overdue")  # other options: another entry
    assert not overdue.stats.output_hit and overdue.out != first.out
    assert cli(*args, "--format", "json").out != first.out
    import re

    listed = re.search(r"\bc\d{6}\b", first.out).group(0)  # a case with something open
    shutil.rmtree(generated / "cases" / listed)
    third = cli(*args)
    assert not third.stats.output_hit
    assert third.out == cli("--no-cache", *args).out != first.out
    failing = [cli(*args, "--fail-on", "overdue") for _ in range(2)]
    assert [r.code for r in failing] == [3, 3] and failing[1].stats.output_hit


def test_no_output_replay_for_files_just_written(cli, generated, monkeypatch):
    monkeypatch.setattr(scan, "RACY_NS", 10**18)
    args = ("due", "--caseload", generated, "--today", TODAY)
    cli(*args)
    assert not cli(*args).stats.output_hit


def test_a_replayed_command_leaves_no_scan_behind(cli, generated):
    """The scan a replay was keyed on lives in the command's Cache only: the next run scans afresh."""
    args = ("due", "--caseload", generated, "--today", TODAY)
    cli(*args)
    assert cli(*args).stats.output_hit
    victim = sorted((generated / "cases" / "c000003").rglob("*.yaml"))[-1]
    victim.unlink()
    after = cli(*args)
    assert not after.stats.output_hit and after.out == cli("--no-cache", *args).out
    same_as_uncached(generated)  # a later library call too


def test_a_kept_scan_is_taken_once_and_stored_when_unused(generated):
    handle = Cache()
    kept = handle.prepare(generated, TODAY, keep=True)
    assert handle.prepare(generated, TODAY) is kept  # the results call that follows takes it
    assert handle.prepare(generated, TODAY) is not kept  # once
    index = store.cache_dir(generated) / "index.pickle"
    handle.prepare(generated, TODAY, keep=True)
    assert not index.exists()  # nothing used the scans: nothing stored them yet
    handle.finish()  # the command is over: the kept scan's index is stored, the scan dropped
    assert index.is_file() and handle.prepare(generated, TODAY).dirty == set()


def test_a_check_across_cases_turns_the_results_layer_off(generated, monkeypatch):
    from careerpath import checks

    def one_per_caseload(cl, today):
        if len(cl.cases) > 1:  # sees several cases only when run on the whole caseload
            yield checks.Diagnostic("careerpath.yaml", 1, 1, "warning", "unknown-field", f"{len(cl.cases)} cases")

    one_per_caseload.scope = "caseload"
    extended = checks.CHECKS + (one_per_caseload,)
    monkeypatch.setattr(checks, "CHECKS", extended)  # as if written in the tuple
    result, _ = same_as_uncached(generated)
    assert any(d["message"] == f"{N_CASES} cases" for d in result[0])


def test_no_cache_after_the_command_reads_and_writes_nothing(cli, generated):
    r = cli("validate", "--no-cache", "--caseload", generated, "--today", TODAY)
    assert r.code == 0 and not store.cache_dir(generated).exists()


def test_a_very_long_list_is_not_laid_out_by_rich_at_a_terminal(generated, monkeypatch, capsys):
    from careerpath.cli import duelist as cmd_due
    from careerpath.obligations.query import mark

    monkeypatch.setattr(cmd_due, "use_rich", lambda: True)
    monkeypatch.setattr(cmd_due, "RICH_MAX_ROWS", 5)
    found = pipeline.results(generated, TODAY, cache=Cache()).obligations()
    assert len(found) > 5
    cmd_due.print_table(cmd_due.rows(found, TODAY, "en", False), [mark(o) for o in found], False)
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == cmd_due._headers(False) and len(out.splitlines()) == len(found) + 1


def test_a_replay_is_per_language(cli, generated):
    args = ("due", "--caseload", generated, "--today", TODAY)
    english = cli(*args).out
    russian = cli("--lang", "ru", *args).out
    assert russian != english
    again, again_ru = cli(*args), cli("--lang", "ru", *args)
    assert again.out == english and again.stats.output_hit
    assert again_ru.out == russian and again_ru.stats.output_hit


# ---------------------------------------------------------------- the kept due table and the index delta

def _due(cli, root, *extra):
    """due through the cache, checked against --no-cache: (its output, its Stats)."""
    args = ("due", "--caseload", root, "--today", TODAY, *extra)
    cached = cli(*args)
    stats = cached.stats
    plain = cli("--no-cache", *args)
    assert (cached.out, cached.err, cached.code) == (plain.out, plain.err, plain.code), extra
    return cached.out, stats


CHANGES = [
    ("close a case", lambda root: _replace(root / "cases/c000003/case.yaml", "status: active", "status: closed"), 1),
    ("add an event", lambda root: (root / "cases/c000004/events/2026-11-20-note.yaml").write_text(
        "date: 2026-11-20\ntype: note\nsummary: added\n", encoding="utf-8"), 1),
    ("delete a file", lambda root: sorted((root / "cases/c000005").rglob("*.yaml"))[-1].unlink(), 1),
    ("rename a file", lambda root: (lambda f: f.rename(f.with_name("2020-01-01-renamed.yaml")))(
        sorted((root / "cases/c000006/events").iterdir())[0]), 1),
    ("break a file", lambda root: grow(root / "cases/c000002/plan.yaml", "\n  - [unclosed\n"), 1),
    ("copy a case", lambda root: shutil.copytree(root / "cases/c000007", root / "cases/c000007b"), 1),
    ("remove a case", lambda root: shutil.rmtree(root / "cases/c000008"), 0),
    ("two cases at once", lambda root: [grow(root / f"cases/{c}/case.yaml", "\ncolour: blue\n")
                                        for c in ("c000001", "c000009")], 2),
    ("a setting", lambda root: _replace(root / "careerpath.yaml", "warn_days: 30", "warn_days: 90"), None),
]


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("fold", [False, pytest.param(True, marks=pytest.mark.slow)], ids=["delta", "fold-every-time"])
def test_the_kept_due_table_is_made_again_only_for_changed_cases(cli, generated, monkeypatch, fold):
    """After each kind of change, due through the cache prints what --no-cache prints, having
    rendered only the changed cases (a new setting renders all of them)."""
    if fold:
        monkeypatch.setattr(views, "_fold_at", lambda cases: 0)
        monkeypatch.setattr(scan, "DELTA_MAX", 0)
    filters = [(), ("--staff", "cur01"), ("--within", "2w", "--explain"), ("--lang", "ru", "--all"),
               ("--format", "json"), ("--format", "csv", "--all", "--overdue")]
    for extra in filters:
        _, stats = _due(cli, generated, *extra)
        assert stats.view_cases == N_CASES  # the first run renders every case
    behind = {extra: 0 for extra in filters}  # cases changed since the kept view last rendered, per filter
    paged: set = set()
    for name, change, expected in CHANGES:
        change(generated)
        for extra in filters:
            out, stats = _due(cli, generated, *extra)
            every = len(list((generated / "cases").iterdir()))
            if stats.page_cases >= 0:
                # a plain table is kept as printed and its changed cases' lines swapped (careerpath/cli/page.py);
                # the kept view is not read, and renders them the next time it is
                assert "--format" not in extra and "--explain" not in extra
                assert (stats.page_cases, stats.view_cases) == (expected, -1), (name, extra)
                behind[extra] += expected
                paged.add((name, extra))
            else:  # other formats, and a plain table whose column widths changed
                assert stats.view_cases == (every if expected is None else expected + behind[extra]), (name, extra)
                behind[extra] = 0
            assert out  # a table or "nothing due"
    assert {("close a case", ()), ("add an event", ()), ("remove a case", ())} <= paged
    kept = sorted(p.name for p in (store.cache_dir(generated) / "views").iterdir())
    assert len([v for v in kept if v.endswith(".pickle")]) == len(filters)
    assert not fold or not any(v.endswith(".delta") for v in kept)


@pytest.mark.parametrize("paged", [True, False], ids=["page", "view"])
def test_an_unchanged_caseload_renders_nothing_again(cli, generated, monkeypatch, paged):
    monkeypatch.setattr(scan, "RACY_NS", 0)
    if not paged:
        no_page(monkeypatch)
    _due(cli, generated)
    monkeypatch.setattr(views, "cached_output", lambda root, token, cache: None)  # no replay: the view itself answers
    _, stats = _due(cli, generated)
    assert (stats.page_cases, stats.view_cases) == ((0, -1) if paged else (-1, 0))


def no_page(monkeypatch) -> None:
    """``due`` without its kept page (careerpath/cli/page.py): the plain table made from the kept view."""
    from careerpath.cli import duelist as cmd_due

    monkeypatch.setattr(cmd_due, "_pageable", lambda stream: False)


@pytest.mark.parametrize("damaged", ["views/*.pickle", "views/*.delta", "index.pickle", "index.delta"])
def test_a_damaged_view_or_index_delta_is_ignored(cli, generated, damaged, monkeypatch):
    no_page(monkeypatch)
    _due(cli, generated)
    grow(generated / "cases/c000003/case.yaml", "\ncolour: blue\n")
    _due(cli, generated)  # now both a view delta and an index delta exist
    path = next(store.cache_dir(generated).glob(damaged))
    blob = path.read_bytes()
    path.write_bytes(blob[: len(blob) // 2])
    grow(generated / "cases/c000004/case.yaml", "\ncolour: blue\n")
    _, stats = _due(cli, generated)  # compared with --no-cache inside
    assert path.name in stats.discarded
    assert stats.view_cases == (N_CASES if damaged == "views/*.pickle" else 2 if damaged == "views/*.delta" else 1)
    _, stats = _due(cli, generated)
    assert not stats.discarded


def test_an_edit_writes_the_index_delta_not_the_index(generated):
    same_as_uncached(generated)
    cdir = store.cache_dir(generated)
    before = (cdir / "index.pickle").read_bytes()
    grow(generated / "cases/c000003/case.yaml", "\ncolour: blue\n")
    same_as_uncached(generated)
    assert (cdir / "index.pickle").read_bytes() == before and (cdir / "index.delta").is_file()
    _, stats = same_as_uncached(generated)
    assert stats.rescanned == 0  # the delta was applied: nothing looks changed
    # a new case, then a case removed: the delta again (the new case in its place, the removed one named)
    key = Cache().key_for(generated)

    def same_as_a_fresh_scan():
        loaded = scan.load_index(cdir, key, store.Stats())
        fresh, _ = scan.scan(generated, None, store.Stats())
        assert (loaded.case_ids, loaded.offsets, loaded.paths, loaded.keys, loaded.fps, loaded.cases_key) == \
            (fresh.case_ids, fresh.offsets, fresh.paths, fresh.keys, fresh.fps, fresh.cases_key)

    shutil.copytree(generated / "cases/c000007", generated / "cases/c000007b")
    assert same_as_uncached(generated)[1].rescanned == 1
    assert (cdir / "index.pickle").read_bytes() == before
    same_as_a_fresh_scan()
    assert same_as_uncached(generated)[1].rescanned == 0  # the delta holds cases/ as it is now
    shutil.rmtree(generated / "cases/c000002")
    same_as_uncached(generated)
    assert (cdir / "index.pickle").read_bytes() == before
    same_as_a_fresh_scan()
    shutil.copytree(generated / "cases/c000003", generated / "cases/c000002")  # back, as another case was
    same_as_uncached(generated)
    same_as_a_fresh_scan()
    assert same_as_uncached(generated)[1].rescanned == 0 and (cdir / "index.pickle").read_bytes() == before


def test_more_cases_added_than_a_delta_holds_write_the_whole_index(generated, monkeypatch):
    monkeypatch.setattr(scan, "DELTA_MAX", 2)
    same_as_uncached(generated)
    cdir = store.cache_dir(generated)
    before = (cdir / "index.pickle").read_bytes()
    shutil.copytree(generated / "cases/c000007", generated / "cases/c000007b")
    shutil.rmtree(generated / "cases/c000001")
    same_as_uncached(generated)
    assert (cdir / "index.pickle").read_bytes() == before  # two cases: the delta
    shutil.copytree(generated / "cases/c000007", generated / "cases/c000007c")
    same_as_uncached(generated)
    assert (cdir / "index.pickle").read_bytes() != before and not (cdir / "index.delta").exists()
    assert same_as_uncached(generated)[1].rescanned == 0


def test_a_changed_program_folder_renders_the_kept_table_again(cli, generated):
    from toy_program import TOY_RULES, add_toy

    text = (generated / "cases/c000003/case.yaml").read_text(encoding="utf-8")
    (generated / "cases/c000003/case.yaml").write_text(
        text.replace("enrollments:\n", "enrollments:\n  xx-toy:\n    joined: 2026-11-02\n", 1), encoding="utf-8")
    folder = add_toy(generated)
    first, stats = _due(cli, generated, "--explain")
    assert "Toy Act 1" in first
    (folder / "rules.yaml").write_text(TOY_RULES.replace("Toy Act 1", "Toy Act 9"), encoding="utf-8")
    second, stats = _due(cli, generated, "--explain")
    assert stats.view_cases == N_CASES and "Toy Act 9" in second and "Toy Act 1" not in second


def _toggle_status(root: Path, case: str) -> None:
    path = root / "cases" / case / "case.yaml"
    text = path.read_text(encoding="utf-8")
    if "status: active" in text:
        path.write_text(text.replace("status: active", "status: closed", 1), encoding="utf-8")
    else:
        path.write_text(text.replace("status: closed", "status: active", 1), encoding="utf-8")


def _add_event(root: Path, case: str) -> None:
    events = root / "cases" / case / "events"
    events.mkdir(exist_ok=True)
    n = len(list(events.iterdir()))
    (events / f"2026-11-{10 + n % 10:02d}-contact-x{n}.yaml").write_text(
        "date: 2026-11-10\ntype: contact\nsummary: called\n".replace("10", f"{10 + n % 10:02d}"), encoding="utf-8")


def _drop_event(root: Path, case: str) -> None:
    events = sorted((root / "cases" / case / "events").glob("*.yaml")) if (root / "cases" / case / "events").is_dir() else []
    if events:
        events[-1].unlink()


def _copy_case(root: Path, case: str) -> None:
    target = root / "cases" / f"{case}x"
    if not target.exists():
        shutil.copytree(root / "cases" / case, target)


def _remove_case(root: Path, case: str) -> None:
    if (root / "cases" / case).is_dir() and len(list((root / "cases").iterdir())) > 2:
        shutil.rmtree(root / "cases" / case)


def _setting(root: Path, case: str) -> None:
    path = root / "careerpath.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("warn_days: 30", "warn_days: 45", 1) if "warn_days: 30" in text
                    else text.replace("warn_days: 45", "warn_days: 30", 1), encoding="utf-8")


STEPS = [_toggle_status, _add_event, _drop_event, _copy_case, _remove_case, _setting]


@pytest.mark.parametrize("seed", range(4))
def test_any_sequence_of_changes_leaves_due_as_an_uncached_run_prints_it(cli, tmp_path, monkeypatch, seed):
    """Random sequences of edits, new and deleted files and cases, and settings (fixed seeds, so a
    failure reproduces), with the view and index deltas folded at random sizes: after every step
    due through the cache prints what --no-cache prints (checked inside _due)."""
    import random

    from make_caseload import generate

    rng = random.Random(seed)
    root = tmp_path / "gen"
    generate(str(root), 8, 7 + seed, TODAY)
    monkeypatch.setattr(views, "_fold_at", lambda cases, n=rng.choice([0, 1, 3, 100]): n)
    monkeypatch.setattr(scan, "DELTA_MAX", rng.choice([0, 1, 3, 100]))
    options = rng.choice([(), ("--staff", "cur01"), ("--within", "1m"), ("--lang", "ru", "--explain")])
    _due(cli, root, *options)
    for _ in range(6):
        cases = sorted(p.name for p in (root / "cases").iterdir())
        for _ in range(rng.randint(1, 2)):
            rng.choice(STEPS)(root, rng.choice(cases))
        _due(cli, root, *options)


def test_a_shard_unpickles_only_the_records_asked_for(generated):
    """A shard file holds each case's record pickled on its own: reading it unpickles none, asking for a case
    unpickles that one, writing pickles the records set and writes the others back as they were read; a record
    that is not one is a miss (its case is loaded afresh from its files), never an error."""
    from careerpath.cache import records

    same_as_uncached(generated)
    prepared = Cache().prepare(generated, TODAY)
    folder, key = prepared.folder, prepared.key
    shard_no = int(sorted((folder / "shards").glob("*.pickle"))[0].stem)
    shard = records.read_shard(folder, key, shard_no, store.Stats())
    ids = list(shard)
    assert ids and not shard.loaded
    record = shard.get(ids[0])
    assert isinstance(record, records.CaseRecord) and list(shard.loaded) == [ids[0]]
    # (a shard of 20,519 cases holds ~20: three here, from the one record)
    blob = pickle.dumps(record)
    three = records.Shard({"a": blob, "b": blob, "c": blob})
    assert three.get("b").fp == record.fp and list(three.loaded) == ["b"]
    three["a"] = three.get("b")
    del three["c"]
    packed = three.pack()
    assert list(packed) == ["a", "b"] and packed["b"] is blob and pickle.loads(packed["a"]).fp == record.fp
    # no record where the case's should be: changed, the case is loaded from all its files, the results right
    shard.packed[ids[0]] = pickle.dumps("not a record")
    shard.loaded.clear()
    assert shard.get(ids[0]) is None
    records.write_shard(folder, key, shard_no, shard)
    case_files = sorted(p for p in (generated / "cases" / ids[0]).rglob("*.yaml"))
    grow(case_files[0])
    _, stats = same_as_uncached(generated)
    assert stats.parsed == len(case_files) and stats.reused == 0
