"""The command line: a thin layer over the library.

Each command lives in its own module below and registers itself on the one
:data:`~careerpath.cli.common.app`; :func:`main` is the only place that turns
errors into messages and exit codes:

    0   success
    1   findings (validation errors) or a problem the user can fix
    2   usage error (bad option, missing caseload, bad date)
    70  internal error (a bug; the traceback only with --debug)
"""

from __future__ import annotations

import os
import sys
from typing import Optional

import typer

from .. import i18n
from ..i18n import _
from .common import CliError, Globals, LangOpt, TodayOpt, CaseloadOpt, app

# commands register themselves on import; one per line keeps merges additive
from . import cmd_validate  # noqa: E402,F401
from . import cmd_scaffold  # noqa: E402,F401
from . import cmd_due  # noqa: E402,F401
from . import cmd_show  # noqa: E402,F401
from . import cmd_rules  # noqa: E402,F401
from . import cmd_render  # noqa: E402,F401
from . import cmd_record  # noqa: E402,F401
from . import cmd_history  # noqa: E402,F401
from . import cmd_report  # noqa: E402,F401
from . import cmd_doctor  # noqa: E402,F401
from . import cmd_i18n  # noqa: E402,F401
from . import cmd_programs  # noqa: E402,F401


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        print(f"careerpath {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
    lang: LangOpt = None,
    debug: bool = typer.Option(False, "--debug", help="Show a traceback on internal errors."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Read every file again; neither read nor write the load cache."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    ctx.obj = Globals(caseload, today, lang, cache=not no_cache)


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def main(argv: Optional[list[str]] = None) -> int:
    """Run the CLI; return the exit code (the console script passes it to sys.exit)."""
    args = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in args or os.environ.get("CAREERPATH_DEBUG") == "1"
    # The language must be known before typer builds the help texts.
    choice = i18n.choose(args, os.environ)
    i18n.use(choice.lang)
    if choice.note:
        print(choice.note, file=sys.stderr)
    if choice.lang != i18n.SOURCE_LANGUAGE and i18n.catalogue(choice.lang).error:
        print(f"careerpath: the {choice.lang} messages cannot be read ({i18n.catalogue(choice.lang).error}); "
              "using English", file=sys.stderr)
        i18n.use(i18n.SOURCE_LANGUAGE)
    from .. import _runtime

    saved = _runtime.cache_default
    _runtime.cache_default = "--no-cache" not in args  # commands that call load() use the cache too
    streams = sys.stdout, sys.stderr
    from ..textsafe import EscapingStream

    # a terminal shows what a caseload holds and never obeys it (an ESC sequence, a direction override)
    if _is_terminal(sys.stdout):
        sys.stdout = EscapingStream(sys.stdout)
    if _is_terminal(sys.stderr):
        sys.stderr = EscapingStream(sys.stderr)
    try:
        from .localize import build_command

        result = build_command(app)(args=args, prog_name="careerpath", standalone_mode=False)
    except CliError as e:
        # library wordings (scaffold, fsio) are translated on display, like diagnostics
        print(f"careerpath: {i18n.diagnostic_text(e.message)}", file=sys.stderr)
        if e.hint:
            print("  " + _("hint: {hint}").format(hint=i18n.diagnostic_text(e.hint)), file=sys.stderr)
        return e.code
    except typer.Exit as e:
        return e.exit_code
    except (typer.Abort, KeyboardInterrupt):
        print("careerpath: " + _("interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:
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
        _runtime.cache_default = saved
        sys.stdout, sys.stderr = streams
    return result if isinstance(result, int) else 0
