"""git through subprocess: commit just the files a command touched, read history.

git runs as the user's own git (hooks, config, signing all apply), with
argument lists (no shell), ``--`` before paths, ``GIT_TERMINAL_PROMPT=0`` (never
wait for a password) and ``LC_ALL=C`` (messages we parse stay English).

Identity: a recording's **author** is the acting staff member (name and
``email`` from careerpath.yaml, ``<staff-id>@careerpath.invalid`` without
one) — on a shared office machine or under cron the machine's identity says
nothing about who did the work. The **committer** stays git's own identity
(``user.name`` and ``user.email``, or the usual ``GIT_COMMITTER_*``
variables). When git has none, the committer falls back to the staff member
too (or ``careerpath <careerpath@careerpath.invalid>`` when no staff is known),
and the caller reports that it did (docs/recording.md).
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from .i18n.messages import Message

FALLBACK_DOMAIN = "careerpath.invalid"


class GitError(Exception):
    """git failed; ``message`` is safe to show (git's own words, no file contents).

    ``lock`` is git's lock file when git failed because it exists (``index.lock``
    held by another git process, or left by one that died).
    """

    def __init__(self, message: str, lock: Optional[Path] = None):
        super().__init__(message)
        self.message, self.lock = message, lock


_LOCK_EXISTS = re.compile(r"Unable to create '(?P<path>[^']+\.lock)': File exists")


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "LANGUAGE": "C"}
    env.update(extra or {})
    return env


def available() -> bool:
    return shutil.which("git") is not None


def run(args: list[str], cwd: Path, *, input: bytes | None = None, env: dict[str, str] | None = None,
        check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``git <args>`` in ``cwd``; with ``check`` a failure raises GitError."""
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, env=_env(env), input=input, capture_output=True, timeout=timeout)
    except FileNotFoundError:
        raise GitError(Message("git is not installed")) from None
    except subprocess.TimeoutExpired:
        raise GitError(Message("git {command} did not finish in {seconds} s", command=args[0],
                               seconds=format(timeout, ".0f"))) from None
    if check and proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", "replace")
        held = _LOCK_EXISTS.search(stderr)
        if held:  # git's last line says "remove the file manually": never right while a git process holds it
            lock = Path(held.group("path"))
            raise GitError(Message("git {command} failed: {path} exists (another git process is working in this "
                                   "repository, or one stopped without removing it)", command=args[0], path=lock),
                           lock)
        detail = stderr.strip().splitlines()
        # git's own words (LC_ALL=C: English) stay as they are
        raise GitError(Message("git {command} failed: {detail}", command=args[0], detail=detail[-1]) if detail
                       else Message("git {command} failed (exit {code})", command=args[0], code=proc.returncode))
    return proc


def toplevel(path: Path) -> Optional[Path]:
    """The work tree holding ``path``, or None (not a repository, or no git).

    Raises GitError when there is a repository git refuses to use (owned by
    another user: git's ``safe.directory``), so that is not mistaken for
    "not a repository".
    """
    if not available():
        return None
    proc = run(["rev-parse", "--show-toplevel"], Path(path), check=False)
    if proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", "replace")
        if "dubious ownership" in stderr:
            raise GitError(Message("git refuses this repository: it belongs to another user "
                                   "(git config --global --add safe.directory <path> allows it)"))
        return None
    return Path(proc.stdout.decode("utf-8").strip())


def config(cwd: Path, key: str) -> Optional[str]:
    """A git config value, or None when unset."""
    try:
        proc = run(["config", "--get", key], cwd, check=False)
    except GitError:
        return None
    value = proc.stdout.decode("utf-8", "replace").strip()
    return value if proc.returncode == 0 and value else None


def has_identity(cwd: Path) -> bool:
    """Whether git has a configured author and committer (config or environment)."""
    name = os.environ.get("GIT_AUTHOR_NAME") or config(cwd, "user.name")
    email = os.environ.get("GIT_AUTHOR_EMAIL") or config(cwd, "user.email") or os.environ.get("EMAIL")
    return bool(name and email)


