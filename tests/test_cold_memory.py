"""A cold run holds one shard's results at a time (issue 22, docs/performance.md "Issue 22: memory of a cold run").

The obligations computed by a cold run are stored as each shard comes from
the workers and read back when asked for; ``due``'s view renders them a few
shards at a time; ``validate``'s evidence check runs where each case is
loaded. Each test checks the answer is the uncached one and that the
memory-holding path is not taken.
"""

from __future__ import annotations

import hashlib
import json
import sys

import pytest

from conftest import ROOT, TODAY

sys.path.insert(0, str(ROOT / "benchmarks"))

from careerpath import parallel, pipeline  # noqa: E402
from careerpath.cache import Cache, scan, store  # noqa: E402
from careerpath.cli import views  # noqa: E402


@pytest.fixture(autouse=True)
def trust_fresh_files(monkeypatch, tmp_path):
    monkeypatch.setattr(scan, "RACY_NS", 0)
    monkeypatch.setenv("CAREERPATH_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(params=["serial", "pool"])
def cores(request, monkeypatch):
    if request.param == "pool":
        monkeypatch.setattr(parallel, "PARALLEL_MIN_CASES", 1)
        monkeypatch.setattr(parallel, "WORKERS", 2)
    return request.param


@pytest.fixture
def generated(tmp_path):
    from make_caseload import generate

    root = tmp_path / "gen"
    generate(str(root), 12, 5, TODAY)
    return root


def every_obligation(r) -> tuple:
    return ([o.to_dict() for o in r.obligations(history=True)],
            [o.to_dict() for o in r.obligations(history=False, done=False)], [d.to_dict() for d in r.diagnostics])


@pytest.mark.parametrize("room", [0, 1, 1 << 20])
def test_a_cold_run_keeps_only_a_few_mib_of_the_obligations_it_stored(generated, cores, monkeypatch, room):
    monkeypatch.setattr(pipeline, "KEPT_BYTES", room)
    handle = Cache()
    r = pipeline.results(generated, TODAY, cache=handle)
    # the others are read back from results/NNNN.pickle, not held since they were computed
    assert len(r.stored.fresh) == (0 if room < 2 else 12)
    assert every_obligation(r) == every_obligation(pipeline.results(generated, TODAY))
    assert handle.stats.recomputed == 12


def test_obligations_that_could_not_be_stored_are_kept_not_computed_twice(generated, cores, monkeypatch):
    monkeypatch.setattr(store, "write_payload", lambda path, key, payload: False)  # a cache that cannot be written
    handle = Cache()
    r = pipeline.results(generated, TODAY, cache=handle)
    assert len(r.stored.fresh) == 12
    assert every_obligation(r) == every_obligation(pipeline.results(generated, TODAY))
    assert handle.stats.recomputed == 12


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "ics"])
def test_due_rendered_a_few_shards_at_a_time_is_due(generated, cores, cli, monkeypatch, fmt):
    monkeypatch.setattr(views, "CHUNK_CASES", 1)
    chunks = []
    real = views._chunks
    monkeypatch.setattr(views, "_chunks", lambda ids: chunks.append(len(ids)) or real(ids))
    args = ("due", "-C", generated, "--today", TODAY.isoformat(), "--format", fmt, "--all")
    plain = cli(*args, "--no-cache")
    cold = cli(*args)
    assert (cold.code, cold.out, cold.err) == (plain.code, plain.out, plain.err)
    assert chunks == [12] and cold.stats.view_cases == 12
    assert len(list(real(sorted(p.name for p in (generated / "cases").iterdir())))) > 1


def test_chunks_are_whole_shards_in_shard_order(monkeypatch):
    ids = [f"c{n:06d}" for n in range(3000)]
    monkeypatch.setattr(views, "CHUNK_CASES", 100)
    chunks = list(views._chunks(ids))
    assert sorted(cid for chunk in chunks for cid in chunk) == ids
    shards = [[store.shard_of(cid) for cid in chunk] for chunk in chunks]
    assert [s for chunk in shards for s in chunk] == sorted(store.shard_of(cid) for cid in ids)
    assert all(not set(a) & set(b) for a, b in zip(shards, shards[1:]))  # a shard is never split
    assert all(len(chunk) >= 100 for chunk in chunks[:-1])


def _with_evidence(root) -> None:
    """Three cases with evidence: one right, one whose scan changed, one missing and not a key date."""
    cases = sorted((root / "cases").iterdir())
    for n, case in enumerate(cases[:3]):
        (case / "documents").mkdir(exist_ok=True)
        scan_file = case / "documents" / "receipt.pdf"
        scan_file.write_bytes(b"%PDF-1.4 invented receipt")
        digest = hashlib.sha256(b"%PDF-1.4 invented receipt" if n != 1 else b"another").hexdigest()
        text = (case / "case.yaml").read_text()
        extra = ("\n  opened: {file: documents/gone.pdf, sha256: " + "a" * 64 + "}") if n == 2 else ""
        (case / "case.yaml").write_text(
            text + f"evidence:\n  closure.date: {{file: documents/receipt.pdf, sha256: {digest}}}{extra}\n")


def test_cached_validate_checks_evidence_case_by_case(generated, cores, cli, monkeypatch):
    _with_evidence(generated)
    args = ("validate", "-C", generated, "--today", TODAY.isoformat(), "--format", "json")
    plain = cli(*args, "--no-cache")
    codes = sorted(d["code"] for d in json.loads(plain.out) if d["code"].startswith("evidence"))
    assert codes == ["evidence-hash-mismatch", "evidence-missing", "evidence-not-key-date"]

    def whole(*a, **k):
        raise AssertionError("the cached validate loaded the whole caseload in one process")

    monkeypatch.setattr(pipeline, "_load_cached", whole)
    for _ in range(2):  # cold, then warm (the documents are read every time)
        cached = cli(*args)
        assert (cached.code, cached.out, cached.err) == (plain.code, plain.out, plain.err)
    (generated / "cases" / sorted(p.name for p in (generated / "cases").iterdir())[1] / "documents" /
     "receipt.pdf").write_bytes(b"another")  # the changed scan put right: no case file changed
    assert "evidence-hash-mismatch" not in cli(*args).out
    assert cli(*args).out == cli(*args, "--no-cache").out


def test_evidence_through_the_cache_is_the_evidence_check(generated, cores):
    from careerpath.evidence import check

    _with_evidence(generated)
    assert pipeline.evidence(generated, cache=Cache()) == check(pipeline.load(generated))
    assert pipeline.evidence(generated) == check(pipeline.load(generated))
