"""``careerpath plan CASE add-goal | add-objective | done | add-service``: the common plan edits, one commit each."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..i18n import _
from .common import (ByOpt, CaseloadOpt, CliError, DateOpt, DryRunOpt, FormatOpt, NoCommitOpt, TodayOpt, app,
                     caseload_of, parse_date, today_of)
from .output import TEXT_JSON, check_format

plan_app = typer.Typer(help="The common edits of a person's plan.yaml without an editor, each validated and committed.\n\n"
                            "Example:  careerpath plan marco-delgado done g1.o3 --by mreyes",
                       no_args_is_help=True)
app.add_typer(plan_app, name="plan")

AREAS = ("employment", "community", "education", "supports")


@plan_app.callback()
def plan(ctx: typer.Context,
         case: Annotated[str, typer.Argument(metavar="CASE", help="The case id.")]) -> None:
    """The common edits of a person's plan.yaml without an editor, each validated and committed.

    Example:  careerpath plan marco-delgado done g1.o3 --by mreyes
    """
    ctx.meta["careerpath.case"] = case


def _run(ctx: typer.Context, caseload, today, make, *, dry_run: bool, no_commit: bool, format: str) -> int:
    check_format(format, TEXT_JSON)
    from .cmd_record import _run as record_run

    root = caseload_of(ctx, caseload)
    day = today_of(ctx, today)
    return record_run(root, day, lambda: make(root, ctx.meta["careerpath.case"], day), dry_run=dry_run,
                      no_commit=no_commit, format=format)


def _by(ctx: typer.Context, caseload, by: Optional[str]) -> Optional[str]:
    from .cmd_record import _staff_id

    return _staff_id(caseload_of(ctx, caseload), by)


@plan_app.command("add-goal")
def add_goal(
    ctx: typer.Context,
    statement: Annotated[str, typer.Option("--statement", metavar="TEXT", help="The goal, in a sentence.")],
    area: str = typer.Option("employment", "--area", metavar="AREA", help="employment, community, education or supports."),
    own_words: Optional[str] = typer.Option(None, "--own-words", metavar="TEXT", help="The goal as the person says it."),
    by: ByOpt = None, no_commit: NoCommitOpt = False, dry_run: DryRunOpt = False, format: FormatOpt = "text",
    caseload: CaseloadOpt = None, today: TodayOpt = None,
) -> int:
    """Add a goal with the next free id (g1, g2, …) and no objectives yet.

    Example:  careerpath plan linh-tran add-goal --area community --statement "Ride the bus to the library alone"
    """
    if area not in AREAS:
        raise CliError(_("{option} must be one of: {choices}").format(option="--area", choices=", ".join(AREAS)), code=2)
    from ..record import plan_add_goal

    who = _by(ctx, caseload, by)
    return _run(ctx, caseload, today, lambda root, case, day: plan_add_goal(
        root, case, area=area, statement=statement, own_words=own_words, by=who),
        dry_run=dry_run, no_commit=no_commit, format=format)


@plan_app.command("add-objective")
def add_objective(
    ctx: typer.Context,
    goal: Annotated[str, typer.Argument(metavar="GOAL", help="The goal's id (g1).")],
    text: Annotated[str, typer.Option("--text", metavar="TEXT", help="The objective, in a sentence.")],
    due: Optional[str] = typer.Option(None, "--due", metavar="YYYY-MM-DD", help="When it should be done."),
    by: ByOpt = None, no_commit: NoCommitOpt = False, dry_run: DryRunOpt = False, format: FormatOpt = "text",
    caseload: CaseloadOpt = None, today: TodayOpt = None,
) -> int:
    """Add an objective to a goal with the next free id (g1.o4).

    Example:  careerpath plan marco-delgado add-objective g1 --text "Two informational interviews" --due 2026-12-18
    """
    when = parse_date(due, "--due") if due else None
    from ..record import plan_add_objective

    who = _by(ctx, caseload, by)
    return _run(ctx, caseload, today, lambda root, case, day: plan_add_objective(root, case, goal, text=text, due=when,
                                                                                 by=who),
                dry_run=dry_run, no_commit=no_commit, format=format)


@plan_app.command("done")
def done(
    ctx: typer.Context,
    item: Annotated[str, typer.Argument(metavar="ITEM", help="An objective's id (g1.o3), or a service by its name "
                                                             "in lower case with hyphens (discovery).")],
    date: DateOpt = None,
    by: ByOpt = None, no_commit: NoCommitOpt = False, dry_run: DryRunOpt = False, format: FormatOpt = "text",
    caseload: CaseloadOpt = None, today: TodayOpt = None,
) -> int:
    """Mark an objective or a service done (today, or --date).

    Example:  careerpath plan marco-delgado done g1.o3 --date 2026-11-21 --by mreyes
    """
    from ..record import plan_done

    who = _by(ctx, caseload, by)
    return _run(ctx, caseload, today, lambda root, case, day: plan_done(
        root, case, item, parse_date(date, "--date") if date else day, by=who),
        dry_run=dry_run, no_commit=no_commit, format=format)


@plan_app.command("add-service")
def add_service(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", metavar="TEXT", help="The service, as the plan names it.")],
    program: Annotated[str, typer.Option("--program", "-p", metavar="PROGRAM", help="The program that pays for it.")],
    provider: Optional[str] = typer.Option(None, "--provider", metavar="STAFF", help="Who provides it: a staff id."),
    start: Optional[str] = typer.Option(None, "--start", metavar="YYYY-MM-DD", help="When it starts (default: today)."),
    due: Optional[str] = typer.Option(None, "--due", metavar="YYYY-MM-DD", help="When it should be done."),
    by: ByOpt = None, no_commit: NoCommitOpt = False, dry_run: DryRunOpt = False, format: FormatOpt = "text",
    caseload: CaseloadOpt = None, today: TodayOpt = None,
) -> int:
    """Add a service to the plan.

    Example:  careerpath plan linh-tran add-service --name "Travel training" --program ca-dds-ccp --provider tnguyen --due 2027-01-29
    """
    end = parse_date(due, "--due") if due else None
    begin = parse_date(start, "--start") if start else None
    from ..record import plan_add_service

    who = _by(ctx, caseload, by)
    return _run(ctx, caseload, today, lambda root, case, day: plan_add_service(
        root, case, name=name, program=program, provider=provider, start=begin or day, due=end, by=who),
        dry_run=dry_run, no_commit=no_commit, format=format)
