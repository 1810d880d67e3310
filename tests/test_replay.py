"""Start-up: a stored output replayed before typer and pydantic are imported (careerpath/replay.py).

Real processes (``python -m careerpath``, output to a pipe), as a user's
shell runs them. A replay must print exactly what the full CLI prints for the
same command line (compared with ``--no-cache``), must import neither typer nor
pydantic, and must not replay anything after a change to what the output
depends on: a file, the day, the caseload a relative path or the working
folder points at, the language.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE

DAY = ("--today", "2026-11-22")
RACY = 2.2  # seconds: files changed this recently are not trusted by the cache (cache/scan.py RACY_NS)


@pytest.fixture
def env(tmp_path):
    base = {k: v for k, v in os.environ.items() if not k.startswith("CAREERPATH_")}
    return {**base, "PYTHONPATH": str(ROOT), "CAREERPATH_CACHE_DIR": str(tmp_path / "cache"), "LANG": "C.UTF-8",
            "XDG_DATA_HOME": str(tmp_path / "data")}


def run(env, *args, cwd=None, importtime=False, extra=None):
    cmd = [sys.executable, *(["-X", "importtime"] if importtime else []), "-m", "careerpath", *map(str, args)]
    proc = subprocess.run(cmd, cwd=cwd or ROOT / "benchmarks", env={**env, **(extra or {})}, capture_output=True,
                          timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def full_cli_loaded(err: bytes) -> bool:
    """Whether ``-X importtime`` shows typer or pydantic imported, at any depth (a run that computes imports
    them below careerpath.cli or the models, not first)."""
    return re.search(rb"^import time: .*\| +(typer|pydantic)\r?$", err, re.M) is not None


def copy(dest: Path) -> Path:
    shutil.copytree(SAMPLE, dest, ignore=shutil.ignore_patterns(".careerpath"))
    return dest


def settle():
    time.sleep(RACY)


def replayed(env, *args, **kw) -> tuple[int, bytes, bytes]:
    """Run twice more after the run that stored the output; the last must be a replay (no typer, no pydantic)."""
    first = run(env, *args, **kw)
    again = run(env, *args, importtime=True, **kw)
    assert not full_cli_loaded(again[2]), args
    err = b"".join(line + b"\n" for line in again[2].splitlines() if not line.startswith(b"import time:"))
    assert (again[0], again[1], err) == first, args
    return first


def test_a_replay_prints_what_the_full_cli_prints_without_typer_or_pydantic(tmp_path, env):
    root = copy(tmp_path / "c")
    settle()
    lines = [
        ("due", "-C", root, *DAY),
        ("-C", root, "due", *DAY),
        ("due", "-C", root, *DAY, "--format", "json"),
        ("due", "-C", root, *DAY, "--format", "csv", "--staff", "tnguyen"),
        ("--lang", "es", "due", "-C", root, *DAY, "--within", "2w"),
        ("due", "-C", root, *DAY, "--fail-on", "overdue"),
    ]
    for line in lines:
        code, out, err = replayed(env, *line)
        assert out
        assert (code, out, err) == run(env, "--no-cache", *line), line
    # --today from the environment, the caseload found by looking upward, the language from the environment
    extra = {"CAREERPATH_TODAY": "2026-11-22", "CAREERPATH_LANG": "ru"}
    code, out, err = replayed(env, "due", cwd=root / "cases", extra=extra)
    assert (code, out, err) == run(env, "due", "--no-cache", cwd=root / "cases", extra=extra)
    assert code == 0 and "просроч".encode() in out


def test_nothing_stale_is_replayed(tmp_path, env):
    root = copy(tmp_path / "c")
    settle()
    line = ("due", "-C", root, *DAY, "--format", "json")
    before = replayed(env, *line)
    plan = root / "cases" / "linh-tran" / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    assert "due: 2026-12-11" in text
    plan.write_text(text.replace("due: 2026-12-11", "due: 2026-12-01", 1), encoding="utf-8")
    settle()
    after = run(env, *line, importtime=True)
    assert full_cli_loaded(after[2])  # a changed file: the full CLI ran
    assert after[1] != before[1] and b"2026-12-01" in after[1]
    assert after[1] == run(env, "--no-cache", *line)[1]
    # another day
    other = run(env, "due", "-C", root, "--today", "2026-11-23", "--format", "json")
    assert other[1] == run(env, "--no-cache", "due", "-C", root, "--today", "2026-11-23", "--format", "json")[1]


def test_the_start_up_scan_prepares_to_compute_only_when_something_changed(tmp_path, env):
    """The start-up path's scan (forked, as on a large caseload) runs pipeline.ready once when a file changed,
    before the full CLI computes; never when the output is replayed."""
    root = copy(tmp_path / "c")
    settle()
    line = ("due", "-C", str(root), *DAY)
    script = ("import sys\nfrom careerpath import parallel, pipeline\nfrom careerpath.cache import scan\n"
              "scan.PARALLEL_MIN_ENTRIES, scan.CHUNK, parallel.WORKERS = 1, 3, 2\ncalls = []\n"
              "real = pipeline.ready\npipeline.ready = lambda: (calls.append(1), real())[1]\n"
              f"sys.argv = ['careerpath', *{list(line)!r}]\n"
              "from careerpath.start import main\ncode = main()\nsys.stdout.flush()\n"
              "sys.stderr.write(f'ahead={len(calls)}\\n')\nsys.exit(code)\n")

    def spied():
        proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT / "benchmarks", env=env, capture_output=True,
                              timeout=120)
        return proc.returncode, proc.stdout, proc.stderr.decode()

    first = spied()
    again = spied()
    assert again[0] == first[0] == 0 and again[1] == first[1] and "ahead=0" in again[2]  # replayed
    plan = root / "cases" / "linh-tran" / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("due: 2026-12-11", "due: 2026-12-01", 1),
                    encoding="utf-8")
    settle()
    code, out, err = spied()
    assert code == 0 and "ahead=1" in err and b"2026-12-01" in out
    assert out == run(env, "--no-cache", *line)[1]


@pytest.mark.slow
def test_the_same_words_in_another_folder_or_caseload_are_not_replayed(tmp_path, env):
    """A relative --caseload means another caseload in another working folder; a careerpath.yaml made
    further down changes which caseload is found."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    copy(a / "c")
    copy(b / "c")
    plan = b / "c" / "cases" / "linh-tran" / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("due: 2026-12-11", "due: 2026-12-02", 1),
                    encoding="utf-8")
    settle()
    in_a = replayed(env, "due", "-C", "c", *DAY, cwd=a)
    in_b = run(env, "due", "-C", "c", *DAY, cwd=b)
    assert in_a[1] != in_b[1] and in_b[1] == run(env, "--no-cache", "due", "-C", "c", *DAY, cwd=b)[1]
    # found upward from cases/linh-tran; then that folder becomes a caseload of its own (no cases)
    here = a / "c" / "cases" / "linh-tran"
    replayed(env, "due", *DAY, cwd=here)
    (here / "careerpath.yaml").write_text((a / "c" / "careerpath.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    settle()
    nested = run(env, "due", *DAY, cwd=here)
    assert nested == run(env, "--no-cache", "due", *DAY, cwd=here)


def test_no_cache_is_never_replayed(tmp_path, env):
    root = copy(tmp_path / "c")
    settle()
    replayed(env, "due", "-C", root, *DAY)
    assert full_cli_loaded(run(env, "--no-cache", "due", "-C", root, *DAY, importtime=True)[2])
    assert full_cli_loaded(run(env, "due", "-C", root, *DAY, "--no-cache", importtime=True)[2])


def test_a_terminal_replays_only_what_was_drawn_for_its_width_and_colours(tmp_path, env):
    """due's table at a terminal is kept as the terminal was sent it (colours, a caseload's text escaped) and
    replayed only to a terminal of the same width, with or without colours as it was; never ``--explain``."""
    from ptyrun import ANSI, on_terminal

    root = copy(tmp_path / "c")
    config = root / "careerpath.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "    name: Marisol Reyes", '    name: "\\e[2JMarisol Reyes"', 1), encoding="utf-8")
    settle()
    line = ["due", "-C", str(root), *DAY]

    def at(columns, *more, extra=None):
        code, shown, err = on_terminal([*line, *more], columns, env={**env, **(extra or {})},
                                       python=("-X", "importtime"))
        return code, shown, full_cli_loaded(err)

    first = at(100)
    assert first[2] and b"\x1b[1;31m" in first[1] and b"\\x1b[2JMarisol R." in first[1]
    again = at(100)
    assert not again[2] and again[:2] == first[:2]  # replayed, byte for byte what the terminal was sent
    assert b"\x1b[2J" not in again[1]
    narrow = at(70)
    assert narrow[2] and narrow[1] != first[1]  # another width: drawn again, for it
    assert max(len(ANSI.sub("", l)) for l in narrow[1].decode().splitlines()) <= 70
    plain = at(100, extra={"NO_COLOR": "1"})
    assert plain[2] and b"\x1b[" not in plain[1]
    assert not at(100, extra={"NO_COLOR": "1"})[2]
    assert at(100)[:2] == first[:2] and not at(100)[2]
    explained = at(100, "--explain")
    assert explained[2] and at(100, "--explain")[2]  # rich's layout: never kept
    # what a pipe gets is not what the terminal got, and each is kept apart
    code, out, _err = run(env, *line)
    assert code == 0 and b"\x1b[2JMarisol R." in out and b"\x1b[1;31m" not in out  # (a pipe gets what the files hold)


def test_the_command_line_loads_no_pydantic_plugin(tmp_path, env):
    """pydantic looks for plugins among the entry points of every installed package when the first model class
    is made (~40 ms of a run that loads a case); careerpath takes none, so its command line turns the search off
    (careerpath/start.py) unless PYDANTIC_DISABLE_PLUGINS is set: empty, the plugins are loaded again."""
    site = tmp_path / "site"
    info = site / "spyplugin-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: spyplugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[pydantic]\nspy = spyplugin:plugin\n")
    marker = tmp_path / "loaded"
    (site / "spyplugin.py").write_text(
        f"import pathlib\npathlib.Path({str(marker)!r}).write_text('loaded')\n\n\n"
        "class Spy:\n    def new_schema_validator(self, *args, **kwargs):\n        return None, None, None\n\n\n"
        "plugin = Spy()\n")
    env = {**env, "PYTHONPATH": f"{ROOT}{os.pathsep}{site}"}
    env.pop("PYDANTIC_DISABLE_PLUGINS", None)
    root = copy(tmp_path / "c")
    code, _out, err = run(env, "validate", "--no-cache", "--caseload", root, *DAY)
    assert code in (0, 1), err
    assert not marker.exists()
    code, _out, err = run(env, "validate", "--no-cache", "--caseload", root, *DAY, extra={"PYDANTIC_DISABLE_PLUGINS": ""})
    assert code in (0, 1), err
    assert marker.read_text() == "loaded"  # (the plugin is found where it is: the check above could fail)


def test_the_command_line_leaves_without_tearing_down_but_runs_what_exit_must(tmp_path, env):
    """The console script leaves with os._exit after a command (careerpath/start.py: freeing a big run's objects
    one by one took ~0.12 s): its output and exit code are whole, the atexit handlers still run, and a thread
    still at work is waited for as Python's own shutdown waits for it."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import atexit, os, pathlib, threading, time\n"
        "if os.environ.get('EXIT_MARKS'):\n"
        "    folder = pathlib.Path(os.environ['EXIT_MARKS'])\n"
        "    atexit.register(lambda: (folder / 'atexit').write_text('ran'))\n"
        "    class Teardown:\n"
        "        def __del__(self):\n"
        "            (folder / 'teardown').write_text('ran')\n"
        "    kept = Teardown()\n"
        "if os.environ.get('EXIT_THREAD'):\n"
        "    def late():\n"
        "        time.sleep(1.0)\n"
        "        (folder / 'thread').write_text('ran')\n"
        "    threading.Thread(target=late).start()\n")
    env = {**env, "PYTHONPATH": f"{ROOT}{os.pathsep}{site}"}
    root = copy(tmp_path / "c")
    plain = run(env, "--no-cache", "due", "--caseload", root, *DAY, "--fail-on", "overdue")
    for thread in ("", "1"):
        marks = tmp_path / f"marks{thread}"
        marks.mkdir()
        got = run(env, "due", "--caseload", root, *DAY, "--fail-on", "overdue",
                  extra={"EXIT_MARKS": str(marks), "EXIT_THREAD": thread})
        assert got == plain and got[0] == 3 and got[1].count(b"\n") > 20
        assert (marks / "atexit").read_text() == "ran"
        assert (marks / "thread").exists() == bool(thread)
        if not thread:
            assert not (marks / "teardown").exists()  # the heap was not freed object by object
