"""The server's check of every push: valid, allowed, and never rewriting the main branch.

``careerpath server install-hook PATH.git`` puts a ``pre-receive`` hook into a
bare repository; git runs it with the pushed ref updates on stdin, before any
ref moves, with the new objects in quarantine. :func:`check_push` then, for
each ref:

* refuses a non-fast-forward update or a deletion of the main branch (the
  history is the audit trail), except an accepted purge (:mod:`.purge`);
* maps the pusher to a staff member (:func:`pusher_name`: gitolite's
  ``GL_USER``, Gitea/Forgejo's ``GITEA_PUSHER_NAME``, GitLab's
  ``GL_USERNAME``, else ``CAREERPATH_PUSHER`` set by the server's SSH
  configuration) through ``staff[].logins`` or the staff id, and allows:
  admins everything; supervisors every case and every file but
  careerpath.yaml, ``programs/``, ``templates/`` and ``purges/``; anyone else
  only the case folders where they are on the case's ``staff``, and the
  caseload's ``surveys/`` when their ``role`` is one of :data:`SURVEY_ROLES`;
* validates the new version of the case folders the push changes
  (:mod:`.incremental`: from git's objects, not a checkout) and refuses it
  when it adds errors, naming them as ``file:line:col code``.

Roles are read from careerpath.yaml on the main branch as it is on the server
before the push (a push cannot make its pusher an admin); a repository with no
main branch yet takes them from the pushed tree, and its first push must come
from an admin. ``git config careerpath.access false`` in the bare repository
turns the access check off (a server that cannot tell pushers apart, like
``git daemon``); validation and the main-branch rule stay.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, Optional

from .. import gitio
from ..i18n import N_, Message
from ..yamlfile import read_bytes
from .errors import TeamError
from .incremental import Scope, check_change, empty_tree, scope_of

PUSHER_VARIABLES = ("GL_USER", "GITEA_PUSHER_NAME", "GL_USERNAME", "CAREERPATH_PUSHER")
ADMIN_ONLY = ("careerpath.yaml", "programs/", "templates/", "purges/")
#: staff roles (``staff[].role``) that record the agency's client surveys (``surveys/``) besides supervisors and
#: admins: the Russian employment centre's curators run them (seed 004; docs/team.md)
SURVEY_ROLES = ("curator",)
HOOK_MARK = "careerpath: every push is checked"

HOOK = """#!/bin/sh
# {mark} before it lands (docs/team.md). Installed by `careerpath server install-hook`.
# It runs careerpath with the Python it was installed from; change the path if that moves.
exec {python} -m careerpath server pre-receive
"""


# ---------------------------------------------------------------- install

def install_hook(repo: Path, *, python: Optional[str] = None, access: bool = True, main: str = "main",
                 force: bool = False) -> Path:
    """Write the pre-receive hook into a bare repository and record its settings in the repository's config."""
    import shlex

    from ..fsio import atomic_write

    repo = Path(repo)
    proc = gitio.run(["rev-parse", "--is-bare-repository"], repo, check=False)
    if proc.returncode != 0 or proc.stdout.decode().strip() != "true":
        raise TeamError(N_("{path} is not a bare git repository"), args={"path": str(repo)},
                        hint=N_("create one with: git init --bare -b main PATH.git"))
    hooks = gitio.run(["rev-parse", "--git-path", "hooks"], repo).stdout.decode().strip()
    hook = (repo / hooks if not os.path.isabs(hooks) else Path(hooks)) / "pre-receive"
    if hook.exists() and HOOK_MARK not in hook.read_text(encoding="utf-8", errors="replace") and not force:
        raise TeamError(N_("{path} already has a pre-receive hook that is not careerpath's"), args={"path": str(hook)},
                        hint=N_("--force replaces it; or call `careerpath server pre-receive` from it"))
    hook.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(hook, HOOK.format(mark=HOOK_MARK, python=shlex.quote(python or sys.executable)), mode=0o755)
    gitio.run(["config", "careerpath.access", "true" if access else "false"], repo)
    gitio.run(["config", "careerpath.mainBranch", main], repo)
    gitio.run(["config", "receive.fsckObjects", "true"], repo)   # malformed objects and paths are refused by git itself
    return hook


# ---------------------------------------------------------------- who pushes

def pusher_name(env: Optional[dict] = None) -> Optional[str]:
    """The server account pushing, from the variables the server software sets (first found)."""
    env = os.environ if env is None else env
    for var in PUSHER_VARIABLES:
        value = (env.get(var) or "").strip()
        if value:
            return value
    return None


