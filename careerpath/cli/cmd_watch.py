"""``careerpath watch``: keep the change journal, so that commands stat only the case folders that changed."""

from __future__ import annotations

import signal
import sys

import typer

from ..i18n import _, ngettext, text
from .common import CaseloadOpt, CliError, app, cache_of, caseload_of


@app.command()
def watch(
    ctx: typer.Context,
    caseload: CaseloadOpt = None,
    refresh: bool = typer.Option(True, "--refresh/--no-refresh",
                                 help="Make the stored outputs of your recent `due` commands (piped, or drawn for "
                                      "your terminal) again once an edit settles and when the day changes, so that "
                                      "the next one is instant."),
) -> int:
    """Watch the caseload's case folders and tell other commands what changed (Linux).

    A warm command checks every file of the caseload for changes: about
    270,000 checks at 20,000 cases. While this runs (in a terminal left open,
    or as a service of the session), commands ask it instead and check only
    the case folders it saw change. It answers only what it can vouch for:
    after a restart or a lost event, commands check every file once again.
    Not for a caseload on a network file system. Stop it with Ctrl-C.

    Once an edit has settled (a few quiet seconds), and when the day
    changes, it also runs your recent ``due`` commands again in the
    background (piped: ``due | less``, ``due --format json``; or the table
    drawn for your terminal, on one as wide), so that the next one answers
    from its stored output at once. --no-refresh leaves that to the commands
    themselves.

    Exit 0 when stopped; 1 when it cannot watch (another watcher runs, the
    inotify limit, a network file system) or stops watching (cases/ moved).

    Example:  careerpath watch --caseload sample-cases
    """
    root = caseload_of(ctx, caseload)
    cache = cache_of(ctx)
    if cache is None:
        raise CliError(_("watch keeps the load cache's change journal: it does not run with --no-cache"), code=2)
    from ..cache.refresh import Refresher
    from ..cache.watcher import WatchError, serve

    stop = []

    def on_signal(signum, frame):  # noqa: ARG001
        stop.append(signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    def ready(folders: int) -> None:
        print(ngettext("watching {n} folder of the caseload; Ctrl-C stops",
                       "watching {n} folders of the caseload; Ctrl-C stops", folders).format(n=folders),
              file=sys.stderr, flush=True)

    try:
        refresher = Refresher(root, cache.folder(root)) if refresh else None
        why = serve(root, cache.folder(root), ready=ready, should_stop=lambda: bool(stop), refresher=refresher)
    except WatchError as e:
        raise CliError(text(e.args[0]), code=1) from None
    if why:
        raise CliError(_("stopped watching: {reason}").format(reason=text(why)), code=1)
    return 0
