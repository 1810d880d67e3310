"""``careerpath sync``: bring the team's work in, send one's own out, lose nothing.

:func:`sync` fetches the remote branch, puts the local commits on top of it
(``git rebase``; ``git merge`` with ``mode="merge"``), checks the changes it is
about to send the way the server will (:mod:`careerpath.team.incremental`),
and pushes. It commits nothing of its own: uncommitted edits to case files stop
it before anything happens, naming the files. When someone else pushed in the
meantime the push is refused as not fast-forward, and it starts again, up to
``attempts`` times. When the server cannot be reached it raises
:class:`Offline` (the CLI exits 75) with the clone as it was.

Conflicts: the merge driver merges case files field by field, so only a field
changed on both sides stops it; the integration is then left stopped with
conflict markers at that field, and the report names the file and field
paths. Two new event, referral, appointment or survey files under one name
(two people logging the same type for the same case on the same day) are not
a conflict (:func:`careerpath.team.merge.entry_file`): the local
one gets the next free number (``-2``, ``-3``…), the one already on the server
keeps its name.
"""

from __future__ import annotations

import os
import random
import re
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Optional

from .. import gitio
from ..i18n import N_, Message
from .errors import TeamError
from .incremental import added_errors
from .merge import LINES, REPORT_ENV, entry_file, read_conflicts

EX_TEMPFAIL = 75
DEFAULT_ATTEMPTS = 5
# what git says when the server cannot be reached at all (not an authentication or hook refusal)
_UNREACHABLE = re.compile(
    r"Could not resolve host|Connection refused|Connection timed out|Network is unreachable|No route to host|"
    r"unable to connect|Connection reset|Operation timed out|Temporary failure in name resolution|"
    r"Could not read from remote repository|connection closed|The remote end hung up unexpectedly|"
    r"did not finish in", re.I)


class SyncError(TeamError):
    """Sync stopped; ``files`` are paths to name, ``code`` the exit code, ``report`` what happened so far."""


class Offline(SyncError):
    """The server could not be reached; nothing in the clone changed (exit 75: try again later)."""


@dataclass
class CommitInfo:
    sha: str
    author: str
    cases: list[str]


@dataclass
class SyncReport:
    """What a sync did: commits that came in and went out, renames, conflicts, attempts."""

    remote: str
    branch: str
    incoming: list[CommitInfo] = field(default_factory=list)
    outgoing: list[CommitInfo] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    conflicts: list[tuple[str, str]] = field(default_factory=list)   # (file, field path)
    pushed: bool = False
    attempts: int = 0
    notes: list[Message] = field(default_factory=list)   # shown translated; English in JSON

    def to_dict(self) -> dict:
        return {
            "remote": self.remote, "branch": self.branch, "pushed": self.pushed, "attempts": self.attempts,
            "incoming": [vars(c) for c in self.incoming], "outgoing": [vars(c) for c in self.outgoing],
            "renamed": [list(r) for r in self.renamed], "conflicts": [list(c) for c in self.conflicts],
            "notes": self.notes,
        }


_RESOLVE_HINT = N_("edit each file (keep the right version between the markers), `git add` it, then "
                   "`careerpath sync` again; or `git rebase --abort` / `git merge --abort` to go back")


def _attributes(root: Path) -> str:
    """The caseload's .gitattributes through the safe reader ('' when absent or refused: a clone's file)."""
    from ..fsio import ReadRefused, read_regular

    try:
        return read_regular(root / ".gitattributes", root=root).decode("utf-8", errors="replace")
    except ReadRefused:
        return ""


def _note(template: str) -> Message:
    return Message.declared(template, None)


