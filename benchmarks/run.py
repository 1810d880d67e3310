"""Benchmarks: careerpath as a user runs it, against a SQLite baseline measured in the same run.

    python benchmarks/run.py                      # 100, 2,000 and 20,519 cases
    python benchmarks/run.py --cases 200 --repeat 1   # the CI smoke test

For each caseload size N (generated once by make_caseload.py and kept in
--workdir) it times whole `python -m careerpath` processes, as a user sees them:

  cold validate       no cache (the cache folder removed first); writes the cache
  cold validate --no-cache   the plain path: every file parsed, nothing written
  warm validate       cache hot
  warm due            cache hot: the morning list
  due, 1 file edited  one event file changed just before each run
  --help              start-up
  sqlite due          the baseline: a fresh Python process opens a SQLite
                      database of the same obligations (built once, indexed)
                      and prints the open ones in due's order

Each figure is the median wall time of --repeat runs (cold runs: once for
N >= 5,000), with the child's CPU time, its peak memory (ru_maxrss) and its
ratio to the SQLite baseline of the same N. Output is a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from make_caseload import DEFAULT_TODAY, generate  # noqa: E402

SQLITE_QUERY = """\
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
out = sys.stdout.write
for status, due, when, case, what, staff in con.execute(
        "SELECT status, due, days, case_id, title, staff FROM obligations "
        "WHERE open = 1 ORDER BY past_due DESC, due, case_id, program, rule, item"):
    out(f"{status:<9} {due}  {when:>5}  {case:<8} {what:<60} {staff}\\n")
"""


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mib: float
    code: int


def run(cmd: list[str], env: dict, stdout=subprocess.DEVNULL) -> Run:
    """One child process: wall time, CPU time (user+sys) and peak RSS from its own rusage."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode)


