"""``--redact`` for output commands: one redactor per output, over everything printed.

A command loads its caseload as usual, computes on the real data (so ``--case
an-nguyen`` still works), then prints inside :func:`redacted_stdout`: what it
printed is held back, passed through :meth:`~careerpath.redact.Redactor.text`
and only then written. Files a command writes go through
:func:`redact_content` the same way.
"""

from __future__ import annotations

import contextlib
import io
import sys
from typing import Any, Iterator, Optional

from ..i18n import _
from .base import CliError


def redactor(caseload: Any, redact: bool, staff: bool = False) -> Optional[Any]:
    """The redactor for one output, or None without --redact."""
    if staff and not redact:
        raise CliError(_("--redact-staff goes with --redact"), code=2)
    if not redact:
        return None
    from ..redact import Redactor

    return Redactor(caseload, staff=staff)


def redactor_for(root: Any, redact: bool, staff: bool = False, *, cache: Optional[Any] = None) -> Optional[Any]:
    """As :func:`redactor`, loading the caseload at ``root`` only when redacting (for commands
    whose own data is not a loaded caseload: cached results, git history); ``cache`` as
    :func:`careerpath.pipeline.load` takes it."""
    if not (redact or staff):
        return None
    if not redact:
        return redactor(None, redact, staff)  # the usage error
    from ..pipeline import load

    return redactor(load(root, cache=cache), redact, staff)


@contextlib.contextmanager
def redacted_stdout(red: Optional[Any]) -> Iterator[None]:
    """Hold back what is printed and write it redacted (nothing is held back without a redactor)."""
    if red is None:
        yield
        return
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        yield
    sys.stdout.write(red.text(buffer.getvalue()))


def redact_content(red: Optional[Any], content: str | bytes) -> str | bytes:
    """``content`` (text, or UTF-8 bytes such as a calendar) redacted."""
    if red is None:
        return content
    if isinstance(content, bytes):
        return red.text(content.decode("utf-8")).encode("utf-8")
    return red.text(content)


def redact_history(red: Optional[Any], entries: list) -> list:
    """History entries with each changed value redacted by its field path, subjects by text."""
    if red is None:
        return entries
    import dataclasses

    out = []
    for e in entries:
        files = [dataclasses.replace(
            f, path=red.path(f.path), old_path=red.path(f.old_path) if f.old_path else f.old_path,
            fields=[dataclasses.replace(c, old=red.field(c.field, c.old), new=red.field(c.field, c.new)) for c in f.fields])
            for f in e.files]
        author, email = (red.placeholder("staff", e.author), red.placeholder("email", e.email)) if red.staff else (e.author, e.email)
        committer, committer_email = ((red.placeholder("staff", e.committer), red.placeholder("email", e.committer_email))
                                      if red.staff else (e.committer, e.committer_email))
        out.append(dataclasses.replace(e, author=author, email=email, subject=red.text(e.subject), files=files,
                                       trailers=red.data(e.trailers), committer=committer, committer_email=committer_email))
    return out


def redact_obligations(red: Optional[Any], obligations: list) -> list:
    """Obligations with case ids and source paths replaced, before any export formats them.

    Formats that fold or escape lines (iCalendar folds at 75 octets) could split
    a value across lines where the text net would not see it.
    """
    if red is None:
        return obligations
    import dataclasses

    def source(text: str) -> str:
        path, sep, rest = text.partition(":")
        return red.path(path) + sep + rest

    return [dataclasses.replace(o, case=red.placeholder("case_id", o.case), source=source(o.source),
                                item=red.text(o.item), detail=red.text(o.detail),
                                words=o.words.map_text(red.text) if hasattr(o.words, "map_text") else red.text(o.words),
                                described=o.described.map_text(red.text) if hasattr(o.described, "map_text")
                                else red.text(o.described))
            for o in obligations]
