"""Team benchmarks: many navigators syncing one caseload, and the server's check at scale.

    python benchmarks/team.py                          # both parts, the figures of docs/performance.md
    python benchmarks/team.py --part hands --navigators 2 --rounds 2 --cases 40    # the CI smoke test
    python benchmarks/team.py --part server --scale-cases 20519

**Many hands** (``--part hands``): a caseload of ``--cases`` cases is pushed to a
bare repository behind ``git daemon`` on 127.0.0.1 with careerpath's
pre-receive hook. ``--navigators`` processes each clone it and do
``--rounds`` rounds of ``careerpath log`` + ``careerpath set`` + ``careerpath
sync`` (real processes, as a user runs them). Half of the work lands on ten
shared "hot" cases: the same case from several people, different fields, the
same event name on the same day, and every fifth round everyone sets the same
field of one case on purpose. A sync that stops at a conflict is recorded
(file and field paths, as the person sees them) and resolved by keeping the
server's version, then synced again. At the end every event and every field
value a navigator recorded must be on the server's main branch (in the file,
or in its history when a later change replaced it knowingly), unless the
navigator was told it conflicted; the server's main must validate clean and
``git fsck`` must be clean. Reported: rounds per minute, p50/p95 of ``sync``.

**The server's check** (``--part server``): a caseload of ``--scale-cases``
cases in a bare repository with the hook; one event is added to one case, and
the hook is timed on that push (``careerpath server pre-receive`` as git runs
it, median of ``--repeat``), beside a whole ``git push`` and a full
``careerpath validate --no-cache`` of the same caseload in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests"))

TODAY = "2026-11-22"
FIELDS = ["person.email", "person.address", "identifiers.dor_case", "person.representative.name"]
CONFLICT_FIELD = "person.preferred_name"


def git(cwd: Path, *args: str, check: bool = True, env: dict | None = None, input: bytes | None = None):
    return subprocess.run(["git", *args], cwd=cwd, check=check, capture_output=True, input=input,
                          env={**os.environ, "GIT_TERMINAL_PROMPT": "0", **(env or {})})


def careerpath(*args: str, cwd: Path | None = None, env: dict | None = None, input: bytes | None = None):
    return subprocess.run([sys.executable, "-m", "careerpath", *args], cwd=cwd, capture_output=True, input=input,
                          env={**os.environ, "PYTHONPATH": str(REPO), "CAREERPATH_TODAY": TODAY, **(env or {})})


def value(field: str, nav: int, rnd: int) -> str:
    """A value unique to (navigator, round), so it can be found on the server afterwards."""
    if field == "person.email":
        return f"n{nav}r{rnd}@example.org"
    if field == "identifiers.dor_case":
        return f"DOR-{nav}-{rnd}"
    return f"Val N{nav} R{rnd}"


# ---------------------------------------------------------------- one navigator

def worker(url: str, folder: Path, nav: int, rounds: int, cases: list[str], hot: list[str], seed: int, out: Path) -> None:
    rng = random.Random(f"{seed}-{nav}")
    git(folder.parent, "clone", "-q", url, str(folder))
    git(folder, "config", "user.name", f"Navigator {nav}")
    git(folder, "config", "user.email", f"nav{nav}@example.org")
    careerpath("setup-merge", "-C", str(folder))
    staff = f"nav{(nav % 8) + 1:02d}"
    events, sets, conflicts, syncs, failures = [], [], [], [], []
    for rnd in range(rounds):
        case = rng.choice(hot) if rng.random() < 0.5 else rng.choice(cases)
        day = f"2026-11-{1 + rnd % 20:02d}"
        summary = f"nav {nav} round {rnd}"
        r = careerpath("log", case, "contact", "--by", staff, "--date", day, "--summary", summary, "-C", str(folder))
        if r.returncode == 0:
            events.append((case, summary))
        else:
            failures.append(("log", case, r.stderr.decode()[-300:]))
        if rnd % 5 == 4:
            field, target = CONFLICT_FIELD, hot[0]
        else:
            field, target = FIELDS[nav % len(FIELDS)], case
        v = value(field, nav, rnd)
        r = careerpath("set", target, field, v, "--by", staff, "-C", str(folder))
        if r.returncode == 0:
            sets.append([target, field, v, "recorded"])
        else:
            failures.append(("set", target, r.stderr.decode()[-300:]))
        _sync(folder, syncs, conflicts, sets)
    for _ in range(20):   # the last round's work goes out too
        if _sync(folder, syncs, conflicts, sets):
            break
    out.write_text(json.dumps({"nav": nav, "events": events, "sets": sets, "conflicts": conflicts, "syncs": syncs,
                               "failures": failures}))


def _sync(folder: Path, syncs: list, conflicts: list, sets: list) -> bool:
    """One `careerpath sync`; a conflict is recorded and resolved by keeping the server's version."""
    for _attempt in range(10):
        t = time.perf_counter()
        r = careerpath("sync", "-C", str(folder), "--format", "json")
        syncs.append(time.perf_counter() - t)
        if r.returncode == 0:
            return True
        if r.returncode == 75:
            continue
        try:
            report = json.loads(r.stdout.decode() or "{}")
        except ValueError:
            report = {}
        if report.get("conflicts"):
            for file, field in report["conflicts"]:
                conflicts.append([file, field])
                case = file.split("/")[1]
                for s in sets:   # the person was told: their value of this field did not go out
                    if s[0] == case and s[3] == "recorded" and field in (s[1], "(lines)"):
                        s[3] = "conflict-reported"
            for file in report.get("files", []):
                git(folder, "checkout", "--ours", "--", file)   # in a rebase, "ours" is the server's side
                git(folder, "add", "--", file)
            continue
        raise SystemExit(f"sync failed unexpectedly: {r.stderr.decode()[-500:]}")
    return False