def _last(text: str) -> str:
    """git's last line of complaint (its own words; no file contents)."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "?"


# ---------------------------------------------------------------- git plumbing

def _git(top: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 300):
    return gitio.run(list(args), top, check=False, env=env, timeout=timeout)


def _out(proc) -> str:
    return proc.stdout.decode("utf-8", "replace").strip()


def _err(proc) -> str:
    return proc.stderr.decode("utf-8", "replace")


def _rev(top: Path, ref: str) -> Optional[str]:
    proc = _git(top, "rev-parse", "--verify", "--quiet", ref + "^{commit}")
    return _out(proc) if proc.returncode == 0 else None


def _git_dir(top: Path) -> Path:
    path = Path(_out(_git(top, "rev-parse", "--git-dir")))
    return path if path.is_absolute() else top / path


def _in_progress(top: Path) -> Optional[str]:
    gd = _git_dir(top)
    if (gd / "rebase-merge").exists() or (gd / "rebase-apply").exists():
        return "rebase"
    if (gd / "MERGE_HEAD").exists():
        return "merge"
    return None


def _env(top: Path) -> dict[str, str]:
    """Never prompt; a short SSH connect timeout (unless the user chose their own ssh command)."""
    env = {}
    if not os.environ.get("GIT_SSH_COMMAND") and gitio.config(top, "core.sshCommand") is None:
        env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes -o ConnectTimeout=15"
    if not gitio.has_identity(top):
        env.update(gitio.fallback_identity(None, None, None))
    return env


def _unmerged(top: Path) -> dict[str, set[int]]:
    """Unmerged paths and their index stages (1 base, 2 ours, 3 theirs)."""
    out: dict[str, set[int]] = {}
    raw = _git(top, "ls-files", "-u", "-z").stdout.decode("utf-8", "replace")
    for entry in raw.split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        out.setdefault(path, set()).add(int(meta.split()[2]))
    return out


def _commits(top: Path, range_: str, prefix: str) -> list[CommitInfo]:
    """Commits in ``range_`` (oldest first) with their author and the case ids they touched."""
    proc = _git(top, "log", "--reverse", "--no-renames", "--format=%x1e%H%x00%an", "--name-only", "-z", range_, "--", prefix or ".")
    infos = []
    for record in proc.stdout.decode("utf-8", "replace").split("\x1e")[1:]:  # (not stripped: \x1e is whitespace)
        head, _, names = record.partition("\n")
        sha, _, author = head.partition("\x00")
        cases = []
        for name in names.split("\0"):
            name = name.strip("\n")
            rel = name[len(prefix):] if prefix and name.startswith(prefix) else name
            parts = rel.split("/")
            if len(parts) >= 3 and parts[0] == "cases" and parts[1] not in cases:
                cases.append(parts[1])
        infos.append(CommitInfo(sha, author.strip("\x00"), cases))
    return infos


def dirty_files(top: Path, prefix: str) -> list[str]:
    """Case files with uncommitted changes (modified, staged, or new and untracked), repository-relative."""
    raw = _git(top, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", prefix or ".").stdout.decode("utf-8", "replace")
    files, entries = [], raw.split("\0")
    i = 0
    while i < len(entries):
        entry = entries[i]
        i += 1
        if len(entry) < 4:
            continue
        status, path = entry[:2], entry[3:]
        if status[0] in "RC":
            i += 1  # the old name follows
        rel = path[len(prefix):] if prefix and path.startswith(prefix) else path
        if status == "??" and not (rel.startswith("cases/") and rel.endswith((".yaml", ".yml"))):
            continue  # an untracked file outside the case files is the user's business
        if status == "!!":
            continue
        files.append(path)
    return sorted(files)


# ---------------------------------------------------------------- resolving what sync may resolve

def _numbered(path: str, taken: set[str]) -> str:
    stem = path[:-5] if path.endswith(".yaml") else path
    stem = re.sub(r"-\d+$", "", stem)
    n = 2
    while f"{stem}-{n}.yaml" in taken:
        n += 1
    return f"{stem}-{n}.yaml"


def _resolve_new_names(top: Path, keep_stage: int, move_stage: int, renamed: list[tuple[str, str]]) -> list[str]:
    """Give a locally added entry file (an event, referral, appointment or survey) that collides with one
    from the server the next free number.

    Returns the unmerged paths left (real conflicts). ``keep_stage``: the
    version that stays at the name (the server's); ``move_stage``: the local one.
    """
    left = []
    for path, stages in sorted(_unmerged(top).items()):
        if not (entry_file(path) and 1 not in stages and {2, 3} <= stages):
            left.append(path)
            continue
        listing = _out(_git(top, "ls-files", "-z", "--", str(Path(path).parent)))
        taken = set(listing.split("\0")) | {p.relative_to(top).as_posix() for p in (top / path).parent.glob("*.yaml")}
        new = _numbered(path, taken)
        kept = _git(top, "show", f":{keep_stage}:{path}").stdout
        moved = _git(top, "show", f":{move_stage}:{path}").stdout
        (top / path).write_bytes(kept)
        (top / new).write_bytes(moved)
        gitio.run(["add", "--", path, new], top)
        renamed.append((path, new))
    return left


def _conflict_fields(said: list[tuple[str, str]], files: list[str]) -> list[tuple[str, str]]:
    """The conflicts the merge driver recorded (``said``) for the files left unmerged; "(lines)" for the others."""
    left = set(files)
    found = [(f, what) for f, what in said if f in left]
    named = {f for f, _ in found}
    return found + [(f, LINES) for f in files if f not in named]


def _driver_said(env: dict[str, str]) -> list[tuple[str, str]]:
    """What the merge driver recorded during the last git command (and clear it for the next)."""
    return read_conflicts(Path(env[REPORT_ENV])) if env.get(REPORT_ENV) else []


# ---------------------------------------------------------------- sync

def sync(root: Path, today: date, *, remote: Optional[str] = None, mode: str = "rebase", attempts: int = DEFAULT_ATTEMPTS,
         push: bool = True) -> SyncReport:
    """Fetch, integrate (rebase or merge), check, push; see the module docstring. Raises SyncError."""
    root = Path(root)
    top = gitio.toplevel(root)
    if top is None:
        raise SyncError(N_("the caseload is not in a git repository"), hint=N_("clone it from your server, or `git init` it"))
    prefix = gitio.show_prefix(root)
    finished = False
    state = _in_progress(top)
    if state is not None:
        left = _unmerged(top)
        if left:
            raise SyncError(N_("a {state} is stopped at a conflict"), args={"state": state}, files=sorted(left),
                            report=None, hint=_RESOLVE_HINT)
        env = {**_env(top), "GIT_EDITOR": "true"}
        if state == "rebase":
            _rebase_steps(top, _git(top, "rebase", "--continue", env=env), env, SyncReport("", ""))
        else:
            proc = _git(top, "commit", "--no-edit", "--no-verify", env=env)
            if proc.returncode != 0:
                raise SyncError(N_("could not finish the {state}: {detail}"), args={"state": state, "detail": _last(_err(proc))})
        finished = True
    branch = _out(_git(top, "symbolic-ref", "--quiet", "--short", "HEAD"))
    if not branch:
        raise SyncError(N_("HEAD is not on a branch"), hint=N_("switch to the main branch: git switch main"))
    remote = remote or gitio.config(top, f"branch.{branch}.remote") or "origin"
    if remote not in _out(_git(top, "remote")).split():
        raise SyncError(N_("there is no remote `{remote}`"), args={"remote": remote}, code=2, hint=N_("careerpath remote set URL"))
    report = SyncReport(remote, branch)
    if finished:
        report.notes.append(_note(N_("finished the rebase or merge left from the last sync")))
    from .setup import PATTERNS, line_merged, register_merge_driver

    left = line_merged(root)
    if left:
        if gitio.config(root, "merge.careerpath.driver") is None and "merge=careerpath" in _attributes(root):
            register_merge_driver(root, commit=False, attributes=False)   # git config only: .gitattributes routes
            report.notes.append(_note(N_("registered the field-level merge driver in this clone")))
            left = line_merged(root)
        if len(left) == len(PATTERNS):
            report.notes.append(_note(N_("case files merge line by line here: run `careerpath setup-merge` once")))
        elif left:      # a .gitattributes older than appointments/ and surveys/: one setup-merge commits the lines
            report.notes.append(Message.declared(N_("{files} merge line by line here: run `careerpath setup-merge` once"),
                                                 None, files=", ".join(left)))
    dirty = dirty_files(top, prefix)
    if dirty:
        raise SyncError(N_("uncommitted changes in case files; commit or discard them, then sync again"),
                        files=dirty, report=report, hint=N_("git add FILE && git commit, or git restore FILE"))
    said = _git_dir(top).resolve() / "careerpath-merge-conflicts.jsonl"
    said.unlink(missing_ok=True)     # left by a run that stopped half-way
    env = {**_env(top), REPORT_ENV: str(said)}
    tracking = f"refs/remotes/{remote}/{branch}"
    for attempt in range(1, max(1, attempts) + 1):
        report.attempts = attempt
        before = _rev(top, tracking)
        fetched = _git(top, "fetch", "--quiet", "--no-tags", remote, f"+refs/heads/{branch}:{tracking}", env=env)
        if fetched.returncode != 0:
            text = _err(fetched)
            if "couldn't find remote ref" in text:
                upstream = None          # an empty server: everything goes out
            elif _UNREACHABLE.search(text):
                raise Offline(N_("cannot reach `{remote}`; nothing changed here, your commits wait for the next sync"),
                              args={"remote": remote}, code=EX_TEMPFAIL, report=report,
                              hint=N_("work on; run `careerpath sync` again when online"))
            else:
                raise SyncError(N_("git fetch failed: {detail}"), args={"detail": _last(text)}, report=report)
        else:
            upstream = _rev(top, tracking)
        if upstream and before and before != upstream and \
                _git(top, "merge-base", "--is-ancestor", before, upstream).returncode != 0:
            raise SyncError(N_("the history on `{remote}` was rewritten (a purge of a case): this clone must not push"),
                            args={"remote": remote}, report=report,
                            hint=N_("follow the steps for clones in docs/team.md (Purge): save unpushed work, "
                                    "clone again, delete this clone"))
        head = _rev(top, "HEAD")
        if upstream:
            report.incoming += [c for c in _commits(top, f"HEAD..{upstream}", prefix)
                                if c.sha not in {i.sha for i in report.incoming}]
            if head is None:
                raise SyncError(N_("this branch has no commits yet"), report=report)
            _integrate(top, upstream, mode, env, report, remote, branch)
        outgoing = _commits(top, f"{upstream}..HEAD" if upstream else "HEAD", prefix)
        if not outgoing:
            report.outgoing = []
            return report
        problems = added_errors(top, upstream, "HEAD", today, prefix=prefix)
        if problems:
            raise CheckFailed(problems, report)
        if not push:
            report.outgoing = outgoing
            return report
        pushed = _git(top, "push", "--porcelain", remote, f"HEAD:refs/heads/{branch}", env=env)
        if pushed.returncode == 0:
            report.outgoing, report.pushed = outgoing, True
            if _rev(top, tracking) != _rev(top, "HEAD"):   # (git push moves it when the remote's refspec maps the branch)
                _git(top, "update-ref", tracking, "HEAD")
            if gitio.config(top, f"branch.{branch}.remote") is None:
                _git(top, "branch", f"--set-upstream-to={remote}/{branch}", branch)
            return report
        text = _err(pushed) + _out(pushed)
        if re.search(r"\[rejected\].*(fetch first|non-fast-forward)|\bnon-fast-forward\b|fetch first|"
                     r"failed to update ref|cannot lock ref|incorrect old value", text):
            # someone pushed in between: fetch and integrate again, after a random pause that grows with
            # each attempt, so that several people who lost the same race do not all come back at once
            time.sleep(random.uniform(0, 0.5 * attempt))
            continue
        if re.search(r"\[remote rejected\]|pre-receive hook declined", text):
            lines = [line[len("remote: "):] if line.startswith("remote: ") else line
                     for line in _err(pushed).splitlines() if line.startswith("remote: ")]
            raise SyncError(N_("the server refused the push"), files=[line for line in lines if line.strip()],
                            report=report, hint=N_("fix what it names (careerpath validate), commit, and sync again"))
        if _UNREACHABLE.search(text):
            raise Offline(N_("cannot reach `{remote}` to push; your commits are kept and go out with the next sync"),
                          args={"remote": remote}, code=EX_TEMPFAIL, report=report)
        raise SyncError(N_("git push failed: {detail}"), args={"detail": _last(text)}, report=report)
    raise SyncError(N_("others kept pushing: gave up after {n} attempts; nothing is lost"), args={"n": attempts},
                    code=EX_TEMPFAIL, report=report, hint=N_("run `careerpath sync` again"))


class CheckFailed(SyncError):
    """The outgoing commits would add validation errors; nothing was pushed."""

    def __init__(self, diagnostics: list, report: SyncReport):
        super().__init__(N_("your commits would add validation errors; nothing was pushed"), report=report,
                         hint=N_("fix them (careerpath validate shows them too), commit, and sync again"))
        self.diagnostics = diagnostics


def _integrate(top: Path, upstream: str, mode: str, env: dict[str, str], report: SyncReport, remote: str, branch: str) -> None:
    """Put HEAD on top of ``upstream`` (rebase) or merge it in; resolve same-name new files; stop on real conflicts."""
    if _git(top, "merge-base", "--is-ancestor", upstream, "HEAD").returncode == 0:
        return  # nothing new came in
    env = {**env, "GIT_EDITOR": "true"}
    if _git(top, "merge-base", "--is-ancestor", "HEAD", upstream).returncode == 0:
        proc = _git(top, "merge", "--ff-only", "--quiet", upstream, env=env)
        if proc.returncode != 0:
            raise SyncError(N_("could not fast-forward: {detail}"), args={"detail": _last(_err(proc))}, report=report)
        return
    if mode == "merge":
        proc = _git(top, "merge", "--no-edit", "--no-verify", "-m", f"Merge {remote}/{branch}", upstream, env=env)
        said = _driver_said(env)
        if proc.returncode != 0:
            left = _resolve_new_names(top, keep_stage=3, move_stage=2, renamed=report.renamed)
            if left:
                report.conflicts += _conflict_fields(said, left)
                raise SyncError(N_("a {state} is stopped at a conflict"), args={"state": "merge"}, files=left,
                                report=report, hint=_RESOLVE_HINT)
            done = _git(top, "commit", "--no-edit", "--no-verify", env=env)
            if done.returncode != 0:
                raise SyncError(N_("could not finish the {state}: {detail}"), args={"state": "merge", "detail": _last(_err(done))},
                                report=report)
        return
    _rebase_steps(top, _git(top, "rebase", "--no-autostash", upstream, env=env), env, report)


def _rebase_steps(top: Path, proc, env: dict[str, str], report: SyncReport) -> None:
    """Carry a rebase through: same-name new files get numbers; a real conflict stops it (SyncError)."""
    stderr, said = _err(proc) + _out(proc), _driver_said(env)
    while proc.returncode != 0 and _in_progress(top) == "rebase":
        # in a rebase, stage 2 is the upstream side and stage 3 the local commit being replayed
        left = _resolve_new_names(top, keep_stage=2, move_stage=3, renamed=report.renamed)
        if left:
            report.conflicts += _conflict_fields(said, left)
            raise SyncError(N_("a {state} is stopped at a conflict"), args={"state": "rebase"}, files=left,
                            report=report, hint=_RESOLVE_HINT)
        proc = _git(top, "rebase", "--continue", env=env)
        stderr, said = _err(proc) + _out(proc), _driver_said(env)
    if proc.returncode != 0:
        raise SyncError(N_("could not finish the {state}: {detail}"), args={"state": "rebase", "detail": _last(stderr)},
                        report=report)
