"""`report registry`, `portrait` and `feedback` through the cache read the cases one shard at a time and write
what `--no-cache` (the whole caseload loaded) writes, byte for byte: files, messages, exit code.

The rows of a registry are sorted by its declaration with ties in case order, and the feedback journal by date
then case: the cases come from the shards in another order, so these tests are what shows the order kept.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import ROOT, TODAY, copy_samples

sys.path.insert(0, str(ROOT / "benchmarks"))

from careerpath import pipeline  # noqa: E402

from test_cache import generated, trust_fresh_files  # noqa: E402,F401 (the same fixtures)

KINDS = ("registry", "portrait", "feedback")


def _run(cli, root: Path, out: Path, kind: str, *before: str, after: tuple = ()) -> tuple:
    r = cli(*before, "report", kind, "--today", TODAY, "--caseload", root, "--out", out, *after)
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} \
        if out.exists() else {}
    return r.code, r.out, r.err.replace(str(out), "OUT"), files


def _compare(cli, monkeypatch, root: Path, outs: Path, kind: str, *after: str) -> tuple:
    """The cached run (the whole load refused) equals the --no-cache run; its result."""
    name = f"{kind}{len(list(outs.glob('*'))) if outs.exists() else 0}"
    with monkeypatch.context() as m:
        m.setattr(pipeline, "load", lambda *_a, **_k: pytest.fail(f"the cached {kind} report loaded the caseload"))
        cached = _run(cli, root, outs / f"{name}-cached", kind, after=after)
    uncached = _run(cli, root, outs / f"{name}-plain", kind, "--no-cache", after=after)
    assert cached[:3] == uncached[:3], (kind, after)
    assert cached[3] == uncached[3], (kind, after)
    return cached


@pytest.mark.parametrize("kind", KINDS)
def test_the_samples_as_the_whole_caseload_gives_them(cli, monkeypatch, tmp_path, kind):
    samples = copy_samples(tmp_path / "samples")
    for after in [("--period", "2026"), ("--period", "2026-Q4"), ("--period", "2026", "--case", "alsu-galieva")]:
        code, _out, err, files = _compare(cli, monkeypatch, samples, tmp_path / "out", kind, *after)
        assert code in (0, 1), err


def test_a_generated_caseload_with_filters_and_an_unreadable_case(cli, monkeypatch, generated, tmp_path):
    (generated / "cases/c000004/case.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    rows = 0
    for kind in KINDS:
        for after in [(), ("--period", "2026"), ("--staff", "cur01"), ("--program", "ru-czn-disability"),
                      ("--case", "c000003", "--case", "c000007"), ("--staff", "nobody")]:
            code, _out, err, files = _compare(cli, monkeypatch, generated, tmp_path / "out", kind, *after)
            if after == ("--staff", "nobody"):
                assert code == 2
                continue
            if "--case" in after:  # only --case narrows which unreadable cases are named
                assert code == 0 and "c000004" not in err
            else:
                assert code == 1 and "c000004" in err  # written, and the unreadable case named
            rows += sum(data.count(b"\n") for name, data in files.items() if name.endswith(".csv"))
    assert rows > 100  # the registries hold rows: their order was compared


def test_rows_that_sort_alike_stay_in_case_order_whatever_order_the_shards_bring(generated):
    """A declaration whose sort leaves ties (every row alike): cases given in parts, in reverse, make the
    table that every case in id order makes."""
    import dataclasses

    from careerpath import load
    from careerpath.reports import pages, registry
    from careerpath.period import parse_period

    loaded = load(generated)
    env = pages.environment(generated)
    period = parse_period("2026")
    cases = [loaded.cases[c] for c in sorted(loaded.cases) if loaded.cases[c].model is not None]
    checked = 0
    for spec in registry.declared(loaded.programs):
        spec = dataclasses.replace(spec, sort=("period.label",))  # every row ties
        program = loaded.programs.get(spec.program)
        whole = registry.build(spec, program, cases, period, TODAY, loaded.config, env, "ru")
        builder = registry.Builder(spec, program, period, TODAY, loaded.config, env, "ru")
        for at in range(len(cases), 0, -3):
            builder.add(cases[max(0, at - 3):at])
        assert builder.table() == whole, spec.name
        checked += len(whole.rows) > 1
    assert checked
