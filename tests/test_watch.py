"""The change journal (``careerpath watch``): a warm run that stats only what the watcher names must give
exactly what a run without any cache gives, whatever happens to the files (careerpath/cache/journal.py)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, TODAY

sys.path.insert(0, str(ROOT / "benchmarks"))

from careerpath import pipeline  # noqa: E402
from careerpath.cache import Cache, journal, refresh, scan, watcher  # noqa: E402

# the generated caseload, and files trusted though seconds old (the racy rule has its own test below)
from test_cache import N_CASES, generated, trust_fresh_files  # noqa: E402,F401 (fixtures)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the change journal is Linux inotify")


class Running:
    """A watcher serving in a thread of the test process (:func:`careerpath.cache.watcher.serve`)."""

    def __init__(self, root: Path, refresher: bool = False):
        self.root, self.stop, self.ready = root, False, threading.Event()
        self.folder = Cache().folder(root)
        self.refresher = refresh.Refresher(root, self.folder) if refresher else None
        self.result: list = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.ready.wait(20), self.result

    def _run(self) -> None:
        try:
            self.result.append(watcher.serve(self.root, self.folder, ready=lambda n: self.ready.set(),
                                             should_stop=lambda: self.stop, refresher=self.refresher))
        except Exception as e:  # reported by the test
            self.result.append(e)
            self.ready.set()

    def close(self) -> None:
        self.stop = True
        self.thread.join(10)


@pytest.fixture
def watching(generated):
    running = Running(generated)
    yield running
    running.close()


def outputs(root: Path, use_cache: bool) -> tuple:
    handle = Cache() if use_cache else None
    r = pipeline.results(root, TODAY, cache=handle)
    got = ([d.to_dict() for d in r.diagnostics], [d.to_dict() for d in r.load_diagnostics],
           [o.to_dict() for o in r.obligations(history=True)], r.files, r.cases)
    if handle is not None:
        handle.finish()
    return got, handle.stats if handle else None


# ---------------------------------------------------------------- what users do to files

def _files(root: Path, rng: random.Random) -> Path:
    files = sorted(p for p in (root / "cases").rglob("*.yaml") if "documents" not in p.parts)
    return rng.choice(files)


def _cases(root: Path) -> list[Path]:
    return sorted(p for p in (root / "cases").iterdir() if p.is_dir())


def _same_size_edit(text: str, rng: random.Random) -> str:
    """A digit of some date changed for another: the size stays (``2026-09-07`` → ``2026-09-03``)."""
    import re

    spots = [m.start() + 9 for m in re.finditer(r"\b20\d\d-\d\d-\d\d\b", text)]
    if not spots:
        return text.replace("\n", " \n", 1)[:len(text)] if text else text
    i = rng.choice(spots)
    return text[:i] + str((int(text[i]) % 8) + 1) + text[i + 1:]


def in_place(root: Path, rng: random.Random) -> None:
    """An editor that writes in place: same file, same size, one date changed."""
    path = _files(root, rng)
    new = _same_size_edit(path.read_text(encoding="utf-8"), rng)
    with open(path, "r+", encoding="utf-8") as f:
        f.write(new)


def in_place_old_time(root: Path, rng: random.Random) -> None:
    """In place, then the old times put back (``cp -p``, ``rsync -t``, a clock set back): only ctime moves."""
    path = _files(root, rng)
    st = path.stat()
    in_place_path = _same_size_edit(path.read_text(encoding="utf-8"), rng)
    path.write_text(in_place_path, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def future_time(root: Path, rng: random.Random) -> None:
    """A file saved by a machine whose clock is a day ahead."""
    path = _files(root, rng)
    path.write_text(path.read_text(encoding="utf-8") + "\n# from a laptop\n", encoding="utf-8")
    ahead = time.time_ns() + 86_400 * 10**9
    os.utime(path, ns=(ahead, ahead))


def atomic_replace(root: Path, rng: random.Random) -> None:
    """An editor (or git) that writes a temporary file and renames it over the old one."""
    path = _files(root, rng)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(_same_size_edit(path.read_text(encoding="utf-8"), rng), encoding="utf-8")
    os.replace(tmp, path)


def append(root: Path, rng: random.Random) -> None:
    path = _files(root, rng)
    path.write_text(path.read_text(encoding="utf-8") + "\n# a note\n", encoding="utf-8")


def add_case(root: Path, rng: random.Random) -> None:
    source = rng.choice(_cases(root))
    new = f"c{rng.randrange(100000, 999999)}"
    shutil.copytree(source, root / "cases" / new)
    case = root / "cases" / new / "case.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace(f"id: {source.name}\n", f"id: {new}\n", 1),
                    encoding="utf-8")


def remove_case(root: Path, rng: random.Random) -> None:
    cases = _cases(root)
    if len(cases) > 3:
        shutil.rmtree(rng.choice(cases))


def rename_case(root: Path, rng: random.Random) -> None:
    source = rng.choice(_cases(root))
    os.rename(source, root / "cases" / f"{source.name}x{rng.randrange(10**6)}")


def move_in_case(root: Path, rng: random.Random) -> None:
    """A case folder prepared elsewhere and moved in (its subfolders arrive with it)."""
    source = rng.choice(_cases(root))
    staging = root.parent / f"staging-{rng.randrange(10**6)}"
    shutil.copytree(source, staging)
    os.rename(staging, root / "cases" / f"{source.name}m{rng.randrange(10**6)}")


def new_event(root: Path, rng: random.Random) -> None:
    case = rng.choice(_cases(root))
    events = case / "events"
    events.mkdir(exist_ok=True)
    existing = sorted(events.glob("*.yaml"))
    text = existing[0].read_text(encoding="utf-8") if existing else "type: contact\ndate: 2026-11-20\n"
    (events / f"2026-11-{rng.randrange(10, 28)}-contact.yaml").write_text(text, encoding="utf-8")


def remove_event(root: Path, rng: random.Random) -> None:
    events = sorted((root / "cases").glob("*/events/*.yaml"))
    if events:
        rng.choice(events).unlink()


def move_between_cases(root: Path, rng: random.Random) -> None:
    events = sorted((root / "cases").glob("*/events/*.yaml"))
    target = rng.choice(_cases(root)) / "events"
    if events:
        target.mkdir(exist_ok=True)
        os.replace(rng.choice(events), target / f"moved-{rng.randrange(10**6)}.yaml")


def new_folder(root: Path, rng: random.Random) -> None:
    """A new referrals/ folder with a file in it, made in one go (``mkdir -p`` then a write)."""
    case = rng.choice(_cases(root))
    folder = case / "referrals" / "2026"
    folder.mkdir(parents=True, exist_ok=True)
    (case / "referrals" / f"r{rng.randrange(1000)}.yaml").write_text("to: dor\n", encoding="utf-8")


def chmod(root: Path, rng: random.Random) -> None:
    path = _files(root, rng)
    path.chmod(0o600 if path.stat().st_mode & 0o044 else 0o644)


def attachment(root: Path, rng: random.Random) -> None:
    """A scanned letter under documents/: nothing reads it, nothing changes."""
    docs = rng.choice(_cases(root)) / "documents"
    docs.mkdir(exist_ok=True)
    (docs / f"letter-{rng.randrange(1000)}.pdf").write_bytes(b"%PDF-1.4\n")


OPS = [in_place, in_place_old_time, future_time, atomic_replace, append, add_case, remove_case, rename_case,
       move_in_case, new_event, remove_event, move_between_cases, new_folder, chmod, attachment]


def _unkeyed(root: Path) -> int:
    """Cases of the stored index with an entry too fresh (or too far in the future) to key."""
    handle = Cache()
    index = scan.load_index(handle.folder(root), handle.key_for(root), handle.stats)
    return sum(fp.startswith(scan.RACY_PREFIX) for fp in index.fps)


def _changes_and_checks(root: Path, seed: int, steps: int) -> None:
    rng = random.Random(seed)
    cached, stats = outputs(root, True)  # the first scan: every entry statted, the mark taken
    assert cached == outputs(root, False)[0]
    for step in range(steps):
        ops = [rng.choice(OPS) for _ in range(rng.randrange(1, 3))]
        for op in ops:
            op(root, rng)
        cached, stats = outputs(root, True)
        assert stats.journal, f"step {step}: the journal was not used"
        assert cached == outputs(root, False)[0], f"seed {seed} step {step}: {[op.__name__ for op in ops]}"
        again, stats = outputs(root, True)
        # nothing changed: only cases whose entries cannot be keyed (a file stamped in the future) are looked at
        assert again == cached and stats.journal and stats.rescanned == stats.recomputed == _unkeyed(root)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_journal_vouches_only_for_what_did_not_change(watching, seed):
    _changes_and_checks(watching.root, seed, 12)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(10, 20))
def test_the_journal_vouches_only_for_what_did_not_change_long(watching, seed):
    _changes_and_checks(watching.root, seed, 40)


@pytest.mark.parametrize("op", OPS, ids=[op.__name__ for op in OPS])
def test_each_kind_of_change_is_seen(watching, op):
    """Every kind of change alone, so a missed one is named."""
    root = watching.root
    outputs(root, True)
    op(root, random.Random(7))
    cached, stats = outputs(root, True)
    assert stats.journal
    assert cached == outputs(root, False)[0]
    if op is not attachment:
        assert stats.rescanned >= 1  # the journal named the case and its entries were found changed


def test_entries_too_fresh_to_key_are_looked_at_again_with_the_journal(watching, monkeypatch):
    """The racy rule holds with a watcher too: a case whose entries were too fresh is computed again on every
    run (an edit between two runs in the same clock tick could leave its stat keys as they were)."""
    root = watching.root
    monkeypatch.setattr(scan, "RACY_NS", 10**18)  # every entry counts as just written
    outputs(root, True)
    rng = random.Random(5)
    for op in (in_place, append, in_place_old_time):
        op(root, rng)
        cached, stats = outputs(root, True)
        assert stats.journal and stats.recomputed == N_CASES
        assert cached == outputs(root, False)[0]


def test_a_warm_run_with_nothing_changed_reads_no_index(watching):
    root = watching.root
    outputs(root, True)
    outputs(root, True)
    handle = Cache()
    prepared = handle.prepare(root, TODAY)
    assert prepared.summary is not None and prepared._index is None  # only index.mark was read
    assert prepared.digest() == Cache(journal=False).prepare(root, TODAY).digest()
    (root / "cases" / _cases(root)[0].name / "case.yaml").open("a").write("# x\n")
    prepared = Cache().prepare(root, TODAY)
    assert prepared.summary is None  # the journal named a case: the index is read and that case statted


def test_a_run_asks_the_watcher_once(watching, monkeypatch):
    """index.mark and the index hold the same mark: the answer about it serves both (one round trip)."""
    root = watching.root
    outputs(root, True)
    outputs(root, True)
    asked = []
    real = journal.news
    monkeypatch.setattr(journal, "news", lambda *a, **k: asked.append(a[1]) or real(*a, **k))
    append(root, random.Random(2))
    cached, stats = outputs(root, True)
    assert stats.journal and stats.rescanned == 1 and len(asked) == 1
    assert cached == outputs(root, False)[0]


def test_without_a_watcher_every_entry_is_statted(generated):
    outputs(generated, True)
    _, stats = outputs(generated, True)
    assert not stats.journal
    running = Running(generated)
    try:
        _, stats = outputs(generated, True)  # another session's mark (none): statted once more, marked
        assert not stats.journal
        _, stats = outputs(generated, True)
        assert stats.journal
    finally:
        running.close()
    _, stats = outputs(generated, True)  # the watcher stopped: its socket went with it
    assert not stats.journal


# ---------------------------------------------------------------- the watcher's own cases

def test_a_queue_overflow_starts_a_new_session_that_vouches_for_nothing_before(generated):
    w = watcher.Watcher(generated, Cache().folder(generated))
    w.start()
    try:
        assert w.sync()
        first = w.answer(None)
        assert not first["known"]
        new_case = generated / "cases" / "c999999"
        shutil.copytree(_cases(generated)[0], new_case)
        os.read(w.fd, 1 << 20)  # its events dropped, as the kernel drops them when the queue is full...
        w._event(-1, watcher.IN_Q_OVERFLOW, "")  # ...and queues this instead
        assert w.sync()
        after = w.answer([first["session"], first["seq"]])
        assert after["session"] != first["session"] and not after["known"]
        (new_case / "plan.yaml").open("a").write("# later\n")  # the folder made during the overflow is watched
        assert w.sync()
        later = w.answer([after["session"], after["seq"]])
        assert later["known"] and later["names"] == ["c999999"]
    finally:
        w.close()


def test_shared_file_systems_are_refused():
    assert watcher.shared("nfs4") and watcher.shared("cifs") and watcher.shared("fuse.sshfs")
    assert not watcher.shared("ext4") and not watcher.shared("tmpfs") and not watcher.shared("")
    assert watcher.filesystem(Path("/")) != ""


def test_one_watcher_per_caseload(watching):
    with pytest.raises(watcher.WatchError, match="already running"):
        watcher.serve(watching.root, watching.folder)


def test_the_watcher_stops_when_cases_is_moved(watching):
    os.rename(watching.root / "cases", watching.root / "cases-old")
    watching.thread.join(10)
    assert not watching.thread.is_alive()
    assert "moved or removed" in str(watching.result[0])
    assert not (journal.watch_folder(watching.folder) / journal.SOCKET).exists()


def bound(watch: Path) -> socket.socket:
    """A socket bound at ``watch/socket`` (through the folder's descriptor when the path is too long)."""
    sock = socket.socket(socket.AF_UNIX)
    where, fd = journal.address(watch)
    try:
        sock.bind(where)
    finally:
        if fd is not None:
            os.close(fd)
    return sock


def test_a_dead_or_strange_socket_is_no_answer(generated, tmp_path):
    folder = Cache().folder(generated)
    watch = journal.watch_folder(folder)
    watch.mkdir(parents=True)
    bound(watch).close()  # bound, never listening: what a killed watcher leaves
    assert journal.news(folder, None) is None
    os.unlink(watch / journal.SOCKET)
    server = bound(watch)
    server.listen()

    def answer(reply: bytes) -> None:
        conn, _ = server.accept()
        conn.recv(100)
        conn.sendall(reply)
        conn.close()

    for reply in (b"not json", b'{"session": "00", "seq": "1", "known": true, "names": [], "listing": false}',
                  b'["a list"]'):
        t = threading.Thread(target=answer, args=(reply,))
        t.start()
        assert journal.news(folder, (b"\0", 1)) is None
        t.join()
    t = threading.Thread(target=lambda: server.accept())  # accepts and never answers
    t.start()
    started = time.monotonic()
    assert journal.news(folder, None, timeout=0.3) is None
    assert time.monotonic() - started < 2
    t.join()
    server.close()


def test_a_long_cache_path_still_gets_a_socket(generated, tmp_path, monkeypatch):
    deep = tmp_path / ("d" * 90) / ("e" * 40)
    monkeypatch.setenv("CAREERPATH_CACHE_DIR", str(deep))
    running = Running(generated)
    try:
        assert len(str(journal.watch_folder(running.folder) / journal.SOCKET)) > 108
        outputs(generated, True)
        _, stats = outputs(generated, True)
        assert stats.journal
    finally:
        running.close()


def test_a_real_queue_overflow_while_the_watcher_is_stopped(generated):
    """The kernel drops events past fs.inotify.max_queued_events (16,384 by default) while the watcher cannot
    read them (SIGSTOP): the next answer is of a new session, and the run stats every entry."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAREERPATH_LANG": "en"}
    proc = subprocess.Popen([sys.executable, "-m", "careerpath", "watch", "--caseload", str(generated)], env=env,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert "watching" in proc.stderr.readline()
        outputs(generated, True)
        _, stats = outputs(generated, True)
        assert stats.journal
        try:
            limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
        except OSError:
            limit = 16384
        if limit > 1 << 18:
            pytest.skip(f"fs.inotify.max_queued_events is {limit}: overflowing it would take minutes here")
        a, b = sorted((generated / "cases").glob("*/case.yaml"))[:2]
        proc.send_signal(signal.SIGSTOP)
        try:
            for _ in range(limit // 2 + 10):  # two names in turn: the kernel merges only repeats of the last event
                os.utime(a)
                os.utime(b)
            in_place(generated, random.Random(11))  # a real change among the dropped events
        finally:
            proc.send_signal(signal.SIGCONT)
        cached, stats = outputs(generated, True)
        assert not stats.journal  # another session: nothing before it vouched for
        assert cached == outputs(generated, False)[0]
        _, stats = outputs(generated, True)
        assert stats.journal and stats.rescanned == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)


def test_doctor_says_whether_a_watcher_answers(generated):
    from careerpath.doctor import check_journal

    def finding() -> str:
        (f,) = list(check_journal(generated))
        return f"{f.status}: {f.detail}"

    assert finding().startswith("ok: no watcher")
    running = Running(generated)
    try:
        assert finding().startswith("ok: `careerpath watch` answers") and "(`--no-refresh`)" in finding()
    finally:
        running.close()
    refresh.register(Cache().folder(generated), Cache().key, generated, ["due"], dated=False)
    running = Running(generated, refresher=True)
    try:
        assert "it makes the output of 1 piped command line(s) again" in finding()
    finally:
        running.close()
    bound(journal.watch_folder(running.folder)).close()  # what a killed watcher leaves
    assert finding().startswith("warn: a watcher's socket is there but nothing answers")


# ---------------------------------------------------------------- the command

def test_without_a_watcher_a_replay_imports_no_socket(generated):
    """Asking a watcher that is not there costs one stat: the start-up path imports neither socket nor json."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAREERPATH_LANG": "en"}
    cmd = [sys.executable, "-X", "importtime", "-m", "careerpath", "due", "--caseload", str(generated),
           "--today", TODAY.isoformat()]
    time.sleep(2.1)  # (no output is kept for files written in the last two seconds)
    subprocess.run(cmd, env=env, capture_output=True, timeout=120, check=True)
    again = subprocess.run(cmd, env=env, capture_output=True, timeout=120, check=True).stderr
    imported = {line.rsplit(b"|", 1)[-1].strip() for line in again.splitlines() if line.startswith(b"import time:")}
    assert b"careerpath.pipeline" not in imported  # the replay answered (the typer-free due path imports it)
    assert b"socket" not in imported and b"json" not in imported


