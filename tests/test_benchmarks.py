"""benchmarks/run.py works end to end: smoke runs at tiny sizes (no figure is asserted, only that
every figure was taken, every command exited 0, and the harness's own checks held).

The 300-case smoke run of issue 22 is a step of .ci/run; these keep the script from rotting in
every run of the suite."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import run as bench  # noqa: E402
from make_caseload import DEFAULT_TODAY, make_case  # noqa: E402

FIGURES = ("cold validate (no cache)", "parse-only baseline (PyYAML C loader, every file)", "warm validate",
           "| warm due |", "SQLite baseline: Python script", "stat floor: every file statted once", "warm due at a terminal (80 columns)", "due --format ics", "| show c", "| render pccp c",
           "| report dashboard |", "| report quarterly --period 2026-Q3 |", "careerpath --help",
           "due after editing one case", "due after editing one case (a due date), 2 s after the save",
           "due after adding one case", "first due of a new day",
           "| warm due, `careerpath watch` running |", "due after editing one case (a due date), `careerpath watch` running",
           "due after adding one case, `careerpath watch` running", "first due of a new day (no warm-up), `careerpath watch` running",
           "due after editing one case (a due date), 5 s after the change, `careerpath watch` running (it makes the output again)",
           "due after adding one case, 5 s after the change, `careerpath watch` running (it makes the output again)",
           "| warm due at a terminal (80 columns), `careerpath watch` running |",
           "due at a terminal (80 columns) after editing one case (a due date), 5 s after the change, "
           "`careerpath watch` running (it makes the output again)")


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith("CAREERPATH_")}


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


@pytest.mark.slow  # a scale smoke test: CI runs it (`pytest -m slow`)
def test_every_figure_on_30_cases(tmp_path):
    """Every figure of issue 22 at 30 cases, once each, with the cache checked against --no-cache."""
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--cases", "30", "--repeat", "1",
                           "--warmup", "0", "--verify", "--workdir", str(tmp_path)],
                          capture_output=True, text=True, timeout=900, env=_env())
    assert proc.returncode == 0, proc.stderr + proc.stdout
    out = proc.stdout
    assert "## 30 cases" in out
    for figure in FIGURES:
        assert figure in out, figure
    lines = out.splitlines()
    start = lines.index("| figure | who | runs | wall min | wall median | wall max | CPU median | peak MiB | output |")
    table = lines[start + 2:lines.index("", start)]
    completion = [row for row in table if row.startswith("| completion of case ids")]  # where bash can run it
    assert len([row for row in table if "| this checkout | 1 |" in row]) == len(FIGURES) - 3 + len(completion)  # 3 are baselines
    # the sqlite3 program is measured where it is installed, and said to be missing where not
    assert "SQLite baseline: `sqlite3` command line" in out or "`sqlite3` command-line program is not installed" in out
    assert "completion of case ids" in out  # measured, or skipped with a note
    # the stat floor is measured in the same run as warm due, as a baseline
    assert re.search(r"\| stat floor: every file statted once by two processes, nothing else \| baseline \| 1 \|", out)
    assert "bytecode compiled before timing" in out and "with compileall" in out
    assert f"of {ROOT / 'careerpath'} and" in out  # this checkout's package, compiled and timed
    assert "**NO**" not in out and "- yes: this checkout: `due` lists the edited date" in out
    assert "- yes: this checkout: `due --format json` equals `--no-cache` after every scenario with `careerpath watch` running" in out
    assert "- yes: this checkout: `due` equals `--no-cache` after the edits" in out  # the table an edit patched
    # the table a terminal was sent, replayed, is what --no-cache draws on the same terminal
    assert "- yes: this checkout: `due` at a terminal (80 columns) equals `--no-cache` after the edits" in out
    # the outputs the watcher made again after each edit and added case are what --no-cache prints
    assert ("- yes: this checkout: `due --format json` equals `--no-cache` after the edits and added cases with "
            "`careerpath watch` making outputs again") in out
    # an edit 2 s after the save: its table is stored (as splices), and replayed equal to --no-cache
    assert "- yes: this checkout: `due` equals `--no-cache` after the edits, 2 s after the save" in out
    assert "after each edit, 2 s after the save" in out
    for report in ("dashboard", "quarterly --period 2026-Q3", "outcomes", "registry", "portrait", "feedback"):
        assert f"- yes: this checkout: `report {report}` equals `--no-cache` after the edits" in out, report
    for target in ("`show CASE` ≤ 0.5 s", "warm `due` ≤ 2× the `sqlite3` command line",
                   "cold `validate` ≤ 3× the parse-only baseline", "every command ≤ 512 MiB"):
        row = next(line for line in out.splitlines() if line.startswith(f"| {target} |"))
        assert row.endswith(("| PASS |", "| FAIL |", "| — |")), row
    # the edited and added files are put back: the caseload is the generated one again
    cases = tmp_path / "caseload-30-seed1" / "cases"
    assert sorted(p.name for p in cases.iterdir())[-1] == "c000030"
    i = bench.edit_case(30, 1)
    assert f"`due` lists the edited date of c{i:06d}" in out
    assert (cases / f"c{i:06d}" / "plan.yaml").read_text(encoding="utf-8") == make_case(i, 1, DEFAULT_TODAY)[1]["plan.yaml"]


@pytest.mark.slow  # CI runs it (`pytest -m slow`)
def test_side_by_side_with_another_venv(tmp_path):
    """--other-venv: the same figures for a second installation, run by run, on its own copy of the caseload."""
    venv = os.path.dirname(os.path.dirname(sys.executable))
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--cases", "12", "--repeat", "2",
                           "--warmup", "0", "--no-verify", "--only", "warm-due,help", "--other-venv", venv,
                           "--workdir", str(tmp_path)], capture_output=True, text=True, timeout=600, env=_env())
    assert proc.returncode == 0, proc.stderr + proc.stdout
    out = proc.stdout
    assert f"| warm due | venv {venv} | 2 |" in out and "| warm due | this checkout | 2 |" in out
    assert "this/other median" in out
    assert any(line.startswith("| careerpath --help |") and line.endswith(("| yes |", "| NO |"))
               for line in out.splitlines())
    assert (tmp_path / "caseload-12-seed1-copy1" / ".careerpath" / "cache").is_dir()  # the other side's own cache
    assert (tmp_path / "caseload-12-seed1" / ".careerpath" / "cache").is_dir()


def test_children_do_not_import_from_the_callers_folder(tmp_path, monkeypatch):
    """Run from a folder holding another `careerpath` package (as the root of another checkout
    does), a timed child still runs the side's own code: `python -m` puts the working folder
    first on sys.path, which once made --compare time this checkout twice."""
    (tmp_path / "careerpath").mkdir()
    (tmp_path / "careerpath" / "__init__.py").write_text("")
    (tmp_path / "careerpath" / "__main__.py").write_text("print('the wrong careerpath')\n")
    monkeypatch.chdir(tmp_path)
    side = bench.this_side()
    r = bench.run(side.cli("--help"), side.env(), capture=True)
    assert r.code == 0
    assert b"the wrong careerpath" not in r.out and b"Usage" in r.out
    assert "the wrong careerpath" not in bench.compile_bytecode(side)
