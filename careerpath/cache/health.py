"""What ``doctor`` says about a caseload's cache: its key, where it lives, and files that would not be read.

:func:`inspect` looks at every cache file the way :func:`~careerpath.cache.store.read`
would (owner, type, mode, tag under the user's key) without unpickling any,
in the caseload's own cache folder and in the one in use when that is
elsewhere. It reads paths, modes and tags only: no case data.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from . import store, trust


@dataclass
class Health:
    key_path: Path
    key_status: str                    # "ok" | "missing" (made on first use) | "refused"
    key_reason: str                    # why refused ("" otherwise)
    place: store.Place                 # where the cache lives now
    files: int = 0                     # cache files found (both folders)
    size: int = 0                      # their bytes
    untrusted: list[tuple[str, str]] = field(default_factory=list)  # (path, why it is not read)


def inspect(root: Path, place: Optional[store.Place] = None) -> Health:
    """The state of the cache of the caseload at ``root`` (``place``: as a command already decided it)."""
    root = Path(root)
    path, status, reason = trust.key_state()
    health = Health(path, status, reason, place or store.place(root))
    secret = trust.user_key(create=False) if status == "ok" else None
    folders = [root / trust.PRIVATE / "cache"]
    if health.place.folder not in folders:
        folders.append(health.place.folder)
    for folder in folders:
        try:
            if trust.owner_problem(os.lstat(folder), folder=True) == "a symbolic link":
                continue  # the folder itself is reported by the caller; nothing under a link is read
        except OSError:
            continue
        for dirpath, dirnames, filenames in os.walk(folder):  # does not follow links
            for name in sorted(filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]):
                if name.startswith("."):
                    continue  # a write in progress or its leftover (doctor's "leftovers")
                file = Path(dirpath) / name
                why = _problem(file, secret)
                health.files += 1
                try:
                    health.size += os.lstat(file).st_size
                except OSError:
                    pass
                if why:
                    health.untrusted.append((str(file), why))
    return health


def _problem(path: Path, secret: Optional[bytes]) -> str:
    """Why :func:`store.read` would never unpickle this file ("" when it would, for the key in its header)."""
    try:
        st = os.lstat(path)
    except OSError as e:
        return e.strerror or "cannot be read"
    problem = trust.owner_problem(st)
    if problem:
        return problem
    if secret is None:
        return ""  # no key to check tags with: the key's own finding says so
    try:
        with open(path, "rb") as fh:
            top = fh.read(store.HEAD)
            if not top.startswith(store.MAGIC):
                return "of another version of careerpath, or not a cache file"
            if len(top) < store.HEAD:
                return "not signed with your key"
            tag = store._tag(secret, path, top[len(store.MAGIC):-store.TAG], fh.read())
    except OSError as e:
        return e.strerror or "cannot be read"
    return "" if hmac.compare_digest(tag, top[-store.TAG:]) else "not signed with your key"
