"""Where reports go, written so that cron can run unattended.

- One lock per caseload (``.careerpath/lock``, kept out of git by the
  caseload's .gitignore) so two runs never interleave; the second waits
  ``wait`` seconds and then gives up with :class:`LockBusy` (the CLI exits 75,
  EX_TEMPFAIL, so cron wrappers can retry).
- Every file is written atomically with private permissions (:mod:`careerpath.fsio`).
- Output paths are derived only from report kinds, periods and case ids (all
  validated), and must stay inside the output folder: a subfolder or a file
  there that is a link (a cloned repository may carry ``reports/`` with
  links in it) is refused, never written through or replaced.
"""

from __future__ import annotations

from pathlib import Path

from ..fsio import LockBusy, WriteError, atomic_write, caseload_lock
from ..i18n.messages import Message

LOCK_NAME = ".careerpath/lock"  # caseload_lock()'s default
__all__ = ["LOCK_NAME", "LockBusy", "caseload_lock", "write_output"]


def write_output(out_dir: Path, name: str, data: str | bytes, *, sync_folder: bool = True) -> Path:
    """Write ``out_dir/name`` atomically; ``name`` may not climb out of ``out_dir``.

    ``sync_folder=False``: the caller makes the folder's entries durable after a batch of files
    (:func:`careerpath.fsio.sync_folder`), instead of one fsync of the folder per file."""
    target = (Path(out_dir) / name)
    if ".." in Path(name).parts or Path(name).is_absolute():
        raise WriteError(Message("refusing to write outside the output folder: {name}", name=name))
    folder = Path(out_dir)
    for part in Path(name).parts[:-1]:
        folder = folder / part
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise WriteError(Message("{path} is a symbolic link or not a folder; careerpath does not write through it",
                                     path=folder))
    atomic_write(target, data, sync_folder=sync_folder)  # refuses a target that is not a regular file
    return target