@dataclass
class Pusher:
    account: Optional[str]
    staff: Optional[str] = None
    access: Optional[str] = None      # None (on their cases) | supervisor | admin
    role: Optional[str] = None        # staff[].role: navigator, curator, ... (SURVEY_ROLES may change surveys/)

    @property
    def admin(self) -> bool:
        return self.access == "admin"


def _blob(repo: Path, commit: Optional[str], path: str) -> Optional[bytes]:
    if not commit:
        return None
    proc = gitio.run(["cat-file", "blob", f"{commit}:{path}"], repo, check=False)
    return proc.stdout if proc.returncode == 0 else None


def staff_of_config(raw: Optional[bytes]) -> list[dict]:
    if raw is None:
        return []
    data = read_bytes(raw, "careerpath.yaml").data
    staff = data.get("staff") if isinstance(data, dict) else None
    return [s for s in staff if isinstance(s, dict) and isinstance(s.get("id"), str)] if isinstance(staff, list) else []


def identify(account: Optional[str], staff: list[dict]) -> Pusher:
    pusher = Pusher(account)
    if account is None:
        return pusher
    for entry in staff:
        logins = entry.get("logins") if isinstance(entry.get("logins"), list) else []
        if account in [str(x) for x in logins] or (not logins and entry["id"] == account):
            pusher.staff = entry["id"]
            access = entry.get("access")
            pusher.access = access if access in ("supervisor", "admin") else None
            pusher.role = entry.get("role") if isinstance(entry.get("role"), str) else None
            break
    return pusher


def case_staff(repo: Path, commit: Optional[str], case_id: str) -> set[str]:
    """The staff ids on a case's ``staff`` in ``commit`` (empty when the case or the field is absent)."""
    raw = _blob(repo, commit, f"cases/{case_id}/case.yaml")
    if raw is None:
        return set()
    data = read_bytes(raw, "case.yaml").data
    staff = data.get("staff") if isinstance(data, dict) else None
    return {v for v in staff.values() if isinstance(v, str)} if isinstance(staff, dict) else set()


# ---------------------------------------------------------------- the check

@dataclass
class Refusal:
    ref: str
    reason: str                          # a template (N_), shown translated
    params: dict = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)   # file:line:col code, or paths

    @property
    def message(self) -> Message:
        """The reason with its arguments, rendered in the pusher's language at display time."""
        return Message.declared(self.reason, None, **self.params)


@dataclass
class PushCheck:
    refusals: list[Refusal] = field(default_factory=list)
    checked: list[tuple[str, Scope, int]] = field(default_factory=list)   # (ref, scope, files written)

    @property
    def accepted(self) -> bool:
        return not self.refusals


def _zero(sha: str) -> bool:
    return set(sha) == {"0"}


def _is_ancestor(repo: Path, old: str, new: str) -> bool:
    return gitio.run(["merge-base", "--is-ancestor", old, new], repo, check=False).returncode == 0


def _rev(repo: Path, ref: str) -> Optional[str]:
    proc = gitio.run(["rev-parse", "--verify", "--quiet", ref + "^{commit}"], repo, check=False)
    return proc.stdout.decode().strip() if proc.returncode == 0 else None


def _new_commit_paths(repo: Path, new: str) -> set[str]:
    """Files touched by each commit the push brings that the server does not have yet (not only the net change)."""
    proc = gitio.run(["log", "--format=", "--name-only", "--no-renames", "-z", new, "--not", "--all"], repo, check=False)
    return {p.strip("\n") for p in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if p.strip("\n")}


def _access_refusals(repo: Path, pusher: Pusher, paths: Iterable[str], roles_commit: Optional[str], new: str) -> list[str]:
    """The paths this pusher may not change (sorted)."""
    if pusher.admin:
        return []
    denied = set()
    memo: dict[str, bool] = {}
    for path in paths:
        parts = path.split("/")
        if path in ADMIN_ONLY or any(path.startswith(p) for p in ADMIN_ONLY if p.endswith("/")):
            denied.add(path)
        elif len(parts) >= 3 and parts[0] == "cases":
            if pusher.access == "supervisor":
                continue
            case = parts[1]
            if case not in memo:
                # a case the server has: its staff there decides; a new case: the pushed staff
                on = case_staff(repo, roles_commit, case)
                if not on and _blob(repo, roles_commit, f"cases/{case}/case.yaml") is None:
                    on = case_staff(repo, new, case)
                memo[case] = pusher.staff in on
            if not memo[case]:
                denied.add(f"cases/{case}/")
        elif parts[0] == "surveys" and len(parts) >= 2 and pusher.role in SURVEY_ROLES:
            continue
        elif pusher.access != "supervisor":
            denied.add(path)
    return sorted(denied)