def test_the_watch_command_serves_due_and_stops_cleanly(generated, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAREERPATH_LANG": "en"}
    proc = subprocess.Popen([sys.executable, "-m", "careerpath", "watch", "--caseload", str(generated)], env=env,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        assert "watching" in line and "folders of the caseload" in line
        second = subprocess.run([sys.executable, "-m", "careerpath", "watch", "--caseload", str(generated)],
                                env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 1 and "already running" in second.stderr and "Traceback" not in second.stderr

        def due(*extra: str) -> str:
            return subprocess.run([sys.executable, "-m", "careerpath", *extra, "due", "--format", "json",
                                   "--caseload", str(generated), "--today", TODAY.isoformat()],
                                  env=env, capture_output=True, text=True, timeout=120, check=True).stdout

        time.sleep(2.1)  # (the command keys no file written in the last two seconds)
        due()
        in_place(generated, random.Random(3))
        time.sleep(2.1)
        assert due() == due("--no-cache")
        assert Cache().prepare(generated, TODAY).summary is not None  # the run above left a vouched summary
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(20)
    assert code == 0
    assert not (journal.watch_folder(Cache().folder(generated)) / journal.SOCKET).exists()


# ---------------------------------------------------------------- outputs made again by the watcher (cache/refresh.py)

def _due_cmd(root: Path, *extra: str) -> list[str]:
    return [sys.executable, *extra, "-m", "careerpath", "due", "--caseload", str(root), "--today", TODAY.isoformat()]


def _wait_for_rounds(root: Path, rounds: int, timeout: float = 60) -> journal.News:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        news = journal.news(Cache().folder(root), None)
        if news is not None and news.rounds >= rounds and not news.refreshing:
            return news
        time.sleep(0.1)
    raise AssertionError(f"the watcher did not finish {rounds} refresh round(s)")


def test_the_watcher_makes_a_piped_due_again_once_an_edit_settles(generated):
    """After an edit, the next piped ``due`` is a replay of what the watcher made, equal to ``--no-cache``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAREERPATH_LANG": "en"}
    time.sleep(2.1)  # (no output is kept for files written in the last two seconds)
    subprocess.run(_due_cmd(generated), env=env, capture_output=True, timeout=120, check=True)
    assert refresh.commands(Cache().folder(generated), Cache().key, generated) == []  # no watcher: nothing kept
    proc = subprocess.Popen([sys.executable, "-m", "careerpath", "watch", "--caseload", str(generated)], env=env,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert "watching" in proc.stderr.readline()
        run = subprocess.run(_due_cmd(generated, "-X", "importtime"), env=env, capture_output=True, timeout=120,
                             check=True)
        assert b"careerpath.pipeline" not in run.stderr  # a replay: it keeps the command too
        kept = refresh.commands(Cache().folder(generated), Cache().key, generated)
        assert [c[0] for c in kept] == [["due", "--caseload", str(generated), "--today", TODAY.isoformat()]]
        assert kept[0][3] is True  # dated: given --today
        rounds = _wait_for_rounds(generated, 0).rounds
        for step in range(2):
            in_place(generated, random.Random(10 + step))
            _wait_for_rounds(generated, rounds + 1)
            rounds += 1
            run = subprocess.run(_due_cmd(generated, "-X", "importtime"), env=env, capture_output=True,
                                 timeout=120, check=True)
            imported = {line.rsplit(b"|", 1)[-1].strip() for line in run.stderr.splitlines()
                        if line.startswith(b"import time:")}
            assert b"careerpath.pipeline" not in imported  # the replay answered: the watcher had stored this output
            fresh = subprocess.run([*_due_cmd(generated), "--no-cache"], env=env, capture_output=True,
                                   timeout=120, check=True)
            assert run.stdout == fresh.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(20)
    assert code == 0


def _imported(err: bytes) -> set:
    return {line.rsplit(b"|", 1)[-1].strip() for line in err.splitlines() if line.startswith(b"import time:")}


def test_the_watcher_draws_a_terminal_due_again_once_an_edit_settles(generated):
    """A ``due`` drawn for a terminal is kept with the terminal's width; once an edit settles the watcher draws it
    again on a pseudo-terminal as wide, and the next ``due`` there replays what ``--no-cache`` draws there."""
    from ptyrun import on_terminal

    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAREERPATH_LANG": "en"}
    time.sleep(2.1)  # (no output is kept for files written in the last two seconds)
    proc = subprocess.Popen([sys.executable, "-m", "careerpath", "watch", "--caseload", str(generated)], env=env,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert "watching" in proc.stderr.readline()
        line = _due_cmd(generated)[3:]
        assert on_terminal(line, 100, env=env)[0] == 0  # drawn and stored, and kept with its width
        kept = refresh.commands(Cache().folder(generated), Cache().key, generated)
        assert [(c[0], c[4]) for c in kept] == [(line, 100)]
        rounds = _wait_for_rounds(generated, 0).rounds
        in_place(generated, random.Random(20))
        _wait_for_rounds(generated, rounds + 1)
        code, shown, err = on_terminal(line, 100, env=env, python=("-X", "importtime"))
        assert code == 0 and b"careerpath.pipeline" not in _imported(err)  # what the watcher drew, replayed
        fresh = on_terminal([*line, "--no-cache"], 100, env=env)
        assert fresh[0] == 0 and shown == fresh[1] and b"\x1b[" in shown
        other = on_terminal(line, 90, env=env, python=("-X", "importtime"))
        assert other[0] == 0 and b"careerpath.pipeline" in _imported(other[2])  # another width: drawn now
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(20)
    assert code == 0


def test_without_refresh_the_next_due_after_an_edit_recomputes(generated):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAREERPATH_LANG": "en"}
    proc = subprocess.Popen([sys.executable, "-m", "careerpath", "watch", "--no-refresh", "--caseload",
                             str(generated)], env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert "watching" in proc.stderr.readline()
        time.sleep(2.1)
        subprocess.run(_due_cmd(generated), env=env, capture_output=True, timeout=120, check=True)
        in_place(generated, random.Random(5))
        time.sleep(refresh.SETTLE + 1.5)
        news = journal.news(Cache().folder(generated), None)
        assert news is not None and news.rounds == 0 and not news.refreshing
        run = subprocess.run(_due_cmd(generated, "-X", "importtime"), env=env, capture_output=True, timeout=120,
                             check=True)
        assert b"careerpath.pipeline" in run.stderr  # nothing was stored for it: the case was computed
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)


class _Clock:
    def __init__(self) -> None:
        self.now, self.day = 100.0, TODAY

    def __call__(self) -> float:
        return self.now


def test_a_round_starts_once_changes_settle_and_undated_commands_run_on_a_new_day(generated, tmp_path):
    """Seen from the watcher's loop: nothing runs while changes keep coming; one round once they have been quiet
    for SETTLE seconds; on a new day only the commands given no --today; a stop kills the command under way."""
    from datetime import timedelta

    folder, key = Cache().folder(generated), Cache().key
    old_cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        refresh.register(folder, key, generated, ["due", "--caseload", str(generated)], dated=False)
        time.sleep(0.05)  # (file times move by the kernel's tick: the second is surely the newer)
        refresh.register(folder, key, generated, ["due", "--caseload", str(generated), "--today", "2026-01-05"],
                         dated=True)
        refresh.register(folder, key, tmp_path, ["due", "--caseload", str(tmp_path)], dated=False)  # another caseload
    finally:
        os.chdir(old_cwd)
    assert len(refresh.commands(folder, key, generated)) == 2
    clock = _Clock()
    ref = refresh.Refresher(generated, folder, settle=2.5, today=lambda: clock.day, clock=clock)
    try:
        ref.tick(1)                     # a change
        clock.now += 2.0
        ref.tick(2)                     # another, 2 s later
        clock.now += 2.0
        ref.tick(2)
        assert not ref.busy             # 2 s quiet: not yet
        clock.now += 0.6
        ref.tick(2)
        assert ref.busy and ref.child is not None
        assert ref.child.args[-2:] == ["--today", "2026-01-05"]  # the newest first
        assert len(ref.queue) == 1
        ref.close()
        assert not ref.busy and ref.child is None
        clock.day = TODAY + timedelta(days=1)
        ref.tick(2)                     # a new day, nothing changed: only the undated command
        assert ref.child is not None and "--today" not in ref.child.args and ref.queue == []
        assert ref.child.wait(120) == 0
        ref.tick(2)
        assert not ref.busy and ref.rounds == 1
    finally:
        ref.close()


def test_a_round_after_careerpath_changed_runs_the_commands_the_new_code_kept(generated, tmp_path):
    """Upgraded while the watcher runs: the commands run since keep themselves under the new code's key, which a
    round reads (a watcher that read under the key it started with ran nothing until it was restarted)."""
    folder, started, upgraded = Cache().folder(generated), bytes(16), bytes(15) + b"\x01"
    refresh.register(folder, upgraded, generated, ["due", "--caseload", str(generated)], dated=False)
    assert refresh.commands(folder, started, generated) == []
    clock = _Clock()
    keys = iter([started, upgraded])  # the key when the watcher started, then after the upgrade
    ref = refresh.Refresher(generated, folder, settle=2.5, today=lambda: clock.day, clock=clock,
                            code_key=lambda: next(keys))
    try:
        ref.tick(1)
        clock.now += 3.0
        ref.tick(1)
        assert ref.busy and ref.child.args[-2:] == ["--caseload", str(generated)]
    finally:
        ref.close()


def test_a_command_not_run_for_a_week_is_not_run_again_until_it_is(generated):
    folder, key = Cache().folder(generated), Cache().key
    refresh.register(folder, key, generated, ["due"], dated=False)
    (path,) = refresh.folder_of(folder).glob("*.pickle")
    old = time.time() - refresh.UNUSED - 60
    os.utime(path, (old, old))
    assert refresh.commands(folder, key, generated) == []
    refresh.register(folder, key, generated, ["due"], dated=False)  # run again: kept, and its time moved
    assert [c[0] for c in refresh.commands(folder, key, generated)] == [["due"]]


def test_a_kept_command_not_of_the_users_own_is_not_run(generated, tmp_path):
    folder, key = Cache().folder(generated), Cache().key
    refresh.register(folder, key, generated, ["due"], dated=False)
    (path,) = refresh.folder_of(folder).glob("*.pickle")
    data = bytearray(path.read_bytes())
    data[-3] ^= 1  # one bit of the record changed: its tag no longer matches
    path.write_bytes(bytes(data))
    assert refresh.commands(folder, key, generated) == []
    forged = refresh.folder_of(folder) / "forged.pickle"
    import pickle

    forged.write_bytes(pickle.dumps((str(generated), ["due"], str(tmp_path), (), False)))
    forged.chmod(0o600)
    assert refresh.commands(folder, key, generated) == []
