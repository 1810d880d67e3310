"""Shared test helpers: inline caseloads from dicts of YAML text, and the CLI in-process."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The load cache of every caseload a test touches goes to one temporary folder,
# not into the repository's fixtures and samples (tests/test_cache.py tests the default place).
os.environ.setdefault("CAREERPATH_CACHE_DIR", tempfile.mkdtemp(prefix="careerpath-test-cache-"))
# ... and the per-user key that signs cache files (careerpath/cache/trust.py) is the test run's own.
os.environ.setdefault("XDG_DATA_HOME", tempfile.mkdtemp(prefix="careerpath-test-data-"))
# Test the tree this file is in, whatever copy of careerpath is installed.
sys.path.insert(0, str(ROOT))
# Tests expect English unless they ask for a language: a developer's ru_RU locale must not change them.
os.environ["CAREERPATH_LANG"] = "en"

SAMPLE = ROOT / "sample-cases"


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """The default run is parallel: ``-n auto --dist worksteal`` (a worker per core, idle workers take
    queued tests from busy ones) when pytest-xdist is installed and no ``-n`` was given. ``-n 0`` runs
    in one process (``--pdb`` does so by itself); without pytest-xdist the run is serial."""
    if getattr(config.option, "numprocesses", "absent") is None and not os.environ.get("PYTEST_XDIST_WORKER"):
        config.option.numprocesses = "auto"
        if config.option.dist == "no":
            config.option.dist = "worksteal"

# CI gets the same examples on every run (a red build means the code changed, not the dice);
# local runs and `pytest -m fuzz` keep exploring new ones.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")
TODAY = date(2026, 11, 22)

CONFIG = """\
agency: Test Agency
default_language: en
staff:
  - {id: jsmith, name: Jordan Smith, role: counselor, languages: [en, vi]}
  - {id: ktran, name: Kim Tran, role: job-coach, languages: [en]}
  - {id: reva, name: Роза Евдокимова, role: curator, languages: [ru]}
"""


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``{relative path: text}`` under ``root`` (text is dedented)."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


@pytest.fixture
def caseload(tmp_path):
    """Build a caseload: ``caseload({"cases/a/case.yaml": "..."})``; careerpath.yaml is added unless given."""

    def build(files: dict[str, str | bytes], config: str | None = CONFIG) -> Path:
        root = tmp_path / "caseload"
        root.mkdir(exist_ok=True)
        if config is not None and "careerpath.yaml" not in files:
            files = {"careerpath.yaml": config, **files}
        return write_tree(root, files)

    return build


@dataclass
class Result:
    code: int
    out: str
    err: str
    stats: object = None  # in-process runs: the careerpath.cache.Stats of the command's load cache


@pytest.fixture
def cli(capsys):
    """Run the CLI in-process: ``cli("validate", "--caseload", path)`` -> Result (with what its cache did)."""
    from careerpath.cache import Stats
    from careerpath.cli import main

    def run(*args: str | os.PathLike) -> Result:
        capsys.readouterr()
        stats = Stats()
        code = main([str(a) for a in args], stats=stats)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err, stats)

    return run


def run_process(*args: str | os.PathLike, cwd: Path | None = None, env: dict | None = None, timeout: float = 60) -> Result:
    """Run ``python -m careerpath`` as a real process (for exit codes, streams, tracebacks)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "careerpath", *map(str, args)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def copy_samples(dest: Path) -> Path:
    """A private copy of sample-cases/ to write into (without any cache a run left there)."""
    import shutil

    return Path(shutil.copytree(SAMPLE, dest, ignore=shutil.ignore_patterns(".careerpath")))
