"""A clone made ready for team work: the merge driver registered, the remote set.

git keeps merge drivers in the clone's own config (``.git/config``), which
``git clone`` does not copy; the attributes that choose the driver are in a
committed ``.gitattributes``. :func:`register_merge_driver` does both and is
run by ``careerpath init``, ``careerpath setup-merge`` and, when missing, by
``careerpath sync``.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .. import gitio
from ..i18n import Message
from .merge import PATTERNS

DRIVER = "careerpath"
ATTRIBUTES = ".gitattributes"
_HEADER = "# careerpath: case files merge field by field (careerpath merge-driver; docs/team.md)"


def driver_command(python: Optional[str] = None) -> str:
    """The shell command git runs for a merge: this Python's careerpath, so no PATH is needed."""
    return f"{shlex.quote(python or sys.executable)} -m careerpath merge-driver %O %A %B %P --marker-size %L"


def attribute_lines(prefix: str = "") -> list[str]:
    return [f"{prefix}{pattern} merge={DRIVER}" for pattern in PATTERNS]


@dataclass
class Setup:
    """What :func:`register_merge_driver` changed."""

    attributes_written: bool = False
    config_written: bool = False
    committed: Optional[str] = None
    notes: list[str] = field(default_factory=list)


def unrouted(root: Path) -> list[str]:
    """The :data:`PATTERNS` whose files git would not hand to the driver here (``.gitattributes`` older than them)."""
    samples = {pattern.replace("*", "x"): pattern for pattern in PATTERNS}
    proc = gitio.run(["check-attr", "-z", "merge", "--", *samples], root, check=False)
    if proc.returncode != 0:
        return list(PATTERNS)
    fields = proc.stdout.decode("utf-8", "replace").split("\0")
    routed = {fields[i] for i in range(0, len(fields) - 2, 3) if fields[i + 2] == DRIVER}
    return [pattern for sample, pattern in samples.items() if sample not in routed]


def line_merged(root: Path) -> list[str]:
    """The :data:`PATTERNS` whose files merge line by line in this clone: all of them when git's config does not
    name the driver, else those ``.gitattributes`` does not route to it."""
    if not gitio.available() or gitio.config(root, f"merge.{DRIVER}.driver") is None:
        return list(PATTERNS)
    return unrouted(root)


def register_merge_driver(root: Path, *, commit: bool = True, attributes: bool = True) -> Setup:
    """Register the driver in this clone and route case files to it; commit ``.gitattributes`` when it changed.

    ``attributes=False``: the git config only (``careerpath sync``, which must not leave a changed file behind).

    Raises gitio.GitError when ``root`` is not inside a git repository.
    """
    root = Path(root)
    top = gitio.toplevel(root)
    if top is None:
        raise gitio.GitError(Message("the caseload is not in a git repository (git init, or clone it from your server)"))
    result = Setup()
    command = driver_command()
    if gitio.config(root, f"merge.{DRIVER}.driver") != command:
        gitio.run(["config", f"merge.{DRIVER}.name", "careerpath: case files merged field by field"], root)
        gitio.run(["config", f"merge.{DRIVER}.driver", command], root)
        result.config_written = True
    if not attributes:
        return result
    path = root / ATTRIBUTES
    from ..fsio import ReadRefused, check_target, read_regular

    check_target(path)  # a link, FIFO or folder there: refused as the write would be, before reading it
    try:  # a clone's file: regular, inside the caseload, bounded
        text = read_regular(path, root=root).decode("utf-8") if path.exists() or path.is_symlink() else ""
    except ReadRefused as e:
        raise gitio.GitError(Message("cannot read {path} ({reason})", path=ATTRIBUTES, reason=e.code)) from None
    except UnicodeDecodeError as e:
        raise gitio.GitError(Message("cannot read {path} ({reason})", path=ATTRIBUTES, reason=type(e).__name__)) from None
    present = {line.strip() for line in text.splitlines()}
    missing = [line for line in attribute_lines() if line not in present]
    if missing:
        from ..fsio import atomic_write

        addition = ("" if not text or text.endswith("\n") else "\n") + \
            (("\n" if text else "") + _HEADER + "\n" if _HEADER not in present else "") + "\n".join(missing) + "\n"
        atomic_write(path, text + addition, mode=0o644)
        result.attributes_written = True
    if commit and (missing or _untracked(root, path)):
        made = gitio.commit_paths(root, [path], gitio.format_message(
            "careerpath: merge case files field by field",
            [("Why", "case.yaml and plan.yaml changed on two clones merge by field path (docs/team.md)")]))
        result.committed = made.sha if made else None
    return result


