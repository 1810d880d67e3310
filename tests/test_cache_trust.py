"""A cache file nobody vouches for never runs code (issue 21, point 1): real git, real processes, no mocks.

(The cloned-repository test runs ``due`` as a process, for its start-up replay, and the other readers in-process.)

The load cache is pickle, and unpickling runs whatever a file asks for. These
tests build cache files that would create a marker file when unpickled (a
``__reduce__`` to ``open(marker, "w")``), put them where careerpath reads its
cache (in a repository that force-adds ``.careerpath/``, cloned with ``git
clone``; in the cache folder itself; owned by another user; corrupted at
random) and check that the marker never appears, that every command prints
what ``--no-cache`` prints, and that ``doctor`` says what it found.
"""

from __future__ import annotations

import json
import os
import pickle
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, TODAY, run_process

sys.path.insert(0, str(ROOT / "benchmarks"))

from careerpath import pipeline  # noqa: E402
from careerpath.cache import Cache, scan, store, trust  # noqa: E402
from careerpath.cache.health import inspect  # noqa: E402

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
N_CASES = 6


class _Marker:
    """Unpickling this creates the file at ``path``: what an attacker's cache file would do."""

    def __init__(self, path: Path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def evil(marker: Path) -> bytes:
    payload = pickle.dumps(_Marker(marker), protocol=pickle.HIGHEST_PROTOCOL)
    assert b"_Marker" not in payload  # the payload names only open(): it needs nothing from this test to run
    return payload


def test_the_payload_is_live(tmp_path):
    """The control: unpickled without the checks, the crafted payload does create its marker."""
    marker = tmp_path / "ran"
    pickle.loads(evil(marker))
    assert marker.exists()


def forge(path: Path, payload: bytes, key_of_attacker: bytes | None) -> None:
    """Give ``path`` the header of the genuine file there (magic, key) and ``payload``, tagged with the attacker's key."""
    top = path.read_bytes()[:store.HEAD]
    key = top[len(store.MAGIC):-store.TAG]
    tag = store._tag(key_of_attacker, path, key, payload) if key_of_attacker else top[-store.TAG:]
    path.write_bytes(store.MAGIC + key + tag + payload)


def git(root: Path, *args: str, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T",
            "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_NOSYSTEM": "1", **(env or {})}
    return subprocess.run(["git", *args], cwd=root, env=full, check=check, capture_output=True, text=True)


def person_names(root: Path) -> list[str]:
    """Every case's person name (to check that nothing doctor prints holds one)."""
    import yaml

    return [yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))["person"]["name"]
            for case in sorted((root / "cases").iterdir())]


def wait_until_trusted(root: Path) -> None:
    """Case files written in the last RACY_NS are checked again next run and no output is kept: let that pass."""
    newest = max(os.stat(p).st_ctime_ns for p in [root / "careerpath.yaml", root / "cases", *(root / "cases").rglob("*")])
    delay = (newest + scan.RACY_NS - time.time_ns()) / 1e9 + 0.2
    if delay > 0:
        time.sleep(delay)


# ---------------------------------------------------------------- a cloned repository carrying a crafted cache

READERS = (["validate"], ["due"], ["show", "c000001"], ["render", "--list", "c000001"],
           ["render", "czn-plan", "c000001", "--format", "html"], ["report", "dashboard"], ["report", "outcomes"])
"""Every command that reads the caseload (make_caseload's first case is a ru-czn-disability one: czn-plan fits
it); show and render read one case folder and no cache file (issue 22), which the test checks too. Reports go
to ``--out``, outside the clone."""