# ---------------------------------------------------------------- part 1: many hands

def many_hands(work: Path, n_cases: int, navigators: int, rounds: int, seed: int) -> dict:
    import make_caseload
    from gitservers import git_daemon

    root = work / "seed"
    make_caseload.generate(str(root), n_cases, seed)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Setup")
    git(root, "config", "user.email", "setup@example.org")
    careerpath("setup-merge", "-C", str(root))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "caseload")
    srv = work / "srv"
    srv.mkdir()
    git(srv, "clone", "-q", "--bare", str(root), "caseload.git")
    r = careerpath("server", "install-hook", str(srv / "caseload.git"), "--no-access")   # git daemon cannot tell pushers apart
    assert r.returncode == 0, r.stderr
    cases = sorted(p.name for p in (root / "cases").iterdir())
    rng = random.Random(seed)
    hot = rng.sample(cases, min(10, len(cases)))
    with git_daemon(srv, env={"CAREERPATH_TODAY": TODAY}) as prefix:
        url = f"{prefix}/caseload.git"
        solo = solo_syncs(url, work / "solo", cases, 5)
        start = time.perf_counter()
        procs = []
        for nav in range(navigators):
            args = [sys.executable, __file__, "_worker", url, str(work / f"nav{nav}"), str(nav), str(rounds),
                    json.dumps(cases), json.dumps(hot), str(seed), str(work / f"nav{nav}.json")]
            procs.append(subprocess.Popen(args, env={**os.environ, "PYTHONPATH": str(REPO)}))
        codes = [p.wait() for p in procs]
        elapsed = time.perf_counter() - start
    if any(codes):
        raise SystemExit(f"a navigator failed: exit codes {codes}")
    results = [json.loads((work / f"nav{nav}.json").read_text()) for nav in range(navigators)]
    report = verify(work, srv / "caseload.git", results, elapsed, navigators * rounds)
    report["solo_sync_median"] = round(statistics.median(solo), 2)
    return report


def solo_syncs(url: str, folder: Path, cases: list[str], n: int) -> list[float]:
    """`sync` of one logged event with nobody else pushing: what one sync costs without contention."""
    git(folder.parent, "clone", "-q", url, str(folder))
    git(folder, "config", "user.name", "Solo")
    git(folder, "config", "user.email", "solo@example.org")
    careerpath("setup-merge", "-C", str(folder))
    times = []
    for i in range(n):
        careerpath("log", cases[i], "contact", "--by", "nav01", "--summary", f"solo {i}", "-C", str(folder))
        t = time.perf_counter()
        r = careerpath("sync", "-C", str(folder))
        times.append(time.perf_counter() - t)
        assert r.returncode == 0, r.stderr
    return times


def verify(work: Path, server: Path, results: list[dict], elapsed: float, total_rounds: int) -> dict:
    check = work / "check"
    git(work, "clone", "-q", str(server), str(check))
    missing_events, missing_sets = [], []
    touched = {c for r in results for c, _ in r["events"]} | {s[0] for r in results for s in r["sets"]}
    summaries: dict[str, str] = {}
    history: dict[str, str] = {}
    for case in touched:
        folder = check / "cases" / case / "events"
        summaries[case] = "\n".join(p.read_text(encoding="utf-8") for p in folder.glob("*.yaml")) if folder.is_dir() else ""
        history[case] = git(check, "log", "-p", "--format=", "main", "--", f"cases/{case}/case.yaml").stdout.decode("utf-8", "replace")
    for r in results:
        for case, summary in r["events"]:
            if f"summary: {summary}\n" not in summaries[case]:
                missing_events.append((case, summary))
        for case, field, v, status in r["sets"]:
            if status == "recorded" and v not in history[case]:
                missing_sets.append((case, field))
    validate = careerpath("validate", "--no-cache", "-q", "-C", str(check))
    fsck = git(server, "fsck", "--strict", "--no-progress", check=False)
    syncs = sorted(t for r in results for t in r["syncs"])
    q = statistics.quantiles(syncs, n=20) if len(syncs) >= 2 else syncs * 19
    return {
        "navigators": len(results), "rounds": total_rounds, "seconds": round(elapsed, 1),
        "rounds_per_minute": round(total_rounds / (elapsed / 60), 1),
        "sync_p50": round(statistics.median(syncs), 2), "sync_p95": round(q[18], 2), "syncs": len(syncs),
        "events": sum(len(r["events"]) for r in results), "sets": sum(len(r["sets"]) for r in results),
        "conflicts_reported": sum(len(r["conflicts"]) for r in results),
        "sets_reported_as_conflict": sum(1 for r in results for s in r["sets"] if s[3] == "conflict-reported"),
        "renamed_events": _renamed(check),
        "missing_events": missing_events, "missing_sets": missing_sets,
        "command_failures": [f for r in results for f in r["failures"]],
        "server_validates_clean": validate.returncode == 0, "fsck_clean": fsck.returncode == 0,
    }


