"""Signed records: git's own SSH signing, and the allowed signers a signature is checked against.

A caseload that sets ``settings.sign_commits: ssh`` in careerpath.yaml has
every recording signed by the acting staff member's SSH key (git's
``gpg.format ssh``); ``careerpath audit --verify`` checks the signatures with
git against an *allowed signers* file (``gpg.ssh.allowedSignersFile``).

Which private key signs (:func:`signing_key`), first found wins:

1. ``git config careerpath.<staff-id>.signingKey`` — a key file per staff
   member on a shared office machine;
2. git's own ``user.signingKey`` when ``gpg.format`` is ``ssh`` — a staff
   member's own machine, already set up for signing;
3. ``key::<staff[].signing_key>`` — the public key from careerpath.yaml, whose
   private half an ssh-agent holds.

The allowed signers (:func:`allowed_signers`) are derived from careerpath.yaml:
one line ``<email> <key type> <key>`` per staff member with a ``signing_key``
(the email as git's commits carry it, :func:`careerpath.gitio.staff_identity`).
careerpath.yaml comes with the repository, so whoever can push to it can add
a key: an auditor who wants a list the repository cannot change keeps their own
file and names it (``--allowed-signers FILE`` or ``git config
gpg.ssh.allowedSignersFile``), which then replaces the derived one.

Nothing here reads a case file; keys and emails are never personal data of a
person served.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Iterable, Optional

from . import gitio

from .models import SIGNING_KEY

#: a public key line: one of the key types ssh-keygen signs with, its base64, then maybe a comment
_PUBLIC = re.compile(SIGNING_KEY)


def public_key(text: str) -> Optional[str]:
    """``<type> <base64>`` of a public key line (its comment dropped), or None when it is not one."""
    m = _PUBLIC.match(text.strip())
    return " ".join(text.strip().split()[:2]) if m else None


def sign_mode(settings: Any) -> str:
    """``ssh`` when the caseload signs its commits, else ``none``."""
    value = getattr(settings, "sign_commits", None) if not isinstance(settings, dict) else settings.get("sign_commits")
    return "ssh" if value == "ssh" else "none"


def signing_key(root: Path, staff: Any) -> Optional[str]:
    """The key git signs with for ``staff`` (a :class:`careerpath.models.Staff` or None): a key file's path
    (``~`` expanded) or ``key::<public key>`` (an ssh-agent holds the private one); None when none is known."""
    if staff is not None:
        own = gitio.config(root, f"careerpath.{staff.id}.signingkey")
        if own:
            return _expand(own)
    if (gitio.config(root, "gpg.format") or "").lower() == "ssh":
        mine = gitio.config(root, "user.signingkey")
        if mine:
            return mine if mine.startswith("key::") else _expand(mine)
    key = public_key(getattr(staff, "signing_key", None) or "") if staff is not None else None
    return f"key::{key}" if key else None


def _expand(path: str) -> str:
    return str(Path(os.path.expanduser(path)))


def key_file_missing(key: str) -> bool:
    """Whether ``key`` names a key file that is not there (``key::`` keys live in the agent)."""
    return not key.startswith("key::") and not Path(key).is_file()


def allowed_signers(staff: Iterable[Any]) -> str:
    """The allowed signers file derived from careerpath.yaml's staff (``signing_key``), one line each."""
    lines = []
    for s in staff:
        key = public_key(getattr(s, "signing_key", None) or "")
        if key is None:
            continue
        _name, email = gitio.staff_identity(s.id, s.name, getattr(s, "email", None))
        lines.append(f'{email.lower()} namespaces="git" {key}')
    return "".join(line + "\n" for line in sorted(lines))


def key_of_file(path: str) -> Optional[str]:
    """The public key of a key file: the file itself when it is a public key, else ``<path>.pub``; None when
    neither can be read (never the private key's content: ssh-keygen is not asked to unlock anything)."""
    for candidate in (Path(path), Path(path + ".pub")):
        try:
            text = candidate.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        key = public_key(text.splitlines()[0] if text.strip() else "")
        if key:
            return key
    return None
