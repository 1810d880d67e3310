"""What belongs to no case folder, read from cases/'s listing (loader._case_folders), through the cache and
without it: a link leading outside, a link inside, a file where a case folder goes, a hidden entry."""

from __future__ import annotations

import os
import sys

import pytest

from conftest import ROOT, TODAY, copy_samples

sys.path.insert(0, str(ROOT / "benchmarks"))

from careerpath import pipeline  # noqa: E402
from careerpath.cache import Cache, scan  # noqa: E402


@pytest.fixture(autouse=True)
def trust_fresh_files(monkeypatch, tmp_path):
    monkeypatch.setattr(scan, "RACY_NS", 0)
    monkeypatch.setenv("CAREERPATH_CACHE_DIR", str(tmp_path / "cache"))


def _diagnostics(root, cache=None) -> list:
    return [d.to_dict() for d in pipeline.results(root, TODAY, cache=cache).diagnostics]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_odd_entries_of_cases_give_the_same_diagnostics_cached_and_not(tmp_path):
    root = copy_samples(tmp_path / "caseload")
    cases = root / "cases"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (cases / "zz-outside").symlink_to(outside, target_is_directory=True)
    first = sorted(p.name for p in cases.iterdir() if p.is_dir())[0]
    (cases / "aa-inside").symlink_to(cases / first / "events", target_is_directory=True)
    (cases / "Stray.yaml").write_text("id: stray\n", encoding="utf-8")
    (cases / ".hidden").mkdir()
    plain = _diagnostics(root)
    codes = {d["code"] for d in plain}
    assert {"symlink-outside", "unexpected-file"} <= codes
    assert _diagnostics(root, Cache()) == plain  # cold: the root state from the listing
    assert _diagnostics(root, Cache()) == plain  # warm
