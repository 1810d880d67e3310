"""Honour a deletion request: remove one case from the whole history, and let the server accept that once.

:func:`purge` rewrites the local repository with git-filter-repo (a maintained
tool for exactly this; a home-made rewrite would miss refs, reflogs and packed
objects): every version of ``cases/<id>/`` is removed from every commit, the
case id is replaced in commit messages, commits left empty are dropped,
reflogs are expired and unreachable objects pruned. Then one commit is added
on top, the **purge marker**: a journal entry ``purges/<purge-id>.yaml`` with
the date, the admin's staff id, an optional request reference, the number of
commits rewritten and ``replaces:`` — the main-branch commit the rewritten
history replaces — and a ``Purge: <purge-id>`` trailer. The journal holds no
personal data and not the case id (a case id is usually a name).

The server's hook (:func:`purge_verdict`) accepts a non-fast-forward update of
the main branch only when it is such a purge: pushed by an admin, its tip
carrying the marker whose ``replaces`` is the server's current main commit
(so a marker cannot be replayed), and the change from the server's main being
exactly the removal of whole case folders plus the journal entry.
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Optional

from .. import gitio
from ..i18n import N_
from ..ids import CASE_ID
from ..yamlfile import read_bytes
from .errors import TeamError

JOURNAL = "purges"


@dataclass
class PurgeResult:
    purge_id: str
    journal: str                    # repository-relative path of the journal entry
    replaces: str
    commits_before: int
    commits_after: int
    commit: str
    remote: Optional[str]
    branch: str
    remaining: list[str] = field(default_factory=list)   # other files that mention the case id (paths only)


def filter_repo_command() -> Optional[list[str]]:
    """How to run git-filter-repo: the installed script, or the module of the Python running careerpath."""
    exe = shutil.which("git-filter-repo")
    if exe:
        return [exe]
    try:
        import git_filter_repo  # noqa: F401

        return [sys.executable, "-c", "import git_filter_repo as f; f.main()"]
    except ImportError:
        return None


def _count(top: Path) -> int:
    proc = gitio.run(["rev-list", "--all", "--count"], top, check=False)
    return int(proc.stdout.decode().strip() or 0) if proc.returncode == 0 else 0


def _id_pattern(case_id: str) -> str:
    return rf"(?<![a-z0-9_-]){re.escape(case_id)}(?![a-z0-9_-])"


def purge(root: Path, case_id: str, *, by: str, today: date, reference: Optional[str] = None) -> PurgeResult:
    """Remove ``case_id`` from the whole local history and add the purge marker; see the module docstring."""
    root = Path(root)
    if not CASE_ID.match(case_id):
        raise TeamError(N_("CASE must be a case id: 1-64 characters of a-z 0-9 - _"), code=2)
    if reference is not None and (len(reference) > 64 or not re.fullmatch(r"[A-Za-z0-9._/-]+", reference)):
        raise TeamError(N_("--reference takes a request number (letters, digits, . _ / -), not a name"), code=2)
    top = gitio.toplevel(root)
    if top is None:
        raise TeamError(N_("the caseload is not in a git repository"))
    command = filter_repo_command()
    if command is None:
        raise TeamError(N_("git-filter-repo is not installed"), hint=N_("pip install git-filter-repo"))
    prefix = gitio.show_prefix(root)
    case_path = f"{prefix}cases/{case_id}/"
    if not gitio.run(["log", "--all", "--format=%H", "-1", "--", case_path], top).stdout.strip():
        raise TeamError(N_("the history holds no case {case}"), args={"case": case_id})
    status = gitio.run(["status", "--porcelain", "--untracked-files=no"], top).stdout.strip()
    if status:
        raise TeamError(N_("commit or discard every change first: the purge rewrites the whole repository"))
    branch = gitio.run(["symbolic-ref", "--quiet", "--short", "HEAD"], top, check=False).stdout.decode().strip()
    if not branch:
        raise TeamError(N_("HEAD is not on a branch"))
    remote = gitio.config(top, f"branch.{branch}.remote") or ("origin" if "origin" in
                                                                gitio.run(["remote"], top).stdout.decode().split() else None)
    url = gitio.config(top, f"remote.{remote}.url") if remote else None
    tracking = gitio.run(["rev-parse", "--verify", "--quiet", f"refs/remotes/{remote}/{branch}"], top, check=False) \
        if remote else None
    replaces = (tracking.stdout.decode().strip() if tracking is not None and tracking.returncode == 0 else "") or \
        gitio.run(["rev-parse", "HEAD"], top).stdout.decode().strip()
    mentions = gitio.run(["grep", "-l", "-I", "-w", "-F", case_id, "HEAD", "--", prefix or ".", f":!{case_path}"],
                         top, check=False).stdout.decode("utf-8", "replace").split()
    before = _count(top)
    expressions = top / ".git" / "careerpath-purge-expressions"
    git_dir = Path(gitio.run(["rev-parse", "--absolute-git-dir"], top).stdout.decode().strip())
    expressions = git_dir / "careerpath-purge-expressions"
    expressions.write_text(f"regex:{_id_pattern(case_id)}==>purged-case\n", encoding="utf-8")
    try:
        proc = subprocess.run([*command, "--force", "--quiet", "--invert-paths", "--path", case_path,
                               "--replace-message", str(expressions)],
                              cwd=top, capture_output=True, env=gitio._env(), timeout=3600)
    finally:
        expressions.unlink(missing_ok=True)
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise TeamError(N_("git-filter-repo failed: {detail}"), args={"detail": detail[-1] if detail else "?"})
    if remote and url and remote not in gitio.run(["remote"], top).stdout.decode().split():
        gitio.run(["remote", "add", remote, url], top)   # filter-repo removes it so nothing is pushed by accident
    shutil.rmtree(root / "cases" / case_id, ignore_errors=True)   # ignored or untracked leftovers (scans)
    _clear_cache(root)
    after = _count(top)
    purge_id = f"{today.isoformat()}-{secrets.token_hex(4)}"
    journal_rel = f"{JOURNAL}/{purge_id}.yaml"
    lines = ["# careerpath purge journal: one case removed from the whole history on request.",
             "# No personal data here: not the case id, not a name (docs/team.md, Purge).",
             f"purged: {today.isoformat()}", f"by: {by}"]
    if reference:
        lines.append(f"reference: {reference}")
    lines += [f"replaces: {replaces}", f"commits_rewritten: {before - after}"]
    from ..fsio import atomic_write

    atomic_write(root / journal_rel, "\n".join(lines) + "\n", mode=0o644)
    made = gitio.commit_paths(root, [root / journal_rel], gitio.format_message(
        "purge: one case removed from the history on a deletion request",
        [("Purge", purge_id), ("Staff", by)]))
    for args in (["reflog", "expire", "--expire=now", "--all"], ["gc", "--quiet", "--prune=now"]):
        gitio.run(args, top, timeout=3600)
    return PurgeResult(purge_id, prefix + journal_rel, replaces, before, after, made.sha if made else "", remote,
                       branch, [m.split(":", 1)[-1] for m in mentions])


def _clear_cache(root: Path) -> None:
    """The load cache keeps parsed case files: drop it (it is rebuilt); locks stay."""
    cache = root / ".careerpath"
    if cache.is_dir() and not cache.is_symlink():
        for child in cache.iterdir():
            if child.suffix == ".lock":
                continue
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)


def steps(result: PurgeResult, case_id_shown: str = "CASE") -> list[tuple[str, list[str]]]:
    """What to do elsewhere, as (where, commands) — printed by the CLI, written out in docs/team.md."""
    remote = result.remote or "origin"
    return [
        (N_("the server"), [
            f"git push --force {remote} HEAD:{result.branch}      # accepted once: an admin, with purge marker {result.purge_id}",
            "# then on the server, in the bare repository:",
            "git for-each-ref --format='%(refname)' | grep -v '^refs/heads/" + result.branch + "$'   # delete or purge every other ref listed",
            "git reflog expire --expire=now --all && git gc --prune=now",
            "# Gitea/Forgejo: Site administration > Maintenance > garbage-collect repositories;"
            " GitLab: Settings > Repository > Repository cleanup with .git/filter-repo/commit-map, then housekeeping",
        ]),
        (N_("every other clone"), [
            "# do not sync or push from an old clone (careerpath sync refuses: the history was rewritten)",
            f"git format-patch -o ~/unpushed {remote}/{result.branch}..HEAD    # only if it has unpushed work; check it does not touch the case",
            "cd .. && rm -rf CLONE      # the old clone still holds the case",
            f"git clone URL CLONE && careerpath setup-merge -C CLONE && git -C CLONE am ~/unpushed/*.patch",
        ]),
        (N_("backups and mirrors"), [
            f"# every backup, mirror or bundle made before {result.purge_id[:10]} still holds the case:",
            "# delete it, or restore it to a scratch folder, run `careerpath purge` there and back it up again;",
            "# record in the deletion request which backups expire when (the retention policy)",
        ]),
    ]


# ---------------------------------------------------------------- the server's side

@dataclass
class PurgeRefusal:
    reason: str
    params: dict = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)


_REWRITE_REFUSED = N_("the main branch's history cannot be rewritten (a force-push): it is the audit trail")


def purge_verdict(repo: Path, old: str, new: str, pusher) -> Optional[PurgeRefusal]:
    """None when ``old -> new`` (not a fast-forward) is an accepted purge; else why not."""
    if not pusher.admin:
        return PurgeRefusal(_REWRITE_REFUSED)
    trailer = gitio.run(["log", "-1", "--format=%(trailers:key=Purge,valueonly,separator=%x2C)", new], repo,
                        check=False).stdout.decode().strip()
    if not re.fullmatch(r"\d{4}-\d\d-\d\d-[0-9a-f]{8}", trailer):
        return PurgeRefusal(_REWRITE_REFUSED)
    journal = f"{JOURNAL}/{trailer}.yaml"
    blob = gitio.run(["cat-file", "blob", f"{new}:{journal}"], repo, check=False)
    data = read_bytes(blob.stdout, journal).data if blob.returncode == 0 else None
    if not isinstance(data, dict) or str(data.get("replaces", "")) != old:
        return PurgeRefusal(N_("the purge marker {id} does not name the server's main commit it replaces "
                               "(sync before purging, and purge again)"), {"id": trailer})
    diff = gitio.run(["diff-tree", "-r", "-z", "--no-renames", "--name-status", old, new], repo).stdout.decode(
        "utf-8", "surrogateescape").split("\0")
    bad = []
    for status, path in zip(diff[0::2], diff[1::2]):
        parts = path.split("/")
        if status == "A" and path == journal:
            continue
        if status == "D" and len(parts) >= 3 and parts[0] == "cases" and \
                gitio.run(["cat-file", "-e", f"{new}:cases/{parts[1]}"], repo, check=False).returncode != 0:
            continue
        bad.append(path)
    if bad:
        return PurgeRefusal(N_("a purge may only remove whole case folders and add its journal entry; it also changes:"),
                            {}, sorted(bad))
    return None