def staff_identity(staff_id: Optional[str], staff_name: Optional[str], staff_email: Optional[str]) -> tuple[str, str]:
    """(name, email) of a staff member as a git identity; ``<id>@careerpath.invalid`` without an email."""
    name = staff_name or staff_id or "careerpath"
    email = staff_email or f"{staff_id or 'careerpath'}@{FALLBACK_DOMAIN}"
    return name, email


def fallback_identity(staff_id: Optional[str], staff_name: Optional[str], staff_email: Optional[str]) -> dict[str, str]:
    """The documented identity used when git has none (env variables for git commit)."""
    name, email = staff_identity(staff_id, staff_name, staff_email)
    return {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}


def format_message(subject: str, trailers: Iterable[tuple[str, str]] = ()) -> str:
    """A commit message: the subject line, a blank line, then ``Key: value`` trailers."""
    lines = [subject]
    trailer_lines = [f"{k}: {v}" for k, v in trailers]
    if trailer_lines:
        lines += ["", *trailer_lines]
    return "\n".join(lines) + "\n"


@dataclass
class Commit:
    sha: str
    identity: str          # "user" or "fallback"


def sign_env(key: str) -> dict[str, str]:
    """The environment that makes ``git commit -S`` sign with ``key`` over SSH (git's ``GIT_CONFIG_*``
    variables: nothing is written to any git config). ``key`` is a key file or ``key::<public key>``."""
    return {"GIT_CONFIG_COUNT": "2", "GIT_CONFIG_KEY_0": "gpg.format", "GIT_CONFIG_VALUE_0": "ssh",
            "GIT_CONFIG_KEY_1": "user.signingKey", "GIT_CONFIG_VALUE_1": key}


def commit_paths(cwd: Path, paths: list[Path], message: str, *, fallback: dict[str, str] | None = None,
                 force: bool = False, author: Optional[tuple[str, str]] = None,
                 sign: Optional[str] = None) -> Optional[Commit]:
    """Commit exactly ``paths`` (their working-tree content) with ``message``.

    ``git commit --only -- <paths>`` leaves anything else the user had staged
    staged and uncommitted. New files are added first (``git add -- <path>``;
    with ``force`` even when .gitignore names them, as generated reports are).
    Returns None when the paths hold no change to commit. Hooks run as usual;
    a hook that refuses the commit raises GitError. ``author`` (name, email)
    makes someone else than the committer the commit's author: the staff member
    who did the work, while the committer stays the machine's git identity.
    ``sign`` (a key file or ``key::<public key>``) signs the commit with git's
    SSH signing (:mod:`careerpath.signing`); a path that was deleted is
    committed as deleted.
    """
    rel = [os.path.relpath(p, cwd) for p in paths]
    run(["add", *(["-f"] if force else []), "--", *rel], cwd)
    if subprocess.run(["git", "diff", "--cached", "--quiet", "--", *rel], cwd=cwd, env=_env(),
                      capture_output=True).returncode == 0:
        return None
    env: dict[str, str] = {}
    identity = "user"
    if not has_identity(cwd):
        env = dict(fallback or fallback_identity(None, None, None))
        identity = "fallback"
    if author is not None:
        env["GIT_AUTHOR_NAME"], env["GIT_AUTHOR_EMAIL"] = author
    if sign is not None:
        env.update(sign_env(sign))
    run(["commit", "--only", "--quiet", "--no-edit", "--cleanup=strip", *(["-S"] if sign else []), "-F", "-", "--",
         *rel], cwd, input=message.encode("utf-8"), env=env or None)
    sha = run(["rev-parse", "HEAD"], cwd).stdout.decode().strip()
    return Commit(sha, identity)


def uncommitted(cwd: Path, paths: list[Path]) -> dict[Path, str]:
    """Which of ``paths`` hold changes no commit has: ``{path: state}`` (the paths as given).

    ``state`` is ``staged`` (the index differs from HEAD), ``modified`` (the
    file differs from the index) or ``untracked`` (never added). Paths that
    match HEAD, or exist nowhere, are left out.
    """
    rel = [os.path.relpath(p, cwd) for p in paths]
    prefix = show_prefix(cwd)  # git's porcelain paths are relative to the top of the work tree
    proc = run(["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--", *rel], cwd)
    states: dict[str, str] = {}
    for item in proc.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if len(item) < 4:
            continue
        x, path = item[0], item[3:]
        states[path] = "untracked" if x == "?" else "staged" if x != " " else "modified"
    out: dict[Path, str] = {}
    for p, r in zip(paths, rel):
        key = posixpath.normpath(prefix + Path(r).as_posix())
        if key in states:
            out[p] = states[key]
    return out


