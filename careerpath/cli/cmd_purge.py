"""``careerpath purge CASE --yes``: remove a case from the whole history on a deletion request."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..i18n import _, message_of
from .common import CaseloadOpt, CliError, TodayOpt, app, caseload_of, err, today_of
from .cmd_record import ByOpt, _staff_id


@app.command()
def purge(
    ctx: typer.Context,
    case_id: Annotated[str, typer.Argument(metavar="CASE", help="The case to remove from every commit.")],
    yes: bool = typer.Option(False, "--yes", help="Confirm: the history of this repository is rewritten."),
    reference: Optional[str] = typer.Option(None, "--reference", metavar="REQ", help="The deletion request's number "
                                                                                     "for the journal (no names)."),
    by: ByOpt = None,
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> int:
    """Remove a case from the whole history of this repository (a deletion request), with git-filter-repo.

    Every version of cases/CASE/ leaves every commit; the case id leaves commit
    messages; reflogs and unreachable objects are pruned. A journal entry
    purges/<id>.yaml (no personal data) is committed on top: the purge marker
    the server's hook needs to accept the rewritten history from an admin. It
    prints the steps for the server, every other clone and the backups.

    Example:  careerpath purge an-nguyen --yes --by admin1 --reference REQ-2026-17
    """
    if not yes:
        raise CliError(_("purge rewrites the whole history of this repository; add --yes to go ahead"), code=2)
    root = caseload_of(ctx, caseload)
    day = today_of(ctx, today)
    staff = _staff_id(root, by)
    if not staff:
        raise CliError(_("say who purges: --by STAFF (an admin in careerpath.yaml)"), code=2)
    from ..fsio import WriteError
    from ..gitio import GitError
    from ..team.errors import TeamError
    from ..team.purge import purge as do_purge, steps

    try:
        result = do_purge(root, case_id, by=staff, today=day, reference=reference)
    except TeamError as e:
        raise CliError(e.message, e.code, e.hint_message) from None
    except GitError as e:
        raise CliError(e.message) from None
    except WriteError as e:  # the journal's place is a link or not a regular file: refused, never replaced
        raise CliError(message_of(e)) from None
    print(_("removed the case from {n} commits of this repository; purge marker {id} committed ({file})").format(
        n=result.commits_before - result.commits_after, id=result.purge_id, file=result.journal))
    for path in result.remaining:
        err("careerpath: " + _("{file} mentions the case id; it was kept: edit it and commit").format(file=path))
    for where, commands in steps(result):
        print()
        print(_("Next, on {where}:").format(where=_(where)))
        for line in commands:
            print(f"  {line}")
    return 0
