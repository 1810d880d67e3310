"""``careerpath init``, ``careerpath new`` and ``careerpath schema``: start things, never overwrite."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from ..i18n import _, message_of
from .localize import format_diagnostic
from .common import (ByOpt, CaseloadOpt, CliError, FormatOpt, NoCommitOpt, TodayOpt, app, caseload_folder, caseload_of,
                     err, folder_of, parse_date, today_of)
from .output import JSON, TEXT_JSON, check_format, emit


@app.command()
def init(
    ctx: typer.Context,
    folder: Annotated[Optional[Path], typer.Argument(help="Where to make the caseload (default: --caseload, else here).",
                                                     show_default=False)] = None,
    agency: str = typer.Option("My Agency", "--agency", help="The agency's name, shown on documents."),
    language: str = typer.Option("en", "--language", help="The default document language."),
    remote: Optional[str] = typer.Option(None, "--remote", metavar="URL", help="The team's git server (see `careerpath sync`)."),
    sample: bool = typer.Option(False, "--sample", help="Copy the sample caseload (13 invented people) into the folder "
                                                        "instead, in a git repository of its own: for the README's tour."),
    format: FormatOpt = "text",
) -> int:
    """Make a new caseload: careerpath.yaml, cases/, schemas/, .gitignore, git, a pre-commit hook, and a first commit.

    Refuses to touch a folder that already holds careerpath.yaml. With
    --sample, copies the sample caseload into a new (or empty) folder.

    Example:  careerpath init my-caseload --agency "Bay Navigation Services"
    """
    check_format(format, TEXT_JSON)
    from ..fsio import WriteError
    from ..scaffold import ScaffoldError, init as do_init, init_sample
    from .common import _globals

    folder = folder if folder is not None else (_globals(ctx).caseload or Path("."))

    try:
        result = init_sample(folder) if sample else do_init(folder, agency=agency, language=language)
    except (ScaffoldError, WriteError) as e:
        raise CliError(message_of(e)) from None
    if sample:
        err(_("copied the sample caseload into {folder} ({n} files)").format(folder=folder, n=len(result.written)))
    else:
        for path in result.written:
            err(_("wrote {path}").format(path=path))
    if result.git == "created":
        err(_("made a git repository with a pre-commit hook that runs `careerpath validate`"))
        if result.committed == "committed":
            err(_("committed the caseload's first files"))
        elif result.committed:
            err(_("the first commit was not made ({status}): commit the files yourself").format(status=result.committed))
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
    emit(result, format, lambda: print(
        _("sample caseload ready in {folder}; next: cd {folder} && careerpath due --today 2026-11-22").format(folder=folder)
        if sample else _("caseload ready in {folder}; next: careerpath new CASE-ID --name NAME "
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
    no_plan: bool = typer.Option(False, "--no-plan", help="Do not write the starter plan.yaml."),
    no_commit: NoCommitOpt = False,
    by: ByOpt = None,
    format: FormatOpt = "text",
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> int:
    """Scaffold a valid case folder (`case.yaml`, a starter `plan.yaml` in the
    person's language, `events/`, `referrals/`, `documents/`) and commit it.

    Refuses an existing case. The files are validated before they are written.
    The case's staff are options named by role, each a staff id from
    careerpath.yaml: `--navigator`, `--ces`, `--counselor`, `--curator`,
    `--psychologist`, `--job-coach`. Each program asks for its own fields as
    options (`careerpath programs ID` lists them), e.g. --ccp-basis for
    Coordinated Career Pathways, --applied for DOR vocational rehabilitation.

    Example:  careerpath new an-nguyen --name "Nguyễn Văn An" --language vi --program ca-dds-ccp --ccp-basis left-subminimum-wage --navigator tnguyen
    """
    check_format(format, TEXT_JSON)
    if not _CASE_ID.match(case_id):
        raise CliError(_("CASE-ID must be 1-64 characters of a-z 0-9 - _, starting with a letter or digit"), code=2)
    root = caseload_of(ctx, caseload)
    day = today_of(ctx, today)
    from ..fsio import WriteError
    from ..scaffold import NewCase, ScaffoldError, commit_new_files, new_case_files, staff_roles

    options = program_options(ctx.args, root, staff_roles())
    staff = {role: options.pop(role) for role in staff_roles() if role in options}
    req = NewCase(case_id, name, language, list(program), parse_date(opened, "--opened") if opened else None,
                  options, staff, plan=not no_plan)
    try:
        paths = new_case_files(root, req, day)
    except ScaffoldError as e:
        for diag in e.diagnostics:
            err(format_diagnostic(diag))
        raise CliError(message_of(e)) from None
    except WriteError as e:
        raise CliError(message_of(e)) from None
    for path in paths:
        err(_("wrote {path}").format(path=path))
    committed = None
    if not no_commit:
        acting = _acting_staff(root, by)
        trailers = [("Case", case_id), *(("Program", p) for p in program)] + ([("Staff", acting.id)] if acting else [])
        committed = commit_new_files(root, paths, f"{case_id}: new case", trailers, acting)
        if committed.git == "committed":
            err(_("committed {sha}").format(sha=committed.commit[:12]))
        elif committed.git == "failed":
            err("careerpath: " + _("the files were written but not committed: {reason}").format(reason=i18n_text(committed.note)))
    emit({"case": case_id, "written": paths, "git": committed.git if committed else "skipped",
          "commit": committed.commit if committed else None}, format,
         lambda: print(_("new case {case}: {files}").format(case=case_id, files=", ".join(str(p) for p in paths))))
    return 0


def i18n_text(message) -> str:
    from ..i18n import text

    return text(message)


def _acting_staff(root: Path, by: Optional[str]):
    """The staff member recording this (--by, $CAREERPATH_STAFF, git config careerpath.staff), or None; an unknown
    --by is refused, an unknown default ignored."""
    from ..loader import load_config
    from .cmd_record import _staff_id

    sid = _staff_id(root, by)
    if not sid:
        return None
    for s in load_config(root, [])[0].staff:
        if s.id == sid:
            return s
    if by:
        raise CliError(_("--by must be a staff id from careerpath.yaml"), code=2)
    return None


def program_options(args: list[str], root: Path, roles: tuple[str, ...] = ()) -> dict[str, str]:
    """``--option VALUE`` pairs left over by typer, each an option some program declares for `new`, or a staff
    role (``roles``: ``--navigator ID``)."""
    import difflib

    from ..programs import load_programs

    known = {**load_programs(root).new_options(), **{r: r for r in roles}}
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
