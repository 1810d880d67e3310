"""``careerpath due``: the morning list of every open obligation of a caseload (declared here for typer; the
command itself, and everything it shares with ``show`` and ``cases``, is :mod:`careerpath.cli.duelist`)."""

from __future__ import annotations

from typing import Optional

import typer

from .common import (CaseFilterOpt, CaseloadOpt, ContentLangOpt, NoCacheOpt, ProgramFilterOpt, RedactOpt, RedactStaffOpt,
                     StaffFilterOpt, StatusFilterOpt, TodayOpt, app)


@app.command()
def due(
    ctx: typer.Context,
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
    within: Optional[str] = typer.Option(None, "--within", metavar="DURATION",
                                         help="Only what is due by then: 14d, 2w, 1m (past-due ones included)."),
    overdue: bool = typer.Option(False, "--overdue", help="Only what is past due (overdue, or partial after its date)."),
    status: StatusFilterOpt = None,
    case: CaseFilterOpt = None,
    program: ProgramFilterOpt = None,
    rule: Optional[list[str]] = typer.Option(None, "--rule", metavar="ID", help="Only this rule; patterns work: 'dor.*'. Repeatable."),
    staff: StaffFilterOpt = None,
    all_: bool = typer.Option(False, "--all", help="Include done ones, and the history of closed cases and ended enrollments."),
    explain: bool = typer.Option(False, "--explain", help="Show each obligation's rule, citation and the file:line it comes from."),
    format: str = typer.Option("text", "--format", "-f", metavar="FORMAT", help="text, json, csv or ics."),
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="FILE",
                                         help="Write to FILE (atomically; a regular file only) instead of standard "
                                              "output; - is standard output."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", metavar="STATUS",
                                          help="Exit 3 when anything listed is overdue or a case could not be read "
                                               "(with due-soon: also due soon; with invalid: only unreadable cases)."),
    wide: bool = typer.Option(False, "--wide", help="On a terminal, show every column however wide; "
                                                    "else a narrow one drops DUE, STAFF, then STATUS."),
    lang: ContentLangOpt = None,
    redact: RedactOpt = False,
    redact_staff: RedactStaffOpt = False,
    no_cache: NoCacheOpt = False,
) -> int:
    """What is due: every open obligation of the caseload, past due first, then by date.

    Each line is one obligation of one case under one program rule (see
    `careerpath rules`): its status (overdue, partial, due-soon within
    settings.warn_days, upcoming, done), due date, case, what to do and who.
    A case whose case.yaml could not be read is one line with status invalid,
    first (it may hide any deadline); obligations of a case another file of
    which failed are marked incomplete.
    Text is a table on a terminal and plain aligned columns when piped; json
    follows careerpath/schemas/obligations.schema.json; ics is a calendar feed
    (one all-day event per obligation, stable UIDs, no names).

    Exit 0; 3 with --fail-on overdue when anything listed is past due or a case
    could not be read (for cron).

    Example:  careerpath due --caseload sample-cases --within 2w --explain
    """
    options = dict(locals())  # every parameter by its own name, ctx too: they are duelist.due's
    from . import duelist

    return duelist.due(**options)
