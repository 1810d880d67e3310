"""Benchmarks: careerpath as a user runs it, with its baselines measured in the same run.

    python benchmarks/run.py                                # 100, 2,000 and 20,519 cases, 3 runs each
    python benchmarks/run.py --cases 20519 --repeat 5       # the figures of docs/performance.md
    python benchmarks/run.py --cases 2000 --compare main    # this checkout against main, interleaved
    python benchmarks/run.py --cases 20519 --code main      # main's code alone (the "before" of a change)
    python benchmarks/run.py --cases 300 --repeat 1 --warmup 0 --verify   # the CI smoke run

For each caseload size N (written once by make_caseload.py and kept in
--workdir) it times whole `python -m careerpath` processes as a user runs them
(start-up, imports, work, output read from a pipe), from outside: wall time,
CPU time (user+system) and peak memory (the largest single process, pool workers
included: GNU time's %M where installed, else ru_maxrss) of every run, and reports each figure's minimum, median
and maximum over --repeat runs (at least 3 for figures to quote), after
--warmup runs that are not counted. Figures, in the order they are taken:

  cold validate        the cache removed before each run (the files are in the
                       page cache, as they are for the parse-only baseline)
  parse-only baseline  one Python process reading every YAML file with PyYAML's
                       C loader (yaml.CSafeLoader), nothing else: the floor of
                       a cold run; taken in turn with cold validate
  warm validate, warm due
  sqlite baselines     the open obligations of the same caseload in a SQLite
                       table (built once from `due --all --format json`,
                       indexed in due's order), selected in due's order and
                       printed as aligned rows by (a) a fresh Python process
                       and (b) the `sqlite3` command-line program; taken in
                       turn with warm due
  stat floor           every file under cases/ statted once (os.stat, the list
                       made beforehand, two processes), nothing else: what a
                       warm run without a change journal cannot avoid; taken
                       in turn with warm due
  warm due at a terminal
                       stdout on a pseudo-terminal 80 columns wide (the table
                       fitted to it, in colour), read as fast as it comes: a
                       replay of what the terminal was sent
  due --format ics, show CASE, render pccp CASE --format html,
  report dashboard, report quarterly --period YYYY-QN
                       cache warm; reports write into a fresh folder each run
  --help               start-up
  completion           case ids completed through the shell-completion protocol
                       (`_CAREERPATH_COMPLETE`); skipped, saying so, when the
                       CLI has no completion of case ids
  due after editing one case
                       a value edit before each run: one case's plan objective
                       g1.o2 gets a new due date and no done date, and the run
                       must list it (checked); the run starts right after the
                       save, so the saved file is too fresh for the cache to key
                       (its racy window: nothing is stored for the next run)
  due after editing one case, 2 s after the save
                       the same edit, the run 2.2 s after it, as at a keyboard:
                       the file can be keyed and the patched table is stored
                       (as splices of the whole output it was patched from)
  due after adding one case
                       a new case folder (a copy of another case under a new
                       id) before each run; the run must list it (checked)
  first due of a new day
                       `--today` one day later than the last run, each run: no
                       warm-up job, as on a laptop that slept through cron
  with `careerpath watch` running
                       warm due, the edit, the added case and the new day again
                       while a watcher keeps the change journal (Linux inotify):
                       a warm run stats only the case folders it names; the
                       first run after it starts (every entry statted) is not
                       counted; compared with the same run's sqlite3 baseline
                       and watched warm due. The watcher runs with
                       --no-refresh here, as before it made outputs again
  at a terminal, with `careerpath watch` running
                       warm due on the 80-column pseudo-terminal, then the
                       edit with the 5 s pause: the watcher draws the table
                       again on a pseudo-terminal as wide (checked against
                       --no-cache at that terminal by --verify)
  5 s after the change, with `careerpath watch` running
                       the edit and the added case once more, the run 5 s after
                       each change, with a watcher (restarted without
                       --no-refresh) that makes the stored output again once
                       the journal has been quiet for 2.5 s; compared with the
                       watched warm due

Each generated caseload is put back as it was after the edits (the edited file
written again from the generator, added cases removed), also at the start of a
run that follows an interrupted one.

Before timing, the package's bytecode (and that of the interpreter's
site-packages) is compiled with compileall: PYTHONDONTWRITEBYTECODE, when set,
would otherwise make every run compile what it imports. The output says what
was compiled.

With --compare REF (a checkout of REF exported into --workdir, with its own
venv) or --other-venv PATH (an installed venv), every figure is also taken for
the other code in the same run, on its own identical copy of the caseload (its
own cache), interleaved run by run (this, other, this, other, ...), and the
ratio this/other is given pair by pair: on a shared machine whose speed drifts,
a ratio of neighbouring runs is the figure to trust. --code REF measures the
code at REF (exported the same way) in place of this checkout: the figures of
a branch or commit that is not checked out, with this checkout's harness.

The targets of issue 22 (set for 20,519 cases) are checked at every size and
printed PASS or FAIL with the figure and baseline they compare. With --verify,
`due --format json` and every report (dashboard, quarterly, outcomes, registry,
portrait, feedback: their files and exit code) are compared byte for byte with
their `--no-cache` output after the edit, add and new-day scenarios and at the
end. Output is Markdown; --json FILE keeps every run.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import functools
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from make_caseload import DEFAULT_TODAY, generate, make_case  # noqa: E402

# Children run here, not in the caller's folder: `python -m` and `-c` put their working folder first
# on sys.path, so a child started in a checkout would import that checkout's careerpath whatever
# PYTHONPATH says (and --compare would time this checkout twice). Python 3.11's PYTHONSAFEPATH
# (set too) says the same to the interpreters that know it.
CHILD_CWD = HERE

QUARTER = "2026-Q3"  # the last complete quarter before DEFAULT_TODAY (2026-11-22)
TERMINAL = 80  # columns of the pseudo-terminal `due` is drawn on (a terminal's default size)

# ---------------------------------------------------------------- the baselines' programs

PARSE_ONLY = """\
import os, sys, yaml
load, Loader = yaml.load, yaml.CSafeLoader
def walk(folder):
    with os.scandir(folder) as it:
        for e in it:
            if e.is_dir(follow_symlinks=False):
                yield from walk(e.path)
            elif e.name.endswith(".yaml"):
                yield e.path
root = sys.argv[1]
n = 0
for path in [os.path.join(root, "careerpath.yaml"), *walk(os.path.join(root, "cases"))]:
    with open(path, "rb") as fh:
        load(fh.read(), Loader=Loader)
    n += 1
print(n, "files parsed")
"""

SQLITE_PY = """\
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
out = sys.stdout.write
for status, due, when, case, what, staff in con.execute(
        "SELECT status, due, when_text, case_id, what, staff FROM obligations "
        "WHERE open = 1 ORDER BY past_due DESC, due, case_id, program, rule, item"):
    out(f"{status:<9} {due}  {when:<9}  {case:<8} {what:<%(width)d} {staff}\\n")
