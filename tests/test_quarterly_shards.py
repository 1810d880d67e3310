"""`report quarterly` through the cache, one shard of cases at a time: the files, the index and the messages
of `--no-cache` (which loads the whole caseload and computes each case's obligations), byte for byte."""

from __future__ import annotations

import os
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest

from conftest import ROOT, TODAY, copy_samples

sys.path.insert(0, str(ROOT / "benchmarks"))

from careerpath import parallel, pipeline  # noqa: E402

ARGS = ("report", "quarterly", "--today", TODAY, "--period", "2026-Q3")


def _run(cli, root: Path, out: Path, *before: str, after: tuple = ()) -> tuple:
    """(exit code, stdout, stderr, {file: bytes}) of one quarterly run into the fresh folder ``out``."""
    assert not out.exists()
    r = cli(*before, *ARGS, "--caseload", root, "--out", out, *after)
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    return r.code, r.out, r.err.replace(str(out), "OUT"), files


def _whole_load_refused(*args, **kwargs):
    raise AssertionError("the cached quarterly report loaded the whole caseload")


def _compare(cli, monkeypatch, root: Path, outs: Path, name: str, *after: str) -> tuple:
    """The cached run (streamed: pipeline.load refused) and the --no-cache run, asserted equal."""
    with monkeypatch.context() as m:
        m.setattr(pipeline, "load", _whole_load_refused)
        cached = _run(cli, root, outs / f"{name}-cached", after=after)
    uncached = _run(cli, root, outs / f"{name}-uncached", "--no-cache", after=after)
    assert cached[0] == uncached[0] and cached[1] == uncached[1] and cached[2] == uncached[2], name
    assert sorted(cached[3]) == sorted(uncached[3]), name
    for file, data in cached[3].items():
        assert data == uncached[3][file], f"{name}: {file} differs"
    return cached


@pytest.fixture(params=["one process", "pool"])
def pool(request, monkeypatch):
    if request.param == "pool":
        if not hasattr(os, "fork"):
            pytest.skip("the shard pool forks")
        monkeypatch.setattr(parallel, "PARALLEL_MIN_CASES", 1)
        monkeypatch.setattr(parallel, "WORKERS", 2)
    else:
        monkeypatch.setattr(parallel, "WORKERS", 1)
    return request.param


def test_sample_quarterly_cached_equals_no_cache(tmp_path, cli, monkeypatch, pool):
    root = copy_samples(tmp_path / "samples")
    first = _compare(cli, monkeypatch, root, tmp_path, "cold")   # the cache is empty: every case computed
    assert first[0] == 0 and len(first[3]) > 5, first[2]
    again = _compare(cli, monkeypatch, root, tmp_path, "warm")   # read back from the cache
    assert again == first


def _generated(tmp_path: Path) -> Path:
    """A small generated caseload with a case whose case.yaml does not load and a stray file under cases/."""
    from make_caseload import generate

    root = tmp_path / "gen"
    generate(str(root), 40, 3, TODAY)
    cases = sorted((root / "cases").iterdir())
    (cases[5] / "case.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    (root / "cases" / "notes.yaml").write_text("x: 1\n", encoding="utf-8")
    return root


def test_generated_quarterly_cached_equals_no_cache_after_edits(tmp_path, cli, monkeypatch, pool):
    root = _generated(tmp_path)
    first = _compare(cli, monkeypatch, root, tmp_path, "cold")
    assert first[0] == 1 and "could not be read" in first[2]  # the broken case is named, the others written
    ccp = [p.parent for p in sorted((root / "cases").glob("*/case.yaml")) if "  ca-dds-ccp:" in p.read_text()]
    assert len(ccp) >= 3
    _compare(cli, monkeypatch, root, tmp_path, "warm")
    # a monthly review held in the quarter (the obligations and the document change), a case that
    # leaves, a case added: each is read again from its files, the others from the cache
    events = ccp[0] / "events"
    events.mkdir(exist_ok=True)
    (events / "2026-08-10-monthly-review.yaml").write_text(
        "date: 2026-08-10\ntype: monthly-review\nby: nav01\nprogram: ca-dds-ccp\nsummary: \"Talked.\"\n",
        encoding="utf-8")
    case = ccp[1] / "case.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("closure: null", "closure: {date: 2026-05-02, "
                                                                               "reason: moved}"), encoding="utf-8")
    shutil.copytree(ccp[2], root / "cases" / "zz-new")
    new = root / "cases" / "zz-new" / "case.yaml"
    new.write_text(new.read_text(encoding="utf-8").replace(f"id: {ccp[2].name}", "id: zz-new"), encoding="utf-8")
    edited = _compare(cli, monkeypatch, root, tmp_path, "edited")
    # narrowed: --case reads its cases' shards only (the broken case still counts in the warning), --staff
    one = _compare(cli, monkeypatch, root, tmp_path, "one-case", "--case", ccp[0].name, "--case", "zz-new")
    assert sorted({f.split("/")[-1].split(".")[0] for f in one[3]} - {"index"}) == sorted([ccp[0].name, "zz-new"])
    assert "file error" in one[2]
    _compare(cli, monkeypatch, root, tmp_path, "staff", "--staff", "nav01")
    assert edited[3] != first[3]
    assert "quarterly-2026-Q3/zz-new.en.html" in edited[3] or any(f.startswith("quarterly-2026-Q3/zz-new.")
                                                                   for f in edited[3])