# ---------------------------------------------------------------- git's own lock

@dataclass
class IndexLock:
    """git's ``index.lock`` in a repository, and the live processes that may be using it.

    ``holders`` empty means no live process was found that has the file open
    or is a git process working in the repository: it was left by a git
    process that died, and only then is removing it right.
    """

    path: Path
    holders: list[int]

    @property
    def live(self) -> bool:
        return bool(self.holders)


def index_lock(cwd: Path) -> Optional[IndexLock]:
    """git's index lock of the repository holding ``cwd`` when it exists, with who holds it; else None.

    How a holder is found (docs/recording.md): on Linux, ``/proc`` — a process
    with the lock file open, or a process named ``git``/``git-*`` whose
    working folder is inside the work tree or the git folder (git closes the
    file while a pre-commit hook runs, so an open file alone is not enough); a
    git process whose folder cannot be read (another user's) counts as a
    holder. Elsewhere (macOS, the BSDs) ``ps`` lists the git processes and
    ``lsof`` says where each works and who has the file open; without
    ``lsof`` every running git process counts as a holder. The method errs
    towards "live": a live lock is never called stale.
    """
    proc = run(["rev-parse", "--show-toplevel", "--absolute-git-dir", "--git-path", "index.lock"], cwd, check=False)
    lines = proc.stdout.decode("utf-8", "surrogateescape").splitlines()
    if proc.returncode != 0 or len(lines) < 3:
        return None
    top, git_dir, lock = Path(lines[0]), Path(lines[1]), Path(lines[2])
    lock = Path(os.path.abspath(Path(cwd) / lock))  # named in messages: absolute, whatever the caller's folder
    if not (lock.exists() or lock.is_symlink()):
        return None
    return IndexLock(lock, lock_holders(lock, [top, git_dir]))


def lock_holders(lock: Path, places: list[Path]) -> list[int]:
    """Live processes (not this one) that have ``lock`` open or are git processes working in ``places``."""
    if os.path.isdir("/proc/self/fd"):
        return _holders_proc(lock, places)
    return _holders_ps(lock, places)


