"""``careerpath init``, ``careerpath new`` and ``careerpath schema``: start things, never overwrite."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from ..i18n import _
from .localize import format_diagnostic
from .common import CaseloadOpt, CliError, TodayOpt, app, caseload_of, err, parse_date, today_of


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="Where to make the caseload (default: here).")] = Path("."),
    agency: str = typer.Option("My Agency", "--agency", help="The agency's name, shown on documents."),
    language: str = typer.Option("en", "--language", help="The default document language."),
    remote: Optional[str] = typer.Option(None, "--remote", metavar="URL", help="The team's git server (see `careerpath sync`)."),
) -> int:
    """Make a new caseload: careerpath.yaml, cases/, schemas/, .gitignore, git and a pre-commit hook.

    Refuses to touch a folder that already holds careerpath.yaml.

    Example:  careerpath init my-caseload --agency "Bay Navigation Services"
    """
    from ..fsio import WriteError
    from ..scaffold import ScaffoldError, init as do_init

    try:
        result = do_init(folder, agency=agency, language=language)
    except (ScaffoldError, WriteError) as e:
        raise CliError(str(e)) from None
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
            raise CliError(_(e.message), code=2) from None
        err(_("remote `{name}` added").format(name="origin"))
    print(_("caseload ready in {folder}; next: careerpath new CASE-ID --name NAME --language LANG --caseload {folder}")
          .format(folder=folder))
    return 0


from ..ids import CASE_ID as _CASE_ID


@app.command()
def new(
    ctx: typer.Context,
    case_id: Annotated[str, typer.Argument(metavar="CASE-ID", help="1-64 of a-z 0-9 - _ (e.g. an-nguyen).")],
    name: str = typer.Option(..., "--name", help="The person's full name."),
    language: str = typer.Option(..., "--language", help="The person's language (en, es, vi, hy, hmn, ru, ...)."),
    program: List[str] = typer.Option([], "--program", "-p", help="A program to enroll in; repeat for several."),
    opened: Optional[str] = typer.Option(None, "--opened", metavar="YYYY-MM-DD", help="Date opened (default: today)."),
    ccp_basis: Optional[str] = typer.Option(None, "--ccp-basis", help="ca-dds-ccp: the basis of eligibility."),
    school_exit: Optional[str] = typer.Option(None, "--school-exit", metavar="YYYY-MM-DD", help="ca-dds-ccp: expected school exit."),
    applied: Optional[str] = typer.Option(None, "--applied", metavar="YYYY-MM-DD", help="ca-dor-vr: the application date."),
    se_type: Optional[str] = typer.Option(None, "--se-type", help="ca-dor-se: individual or group."),
    extended_services_source: Optional[str] = typer.Option(None, "--extended-services-source", help="ca-dor-se: who provides extended services."),
    registered: Optional[str] = typer.Option(None, "--registered", metavar="YYYY-MM-DD", help="ru-czn-disability: registration date."),
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> int:
    """Scaffold a valid case folder (case.yaml, events/, referrals/, documents/).

    Refuses an existing case. The file is validated before it is written.

    Example:  careerpath new an-nguyen --name "Nguyễn Văn An" --language vi --program ca-dds-ccp --ccp-basis left-subminimum-wage
    """
    if not _CASE_ID.match(case_id):
        raise CliError(_("CASE-ID must be 1-64 characters of a-z 0-9 - _, starting with a letter or digit"), code=2)
    root = caseload_of(ctx, caseload)
    day = today_of(ctx, today)
    from ..fsio import WriteError
    from ..scaffold import NewCase, ScaffoldError, new_case

    def d(value: Optional[str], option: str):
        return parse_date(value, option) if value else None

    req = NewCase(case_id, name, language, list(program), d(opened, "--opened"), ccp_basis, d(school_exit, "--school-exit"),
                  d(applied, "--applied"), se_type, extended_services_source, d(registered, "--registered"))
    try:
        path = new_case(root, req, day)
    except ScaffoldError as e:
        for diag in e.diagnostics:
            err(format_diagnostic(diag))
        raise CliError(str(e)) from None
    except WriteError as e:
        raise CliError(str(e)) from None
    print(_("wrote {path}").format(path=path))
    return 0


@app.command()
def schema(
    ctx: typer.Context,
    out: Optional[Path] = typer.Option(None, "--out", metavar="DIR", help="Folder to write into (default: <caseload>/schemas)."),
    kind: Optional[str] = typer.Option(None, "--kind", help="Print one schema to stdout: careerpath, case, plan, event or referral."),
    caseload: CaseloadOpt = None,
) -> int:
    """Write the JSON Schema of every file kind, for editors' completion and inline errors.

    Files written by careerpath start with `# yaml-language-server: $schema=...`
    pointing at these copies, so VS Code, Neovim and Helix check as you type.

    Example:  careerpath schema --kind case
    """
    from .. import schema as sch
    from ..fsio import WriteError
    from ..models import FILE_MODELS

    if kind is not None:
        if kind not in FILE_MODELS:
            raise CliError(_("--kind must be one of: {kinds}").format(kinds=", ".join(FILE_MODELS)), code=2)
        sys.stdout.write(sch.render(kind))
        return 0
    target = out if out is not None else caseload_of(ctx, caseload) / "schemas"
    try:
        for path in sch.write_all(target):
            err(_("wrote {path}").format(path=path))
    except WriteError as e:
        raise CliError(str(e)) from None
    return 0
