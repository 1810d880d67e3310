"""Which files make up the program folders, and their digest: what the load cache keys on.

Imports nothing heavy (no pydantic, no YAML), so a warm run that replays a
stored output can key on the program folders without reading them as programs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable, Optional

BUILTIN = Path(__file__).resolve().parent
PROGRAM_FILE = "program.yaml"
RULES_FILE = "rules.yaml"
#: the files of a program folder that decide what a case loads to and what is due
FOLDER_FILES = (PROGRAM_FILE, RULES_FILE, "documents.yaml", "services.yaml", "checks.py")
#: the document kinds no program owns (read with the built-in programs; see kinds.py)
SHARED_KINDS = BUILTIN.parent / "documents" / "kinds.yaml"


def folders(base: Path) -> list[Path]:
    """The program folders directly under ``base`` (each holds a program.yaml), in name order."""
    try:
        return sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
                      and (p / PROGRAM_FILE).is_file())
    except OSError:
        return []


def program_files(folder: Path) -> list[Path]:
    return [folder / name for name in FOLDER_FILES if (folder / name).is_file()]


def digest(paths: Iterable[Path]) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(paths):
        h.update(str(path).encode("utf-8", "surrogateescape"))
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"\0unreadable")
    return h.digest()


def builtin_files() -> list[Path]:
    """The files of the built-in program folders, and the shared document kinds."""
    return [f for folder in folders(BUILTIN) for f in program_files(folder)] + [SHARED_KINDS]


def fingerprint(root: Optional[Path] = None) -> bytes:
    """The program folders :func:`~careerpath.programs.load_programs` would read, as a digest of their files."""
    builtin = digest(builtin_files())
    if root is None:
        return builtin
    base = Path(root) / "programs"
    if not base.exists():
        return builtin
    local = digest(f for folder in folders(base) for f in program_files(folder))
    return hashlib.blake2b(builtin + local + (b"link" if base.is_symlink() else b""), digest_size=16).digest()