@dataclass
class Figure:
    name: str
    runs: list[Run]

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def wall_min(self) -> float:
        return min(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def rss(self) -> float:
        return max(r.rss_mib for r in self.runs)


def caseload(workdir: Path, n: int, seed: int) -> Path:
    """The generated caseload for (n, seed), made once and kept."""
    root = workdir / f"caseload-{n}-seed{seed}"
    stamp = root / ".generated"
    if not stamp.exists():
        if root.exists():
            shutil.rmtree(root)
        generate(str(root), n, seed, DEFAULT_TODAY)
        stamp.write_text("ok\n")
        time.sleep(2.5)  # files younger than the cache's racy window (2 s) are never trusted: let them age
    return root


def build_sqlite(root: Path, db: Path, env: dict) -> int:
    """A SQLite table of every obligation of the caseload (what a user would build instead).

    Built in a child process, so this process stays small: a child's ru_maxrss
    counts the parent's memory it was forked with.
    """
    code = (f"import sys; sys.path[:0] = [{str(HERE)!r}, {str(REPO)!r}]; from pathlib import Path; import run; "
            f"print(run._build_sqlite(Path({str(root)!r}), Path({str(db)!r})))")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return int(done.stdout.strip().splitlines()[-1])


def _build_sqlite(root: Path, db: Path) -> int:
    from careerpath.cache import Cache
    from careerpath.pipeline import results

    found = results(root, DEFAULT_TODAY, cache=Cache())
    rows = []
    for o in found.obligations(history=True):
        rows.append((o.case, o.program, o.rule, o.item, o.due.isoformat(), o.status, int(o.past_due),
                     int(o.status != "done" and not o.history), (o.due - DEFAULT_TODAY).days, o.title,
                     ",".join(o.staff)))
    if db.exists():
        db.unlink()
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE obligations (case_id TEXT, program TEXT, rule TEXT, item TEXT, due TEXT, status TEXT, "
                "past_due INTEGER, open INTEGER, days INTEGER, title TEXT, staff TEXT)")
    con.executemany("INSERT INTO obligations VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    con.execute("CREATE INDEX by_due ON obligations (open, past_due DESC, due, case_id, program, rule, item)")
    con.commit()
    con.close()
    return len(rows)


def edit_one(root: Path, i: int) -> None:
    """Change one event file the way an editor would (content and mtime change)."""
    folder = root / "cases" / "c000001" / "events"
    target = sorted(folder.iterdir())[0]
    text = target.read_text(encoding="utf-8").split("\n# benchmark edit")[0]
    target.write_text(text + f"\n# benchmark edit {i}\n", encoding="utf-8")


def bench(n: int, seed: int, workdir: Path, repeat: int) -> tuple[list[Figure], dict]:
    root = caseload(workdir, n, seed)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("CAREERPATH_CACHE_DIR", None)  # the real place: <caseload>/.careerpath/cache
    py = sys.executable
    cli = [py, "-m", "careerpath"]
    day = ["--today", DEFAULT_TODAY.isoformat(), "--caseload", str(root)]
    cold_repeat = 1 if n >= 5000 else repeat
    figures = []

    def cold(no_cache: bool) -> Run:
        shutil.rmtree(root / ".careerpath", ignore_errors=True)
        return run([*cli, *(["--no-cache"] if no_cache else []), "validate", *day], env)

    figures.append(Figure("cold validate (cache written)", [cold(False) for _ in range(cold_repeat)]))
    figures.append(Figure("cold validate --no-cache", [cold(True) for _ in range(cold_repeat)]))
    run([*cli, "due", *day], env)  # warm the cache for the next figures
    figures.append(Figure("warm validate", [run([*cli, "validate", *day], env) for _ in range(repeat)]))
    figures.append(Figure("warm due", [run([*cli, "due", *day], env) for _ in range(repeat)]))
    edited = []
    for i in range(repeat):
        edit_one(root, i)
        edited.append(run([*cli, "due", *day], env))
        time.sleep(0.05)
    figures.append(Figure("due, 1 file edited", edited))
    figures.append(Figure("careerpath --help", [run([*cli, "--help"], env) for _ in range(repeat)]))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "obligations.sqlite"
        script = Path(tmp) / "query.py"
        script.write_text(SQLITE_QUERY)
        rows = build_sqlite(root, db, env)
        base = Figure("sqlite due (baseline)", [run([py, str(script), str(db)], env) for _ in range(repeat)])
    figures.append(base)
    files = sum(1 for _ in (root / "cases").rglob("*.yaml"))
    return figures, {"cases": n, "files": files, "obligations": rows}


def table(all_results: list[tuple[list[Figure], dict]]) -> str:
    lines = ["| cases | files | figure | wall median (min) s | CPU s | peak MiB | × SQLite |",
             "|---:|---:|---|---:|---:|---:|---:|"]
    for figures, meta in all_results:
        base = next(f for f in figures if f.name.startswith("sqlite")).wall
        for f in figures:
            lines.append(f"| {meta['cases']:,} | {meta['files']:,} | {f.name} | {f.wall:.2f} ({f.wall_min:.2f}) | "
                         f"{f.cpu:.2f} | {f.rss:.0f} | {f.wall / base:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", default="100,2000,20519", help="comma-separated caseload sizes")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "careerpath-bench",
                   help="where generated caseloads are kept between runs")
    p.add_argument("--repeat", type=int, default=5, help="runs per warm figure (median reported)")
    args = p.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    out = []
    for n in (int(x) for x in args.cases.split(",")):
        figures, meta = bench(n, args.seed, args.workdir, max(1, args.repeat))
        out.append((figures, meta))
        print(f"# {n:,} cases done ({meta['obligations']:,} obligations)", file=sys.stderr, flush=True)
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print(f"machine: {os.cpu_count()} CPUs {cpu}; Python {sys.version.split()[0]}")
    print(table(out))
    failed = [f"{meta['cases']} {f.name}" for figures, meta in out for f in figures if any(r.code for r in f.runs)]
    if failed:  # the generated caseload is clean and nothing is overdue-gated: every run must exit 0
        print(f"run.py: these commands did not exit 0: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
