"""Validate what a push (or a sync) changes, from git objects, in time that does not grow with the caseload.

Between two commits, ``git diff-tree`` names the changed files; only the case
folders they touch (and ``surveys/`` when a survey changed), plus
careerpath.yaml and the caseload's ``programs/``, are
written from git's objects (``git ls-tree`` and one ``git cat-file --batch``)
into a private temporary folder, and the public :func:`careerpath.load` and
:func:`careerpath.validate` run there, on the old and on the new version. The
errors of the new version that the old one did not have are the push's.

A change to careerpath.yaml or ``programs/`` can affect every case (a staff
id removed, a rule changed): then every case is checked, old and new.
Nothing is checked out and nothing runs from the repository: only YAML files
are written, links are written as links (the loader refuses those leading
outside), and unsafe paths are skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, Optional

from .. import gitio
from ..diagnostics import Diagnostic, sort_key

CONFIG = "careerpath.yaml"
CASELOAD_LEVEL = ("careerpath.yaml", "programs/")
_MAX_BYTES = 1024 * 1024  # yamlfile.MAX_BYTES; a larger file is written as an empty sparse file of its size


@dataclass
class Scope:
    """What a change touches, caseload-relative."""

    paths: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)
    caseload_level: bool = False
    surveys: bool = False               # a file under surveys/ (the caseload's own, belonging to no case)


def empty_tree(top: Path) -> str:
    return gitio.run(["hash-object", "-t", "tree", "--stdin"], top, input=b"").stdout.decode().strip()


def changed_paths(top: Path, old: Optional[str], new: str, prefix: str = "") -> list[str]:
    """Files that differ between two commits (``old`` None: everything in ``new``), caseload-relative."""
    base = old or empty_tree(top)
    proc = gitio.run(["diff-tree", "-r", "-z", "--no-renames", "--name-only", base, new, "--", prefix or "."], top)
    out = []
    for name in proc.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if name:
            out.append(name[len(prefix):] if prefix and name.startswith(prefix) else name)
    return out


def scope_of(paths: Iterable[str]) -> Scope:
    s = Scope(sorted(paths))
    cases: set[str] = set()
    for p in s.paths:
        parts = p.split("/")
        if p == CONFIG or p.startswith("programs/"):
            s.caseload_level = True
        elif len(parts) >= 3 and parts[0] == "cases":
            cases.add(parts[1])
        elif len(parts) >= 2 and parts[0] == "surveys":
            s.surveys = True
    s.cases = sorted(cases)
    return s


def _safe_parts(rel: str) -> bool:
    parts = rel.split("/")
    return all(p not in ("", ".", "..", ".git") and "\\" not in p for p in parts)


def materialise(top: Path, commit: str, prefix: str, wanted: list[str], dest: Path) -> int:
    """Write the YAML files under ``wanted`` (caseload-relative paths or folders) of ``commit`` into ``dest``.

    Returns the number of files written. Other files (scans in documents/)
    are not needed by validation and are not written.
    """
    if not wanted:
        return 0
    specs = [prefix + w for w in wanted]
    proc = gitio.run(["ls-tree", "-r", "-z", "-l", "--full-tree", commit, "--", *specs], top)
    entries = []
    for record in proc.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if not record:
            continue
        meta, path = record.split("\t", 1)
        mode, kind, sha, size = meta.split()
        if kind != "blob":
            continue
        rel = path[len(prefix):] if prefix and path.startswith(prefix) else path
        if not _safe_parts(rel) or not rel.endswith((".yaml", ".yml")):
            continue
        entries.append((mode, sha, int(size) if size.isdigit() else 0, rel))
    written = 0
    with gitio.BlobReader(top) as blobs:
        for mode, sha, size, rel in entries:
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if mode == "120000":
                link = blobs.read(sha) or b""
                try:
                    os.symlink(os.fsdecode(link), target)
                except OSError:
                    continue
            elif size > _MAX_BYTES:
                with open(target, "wb") as fh:
                    fh.truncate(size)       # yamlfile reports file-too-large from the size alone
            else:
                data = blobs.read(sha)
                if data is None:
                    continue
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
            written += 1
    return written


def _validate(folder: Path, today: date) -> list[Diagnostic]:
    import careerpath

    return careerpath.validate(careerpath.load(folder), today)   # uncached: a temporary folder has no cache to keep


def _key(d: Diagnostic) -> tuple:
    return (d.file, d.code, d.message)


@dataclass
class Verdict:
    """The errors a change adds, and what was checked."""

    added: list[Diagnostic]
    scope: Scope
    files_checked: int = 0


def check_change(top: Path, old: Optional[str], new: str, today: date, *, prefix: str = "",
                 scope: Optional[Scope] = None) -> Verdict:
    """Validate the case folders ``old..new`` changes (every case when careerpath.yaml or programs/ changed)."""
    scope = scope or scope_of(changed_paths(top, old, new, prefix))
    if not scope.paths:
        return Verdict([], scope)
    if scope.caseload_level:
        wanted = [CONFIG, "programs/", "cases/", "surveys/"]
    else:
        wanted = [CONFIG, "programs/", *(f"cases/{c}/" for c in scope.cases), *(["surveys/"] if scope.surveys else [])]
    tmp = Path(tempfile.mkdtemp(prefix="careerpath-check-"))
    try:
        found: dict[str, list[Diagnostic]] = {}
        count = 0
        for side, commit in (("new", new), ("old", old)):
            if commit is None:
                found[side] = []
                continue
            folder = tmp / side
            folder.mkdir(mode=0o700)
            count += materialise(top, commit, prefix, wanted, folder)
            if not (folder / CONFIG).exists() and side == "old":
                found[side] = []
                continue
            (folder / "cases").mkdir(exist_ok=True, mode=0o700)
            found[side] = _validate(folder, today)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    before = {_key(d) for d in found["old"] if d.severity == "error"}
    touched = set(scope.cases)
    added = []
    for d in found["new"]:
        if d.severity != "error" or _key(d) in before:
            continue
        parts = d.file.split("/")
        if not scope.caseload_level and len(parts) >= 2 and parts[0] == "cases" and parts[1] not in touched:
            continue  # (not possible: only touched cases were written)
        added.append(d)
    return Verdict(sorted(added, key=sort_key), scope, count)


def added_errors(top: Path, old: Optional[str], new: str, today: date, *, prefix: str = "") -> list[Diagnostic]:
    """The errors the commits ``old..new`` add (what the server's check would refuse)."""
    new_sha = gitio.run(["rev-parse", new], top).stdout.decode().strip()
    return check_change(top, old, new_sha, today, prefix=prefix).added