def every_reader(run, out: Path, before=None) -> None:
    """Each of :data:`READERS` prints (or, for a report, writes) what it does with --no-cache.

    ``run`` asserts after every command that the payload did not run and that no
    traceback was printed; ``before`` (if given) is called before each cached run
    and what it returns after it (to check that this command met the forged files).
    """
    for args in READERS:
        report = args[0] == "report"
        cached_args = [*args, "--out", out / "cached" / args[1]] if report else args
        plain_args = [*args, "--out", out / "plain" / args[1]] if report else args
        after = before() if before else None
        cached = run(*cached_args)
        if after:
            after(args)
        plain = run("--no-cache", *plain_args)
        assert cached.code == plain.code and cached.code in (0, 1), (args, cached.err)
        assert cached.out == plain.out, args
        if report:
            written = sorted(p.name for p in (out / "cached" / args[1]).iterdir())
            assert written and written == sorted(p.name for p in (out / "plain" / args[1]).iterdir()), args
            for name in written:
                assert (out / "cached" / args[1] / name).read_bytes() == (out / "plain" / args[1] / name).read_bytes()
        else:
            assert cached.out, args


@needs_git
def test_a_cloned_repository_with_a_crafted_cache_runs_nothing(tmp_path, cli, monkeypatch):
    from make_caseload import generate

    from careerpath.scaffold import GITIGNORE, hook_text

    marker = tmp_path / "payload-ran"
    attacker = {"XDG_DATA_HOME": str(tmp_path / "attacker-data"), "XDG_CACHE_HOME": str(tmp_path / "attacker-cache"),
                "CAREERPATH_CACHE_DIR": ""}
    victim = {"XDG_DATA_HOME": str(tmp_path / "victim-data"), "XDG_CACHE_HOME": str(tmp_path / "victim-cache"),
              "CAREERPATH_CACHE_DIR": ""}

    # the attacker's repository: a real caseload, and its cache force-added with every file made a payload
    origin = tmp_path / "origin"
    generate(str(origin), N_CASES, 3, TODAY)
    (origin / ".gitignore").write_text(GITIGNORE)
    wait_until_trusted(origin)  # so that due keeps its whole output too
    for args in (["validate"], ["due"], ["due", "--format", "json"]):
        assert run_process(*args, "--caseload", origin, "--today", TODAY, env=attacker).code in (0, 1)
    cache = origin / ".careerpath" / "cache"
    kinds = {"index": [cache / "index.pickle"], "shard": sorted((cache / "shards").glob("*.pickle")),
             "results": sorted((cache / "results").glob("*.pickle")), "view": sorted((cache / "views").glob("*")),
             "output": sorted((cache / "outputs").glob("*.pickle"))}
    assert all(kinds.values()), {k: len(v) for k, v in kinds.items()}  # every kind was written, so each is forged
    attacker_key = (tmp_path / "attacker-data" / "careerpath" / "cache.key").read_bytes()
    payload = evil(marker)
    for files in kinds.values():
        for path in files:
            forge(path, payload, attacker_key)  # a perfectly signed file, with the attacker's key
    (cache / "raw.pickle").write_bytes(payload)  # and a bare pickle, no header at all
    git(origin, "init", "-q")
    git(origin, "add", "-A")
    git(origin, "add", "-f", ".careerpath")
    git(origin, "commit", "-qm", "caseload")
    forged = git(origin, "ls-files", ".careerpath").stdout.split()
    assert len(forged) >= 6 + N_CASES

    # the victim clones it and works in it
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    assert not marker.exists()

    def run(*args: str):
        """The victim's command: ``due`` as a real process (its start-up path, careerpath/replay.py, reads the kept
        outputs before the CLI is imported); the other commands have no such path, so they run in-process, with the
        victim's environment (each reads its key and cache folder from the environment on every run)."""
        dated = () if "doctor" in args else ("--today", TODAY)  # (doctor takes no --today)
        if "due" in args:
            result = run_process(*args, "--caseload", clone, *dated, env=victim)
        else:
            with monkeypatch.context() as m:
                for name, value in victim.items():
                    m.setenv(name, value)
                result = cli(*args, "--caseload", clone, *dated)
        assert "Traceback" not in result.err, result.err
        assert not marker.exists(), f"the payload ran during {args}"
        return result

    doctor = json.loads(run("doctor", "--format", "json").out)
    found = {f["check"]: f for f in doctor}
    assert found["cache in git"]["status"] == "warn"
    assert ".careerpath/cache/index.pickle" in found["cache in git"]["detail"]
    assert "git rm -r --cached .careerpath" in found["cache in git"]["fix"]
    assert found["cache files"]["status"] == "warn" and str(clone / ".careerpath" / "cache") in found["cache files"]["detail"]
    text = json.dumps(doctor, ensure_ascii=False)
    assert not any(name in text for name in person_names(clone))  # paths and counts, never a personal value

    checked = run("validate")
    assert checked.code == 0 and "tracked by git" in checked.err and ".careerpath/cache/index.pickle" in checked.err
    for args in (["due"], ["due", "--format", "json"]):
        first, second, plain = run(*args), run(*args), run("--no-cache", *args)
        assert first.out == second.out == plain.out and first.code == plain.code
    every_reader(run, tmp_path / "tracked")
    # the cache was rebuilt where the victim keeps caches, and the tracked files were left as they came
    assert list((tmp_path / "victim-cache" / "careerpath").glob("*/index.pickle"))
    assert git(clone, "status", "--porcelain").stdout == ""

    # the pre-commit hook: it runs validate (the payload stays inert) and refuses new cache files
    hook = clone / ".git" / "hooks" / "pre-commit"
    hook.write_text(hook_text())
    hook.chmod(0o755)
    hook_env = {**victim, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
                "PYTHONPATH": str(ROOT)}
    case = sorted((clone / "cases").iterdir())[0] / "case.yaml"
    case.write_text(case.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")
    done = git(clone, "commit", "-qam", "review", env=hook_env, check=False)
    assert done.returncode == 0, done.stderr
    assert not marker.exists()
    (clone / ".careerpath" / "cache" / "views" / "new.pickle").write_bytes(payload)
    git(clone, "add", "-f", ".careerpath/cache/views/new.pickle")
    refused = git(clone, "commit", "-qm", "cache", env=hook_env, check=False)
    assert refused.returncode == 1 and "git rm -r --cached .careerpath" in refused.stderr
    assert ".careerpath/cache/views/new.pickle" in refused.stderr
    assert not marker.exists()
    git(clone, "rm", "-rq", "--cached", ".careerpath")  # what the message says: removing them is allowed
    done = git(clone, "commit", "-qm", "stop tracking .careerpath", env=hook_env, check=False)
    assert done.returncode == 0, done.stderr
    assert git(clone, "ls-files", ".careerpath").stdout == ""

    # no longer tracked, the forged files are still there, made private as a umask of 077 would: now only the
    # tag (the attacker's key is not the victim's) stands between them and pickle
    for path in (clone / ".careerpath" / "cache").rglob("*"):
        if path.is_file():
            path.chmod(0o600)
    doctor = {f["check"]: f for f in json.loads(run("doctor", "--format", "json").out)}
    assert "cache in git" not in doctor
    assert doctor["cache files"]["status"] == "warn" and "not signed with your key" in doctor["cache files"]["detail"]
    wait_until_trusted(clone)
    for args in (["due"], ["due", "--format", "json"], ["validate"]):
        first, plain = run(*args), run("--no-cache", *args)
        assert first.out == plain.out and first.code == plain.code

    # the forged files careerpath reads (same names in the clone: the index, the results, the views) were
    # rebuilt in place, now signed with the victim's key
    victim_key = (tmp_path / "victim-data" / "careerpath" / "cache.key").read_bytes()

    def signed_by_victim(path: Path) -> bool:
        blob = path.read_bytes()
        return store._tag(victim_key, path, blob[len(store.MAGIC):store.HEAD - store.TAG], blob[store.HEAD:]) == \
            blob[store.HEAD - store.TAG:store.HEAD]

    local = clone / ".careerpath" / "cache"
    for kind in ("index", "shard", "results", "view"):
        assert any(signed_by_victim(local / p.relative_to(cache)) for p in kinds[kind]), kind

    # every reader in turn meets a cache folder where every file is a payload again (those it rebuilt too)
    def forge_everything():
        forged = {}
        for path in local.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                if path.read_bytes().startswith(store.MAGIC):
                    forge(path, payload, attacker_key)
                else:
                    path.write_bytes(payload)
                forged[path] = path.read_bytes()

        def met(args):
            rewritten = [p for p, blob in forged.items() if p.exists() and p.read_bytes() != blob]
            if args[0] in ("show", "render"):  # one person's commands read one case folder and no cache file
                assert not rewritten, args
                return
            assert rewritten, f"{args} read no cache file: the forged files were not put to it"
        return met

    every_reader(run, tmp_path / "untracked", before=forge_everything)
    kept = list((clone / ".careerpath" / "cache" / "outputs").glob("*.pickle"))
    kept = [p for p in kept if not any(p.name == f.name for f in kinds["output"])]
    assert kept, "due kept no output of its own: the replay path was not tried"
    # the victim's own kept output, forged in place with the attacker's key: the replay refuses it
    for path in kept:
        forge(path, payload, attacker_key)
    again, plain = run("due"), run("--no-cache", "due")
    assert again.out == plain.out
    doctor = {f["check"]: f for f in json.loads(run("doctor", "--format", "json").out)}
    assert doctor["cache files"]["status"] == "warn"  # the forged outputs, and the leftovers no run rewrote
    assert not marker.exists()


# ---------------------------------------------------------------- the cache folder itself

@pytest.fixture
def generated(tmp_path, monkeypatch):
    from make_caseload import generate

    monkeypatch.setattr(scan, "RACY_NS", 0)
    monkeypatch.setenv("CAREERPATH_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "gen"
    generate(str(root), N_CASES, 5, TODAY)
    return root


def outputs(root: Path, cache: Cache | None) -> tuple:
    r = pipeline.results(root, TODAY, cache=cache)
    return ([d.to_dict() for d in r.diagnostics], [o.to_dict() for o in r.obligations(history=True)], r.files)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown a file to nobody")
def test_a_cache_file_of_another_user_is_ignored_and_rebuilt(generated):
    import pwd

    nobody = pwd.getpwnam("nobody").pw_uid
    plain = outputs(generated, None)
    assert outputs(generated, Cache()) == plain
    folder = store.cache_dir(generated)
    index = folder / "index.pickle"
    os.chown(index, nobody, -1)  # a genuine file, tag and all: only its owner is wrong
    handle = Cache()
    assert outputs(generated, handle) == plain
    assert str(index) in handle.stats.untrusted and handle.stats.rescanned == N_CASES
    assert os.stat(index).st_uid == os.geteuid()  # rebuilt as the user's own
    handle = Cache()
    assert outputs(generated, handle) == plain and not handle.stats.untrusted and handle.stats.parsed == 0
    # a key file of someone else's is refused: no cache file is read or written at all
    key = trust.key_path()
    os.chown(key, nobody, -1)
    try:
        assert trust.user_key() is None and trust.key_state()[1] == "refused"
        assert "owned by another user" in trust.key_state()[2]
        handle = Cache()
        assert outputs(generated, handle) == plain and handle.stats.parsed == handle.stats.reused + handle.stats.parsed
        assert handle.stats.reused == 0
    finally:
        os.chown(key, os.geteuid(), -1)
    assert trust.user_key() is not None


def test_the_key_is_made_once_private_and_refused_when_open_to_others(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    path = tmp_path / "data" / "careerpath" / "cache.key"
    assert trust.key_path() == path and trust.key_state()[1] == "missing" and not path.exists()
    key = trust.user_key()
    assert key is not None and len(key) == trust.KEY_BYTES and path.read_bytes() == key
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    assert trust.user_key() == key and trust.key_state()[1] == "ok"
    assert not [p for p in path.parent.iterdir() if p != path]  # no temporary file left
    path.chmod(0o644)
    assert trust.user_key() is None and "readable or writable by others" in trust.key_state()[2]
    path.chmod(0o600)
    path.parent.chmod(0o777)
    assert trust.user_key() is None and "writable by others" in trust.key_state()[2]
    path.parent.chmod(0o700)
    assert trust.user_key() == key
    path.unlink()
    path.symlink_to(tmp_path / "elsewhere")
    (tmp_path / "elsewhere").write_bytes(key)
    assert trust.user_key() is None and "symbolic link" in trust.key_state()[2]
    monkeypatch.setenv("XDG_DATA_HOME", "relative/data")  # ignored, as the XDG specification says
    assert trust.key_path() == Path.home() / ".local" / "share" / "careerpath" / "cache.key"


def test_a_new_key_turns_every_file_into_a_miss(generated, tmp_path, monkeypatch):
    plain = outputs(generated, None)
    outputs(generated, Cache())
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "another-user"))
    handle = Cache()
    assert outputs(generated, handle) == plain
    assert "index.pickle" in handle.stats.discarded and handle.stats.reused == 0


@pytest.mark.parametrize("link", [".careerpath", ".careerpath/cache", ".careerpath/cache/shards"])
def test_a_linked_cache_folder_is_not_used(caseload, tmp_path, monkeypatch, link):
    """A `.careerpath` (or a folder in it) that is a link would put case data wherever it points."""
    monkeypatch.delenv("CAREERPATH_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    root = caseload({"cases/a/case.yaml": "id: a\nperson: {name: P, language: en}\n"})
    outside = tmp_path / "outside"
    outside.mkdir()
    target = root / link
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(outside, target_is_directory=True)
    where = store.place(root)
    assert not where.local and "symbolic link" in where.refused
    pipeline.results(root, TODAY, cache=Cache())
    assert list(outside.iterdir()) == []
    assert list((tmp_path / "xdg" / "careerpath").glob("*/index.pickle"))


# ---------------------------------------------------------------- random damage to every kind of file

CORRUPTIONS = ("flip", "truncate", "insert", "zero-tag", "evil-payload", "evil-signed-elsewhere", "raw-pickle",
               "swap", "empty")


def _corrupt(rng: random.Random, path: Path, how: str, payload: bytes, others: list[Path]) -> None:
    blob = bytearray(path.read_bytes())
    if not blob and how in ("flip", "truncate"):
        how = "insert"  # (a file an earlier round emptied, not written since: there is nothing to flip or cut)
    if how == "flip":
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(blob))
            blob[i] ^= 1 << rng.randrange(8)
    elif how == "truncate":
        del blob[rng.randrange(len(blob)):]
    elif how == "insert":
        i = rng.randrange(len(blob) + 1)
        blob[i:i] = rng.randbytes(rng.randint(1, 64))
    elif how == "zero-tag":
        blob[store.HEAD - store.TAG:store.HEAD] = bytes(store.TAG)
    elif how == "evil-payload":
        blob[store.HEAD:] = payload
    elif how == "evil-signed-elsewhere":
        path.write_bytes(bytes(blob))
        forge(path, payload, b"k" * 32)
        return
    elif how == "raw-pickle":
        blob = bytearray(payload)
    elif how == "swap":  # another genuine file of the cache, under this name
        blob = bytearray(rng.choice([o for o in others if o != path] or [path]).read_bytes())
    elif how == "empty":
        blob = bytearray()
    path.write_bytes(bytes(blob))


@pytest.mark.parametrize("seed", range(3))
def test_random_damage_to_any_cache_file_never_runs_code_or_changes_results(cli, generated, tmp_path, seed):
    rng = random.Random(seed)
    marker = tmp_path / "payload-ran"
    payload = evil(marker)
    commands = [("due",), ("due", "--format", "json"), ("due", "--format", "csv"), ("validate",)]
    expected = {c: cli("--no-cache", *c, "--caseload", generated, "--today", TODAY).out for c in commands}
    case = sorted((generated / "cases").iterdir())

    def every_kind() -> dict[str, list[Path]]:
        """Run the commands until each kind of cache file exists (an edit makes the deltas)."""
        for c in commands:
            cli(*c, "--caseload", generated, "--today", TODAY)
        folder = store.cache_dir(generated)
        return {kind: sorted(p for p in folder.glob(pattern) if p.is_file()) for kind, pattern in
                (("index", "index.*"), ("shard", "shards/*"), ("results", "results/*"), ("view", "views/*"),
                 ("output", "outputs/*"))}

    for _round in range(4):
        grow = rng.choice(case) / "case.yaml"
        grow.write_text(grow.read_text(encoding="utf-8") + f"# round {_round}\n", encoding="utf-8")
        expected = {c: cli("--no-cache", *c, "--caseload", generated, "--today", TODAY).out for c in commands}
        files = every_kind()
        assert all(files.values()), {k: len(v) for k, v in files.items()}
        everything = [p for group in files.values() for p in group]
        for kind in files:
            path = rng.choice(files[kind])
            how = rng.choice(CORRUPTIONS)
            before = path.read_bytes()
            _corrupt(rng, path, how, payload, everything)
            damaged = path.read_bytes()
            if damaged != before:  # doctor names it, and nothing of it is unpickled to find out
                assert str(path) in [p for p, _why in inspect(generated).untrusted], (kind, how)
            for c in commands:
                got = cli(*c, "--caseload", generated, "--today", TODAY)
                assert got.out == expected[c], (kind, path.name, how, c)
                assert not marker.exists(), (kind, path.name, how)
            if path.exists() and path.read_bytes() == damaged != before:  # not rewritten: still reported
                assert str(path) in [p for p, _why in inspect(generated).untrusted], (kind, how)
            assert not marker.exists()


def test_doctor_reports_a_tampered_file_by_path_and_a_clean_cache_as_signed(generated):
    outputs(generated, Cache())
    health = inspect(generated)
    assert health.key_status == "ok" and not health.untrusted and health.files > 0
    index = store.cache_dir(generated) / "index.pickle"
    forge(index, b"\x80\x05N.", b"k" * 32)
    health = inspect(generated)
    assert health.untrusted == [(str(index), "not signed with your key")]
    index.chmod(0o644)
    assert inspect(generated).untrusted == [(str(index), "readable or writable by others")]


# ---------------------------------------------------------------- the private folder stays out of git

@needs_git
def test_init_keeps_the_private_folder_out_of_git_and_git_is_asked_once_per_index(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("CAREERPATH_CACHE_DIR")
    monkeypatch.setattr(scan, "RACY_NS", 0)
    root = tmp_path / "cl"
    assert cli("init", root).code == 0
    assert cli("new", "a1", "--name", "T", "--language", "en", "--caseload", root).code == 0
    asked = []
    real = trust.tracked
    monkeypatch.setattr(trust, "tracked", lambda r: asked.append(r) or real(r))
    assert cli("validate", "--caseload", root, "--today", TODAY).code == 0
    assert (root / ".careerpath" / "cache" / "index.pickle").is_file()
    assert len(asked) == 1  # init and new commit: there is an index, asked about once
    assert git(root, "ls-files", ".careerpath").stdout == ""
    assert cli("validate", "--caseload", root, "--today", TODAY).code == 0 and len(asked) == 1  # same index
    git(root, "add", "-A")
    assert git(root, "ls-files", ".careerpath").stdout == ""
    assert cli("validate", "--caseload", root, "--today", TODAY).code == 0
    n = len(asked)
    assert store.place(root).local and store.place(root).tracked == () and len(asked) == n  # kept for this index
    (root / "notes.txt").write_text("x")
    git(root, "add", "notes.txt")  # a new index: asked again, once
    assert store.place(root).local and store.place(root).local and len(asked) == n + 1
    (root / ".gitignore").unlink()  # `.careerpath/` still ignores itself
    git(root, "add", "-A")
    assert git(root, "ls-files", ".careerpath").stdout == ""
    git(root, "add", "-f", ".careerpath/cache/index.pickle")  # forced: now the folder is not used
    where = store.place(root)
    assert not where.local and where.tracked == (".careerpath/cache/index.pickle",) and "tracked" in where.refused
    result = cli("validate", "--caseload", root, "--today", TODAY)
    assert result.code == 0 and ".careerpath/cache/index.pickle" in result.err and "git rm -r --cached" in result.err
