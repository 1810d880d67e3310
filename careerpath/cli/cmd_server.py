"""``careerpath server install-hook`` and ``careerpath server pre-receive``: checks on the team's git server."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..i18n import _, message_of, text
from .common import CliError, TodayOpt, app, err, today_of

server_app = typer.Typer(help="Checks on the team's git server: every push validated, access by role, no force-push.\n\n"
                         "Example:  careerpath server install-hook /srv/git/caseload.git",
                         no_args_is_help=True, rich_markup_mode=None)
app.add_typer(server_app, name="server")


@server_app.command("install-hook")
def install_hook(
    repository: Annotated[Path, typer.Argument(metavar="PATH.git", help="The bare repository on the server.")],
    no_access: bool = typer.Option(False, "--no-access", help="Validate pushes but do not check who pushes (a server "
                                                                 "that cannot tell pushers apart, like git daemon)."),
    main: str = typer.Option("main", "--main", metavar="BRANCH", help="The branch whose history may not be rewritten."),
    python: Optional[str] = typer.Option(None, "--python", metavar="PATH", help="The Python with careerpath installed "
                                                                                 "that the hook runs (default: this one)."),
    force: bool = typer.Option(False, "--force", help="Replace a pre-receive hook that is not careerpath's."),
) -> int:
    """Install the pre-receive hook that checks every push to a bare repository.

    Each push is refused when it adds validation errors (only the case folders
    it changes are checked, from git's objects), when the pusher may not change
    a file (staff `access` and `logins` in careerpath.yaml), or when it rewrites
    or deletes the main branch (except an admin's purge). The hook runs this
    Python's careerpath; docs/team.md shows gitolite, Gitea/Forgejo and GitLab.

    Example:  careerpath server install-hook /srv/git/caseload.git
    """
    from ..fsio import WriteError
    from ..gitio import GitError
    from ..team.errors import TeamError
    from ..team.server import install_hook as do_install

    try:
        hook = do_install(repository, python=python, access=not no_access, main=main, force=force)
    except TeamError as e:
        raise CliError(e.message, e.code, e.hint_message) from None
    except (GitError, WriteError) as e:
        raise CliError(message_of(e)) from None
    print(_("installed {path}").format(path=hook))
    if no_access:
        err(_("access checks are off: every pusher may change every file (validation and the main-branch rule stay)"))
    return 0


@server_app.command("pre-receive")
def pre_receive(ctx: typer.Context, today: TodayOpt = None) -> int:
    """Check one push (git runs this from the pre-receive hook, in the bare repository, with the updates on stdin).

    Prints why a push is refused as `file:line:col code` lines and paths, never
    a value from a file; exit 1 refuses the whole push.

    Example:  echo "$OLD $NEW refs/heads/main" | careerpath server pre-receive
    """
    day = today_of(ctx, today)
    from ..team.server import check_push, read_updates

    repo = Path(os.environ.get("GIT_DIR") or ".")
    result = check_push(repo, read_updates(sys.stdin), day)
    for refusal in result.refusals:
        err("careerpath: " + _("refused {ref}: {reason}").format(ref=refusal.ref, reason=text(refusal.message)))
        for line in refusal.lines:
            err(f"  {line}")
    if result.refusals:
        err("careerpath: " + _("run `careerpath validate` in your clone for the details; nothing was changed on the server"))
        return 1
    return 0