"""

STAT_FLOOR = """\
import os, sys
os.chdir(sys.argv[1])
paths = open(sys.argv[2], encoding="utf-8").read().split("\\n")[:-1]
half = len(paths) // 2
pid = os.fork()
stat = os.stat
for path in paths[:half] if pid == 0 else paths[half:]:
    stat(path)
if pid == 0:
    os._exit(0)
os.waitpid(pid, 0)
print(len(paths), "files statted")
"""

SQLITE_CLI = ("SELECT printf('%%-9s %%s  %%-9s  %%-8s %%!-%(width)ds %%s', status, due, when_text, case_id, what, staff) "
              "FROM obligations WHERE open = 1 ORDER BY past_due DESC, due, case_id, program, rule, item;")


# ---------------------------------------------------------------- one run


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mib: float
    code: int
    out_bytes: int
    out_lines: int
    load: float  # 1-minute load average when the run started
    err: str = ""  # the end of stderr, kept for runs that failed
    out: bytes = field(default=b"", repr=False)  # stdout, kept only when asked for


#: GNU time, where installed: it reports the peak memory of a child it forked itself. A child forked by this
#: harness counts the harness's own size in its ru_maxrss (Linux keeps the larger of the two across exec).
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run(cmd: list[str], env: dict, capture: bool = False, terminal: int = 0) -> Run:
    """One child process, its stdout read from a pipe (as a pager or a redirect would), or with ``terminal``
    from a pseudo-terminal that many columns wide (as at a shell prompt; read as fast as it comes).

    Wall time from outside; CPU time from the kernel's accounting of the finished child
    (wait4), which includes the pool workers it waited for; peak RSS from GNU time's %M
    where it is installed (the largest of the command and the workers it waited for), else
    from wait4 (which then starts from this harness's own size).
    """
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        start = time.perf_counter()
        timed = [GNU_TIME, "-f", "%M", "-o", rss.name, *cmd] if GNU_TIME else cmd
        if terminal:
            fd, slave = os.openpty()
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, terminal, 0, 0))
            env = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
            env.setdefault("TERM", "xterm")
        proc = subprocess.Popen(timed, env=env, stdout=slave if terminal else subprocess.PIPE, stderr=err,
                                stdin=subprocess.DEVNULL, cwd=CHILD_CWD)
        if terminal:
            os.close(slave)
        else:
            fd = proc.stdout.fileno()
        size = lines = 0
        chunks = []
        while True:
            try:
                chunk = os.read(fd, 1 << 20)
            except OSError:  # EIO: the terminal's last writer closed it
                chunk = b""
            if not chunk:
                break
            size += len(chunk)
            lines += chunk.count(b"\n")
            if capture:
                chunks.append(chunk)
        if terminal:
            os.close(fd)
        else:
            proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        tail = ""
        if code:
            err.seek(0)
            tail = err.read()[-1500:].decode("utf-8", "replace")
        peak = usage.ru_maxrss
        if GNU_TIME:
            reported = rss.read().split()  # "Command exited with non-zero status N" comes first when it did
            peak = int(reported[-1]) if reported and reported[-1].isdigit() else peak
    return Run(wall, usage.ru_utime + usage.ru_stime, peak / 1024, code, size, lines, load, tail,
               b"".join(chunks))


@dataclass
class Figure:
    key: str      # short name for --only
    name: str     # as printed
    who: str      # side label, or "baseline"
    runs: list[Run]
    note: str = ""

    def _walls(self) -> list[float]:
        return [r.wall for r in self.runs]

    @property
    def wall(self) -> float:
        return statistics.median(self._walls())

    @property
    def wall_min(self) -> float:
        return min(self._walls())

    @property
    def wall_max(self) -> float:
        return max(self._walls())

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def rss(self) -> float:
        return max(r.rss_mib for r in self.runs)

    @property
    def failed(self) -> list[Run]:
        return [r for r in self.runs if r.code]


def paired(a: Figure, b: Figure) -> list[float]:
    """a/b for runs taken next to each other (same round)."""
    return [x.wall / y.wall for x, y in zip(a.runs, b.runs) if y.wall > 0]


# ---------------------------------------------------------------- the code being measured


@dataclass
class Side:
    label: str
    python: str
    pythonpath: Optional[Path]  # the checkout to import careerpath from; None: what the venv has installed
    commit: str
    root: Path = Path()  # this side's copy of the caseload, set per size

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CAREERPATH_")}
        env["CAREERPATH_LANG"] = "en"  # the figures do not depend on the machine's locale
        env["PYTHONSAFEPATH"] = "1"
        env.pop("PYTHONPATH", None)
        if self.pythonpath:
            env["PYTHONPATH"] = str(self.pythonpath)
        return env

    def cli(self, *args: str) -> list[str]:
        return [self.python, "-m", "careerpath", *args]


def git(*args: str, cwd: Path = REPO) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def describe(repo: Path) -> str:
    try:
        sha = git("rev-parse", "--short=8", "HEAD", cwd=repo)
        dirty = git("status", "--porcelain", "--untracked-files=no", cwd=repo)
        return sha + (" + uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"


def this_side() -> Side:
    return Side("this checkout", sys.executable, REPO, describe(REPO))


def compare_side(ref: str, workdir: Path) -> Side:
    """REF exported (git archive: the repository is only read) into workdir, with its own venv."""
    sha = git("rev-parse", f"{ref}^{{commit}}")
    dest = workdir / f"checkout-{sha[:12]}"
    stamp = dest / ".bench-ready"
    if not stamp.exists():
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", "--format=tar", sha], cwd=REPO, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
        print(f"# {ref}: exported {sha[:12]} to {dest}; making its venv", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(dest / ".venv")], check=True)
        subprocess.run([str(dest / ".venv" / "bin" / "pip"), "install", "-q", "-e", str(dest)], check=True,
                       env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
        stamp.write_text(sha + "\n")
    return Side(f"{ref} ({sha[:8]})", str(dest / ".venv" / "bin" / "python"), dest, sha[:8])


def venv_side(path: Path) -> Side:
    python = path / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"run.py: {python} does not exist (--other-venv takes a venv folder)")
    where = subprocess.run([str(python), "-c", "import careerpath, os; print(os.path.dirname(careerpath.__file__))"],
                           capture_output=True, text=True, cwd=CHILD_CWD,
                           env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    if where.returncode:
        raise SystemExit(f"run.py: careerpath is not installed in {path}")
    checkout = Path(where.stdout.strip()).parent
    return Side(f"venv {path}", str(python), None, describe(checkout))


def compile_bytecode(side: Side) -> str:
    """Compile careerpath and the interpreter's site-packages; say what was compiled.

    compileall writes .pyc files whatever PYTHONDONTWRITEBYTECODE says (it only stops imports
    from writing them), and skips the files whose .pyc is up to date.
    """
    code = ("import careerpath, compileall, os, sys, sysconfig\n"
            "pkg = os.path.dirname(careerpath.__file__)\n"
            "site = sysconfig.get_paths()['purelib']\n"
            "ok = compileall.compile_dir(pkg, quiet=2, workers=0) and compileall.compile_dir(site, quiet=2, workers=0)\n"
            "count = lambda d: sum(f.endswith('.py') for _, _, fs in os.walk(d) for f in fs)\n"
            "print(pkg, count(pkg), site, count(site), int(bool(ok)))\n")
    done = subprocess.run([side.python, "-c", code], env=side.env(), capture_output=True, text=True, cwd=CHILD_CWD)
    if done.returncode:
        return f"bytecode NOT compiled for {side.label}: {done.stderr.strip()[-300:]}"
    pkg, npkg, site, nsite, ok = done.stdout.split()
    if side.pythonpath and Path(pkg).resolve() != (side.pythonpath / "careerpath").resolve():
        raise SystemExit(f"run.py: {side.label} imports careerpath from {pkg}, not from {side.pythonpath}")
    state = "" if ok == "1" else " (some files did not compile)"
    return (f"{side.label}: compiled {npkg} modules of {pkg} and {nsite} of {site} with compileall "
            f"before timing{state}")


# ---------------------------------------------------------------- the caseload and its scenarios


def caseload(workdir: Path, n: int, seed: int, copy: int = 0) -> tuple[Path, bool]:
    """The generated caseload for (n, seed), made once and kept; ``copy`` 1 is the other side's.

    Returns the folder and whether it was written now.
    """
    root = workdir / (f"caseload-{n}-seed{seed}" + (f"-copy{copy}" if copy else ""))
    stamp = root / ".generated"
    if stamp.exists():
        return root, False
    if root.exists():
        shutil.rmtree(root)
    t = time.perf_counter()
    generate(str(root), n, seed, DEFAULT_TODAY)
    print(f"# generated {n:,} cases in {time.perf_counter() - t:.1f} s: {root}", file=sys.stderr, flush=True)
    stamp.write_text("ok\n")
    return root, True


#: in each caseload copy: the last --today a run of this harness used with its cache (:meth:`Bench.go`)
DAY_STAMP = ".bench-day"


def case_id(i: int) -> str:
    return f"c{i:06d}"


@functools.lru_cache(maxsize=None)
def edit_case(n: int, seed: int) -> int:
    """The case the edit scenario changes: the first open case from the middle of the caseload on.

    Read from the generator, not the disk, so it is the same case before and after an edit (a
    closed case's plan objectives are history: editing them changes nothing `due` lists).
    """
    for i in list(range(n // 2 + 1, n + 1)) + list(range(1, n // 2 + 1)):
        if "\nstatus: active\n" in make_case(i, seed, DEFAULT_TODAY)[1]["case.yaml"]:
            return i
    raise SystemExit("run.py: the generated caseload has no open case to edit")


def show_case(root: Path, n: int) -> str:
    """The first open CCP case from c000008 on (the issue's example): `render pccp` needs CCP, and the
    add scenario copies it, so that the new case has obligations `due` lists."""
    for i in list(range(min(8, n), n + 1)) + list(range(1, min(8, n))):
        text = (root / "cases" / case_id(i) / "case.yaml").read_text(encoding="utf-8")
        if "\n  ca-dds-ccp:\n" in text and "\nstatus: active\n" in text:
            return case_id(i)
    return case_id(1)


_OBJECTIVE = re.compile(r"^      - \{id: g1\.o2, .*$", re.M)


def edit_value(root: Path, n: int, seed: int, k: int) -> str:
    """Give the edit case's objective g1.o2 a new due date (today + 10 + k days) and no done date.

    A value edit that changes an obligation (its date, and its status when it was done);
    returns the new date, which `due` must then list for that case.
    """
    plan = root / "cases" / case_id(edit_case(n, seed)) / "plan.yaml"
    new = (DEFAULT_TODAY + timedelta(days=10 + k)).isoformat()
    text, count = _OBJECTIVE.subn(
        f"      - {{id: g1.o2, text: Two informational interviews, due: {new}, done: null}}",
        plan.read_text(encoding="utf-8"))
    assert count == 1, "the generator's plan.yaml changed shape: update edit_value()"
    plan.write_text(text, encoding="utf-8")
    return new


def add_case(root: Path, n: int, k: int, source: str) -> str:
    """A new case folder: a copy of ``source`` under the id c(n+1+k)."""
    new = case_id(n + 1 + k)
    dest = root / "cases" / new
    shutil.copytree(root / "cases" / source, dest)
    case = dest / "case.yaml"
    text = case.read_text(encoding="utf-8").replace(f"id: {source}\n", f"id: {new}\n", 1)
    case.write_text(text, encoding="utf-8")
    return new


def restore(root: Path, n: int, seed: int) -> bool:
    """Undo the scenarios: the edited case's files as generated, no case beyond n. Whether anything changed."""
    changed = False
    _, files = make_case(edit_case(n, seed), seed, DEFAULT_TODAY)
    plan = root / "cases" / case_id(edit_case(n, seed)) / "plan.yaml"
    if plan.read_text(encoding="utf-8") != files["plan.yaml"]:
        plan.write_text(files["plan.yaml"], encoding="utf-8")
        changed = True
    for entry in (root / "cases").iterdir():
        if entry.name.startswith("c") and entry.name[1:].isdigit() and int(entry.name[1:]) > n:
            shutil.rmtree(entry)
            changed = True
    return changed


def lists(out: bytes, *words: str) -> bool:
    """Whether one line of ``out`` holds every word."""
    needles = [w.encode() for w in words]
    return any(all(w in line for w in needles) for line in out.splitlines())


# ---------------------------------------------------------------- the SQLite table


def build_sqlite(side: Side, db: Path) -> tuple[int, int, int]:
    """The obligation table, built in a child process (this one stays small); (rows, open rows, width)."""
    code = (f"import sys; sys.path.insert(0, {str(HERE)!r}); from pathlib import Path; import run; "
            f"print(*run._build_sqlite({side.python!r}, {side.env()!r}, Path({str(side.root)!r}), Path({str(db)!r})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    rows, open_rows, width = done.stdout.split()[-3:]
    return int(rows), int(open_rows), int(width)


def _when(days: int) -> str:
    return f"{-days}d late" if days < 0 else "today" if days == 0 else f"in {days}d"


def _build_sqlite(python: str, env: dict, root: Path, db: Path) -> tuple[int, int, int]:
    """Every obligation (``due --all``) with the open ones (plain ``due``) marked, from the JSON output.

    The JSON follows careerpath/schemas/obligations.schema.json, so the table does not depend on
    careerpath's internals; the row's cells (status, when, what) are computed here, once.
    """
    def due_json(*extra: str) -> list[dict]:
        with tempfile.TemporaryFile() as out:
            subprocess.run([python, "-m", "careerpath", "due", "--format", "json", "--caseload", str(root),
                            "--today", DEFAULT_TODAY.isoformat(), *extra], env=env, stdout=out, check=True,
                           cwd=CHILD_CWD)
            out.seek(0)
            return json.load(out)

    def key(o: dict) -> tuple:
        return (o["case"], o["program"], o["rule"], o["item"], o["due"])

    open_keys = {key(o) for o in due_json()}
    rows = []
    width = 0
    for o in due_json("--all"):
        due = date.fromisoformat(o["due"])
        extra = ", ".join(x for x in (o["item"], o["detail"]) if x)
        what = f"{o['title']} [{extra}]" if extra else o["title"]
        is_open = key(o) in open_keys
        if is_open:
            width = max(width, len(what))
        rows.append((o["case"], o["program"], o["rule"], o["item"], o["due"], o["status"], int(o["past_due"]),
                     int(is_open), (due - DEFAULT_TODAY).days, _when((due - DEFAULT_TODAY).days), what,
                     ",".join(o["staff"])))
    if db.exists():
        db.unlink()
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE obligations (case_id TEXT, program TEXT, rule TEXT, item TEXT, due TEXT, status TEXT, "
                "past_due INTEGER, open INTEGER, days INTEGER, when_text TEXT, what TEXT, staff TEXT)")
    con.executemany("INSERT INTO obligations VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    con.execute("CREATE INDEX by_due ON obligations (open, past_due DESC, due, case_id, program, rule, item)")
    con.commit()
    con.close()
    return len(rows), len(open_keys), width


# ---------------------------------------------------------------- one size


FIGURE_KEYS = ["cold-validate", "warm-validate", "warm-due", "terminal", "ics", "show", "render", "dashboard", "quarterly",
               "help", "completion", "edit", "edit-settled", "add", "new-day", "watched"]


@dataclass
class SizeResult:
    cases: int
    files: int = 0
    obligations: int = 0
    open_obligations: int = 0
    show_case: str = ""
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checks: list[tuple[str, bool]] = field(default_factory=list)  # (what, held)
    load: list[float] = field(default_factory=list)

    def find(self, key: str, who: str) -> Optional[Figure]:
        return next((f for f in self.figures if f.key == key and f.who == who), None)


class Bench:
    def __init__(self, n: int, args: argparse.Namespace, sides: list[Side]):
        self.n, self.args, self.sides = n, args, sides
        self.repeat, self.warmup = args.repeat, args.warmup
        self.result = SizeResult(n)
        self.day = DEFAULT_TODAY  # the --today of the warm cache
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-", dir=args.workdir))

    def wanted(self, key: str) -> bool:
        return not self.args.only or key in self.args.only

    def day_args(self, side: Side, day: Optional[date] = None) -> list[str]:
        return ["--caseload", str(side.root), "--today", (day or self.day).isoformat()]

    def measure(self, key: str, name: str, participants: list[tuple[str, Callable[[int], Run]]],
                warmup: Optional[int] = None) -> list[Figure]:
        """Each participant once per round, in turn; the first ``warmup`` rounds are not counted."""
        warmup = self.warmup if warmup is None else warmup
        figures = [Figure(key, name, who, []) for who, _ in participants]
        for i in range(warmup + self.repeat):
            # every other round in the opposite order, so that no one always runs just after another
            order = list(zip(figures, participants))
            for fig, (_, take) in (order if i % 2 == 0 else order[::-1]):
                r = take(i)
                self.result.load.append(r.load)
                if i >= warmup:
                    fig.runs.append(r)
        self.result.figures.extend(figures)
        print(f"#   {name}: " + ", ".join(f"{f.who} {f.wall:.2f} s" for f in figures), file=sys.stderr, flush=True)
        return figures

    def per_side(self, make: Callable[[Side, int], list[str]], capture: bool = False,
                 before: Optional[Callable[[Side, int], None]] = None,
                 terminal: int = 0) -> list[tuple[str, Callable[[int], Run]]]:
        def take(side: Side) -> Callable[[int], Run]:
            def go(i: int) -> Run:
                if before:
                    before(side, i)
                return run(make(side, i), side.env(), capture, terminal)
            return go
        return [(s.label, take(s)) for s in self.sides]

    def settle(self, wrote: bool = True) -> None:
        """Let files written by a scenario age past the cache's racy window (2 s), then warm every side."""
        if wrote:
            time.sleep(2.2)
        for side in self.sides:
            run(side.cli("due", *self.day_args(side)), side.env())

    def verify(self, scenario: str) -> None:
        """`due` (the table the timed runs printed, replayed or patched) and `due --format json` and every report
        equal their --no-cache output, for every side."""
        if not self.args.verify:
            return
        for side in self.sides:
            for form, terminal in (([], 0), (["--format", "json"], 0), ([], TERMINAL)):
                cached = run(side.cli("due", *form, *self.day_args(side)), side.env(), True, terminal)
                plain = run(side.cli("--no-cache", "due", *form, *self.day_args(side)), side.env(), True, terminal)
                same = cached.code == 0 and plain.code == 0 and cached.out == plain.out
                what = " ".join(["due", *form]) + (f"` at a terminal ({TERMINAL} columns)" if terminal else "`")
                self.result.checks.append((f"{side.label}: `{what} equals `--no-cache` after {scenario}", same))
            self.verify_reports(side, scenario)

    def verify_reports(self, side: "Side", scenario: str) -> None:
        """Every report, through the cache and with --no-cache: the same files and exit code."""
        for report in REPORTS:
            outs = []
            for flag in ([], ["--no-cache"]):
                out = self.tmp / f"verify-{len(outs)}"
                shutil.rmtree(out, ignore_errors=True)
                r = run(side.cli(*flag, "report", *report, "--out", str(out), "--quiet", *self.day_args(side)),
                        side.env())
                files = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
                outs.append((r.code, files) if r.code in (0, 1) else None)
            same = outs[0] is not None and bool(outs[0][1]) and outs[0] == outs[1]
            self.result.checks.append((f"{side.label}: `report {' '.join(report)}` equals `--no-cache` after "
                                       f"{scenario}", same))

    # ---- the figures

    def go(self) -> SizeResult:
        n, seed, res = self.n, self.args.seed, self.result
        wrote = False
        for k, side in enumerate(self.sides):
            side.root, made = caseload(self.args.workdir, n, seed, k)
            wrote |= restore(side.root, n, seed) or made
            self._back_to_the_first_day(side)
        if wrote:
            time.sleep(2.2)  # files younger than the cache's racy window (2 s) are never trusted: let them age
        try:
            self._figures()
        finally:
            for side in self.sides:
                restore(side.root, n, seed)
                (side.root / DAY_STAMP).write_text(self.day.isoformat() + "\n")
            shutil.rmtree(self.tmp, ignore_errors=True)
        return res

    def _back_to_the_first_day(self, side: "Side") -> None:
        """Every run starts on DEFAULT_TODAY; a cache an earlier run left on a later day (its new-day scenario)
        would make this run's days go backwards, which no user's do: each case's results hold from the day
        they were computed, so every figure at the first day would recompute many cases. Such a cache (or one
        no run of this harness said the day of) is removed: the first run of this one builds it again."""
        cache, stamp = side.root / ".careerpath", side.root / DAY_STAMP
        try:
            last = date.fromisoformat(stamp.read_text().strip())
        except (OSError, ValueError):
            last = None
        if cache.exists() and (last is None or last > self.day):
            shutil.rmtree(cache, ignore_errors=True)
            self.result.notes.append(f"{side.label}: the cache an earlier run left "
                                     f"{'on ' + last.isoformat() if last else 'without a day'} was removed "
                                     f"(this run starts on {self.day.isoformat()})")

    def _figures(self) -> None:
        n, res, sides = self.n, self.result, self.sides
        first = sides[0]
        res.files = sum(1 for _ in (first.root / "cases").rglob("*.yaml")) + 1
        res.show_case = show = show_case(first.root, n)

        if self.wanted("cold-validate"):
            def cold(side: Side, i: int) -> None:
                shutil.rmtree(side.root / ".careerpath", ignore_errors=True)
            parse = self.tmp / "parse_only.py"
            parse.write_text(PARSE_ONLY)
            self.measure("cold-validate", "cold validate (no cache)",
                         self.per_side(lambda s, i: s.cli("validate", *self.day_args(s)), before=cold)
                         + [("baseline", lambda i: run([first.python, str(parse), str(first.root)], first.env()))],
                         warmup=0)
            res.figures[-1].key, res.figures[-1].name = "parse-only", "parse-only baseline (PyYAML C loader, every file)"
        self.settle(wrote=False)

        if self.wanted("warm-validate"):
            self.measure("warm-validate", "warm validate",
                         self.per_side(lambda s, i: s.cli("validate", *self.day_args(s))))
        if self.wanted("warm-due") or self.wanted("edit") or self.wanted("add") or self.wanted("new-day"):
            self._warm_due()

        if self.wanted("terminal"):
            self.measure("terminal", f"warm due at a terminal ({TERMINAL} columns)", self.per_side(
                lambda s, i: s.cli("due", *self.day_args(s)), terminal=TERMINAL))
        if self.wanted("ics"):
            self.measure("ics", "due --format ics", self.per_side(
                lambda s, i: s.cli("due", "--format", "ics", *self.day_args(s))))
        if self.wanted("show"):
            self.measure("show", f"show {show}", self.per_side(lambda s, i: s.cli("show", show, *self.day_args(s))))
        if self.wanted("render"):
            self.measure("render", f"render pccp {show} --format html", self.per_side(
                lambda s, i: s.cli("render", "pccp", show, "--format", "html", *self.day_args(s))))
        for key, kind, extra in (("dashboard", "dashboard", []), ("quarterly", "quarterly", ["--period", QUARTER])):
            if not self.wanted(key):
                continue

            def report(s: Side, i: int, kind: str = kind, extra: list = extra) -> list[str]:
                out = self.tmp / f"report-{kind}"
                shutil.rmtree(out, ignore_errors=True)  # each run writes every file, into an empty folder
                return s.cli("report", kind, *extra, "--out", str(out), *self.day_args(s))
            self.measure(key, f"report {kind}" + (f" --period {QUARTER}" if extra else ""), self.per_side(report))
        if self.wanted("help"):
            self.measure("help", "careerpath --help", self.per_side(lambda s, i: s.cli("--help")))
        if self.wanted("completion"):
            self._completion(show)

        if self.wanted("edit"):
            self._edit()
        if self.wanted("edit-settled"):
            self._edit("edit-settled", first=2 * self.repeat, settled=True)
        if self.wanted("add"):
            self._add(show)
        if self.wanted("new-day"):
            self._new_day()
        self.verify(f"every scenario ({self.day})")
        if self.wanted("watched"):
            self._watched(show)

    def _warm_due(self) -> None:
        res, first = self.result, self.sides[0]
        participants = self.per_side(lambda s, i: s.cli("due", *self.day_args(s)))
        db = self.tmp / "obligations.sqlite"
        res.obligations, res.open_obligations, width = build_sqlite(first, db)
        py = self.tmp / "sqlite_due.py"
        py.write_text(SQLITE_PY % {"width": width})
        participants.append(("baseline", lambda i: run([first.python, str(py), str(db)], first.env())))
        cli = shutil.which("sqlite3")
        if cli:
            participants.append(("baseline", lambda i: run([cli, "-batch", "-readonly", str(db),
                                                            SQLITE_CLI % {"width": width}], first.env())))
        else:
            res.notes.append("the `sqlite3` command-line program is not installed (Debian: apt-get install sqlite3): "
                             "its baseline and the target that uses it are not measured")
        # what a run that cannot ask a change journal must do at least: stat every file (docs/performance.md)
        listed = self.tmp / "files.txt"
        with listed.open("w", encoding="utf-8") as out:
            for folder, _, names in os.walk(first.root / "cases"):
                rel = os.path.relpath(folder, first.root)
                out.writelines(f"{rel}/{name}\n" for name in sorted(names))
        floor = self.tmp / "stat_floor.py"
        floor.write_text(STAT_FLOOR)
        participants.append(("baseline", lambda i: run([first.python, str(floor), str(first.root), str(listed)],
                                                        first.env())))
        figs = self.measure("warm-due", "warm due", participants)
        figs[len(self.sides)].key, figs[len(self.sides)].name = "sqlite-py", "SQLite baseline: Python script"
        if cli:
            figs[-2].key, figs[-2].name = "sqlite-cli", "SQLite baseline: `sqlite3` command line"
        figs[-1].key, figs[-1].name = "stat-floor", "stat floor: every file statted once by two processes, nothing else"
        if cli and figs[-1].runs and figs[-2].runs:
            res.notes.append(f"a warm `due` with no change journal stats every file: that alone (the stat floor) took "
                             f"{figs[-1].wall:.2f} s, {figs[-1].wall / figs[-2].wall:.2f}× the `sqlite3` command line")
        due_lines = figs[0].runs[-1].out_lines
        for f in figs[len(self.sides):-1]:
            if f.runs[-1].out_lines != res.open_obligations:
                res.notes.append(f"{f.name} printed {f.runs[-1].out_lines} lines for {res.open_obligations} "
                                 "open obligations")
        res.notes.append(f"`due` printed {due_lines:,} lines (a header, {res.open_obligations:,} open obligations, "
                         "a summary line); the SQLite baselines print the same rows, without header and summary")

    def _watched(self, show: str) -> None:
        """Warm due, an edit, an added case and a new day again, with `careerpath watch` running for each side
        (its change journal: a warm run stats only the case folders it names); then an edit and an added case
        with a pause before the run, the watcher making the output again meanwhile (its refresh)."""
        res, watched = self.result, ", `careerpath watch` running"
        helps = [run(s.cli("watch", "--help"), s.env(), capture=True) for s in self.sides]
        if any(h.code != 0 for h in helps):
            res.notes.append("the figures with `careerpath watch` running are not taken: a side has no `watch` command")
            return
        refreshing = [b"--no-refresh" in h.out for h in helps]
        # first as before the watcher made outputs again: each run right after the change, nothing in the background
        with self._watchers([["--no-refresh"] if r else [] for r in refreshing]) as started:
            if not started:
                return
            self.measure("warm-due-watched", f"warm due{watched}",
                         self.per_side(lambda s, i: s.cli("due", *self.day_args(s))))
            if self.wanted("edit") or not self.args.only:
                self._edit("edit-watched", watched, first=self.repeat)
            if self.wanted("add") or not self.args.only:
                self._add(show, "add-watched", watched)
            if self.wanted("new-day") or not self.args.only:
                self._new_day("new-day-watched", watched)
            self.verify(f"every scenario with `careerpath watch` running ({self.day})")
        if not any(refreshing):
            res.notes.append("the figures after a pause with `careerpath watch` running are not taken: no side's "
                             "watcher makes outputs again (`watch --refresh`)")
            return
        for side, r in zip(self.sides, refreshing):
            if not r:
                res.notes.append(f"{side.label}'s watcher makes no output again: its runs after a pause recompute")
        with self._watchers([[] for _ in self.sides]) as started:
            if not started:
                return
            later = f", {WATCHED_PAUSE:g} s after the change, `careerpath watch` running (it makes the output again)"
            if self.wanted("edit") or self.wanted("edit-settled") or not self.args.only:
                self._edit("edit-settled-watched", later, first=3 * self.repeat, pause=WATCHED_PAUSE)
            if self.wanted("add") or not self.args.only:
                self._add(show, "add-settled-watched", later, pause=WATCHED_PAUSE)
            if self.wanted("terminal") or not self.args.only:
                # its warm-up run keeps the terminal's command line for the watcher, as a user's first one does
                self.measure("terminal-watched", f"warm due at a terminal ({TERMINAL} columns), `careerpath watch` "
                             "running", self.per_side(lambda s, i: s.cli("due", *self.day_args(s)), terminal=TERMINAL),
                             warmup=max(1, self.warmup))
                self._edit("edit-settled-watched-terminal", later, first=4 * self.repeat, pause=WATCHED_PAUSE,
                           terminal=TERMINAL)
            self.verify(f"the edits and added cases with `careerpath watch` making outputs again ({self.day})")

    @contextlib.contextmanager
    def _watchers(self, extra: list[list[str]]):
        """`careerpath watch` (with ``extra`` options) for each side, each side's due run once under it; yields
        whether every one started."""
        procs, res = [], self.result
        try:
            started = True
            for side, more in zip(self.sides, extra):
                proc = subprocess.Popen(side.cli("watch", "--caseload", str(side.root), *more), env=side.env(),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                procs.append(proc)
                line = proc.stderr.readline()  # "watching N folders ...", once every folder is watched
                if "watching" not in line:
                    res.notes.append(f"`careerpath watch` did not start for {side.label}: {line.strip()}")
                    started = False
                    break
                run(side.cli("due", *self.day_args(side)), side.env())  # the first run: every entry statted, marked
            yield started
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    code = proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    code = proc.wait()
                if code != 0:
                    res.notes.append(f"`careerpath watch` exited {code} when stopped")

    def _completion(self, show: str) -> None:
        """Complete a case id the way bash does (click's and typer's spellings of the protocol)."""
        prefix = show[:-2]

        def cmd_env(side: Side, var: str) -> tuple[list[str], dict]:
            words = f"careerpath --caseload {side.root} show {prefix}"
            env = {**side.env(), "_CAREERPATH_COMPLETE": var, "COMP_WORDS": words, "COMP_CWORD": "4",
                   "_TYPER_COMPLETE_ARGS": words, "CAREERPATH_CASELOAD": str(side.root)}
            return side.cli(), env

        found = {}
        for side in self.sides:
            for var in ("bash_complete", "complete_bash"):
                cmd, env = cmd_env(side, var)
                probe = run(cmd, env, capture=True)
                if show.encode() in probe.out:
                    found[side.label] = var
                    break
        if not found:
            self.result.notes.append("completion of case ids: not measured, the CLI does not complete case ids yet "
                                     "(`_CAREERPATH_COMPLETE=bash_complete` and `complete_bash` list nothing)")
            return
        participants = []
        for side in self.sides:
            if side.label not in found:
                self.result.notes.append(f"completion of case ids: {side.label} does not complete case ids")
                continue
            cmd, env = cmd_env(side, found[side.label])
            participants.append((side.label, lambda i, cmd=cmd, env=env: run(cmd, env)))
        self.measure("completion", f"completion of case ids (`show {prefix}<TAB>`)", participants)

    def _edit(self, key: str = "edit", watched: str = "", first: int = 0, settled: bool = False,
              pause: float = 0.0, terminal: int = 0) -> None:
        n, res = self.n, self.result
        edited = case_id(edit_case(n, self.args.seed))
        pause = pause or (2.2 if settled else 0.0)  # 2.2 s: past the cache's racy window (2 s), the file is keyed

        def before(side: Side, i: int) -> None:
            edit_value(side.root, n, self.args.seed, first + i)
            time.sleep(pause)

        later = ", 2 s after the save" if settled else ""
        where = f" at a terminal ({terminal} columns)" if terminal else ""
        figs = self.measure(key, f"due{where} after editing one case (a due date){later}{watched}", self.per_side(
            lambda s, i: s.cli("due", *self.day_args(s)), capture=True, before=before, terminal=terminal), warmup=0)
        for f in figs:
            if not terminal:  # (a narrow terminal drops the DUE column: verify() compares the table with --no-cache)
                shown = all(lists(r.out, edited, "g1.o2", (DEFAULT_TODAY + timedelta(days=10 + first + i)).isoformat())
                            for i, r in enumerate(f.runs))
                res.checks.append((f"{f.who}: `due` lists the edited date of {edited} after each edit{later}", shown))
            for r in f.runs:
                r.out = b""
        self.verify(f"the edits{later}")
        self.settle()

    def _add(self, source: str, key: str = "add", watched: str = "", pause: float = 0.0) -> None:
        n, res = self.n, self.result

        def before(side: Side, i: int) -> None:
            add_case(side.root, n, i, source)
            time.sleep(pause)

        figs = self.measure(key, f"due after adding one case{watched}", self.per_side(
            lambda s, i: s.cli("due", *self.day_args(s)), capture=True, before=before), warmup=0)
        for f in figs:
            shown = all(lists(r.out, case_id(n + 1 + i)) for i, r in enumerate(f.runs))
            res.checks.append((f"{f.who}: `due` lists each added case", shown))
            for r in f.runs:
                r.out = b""
        self.verify("the added cases")
        for side in self.sides:
            restore(side.root, n, self.args.seed)
        self.settle()

    def _new_day(self, key: str = "new-day", watched: str = "") -> None:
        start = self.day
        self.measure(key, f"first due of a new day (no warm-up){watched}", self.per_side(
            lambda s, i: s.cli("due", *self.day_args(s, start + timedelta(days=i + 1)))), warmup=0)
        self.day = start + timedelta(days=self.repeat)
        self.verify(f"a new day ({self.day})")


#: seconds between a change and the run in the scenarios where the watcher makes the output again: its quiet
#: time (careerpath/cache/refresh.py SETTLE, 2.5 s) and the refresh itself, as a user saving in an editor and
#: then typing the command would leave it
WATCHED_PAUSE = 5.0

#: the reports --verify compares with their --no-cache output after each scenario
REPORTS = (("dashboard",), ("quarterly", "--period", "2026-Q3"), ("outcomes",), ("registry",), ("portrait",),
           ("feedback",))


# ---------------------------------------------------------------- targets


@dataclass
class Target:
    text: str
    measure: Callable[[SizeResult, str], Optional[tuple[float, str]]]  # (value, how) or None: not measured
    limit: float


def _median_of(key: str, what: str = "wall") -> Callable[[SizeResult, str], Optional[tuple[float, str]]]:
    def get(res: SizeResult, who: str) -> Optional[tuple[float, str]]:
        f = res.find(key, who)
        if f is None or not f.runs:
            return None
        if what == "rss":
            return f.rss, f"{f.rss:.0f} MiB (largest of {len(f.runs)} runs)"
        return f.wall, f"{f.wall:.2f} s median ({f.wall_min:.2f}–{f.wall_max:.2f})"
    return get


def _ratio(key: str, base_key: str, base_who: Optional[str] = None, pair: bool = False):
    def get(res: SizeResult, who: str) -> Optional[tuple[float, str]]:
        a, b = res.find(key, who), res.find(base_key, base_who or who)
        if a is None or b is None or not a.runs or not b.runs:
            return None
        if pair:
            ratios = paired(a, b)
            r = statistics.median(ratios)
            cpu = f"; CPU {a.cpu / b.cpu:.2f}×" if b.cpu > 0 else ""
            return r, (f"{r:.2f}× (run by run {min(ratios):.2f}–{max(ratios):.2f}; {a.wall:.2f} s against "
                       f"{b.wall:.2f} s{cpu})")
        r = a.wall / b.wall
        # taken minutes apart, the two medians may meet different loads on a shared machine: the
        # ratio of CPU times is the steadier one (it counts pool workers, so it overstates a
        # parallel command's share of an idle machine's wall time)
        cpu = f"; CPU {a.cpu / b.cpu:.2f}×" if b.cpu > 0 else ""
        return r, f"{r:.2f}× ({a.wall:.2f} s against {b.wall:.2f} s, medians{cpu})"
    return get


def _every_command(res: SizeResult, who: str) -> Optional[tuple[float, str]]:
    figs = [f for f in res.figures if f.who == who and f.runs]
    if not figs:
        return None
    worst = max(figs, key=lambda f: f.rss)
    return worst.rss, f"{worst.rss:.0f} MiB, the largest ({worst.name})"


TARGETS = [
    Target("`show CASE` ≤ 0.5 s", _median_of("show"), 0.5),
    Target("`show CASE` ≤ 200 MiB", _median_of("show", "rss"), 200),
    Target("`render pccp CASE --format html` ≤ 1 s", _median_of("render"), 1.0),
    Target("`render pccp CASE --format html` ≤ 200 MiB", _median_of("render", "rss"), 200),
    Target("`report dashboard` ≤ 10 s", _median_of("dashboard"), 10),
    Target(f"`report quarterly --period {QUARTER}` ≤ 30 s", _median_of("quarterly"), 30),
    Target("`due --format ics` ≤ 3 s", _median_of("ics"), 3),
    Target("every command ≤ 512 MiB", _every_command, 512),
    Target("first `due` of a new day ≤ 2× warm `due`", _ratio("new-day", "warm-due"), 2),
    Target("warm `due` ≤ 2× the `sqlite3` command line", _ratio("warm-due", "sqlite-cli", "baseline", pair=True), 2),
    Target("`due` after editing one case ≤ 1.5× warm `due`", _ratio("edit", "warm-due"), 1.5),
    Target("`due` after editing one case, 2 s after the save, ≤ 1.5× warm `due`", _ratio("edit-settled", "warm-due"),
           1.5),
    Target("`due` after adding one case ≤ 2× warm `due`", _ratio("add", "warm-due"), 2),
    Target("with `careerpath watch`: warm `due` ≤ 2× the `sqlite3` command line",
           _ratio("warm-due-watched", "sqlite-cli", "baseline"), 2),
    Target("with `careerpath watch`: first `due` of a new day ≤ 2× warm `due`",
           _ratio("new-day-watched", "warm-due-watched"), 2),
    Target("with `careerpath watch`: `due` after editing one case ≤ 1.5× warm `due`",
           _ratio("edit-watched", "warm-due-watched"), 1.5),
    Target("with `careerpath watch`: `due` after adding one case ≤ 2× warm `due`",
           _ratio("add-watched", "warm-due-watched"), 2),
    Target(f"with `careerpath watch`: `due` {WATCHED_PAUSE:g} s after editing one case ≤ 1.5× warm `due`",
           _ratio("edit-settled-watched", "warm-due-watched"), 1.5),
    Target(f"with `careerpath watch`: `due` {WATCHED_PAUSE:g} s after adding one case ≤ 2× warm `due`",
           _ratio("add-settled-watched", "warm-due-watched"), 2),
    Target("cold `validate` ≤ 3× the parse-only baseline", _ratio("cold-validate", "parse-only", "baseline", pair=True), 3),
    Target("`careerpath --help` ≤ 0.15 s", _median_of("help"), 0.15),
    Target("completion of case ids ≤ 0.3 s", _median_of("completion"), 0.3),
]


# ---------------------------------------------------------------- output


def size_report(res: SizeResult, sides: list[Side], repeat: int) -> list[str]:
    lo, hi = (min(res.load), max(res.load)) if res.load else (0.0, 0.0)
    out = [f"## {res.cases:,} cases ({res.files:,} files, {res.obligations:,} obligations of which "
           f"{res.open_obligations:,} open; show/render case {res.show_case})", "",
           f"1-minute load average when the runs started: {lo:.2f}–{hi:.2f} (it counts this benchmark's own "
           "processes, up to 2-3 during a parallel run)", ""]
    out += ["| figure | who | runs | wall min | wall median | wall max | CPU median | peak MiB | output |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for f in res.figures:
        if not f.runs:
            continue
        failed = f" (**exit {', '.join(str(r.code) for r in f.failed)}**)" if f.failed else ""
        size = statistics.median(r.out_bytes for r in f.runs)
        shown = f"{size / 1e6:.1f} MB" if size >= 1e5 else f"{size / 1e3:.1f} kB" if size >= 1e3 else f"{size:.0f} B"
        out.append(f"| {f.name}{failed} | {f.who} | {len(f.runs)} | {f.wall_min:.3f} | {f.wall:.3f} | "
                   f"{f.wall_max:.3f} | {f.cpu:.3f} | {f.rss:.0f} | {shown} |")
    if len(sides) > 1:
        a, b = sides
        out += ["", f"Side by side, run by run: **{a.label}** ({a.commit}) / **{b.label}** ({b.commit}); "
                "above 1 means this checkout is slower.", "",
                "| figure | this median s | other median s | this/other median | min | max | within 10%? |",
                "|---|---:|---:|---:|---:|---:|---|"]
        keys = []
        for f in res.figures:
            if f.who == a.label and (f.key, f.name) not in keys:
                keys.append((f.key, f.name))
        for key, name in keys:
            fa, fb = res.find(key, a.label), res.find(key, b.label)
            if not fa or not fb or not fa.runs or not fb.runs:
                continue
            ratios = paired(fa, fb)
            r = statistics.median(ratios)
            out.append(f"| {name} | {fa.wall:.3f} | {fb.wall:.3f} | {r:.2f} | {min(ratios):.2f} | {max(ratios):.2f} | "
                       f"{'yes' if r <= 1.10 else 'NO'} |")
    out += ["", f"Targets of issue 22 (set for 20,519 cases{'' if res.cases == 20519 else '; this is '}"
            f"{'' if res.cases == 20519 else f'{res.cases:,}'}), medians of {repeat} runs:", "",
            "| target | who | measured | verdict |", "|---|---|---|---|"]
    for side in sides:
        for t in TARGETS:
            got = t.measure(res, side.label)
            if got is None:
                out.append(f"| {t.text} | {side.label} | not measured | — |")
                continue
            value, how = got
            out.append(f"| {t.text} | {side.label} | {how} | {'PASS' if value <= t.limit else 'FAIL'} |")
    if res.checks:
        out += ["", "Checks:", ""] + [f"- {'yes' if ok else '**NO**'}: {what}" for what, ok in res.checks]
    if res.notes:
        out += ["", "Notes:", ""] + [f"- {note}" for note in res.notes]
    for f in res.figures:
        for r in f.failed[:1]:
            out += ["", f"`{f.name}` ({f.who}) exited {r.code}; the end of its stderr:", "", "```", r.err.strip(), "```"]
    return out


def machine() -> str:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        kb = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return (f"{os.cpu_count()} CPUs ({cpu or platform.machine()}){mem}, Linux {platform.release()}, "
            f"Python {platform.python_version()}")


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", default="100,2000,20519", help="comma-separated caseload sizes")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "careerpath-bench",
                   help="where generated caseloads (and --compare checkouts) are kept between runs")
    p.add_argument("--repeat", type=int, default=3, help="counted runs per figure (default 3; quote only ≥ 3)")
    p.add_argument("--warmup", type=int, default=1, help="runs not counted before each steady-state figure")
    other = p.add_mutually_exclusive_group()
    other.add_argument("--compare", metavar="REF", help="also measure the code at git REF, interleaved")
    other.add_argument("--other-venv", type=Path, metavar="PATH", help="also measure the careerpath installed in PATH")
    p.add_argument("--code", metavar="REF",
                   help="measure the code at git REF (exported, with its own venv) instead of this checkout")
    p.add_argument("--only", type=lambda s: [x.strip() for x in s.split(",") if x.strip()], default=None,
                   help=f"only these figures (comma-separated): {', '.join(FIGURE_KEYS)}")
    verify = p.add_mutually_exclusive_group()
    verify.add_argument("--verify", action="store_true", default=None,
                        help="compare cached outputs with --no-cache after each scenario (default: up to 2,000 cases)")
    verify.add_argument("--no-verify", dest="verify", action="store_false")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write every run to FILE")
    args = p.parse_args(argv)
    if args.only and (bad := set(args.only) - set(FIGURE_KEYS)):
        p.error(f"unknown figures: {', '.join(sorted(bad))}")
    args.repeat = max(1, args.repeat)
    args.warmup = max(0, args.warmup)
    args.workdir.mkdir(parents=True, exist_ok=True)
    args.workdir = args.workdir.resolve()

    sides = [compare_side(args.code, args.workdir) if args.code else this_side()]
    if args.compare:
        sides.append(compare_side(args.compare, args.workdir))
    elif args.other_venv:
        sides.append(venv_side(args.other_venv.resolve()))
    compiled: dict[tuple, str] = {}
    for s in sides:  # two sides on one interpreter and checkout are compiled once
        key = (s.python, s.pythonpath)
        if key not in compiled:
            compiled[key] = compile_bytecode(s)
    compiled = list(compiled.values())
    started = time.strftime("%Y-%m-%d %H:%M %Z")
    load_start = os.getloadavg()
    print(f"# bytecode: {'; '.join(compiled)}", file=sys.stderr, flush=True)

    results = []
    for n in (int(x) for x in args.cases.split(",")):
        a = argparse.Namespace(**vars(args))
        if a.verify is None:
            a.verify = n <= 2000
        print(f"# {n:,} cases", file=sys.stderr, flush=True)
        results.append(Bench(n, a, [Side(s.label, s.python, s.pythonpath, s.commit) for s in sides]).go())

    lines = [f"# careerpath benchmark, {started}", "",
             f"- command: `{' '.join([Path(sys.executable).name, 'benchmarks/run.py', *(argv if argv is not None else sys.argv[1:])])}`",
             f"- machine: {machine()}",
             f"- load average (1, 5, 15 min) at the start: {', '.join(f'{x:.2f}' for x in load_start)}; "
             f"at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}",
             f"- code: " + "; ".join(f"{s.label} = {s.commit}" for s in sides),
             f"- PYTHONDONTWRITEBYTECODE is {'set' if os.environ.get('PYTHONDONTWRITEBYTECODE') else 'not set'} "
             "here; bytecode compiled before timing: " + "; ".join(compiled),
             f"- {args.repeat} counted runs per figure after {args.warmup} warm-up run(s) (none for the cold, "
             "edit, add and new-day figures, where every run is its own scenario); wall times in seconds, "
             "peak memory is that of the largest single process (GNU time's %M where installed, else ru_maxrss)",
             ""]
    if args.repeat < 3:
        lines += ["**Fewer than 3 runs per figure: a smoke run, not figures to quote.**", ""]
    for res in results:
        lines += size_report(res, sides, args.repeat) + [""]
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps({
            "started": started, "machine": machine(), "sides": [asdict(s) | {"root": ""} for s in sides],
            "sizes": [{"cases": r.cases, "files": r.files, "obligations": r.obligations,
                       "open": r.open_obligations, "checks": r.checks, "notes": r.notes,
                       "figures": [{"key": f.key, "name": f.name, "who": f.who,
                                    "runs": [{k: v for k, v in asdict(x).items() if k != "out"} for x in f.runs]}
                                   for f in r.figures]} for r in results]}, indent=1, default=str))

    failed = [f"{r.cases} {f.name} ({f.who})" for r in results for f in r.figures if f.failed]
    broken = [what for r in results for what, ok in r.checks if not ok]
    if failed:  # the generated caseload is clean and nothing is gated: every run must exit 0
        print(f"run.py: these commands did not exit 0: {', '.join(failed)}", file=sys.stderr)
    if broken:
        print(f"run.py: these checks failed: {'; '.join(broken)}", file=sys.stderr)
    return 1 if failed or broken else 0


if __name__ == "__main__":
    sys.exit(main())