def test_a_template_override_is_seen_by_the_next_run_in_the_same_process(tmp_path, cli, monkeypatch):
    """The memos of a run (template lookups, msgids, compiled templates) see a caseload's override appear
    and change between two runs in one process."""
    from careerpath.programs import load_programs

    root = copy_samples(tmp_path / "samples")
    builtin = next(p for p in load_programs() if p.id == "ca-dds-ccp").folder / "templates" / "quarterly-report.j2"
    text = builtin.read_text(encoding="utf-8")
    assert "{% block body %}" in text
    before = _compare(cli, monkeypatch, root, tmp_path, "builtin")
    override = root / "templates" / "quarterly-report.j2"
    override.parent.mkdir(exist_ok=True)
    for n, marker in enumerate(("Override one", "Override two")):  # the same size: only the time tells them apart
        override.write_text(text.replace("{% block body %}", "{% block body %}<p>" + marker + "</p>", 1),
                            encoding="utf-8")
        os.utime(override, ns=(1_800_000_000_000_000_000 + n * 10**9,) * 2)
        after = _compare(cli, monkeypatch, root, tmp_path, f"override-{n}")
        documents = [f for f in after[3] if not f.endswith("index.html")]
        assert documents and all(marker.encode() in after[3][f] for f in documents)
        assert all(b"Override" not in before[3][f] for f in documents)


class _Obligation:
    def __init__(self, case, due, rule, item=""):
        self.case, self.due, self.rule, self.item = case, due, rule, item


class _Results:
    def __init__(self, found):
        self.found = found

    def obligations(self, *, history, cases):
        assert history
        return [o for o in self.found if o.case in cases]


def test_kept_obligations_leave_a_case_whose_order_is_not_certain_to_its_document():
    from careerpath.reports.batch import _kept_obligations

    d1, d2 = date(2026, 8, 1), date(2026, 9, 1)
    found = [_Obligation("a", d2, "r"), _Obligation("a", d1, "r"), _Obligation("a", None, "invalid"),
             _Obligation("b", d1, "r", "x"), _Obligation("b", d1, "r", "x")]
    kept = _kept_obligations(_Results(found), ["a", "b", "c"])
    assert [o.due for o in kept["a"]] == [d1, d2]   # dated ones, by date
    assert "b" not in kept                          # two of one date, rule and item: computed by the document
    assert kept["c"] == []


def test_the_documents_folder_is_made_durable_once_after_the_last_document(tmp_path, cli, monkeypatch, pool):
    """One fsync of the folder for all the documents (not one per file), after the last one was renamed
    into it, also when the workers of a pool wrote them."""
    from careerpath import fsio
    from careerpath.reports import output

    root = copy_samples(tmp_path / "samples")
    cli(*ARGS, "--caseload", root, "--out", tmp_path / "warm-up")
    events = tmp_path / "events.txt"   # a file: the pool's workers append to it too
    real_write, real_sync = output.atomic_write, fsio._fsync_dir

    def write(path, data, **kw):
        real_write(path, data, **kw)
        with open(events, "a") as fh:
            fh.write(f"write {Path(path).parent}\n")

    def sync(folder):
        real_sync(folder)
        with open(events, "a") as fh:
            fh.write(f"sync {folder}\n")

    monkeypatch.setattr(output, "atomic_write", write)
    monkeypatch.setattr(fsio, "_fsync_dir", sync)
    out = tmp_path / "out"
    assert cli(*ARGS, "--caseload", root, "--out", out).code == 0
    lines = events.read_text().splitlines()
    folder = str(out / "quarterly-2026-Q3")
    writes = [i for i, line in enumerate(lines) if line == f"write {folder}"]
    syncs = [i for i, line in enumerate(lines) if line == f"sync {folder}"]
    assert len(writes) > 5 and 1 <= len(syncs) <= 2, lines
    assert syncs[0] > writes[-2]   # every document written before the folder's fsync (the index may follow)
