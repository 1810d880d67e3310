"""The command line: a thin layer over the library.

Each command lives in its own module below and registers itself on the one
:data:`~careerpath.cli.common.app`; each calls the library and hands the
result to :mod:`.output`. Modules:

    tree        the typer app with every command registered (imported when a command line needs typer)
    common      the app, the option sets every command shares (Annotated); with base's helpers
    base        typer-free: CliError, the root's Globals, caseload/today/cache of a command
    output      one output layer: --format text|json|csv, stdout for data, stderr for messages
    shapes      the JSON Schema of each command's --format json (docs/cli.md shows them)
    filters     an unknown filter value (--case, --staff, --program, --rule, --status, a kind) worded as a
                usage error with did-you-mean; which values are known is obligations.query's
    cmd_*       one module per command (cmd_record: log, refer, set, close, attach; cmd_scaffold: init, new, schema;
                cmd_plan: plan CASE add-goal, add-objective, done, add-service; cmd_edit: edit; cmd_cases: cases;
                cmd_history: history, audit; cmd_i18n: i18n status, i18n check; cmd_sync: sync, remote set;
                cmd_merge: merge-driver, setup-merge; cmd_server: server install-hook, server pre-receive;
                cmd_watch: watch)
    direct      due's plain command lines read as typer reads them, without importing typer
    duelist     due itself, typer-free (cmd_due declares its options for typer and calls it)
    views       due's kept rows and whole replayed outputs in the cache folder
    page        due's plain table kept as written: after an edit the changed cases' lines are swapped in
    tables      due's and cases' tables fitted to the terminal, ids never cut
    completion  shell completion of values from the caseload (case ids, staff, programs, field paths)
    redaction   --redact over everything a command prints or writes
    localize    the click tree in the user's language; diagnostics worded at display time
    reference   docs/cli.md from each command's --help and JSON shape

:func:`main` (which imports neither typer nor click: :mod:`.tree` does) is the only place that turns errors
into messages and exit codes:

    0   success
    1   findings (validation errors) or a problem the user can fix
    2   usage error (bad option, missing caseload, bad date)
    70  internal error (a bug; the traceback only with --debug)
"""

from __future__ import annotations

import os
import sys
from typing import Any, Optional

from .. import i18n
from ..i18n import _
from .base import CliError, Globals


def __getattr__(name: str) -> Any:
    """``app`` (the typer app, every command registered): imported when asked for, not with the package."""
    if name == "app":
        from .tree import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def main(argv: Optional[list[str]] = None, *, stats: Optional[Any] = None, cache: Optional[Any] = None) -> int:
    """Run the CLI; return the exit code (the console script passes it to sys.exit).

    ``stats``: a :class:`careerpath.cache.Stats` for the command's load cache
    to count into (the tests read what a command did from it). ``cache``: the
    :class:`careerpath.cache.Cache` the start-up path (careerpath/replay.py)
    already scanned the caseload with, for the command to go on with. With
    ``argv`` None (the process's own command line), how a piped output was
    made is kept for the start-up path.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    invocation = list(args) if argv is None else None
    debug = "--debug" in args or os.environ.get("CAREERPATH_DEBUG") == "1"
    # The language must be known before typer builds the help texts.
    choice = i18n.choose(args, os.environ)
    i18n.use(choice.lang)
    i18n.use_caseload(None)  # until a command names its caseload (cli.base.caseload_of)
    if choice.note:
        print(choice.note, file=sys.stderr)
    if choice.lang != i18n.SOURCE_LANGUAGE and i18n.catalogue(choice.lang).error:
        print(f"careerpath: the {choice.lang} messages cannot be read ({i18n.catalogue(choice.lang).error}); "
              "using English", file=sys.stderr)
        i18n.use(i18n.SOURCE_LANGUAGE)
    streams = sys.stdout, sys.stderr
    from ..textsafe import EscapingStream

    # a terminal shows what a caseload holds and never obeys it (an ESC sequence, a direction override)
    if _is_terminal(sys.stdout):
        sys.stdout = EscapingStream(sys.stdout)
    if _is_terminal(sys.stderr):
        sys.stderr = EscapingStream(sys.stderr)
    try:
        from .direct import run as direct

        given = Globals(stats=stats if cache is None else cache.stats, handle=cache, invocation=invocation)
        completing = bool(os.environ.get("_CAREERPATH_COMPLETE"))  # the shell asks for completions (cli/completion.py)
        # `due` with plain options: its arguments read as typer reads them, without typer (cli/direct.py)
        call = None if completing else direct(args, given)
        if call is not None:
            result = call()
        else:
            from . import tree

            result = tree.run(args, given, completing)
    except CliError as e:
        # a library's Message (scaffold, fsio, record...) is rendered in the user's language here
        print(f"careerpath: {i18n.text(e.message)}", file=sys.stderr)
        if e.hint:
            print("  " + _("hint: {hint}").format(hint=i18n.text(e.hint)), file=sys.stderr)
        return e.code
    except KeyboardInterrupt:
        print("careerpath: " + _("interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:
        typer = sys.modules.get("typer")  # (its exceptions come only from the tree, which imported it)
        if typer is not None and isinstance(e, typer.Exit):
            return e.exit_code
        if typer is not None and isinstance(e, typer.Abort):
            print("careerpath: " + _("interrupted"), file=sys.stderr)
            return 130
        # typer (which vendors click from 0.26 on) raises its own ClickException
        # subclasses for usage errors: recognise them by shape, not by import path.
        if hasattr(e, "show") and isinstance(getattr(e, "exit_code", None), int):
            e.show()
            return e.exit_code
        # a bug: no locals, no values, unless asked
        if debug:
            raise
        print("careerpath: " + _("internal error ({name}); run again with --debug for a traceback "
              "and report it (the traceback may hold personal data: check before sharing)").format(name=type(e).__name__),
              file=sys.stderr)
        return 70
    finally:
        sys.stdout, sys.stderr = streams
    return result if isinstance(result, int) else 0
