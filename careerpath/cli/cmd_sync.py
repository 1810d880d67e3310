"""``careerpath sync`` and ``careerpath remote set``: the team's shared server (docs/team.md)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..i18n import _, message_of, ngettext, text
from .common import CaseloadOpt, CliError, FormatOpt, TodayOpt, app, caseload_of, display_prefix, err, today_of
from .output import TEXT_JSON, check_format, emit

remote_app = typer.Typer(help="The team's git server this clone syncs with.\n\n"
                         "Example:  careerpath remote set git@git.agency.org:caseload.git",
                         no_args_is_help=True, rich_markup_mode=None)
app.add_typer(remote_app, name="remote")


def _commit_line(c) -> str:
    cases = ", ".join(c.cases[:6]) + (" …" if len(c.cases) > 6 else "")
    return f"  {c.sha[:10]} {c.author}" + (f": {cases}" if cases else "")


def _print_report(report, fmt: str) -> None:
    for note in report.notes:
        err("careerpath: " + text(note))
    emit(report, fmt, lambda: _report_text(report))


def _report_text(report) -> None:
    if report.incoming:
        cases = sorted({c for i in report.incoming for c in i.cases})
        print(ngettext("came in: {n} commit", "came in: {n} commits", len(report.incoming)).format(n=len(report.incoming))
              + " " + ngettext("({n} case changed)", "({n} cases changed)", len(cases)).format(n=len(cases)))
        for c in report.incoming:
            print(_commit_line(c))
    for old, new in report.renamed:
        print(_("renamed your new {old} to {new}: the server already had a file with that name").format(old=old, new=new))
    if report.outgoing:
        verb = _("went out") if report.pushed else _("ready to go out")
        print(ngettext("{verb}: {n} commit", "{verb}: {n} commits", len(report.outgoing)).format(verb=verb, n=len(report.outgoing)))
        for c in report.outgoing:
            print(_commit_line(c))
    if not report.incoming and not report.outgoing:
        print(_("up to date with {remote}/{branch}").format(remote=report.remote, branch=report.branch))


def _stopped(e, format: str) -> None:
    """A sync that stopped mid-way still reports what happened so far: in json, with the error and the files."""
    if format == "json":
        emit({**e.report.to_dict(), "error": e.message, "files": e.files}, format)
    else:
        _print_report(e.report, format)


@app.command()
def sync(
    ctx: typer.Context,
    merge: bool = typer.Option(False, "--merge", help="Merge the server's work in (a merge commit) instead of rebasing yours on top."),
    remote: Optional[str] = typer.Option(None, "--remote", metavar="NAME", help="The remote to sync with (default: the branch's, else origin)."),
    attempts: int = typer.Option(5, "--attempts", metavar="N", help="Start again this many times when others push in between."),
    no_push: bool = typer.Option(False, "--no-push", help="Bring the server's work in and check yours; push nothing."),
    format: FormatOpt = "text",
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> int:
    """Bring in the team's work from the server and send yours: fetch, rebase, check, push.

    Commits nothing itself: with uncommitted changes in case files it stops and
    names them. Case files merge field by field; a field both you and someone
    else changed stops it with conflict markers at that field. Your commits
    are checked as the server will check them before they are pushed. Prints
    what came in (commits, who, which cases) and what went out.

    Exit 0 done; 1 a conflict, uncommitted changes, or errors in your commits;
    75 the server cannot be reached (nothing changed here: work on, sync later).

    Example:  careerpath sync
    """
    check_format(format, TEXT_JSON)
    root = caseload_of(ctx, caseload)
    day = today_of(ctx, today)
    from ..gitio import GitError
    from ..record import RecordBusy, RecordError, recording_lock
    from ..fsio import WriteError
    from ..team.sync import CheckFailed, SyncError, sync as do_sync

    prefix = display_prefix(root)
    try:
        with recording_lock(root):   # no recording commits while the branch is being rebased
            report = do_sync(root, day, remote=remote, mode="merge" if merge else "rebase", attempts=max(1, attempts),
                             push=not no_push)
    except CheckFailed as e:
        from .localize import format_diagnostic

        if e.report is not None:
            _stopped(e, format)
        for d in e.diagnostics:
            err(format_diagnostic(d, prefix))
        raise CliError(e.message, e.code, e.hint_message) from None
    except SyncError as e:
        if e.report is not None:
            _stopped(e, format)
            for file, path in e.report.conflicts:
                err("  " + _("conflict: {file}: `{field}` was changed on both sides").format(file=file, field=text(path)))
        for f in e.files:
            err(f"  {f}")
        raise CliError(e.message, e.code, e.hint_message) from None
    except RecordBusy as e:
        raise CliError(e.message, 75, e.hint) from None
    except (RecordError, GitError) as e:
        raise CliError(e.message) from None
    except WriteError as e:  # .gitattributes that is a link or not a regular file: refused, never replaced
        raise CliError(message_of(e)) from None
    _print_report(report, format)
    return 0


@remote_app.command("set")
def remote_set(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(metavar="URL", help="The server's repository: ssh://…, git@host:path.git, or a path.")],
    name: str = typer.Option("origin", "--name", metavar="NAME", help="The remote's name."),
    caseload: CaseloadOpt = None,
) -> int:
    """Point this clone at the team's server (git remote add, or set-url when it exists).

    The URL is kept only in git's own config; careerpath never prints it back
    (it can hold a token). Then `careerpath sync` sends and fetches.

    Example:  careerpath remote set ssh://git@git.agency.org/caseload.git
    """
    from ..gitio import GitError
    from ..team.setup import BadURL, set_remote

    root = caseload_of(ctx, caseload)
    try:
        done = set_remote(root, url, name)
    except GitError as e:
        raise CliError(e.message, code=2 if isinstance(e, BadURL) else 1) from None
    print((_("remote `{name}` added") if done == "added" else _("remote `{name}` changed")).format(name=name))
    return 0