def check_push(repo: Path, updates: list[tuple[str, str, str]], today: date, *, env: Optional[dict] = None) -> PushCheck:
    """Check every ``(old, new, ref)`` update of one push; the push is accepted only when none is refused."""
    from .purge import purge_verdict

    repo = Path(repo)
    result = PushCheck()
    main = gitio.config(repo, "careerpath.mainBranch") or "main"
    main_ref = f"refs/heads/{main}"
    access_on = (gitio.config(repo, "careerpath.access") or "true").lower() not in ("false", "no", "off", "0")
    main_now = _rev(repo, main_ref)
    account = pusher_name(env)
    for old, new, ref in updates:
        old_c = None if _zero(old) else old
        if _zero(new):
            if ref == main_ref:
                result.refusals.append(Refusal(ref, N_("the main branch cannot be deleted: its history is the audit trail")))
            continue
        if not ref.startswith("refs/heads/") and not ref.startswith("refs/tags/"):
            result.refusals.append(Refusal(ref, N_("only branches and tags can be pushed here")))
            continue
        roles_commit = main_now or new          # the first push: roles from what is pushed
        pusher = identify(account, staff_of_config(_blob(repo, roles_commit, "careerpath.yaml")))
        if access_on:
            if account is None:
                result.refusals.append(Refusal(ref, N_("cannot tell who is pushing (no GL_USER, GITEA_PUSHER_NAME, "
                                                       "GL_USERNAME or CAREERPATH_PUSHER)")))
                continue
            if pusher.staff is None:
                result.refusals.append(Refusal(ref, N_("the account `{account}` is not on staff in careerpath.yaml "
                                                       "(add it to a staff member's `logins`)"), {"account": account}))
                continue
            if ref.startswith("refs/tags/") and not pusher.admin:
                result.refusals.append(Refusal(ref, N_("only an admin may push tags")))
                continue
        purge = False
        if ref == main_ref and old_c is not None and not _is_ancestor(repo, old_c, new):
            verdict = purge_verdict(repo, old_c, new, pusher if access_on else Pusher(account, access="admin"))
            if verdict is not None:
                result.refusals.append(Refusal(ref, verdict.reason, verdict.params, verdict.lines))
                continue
            purge = True
        if main_now is None and ref != main_ref:
            base = old_c
        else:
            base = old_c if old_c is not None else main_now
        paths = set(_changed(repo, base, new))
        if main_now is None and access_on and not pusher.admin:
            result.refusals.append(Refusal(ref, N_("the first push to an empty repository must come from an admin")))
            continue
        if access_on and not purge:
            denied = _access_refusals(repo, pusher, paths | _new_commit_paths(repo, new), main_now, new)
            if denied:
                result.refusals.append(Refusal(ref, N_("`{account}` may not change these files (not on the case's staff, "
                                                       "or admins only)"), {"account": account or "?"}, denied))
                continue
        scope = scope_of(paths)
        verdict = check_change(repo, base, new, today, scope=scope)
        result.checked.append((ref, scope, verdict.files_checked))
        if verdict.added:
            result.refusals.append(Refusal(ref, N_("the push adds validation errors"), {},
                                           [f"{d.file}:{d.line}:{d.column} {d.code}" for d in verdict.added]))
    return result


def _changed(repo: Path, base: Optional[str], new: str) -> list[str]:
    proc = gitio.run(["diff-tree", "-r", "-z", "--no-renames", "--name-only", base or empty_tree(repo), new], repo)
    return [p for p in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if p]


def read_updates(stream) -> list[tuple[str, str, str]]:
    """pre-receive's stdin: ``<old> <new> <ref>`` per line."""
    out = []
    for line in stream:
        parts = line.strip().split(" ", 2)
        if len(parts) == 3 and re.fullmatch(r"[0-9a-f]{40,64}", parts[0]) and re.fullmatch(r"[0-9a-f]{40,64}", parts[1]):
            out.append((parts[0], parts[1], parts[2]))
    return out
