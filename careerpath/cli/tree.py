"""The typer app with every command registered, and its root options: what :func:`careerpath.cli.main` runs a
command line through, unless :mod:`careerpath.cli.direct` reads it without typer.

Kept apart from :mod:`careerpath.cli` (whose :func:`~careerpath.cli.main` imports neither typer nor click) so that
a plain ``due`` imports none of it.
"""

from __future__ import annotations

from typing import Any

import typer

from .common import CaseloadOpt, Globals, LangOpt, TodayOpt, app

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
from . import cmd_merge  # noqa: E402,F401
from . import cmd_sync  # noqa: E402,F401
from . import cmd_server  # noqa: E402,F401
from . import cmd_purge  # noqa: E402,F401
from . import cmd_cases  # noqa: E402,F401
from . import cmd_watch  # noqa: E402,F401
from . import cmd_plan  # noqa: E402,F401
from . import cmd_edit  # noqa: E402,F401

_MODULES = (cmd_validate, cmd_scaffold, cmd_due, cmd_show, cmd_rules, cmd_render, cmd_record, cmd_history, cmd_report,
            cmd_doctor, cmd_i18n, cmd_programs, cmd_merge, cmd_sync, cmd_server, cmd_purge, cmd_cases, cmd_watch,
            cmd_plan, cmd_edit)


def _in_order() -> None:
    """The commands and groups in the order of the modules above, whichever was imported first (a module imported
    before this one, as ``from careerpath.cli import cmd_due`` does, registered its commands first): --help and
    docs/cli.md list them so. Within a module they keep their own order."""
    rank = {module.__name__: i for i, module in enumerate(_MODULES)}

    def of(callback: Any) -> int:
        return rank.get(getattr(callback, "__module__", ""), len(rank))

    app.registered_commands.sort(key=lambda info: of(info.callback))
    app.registered_groups.sort(key=lambda info: min((of(c.callback) for c in info.typer_instance.registered_commands),
                                                    default=len(rank)))


_in_order()


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
    given = ctx.obj if isinstance(ctx.obj, Globals) else Globals()
    ctx.obj = Globals(caseload, today, lang, cache=not no_cache, stats=given.stats, handle=given.handle,
                      invocation=given.invocation)


def run(args: list[str], given: Globals, completing: bool) -> Any:
    """Run ``args`` through the typer tree in the chosen language (with the shell's completions when
    ``completing``); typer's own exceptions are left to :func:`careerpath.cli.main`."""
    from . import localize

    if completing:
        from .completion import attach

        command = localize.build_command(app)  # a tree of its own: attach() changes it
        attach(command)
    else:
        command = localize.command(app)  # made once per language in this process
    return command(args=args, prog_name="careerpath", standalone_mode=False, obj=given)