def _inside_any(folder: str, roots: list[str]) -> bool:
    return any(folder == r or folder.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _is_git(name: str) -> bool:
    name = os.path.basename(name.strip())
    return name == "git" or name.startswith("git-")


def _holders_proc(lock: Path, places: list[Path]) -> list[int]:
    target = os.path.realpath(lock)
    roots = [os.path.realpath(p) for p in places]
    me, found = os.getpid(), []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        pid = int(entry.name)
        try:
            with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as fh:
                comm = fh.read()
        except OSError:
            continue  # gone meanwhile
        if _is_git(comm):
            try:
                where: Optional[str] = os.readlink(f"/proc/{pid}/cwd")
            except PermissionError:
                where = None  # another user's git: where it works cannot be seen, so it may be this repository
            except OSError:
                continue      # exited (a zombie has no folder): it holds nothing
            if where is None or _inside_any(where, roots):
                found.append(pid)
                continue
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    found.append(pid)
                    break
            except OSError:
                continue
    return sorted(found)


def _holders_ps(lock: Path, places: list[Path]) -> list[int]:
    roots = [os.path.realpath(p) for p in places]
    me, found = os.getpid(), set()
    try:
        listing = subprocess.run(["ps", "-axo", "pid=,comm="], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        listing = ""
    lsof = shutil.which("lsof")
    for line in listing.splitlines():
        pid_text, _, comm = line.strip().partition(" ")
        if not pid_text.isdigit() or int(pid_text) == me or not _is_git(comm):
            continue
        where = None
        if lsof:
            try:
                out = subprocess.run([lsof, "-a", "-p", pid_text, "-d", "cwd", "-Fn"], capture_output=True, text=True,
                                     timeout=30).stdout
                where = next((ln[1:] for ln in out.splitlines() if ln.startswith("n")), None)
            except (OSError, subprocess.SubprocessError):
                where = None
        if where is None or _inside_any(os.path.realpath(where), roots):
            found.add(int(pid_text))
    if lsof:
        try:
            out = subprocess.run([lsof, "-t", "--", str(lock)], capture_output=True, text=True, timeout=30).stdout
            found.update(int(x) for x in out.split() if x.isdigit() and int(x) != me)
        except (OSError, subprocess.SubprocessError):
            pass
    return sorted(found)


def shallow(cwd: Path) -> list[str]:
    """The commits where a shallow clone's history is cut (git's ``shallow`` file); empty for a full history."""
    proc = run(["rev-parse", "--is-shallow-repository", "--git-path", "shallow"], cwd, check=False)
    lines = proc.stdout.decode("utf-8", "replace").splitlines()
    if proc.returncode != 0 or not lines or lines[0].strip() != "true":
        return []
    path = Path(lines[1]) if len(lines) > 1 else None
    if path is not None and not path.is_absolute():
        path = Path(cwd) / path
    try:
        return sorted({ln.strip() for ln in path.read_text(encoding="ascii", errors="replace").splitlines()
                       if ln.strip()}) if path is not None else []
    except OSError:
        return []


# ---------------------------------------------------------------- reading history

@dataclass
class LogEntry:
    sha: str
    parents: list[str]
    author: str
    email: str
    date: str              # author date, ISO 8601 with offset
    subject: str
    trailers: dict[str, list[str]]
    changes: list[tuple[str, Optional[str], Optional[str]]]  # (status letter, old path, new path), top-level relative
    committer: str = ""
    committer_email: str = ""
    committer_date: str = ""


_SEP = "\x1e"  # record separator between commits


def log(cwd: Path, pathspecs: list[str], *, reverse: bool = False, follow: bool = False) -> list[LogEntry]:
    """Commits touching ``pathspecs`` with their changed files (renames detected), newest first."""
    fmt = _SEP + "%H%x00%P%x00%an%x00%ae%x00%aI%x00%s%x00%(trailers:only,unfold)%x00%cn%x00%ce%x00%cI%x00"
    args = ["log", "--no-color", "--no-ext-diff", "--name-status", "-z", "-M", f"--format={fmt}"]
    if reverse:
        args.append("--reverse")
    if follow:
        args.append("--follow")
    proc = run([*args, "--", *pathspecs], cwd, check=False)
    if proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", "replace")
        if "does not have any commits" in stderr or "bad default revision" in stderr:
            return []
        raise GitError(Message("git {command} failed: {detail}", command="log",
                               detail=(stderr.strip().splitlines() or ["?"])[-1]))
    out = proc.stdout.decode("utf-8", "replace")
    entries = []
    for record in out.split(_SEP)[1:]:
        fields = record.split("\x00")
        sha, parents, author, email, date, subject, trailer_text, committer, committer_email, committer_date = fields[:10]
        rest = [f for f in fields[10:]]
        # name-status -z: STATUS\0path\0 or Rxxx\0old\0new\0; a leading newline separates it from the header
        rest = [f.lstrip("\n") for f in rest]
        changes = []
        i = 0
        while i < len(rest):
            status = rest[i]
            if not status:
                i += 1
                continue
            letter = status[0]
            if letter in "RC" and i + 2 < len(rest) + 1:
                changes.append((letter, rest[i + 1], rest[i + 2]))
                i += 3
            elif letter == "A":
                changes.append((letter, None, rest[i + 1]))
                i += 2
            elif letter == "D":
                changes.append((letter, rest[i + 1], None))
                i += 2
            else:
                changes.append(("M", rest[i + 1], rest[i + 1]))
                i += 2
        trailers: dict[str, list[str]] = {}
        for line in trailer_text.splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                trailers.setdefault(k.strip(), []).append(v.strip())
        entries.append(LogEntry(sha, parents.split(), author, email, date, subject, trailers, changes,
                                committer, committer_email, committer_date))
    return entries


class BlobReader:
    """Reads many blobs through one ``git cat-file --batch`` process."""

    def __init__(self, cwd: Path):
        self.proc = subprocess.Popen(["git", "cat-file", "--batch"], cwd=cwd, env=_env(), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def read(self, spec: str) -> Optional[bytes]:
        """The content of ``<rev>:<path>``, or None when it does not exist.

        None too for a path with a line break: ``cat-file --batch`` reads one
        request per line, so asking would answer twice and every later read
        would get the answer of the one before; careerpath does not read such a
        file anyway (``file-name-unsafe``)."""
        assert self.proc.stdin and self.proc.stdout
        if "\n" in spec or "\r" in spec:
            return None
        self.proc.stdin.write(spec.encode("utf-8") + b"\n")
        self.proc.stdin.flush()
        header = self.proc.stdout.readline().decode("utf-8", "replace").rstrip("\n")
        if header.endswith(" missing") or header.endswith(" ambiguous") or not header:
            return None
        size = int(header.rsplit(" ", 1)[1])
        data = self.proc.stdout.read(size)
        self.proc.stdout.read(1)  # the newline after the content
        return data

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)

    def __enter__(self) -> "BlobReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def show_prefix(cwd: Path) -> str:
    """The path of ``cwd`` inside its work tree, with a trailing slash ('' at the top)."""
    return run(["rev-parse", "--show-prefix"], cwd).stdout.decode("utf-8").strip()


def commit_dates(cwd: Path) -> dict[str, str]:
    """Every commit reachable from HEAD -> its committer date (ISO 8601): what a commit's parents say."""
    proc = run(["log", "--format=%H %cI"], cwd, check=False)
    if proc.returncode != 0:
        return {}
    return dict(line.split(" ", 1) for line in proc.stdout.decode("utf-8", "replace").splitlines() if " " in line)


@dataclass
class Signature:
    status: str        # git's %G?: G good, B bad, U good but unknown signer, X/Y expired, R revoked, E cannot check, N none
    principal: str     # the allowed signer it matched (an email), or ""
    key: str           # the key's fingerprint, or ""


def signatures(cwd: Path, allowed_signers: Path, pathspecs: list[str]) -> dict[str, Signature]:
    """The signature of each commit touching ``pathspecs``, checked by git against ``allowed_signers``
    (one ``git log`` with ``%G?``: git runs ``ssh-keygen -Y verify`` as ``git verify-commit`` does)."""
    env = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "gpg.ssh.allowedSignersFile",
           "GIT_CONFIG_VALUE_0": str(allowed_signers)}
    proc = run(["log", "--format=%H%x00%G?%x00%GS%x00%GF", "--", *pathspecs], cwd, env=env, check=False)
    out: dict[str, Signature] = {}
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split("\x00")
        if len(parts) == 4:
            out[parts[0]] = Signature(parts[1] or "N", parts[2], parts[3])
    return out


def last_commit(cwd: Path, path: Path) -> Optional[str]:
    """The newest commit that changed ``path``, or None (never committed, or no repository)."""
    proc = run(["log", "-1", "--format=%H", "--", os.path.relpath(path, cwd)], cwd, check=False)
    sha = proc.stdout.decode("ascii", "replace").strip()
    return sha if proc.returncode == 0 and sha else None


def resolve_commit(cwd: Path, rev: str) -> Optional[str]:
    """The full id of commit ``rev`` when it is one and HEAD contains it, else None."""
    if not rev or rev.startswith("-"):
        return None
    proc = run(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], cwd, check=False)
    sha = proc.stdout.decode("ascii", "replace").strip()
    if proc.returncode != 0 or not sha:
        return None
    if run(["merge-base", "--is-ancestor", sha, "HEAD"], cwd, check=False).returncode != 0:
        return None
    return sha


def merge_file(current: bytes, base: bytes, other: bytes) -> Optional[bytes]:
    """``git merge-file``: the change from ``base`` to ``other`` applied to ``current``; None on a conflict."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="careerpath-merge-") as tmp:
        names = []
        for name, data in (("current", current), ("base", base), ("other", other)):
            path = Path(tmp) / name
            path.write_bytes(data)
            names.append(str(path))
        proc = subprocess.run(["git", "merge-file", "-p", "--", *names], env=_env(), capture_output=True, timeout=60)
    return proc.stdout if proc.returncode == 0 else None