def _renamed(check: Path) -> int:
    return sum(1 for p in (check / "cases").glob("*/events/*-contact-[0-9]*.yaml"))


# ---------------------------------------------------------------- part 2: the server's check at scale

def server_check(work: Path, n_cases: int, seed: int, repeat: int) -> dict:
    import make_caseload

    root = work / f"scale-{n_cases}"
    if not (root / ".git").exists():
        shutil.rmtree(root, ignore_errors=True)
        make_caseload.generate(str(root), n_cases, seed)
        git(root, "init", "-q", "-b", "main")
        git(root, "config", "user.name", "Setup")
        git(root, "config", "user.email", "setup@example.org")
        git(root, "add", "-A")
        git(root, "commit", "-qm", "caseload")
    server = work / f"scale-{n_cases}.git"
    shutil.rmtree(server, ignore_errors=True)
    git(work, "clone", "-q", "--bare", str(root), str(server))
    careerpath("server", "install-hook", str(server))
    case = sorted(p.name for p in (root / "cases").iterdir())[n_cases // 2]
    import yaml

    data = yaml.safe_load((root / "cases" / case / "case.yaml").read_text(encoding="utf-8"))
    pusher = next(v for v in (data.get("staff") or {}).values() if isinstance(v, str))   # someone on the case's staff
    old = git(root, "rev-parse", "HEAD").stdout.decode().strip()
    r = careerpath("log", case, "contact", "--by", pusher, "--summary", "benchmark", "-C", str(root))
    assert r.returncode == 0, r.stderr
    new = git(root, "rev-parse", "HEAD").stdout.decode().strip()
    git(server, "fetch", "-q", str(root), f"{new}:refs/bench/candidate")   # the objects, without the hook
    env = {"GIT_DIR": str(server), "CAREERPATH_PUSHER": pusher}
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        r = careerpath("server", "pre-receive", cwd=server, env=env, input=f"{old} {new} refs/heads/main\n".encode())
        times.append(time.perf_counter() - t)
        assert r.returncode == 0, r.stderr
    t = time.perf_counter()
    pushed = git(root, "push", "-q", str(server), "HEAD:main", env={"CAREERPATH_PUSHER": pusher}, check=False)
    push_time = time.perf_counter() - t
    assert pushed.returncode == 0, pushed.stderr
    git(root, "reset", "-q", "--hard", old)
    t = time.perf_counter()
    full = careerpath("validate", "--no-cache", "-q", "-C", str(root))
    full_time = time.perf_counter() - t
    return {"cases": n_cases, "pre_receive_median": round(statistics.median(times), 3), "pre_receive_max": round(max(times), 3),
            "git_push_with_hook": round(push_time, 3), "full_validate_no_cache": round(full_time, 1),
            "full_validate_exit": full.returncode, "repeat": repeat}


def main(argv: list[str] | None = None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "_worker":
        url, folder, nav, rounds, cases, hot, seed, out = sys.argv[2:]
        worker(url, Path(folder), int(nav), int(rounds), json.loads(cases), json.loads(hot), int(seed), Path(out))
        return 0
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--part", choices=["hands", "server", "both"], default="both")
    p.add_argument("--cases", type=int, default=2000, help="cases in the many-hands caseload (default 2,000)")
    p.add_argument("--navigators", type=int, default=8)
    p.add_argument("--rounds", type=int, default=25)
    p.add_argument("--scale-cases", type=int, default=20519, help="cases for the server check (default 20,519)")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workdir", type=Path, default=None, help="where to work (default: a temporary folder, removed)")
    args = p.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="careerpath-team-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    report: dict = {}
    ok = True
    try:
        if args.part in ("hands", "both"):
            hands_dir = work / f"hands-{os.getpid()}"
            hands_dir.mkdir()
            report["many_hands"] = h = many_hands(hands_dir, args.cases, args.navigators, args.rounds, args.seed)
            ok &= not h["missing_events"] and not h["missing_sets"] and h["server_validates_clean"] and h["fsck_clean"]
        if args.part in ("server", "both"):
            report["server_check"] = server_check(work, args.scale_cases, args.seed, args.repeat)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(report, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