def _untracked(root: Path, path: Path) -> bool:
    proc = gitio.run(["ls-files", "--error-unmatch", "--", path.name], root, check=False)
    return proc.returncode != 0


# ---------------------------------------------------------------- the remote

REMOTE = "origin"


class BadURL(gitio.GitError):
    """The URL given is not one (a usage error: the CLI exits 2)."""


def set_remote(root: Path, url: str, name: str = REMOTE) -> str:
    """Point ``name`` at ``url`` (added, or changed); returns "added" or "changed"."""
    if not url.strip() or url.startswith("-"):
        raise BadURL(Message("the remote URL is empty or starts with '-'"))
    existing = gitio.run(["remote"], root).stdout.decode("utf-8", "replace").split()
    if name in existing:
        gitio.run(["remote", "set-url", name, url], root)
        return "changed"
    gitio.run(["remote", "add", name, url], root)
    return "added"


# ---------------------------------------------------------------- doctor

def Finding(check: str, status: str, detail: str, fix: str = "") -> tuple[str, str, str, str]:  # noqa: N802
    """One of doctor's findings as a plain tuple (doctor makes its Finding of it; no import back)."""
    return (check, status, detail, fix)


def check_team(root: Path) -> list[tuple[str, str, str, str]]:
    """doctor's findings for team work, as (check, status, detail, fix): the merge driver, and whether the remote answers."""
    if not gitio.available() or gitio.toplevel(root) is None:
        return []
    findings = []
    left = line_merged(root)
    if not left:
        findings.append(Finding("merge driver", "ok", Message("case files merge field by field")))
    elif len(left) < len(PATTERNS):     # a .gitattributes from before appointments/ and surveys/
        findings.append(Finding("merge driver", "warn", Message("{patterns} merge line by line (.gitattributes lacks "
                                                                "them)", patterns=", ".join(left)),
                                "careerpath setup-merge"))
    else:
        findings.append(Finding("merge driver", "warn", Message("case files merge line by line (two edits of one "
                                                                "case.yaml can conflict)"),
                                "careerpath setup-merge"))
    top = gitio.toplevel(root)
    branch = gitio.run(["symbolic-ref", "--quiet", "--short", "HEAD"], top, check=False).stdout.decode().strip()
    remote = (gitio.config(top, f"branch.{branch}.remote") if branch else None) or REMOTE
    if remote not in gitio.run(["remote"], top).stdout.decode("utf-8", "replace").split():
        return findings
    env = {"GIT_SSH_COMMAND": "ssh -o BatchMode=yes -o ConnectTimeout=10"} if gitio.config(top, "core.sshCommand") is None else {}
    try:
        proc = gitio.run(["ls-remote", "--heads", remote], top, check=False, timeout=30, env=env)
    except gitio.GitError as e:
        findings.append(Finding("remote", "warn", Message("`{remote}` did not answer: {reason}", remote=remote,
                                                          reason=e.message),
                                Message("check the network, then `careerpath sync`")))
        return findings
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        findings.append(Finding("remote", "warn", Message("cannot reach `{remote}`: {reason}", remote=remote,
                                                          reason=lines[-1].strip()) if lines else
                                Message("cannot reach `{remote}`: no answer", remote=remote),
                                Message("check the network and your access; `careerpath remote set URL` changes the "
                                        "server")))
        return findings
    heads = proc.stdout.decode("utf-8", "replace").split()
    target = f"refs/heads/{branch or 'main'}"
    if target in heads:
        findings.append(Finding("remote", "ok", Message("`{remote}` answers; {branch} is at {commit}", remote=remote,
                                                        branch=target[11:], commit=heads[heads.index(target) - 1][:10])))
    else:
        findings.append(Finding("remote", "ok", Message("`{remote}` answers; it has no {branch} yet (the first sync sends "
                                                        "it)", remote=remote, branch=target[11:])))
    return findings
