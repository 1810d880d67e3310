"""``careerpath merge-driver`` (run by git) and ``careerpath setup-merge`` (register it in a clone)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from ..i18n import _, message_of, text
from .common import CaseloadOpt, CliError, app, caseload_of, err


@app.command("merge-driver")
def merge_driver(
    base: Annotated[Path, typer.Argument(metavar="BASE", help="git's %O: the common ancestor's version.")],
    ours: Annotated[Path, typer.Argument(metavar="OURS", help="git's %A: our version; the result is written here.")],
    theirs: Annotated[Path, typer.Argument(metavar="THEIRS", help="git's %B: their version.")],
    path: Annotated[str, typer.Argument(metavar="PATH", help="git's %P: the file's path in the repository.")] = "",
    marker_size: int = typer.Option(7, "--marker-size", help="git's %L: the length of conflict markers."),
) -> int:
    """Merge three versions of a case file field by field (git runs this; see `setup-merge`).

    A field only one side changed takes that side's value; a field both sides
    changed differently gets conflict markers and its path is printed (never
    its values); exit 1 then, so git records a conflict. Goals and objectives
    merge by `id`, jobs by employer and start; comments and layout of our
    version are kept.

    Example:  git config merge.careerpath.driver "careerpath merge-driver %O %A %B %P --marker-size %L"
    """
    from ..team.merge import REPORT_ENV, merge_files, record_conflicts

    try:
        result = merge_files(base, ours, theirs, path or ours.name, marker_size=max(3, min(marker_size, 64)))
    except OSError as e:
        raise CliError(_("cannot read the versions to merge ({reason})").format(reason=e.strerror or type(e).__name__)) from None
    for field in result.conflicts:
        err("careerpath merge: " + _("{file}: both sides changed `{field}`; conflict markers are in the file").format(
            file=path or ours.name, field=text(field)))
    report = os.environ.get(REPORT_ENV)
    if report and result.conflicts:
        try:
            record_conflicts(Path(report), path or ours.name, result.conflicts)
        except OSError:
            pass  # sync then names the file's conflict "(lines)"; the merge itself is done
    return 1 if result.conflicts else 0


@app.command("setup-merge")
def setup_merge(ctx: typer.Context, caseload: CaseloadOpt = None) -> int:
    """Register the field-level merge driver for case files in this clone (once per clone).

    Writes `merge=careerpath` lines to the caseload's .gitattributes (and
    commits it when it changed) and sets `merge.careerpath.driver` in the
    clone's git config, which `git clone` does not copy. `careerpath init`
    and `careerpath sync` do this too.

    Example:  careerpath setup-merge --caseload ~/caseload
    """
    from .. import gitio
    from ..fsio import WriteError
    from ..team.setup import register_merge_driver

    root = caseload_of(ctx, caseload)
    try:
        done = register_merge_driver(root)
    except (gitio.GitError, WriteError) as e:
        raise CliError(message_of(e)) from None
    if done.attributes_written:
        err(_("wrote {path}").format(path=root / ".gitattributes"))
    if done.committed:
        err(_("committed .gitattributes ({sha})").format(sha=done.committed[:10]))
    print(_("case files in this clone now merge field by field") if (done.config_written or done.attributes_written)
          else _("the merge driver was already registered"))
    return 0
