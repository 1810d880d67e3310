"""``careerpath init``, ``careerpath new`` and ``careerpath schema``: start things, never overwrite."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from ..i18n import _, message_of
from .localize import format_diagnostic
from .common import (CaseloadOpt, CliError, FormatOpt, TodayOpt, app, caseload_folder, caseload_of, err, folder_of,
                     parse_date, today_of)
from .output import JSON, TEXT_JSON, check_format, emit


@app.command()
def init(
    ctx: typer.Context,
    folder: Annotated[Optional[Path], typer.Argument(help="Where to make the caseload (default: --caseload, else here).",
                                                     show_default=False)] = None,
    agency: str = typer.Option("My Agency", "--agency", help="The agency's name, shown on documents."),
    language: str = typer.Option("en", "--language", help="The default document language."),
    remote: Optional[str] = typer.Option(None, "--remote", metavar="URL", help="The team's git server (see `careerpath sync`)."),
    format: FormatOpt = "text",
) -> int:
    """Make a new caseload: careerpath.yaml, cases/, schemas/, .gitignore, git and a pre-commit hook.

    Refuses to touch a folder that already holds careerpath.yaml.

    Example:  careerpath init my-caseload --agency "Bay Navigation Services"
    """
    check_format(format, TEXT_JSON)
    from ..fsio import WriteError
    from ..scaffold import ScaffoldError, init as do_init
    from .common import _globals

    folder = folder if folder is not None else (_globals(ctx).caseload or Path("."))

    try:
        result = do_init(folder, agency=agency, language=language)
    except (ScaffoldError, WriteError) as e:
        raise CliError(message_of(e)) from None
    for path in result.written:
        err(_("wrote {path}").format(path=path))
    if result.git == "created":
        err(_("made a git repository with a pre-commit hook that runs `careerpath validate`"))
    elif result.git == "absent":
        err(_("git is not installed: the caseload has no history until you put it under git"))
    if remote and result.git != "absent":
        from ..gitio import GitError
        from ..team.setup import set_remote

        try:
            set_remote(folder, remote)
        except GitError as e:
            raise CliError(e.message, code=2) from None
        err(_("remote `{name}` added").format(name="origin"))
    emit(result, format, lambda: print(_("caseload ready in {folder}; next: careerpath new CASE-ID --name NAME "
                                         "--language LANG --caseload {folder}").format(folder=folder)))
    return 0


from ..ids import CASE_ID as _CASE_ID


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def new(
    ctx: typer.Context,
    case_id: Annotated[str, typer.Argument(metavar="CASE-ID", help="1-64 of a-z 0-9 - _ (e.g. an-nguyen).")],
    name: str = typer.Option(..., "--name", help="The person's full name."),
    language: str = typer.Option(..., "--language", help="The person's language (en, es, vi, hy, hmn, ru, ...)."),
    program: List[str] = typer.Option([], "--program", "-p", help="A program to enroll in; repeat for several."),
    opened: Optional[str] = typer.Option(None, "--opened", metavar="YYYY-MM-DD", help="Date opened (default: today)."),
    format: FormatOpt = "text",
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> int:
    """Scaffold a valid case folder (`case.yaml`, `events/`, `referrals/`, `documents/`).

    Refuses an existing case. The file is validated before it is written.
    Each program asks for its own fields as options (`careerpath programs ID`
    lists them), e.g. --ccp-basis for Coordinated Career Pathways, --applied
    for DOR vocational rehabilitation.

    Example:  careerpath new an-nguyen --name "Nguyễn Văn An" --language vi --program ca-dds-ccp --ccp-basis left-subminimum-wage
    """
    check_format(format, TEXT_JSON)
    if not _CASE_ID.match(case_id):
        raise CliError(_("CASE-ID must be 1-64 characters of a-z 0-9 - _, starting with a letter or digit"), code=2)
    root = caseload_of(ctx, caseload)
    day = today_of(ctx, today)
    from ..fsio import WriteError
    from ..scaffold import NewCase, ScaffoldError, new_case

    req = NewCase(case_id, name, language, list(program), parse_date(opened, "--opened") if opened else None,
                  program_options(ctx.args, root))
    try:
        path = new_case(root, req, day)
    except ScaffoldError as e:
        for diag in e.diagnostics:
            err(format_diagnostic(diag))
        raise CliError(message_of(e)) from None
    except WriteError as e:
        raise CliError(message_of(e)) from None
    emit({"case": case_id, "written": [path]}, format, lambda: print(_("wrote {path}").format(path=path)))
    return 0


def program_options(args: list[str], root: Path) -> dict[str, str]:
    """``--option VALUE`` pairs left over by typer, each an option some program declares for `new`."""
    import difflib

    from ..programs import load_programs

    known = load_programs(root).new_options()
    out: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg[2:].partition("=") if arg.startswith("--") else ("", "", "")
        if not name:
            raise CliError(_("unexpected argument (the person's data goes after --name and the options)"), code=2)
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=1)
            raise CliError(_("no program asks for --{option}").format(option=name), code=2,
                           hint=_("did you mean --{option}?").format(option=close[0]) if close
                           else _("`careerpath programs` lists each program's options"))
        if not eq:
            if i + 1 >= len(args):
                raise CliError(_("--{option} needs a value").format(option=name), code=2)
            i += 1
            value = args[i]
        out[name] = value
        i += 1
    return out


@app.command()
def schema(
    ctx: typer.Context,
    out: Optional[str] = typer.Option(None, "--out", metavar="DIR", help="Folder to write into (default: <caseload>/schemas)."),
    kind: Optional[str] = typer.Option(None, "--kind", help="Print one schema to stdout: `careerpath`, `case`, `plan`, `event`, `referral`, `program`, `rules` or `documents`."),
    format: FormatOpt = "text",
    caseload: CaseloadOpt = None,
) -> int:
    """Write the JSON Schema of every file kind, for editors' completion and inline errors.

    Files written by careerpath start with `# yaml-language-server: $schema=...`
    pointing at these copies, so VS Code, Neovim and Helix check as you type.

    Example:  careerpath schema --kind case
    """
    check_format(format, TEXT_JSON)
    from .. import schema as sch
    from ..fsio import WriteError
    from ..models import FILE_MODELS

    out_folder = folder_of(out, "--out")
    if kind is not None:  # a schema is JSON already: the same bytes in either format
        kinds = (*FILE_MODELS, *sch.PROGRAM_KINDS)
        if kind not in kinds:
            from ..suggest import one

            near = one(kind, kinds)
            raise CliError(_("--kind must be one of: {kinds}").format(kinds=", ".join(kinds)), code=2,
                           hint=_("did you mean `{name}`?").format(name=near) if near else "")
        sys.stdout.write(sch.render_program(kind) if kind in sch.PROGRAM_KINDS else sch.render(kind))
        return 0
    from ..programs import load_programs
    from .cmd_rules import _caseload_or_none

    root = caseload_of(ctx, caseload) if out_folder is None else _caseload_or_none(ctx, caseload)
    target = out_folder if out_folder is not None else caseload_folder(root, "schemas")
    try:
        written = sch.write_all(target, load_programs(root))
    except WriteError as e:
        raise CliError(message_of(e)) from None
    for path in written:
        err(_("wrote {path}").format(path=path))
    if format == JSON:
        emit({"written": written}, format)
    return 0
