"""benchmarks/run.py works end to end (a smoke test: figures are not asserted, only that every run succeeded)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.mark.slow  # a scale smoke test: CI runs it (`pytest -m slow`)
def test_run_py_on_a_small_caseload(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CAREERPATH_CACHE_DIR"}
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--cases", "30", "--repeat", "1",
                           "--workdir", str(tmp_path)], capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    for figure in ("cold validate (cache written)", "cold validate --no-cache", "warm validate", "warm due",
                   "due, 1 file edited", "careerpath --help", "sqlite due (baseline)"):
        assert f"| 30 | " in proc.stdout and figure in proc.stdout
    assert (tmp_path / "caseload-30-seed1" / ".careerpath" / "cache" / "index.pickle").is_file()


@pytest.mark.slow  # eight navigators' worth of clones and a server, end to end: CI runs it (`pytest -m slow`)
def test_team_py_on_a_small_caseload(tmp_path):
    """benchmarks/team.py end to end on a tiny caseload: nothing lost, server clean (figures are not asserted)."""
    import json

    env = {k: v for k, v in os.environ.items() if k != "CAREERPATH_CACHE_DIR"}
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "team.py"), "--navigators", "2", "--rounds", "2",
                           "--cases", "20", "--scale-cases", "20", "--repeat", "1", "--workdir", str(tmp_path)],
                          capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    hands = report["many_hands"]
    assert hands["missing_events"] == [] and hands["missing_sets"] == [] and hands["command_failures"] == []
    assert hands["server_validates_clean"] and hands["fsck_clean"] and hands["events"] == 4
    assert report["server_check"]["pre_receive_median"] > 0 and report["server_check"]["full_validate_exit"] == 0
